"""examples/workflow-engine/desired-yaml/ is the same desired state as desired/ (SQL): the same model,
and the same plan against current.sql."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pgdiff.cli import app
from pgdiff.shadow import ShadowDatabase
from pgdiff.source import resolve_sources
from tests.pg import EXAMPLE_ROLES, comparable, ensure_roles, new_database

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "workflow-engine"


def load_model(pg, folder: Path):
    with ShadowDatabase(dev_url=pg.url(), target_major=pg.major) as shadow:
        shadow.load(resolve_sources([str(folder)]).statements)
        return shadow.inspect()


def test_yaml_example_builds_the_same_model_as_the_sql_one(pg):
    assert comparable(load_model(pg, EXAMPLE / "desired-yaml")) == comparable(load_model(pg, EXAMPLE / "desired"))


def test_yaml_example_plans_the_same_as_the_sql_one(pg):
    current = pg.url(new_database(pg, (EXAMPLE / "current.sql").read_text()))
    plans = []
    for folder in ("desired", "desired-yaml"):
        result = CliRunner().invoke(
            app, ["plan", str(EXAMPLE / folder), "--db", current, "--dev-url", pg.url(), "-f", "sql"]
        )
        assert result.exit_code == 0, result.output
        plans.append(result.stdout)
    assert plans[0] == plans[1]
    assert "RENAME COLUMN name TO title" in plans[1]


def test_yaml_example_is_formatted():
    result = CliRunner().invoke(app, ["fmt", "--check", str(EXAMPLE / "desired-yaml")])
    assert result.exit_code == 0, result.stderr


REPO = EXAMPLE.parent.parent


def test_seed_schemas_in_yaml_plan_nothing_against_their_sql(pg):
    """Seed 003's schema/ and seed 004's multi-tenant example also exist as YAML (written by
    `pgdiff dump --format yaml --split object` from the SQL): a database built from the SQL files is already
    in the state the YAML files describe. (Their models can differ in text only where PostgreSQL prints one
    expression two ways, which pgdiff settles, hence a plan rather than a model comparison.)"""
    ensure_roles(pg, *EXAMPLE_ROLES)
    pairs = (
        (REPO / "schema", REPO / "examples" / "mindhill" / "desired-yaml"),
        (REPO / "examples" / "multi-tenant" / "desired", REPO / "examples" / "multi-tenant" / "desired-yaml"),
    )
    runner = CliRunner()
    for sql_folder, yaml_folder in pairs:
        assert {p.suffix for p in yaml_folder.rglob("*.*")} == {".yaml"}
        target = pg.url(new_database(pg))
        args = ["--db", target, "--dev-url", pg.url()]
        built = runner.invoke(app, ["apply", str(sql_folder), *args, "--yes", "--allow-hazards", "all"])
        assert built.exit_code == 0, built.output
        result = runner.invoke(app, ["plan", str(yaml_folder), *args, "--detailed-exitcode"])
        assert result.exit_code == 0, f"{yaml_folder}: {result.output}"
