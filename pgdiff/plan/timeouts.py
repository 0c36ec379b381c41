"""Per-statement `lock_timeout` and `statement_timeout`.

Every statement waits at most `lock_timeout` for its lock, so a migration queued
behind a long transaction gives up (and is retried by apply) instead of blocking
every query that queues behind it. `statement_timeout` is short for catalog-only
changes and off for work that scans or builds (index builds, validation, rewrites),
whose duration grows with the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pgdiff.errors import PgdiffError
from pgdiff.plan.types import Plan, Statement

DEFAULT_LOCK_TIMEOUT_MS = 3_000
DEFAULT_CATALOG_STATEMENT_TIMEOUT_MS = 30_000
LONG_RUNNING_HAZARDS = {"table-rewrite", "validates-existing-rows", "index-build", "table-recreate"}


@dataclass(frozen=True)
class TimeoutPolicy:
    lock_timeout_ms: int = DEFAULT_LOCK_TIMEOUT_MS
    catalog_statement_timeout_ms: int = DEFAULT_CATALOG_STATEMENT_TIMEOUT_MS
    # When set, replaces the per-kind statement_timeout of every statement.
    statement_timeout_override_ms: int | None = None

    def for_statement(self, statement: Statement) -> tuple[int, int]:
        if self.statement_timeout_override_ms is not None:
            return self.lock_timeout_ms, self.statement_timeout_override_ms
        return self.lock_timeout_ms, 0 if is_long_running(statement) else self.catalog_statement_timeout_ms


def is_long_running(statement: Statement) -> bool:
    """Work proportional to the table's size: builds, scans and rewrites."""
    if statement.action == "validate" or (statement.kind == "index" and statement.action in ("create", "alter")):
        return True
    if statement.kind == "materialized view" and statement.action in ("create", "alter"):
        return True  # runs the view's query
    return any(h.code in LONG_RUNNING_HAZARDS for h in statement.hazards)


def with_timeouts(plan: Plan, policy: TimeoutPolicy) -> Plan:
    groups = tuple(
        replace(group, statements=tuple(_timed(s, policy) for s in group.statements)) for group in plan.groups
    )
    return replace(plan, groups=groups)


def _timed(statement: Statement, policy: TimeoutPolicy) -> Statement:
    lock_ms, statement_ms = policy.for_statement(statement)
    return replace(statement, lock_timeout_ms=lock_ms, statement_timeout_ms=statement_ms)


_DURATION = re.compile(r"\s*(\d+)\s*(ms|s|min|h)?\s*")
_UNIT_MS = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, None: 1000}


def parse_duration_ms(text: str, option: str) -> int:
    """`3s`, `500ms`, `2min`, `1h`, or a bare number of seconds; `0` means no limit."""
    match = _DURATION.fullmatch(text)
    if not match:
        raise PgdiffError(f"{option} {text!r}: expected a duration like 500ms, 3s, 2min, 1h or 0 for none")
    return int(match.group(1)) * _UNIT_MS[match.group(2)]


def format_duration(ms: int) -> str:
    """The form written into SET statements and shown to users."""
    if ms == 0:
        return "0"
    for unit, size in (("h", 3_600_000), ("min", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"
