"""Extensions: created, dropped, moved, updated when the files pin a version; what they own is never
diffed; a shadow server without an extension the files need is a clear error."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import assert_converges, new_database

TRGM = "CREATE EXTENSION pg_trgm;\n"
SEARCH = "CREATE TABLE workflows (id int PRIMARY KEY, name text NOT NULL);\n"
TRGM_INDEX = "CREATE INDEX workflows_name_trgm ON workflows USING gin (name gin_trgm_ops);\n"

CASES = [
    Case("create-extension", "", TRGM),
    Case("extension-with-index-using-its-operator-class", SEARCH, TRGM + SEARCH + TRGM_INDEX),
    Case(
        "extension-in-its-own-schema",
        "CREATE SCHEMA extensions;",
        "CREATE SCHEMA extensions;\nCREATE EXTENSION hstore WITH SCHEMA extensions;",
    ),
    Case(
        "extension-moves-schema",
        "CREATE SCHEMA extensions;\nCREATE EXTENSION hstore;",
        "CREATE SCHEMA extensions;\nCREATE EXTENSION hstore WITH SCHEMA extensions;",
    ),
    Case("two-extensions", TRGM, TRGM + "CREATE EXTENSION citext;\nCREATE TABLE users (email citext);"),
]


@pytest.mark.parametrize("case", forward(CASES))
def test_forward(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(CASES))
def test_backward(pg, case):
    run_case(pg, case, reverse=True)


def test_extension_objects_never_appear_in_a_plan(pg):
    result = run_case(pg, case_by_id(CASES, "extension-with-index-using-its-operator-class"))
    assert [(s.kind, s.object) for s in result.plan.statements] == [
        ("extension", "pg_trgm"),
        ("index", "public.workflows_name_trgm"),
    ]


def test_dropping_an_extension_is_data_loss(pg):
    result = run_case(pg, case_by_id(CASES, "create-extension"), reverse=True)
    (statement,) = result.plan.statements
    assert statement.sql == "DROP EXTENSION pg_trgm"
    assert [h.code for h in statement.hazards] == ["data-loss"]


def test_pinned_version_is_updated(pg):
    result = assert_converges(pg, "CREATE EXTENSION pg_trgm VERSION '1.5';", "CREATE EXTENSION pg_trgm VERSION '1.6';")
    (statement,) = result.plan.statements
    assert statement.sql == "ALTER EXTENSION pg_trgm UPDATE TO '1.6'"
    assert [h.code for h in statement.hazards] == ["breaking-change"]


def plan_files(pg, target: str, files: Path, *options: str):
    return CliRunner().invoke(
        app, ["plan", str(files), "--db", target, "--format", "sql", *options], catch_exceptions=False
    )


def test_unpinned_extension_keeps_the_targets_version(pg, tmp_path):
    """The shadow installs its own default version: without VERSION in the files, that is no change."""
    target = pg.url(new_database(pg, "CREATE EXTENSION pg_trgm VERSION '1.5';"))
    files = tmp_path / "schema.sql"
    files.write_text("CREATE EXTENSION IF NOT EXISTS pg_trgm;\n")
    result = plan_files(pg, target, files, "--dev-url", pg.url(), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    files.write_text("CREATE EXTENSION IF NOT EXISTS pg_trgm VERSION '1.6';\n")
    result = plan_files(pg, target, files, "--dev-url", pg.url())
    assert result.exit_code == 0, result.output
    assert "ALTER EXTENSION pg_trgm UPDATE TO '1.6';" in result.stdout


def test_new_extension_is_created_without_a_version_unless_pinned(pg, tmp_path):
    target = pg.url(new_database(pg))
    files = tmp_path / "schema.sql"
    files.write_text("CREATE EXTENSION citext;\nCREATE EXTENSION pg_trgm VERSION '1.5';\n")
    result = plan_files(pg, target, files, "--dev-url", pg.url())
    assert result.exit_code == 0, result.output
    assert "CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;" in result.stdout
    assert "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public VERSION '1.5';" in result.stdout


def test_extension_the_shadow_server_lacks_names_it_and_suggests_dev_url(pg, tmp_path):
    with psycopg.connect(pg.conninfo()) as conn:
        available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pgdiff_no_such'").fetchone()
    assert available is None
    target = pg.url(new_database(pg))
    files = tmp_path / "schema.sql"
    files.write_text('CREATE TABLE t (id int);\nCREATE EXTENSION IF NOT EXISTS "pgdiff_no_such";\n')
    result = plan_files(pg, target, files, "--dev-url", pg.url())
    assert result.exit_code == 1
    assert f'{files}:2: extension "pgdiff_no_such" is not available' in result.stderr
    assert "the shadow server lacks this extension: pass --dev-url with a server that has it" in result.stderr
