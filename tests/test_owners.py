"""Owners: left alone by default (they differ between environments); with --manage-owners, the owners the
files set with ALTER ... OWNER TO are made so, and objects the files give no owner keep theirs."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from tests.pg import ensure_roles, new_database

LIVE = """
CREATE TABLE workflows (id int PRIMARY KEY, title text);
CREATE TABLE audit_log (id int, entry text);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
"""

FILES = LIVE + """
CREATE TABLE settings (key text PRIMARY KEY, value text);
CREATE SCHEMA reporting;
ALTER TABLE workflows OWNER TO app_owner;
ALTER TABLE settings OWNER TO app_owner;
ALTER FUNCTION touch() OWNER TO app_owner;
ALTER SCHEMA reporting OWNER TO app_owner;
"""


@pytest.fixture(scope="module", autouse=True)
def app_owner(pg) -> None:
    ensure_roles(pg, "app_owner")


@pytest.fixture
def files(tmp_path: Path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(FILES)
    return path


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def owners(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname, r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
            " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
            " UNION ALL SELECT p.proname, r.rolname FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner"
            " WHERE p.pronamespace = 'public'::regnamespace"
            " UNION ALL SELECT n.nspname, r.rolname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner"
            " WHERE n.nspname = 'reporting'"
        ).fetchall()
    return dict(rows)


def test_owners_are_not_compared_by_default(pg, files):
    live = pg.url(new_database(pg, LIVE))
    result = run("plan", str(files), "--db", live, "--dev-url", pg.url(), "--format", "sql")
    assert result.exit_code == 0, result.output
    assert "OWNER TO" not in result.stdout
    # ... and said so, once, with where the files set them.
    lines = [n for n, line in enumerate(FILES.splitlines(), 1) if "OWNER TO" in line]
    places = ", ".join(f"{files}:{n}" for n in lines)
    assert result.output.count("without --manage-owners") == 1
    assert f"the files set the owner of 4 objects ({places})" in result.output


def test_manage_owners_makes_the_files_owners_so(pg, files):
    live = pg.url(new_database(pg, LIVE))
    args = ("--db", live, "--dev-url", pg.url(), "--manage-owners")
    result = run("plan", str(files), *args, "--format", "sql")
    assert result.exit_code == 0, result.output
    assert "without --manage-owners" not in result.output
    assert "ALTER TABLE public.workflows OWNER TO app_owner;" in result.stdout
    assert "ALTER FUNCTION public.touch() OWNER TO app_owner;" in result.stdout
    assert "ALTER TABLE public.settings OWNER TO app_owner;" in result.stdout
    assert "ALTER SCHEMA reporting OWNER TO app_owner;" in result.stdout
    # The files give audit_log no owner: it keeps the one it has.
    assert "audit_log" not in result.stdout
    before = owners(live)["audit_log"]
    assert run("apply", str(files), *args, "--yes").exit_code == 0
    after = owners(live)
    assert after == {
        "workflows": "app_owner",
        "settings": "app_owner",
        "audit_log": before,
        "touch": "app_owner",
        "reporting": "app_owner",
    }
    assert run("plan", str(files), *args, "--detailed-exitcode").exit_code == 0


def test_owner_of_an_unmanaged_kind_is_refused(pg, tmp_path):
    path = tmp_path / "schema.sql"
    path.write_text("ALTER DATABASE postgres OWNER TO app_owner;\n")
    live = pg.url(new_database(pg))
    result = run("plan", str(path), "--db", live)
    assert result.exit_code == 1
    assert f"{path}:1: the owner of a DATABASE is not managed by pgdiff" in result.stderr
