"""apply killed or failing part way: a re-run converges and no row changes; a failure says what ran and what not.

The processes are real: `pgdiff apply` runs as a subprocess and is SIGKILLed (tests/kill_at.py) at every
statement boundary of a plan with concurrent index builds, a foreign key and a CHECK added NOT VALID then
validated, and a NOT NULL set the safe way, on tables holding rows.
"""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from pgdiff.apply import ApplyError, apply_plan
from pgdiff.catalog import inspect
from pgdiff.cli import app
from pgdiff.pipeline import plan_models
from pgdiff.shadow import SHADOW_PREFIX
from tests.pg import assert_converges, assert_same_catalog, inspect_db, new_database, schema_dump
from tests.processes import apply_backends, backend_alive, killed_at_command, pgdiff_command, start, wait_for

TABLES = """
CREATE TABLE accounts (id bigint PRIMARY KEY, name text);
CREATE TABLE runs (id bigint PRIMARY KEY, account_id bigint, status text, created_at timestamptz);
"""
ROWS = """
INSERT INTO accounts SELECT g, 'account ' || g FROM generate_series(1, 500) g;
INSERT INTO runs SELECT g, 1 + g % 500, CASE WHEN g % 3 = 0 THEN 'done' ELSE 'queued' END,
       '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 minute'
FROM generate_series(1, 4000) g;
"""
DESIRED = """
CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE runs (
    id bigint PRIMARY KEY,
    account_id bigint REFERENCES accounts (id),
    status text CHECK (status <> ''),
    created_at timestamptz
);
CREATE INDEX runs_created_at_idx ON runs (created_at);
CREATE INDEX runs_account_id_idx ON runs (account_id);
"""
ALL = ("--yes", "--allow-hazards", "all")
runner = CliRunner()


def checksums(conninfo: str) -> dict[str, tuple[int, str]]:
    """Row count and an md5 over every row, in key order, per table."""
    result = {}
    with psycopg.connect(conninfo) as conn:
        for table in ("accounts", "runs"):
            query = sql.SQL("SELECT count(*), md5(string_agg(t::text, ',' ORDER BY id)) FROM {} t").format(
                sql.Identifier(table)
            )
            row = conn.execute(query).fetchone()
            assert row is not None
            result[table] = (row[0], row[1])
    return result


@pytest.fixture(autouse=True)
def drop_shadows_of_killed_runs(pg):
    """A killed pgdiff leaves its shadow database behind (a later run removes it once stale): drop those of
    this test's kills, so the rest of the suite sees a server without them."""
    before = set(_shadow_names(pg))
    yield
    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        for name in set(_shadow_names(pg)) - before:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _shadow_names(pg) -> list[str]:
    with psycopg.connect(pg.conninfo()) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [SHADOW_PREFIX + "%"]).fetchall()
    return [row[0] for row in rows]


@pytest.fixture(scope="module")
def desired_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("faults") / "schema.sql"
    path.write_text(DESIRED)
    return path


def apply_args(pg, dbname: str, desired_file: Path, *extra: str) -> list[str]:
    return ["apply", str(desired_file), "--db", pg.url(dbname), "--dev-url", pg.url(), *ALL, *extra]


def rerun_converges(pg, dbname: str, desired_file: Path, desired_db: str, before: dict[str, tuple[int, str]]) -> None:
    # --wait: the killed process's session may not have ended yet, and its apply lock with it.
    result = runner.invoke(app, apply_args(pg, dbname, desired_file, "--wait", "30s"), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    after = inspect_db(pg, dbname)
    desired = inspect_db(pg, desired_db)
    assert plan_models(after, desired).plan.is_empty
    assert_same_catalog(after, desired, schema_dump(pg, dbname), schema_dump(pg, desired_db))
    assert checksums(pg.conninfo(dbname)) == before


def test_killed_at_every_statement_boundary_then_rerun_converges(pg, desired_file):
    desired_db = new_database(pg, DESIRED)
    probe = new_database(pg, TABLES + ROWS)
    statements = plan_models(inspect_db(pg, probe), inspect_db(pg, desired_db)).plan.statements
    total = len(statements)
    kinds = [(s.kind, s.action, s.transactional) for s in statements]
    assert kinds.count(("index", "create", False)) == 2  # two concurrent builds
    assert [s.object for s in statements if s.action == "validate"][-2:] == [
        "public.runs.runs_account_id_fkey",
        "public.runs.runs_status_check",
    ]
    assert any(s.kind == "column" and s.object == "public.accounts.name" for s in statements)
    for boundary in range(1, total + 2):
        dbname = new_database(pg, TABLES + ROWS)
        before = checksums(pg.conninfo(dbname))
        killed = subprocess.run(
            killed_at_command(boundary, *apply_args(pg, dbname, desired_file)), capture_output=True, text=True
        )
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        reported = re.findall(r"^\[(\d+)/(\d+)\] \+", killed.stderr, re.M)
        assert reported == [(str(n), str(total)) for n in range(1, boundary)], f"boundary {boundary}"
        rerun_converges(pg, dbname, desired_file, desired_db, before)


def test_killed_during_a_concurrent_index_build_leaves_an_invalid_index_that_the_rerun_rebuilds(pg, tmp_path):
    schema = tmp_path / "schema.sql"
    schema.write_text(TABLES + "CREATE INDEX runs_created_at_idx ON runs (created_at);")
    dbname = new_database(pg, TABLES + ROWS)
    conninfo = pg.conninfo(dbname)
    before = checksums(conninfo)
    with psycopg.connect(conninfo) as writer:
        # An open writing transaction: the build creates its (invalid) index, then waits for it to end.
        writer.execute("UPDATE runs SET status = status WHERE id = 1")
        pgdiff = start(pgdiff_command(*apply_args(pg, dbname, schema, "--lock-timeout", "1min")))
        waiting = "wait_event_type = 'Lock' AND starts_with(query, 'CREATE INDEX CONCURRENTLY')"
        ((pid, *_),) = wait_for(lambda: apply_backends(conninfo, waiting), "the index build to wait for the writer")
        pgdiff.send_signal(signal.SIGKILL)
        pgdiff.communicate()
        # Nobody cancels the backend: client_connection_check_interval makes the server notice pgdiff is gone.
        wait_for(lambda: not backend_alive(conninfo, pid), "the killed apply's backend to end", timeout=20)
        writer.rollback()
    with psycopg.connect(conninfo) as conn:
        valid = conn.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = 'runs_created_at_idx'::regclass")
        assert valid.fetchone() == (False,)
    result = runner.invoke(app, apply_args(pg, dbname, schema, "--wait", "30s"), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "alter index public.runs_created_at_idx" in result.stderr
    assert inspect_db(pg, dbname).indexes[("public", "runs_created_at_idx")].valid
    assert checksums(conninfo) == before


FAILING_CURRENT = """
CREATE TABLE a (x int);
CREATE TABLE t (id int, v text);
CREATE INDEX t_old ON t (id);
INSERT INTO a VALUES (1);
INSERT INTO t VALUES (1, '1'), (2, 'two');
"""
FAILING_DESIRED = """
CREATE TABLE a (x bigint);
CREATE TABLE t (id int, v int, w int);
CREATE INDEX t_v ON t (v);
"""


def test_failure_reports_committed_failed_rolled_back_and_not_run(pg, tmp_path):
    dbname = new_database(pg, FAILING_CURRENT)
    plan = plan_models(inspect_db(pg, dbname), inspect_db(pg, new_database(pg, FAILING_DESIRED))).plan
    names = [f"{s.action} {s.kind} {s.object}" for s in plan.statements]
    with psycopg.connect(pg.conninfo(dbname)) as conn, pytest.raises(ApplyError) as raised:
        apply_plan(conn, plan)
    failure = raised.value.failure
    named = {
        part: [names[n - 1] for n in numbers]
        for part, numbers in (
            ("committed", failure.committed),
            ("rolled back", failure.rolled_back),
            ("not run", failure.not_run),
        )
    }
    assert names[failure.failed - 1] == "alter column public.t.v"
    assert failure.sqlstate == "22P02"
    assert named["committed"] == ["drop index public.t_old"]
    assert named["rolled back"] == ["alter column public.a.x"]
    assert "create column public.t.w" in named["not run"] and "create index public.t_v" in named["not run"]
    assert sorted([*failure.committed, failure.failed, *failure.rolled_back, *failure.not_run]) == list(
        range(1, len(names) + 1)
    )
    with psycopg.connect(pg.conninfo(dbname)) as conn:
        assert conn.execute("SELECT to_regclass('public.t_old')").fetchone() == (None,)
        assert conn.execute("SELECT pg_typeof(x)::text FROM a").fetchone() == ("integer",)


def test_cli_failure_report(pg, tmp_path):
    schema = tmp_path / "schema.sql"
    schema.write_text(FAILING_DESIRED)
    dbname = new_database(pg, FAILING_CURRENT)
    result = runner.invoke(
        app, ["apply", str(schema), "--db", pg.url(dbname), "--dev-url", pg.url(), *ALL], catch_exceptions=False
    )
    assert result.exit_code == 1
    report = result.stderr[result.stderr.index("error: apply failed") :]
    assert report == (
        "error: apply failed at statement 3/5, alter column public.t.v: "
        'invalid input syntax for type integer: "two" (SQLSTATE 22P02)\n'
        "  failed SQL: ALTER TABLE public.t ALTER COLUMN v TYPE integer USING v::integer\n"
        "committed (these stay): 1\n"
        "  [1/5] drop index public.t_old\n"
        "rolled back with it: 1\n"
        "  [2/5] alter column public.a.x\n"
        "not run: 2\n"
        "  [4/5] create column public.t.w\n"
        "  [5/5] create index public.t_v\n"
        "Fix the cause and run pgdiff apply again: it plans from what is in the database now.\n"
    )
    # What the report says is what the database holds: the drop stayed, the group's alter was undone.
    with psycopg.connect(pg.conninfo(dbname)) as conn:
        assert conn.execute("SELECT to_regclass('public.t_old')").fetchone() == (None,)
        assert conn.execute("SELECT pg_typeof(x)::text FROM a").fetchone() == ("integer",)


NOT_NULL_NOT_VALID = "ALTER TABLE accounts ADD CONSTRAINT accounts_name_not_null NOT NULL name NOT VALID;"


def test_not_null_not_valid_is_told_from_a_valid_one(pg):
    """PostgreSQL 18 sets attnotnull for a NOT NULL added NOT VALID, before any row is checked: pgdiff reads the
    constraint's validity, so an apply killed between the add and the VALIDATE is finished by the next one, and
    a NOT NULL the files want NOT VALID stays so. Before 18 a NOT NULL is always valid."""
    if pg.major < 18:
        with psycopg.connect(pg.conninfo(new_database(pg, DESIRED))) as conn:
            assert inspect(conn).tables[("public", "accounts")].column("name").not_null_validated
        return
    nullable = "CREATE TABLE accounts (id bigint PRIMARY KEY, name text); INSERT INTO accounts VALUES (1, 'one');"
    not_null = "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);"
    converged = assert_converges(pg, nullable + NOT_NULL_NOT_VALID, not_null)
    assert converged.sql == ["ALTER TABLE public.accounts VALIDATE CONSTRAINT accounts_name_not_null"]
    back = assert_converges(pg, not_null, nullable + NOT_NULL_NOT_VALID)
    assert back.sql == [
        "ALTER TABLE public.accounts ALTER COLUMN name DROP NOT NULL",
        "ALTER TABLE public.accounts ADD CONSTRAINT accounts_name_not_null NOT NULL name NOT VALID",
    ]
