"""apply under write load: a plan's online forms never make a write wait longer than the plan's lock_timeout.

Four writer threads, each on its own connection, insert and update rows of `accounts`, `runs` and the
partitioned `run_events` from before apply starts until it has ended, while apply (`apply_plan`, pgdiff's own
apply path, with its hooks) runs a real plan: two concurrent index builds, a foreign key and a CHECK added
NOT VALID then validated, a NOT NULL set the safe way, and a partition created and attached.

How the test knows a statement is online, not merely fast: on a few thousand rows every statement is quick,
so a blocking one would block nobody for long. The statements pgdiff itself counts as long-running (builds
and validations, `timeouts.is_long_running`) are therefore made to last until writes to their table have
completed while they run, as on a big table: a transactional statement's transaction is held open after it
ran (it keeps every lock it took, as a long scan would), and a statement that cannot run in a transaction
(CREATE INDEX CONCURRENTLY) first waits behind a session holding SHARE UPDATE EXCLUSIVE on the table, the
lock such a build holds throughout (autovacuum takes the same). An online statement's locks let the
writes through, so they complete at once and the statement goes on; a blocking one's do not, the writes
fail on their own timeouts, and the statement is released at a deadline. The brief locks that remain
(adding a constraint NOT VALID, ATTACH, SET NOT NULL) are bounded by lock_timeout: one of them is made to
queue behind an open writing transaction, so writers queue behind it until it gives up and apply retries.
`test_the_detector_sees_blocking_ddl` runs the same writers and checks against DDL that blocks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
import pytest
from psycopg import sql

from pgdiff.apply import APPLY_APPLICATION_NAME, ApplyHooks, apply_plan
from pgdiff.cluster import Cluster
from pgdiff.pipeline import plan_models
from pgdiff.plan import Plan, Statement
from pgdiff.plan import hazards as hz
from pgdiff.plan.timeouts import TimeoutPolicy, is_long_running
from pgdiff.plan.types import Hazard, group_statements
from tests.pg import assert_same_catalog, inspect_db, new_database, schema_dump
from tests.processes import apply_backends, wait_for

CURRENT = """
CREATE TABLE accounts (id bigint PRIMARY KEY, name text, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE runs (
    id bigint PRIMARY KEY,
    account_id bigint,
    status text NOT NULL,
    note text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE run_events (run_id bigint NOT NULL, at timestamptz NOT NULL, kind text NOT NULL, body jsonb)
    PARTITION BY RANGE (at);
CREATE TABLE run_events_2026_11 PARTITION OF run_events FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
"""
ACCOUNTS, RUNS = 500, 4000
ROWS = f"""
INSERT INTO accounts (id, name) SELECT g, 'account ' || g FROM generate_series(1, {ACCOUNTS}) g;
INSERT INTO runs (id, account_id, status) SELECT g, 1 + g % {ACCOUNTS}, 'queued' FROM generate_series(1, {RUNS}) g;
INSERT INTO run_events SELECT 1 + g % {RUNS}, '2026-11-01'::timestamptz + g * interval '1 minute', 'created', '{{}}'
FROM generate_series(1, {RUNS}) g;
"""
DESIRED = """
CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE runs (
    id bigint PRIMARY KEY,
    account_id bigint REFERENCES accounts (id),
    status text NOT NULL CHECK (status <> ''),
    note text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_account_id_idx ON runs (account_id);
CREATE INDEX runs_created_at_idx ON runs (created_at);
CREATE TABLE run_events (run_id bigint NOT NULL, at timestamptz NOT NULL, kind text NOT NULL, body jsonb)
    PARTITION BY RANGE (at);
CREATE TABLE run_events_2026_11 PARTITION OF run_events FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
CREATE TABLE run_events_2026_12 PARTITION OF run_events FOR VALUES FROM ('2026-12-01') TO ('2027-01-01');
"""
# The row an open transaction holds (writers never touch it), so that the foreign key's ADD must wait.
HELD_RUN = RUNS

WRITERS = 4
# The apply's lock_timeout: the longest a DDL statement waits for a lock, so (with the catalog update that
# follows) the longest any write can queue behind it.
LOCK_TIMEOUT_MS = 500
# What a write may take beyond that. Measured here: alone, a write takes 0.2-0.4 ms (p50; p99 7-16 ms);
# one queued behind the ADD that waits out lock_timeout, 502-524 ms. But the machine has two cores shared
# with other test suites (load average around 10 while measuring) and the writer threads share the GIL
# with apply's, so a write that queued behind nothing once took 300 ms. 500 ms covers such a stall on top
# of a full lock_timeout wait, and still catches any statement that holds a write-blocking lock for more
# than half a second longer than it may wait for one: a scan or build, anywhere but on a tiny table.
MARGIN_MS = 500
BOUND_MS = LOCK_TIMEOUT_MS + MARGIN_MS
# Writes to its table that must complete while a long-running statement runs; with 4 writers that is a
# couple of rounds, tens of milliseconds.
WRITES_DURING = 8
# How long a long-running statement (or the open transaction) waits for those writes before it is let go:
# past the writers' own timeout, so that writes stuck behind a blocking statement fail.
DEADLINE_S = BOUND_MS / 1000 + 0.5


@dataclass(frozen=True)
class Write:
    writer: int
    table: str
    started: float
    ended: float
    error: str | None = None

    @property
    def latency_ms(self) -> float:
        return (self.ended - self.started) * 1000


class Load:
    """Writer threads on their own connections; every write's table, start, end and error."""

    def __init__(self, conninfo: str, writers: int = WRITERS) -> None:
        self.conninfo = conninfo
        self.writes: list[Write] = []
        self.changed = threading.Condition()
        self.stop = threading.Event()
        self.started = threading.Barrier(writers + 1)
        self.threads = [threading.Thread(target=self._write, args=(n, writers), daemon=True) for n in range(writers)]

    @contextmanager
    def running(self) -> Iterator[Load]:
        for thread in self.threads:
            thread.start()
        self.started.wait(timeout=30)  # every writer connected and wrote once
        try:
            yield self
        finally:
            self.stop.set()
            for thread in self.threads:
                thread.join(timeout=30)

    def _write(self, writer: int, writers: int) -> None:
        with psycopg.connect(self.conninfo, autocommit=True, application_name="load writer") as conn:
            # Writers time out on their own: a write stuck behind a lock fails (and is counted) instead of
            # hanging the test until the DDL lets it go.
            conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(f"{BOUND_MS}ms")))
            # Longer, so that a write stuck on a lock says so; one slow for another reason still fails.
            conn.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(f"{2 * BOUND_MS}ms")))
            step = 0
            while step == 0 or not self.stop.is_set():
                table, query, params = self._operation(writer, writers, step)
                started = time.monotonic()
                error = None
                try:
                    conn.execute(query, params)
                except psycopg.Error as failed:
                    error = f"{type(failed).__name__}: {failed.diag.message_primary}"
                self._record(Write(writer, table, started, time.monotonic(), error))
                if step == 0:
                    self.started.wait(timeout=30)
                step += 1

    @staticmethod
    def _operation(writer: int, writers: int, step: int) -> tuple[str, str, list[object]]:
        """Inserts and updates in turn on all three tables; each writer updates its own rows only, so writers
        never wait for each other. Every row satisfies the constraints the plan adds."""
        own = writer + 1 + writers * (step % ((RUNS // 2) // writers))  # a row of this writer's, below HELD_RUN
        new = 10_000_000 * (writer + 1) + step
        operations: list[tuple[str, str, list[object]]] = [
            (
                "public.runs",
                "INSERT INTO runs (id, account_id, status) VALUES (%s, %s, 'queued')",
                [new, 1 + step % ACCOUNTS],
            ),
            ("public.runs", "UPDATE runs SET status = 'running', note = %s WHERE id = %s", [f"step {step}", own]),
            ("public.accounts", "UPDATE accounts SET name = %s WHERE id = %s", [f"renamed {step}", own % ACCOUNTS + 1]),
            ("public.accounts", "INSERT INTO accounts (id, name) VALUES (%s, 'new account')", [new]),
            (
                "public.run_events",
                "INSERT INTO run_events VALUES (%s, '2026-11-20'::timestamptz + %s * interval '1 second', 'progress')",
                [own, step],
            ),
        ]
        return operations[step % len(operations)]

    def _record(self, write: Write) -> None:
        with self.changed:
            self.writes.append(write)
            self.changed.notify_all()

    def wait_for_writes(self, table: str, since: float, count: int, deadline: float) -> bool:
        """Whether `count` writes to `table` that started after `since` completed before `deadline`."""

        def done() -> bool:
            return sum(1 for w in self.writes if w.table == table and w.started > since and not w.error) >= count

        with self.changed:
            return self.changed.wait_for(done, timeout=max(0.0, deadline - time.monotonic()))

    def snapshot(self) -> list[Write]:
        with self.changed:
            return list(self.writes)


@dataclass
class Ran:
    """One attempt at one statement: when apply started it and when it was done with it (lock held meanwhile)."""

    number: int
    statement: Statement
    started: float
    ended: float | None = None
    stretched: bool = False
    # From when writes count as going past the statement: once it surely holds, or queues for, its locks.
    since: float | None = None


@dataclass
class Apply:
    """ApplyHooks that stretch long-running statements, hold a writing transaction open before the statement
    `queue_behind` names, and record when each statement ran."""

    load: Load
    conninfo: str
    queue_behind: str | None = None
    ran: list[Ran] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    _held: psycopg.Connection | None = None
    _held_lock: threading.Lock = field(default_factory=threading.Lock)
    _held_ended: threading.Event = field(default_factory=threading.Event)
    _releasers: list[threading.Thread] = field(default_factory=list)

    def hooks(self) -> ApplyHooks:
        # No backoff before a retry: on_retry has already ended what the statement waited for.
        return ApplyHooks(on_statement=self._before, on_statement_done=self._after, on_retry=self._retry, wait=_no_wait)

    def _before(self, number: int, total: int, statement: Statement) -> None:
        ran = Ran(number, statement, time.monotonic())
        self.ran.append(ran)
        if statement.object == self.queue_behind and statement.object not in self.retried:
            self._hold_a_write(statement)
        if is_long_running(statement) and not statement.transactional:
            ran.stretched = True
            self._gate(statement, ran)
        else:
            ran.since = ran.started

    def _after(self, number: int, total: int, statement: Statement) -> None:
        ran = self.ran[-1]
        if is_long_running(statement) and statement.transactional:
            # The statement has run and its transaction holds its locks: only writes that start now show
            # whether those let writes through (the thread that runs apply may have been slow to send it).
            ran.stretched = True
            ran.since = time.monotonic()
            self.load.wait_for_writes(_table(statement), ran.since, WRITES_DURING, ran.since + DEADLINE_S)
        ran.ended = time.monotonic()

    def _retry(self, statement: Statement, attempt: int, delay: float) -> None:
        self.retried.append(statement.object)
        self._release_held()

    def _gate(self, statement: Statement, ran: Ran) -> None:
        """SHARE UPDATE EXCLUSIVE on the table until writes to it completed (or the deadline): the statement
        about to run waits behind it, as behind a long build, and the writes go past unless it blocks them."""
        table = _table(statement)
        gate = psycopg.connect(self.conninfo, application_name="load gate")
        gate.execute(sql.SQL("LOCK TABLE {} IN SHARE UPDATE EXCLUSIVE MODE").format(sql.Identifier(*table.split("."))))
        # Only concurrent builds cannot run in a transaction among the statements here.
        assert statement.sql.startswith("CREATE INDEX CONCURRENTLY"), statement.sql
        waiting = "wait_event = 'relation' AND starts_with(query, 'CREATE INDEX CONCURRENTLY')"

        def release() -> None:
            try:
                # Writes count once the statement queues behind the gate, not from when apply was about to
                # send it: until then nothing stands in their way.
                wait_for(lambda: apply_backends(self.conninfo, waiting), "the statement to queue")
                ran.since = time.monotonic()
                self.load.wait_for_writes(table, ran.since, WRITES_DURING, ran.since + DEADLINE_S)
            finally:
                gate.commit()
                gate.close()

        self._start(release)

    def _hold_a_write(self, statement: Statement) -> None:
        """An open transaction that wrote to the table, so the statement must queue for its lock; it ends when
        apply gives up on the lock and retries (or at the deadline, for a statement without lock_timeout)."""
        held = psycopg.connect(self.conninfo, application_name="load open transaction")
        held.execute("UPDATE runs SET note = 'held' WHERE id = %s", [HELD_RUN])
        self._held = held

        def release_at_deadline() -> None:
            if not self._held_ended.wait(timeout=DEADLINE_S):
                self._release_held()

        self._start(release_at_deadline)

    def _release_held(self) -> None:
        with self._held_lock:  # on_retry and the deadline may both come
            held, self._held = self._held, None
        if held is not None:
            held.commit()
            held.close()
            self._held_ended.set()

    def _start(self, target: Callable[[], object]) -> None:
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        self._releasers.append(thread)

    def finish(self) -> None:
        self._release_held()
        for thread in self._releasers:
            thread.join(timeout=30)


def _no_wait(seconds: float) -> None:
    return None


def _table(statement: Statement) -> str:
    assert statement.table is not None
    return statement.table


def problems(writes: list[Write], ran: list[Ran]) -> list[str]:
    """What shows that writes were blocked: a failed write, one slower than BOUND_MS, a long-running statement
    during which fewer than WRITES_DURING writes to its table completed, or a stretch of the apply with no
    write completing for longer than BOUND_MS."""
    found = [f"write to {w.table} failed after {w.latency_ms:.0f} ms: {w.error}" for w in writes if w.error]
    found += [
        f"write to {w.table} took {w.latency_ms:.0f} ms" for w in writes if not w.error and w.latency_ms > BOUND_MS
    ]
    for attempt in ran:
        if attempt.stretched and attempt.ended is not None:
            during = writes_during(writes, attempt, _table(attempt.statement))
            if during < WRITES_DURING:
                found.append(f"only {during} writes to {attempt.statement.table} during: {attempt.statement.sql}")
    start, end = ran[0].started, max(a.ended or a.started for a in ran)
    completed = sorted(w.ended for w in writes if not w.error and start <= w.ended <= end)
    gaps = [b - a for a, b in zip([start, *completed], [*completed, end], strict=True)]
    if max(gaps) * 1000 > BOUND_MS:
        found.append(f"no write completed for {max(gaps) * 1000:.0f} ms during apply")
    return found


def writes_during(writes: list[Write], attempt: Ran, table: str | None = None) -> int:
    """Writes (to `table`) that started after the statement held or queued for its locks and completed before
    apply was done with it."""
    if attempt.since is None or attempt.ended is None:
        return 0
    since, ended = attempt.since, attempt.ended
    wanted = [w for w in writes if not w.error and (table is None or w.table == table)]
    return sum(1 for w in wanted if since < w.started and w.ended <= ended)


def run_under_load(pg: Cluster, dbname: str, plan: Plan, queue_behind: str | None = None) -> tuple[list[Write], Apply]:
    conninfo = pg.conninfo(dbname)
    load = Load(conninfo)
    with load.running():
        applying = Apply(load, conninfo, queue_behind)
        try:
            with psycopg.connect(conninfo, application_name=APPLY_APPLICATION_NAME) as conn:
                apply_plan(conn, plan, hooks=applying.hooks())
        finally:
            applying.finish()
    return load.snapshot(), applying


def report(writes: list[Write], ran: list[Ran]) -> str:
    lines = []
    for attempt in ran:
        if attempt.ended is None:
            lines.append(f"  [{attempt.number}] gave up on lock_timeout: {attempt.statement.sql.splitlines()[0][:90]}")
            continue
        slowest = max(
            (w.latency_ms for w in writes if attempt.started <= w.ended and w.started <= attempt.ended), default=0
        )
        took = (attempt.ended - attempt.started) * 1000
        lines.append(
            f"  [{attempt.number}] {took:6.0f} ms, {writes_during(writes, attempt):4d} writes,"
            f" slowest {slowest:4.0f} ms: {attempt.statement.sql.splitlines()[0][:90]}"
        )
    ok = [w.latency_ms for w in writes if not w.error]
    lines.append(f"  {len(writes)} writes, {len(writes) - len(ok)} failed, slowest {max(ok, default=0):.0f} ms")
    return "\n".join(lines)


FOREIGN_KEY = "public.runs.runs_account_id_fkey"


def real_plan(pg: Cluster, lock_timeout_ms: int = LOCK_TIMEOUT_MS) -> tuple[str, str, Plan]:
    current_db = new_database(pg, CURRENT + ROWS, "load")
    desired_db = new_database(pg, DESIRED, "load")
    policy = TimeoutPolicy(lock_timeout_ms=lock_timeout_ms)
    plan = plan_models(inspect_db(pg, current_db), inspect_db(pg, desired_db), policy=policy).plan
    return current_db, desired_db, plan


def test_online_plan_never_blocks_writes(pg):
    current_db, desired_db, plan = real_plan(pg)
    statements = plan.statements
    assert [s.object for s in statements if s.kind == "index" and not s.transactional] == [
        "public.runs_account_id_idx",
        "public.runs_created_at_idx",
    ]
    assert all(s.sql.endswith("NOT VALID") for s in statements if s.kind == "constraint" and s.action == "create")
    assert [s.object for s in statements if s.action == "validate"][-2:] == [
        FOREIGN_KEY,
        "public.runs.runs_status_check",
    ]
    # The safe NOT NULL: a NOT VALID constraint (NOT NULL on 18, a CHECK before), validated in its own transaction.
    assert any(s.sql.startswith("ALTER TABLE public.accounts VALIDATE CONSTRAINT") for s in statements)
    assert any("ATTACH PARTITION public.run_events_2026_12" in s.sql for s in statements)

    writes, applying = run_under_load(pg, current_db, plan, queue_behind=FOREIGN_KEY)
    summary = report(writes, applying.ran)
    assert problems(writes, applying.ran) == [], summary
    # The foreign key's ADD queued behind the open transaction, writers queued behind it, and it gave up on
    # lock_timeout and was retried: the bound above was reached for, not just met by fast statements. (A
    # concurrent build may give up too, if the writes it waits for come slowly: that delays only apply.)
    assert applying.retried.count(FOREIGN_KEY) == 1, summary
    first_try = next(a for a in applying.ran if a.statement.object == FOREIGN_KEY)
    queued = [w.latency_ms for w in writes if w.table == "public.runs" and first_try.started < w.started]
    assert max(queued) >= LOCK_TIMEOUT_MS / 2, summary
    assert sum(a.stretched for a in applying.ran) >= 5, summary  # 2 builds, 3 validations

    after, desired = inspect_db(pg, current_db), inspect_db(pg, desired_db)
    assert plan_models(after, desired).plan.is_empty
    assert_same_catalog(after, desired, schema_dump(pg, current_db), schema_dump(pg, desired_db))


def _blocking(sql_text: str, kind: str, name: str, hazard: Hazard) -> Plan:
    statement = Statement(
        sql_text, kind, "create", name, table="public.runs", hazards=(hazard,), lock_timeout_ms=LOCK_TIMEOUT_MS
    )
    return Plan(group_statements([statement]))


BLOCKING = {
    # SHARE on runs for the whole build.
    "plain CREATE INDEX": _blocking(
        "CREATE INDEX runs_created_at_idx ON public.runs (created_at)",
        "index",
        "public.runs_created_at_idx",
        hz.index_build("runs_created_at_idx", "public.runs"),
    ),
    # ACCESS EXCLUSIVE on runs while every row is checked.
    "CHECK without NOT VALID": _blocking(
        "ALTER TABLE public.runs ADD CONSTRAINT runs_status_check CHECK (status <> '')",
        "constraint",
        "public.runs.runs_status_check",
        hz.validates_rows("public.runs", "that every row has a status"),
    ),
}


@pytest.mark.parametrize("ddl", [*BLOCKING, "no lock_timeout"])
def test_the_detector_sees_blocking_ddl(pg, ddl):
    """The same writers and checks catch DDL that blocks writes: a plain CREATE INDEX, a CHECK validated under
    ACCESS EXCLUSIVE, and the real plan without lock_timeout, whose foreign key ADD then queues behind the open
    transaction for as long as it stays open, and every write to runs with it."""
    if ddl == "no lock_timeout":
        current_db, _, plan = real_plan(pg, lock_timeout_ms=0)
        writes, applying = run_under_load(pg, current_db, plan, queue_behind=FOREIGN_KEY)
    else:
        writes, applying = run_under_load(pg, new_database(pg, CURRENT + ROWS, "load"), BLOCKING[ddl])
    found = problems(writes, applying.ran)
    summary = report(writes, applying.ran)
    assert any("failed" in problem for problem in found), summary
    assert any(w.error and w.table == "public.runs" for w in writes), summary
    assert not applying.retried, summary
