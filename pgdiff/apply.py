"""Runs a plan against the target. The only module that writes to the target database.

Transactional groups run in one transaction each, so a failure rolls the group
back; statements that cannot run in a transaction block (CONCURRENTLY) run alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from pgdiff.connect import redact
from pgdiff.errors import PgdiffError
from pgdiff.plan import Plan, Statement


@dataclass(frozen=True)
class ApplyFailure:
    statement: Statement
    message: str
    completed: int  # statements committed before the failing one's group


class ApplyError(PgdiffError):
    def __init__(self, failure: ApplyFailure) -> None:
        self.failure = failure
        super().__init__(
            f"apply stopped at {failure.statement.kind} {failure.statement.object}: {failure.message} "
            f"({failure.completed} statement(s) committed before it; nothing after it ran)"
        )


def refuse_unallowed_hazards(plan: Plan, allowed: set[str]) -> None:
    if "all" in allowed:
        return
    blocked = [(s, h) for s in plan.statements for h in s.hazards if h.code not in allowed]
    if blocked:
        codes = sorted({h.code for _, h in blocked})
        lines = "; ".join(f"{h.code}: {h.message}" for _, h in blocked)
        raise PgdiffError(
            f"plan has hazards that were not allowed ({lines}); nothing was applied. "
            f"Review them and pass --allow-hazards {','.join(codes)}"
        )


def apply_plan(
    conn: psycopg.Connection,
    plan: Plan,
    *,
    on_statement: Callable[[int, int, Statement], None] = lambda i, n, s: None,
) -> None:
    """Execute every group in order; raise ApplyError at the first failure."""
    total = len(plan.statements)
    done = 0
    conn.autocommit = True
    for group in plan.groups:
        committed_before = done
        try:
            if group.transactional:
                with conn.transaction():
                    for statement in group.statements:
                        done += 1
                        on_statement(done, total, statement)
                        _execute(conn, statement)
            else:
                for statement in group.statements:
                    done += 1
                    on_statement(done, total, statement)
                    _execute(conn, statement)
        except _StatementFailed as failed:
            raise ApplyError(ApplyFailure(failed.statement, failed.message, committed_before)) from None


class _StatementFailed(Exception):
    def __init__(self, statement: Statement, message: str) -> None:
        self.statement = statement
        self.message = message


def _execute(conn: psycopg.Connection, statement: Statement) -> None:
    try:
        conn.execute(statement.sql)
    except psycopg.Error as error:
        message = error.diag.message_primary or str(error).strip()
        raise _StatementFailed(statement, redact(message)) from None
