"""Proving a plan on a scratch copy of the target before it runs: `apply` by default, `plan --prove`."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from pgdiff import api
from pgdiff.cli import app
from pgdiff.prove import PlanDisproved
from tests.pg import new_database

runner = CliRunner()

CURRENT = "CREATE TABLE t (n int CHECK (n > 0));\nINSERT INTO t VALUES (5);"
DESIRED = "CREATE TABLE t (n int CHECK (n > 1), note text);\n"


ALLOWED = ("--yes", "--allow-hazards", "all")


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(DESIRED)
    return path


def check_text(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'public.t'::regclass AND contype = 'c'"
        ).fetchone()
    assert row is not None
    return row[0]


def tampered_plan_file(pg, files: Path, target: str, tmp_path: Path, old: str, new: str) -> Path:
    """A plan file whose statement text was changed after review: its fingerprints (sources, catalog) still
    hold, so only running it shows what it does."""
    path = tmp_path / "plan.json"
    made = run("plan", str(files), "--db", target, "--dev-url", pg.url(), "-o", str(path))
    assert made.exit_code == 0, made.output
    document = json.loads(path.read_text())
    for group in document["groups"]:
        for statement in group["statements"]:
            statement["sql"] = statement["sql"].replace(old, new)
    path.write_text(json.dumps(document))
    return path


def test_apply_proves_by_default_and_says_how_long_it_took(pg, files):
    target = pg.url(new_database(pg, CURRENT))
    result = run("apply", str(files), "--db", target, "--dev-url", pg.url(), "--yes", "--allow-hazards", "all")
    assert result.exit_code == 0, result.output
    assert "Plan proven on a scratch copy of the target in " in result.stderr
    assert check_text(target) == "CHECK ((n > 1))"


def test_no_prove_skips_the_proof(pg, files):
    target = pg.url(new_database(pg, CURRENT))
    args = ("--db", target, "--dev-url", pg.url(), "--yes", "--allow-hazards", "all", "--no-prove")
    result = run("apply", str(files), *args)
    assert result.exit_code == 0, result.output
    assert "proven" not in result.output


def test_plan_prove_prints_the_proof_and_leaves_the_output_alone(pg, files):
    target = pg.url(new_database(pg, CURRENT))
    proven = run("plan", str(files), "--db", target, "--dev-url", pg.url(), "--prove", "--format", "sql")
    plain = run("plan", str(files), "--db", target, "--dev-url", pg.url(), "--format", "sql")
    assert proven.exit_code == 0 and plain.exit_code == 0, proven.output
    assert "Plan proven on a scratch copy of the target in " in proven.stderr
    assert "proven" not in plain.stderr
    assert proven.stdout == plain.stdout


def test_a_plan_that_fails_on_the_copy_is_refused_and_nothing_runs(pg, files, tmp_path):
    target = pg.url(new_database(pg, CURRENT))
    plan_file = tampered_plan_file(pg, files, target, tmp_path, "(n > 1)", "(missing_column > 1)")
    result = run("apply", str(files), "--db", target, "--dev-url", pg.url(), "--plan", str(plan_file), *ALLOWED)
    assert result.exit_code == 1, result.output
    assert "the plan fails on a scratch copy of the target at statement" in result.stderr
    assert 'column "missing_column" does not exist' in result.stderr
    assert "nothing was applied to the target" in result.stderr
    # The DROP CONSTRAINT before the failing statement did not run on the target either.
    assert check_text(target) == "CHECK ((n > 0))"


def test_a_plan_that_leaves_another_schema_is_refused_naming_what_differs(pg, files, tmp_path):
    target = pg.url(new_database(pg, CURRENT))
    plan_file = tampered_plan_file(pg, files, target, tmp_path, "(n > 1)", "(n > 2)")
    result = run("apply", str(files), "--db", target, "--dev-url", pg.url(), "--plan", str(plan_file), *ALLOWED)
    assert result.exit_code == 1, result.output
    assert "still differs from the desired state (alter constraint public.t.t_n_check)" in " ".join(
        result.stderr.split()
    )
    assert check_text(target) == "CHECK ((n > 0))"


def test_api_raises_plan_disproved(pg, files, tmp_path):
    target = pg.url(new_database(pg, CURRENT))
    plan_file = tampered_plan_file(pg, files, target, tmp_path, "ADD COLUMN note text", "ADD COLUMN note int")
    with pytest.raises(PlanDisproved, match=r"alter column public\.t\.note"):
        api.apply([files], target, dev_url=pg.url(), plan_file=plan_file, config=False, allow_hazards=["all"])
    applied = api.apply([files], target, dev_url=pg.url(), config=False, allow_hazards=["all"])
    assert not applied.plan.is_empty and check_text(target) == "CHECK ((n > 1))"


UNMODELLED = """
CREATE TABLE t (n int CHECK (n > 0));
CREATE FUNCTION add_n(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
CREATE AGGREGATE total_n(int) (SFUNC = add_n, STYPE = int, INITCOND = '0');
CREATE VIEW totals AS SELECT total_n(n) AS total FROM t;
"""


def test_what_the_copy_cannot_build_leaves_the_plan_unproven_with_the_reason(pg, tmp_path):
    """An aggregate is not modelled, so a view using it cannot be built on the copy: the plan is said to be
    unproven (and why), not faked and not refused."""
    target = pg.url(new_database(pg, UNMODELLED))
    files = tmp_path / "schema.sql"
    files.write_text(
        "CREATE TABLE t (n int CHECK (n > 1));\n"
        "CREATE FUNCTION add_n(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';\n"
    )
    warnings: list[str] = []
    api.plan([files], target, dev_url=pg.url(), config=False, cache=False, prove=True, warn=warnings.append)
    unproven = [w for w in warnings if "not proven" in w]
    assert unproven and "total_n" in unproven[0] and "cannot be built on the shadow server" in unproven[0]
