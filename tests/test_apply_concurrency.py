"""Two applies on one database: exactly one runs; the other fails naming it, or waits (--wait) and then
finds nothing left to do. Real processes, synchronised on pg_locks and pg_stat_activity."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from pgdiff.apply import APPLY_LOCK_KEY, apply_lock, lock_holder
from pgdiff.cli import app
from tests.pg import new_database
from tests.processes import apply_backends, pgdiff_command, start, wait_for

CURRENT = "CREATE TABLE t (id int PRIMARY KEY);"
DESIRED = "CREATE TABLE t (id int PRIMARY KEY, note text);"
runner = CliRunner()


@pytest.fixture
def desired_file(tmp_path: Path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(DESIRED)
    return path


def apply_args(pg, dbname: str, desired_file: Path, *extra: str) -> list[str]:
    return ["apply", str(desired_file), "--db", pg.url(dbname), "--dev-url", pg.url(), "--yes", *extra]


def note_columns(conninfo: str) -> int:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'note'")
        return row.fetchone()[0]  # type: ignore[index]


@pytest.mark.parametrize("wait", ["0", "300ms"])
def test_second_apply_fails_naming_the_one_that_holds_the_lock(pg, desired_file, wait):
    dbname = new_database(pg, CURRENT)
    conninfo = pg.conninfo(dbname)
    with psycopg.connect(conninfo) as blocker:
        blocker.execute("LOCK TABLE t IN ACCESS SHARE MODE")  # the first apply's ALTER TABLE waits on it
        first = start(pgdiff_command(*apply_args(pg, dbname, desired_file, "--lock-timeout", "1min")))
        waiting = "wait_event_type = 'Lock' AND wait_event = 'relation'"
        ((holder, *_),) = wait_for(lambda: apply_backends(conninfo, waiting), "the first apply to wait on the table")
        second = runner.invoke(app, apply_args(pg, dbname, desired_file, "--wait", wait), catch_exceptions=False)
        blocker.rollback()
        _, err = first.communicate(timeout=60)
    assert second.exit_code == 1
    message = re.search(
        rf"error: another pgdiff apply holds the lock on {dbname} \(pid (\d+), application_name 'pgdiff apply', "
        r"running since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+\)",
        second.stderr,
    )
    assert message, second.stderr
    assert int(message.group(1)) == holder
    assert "Plan:" not in second.stdout, "the second apply must not even plan"
    assert first.returncode == 0, err
    assert note_columns(conninfo) == 1


def test_second_apply_waits_then_finds_nothing_to_do(pg, desired_file):
    dbname = new_database(pg, CURRENT)
    conninfo = pg.conninfo(dbname)
    with psycopg.connect(conninfo) as blocker:
        blocker.execute("LOCK TABLE t IN ACCESS SHARE MODE")
        first = start(pgdiff_command(*apply_args(pg, dbname, desired_file, "--lock-timeout", "1min")))
        on_table = "wait_event_type = 'Lock' AND wait_event = 'relation'"
        wait_for(lambda: apply_backends(conninfo, on_table), "the first apply to wait on the table")
        second = start(pgdiff_command(*apply_args(pg, dbname, desired_file, "--wait", "1min")))
        on_apply_lock = "wait_event_type = 'Lock' AND wait_event = 'advisory'"
        wait_for(lambda: apply_backends(conninfo, on_apply_lock), "the second apply to wait for the apply lock")
        blocker.rollback()
        first_out, first_err = first.communicate(timeout=60)
        second_out, second_err = second.communicate(timeout=60)
    assert first.returncode == 0, first_err
    assert "Applied 1 statement;" in first_out
    assert second.returncode == 0, second_err
    assert "No changes" in second_out
    assert note_columns(conninfo) == 1


def test_apply_lock_is_held_for_the_block_and_released_after_it(pg):
    conninfo = pg.conninfo(new_database(pg, CURRENT))

    def free() -> bool:
        with psycopg.connect(conninfo, autocommit=True) as other:
            taken = other.execute("SELECT pg_try_advisory_lock(%s)", [APPLY_LOCK_KEY]).fetchone()
            return bool(taken and taken[0])  # released when `other` closes

    with psycopg.connect(conninfo, autocommit=True) as conn:
        with apply_lock(conn, 0):
            assert not free()
            assert lock_holder(conn).pid == conn.info.backend_pid  # type: ignore[union-attr]
        assert free(), "released at the end of the block, the session still open"
        assert conn.execute("SHOW lock_timeout").fetchone() == ("0",)
