"""Plan files: `plan -o` writes them, `apply --plan` runs them as written and refuses stale, foreign or broken
ones; the format round-trips and matches its shipped JSON Schema. Real PostgreSQL throughout."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import psycopg
import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from pgdiff.connect import connect
from pgdiff.errors import PgdiffError
from pgdiff.filters import ObjectFilter
from pgdiff.pipeline import desired_state, plan_file_for
from pgdiff.plan.timeouts import TimeoutPolicy
from pgdiff.planfile import (
    FORMAT_VERSION,
    PlanOptions,
    describe_changes,
    from_document,
    json_schema,
    read_plan_file,
    to_document,
    write_plan_file,
)
from pgdiff.source import resolve_sources
from tests.pg import new_database

runner = CliRunner()

CURRENT = """
CREATE TABLE users (id int PRIMARY KEY, email text);
CREATE TABLE runs (id int PRIMARY KEY, user_id int);
CREATE VIEW v AS SELECT id FROM runs;
"""
DESIRED = """
CREATE TABLE users (id int PRIMARY KEY, email text, name text CHECK (name <> ''));
CREATE INDEX users_email ON users (email);
CREATE TABLE runs (id int PRIMARY KEY, user_id int);
CREATE VIEW v AS SELECT id FROM runs;
"""
HAZARDS = "index-build,non-transactional,validates-existing-rows"


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    """The desired state split over two files, so how they are listed can vary."""
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / "a_tables.sql").write_text(DESIRED.split("CREATE INDEX")[0])
    (folder / "b_rest.sql").write_text("CREATE INDEX" + DESIRED.split("CREATE INDEX")[1])
    return folder


@pytest.fixture
def target(pg) -> str:
    return pg.url(new_database(pg, CURRENT))


def make_plan(pg, target: str, source: str | Path, path: Path, *options: str) -> Path:
    result = run("plan", str(source), "--db", target, "--dev-url", pg.url(), "-o", str(path), *options)
    assert result.exit_code == 0, result.output
    assert f"wrote the plan file {path}" in result.stderr
    return path


def apply_file(pg, target: str, path: Path, *arguments: str):
    return run("apply", "--plan", str(path), "--db", target, "--dev-url", pg.url(), *arguments)


def columns(url: str, table: str = "users") -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped"
            " ORDER BY attnum",
            [table],
        ).fetchall()
    return [r[0] for r in rows]


def relations(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace").fetchall()
    return {r[0] for r in rows}


def edited(path: Path, change: Any) -> Path:
    """The plan file with `change(document)` applied, written back."""
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    return path


def test_plan_file_applies_as_written_and_converges(pg, target, schema_dir, tmp_path):
    path = make_plan(pg, target, schema_dir, tmp_path / "plan.json")
    # The sources are the same files listed another way: the fingerprint does not depend on it.
    files = [str(schema_dir / "b_rest.sql"), str(schema_dir / "a_tables.sql")]
    refused = apply_file(pg, target, path, *files, "--yes")
    assert refused.exit_code == 1
    assert "--allow-hazards index-build,non-transactional,validates-existing-rows" in refused.stderr
    assert columns(target) == ["id", "email"]
    result = apply_file(pg, target, path, *files, "--yes", "--allow-hazards", HAZARDS)
    assert result.exit_code == 0, result.output
    assert "the database matches the desired state" in result.stdout
    assert re.search(
        rf"^plan file {re.escape(str(path))}: made \d{{4}}-\d\d-\d\dT[\d:]+Z by pgdiff \S+ for database t_",
        result.stderr,
        re.M,
    ), result.stderr
    assert columns(target) == ["id", "email", "name"]
    assert "users_email" in relations(target)
    again = run("plan", str(schema_dir), "--db", target, "--dev-url", pg.url(), "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_stale_plan_is_refused_naming_what_changed(pg, target, schema_dir, tmp_path):
    path = make_plan(pg, target, schema_dir, tmp_path / "plan.json")
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("ALTER TABLE runs ADD COLUMN note text")
        conn.execute("CREATE INDEX runs_idx ON runs (user_id)")
        conn.execute("DROP VIEW v")
    result = apply_file(pg, target, path, str(schema_dir), "--yes", "--allow-hazards", "all")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: the database changed since the plan was made: table public.runs changed, index public.runs_idx "
        "appeared, view public.v disappeared; re-run pgdiff plan\n"
    )
    assert columns(target) == ["id", "email"]
    assert "users_email" not in relations(target)


def test_changes_are_named_up_to_a_cap():
    before = {f"table public.t{i}": "0" * 16 for i in range(8)}
    after = {**{k: "1" * 16 for k in before}, "index public.new": "2" * 16}
    assert describe_changes(before, after) == (
        "table public.t0 changed, table public.t1 changed, table public.t2 changed, table public.t3 changed, "
        "table public.t4 changed (and 4 more)"
    )
    assert describe_changes({"view public.v": "0" * 16}, {}) == "view public.v disappeared"


def test_changed_sources_are_refused(pg, target, schema_dir, tmp_path):
    path = make_plan(pg, target, schema_dir, tmp_path / "plan.json")
    (schema_dir / "b_rest.sql").write_text((schema_dir / "b_rest.sql").read_text() + "\nCREATE TABLE extra (id int);\n")
    result = apply_file(pg, target, path, str(schema_dir), "--yes", "--allow-hazards", "all")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the files changed since the plan was made")
    assert "re-run pgdiff plan" in result.stderr
    assert columns(target) == ["id", "email"]


def test_database_url_source_is_fingerprinted_by_its_objects(pg, target, tmp_path):
    source = pg.url(new_database(pg, DESIRED))
    path = make_plan(pg, target, source, tmp_path / "plan.json")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("ALTER TABLE runs ADD COLUMN note text")
    result = apply_file(pg, target, path, source, "--yes", "--allow-hazards", "all")
    assert result.exit_code == 1
    assert "the source database changed since the plan was made" in result.stderr
    assert columns(target) == ["id", "email"]


@pytest.mark.parametrize("version", [1, 3])
def test_other_format_version_is_refused(pg, target, schema_dir, tmp_path, version):
    path = make_plan(pg, target, schema_dir, tmp_path / "plan.json")
    edited(path, lambda d: d.update(format_version=version))
    result = apply_file(pg, target, path, str(schema_dir), "--yes", "--allow-hazards", "all")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {path}: plan file format_version {version}, but this pgdiff (0.1.0) reads format_version "
        f"{FORMAT_VERSION}: re-run pgdiff plan with this version\n"
    )
    assert columns(target) == ["id", "email"]


def test_corrupted_file_is_refused_with_its_name(pg, target, schema_dir, tmp_path):
    path = make_plan(pg, target, schema_dir, tmp_path / "plan.json")
    path.write_text(path.read_text()[:200])
    result = apply_file(pg, target, path, str(schema_dir), "--yes", "--allow-hazards", "all")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}:")
    assert "not a pgdiff plan file: invalid JSON" in result.stderr
    assert columns(target) == ["id", "email"]


def test_other_json_is_not_a_plan_file(pg, target, tmp_path):
    path = tmp_path / "package.json"
    path.write_text('{"name": "app"}')
    result = apply_file(pg, target, path, "--yes")
    assert result.exit_code == 1
    assert result.stderr == f'error: {path}: not a pgdiff plan file (no "format": "pgdiff-plan")\n'


def test_missing_plan_file(pg, target, tmp_path):
    result = apply_file(pg, target, tmp_path / "nope.json", "--yes")
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'nope.json'}: cannot read the plan file: No such file or directory\n"


def test_no_password_in_the_plan_file(pg, schema_dir, tmp_path):
    dbname = new_database(pg, CURRENT)
    # The test server trusts local connections, so the password is accepted and ignored: only its absence counts.
    url = f"postgresql://postgres:Pl4nFileSecret@/{dbname}?host={pg.socket_dir}&port=5432"
    result = run("plan", str(schema_dir), "--db", url, "--dev-url", pg.url(), "-o", str(tmp_path / "p.json"))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "p.json").read_text()
    assert "Pl4nFileSecret" not in text and "Pl4nFileSecret" not in result.output
    target = json.loads(text)["target"]
    assert target == {
        "host": str(pg.socket_dir),
        "port": 5432,
        "database": dbname,
        "user": "postgres",
        "server_version": target["server_version"],
    }
    assert target["server_version"].startswith(str(pg.major))
    applied = apply_file(pg, url, tmp_path / "p.json", str(schema_dir), "--yes", "--allow-hazards", HAZARDS)
    assert applied.exit_code == 0, applied.output
    assert "Pl4nFileSecret" not in applied.output


def test_empty_plan_file_applies_as_a_no_op(pg, schema_dir, tmp_path):
    target = pg.url(new_database(pg, DESIRED))
    path = make_plan(pg, target, schema_dir, tmp_path / "plan.json")
    document = json.loads(path.read_text())
    assert document["empty"] is True and document["groups"] == []
    result = apply_file(pg, target, path, str(schema_dir))
    assert result.exit_code == 0, result.output
    assert "No changes" in result.stdout


def test_json_format_and_plan_file_are_one_document(pg, target, schema_dir, tmp_path):
    path = tmp_path / "plan.json"
    result = run("plan", str(schema_dir), "--db", target, "--dev-url", pg.url(), "-f", "json", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == path.read_text()
    document = json.loads(result.stdout)
    assert (document["format"], document["format_version"]) == ("pgdiff-plan", FORMAT_VERSION)
    assert document["options"] == {
        "schemas": [],
        "exclude": [],
        "manage_owners": False,
        "lock_timeout_ms": 3000,
        "statement_timeout_ms": None,
    }
    assert {"table public.users", "view public.v", "constraint public.runs.runs_pkey"} <= set(
        document["catalog_objects"]
    )


def test_plan_file_options_are_used_and_conflicting_ones_refused(pg, target, schema_dir, tmp_path):
    options = ("--exclude", "public.tmp_*", "--lock-timeout", "5s")
    path = make_plan(pg, target, schema_dir, tmp_path / "plan.json", *options)
    assert json.loads(path.read_text())["options"]["exclude"] == ["public.tmp_*"]
    conflicting = [("--exclude", "public.other_*"), ("--schema", "app"), ("--manage-owners",), ("--lock-timeout", "1s")]
    for option in conflicting:
        result = apply_file(pg, target, path, str(schema_dir), "--yes", "--allow-hazards", "all", *option)
        assert result.exit_code == 1, option
        assert f"error: {option[0]}" in result.stderr and "conflicts with the plan file" in result.stderr
    # Outside the plan's filter: neither a change to the plan's target nor something to drop.
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("CREATE TABLE tmp_scratch (id int)")
    result = apply_file(pg, target, path, str(schema_dir), "--yes", "--allow-hazards", HAZARDS)
    assert result.exit_code == 0, result.output
    assert {"tmp_scratch", "users_email"} <= relations(target)


def test_another_database_in_the_same_state_gets_a_warning(pg, schema_dir, tmp_path):
    planned_for, other = new_database(pg, CURRENT), new_database(pg, CURRENT)
    path = make_plan(pg, pg.url(planned_for), schema_dir, tmp_path / "plan.json")
    result = apply_file(pg, pg.url(other), path, str(schema_dir), "--yes", "--allow-hazards", HAZARDS)
    assert result.exit_code == 0, result.output
    assert f"warning: the plan was made for database {planned_for} on " in result.stderr
    assert f"this is database {other} on " in result.stderr
    assert columns(pg.url(other)) == ["id", "email", "name"]
    assert columns(pg.url(planned_for)) == ["id", "email"]


# -- the format -------------------------------------------------------------------------------------


def build(pg, current_sql: str, desired_sql: str, tmp_path: Path):
    """A PlanFile from real databases, through the same functions `plan` uses."""
    source = tmp_path / f"desired_{len(list(tmp_path.iterdir()))}.sql"
    source.write_text(desired_sql)
    sources = resolve_sources([str(source)])
    options = PlanOptions.of(ObjectFilter(), TimeoutPolicy(), manage_owners=False)
    with (
        connect(pg.url(new_database(pg, current_sql))) as conn,
        desired_state(conn, sources, dev_url=pg.url(), warn=lambda message: None) as desired,
    ):
        return plan_file_for(conn, desired, sources, options)


def test_round_trip_rebuilds_every_statement_field(pg, tmp_path):
    original = build(pg, CURRENT + "CREATE INDEX runs_user ON runs (user_id);", DESIRED, tmp_path)
    statements = original.plan.statements
    # The plan exercises every field: hazards, non-transactional groups, cleanup SQL, own transactions.
    assert any(s.hazards for s in statements) and any(s.cleanup_sql for s in statements)
    assert any(not g.transactional for g in original.plan.groups) and any(s.own_transaction for s in statements)
    path = tmp_path / "plan.json"
    write_plan_file(original, path)
    assert read_plan_file(path) == original
    assert from_document(to_document(original)) == original


def test_plan_files_validate_against_the_shipped_schema(pg, tmp_path):
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    cases = [
        (DESIRED, DESIRED),  # empty
        (CURRENT, DESIRED),  # hazards, a concurrent index build outside a transaction, a validation
        ("CREATE TABLE t (a int, b text);", "CREATE TABLE t (a bigint);"),  # data loss and a rewrite
    ]
    for current_sql, desired_sql in cases:
        document = json.loads(json.dumps(to_document(build(pg, current_sql, desired_sql, tmp_path))))
        jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


def _statement(document: dict[str, Any]) -> dict[str, Any]:
    return document["groups"][0]["statements"][0]


BROKEN = [
    (lambda d: _statement(d).update(extra=1), '$.groups[0].statements[0]: unknown key "extra"'),
    (lambda d: _statement(d).pop("sql"), '$.groups[0].statements[0]: missing "sql"'),
    (lambda d: _statement(d)["hazards"].append({"code": 1, "message": "m"}), "hazards[0].code: expected string"),
    (lambda d: d["fingerprints"].update(catalog="abc"), '$.fingerprints.catalog: "abc" does not match'),
    (lambda d: d["target"].update(password="x"), '$.target: unknown key "password"'),
    (lambda d: d.update(groups={}), "$.groups: expected array"),
    (lambda d: d["options"].update(manage_owners=1), "$.options.manage_owners: expected boolean"),
    (lambda d: d["catalog_objects"].update({"table public.x": "nothex"}), '$.catalog_objects["table public.x"]'),
]


@pytest.fixture(scope="module")
def valid_document(pg, tmp_path_factory) -> str:
    return json.dumps(to_document(build(pg, CURRENT, DESIRED, tmp_path_factory.mktemp("valid"))))


@pytest.mark.parametrize(("change", "problem"), BROKEN)
def test_invalid_plan_files_are_refused_saying_where(valid_document, tmp_path, change, problem):
    path = tmp_path / "plan.json"
    document = json.loads(valid_document)
    change(document)
    with pytest.raises(jsonschema.ValidationError):  # the library agrees the file is invalid
        jsonschema.validate(document, json_schema(), cls=jsonschema.Draft202012Validator)
    path.write_text(json.dumps(document))
    with pytest.raises(PgdiffError) as refused:
        read_plan_file(path)
    assert str(refused.value).startswith(f"{path}: invalid plan file: ")
    assert problem in str(refused.value)
