"""`plan --format markdown`: the pull-request comment, compared byte for byte with tests/snapshots/.

Plans come from real databases. PGDIFF_UPDATE_SNAPSHOTS=1 rewrites the snapshots (then review the diff).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from pgdiff.pipeline import plan_models
from pgdiff.render.markdown import PLAN_MARKER, cell, render_markdown
from tests.pg import inspect_db, new_database

SNAPSHOTS = Path(__file__).parent / "snapshots"

CASES = {
    "empty": ("CREATE TABLE t (id int PRIMARY KEY);", "CREATE TABLE t (id int PRIMARY KEY);"),
    # A dropped column whose name holds Markdown's table separator and emphasis, a rewriting type change.
    "hazards": (
        'CREATE TABLE t (id int PRIMARY KEY, "legacy|*old*" text, n int); CREATE TABLE gone (id int);',
        "CREATE TABLE t (id int PRIMARY KEY, n bigint);",
    ),
    "concurrent_index": (
        "CREATE TABLE users (id int PRIMARY KEY, email text);",
        "CREATE TABLE users (id int PRIMARY KEY, email text); CREATE INDEX users_email ON users (email);",
    ),
}


def _markdown(pg, current_sql: str, desired_sql: str) -> str:
    current = inspect_db(pg, new_database(pg, current_sql))
    desired = inspect_db(pg, new_database(pg, desired_sql))
    return render_markdown(plan_models(current, desired).plan)


@pytest.mark.parametrize("name", sorted(CASES))
def test_markdown_snapshot(pg, name):
    rendered = _markdown(pg, *CASES[name])
    snapshot = SNAPSHOTS / f"plan_{name}.md"
    if os.environ.get("PGDIFF_UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(rendered)
    assert rendered == snapshot.read_text()


def test_markdown_is_the_same_for_the_same_plan(pg):
    assert _markdown(pg, *CASES["hazards"]) == _markdown(pg, *CASES["hazards"])


def test_cells_cannot_break_the_table():
    assert cell("a|b\nc *d* <x>") == "a\\|b c \\*d\\* \\<x\\>"


def test_plan_command_writes_markdown(pg, tmp_path):
    current, desired = CASES["concurrent_index"]
    target = pg.url(new_database(pg, current))
    (tmp_path / "s.sql").write_text(desired)
    result = CliRunner().invoke(
        app, ["plan", str(tmp_path / "s.sql"), "--db", target, "--dev-url", pg.url(), "--format", "markdown"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (SNAPSHOTS / "plan_concurrent_index.md").read_text()
    assert result.stdout.startswith(PLAN_MARKER + "\n")


def test_a_plan_too_big_for_a_comment_is_cut_and_says_so(pg):
    """GitHub refuses comments over 65,536 characters: hundreds of tables must still give a comment."""
    tables = "\n".join(f"CREATE TABLE table_{n:04} (id bigint PRIMARY KEY, body text, n int);" for n in range(600))
    markdown = _markdown(pg, "", tables)
    assert len(markdown) <= 60_000
    assert markdown.startswith(PLAN_MARKER + "\n### Plan: 600 statements")
    assert "The SQL is cut here to fit a pull-request comment" in markdown
    assert markdown.rstrip().endswith("</details>")
    block = markdown[markdown.index("```sql\n") + 7 : markdown.rindex("\n```")]
    assert "CREATE TABLE public.table_0000" in block and "CREATE TABLE public.table_0599" not in block
    assert not block.endswith(",")  # cut at a line end, not mid-line


def test_a_plan_that_fits_is_not_cut(pg):
    markdown = _markdown(pg, "", "CREATE TABLE t (id int);")
    assert "cut here" not in markdown
