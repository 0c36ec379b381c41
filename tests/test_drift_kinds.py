"""Drift for every object kind: one object missing, one unexpected and one changed per kind, each reported
with its kind and name (and, when changed, the attribute that differs), through the Python API
`pgdiff.drift()` and the exit codes of `pgdiff drift`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import pgdiff
from pgdiff.cli import app
from tests.pg import ensure_roles, new_database

BASE = "CREATE TABLE t (id int PRIMARY KEY, a int, b text);\n"

# kind: (SQL of the object as the files have it, as the database has it (changed), its drift kind and name)
KINDS = {
    "schema": ("CREATE SCHEMA s;", None, "schema", "s"),
    "column": ("ALTER TABLE t ADD COLUMN c int;", "ALTER TABLE t ADD COLUMN c bigint;", "column", "public.t.c"),
    "check": (
        "ALTER TABLE t ADD CONSTRAINT t_a_positive CHECK (a > 0);",
        "ALTER TABLE t ADD CONSTRAINT t_a_positive CHECK (a >= 0);",
        "constraint",
        "public.t.t_a_positive",
    ),
    "index": ("CREATE INDEX t_a ON t (a);", "CREATE INDEX t_a ON t (b);", "index", "public.t_a"),
    "sequence": ("CREATE SEQUENCE seq;", "CREATE SEQUENCE seq INCREMENT 5;", "sequence", "public.seq"),
    "enum": ("CREATE TYPE mood AS ENUM ('ok');", "CREATE TYPE mood AS ENUM ('ok', 'sad');", "enum", "public.mood"),
    "composite": (
        "CREATE TYPE pair AS (x int, y int);",
        "CREATE TYPE pair AS (x int, y bigint);",
        "composite",
        "public.pair",
    ),
    "domain": (
        "CREATE DOMAIN positive AS int CHECK (VALUE > 0);",
        "CREATE DOMAIN positive AS int CHECK (VALUE >= 0);",
        "domain",
        "public.positive",
    ),
    "range": (
        "CREATE TYPE floatrange AS RANGE (subtype = float8);",
        "CREATE TYPE floatrange AS RANGE (subtype = float4);",
        "range",
        "public.floatrange",
    ),
    "function": (
        "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 2';",
        "function",
        "public.one()",
    ),
    "trigger": (
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n"
        "CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n"
        "CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();",
        "trigger",
        "public.t.t_touch",
    ),
    "view": ("CREATE VIEW v AS SELECT id FROM t;", "CREATE VIEW v AS SELECT id, a FROM t;", "view", "public.v"),
    "materialized view": (
        "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;",
        "CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;",
        "materialized view",
        "public.mv",
    ),
    "policy": (
        "ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY own ON t USING (a = 1);",
        "ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY own ON t USING (a = 2);",
        "policy",
        "public.t.own",
    ),
    "collation": (
        "CREATE COLLATION posix_c (provider = libc, locale = 'C');",
        "CREATE COLLATION posix_c (provider = libc, locale = 'POSIX');",
        "collation",
        "public.posix_c",
    ),
    "statistics": (
        "CREATE STATISTICS t_ab (dependencies) ON a, b FROM t;",
        "CREATE STATISTICS t_ab (ndistinct) ON a, b FROM t;",
        "statistics",
        "public.t_ab",
    ),
    "comment": ("COMMENT ON TABLE t IS 'rows';", "COMMENT ON TABLE t IS 'things';", "comment", "on table public.t"),
    "grant": (
        "GRANT SELECT ON t TO drift_reader;",
        "GRANT SELECT, INSERT ON t TO drift_reader;",
        "grant",
        "on table public.t to drift_reader",
    ),
}


@pytest.fixture(autouse=True)
def reader_role(pg):
    ensure_roles(pg, "drift_reader")


def _drift(pg, tmp_path: Path, files_sql: str, live_sql: str):
    files = tmp_path / "schema.sql"
    files.write_text(files_sql)
    live = pg.url(new_database(pg, live_sql))
    return pgdiff.drift([files], live, dev_url=pg.url(), config=False)


def _found(drift, kind: str, name: str | None):
    return [d for d in drift if d.kind == kind and (name is None or d.object == name)]


@pytest.mark.parametrize("kind", list(KINDS))
def test_missing(pg, tmp_path, kind):
    sql, _, drift_kind, name = KINDS[kind]
    found = _drift(pg, tmp_path, BASE + sql, BASE + _needs(kind))
    matching = _found(found, drift_kind, name)
    assert [d.state for d in matching] == ["missing"], found


@pytest.mark.parametrize("kind", list(KINDS))
def test_unexpected(pg, tmp_path, kind):
    sql, _, drift_kind, name = KINDS[kind]
    found = _drift(pg, tmp_path, BASE + _needs(kind), BASE + sql)
    matching = _found(found, drift_kind, name)
    assert [d.state for d in matching] == ["unexpected"], found


@pytest.mark.parametrize("kind", [k for k, (_, changed, _, _) in KINDS.items() if changed is not None])
def test_changed_names_the_attribute(pg, tmp_path, kind):
    sql, changed, drift_kind, name = KINDS[kind]
    assert changed is not None
    found = _drift(pg, tmp_path, BASE + sql, BASE + changed)
    states = {d.state for d in _found(found, drift_kind, name)}
    # What PostgreSQL cannot change in place may be reported as one object replaced by another.
    assert states == {"changed"} or states == {"missing", "unexpected"}, found
    for item in _found(found, drift_kind, name):
        if item.state == "changed":
            assert item.details and all(" in database, " in d and d.endswith(" in files") for d in item.details)


def test_in_sync_is_empty_and_exit_codes(pg, tmp_path):
    everything = BASE + "\n".join(sql for sql, _, _, _ in KINDS.values() if "touch()" not in sql)
    files = tmp_path / "schema.sql"
    files.write_text(everything)
    live = pg.url(new_database(pg, everything))
    assert pgdiff.drift([files], live, dev_url=pg.url(), config=False) == []
    runner = CliRunner()
    assert runner.invoke(app, ["drift", str(files), "--db", live, "--dev-url", pg.url()]).exit_code == 0
    other = pg.url(new_database(pg, BASE))
    assert runner.invoke(app, ["drift", str(files), "--db", other, "--dev-url", pg.url()]).exit_code == 2


def _needs(kind: str) -> str:
    """What the other side needs for the object to be the only difference (RLS is the table's, not the policy's)."""
    return "ALTER TABLE t ENABLE ROW LEVEL SECURITY;" if kind == "policy" else ""


def test_partition_copies_named_otherwise_are_drift(pg, tmp_path):
    def parted(first: str, second: str) -> str:
        return (
            "CREATE TABLE p (id int NOT NULL) PARTITION BY RANGE (id);\n"
            "CREATE TABLE p1 PARTITION OF p DEFAULT;\n"
            f"CREATE INDEX {first} ON p (id);\nCREATE INDEX {second} ON p (id);\n"
        )

    found = _drift(pg, tmp_path, parted("by_id_a", "by_id_b"), parted("by_id_b", "by_id_a"))
    assert {(d.kind, d.object, d.state) for d in found} == {
        ("index", "public.by_id_a", "changed"),
        ("index", "public.by_id_b", "changed"),
    }, found
    details = {detail for d in found for detail in d.details}
    assert 'copy on public.p1 named "p1_id_idx1" in database, "p1_id_idx" in files' in details, details
