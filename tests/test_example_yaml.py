"""examples/workflow-engine/desired-yaml/ is the same desired state as desired/ (SQL): the same model,
and the same plan against current.sql."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pgdiff.cli import app
from pgdiff.shadow import ShadowDatabase
from pgdiff.source import resolve_sources
from tests.pg import comparable, new_database

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
