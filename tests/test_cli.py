"""The command line: every option, exit code and bad input, on real PostgreSQL."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from pgdiff import api
from pgdiff.cli import app
from tests.pg import EXAMPLE_ROLES, ensure_roles, new_database

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()

CURRENT = "CREATE TABLE users (id int PRIMARY KEY, email text);"
DESIRED = """
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, name text);
CREATE INDEX users_email ON users (email);
"""


@pytest.fixture
def desired_file(tmp_path: Path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(DESIRED)
    return path


@pytest.fixture
def target(pg) -> str:
    return pg.url(new_database(pg, CURRENT))


def run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def columns(url: str, table: str = "users") -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT attname FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            [table],
        ).fetchall()
    return [r[0] for r in rows]


def test_plan_text_shows_changes_and_summary(pg, target, desired_file):
    result = run("plan", str(desired_file), "--db", target, "--dev-url", pg.url())
    assert result.exit_code == 0, result.output
    assert "public.users" in result.stdout
    assert "CREATE INDEX CONCURRENTLY" in result.stdout
    assert re.search(
        r"^Plan: \d+ statements \(2 create, \d+ alter\) in \d+ groups?; \d+ hazards\.$", result.stdout, re.M
    )
    assert "hazard index-build: index users_email is built on public.users" in result.stdout


def test_plan_changes_nothing(pg, target, desired_file):
    run("plan", str(desired_file), "--db", target, "--dev-url", pg.url())
    assert columns(target) == ["id", "email"]


def test_plan_sql_is_runnable_by_psql_and_converges(pg, target, desired_file):
    result = run("plan", str(desired_file), "--db", target, "--dev-url", pg.url(), "--format", "sql")
    assert result.exit_code == 0
    assert "BEGIN;" in result.stdout and "COMMIT;" in result.stdout
    psql = subprocess.run(
        [str(pg.tool("psql")), "-X", "-q", "-d", target], input=result.stdout, capture_output=True, text=True
    )
    assert psql.returncode == 0, psql.stderr
    again = run("plan", str(desired_file), "--db", target, "--dev-url", pg.url(), "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_plan_json_lists_statements_with_kind_object_and_hazards(pg, target, desired_file):
    result = run("plan", str(desired_file), "--db", target, "--dev-url", pg.url(), "-f", "json")
    document = json.loads(result.stdout)
    assert (document["format"], document["format_version"]) == ("pgdiff-plan", 2)
    statements = [s for g in document["groups"] for s in g["statements"]]
    assert {(s["kind"], s["action"], s["object"]) for s in statements} == {
        ("column", "create", "public.users.name"),
        ("column", "alter", "public.users.email"),
        ("index", "create", "public.users_email"),
    }
    index = next(s for s in statements if s["kind"] == "index")
    assert {h["code"] for h in index["hazards"]} == {"index-build", "non-transactional"}
    assert index["transactional"] is False
    assert index["lock_timeout_ms"] == 3000 and index["statement_timeout_ms"] == 0
    assert document["summary"]["hazards"] == ["index-build", "non-transactional", "validates-existing-rows"]


def test_unknown_format_is_an_error(pg, target, desired_file):
    result = run("plan", str(desired_file), "--db", target, "--format", "yaml")
    assert result.exit_code == 1
    assert "unknown --format 'yaml'" in result.stderr


def test_detailed_exitcode(pg, target, desired_file):
    assert run("plan", str(desired_file), "--db", target, "--dev-url", pg.url(), "--detailed-exitcode").exit_code == 2
    assert run("plan", str(desired_file), "--db", target, "--dev-url", pg.url()).exit_code == 0


def test_database_url_source(pg, target):
    source = pg.url(new_database(pg, DESIRED))
    result = run("plan", source, "--db", target, "--format", "sql")
    assert result.exit_code == 0
    assert "ADD COLUMN name text" in result.stdout


def test_url_and_files_together_are_refused(pg, target, desired_file):
    result = run("plan", str(desired_file), pg.url(), "--db", target)
    assert result.exit_code == 1
    assert "not both" in result.stderr


def test_directory_source_loads_every_sql_file_in_path_order(pg, target, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a_tables.sql").write_text("CREATE TABLE users (id int PRIMARY KEY, email text);")
    (tmp_path / "b" / "indexes.sql").write_text("CREATE INDEX users_email ON users (email);")
    (tmp_path / "notes.txt").write_text("not SQL")
    result = run("plan", str(tmp_path), "--db", target, "--dev-url", pg.url(), "-f", "json")
    assert result.exit_code == 0, result.output
    objects = [s["object"] for g in json.loads(result.stdout)["groups"] for s in g["statements"]]
    assert objects == ["public.users_email"]


def test_default_source_is_schema_dir(pg, monkeypatch):
    ensure_roles(pg, *EXAMPLE_ROLES)
    target = pg.url(new_database(pg))
    monkeypatch.chdir(REPO)
    result = run("plan", "--db", target, "--dev-url", pg.url(), "-f", "json")
    assert result.exit_code == 0, result.output
    objects = {s["object"] for g in json.loads(result.stdout)["groups"] for s in g["statements"]}
    assert "public.workflows" in objects


@pytest.mark.parametrize("variable", ["PGDIFF_DATABASE_URL", "DATABASE_URL"])
def test_database_url_from_environment(pg, target, desired_file, variable):
    result = run("plan", str(desired_file), "--dev-url", pg.url(), "--detailed-exitcode", env={variable: target})
    assert result.exit_code == 2


def test_pgdiff_database_url_wins_over_database_url(pg, target, desired_file):
    env = {"PGDIFF_DATABASE_URL": target, "DATABASE_URL": "postgresql://nobody@/nowhere?host=/nonexistent"}
    assert run("plan", str(desired_file), "--dev-url", pg.url(), env=env).exit_code == 0


def test_libpq_environment_is_the_last_fallback(pg, desired_file):
    dbname = new_database(pg, CURRENT)
    env = {
        "PGHOST": str(pg.socket_dir),
        "PGPORT": "5432",
        "PGUSER": "postgres",
        "PGDATABASE": dbname,
        "PGDIFF_DATABASE_URL": "",
        "DATABASE_URL": "",
    }
    result = run("plan", str(desired_file), "--dev-url", pg.url(), "--detailed-exitcode", env=env)
    assert result.exit_code == 2, result.output


def test_apply_yes_converges(pg, target, desired_file):
    allow = "index-build,non-transactional,validates-existing-rows"
    result = run("apply", str(desired_file), "--db", target, "--dev-url", pg.url(), "--yes", "--allow-hazards", allow)
    assert result.exit_code == 0, result.output
    assert "matches the desired state" in result.stdout
    assert columns(target) == ["id", "email", "name"]
    assert run("plan", str(desired_file), "--db", target, "--dev-url", pg.url(), "--detailed-exitcode").exit_code == 0


def test_apply_on_empty_plan_says_so(pg, desired_file):
    target = pg.url(new_database(pg, DESIRED))
    result = run("apply", str(desired_file), "--db", target, "--dev-url", pg.url(), "--yes")
    assert result.exit_code == 0
    assert "No changes" in result.stdout


def test_apply_without_yes_and_without_terminal_refuses(pg, target, desired_file):
    result = run("apply", str(desired_file), "--db", target, "--dev-url", pg.url(), "--allow-hazards", "all")
    assert result.exit_code == 1
    assert "pass --yes" in result.stderr
    assert columns(target) == ["id", "email"]


def test_apply_refuses_unallowed_hazards_and_applies_nothing(pg, tmp_path):
    target = pg.url(new_database(pg, "CREATE TABLE users (id int, legacy text); CREATE TABLE old (id int);"))
    schema = tmp_path / "s.sql"
    schema.write_text("CREATE TABLE users (id int, email text);")
    result = run("apply", str(schema), "--db", target, "--dev-url", pg.url(), "--yes")
    assert result.exit_code == 1
    assert "data-loss" in result.stderr and "--allow-hazards breaking-change,data-loss" in result.stderr
    assert columns(target) == ["id", "legacy"]
    partial = run(
        "apply", str(schema), "--db", target, "--dev-url", pg.url(), "--yes", "--allow-hazards", "table-rewrite"
    )
    assert partial.exit_code == 1
    assert columns(target) == ["id", "legacy"]
    allowed = run(
        "apply",
        str(schema),
        "--db",
        target,
        "--dev-url",
        pg.url(),
        "--yes",
        "--allow-hazards",
        "data-loss",
        "--allow-hazards",
        "breaking-change",
    )
    assert allowed.exit_code == 0, allowed.output
    assert columns(target) == ["id", "email"]


def test_allow_hazards_all(pg, tmp_path):
    target = pg.url(new_database(pg, "CREATE TABLE gone (id int);"))
    schema = tmp_path / "s.sql"
    schema.write_text("-- nothing wanted\n")
    result = run("apply", str(schema), "--db", target, "--dev-url", pg.url(), "--yes", "--allow-hazards", "all")
    assert result.exit_code == 0, result.output
    with psycopg.connect(target) as conn:
        assert conn.execute("SELECT to_regclass('public.gone')").fetchone() == (None,)


def test_failed_validation_stops_apply_and_leaves_the_constraint_not_valid(pg, tmp_path):
    target = pg.url(new_database(pg, "CREATE TABLE t (v text); INSERT INTO t VALUES ('x');"))
    schema = tmp_path / "s.sql"
    schema.write_text("CREATE TABLE t (v text NOT NULL, w int CHECK (w > 0), CHECK (v <> 'x'));")
    result = run("apply", str(schema), "--db", target, "--dev-url", pg.url(), "--yes", "--allow-hazards", "all")
    assert result.exit_code == 1
    assert re.search(
        r"apply failed at statement \d+/\d+, validate constraint public\.t\.t_v_check: "
        r'check constraint "t_v_check" of relation "t" is violated by some row \(SQLSTATE 23514\)',
        result.stderr,
    )
    with psycopg.connect(target) as conn:
        states = conn.execute(
            "SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 't'::regclass AND contype = 'c'"
            " AND conname LIKE 't\\_%' ORDER BY 1"
        ).fetchall()
    # Added NOT VALID and committed; the failed VALIDATE rolled back alone, and a re-run retries just that.
    assert ("t_v_check", False) in states


def test_unreachable_database_is_one_line(tmp_path, desired_file):
    result = run("plan", str(desired_file), "--db", "postgresql://u:hunter2@/db?host=/nonexistent&port=1")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot connect to postgresql://u:***@/db")
    assert "hunter2" not in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def password_role(pg):
    """A role that must log in with a password (scram) over the test server's socket."""
    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS pw_user")
        conn.execute("CREATE ROLE pw_user LOGIN PASSWORD 'right-secret'")
    hba = pg.data_dir / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text("local all pw_user scram-sha-256\n" + original)
    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
    yield "pw_user"
    hba.write_text(original)
    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")


def test_wrong_password_is_reported_without_the_password(pg, password_role, desired_file):
    url = f"postgresql://{password_role}:wrong-secret@/postgres?host={pg.socket_dir}&port=5432"
    result = run("plan", str(desired_file), "--db", url, "--dev-url", pg.url())
    assert result.exit_code == 1
    assert "password authentication failed" in result.stderr
    assert "wrong-secret" not in result.output


def test_missing_file(pg, target):
    result = run("plan", "/nonexistent/schema.sql", "--db", target)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: /nonexistent/schema.sql: no such file or directory"


def test_syntax_error_names_file_and_line(pg, target, tmp_path):
    schema = tmp_path / "bad.sql"
    schema.write_text("-- users\nCREATE TABLE users (\n  id int,,\n  email text\n);\n")
    result = run("plan", str(schema), "--db", target)
    assert result.exit_code == 1
    assert result.stderr.strip() == f'error: {schema}:3: syntax error at or near ","'


def test_sql_failing_in_shadow_names_file_and_line(pg, target, tmp_path):
    schema = tmp_path / "bad.sql"
    schema.write_text(
        "CREATE TABLE users (id int PRIMARY KEY);\n\nCREATE TABLE posts (\n  id int,\n"
        "  user_id int REFERENCES authors (id)\n);\n"
    )
    result = run("plan", str(schema), "--db", target, "--dev-url", pg.url())
    assert result.exit_code == 1
    assert result.stderr.strip() == f'error: {schema}:5: relation "authors" does not exist'


def test_unsupported_object_kind_is_refused(pg, target, tmp_path):
    schema = tmp_path / "operators.sql"
    schema.write_text("CREATE TABLE t (id int);\nCREATE OPERATOR === (FUNCTION = int4eq, LEFTARG = int);\n")
    result = run("plan", str(schema), "--db", target)
    assert result.exit_code == 1
    expected = f"error: {schema}:2: CREATE OPERATOR is not supported by pgdiff yet; move it out of the schema files"
    assert result.stderr.strip() == expected


def test_out_of_scope_object_kind_is_refused(pg, target, tmp_path):
    schema = tmp_path / "publications.sql"
    schema.write_text("CREATE TABLE users (id int);\nCREATE PUBLICATION everything FOR TABLE users;\n")
    result = run("plan", str(schema), "--db", target)
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"error: {schema}:2: CREATE PUBLICATION is outside what pgdiff manages: replication is set up per server "
        "and environment, not with the schema"
    )


def test_serial_column_is_planned_with_its_sequence(pg, target, tmp_path):
    schema = tmp_path / "serial.sql"
    schema.write_text("CREATE TABLE users (id bigserial PRIMARY KEY);\n")
    result = run("plan", str(schema), "--db", target, "--format", "sql")
    assert result.exit_code == 0, result.stderr
    assert "CREATE SEQUENCE public.users_id_seq" in result.stdout
    assert "OWNED BY public.users.id" in result.stdout


def test_debug_shows_traceback(pg, target):
    with pytest.raises(Exception, match="no such file"):
        runner.invoke(app, ["plan", "/nonexistent.sql", "--db", target, "--debug"], catch_exceptions=False)


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("pgdiff ")


def test_text_output_shows_transaction_groups(pg, target, desired_file):
    result = run("plan", str(desired_file), "--db", target, "--dev-url", pg.url())
    assert "Transaction groups, in order:" in result.stdout
    assert re.search(r"group \d+: outside a transaction, 1 statement$", result.stdout, re.M)
    assert "[group 1; lock_timeout 3s, statement_timeout 30s]" in result.stdout


def test_apply_progress_is_one_plain_line_per_statement_when_not_a_terminal(pg, target, desired_file):
    result = run("apply", str(desired_file), "--db", target, "--dev-url", pg.url(), "--yes", "--allow-hazards", "all")
    assert result.exit_code == 0, result.output
    lines = re.findall(r"^\[(\d+)/(\d+)\] \+\d+\.\ds (.+)$", result.stderr, re.M)
    total = len(lines)
    assert [(int(n), int(t)) for n, t, _ in lines] == [(n, total) for n in range(1, total + 1)]
    assert "create index public.users_email" in [what for _, _, what in lines]
    assert "\x1b[" not in result.stderr  # no terminal codes in a CI log


def test_apply_reports_what_is_left_as_drift_and_fails(pg, target, desired_file, monkeypatch):
    """Verification after the last statement: here, someone adds an index while apply runs."""
    real_apply = api.apply_plan

    def apply_while_someone_adds_an_index(conn, plan, **options):
        real_apply(conn, plan, **options)
        with psycopg.connect(target, autocommit=True) as other:
            other.execute("CREATE INDEX users_sneaky ON users (name)")

    monkeypatch.setattr(api, "apply_plan", apply_while_someone_adds_an_index)
    result = run("apply", str(desired_file), "--db", target, "--dev-url", pg.url(), "--yes", "--allow-hazards", "all")
    assert result.exit_code == 1
    assert "error: applied, but the database still differs from the desired state:\n" in result.stderr
    assert "- unexpected index public.users_sneaky\n" in result.stderr
    assert "Drift: 1 objects differ (1 unexpected)." in result.stderr


def test_a_defect_is_one_line_without_a_traceback(pg, target, desired_file, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a defect")

    monkeypatch.setattr("pgdiff.cli.render_text", broken)
    result = run("plan", str(desired_file), "--db", target, "--dev-url", pg.url())
    assert result.exit_code == 1
    assert "internal error, please report it (--debug shows where): RuntimeError: a defect" in result.output
    assert "Traceback" not in result.output
