"""Runs a plan against the target. The only module that writes to the target database.

Transactional groups run in one transaction each, so a failure rolls the group
back; statements that cannot run in a transaction block (CONCURRENTLY) run alone.
Each statement runs under its own lock_timeout and statement_timeout. A group
that fails on lock_timeout (SQLSTATE 55P03) is retried, with backoff, up to
`lock_retries` times: giving up on a lock and trying again later is what keeps a
migration from queueing every other query behind it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from pgdiff.connect import redact
from pgdiff.errors import PgdiffError
from pgdiff.plan import Group, Plan, Statement
from pgdiff.plan.timeouts import format_duration

LOCK_NOT_AVAILABLE = "55P03"
DEFAULT_LOCK_RETRIES = 3


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


def backoff_seconds(attempt: int) -> float:
    """1s, 2s, 4s, ... capped at 30s."""
    return float(min(2 ** (attempt - 1), 30))


@dataclass
class ApplyHooks:
    on_statement: Callable[[int, int, Statement], None] = lambda number, total, statement: None
    # Called before waiting to retry: (statement that hit the lock timeout, attempt number, seconds to wait).
    on_retry: Callable[[Statement, int, float], None] = lambda statement, attempt, delay: None
    wait: Callable[[float], None] = time.sleep


def apply_plan(
    conn: psycopg.Connection,
    plan: Plan,
    *,
    lock_retries: int = DEFAULT_LOCK_RETRIES,
    hooks: ApplyHooks | None = None,
) -> None:
    """Execute every group in order; raise ApplyError at the first failure that retries cannot cure."""
    hooks = hooks or ApplyHooks()
    total = len(plan.statements)
    done = 0
    conn.autocommit = True
    try:
        for group in plan.groups:
            done = _run_group_with_retries(conn, group, done, total, lock_retries, hooks)
    finally:
        if not conn.closed:
            conn.execute("RESET lock_timeout")
            conn.execute("RESET statement_timeout")


def _run_group_with_retries(
    conn: psycopg.Connection, group: Group, done: int, total: int, lock_retries: int, hooks: ApplyHooks
) -> int:
    attempt = 0
    while True:
        try:
            return _run_group(conn, group, done, total, hooks)
        except _StatementFailed as failed:
            if failed.sqlstate != LOCK_NOT_AVAILABLE or attempt >= lock_retries:
                if failed.sqlstate == LOCK_NOT_AVAILABLE:
                    failed.message += f" (gave up after {attempt} retries)"
                raise ApplyError(ApplyFailure(failed.statement, failed.message, done)) from None
            attempt += 1
            delay = backoff_seconds(attempt)
            hooks.on_retry(failed.statement, attempt, delay)
            if failed.statement.cleanup_sql:
                conn.execute(failed.statement.cleanup_sql)
            hooks.wait(delay)


def _run_group(conn: psycopg.Connection, group: Group, done: int, total: int, hooks: ApplyHooks) -> int:
    if group.transactional:
        with conn.transaction():
            for statement in group.statements:
                done += 1
                hooks.on_statement(done, total, statement)
                _execute(conn, statement)
        return done
    for statement in group.statements:
        done += 1
        hooks.on_statement(done, total, statement)
        _execute(conn, statement)
    return done


class _StatementFailed(Exception):
    def __init__(self, statement: Statement, message: str, sqlstate: str | None) -> None:
        self.statement = statement
        self.message = message
        self.sqlstate = sqlstate


def _execute(conn: psycopg.Connection, statement: Statement) -> None:
    try:
        _set_timeouts(conn, statement)
        conn.execute(statement.sql)
    except psycopg.Error as error:
        message = error.diag.message_primary or str(error).strip()
        raise _StatementFailed(statement, redact(message), error.diag.sqlstate) from None


def _set_timeouts(conn: psycopg.Connection, statement: Statement) -> None:
    for setting, ms in statement.timeouts:
        conn.execute(sql.SQL("SET {} = {}").format(sql.Identifier(setting), sql.Literal(format_duration(ms))))
