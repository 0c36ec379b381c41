"""apply: timeouts on every statement, retries on lock_timeout, failures that leave nothing half-done."""

from __future__ import annotations

import io
import re

import psycopg
import pytest
from rich.console import Console

from pgdiff.apply import ApplyError, ApplyHooks, apply_plan
from pgdiff.catalog import inspect
from pgdiff.pipeline import plan_models
from pgdiff.plan.timeouts import TimeoutPolicy, parse_duration_ms
from pgdiff.planfile import groups_document
from pgdiff.render import render_sql
from pgdiff.render.progress import ApplyProgress
from tests.pg import inspect_db, new_database


def _plan(pg, current_sql: str, desired_sql: str, policy: TimeoutPolicy | None = None):
    current_db = new_database(pg, current_sql)
    desired = inspect_db(pg, new_database(pg, desired_sql))
    return current_db, plan_models(inspect_db(pg, current_db), desired, policy=policy).plan


def _has_column(pg, dbname: str, table: str, column: str) -> bool:
    with psycopg.connect(pg.conninfo(dbname)) as conn:
        return inspect(conn).tables[("public", table)].column(column) is not None


def test_every_statement_has_timeouts_by_kind(pg):
    _, plan = _plan(pg, "CREATE TABLE t (a int);", "CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a);")
    by_kind = {s.kind: s for s in plan.statements}
    assert (by_kind["column"].lock_timeout_ms, by_kind["column"].statement_timeout_ms) == (3000, 30000)
    assert (by_kind["index"].lock_timeout_ms, by_kind["index"].statement_timeout_ms) == (3000, 0)


def test_timeouts_are_in_sql_and_json_output(pg):
    _, plan = _plan(pg, "CREATE TABLE t (a int);", "CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a);")
    script = render_sql(plan)
    assert "SET lock_timeout = '3s';\nSET statement_timeout = '30s';\nALTER TABLE public.t ADD COLUMN b" in script
    assert "SET statement_timeout = '0';\nCREATE INDEX CONCURRENTLY t_a" in script
    assert groups_document(plan)[0]["statements"][0]["lock_timeout_ms"] == 3000


def test_statement_timeout_override(pg):
    policy = TimeoutPolicy(lock_timeout_ms=500, statement_timeout_override_ms=60_000)
    _, plan = _plan(pg, "CREATE TABLE t (a int);", "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);", policy)
    assert [(s.lock_timeout_ms, s.statement_timeout_ms) for s in plan.statements] == [(500, 60_000)]


def test_statement_timeout_is_enforced(pg):
    current_db, plan = _plan(
        pg,
        "CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 300000);",
        "CREATE TABLE t (a int CHECK (a > 0));",
        TimeoutPolicy(statement_timeout_override_ms=1),
    )
    with psycopg.connect(pg.conninfo(current_db)) as conn, pytest.raises(ApplyError, match="statement timeout"):
        apply_plan(conn, plan)


def test_lock_timeout_is_retried_until_the_lock_is_released(pg):
    current_db, plan = _plan(
        pg, "CREATE TABLE t (a int);", "CREATE TABLE t (a int, b int);", TimeoutPolicy(lock_timeout_ms=100)
    )
    retries: list[tuple[str, int]] = []
    waits: list[float] = []
    with psycopg.connect(pg.conninfo(current_db)) as blocker:
        blocker.execute("LOCK TABLE t IN ACCESS SHARE MODE")

        def release_on_retry(statement, attempt, delay):
            retries.append((statement.object, attempt))
            blocker.rollback()

        hooks = ApplyHooks(on_retry=release_on_retry, wait=waits.append)
        with psycopg.connect(pg.conninfo(current_db)) as conn:
            apply_plan(conn, plan, hooks=hooks)
    assert retries == [("public.t.b", 1)]
    assert waits == [1.0]
    assert _has_column(pg, current_db, "t", "b")


def test_lock_retries_give_up_and_nothing_is_applied(pg):
    current_db, plan = _plan(
        pg,
        "CREATE TABLE t (a int); CREATE TABLE u (a int);",
        "CREATE TABLE t (a int, b int); CREATE TABLE u (a int, c int);",
        TimeoutPolicy(lock_timeout_ms=50),
    )
    waits: list[float] = []
    with psycopg.connect(pg.conninfo(current_db)) as blocker:
        blocker.execute("LOCK TABLE u IN ACCESS SHARE MODE")
        with psycopg.connect(pg.conninfo(current_db)) as conn, pytest.raises(ApplyError) as raised:
            apply_plan(conn, plan, lock_retries=2, hooks=ApplyHooks(wait=waits.append))
        blocker.rollback()
    assert "gave up after 2 retries" in str(raised.value)
    assert waits == [1.0, 2.0]
    assert not _has_column(pg, current_db, "t", "b"), "the group with the blocked statement must roll back whole"


def test_timeouts_are_reset_after_apply(pg):
    current_db, plan = _plan(pg, "CREATE TABLE t (a int);", "CREATE TABLE t (a int, b int);")
    with psycopg.connect(pg.conninfo(current_db), autocommit=True) as conn:
        apply_plan(conn, plan)
        assert conn.execute("SHOW lock_timeout").fetchone() == ("0",)


@pytest.mark.parametrize(
    ("text", "ms"), [("3s", 3000), ("500ms", 500), ("2min", 120_000), ("1h", 3_600_000), ("0", 0), ("7", 7000)]
)
def test_parse_duration(text, ms):
    assert parse_duration_ms(text, "--lock-timeout") == ms


def test_progress_on_a_terminal_shows_position_elapsed_and_the_statement(pg):
    _, plan = _plan(pg, "CREATE TABLE t (a int);", "CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a);")
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=200)
    statements = plan.statements
    with ApplyProgress(console) as progress:
        for number, statement in enumerate(statements, 1):
            progress.started(number, len(statements), statement)
            if number == len(statements):
                progress.retry(statement, 1, 1.0)
            progress.finished(number, len(statements), statement)
    drawn = screen.getvalue()
    assert "\x1b[" in drawn  # drawn for a terminal, not logged
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn)
    assert f"{len(statements)}/{len(statements)}" in shown
    assert "create index public.t_a" in shown
    assert "CREATE INDEX CONCURRENTLY t_a ON public.t USING btree (a)" in shown
    assert re.search(r"\d:\d\d:\d\d", shown)  # elapsed
    assert "lock timeout on index public.t_a: retry 1 of the group in 1s" in shown
    assert not re.search(r"^\[\d+/\d+\] \+", shown, re.M)  # not the plain log form


def test_progress_hooks_see_every_statement_before_and_after_it_runs(pg):
    current_db, plan = _plan(pg, "CREATE TABLE t (a int);", "CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a);")
    calls: list[tuple[str, int]] = []
    hooks = ApplyHooks(
        on_statement=lambda n, total, s: calls.append(("start", n)),
        on_statement_done=lambda n, total, s: calls.append(("done", n)),
    )
    with psycopg.connect(pg.conninfo(current_db)) as conn:
        apply_plan(conn, plan, hooks=hooks)
    assert calls == [(event, n) for n in range(1, len(plan.statements) + 1) for event in ("start", "done")]
