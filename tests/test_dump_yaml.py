"""`pgdiff dump --format yaml`: YAML that plans empty against its database, for every kind, deterministic."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from pgdiff.cli import app
from tests.convergence import REJECTED_ON_OLDER_SERVERS
from tests.pg import new_database, server_major
from tests.test_dump import EVERY_KIND, SCHEMA
from tests.yaml_cases import VIRTUAL, cases_for, ensure_roles

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module", autouse=True)
def roles(pg) -> None:
    ensure_roles(pg, "dump_reader", "yaml_reader")


def assert_round_trip(pg, tmp_path, sql: str, split: str, output_format: str = "yaml") -> None:
    url = pg.url(new_database(pg, sql))
    dumped = run("dump", "--db", url, "-o", str(tmp_path), "--split", split, "--format", output_format)
    assert dumped.exit_code == 0, dumped.output
    result = run("plan", str(tmp_path), "--db", url, "--dev-url", pg.url(), "--detailed-exitcode")
    files = {p.name: p.read_text() for p in tmp_path.rglob("*.*")}
    assert result.exit_code == 0, f"{result.output}\n{files}"


@pytest.mark.parametrize("split", ["none", "schema", "object"])
def test_yaml_dump_of_every_kind_plans_empty(pg, tmp_path, split):
    assert_round_trip(pg, tmp_path, EVERY_KIND + SCHEMA, split)


@pytest.mark.parametrize("output_format", ["yaml", "sql"])
@pytest.mark.parametrize("case", [*cases_for(server_major()), "virtual"])
def test_dump_of_each_construct_plans_empty(pg, tmp_path, case, output_format):
    if case == "virtual" and pg.major < 18:
        # Not skipped: an older server must refuse the syntax, which proves the case tests what it says.
        with pytest.raises(REJECTED_ON_OLDER_SERVERS):
            new_database(pg, VIRTUAL[1])
        return
    sql = VIRTUAL[1] if case == "virtual" else cases_for(pg.major)[case][1]
    assert_round_trip(pg, tmp_path, sql, "object", output_format)


def test_yaml_dump_is_deterministic_valid_yaml(pg):
    url = pg.url(new_database(pg, EVERY_KIND))
    first = run("dump", "--db", url, "--format", "yaml").stdout
    assert first == run("dump", "--db", url, "--format", "yaml").stdout
    document = yaml.safe_load(first)
    tables = {t["name"]: t for t in document["tables"]}
    assert tables["events"]["partition_by"] == {"method": "range", "columns": ["at"]}
    assert [p["name"] for p in tables["events"]["partitions"]] == ["events_2026", "events_rest"]
    assert tables["accounts"]["options"] == {"fillfactor": 80}
    assert tables["accounts"]["replica_identity"] == "full"
    assert tables["legacy_child"]["inherits"] == ["app.legacy_base"]


def test_yaml_dump_split_object_names_files(pg, tmp_path):
    url = pg.url(new_database(pg, SCHEMA))
    run("dump", "--db", url, "-o", str(tmp_path), "--split", "object", "--format", "yaml")
    names = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.yaml"))
    assert names == ["00_schemas.yaml", "Billing/Invoice_Lines.yaml", "public/flows.yaml"]
