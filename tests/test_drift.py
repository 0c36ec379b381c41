"""`pgdiff drift`: exit 0 in sync, 2 when the database differs from the files, 1 on error; each differing object
reported as missing, unexpected or changed (with the values on both sides), as text, JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from tests.pg import new_database

FILES = """
CREATE TABLE workflows (id bigint PRIMARY KEY, status text NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX workflows_created_at_idx ON workflows (created_at) WHERE (status = 'active');
CREATE TABLE runs (id bigint PRIMARY KEY);
"""

# Someone "fixed" production by hand: the partial index lost its predicate, a table appeared, one is missing.
LIVE = """
CREATE TABLE workflows (id bigint PRIMARY KEY, status text NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX workflows_created_at_idx ON workflows (created_at);
CREATE TABLE hotfix_backup (id bigint);
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(FILES)
    return path


def drift(pg, files: Path, live_sql: str, *options: str):
    live = pg.url(new_database(pg, live_sql))
    return CliRunner().invoke(app, ["drift", str(files), "--db", live, "--dev-url", pg.url(), *options])


def test_in_sync_exits_0(pg, files):
    result = drift(pg, files, FILES)
    assert result.exit_code == 0, result.output
    assert "No drift: the database matches the files." in result.stdout


def test_drift_exits_2_and_names_each_object(pg, files):
    result = drift(pg, files, LIVE)
    assert result.exit_code == 2, result.output
    lines = result.stdout.splitlines()
    assert "+ missing table public.runs" in lines
    assert "- unexpected table public.hotfix_backup" in lines
    assert "~ changed index public.workflows_created_at_idx" in lines
    assert 'predicate none in database, "(status = \'active\'::text)" in files' in (
        result.stdout
    )
    assert "Drift: 3 objects differ (1 missing, 1 unexpected, 1 changed)." in result.stdout


def test_json_report(pg, files):
    result = drift(pg, files, LIVE, "--format", "json")
    assert result.exit_code == 2, result.output
    document = json.loads(result.stdout)
    assert document["in_sync"] is False
    states = {(o["state"], o["kind"], o["object"]) for o in document["objects"]}
    assert states == {
        ("missing", "table", "public.runs"),
        ("unexpected", "table", "public.hotfix_backup"),
        ("changed", "index", "public.workflows_created_at_idx"),
    }


def test_markdown_report_for_an_issue_or_pull_request(pg, files):
    result = drift(pg, files, LIVE, "--format", "markdown")
    assert result.exit_code == 2, result.output
    summary = "**Drift: 3 objects differ (1 missing, 1 unexpected, 1 changed).**"
    assert result.stdout.startswith(f"<!-- pgdiff-drift -->\n{summary}\n")
    assert "| state | kind | object | details |" in result.stdout
    assert "| missing | table | `public.runs` |  |" in result.stdout


def test_error_exits_1(pg, tmp_path):
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE t (id int;\n")
    result = CliRunner().invoke(app, ["drift", str(bad), "--db", pg.url(new_database(pg))])
    assert result.exit_code == 1
    assert f"{bad}:1:" in result.stderr


def test_filters_apply_to_drift(pg, files):
    result = drift(pg, files, LIVE, "--exclude", "public.hotfix_*")
    assert result.exit_code == 2
    assert "hotfix_backup" not in result.stdout
    assert "Drift: 2 objects differ (1 missing, 1 changed)." in result.stdout


@pytest.mark.parametrize(
    ("live_index", "detail"),
    [
        # Key columns differ: named as keys, not as the whole definition.
        (
            "CREATE INDEX workflows_created_at_idx ON workflows (status, created_at) WHERE (status = 'active');",
            'keys "status, created_at" in database, "created_at" in files',
        ),
        # Only INCLUDE differs, which has no part of its own: the whole definition is shown.
        (
            "CREATE INDEX workflows_created_at_idx ON workflows (created_at) INCLUDE (id) WHERE (status = 'active');",
            'body "(created_at) INCLUDE (id) WHERE (status = \'active\'::text)" in database, '
            '"(created_at) WHERE (status = \'active\'::text)" in files',
        ),
    ],
)
def test_index_differences_name_the_part_that_differs(pg, files, live_index, detail):
    live = FILES.replace(
        "CREATE INDEX workflows_created_at_idx ON workflows (created_at) WHERE (status = 'active');", live_index
    )
    result = drift(pg, files, live)
    assert result.exit_code == 2, result.output
    assert "~ changed index public.workflows_created_at_idx" in result.stdout
    assert f"    {detail}" in result.stdout.splitlines()
