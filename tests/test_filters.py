"""`--schema` and `--exclude`: what is outside the filter is neither created, dropped nor reported."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from pgdiff.filters import ObjectFilter
from pgdiff.model import DefaultPrivileges, Index, Schema, Table
from tests.pg import new_database

runner = CliRunner()

LIVE = """
CREATE SCHEMA app;
CREATE SCHEMA audit;
CREATE TABLE app.workflows (id bigint PRIMARY KEY, title text NOT NULL);
CREATE TABLE audit.events (id bigint PRIMARY KEY, payload jsonb);
CREATE TABLE public.tmp_import (id int, raw text);
CREATE INDEX tmp_import_raw ON public.tmp_import (raw);
INSERT INTO public.tmp_import VALUES (1, 'kept');
"""

# The files describe app only; public.tmp_import and audit exist only in the database.
FILES = """
CREATE SCHEMA app;
CREATE TABLE app.workflows (id bigint PRIMARY KEY, title text NOT NULL, status text);
CREATE TABLE public.settings (key text PRIMARY KEY);
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(FILES)
    return path


@pytest.fixture
def live(pg) -> str:
    return pg.url(new_database(pg, LIVE))


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def plan_sql(pg, files: Path, live: str, *options: str) -> str:
    result = run("plan", str(files), "--db", live, "--dev-url", pg.url(), "--format", "sql", *options)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_without_filters_everything_the_files_lack_is_dropped(pg, files, live):
    sql = plan_sql(pg, files, live)
    assert "DROP TABLE public.tmp_import" in sql
    assert "DROP SCHEMA audit" in sql
    assert "CREATE TABLE public.settings" in sql


def test_schema_filter_manages_only_matching_schemas(pg, files, live):
    sql = plan_sql(pg, files, live, "--schema", "app")
    assert "ALTER TABLE app.workflows ADD COLUMN status text" in sql
    for untouched in ("audit", "tmp_import", "public.settings"):
        assert untouched not in sql


def test_schema_filter_takes_globs_and_lists(pg, files, live):
    sql = plan_sql(pg, files, live, "--schema", "ap*,public", "--exclude", "public.tmp_*")
    assert "ADD COLUMN status" in sql and "CREATE TABLE public.settings" in sql
    assert "audit" not in sql and "tmp_import" not in sql


def test_excluded_table_keeps_its_rows_and_index_through_apply(pg, files, live):
    args = ("--db", live, "--dev-url", pg.url(), "--exclude", "public.tmp_*", "--exclude", "audit.*")
    result = run("apply", str(files), *args, "--yes")
    assert result.exit_code == 0, result.output
    with psycopg.connect(live) as conn:
        assert conn.execute("SELECT raw FROM public.tmp_import").fetchall() == [("kept",)]
        assert conn.execute("SELECT to_regclass('public.tmp_import_raw')::text").fetchone() == ("tmp_import_raw",)
        assert conn.execute("SELECT to_regclass('audit.events')::text").fetchone() == ("audit.events",)
        assert conn.execute("SELECT to_regclass('public.settings')::text").fetchone() == ("settings",)
    replan = run("plan", str(files), *args, "--detailed-exitcode")
    assert replan.exit_code == 0, replan.output


def test_excluded_schema_is_not_dropped_even_though_it_is_empty_in_the_files(pg, files, live):
    sql = plan_sql(pg, files, live, "--exclude", "audit.*", "--exclude", "public.tmp_*")
    assert "audit" not in sql


def test_exclusion_without_a_schema_is_refused(pg, files, live):
    result = run("plan", str(files), "--db", live, "--dev-url", pg.url(), "--exclude", "tmp_*")
    assert result.exit_code == 1
    assert "--exclude 'tmp_*': write it as schema.name, e.g. public.tmp_* or *.tmp_*" in result.stderr


def test_dump_writes_only_the_filtered_schemas(pg, live):
    result = run("dump", "--db", live, "--schema", "app")
    assert result.exit_code == 0, result.output
    assert "app.workflows" in result.stdout
    assert "audit" not in result.stdout and "tmp_import" not in result.stdout


def test_filter_rules_on_model_objects():
    only_app = ObjectFilter.from_options(["app"], ["app.tmp_*"])
    assert only_app.keeps(Schema("app")) and not only_app.keeps(Schema("audit"))
    assert only_app.keeps(Table("app", "workflows", ()))
    assert not only_app.keeps(Table("app", "tmp_rows", ()))
    # An index goes with its table, and only with it: its own name is never matched.
    assert not only_app.keeps(Index("app", "rows_idx", "tmp_rows", "btree", False, "(id)"))
    assert only_app.keeps(Index("app", "tmp_idx", "workflows", "btree", False, "(id)"))
    assert only_app.keeps(Index("app", "workflows_idx", "workflows", "btree", False, "(id)"))
    everything = ObjectFilter.from_options(None, None)
    assert everything.is_everything and everything.keeps(Table("audit", "x", ()))


def test_schema_holding_excluded_objects_is_not_dropped_under_them(pg, files, live):
    args = ("--db", live, "--dev-url", pg.url(), "--exclude", "audit.events", "--exclude", "public.tmp_*")
    result = run("plan", str(files), *args)
    assert result.exit_code == 1
    assert (
        "schema audit is not in the desired state, but holds objects outside the filter (audit.events): dropping "
        "it would drop them; add the schema to the files, or leave it alone with --exclude 'audit.*'"
    ) in result.stderr


# Supabase-style: the application's schema references auth.users, which another system owns.
PLATFORM = """
CREATE SCHEMA auth;
CREATE TABLE auth.users (id uuid PRIMARY KEY, email text UNIQUE, internal_flags int);
CREATE SCHEMA billing;
CREATE TYPE billing.currency AS ENUM ('EUR', 'USD');
CREATE FUNCTION billing.cents(amount numeric) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS $$ SELECT (amount * 100)::bigint $$;
"""

APP = """
CREATE SCHEMA app;
CREATE TABLE app.profiles (
    user_id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
    display_name text NOT NULL
);
CREATE TABLE app.invoices (
    id bigint PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES auth.users (id),
    currency billing.currency NOT NULL DEFAULT 'EUR',
    amount numeric(12, 2) NOT NULL,
    amount_cents bigint GENERATED ALWAYS AS (billing.cents(amount)) STORED
);
"""


def test_references_to_unmanaged_objects_load_from_the_target(pg, tmp_path):
    live = pg.url(new_database(pg, PLATFORM))
    files = tmp_path / "app.sql"
    files.write_text(APP)
    args = ("--db", live, "--dev-url", pg.url(), "--schema", "app")
    sql = plan_sql(pg, files, live, "--schema", "app")
    assert "CREATE TABLE app.profiles" in sql and "REFERENCES auth.users(id)" in sql
    for untouched in ("TABLE auth.", "SCHEMA auth", "TYPE billing", "FUNCTION billing", "SCHEMA billing"):
        assert untouched not in sql
    result = run("apply", str(files), *args, "--yes")
    assert result.exit_code == 0, result.output
    with psycopg.connect(live) as conn:
        constraint = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'profiles_user_id_fkey'"
        ).fetchone()
        # The platform's objects are as they were: nothing was created, changed or dropped there.
        auth_columns = conn.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'auth'"
        ).fetchone()
    assert constraint == ("FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE",)
    assert auth_columns == (3,)
    assert run("plan", str(files), *args, "--detailed-exitcode").exit_code == 0


def test_reference_to_an_object_that_exists_nowhere_names_file_and_line(pg, tmp_path):
    live = pg.url(new_database(pg, "CREATE SCHEMA auth;"))
    files = tmp_path / "app.sql"
    files.write_text(APP)
    result = run("plan", str(files), "--db", live, "--dev-url", pg.url(), "--schema", "app")
    assert result.exit_code == 1
    assert f'{files}:4: relation "auth.users" does not exist' in result.stderr


def test_default_privileges_under_filters():
    """Database-wide default privileges (no IN SCHEMA) are managed only when no --schema narrows the
    managed schemas; a schema's own go with their schema; their kind (TABLES) is never matched as a name."""
    everywhere = DefaultPrivileges(None, None, "r", frozenset({("PUBLIC", "SELECT", False)}))
    in_app = DefaultPrivileges(None, "app", "r", frozenset({("PUBLIC", "SELECT", False)}))
    in_audit = DefaultPrivileges("owner", "audit", "r", frozenset({("PUBLIC", "SELECT", False)}))
    only_app = ObjectFilter.from_options(["app"], None)
    assert not only_app.keeps(everywhere) and only_app.keeps(in_app) and not only_app.keeps(in_audit)
    excluding = ObjectFilter.from_options(None, ["app.T*", "audit.*"])
    assert excluding.keeps(everywhere) and excluding.keeps(in_app) and not excluding.keeps(in_audit)


DEFAULTS = """
CREATE SCHEMA app;
CREATE TABLE app.workflows (id bigint PRIMARY KEY);
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT INSERT ON TABLES TO PUBLIC;
"""


@pytest.mark.parametrize("command", ["dump", "plan", "drift", "apply"])
def test_schema_filter_with_database_wide_default_privileges(pg, tmp_path, command):
    """The issue's crash: `--schema app` on a database with ALTER DEFAULT PRIVILEGES without IN SCHEMA."""
    live = pg.url(new_database(pg, DEFAULTS))
    files = tmp_path / "schema.sql"
    # The files drop app's default privileges and say nothing of the database-wide ones.
    files.write_text("CREATE SCHEMA app;\nCREATE TABLE app.workflows (id bigint PRIMARY KEY);\n")
    args = ["--db", live, "--schema", "app"]
    if command == "dump":
        result = run("dump", *args)
        assert result.exit_code == 0, result.output
        dumped = " ".join(result.stdout.split())
        assert "IN SCHEMA app GRANT INSERT ON TABLES" in dumped
        assert "GRANT SELECT ON TABLES" not in dumped
        return
    allowed = ["--yes", "--allow-hazards", "breaking-change"]
    extra = {"plan": ["--format", "sql"], "drift": [], "apply": allowed}[command]
    result = run(command, str(files), *args, "--dev-url", pg.url(), *extra)
    assert result.exit_code in (0, 2) and "Traceback" not in result.output, result.output
    if command == "plan":
        planned = " ".join(result.stdout.split())
        assert "IN SCHEMA app REVOKE INSERT ON TABLES" in planned
        assert "SELECT ON TABLES" not in planned
    if command == "apply":
        with psycopg.connect(live) as conn:
            rows = conn.execute("SELECT defaclnamespace::regnamespace::text FROM pg_default_acl").fetchall()
        assert rows == [("-",)]  # the database-wide entry is left as it was, app's is gone


def test_exclusion_glob_for_children_keeps_the_parents_key(pg, tmp_path):
    """`public.events_p*` (the obvious glob for partman's children) must not take events_pkey away."""
    live = pg.url(new_database(pg, ""))
    files = tmp_path / "schema.sql"
    files.write_text(
        "CREATE TABLE events (id bigint, at date, CONSTRAINT events_pkey PRIMARY KEY (id, at))"
        " PARTITION BY RANGE (at);\nCREATE INDEX events_path ON events (id);\n"
    )
    sql = plan_sql(pg, files, live, "--exclude", "public.events_p*")
    assert "events_pkey" in sql and "events_path" in sql
