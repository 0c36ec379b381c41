"""Every YAML construct: it loads to the same model as the SQL a user would write, and a plan driven from
the YAML converges (applied to an empty database, the next plan is empty)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from pgdiff.errors import SourceError
from pgdiff.shadow import ShadowDatabase
from pgdiff.source import resolve_sources
from tests.pg import comparable, inspect_db, new_database, server_major
from tests.yaml_cases import VIRTUAL, cases_for, ensure_roles, readme_example

runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def reader_role(pg) -> None:
    ensure_roles(pg)


def cases(pg) -> dict[str, tuple[str, str]]:
    return {**cases_for(pg.major), **({"virtual": VIRTUAL} if pg.major >= 18 else {})}


def yaml_model(pg, folder: Path):
    with ShadowDatabase(dev_url=pg.url(), target_major=pg.major) as shadow:
        shadow.load(resolve_sources([str(folder)]).statements)
        return shadow.inspect()


@pytest.mark.parametrize("case", [*cases_for(server_major()), "virtual"])
def test_yaml_loads_like_sql_and_converges(pg, tmp_path, case):
    if case not in cases(pg):
        # Not skipped: before PostgreSQL 18 the shadow refuses VIRTUAL, naming the YAML file.
        (tmp_path / "desired.yaml").write_text(VIRTUAL[0])
        with pytest.raises(SourceError, match=r"desired\.yaml:\d+: .*(?i:virtual)"):
            yaml_model(pg, tmp_path)
        return
    yaml_text, sql_text = cases(pg)[case]
    (tmp_path / "desired.yaml").write_text(yaml_text)
    from_yaml = yaml_model(pg, tmp_path)
    from_sql = inspect_db(pg, new_database(pg, sql_text))
    assert comparable(from_yaml) == comparable(from_sql)

    fresh = pg.url(new_database(pg))
    args = [str(tmp_path), "--db", fresh, "--dev-url", pg.url()]
    applied = runner.invoke(app, ["apply", *args, "--yes", "--allow-hazards", "all"])
    assert applied.exit_code == 0, applied.output
    replanned = runner.invoke(app, ["plan", *args, "--detailed-exitcode"])
    assert replanned.exit_code == 0, replanned.output


def test_readme_example_converges_and_dumps_back(pg, tmp_path):
    ensure_roles(pg, "app_reader")
    (tmp_path / "app.yaml").write_text(readme_example(pg.major))
    fresh = pg.url(new_database(pg))
    args = ["--db", fresh, "--dev-url", pg.url()]
    applied = runner.invoke(app, ["apply", str(tmp_path), *args, "--yes", "--allow-hazards", "all"])
    assert applied.exit_code == 0, applied.output
    assert runner.invoke(app, ["plan", str(tmp_path), *args, "--detailed-exitcode"]).exit_code == 0
    assert runner.invoke(app, ["fmt", "--check", str(tmp_path)]).exit_code == 0
    dumped = tmp_path / "dumped"
    dumped.mkdir()
    (dumped / "schema.yaml").write_text(runner.invoke(app, ["dump", "--db", fresh, "--format", "yaml"]).stdout)
    replanned = runner.invoke(app, ["plan", str(dumped), *args, "--detailed-exitcode"])
    assert replanned.exit_code == 0, replanned.output
