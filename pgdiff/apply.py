"""Runs a plan against the target. The only module that writes to the target database.

Transactional groups run in one transaction each, so a failure rolls the group
back; statements that cannot run in a transaction block (CONCURRENTLY) run alone.
Each statement runs under its own lock_timeout and statement_timeout. A group
that fails on lock_timeout (SQLSTATE 55P03) is retried, with backoff, up to
`lock_retries` times: giving up on a lock and trying again later is what keeps a
migration from queueing every other query behind it.

One apply at a time per database: `apply_lock` takes a session-level advisory lock
before the target is inspected, so a plan is always computed and run under it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql

from pgdiff.connect import redact
from pgdiff.errors import PgdiffError
from pgdiff.plan import Group, Plan, Statement
from pgdiff.plan.timeouts import format_duration

LOCK_NOT_AVAILABLE = "55P03"
DEFAULT_LOCK_RETRIES = 3
APPLY_APPLICATION_NAME = "pgdiff apply"
# The advisory lock key: a fixed bigint derived from a constant, the same for every pgdiff version.
# Advisory locks are per database already, so this serialises applies to one database only.
APPLY_LOCK_KEY = int.from_bytes(hashlib.sha256(b"pgdiff apply").digest()[:8], "big", signed=True)
# How often an apply session's server checks that pgdiff is still connected (PostgreSQL 14+).
CLIENT_CHECK_INTERVAL = "1s"


@dataclass(frozen=True)
class ApplyFailure:
    """Where apply stopped. Statement numbers are 1-based positions in `statements`, the plan's order."""

    statements: tuple[Statement, ...]
    failed: int
    message: str  # the server's message (and detail), passwords redacted
    sqlstate: str | None
    committed: tuple[int, ...]  # committed before the failure: they stay
    rolled_back: tuple[int, ...]  # ran in the failing statement's transaction, rolled back with it
    not_run: tuple[int, ...]

    @property
    def statement(self) -> Statement:
        return self.statements[self.failed - 1]

    @property
    def completed(self) -> int:
        return len(self.committed)


class ApplyError(PgdiffError):
    def __init__(self, failure: ApplyFailure) -> None:
        self.failure = failure
        sqlstate = f" (SQLSTATE {failure.sqlstate})" if failure.sqlstate else ""
        super().__init__(
            f"apply stopped at statement {failure.failed} of {len(failure.statements)}, "
            f"{failure.statement.kind} {failure.statement.object}: {failure.message}{sqlstate} "
            f"({failure.completed} statement(s) committed before it, {len(failure.rolled_back)} rolled back with it, "
            f"{len(failure.not_run)} not run)"
        )


class ApplyLockBusy(PgdiffError):
    """Another apply holds the database's apply lock (and did not release it within --wait)."""


@dataclass(frozen=True)
class LockHolder:
    pid: int
    application_name: str
    backend_start: str


@contextmanager
def apply_lock(conn: psycopg.Connection, wait_ms: int) -> Iterator[None]:
    """Hold the database's apply lock for the block; wait for it at most `wait_ms` (0: do not wait).

    A session-level lock: it outlives the transactions apply commits, and the server releases it
    when the session ends, however pgdiff ends. The wait happens on the server (lock_timeout), so
    a second apply queues fairly behind the first instead of polling.
    """
    conn.autocommit = True  # a session lock taken inside a transaction block would be fine, but SET would not be
    watch_client(conn)
    _acquire(conn, wait_ms)
    try:
        yield
    finally:
        if not conn.closed:
            conn.execute("SELECT pg_advisory_unlock(%s)", [APPLY_LOCK_KEY])


def _acquire(conn: psycopg.Connection, wait_ms: int) -> None:
    if wait_ms == 0:  # lock_timeout 0 would mean "wait forever"
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", [APPLY_LOCK_KEY]).fetchone()
        if not (row and row[0]):
            raise _busy(conn, wait_ms)
        return
    conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(format_duration(wait_ms))))
    try:
        conn.execute("SELECT pg_advisory_lock(%s)", [APPLY_LOCK_KEY])
    except psycopg.errors.LockNotAvailable:
        raise _busy(conn, wait_ms) from None
    finally:
        conn.execute("RESET lock_timeout")


def _busy(conn: psycopg.Connection, wait_ms: int) -> ApplyLockBusy:
    database = conn.info.dbname
    holder = lock_holder(conn)
    who = (
        f"pid {holder.pid}, application_name {holder.application_name!r}, running since {holder.backend_start}"
        if holder
        else "it has just released it"
    )
    waited = "did not wait (--wait 0)" if wait_ms == 0 else f"gave up after waiting {format_duration(wait_ms)}"
    return ApplyLockBusy(
        f"another pgdiff apply holds the lock on {database} ({who}); {waited}. "
        "Run again once it has finished, or give a longer --wait"
    )


# Runtime state, not schema: who holds the apply lock, for the message of the apply that waits.
_HOLDER_SQL = """
SELECT a.pid, coalesce(a.application_name, ''), to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ')
FROM pg_catalog.pg_locks l
JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
  AND l.classid::bigint = %s AND l.objid::bigint = %s
"""


def lock_holder(conn: psycopg.Connection) -> LockHolder | None:
    """The session holding the apply lock on this database, if any (a bigint key is split in two oids)."""
    unsigned = APPLY_LOCK_KEY & 0xFFFF_FFFF_FFFF_FFFF
    row = conn.execute(_HOLDER_SQL, [unsigned >> 32, unsigned & 0xFFFF_FFFF]).fetchone()
    return LockHolder(row[0], row[1], row[2]) if row else None


def watch_client(conn: psycopg.Connection) -> None:
    """Have the server check, while a statement runs, that pgdiff is still connected.

    Without it, a killed pgdiff leaves its backend running a long statement (an index build, a
    validation, a wait for a lock) to completion with nobody watching: holding locks, and holding
    the apply lock so that the re-run cannot start. With it the server notices the closed socket
    within the interval, cancels the statement and ends the session (PostgreSQL 14+; Linux).
    """
    if conn.info.server_version >= 140000:
        conn.execute(sql.SQL("SET client_connection_check_interval = {}").format(sql.Literal(CLIENT_CHECK_INTERVAL)))


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
    # Called before a statement runs, and after it ran (not yet committed, when its group is a transaction).
    on_statement: Callable[[int, int, Statement], None] = lambda number, total, statement: None
    on_statement_done: Callable[[int, int, Statement], None] = lambda number, total, statement: None
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
    run = _Run(conn, tuple(plan.statements), lock_retries, hooks or ApplyHooks())
    conn.autocommit = True
    watch_client(conn)
    try:
        for group in plan.groups:
            run.group_with_retries(group)
    finally:
        _reset_timeouts(conn)


def _reset_timeouts(conn: psycopg.Connection) -> None:
    """Put the session's timeouts back, without hiding the error that stopped the plan: a rollback cancelled by
    a tiny statement_timeout leaves the transaction aborted, and a broken connection has nothing to reset."""
    if conn.closed or conn.broken:
        return
    try:
        if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
            conn.execute("ROLLBACK")
        conn.execute("RESET lock_timeout")
        conn.execute("RESET statement_timeout")
    except psycopg.Error:
        pass  # the session ends with the command; the failure that matters is already being raised


class _StatementFailed(Exception):
    def __init__(self, number: int, message: str, sqlstate: str | None) -> None:
        self.number = number
        self.message = message
        self.sqlstate = sqlstate


@dataclass
class _Run:
    conn: psycopg.Connection
    statements: tuple[Statement, ...]
    lock_retries: int
    hooks: ApplyHooks
    done: int = 0  # statements committed (or run alone) so far

    def group_with_retries(self, group: Group) -> None:
        attempt = 0
        while True:
            try:
                self._group(group)
                return
            except _StatementFailed as failed:
                if failed.sqlstate != LOCK_NOT_AVAILABLE or attempt >= self.lock_retries:
                    if failed.sqlstate == LOCK_NOT_AVAILABLE:
                        failed.message += f" (gave up after {attempt} retries)"
                    raise ApplyError(self._failure(group, failed)) from None
                attempt += 1
                delay = backoff_seconds(attempt)
                statement = self.statements[failed.number - 1]
                self.hooks.on_retry(statement, attempt, delay)
                if statement.cleanup_sql:
                    self.conn.execute(statement.cleanup_sql)
                self.hooks.wait(delay)

    def _group(self, group: Group) -> None:
        if not group.transactional:
            for offset, statement in enumerate(group.statements, 1):
                self._statement(self.done + offset, statement)
            self.done += len(group.statements)
            return
        last = self.done + len(group.statements)
        try:
            with self.conn.transaction():
                for offset, statement in enumerate(group.statements, 1):
                    self._statement(self.done + offset, statement)
        except psycopg.Error as error:
            if isinstance(error.__context__, _StatementFailed):  # the rollback failed too: report the statement
                raise error.__context__ from None
            # COMMIT itself failed (e.g. a deferred constraint): the group's last statement is the one named.
            raise _StatementFailed(last, *_describe(error)) from None
        self.done = last

    def _statement(self, number: int, statement: Statement) -> None:
        total = len(self.statements)
        self.hooks.on_statement(number, total, statement)
        try:
            _set_timeouts(self.conn, statement)
            self.conn.execute(statement.sql)
        except psycopg.Error as error:
            raise _StatementFailed(number, *_describe(error)) from None
        self.hooks.on_statement_done(number, total, statement)

    def _failure(self, group: Group, failed: _StatementFailed) -> ApplyFailure:
        """What stays, what went with the failing statement, what never ran: groups before this one committed;
        in a transaction, the group's earlier statements are rolled back with the failing one."""
        first = self.done + 1
        rolled_back = tuple(range(first, failed.number)) if group.transactional else ()
        return ApplyFailure(
            statements=self.statements,
            failed=failed.number,
            message=failed.message,
            sqlstate=failed.sqlstate,
            committed=tuple(range(1, first)) + (() if group.transactional else tuple(range(first, failed.number))),
            rolled_back=rolled_back,
            not_run=tuple(range(failed.number + 1, len(self.statements) + 1)),
        )


def _describe(error: psycopg.Error) -> tuple[str, str | None]:
    message = error.diag.message_primary or str(error).strip() or type(error).__name__
    if error.diag.message_detail:
        message += f" ({error.diag.message_detail})"
    return redact(message), error.diag.sqlstate


def _set_timeouts(conn: psycopg.Connection, statement: Statement) -> None:
    for setting, ms in statement.timeouts:
        conn.execute(sql.SQL("SET {} = {}").format(sql.Identifier(setting), sql.Literal(format_duration(ms))))
