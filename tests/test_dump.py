"""`pgdiff dump`: files that load back to the same catalog, deterministic, split three ways."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from tests.pg import ensure_roles, new_database, schema_dump

runner = CliRunner()

SCHEMA = """
CREATE SCHEMA "Billing";
CREATE EXTENSION pg_trgm;
CREATE TABLE flows (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL CHECK (name <> ''),
                    tags text[] DEFAULT '{}', doc jsonb);
CREATE INDEX flows_name_trgm ON flows USING gin (name gin_trgm_ops);
CREATE TABLE "Billing"."Invoice Lines" (id bigint PRIMARY KEY, flow_id int REFERENCES flows (id) ON DELETE CASCADE,
                    amount numeric(12,2), status varchar(20) CHECK (status IN ('open', 'paid')));
CREATE INDEX lines_open ON "Billing"."Invoice Lines" (flow_id) WHERE status IN ('open');
ALTER TABLE flows ADD CONSTRAINT flows_doc_object CHECK (jsonb_typeof(doc) = 'object') NOT VALID;
"""


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.parametrize("split", ["none", "schema", "object"])
def test_dump_plans_empty_against_its_database(pg, tmp_path, split):
    url = pg.url(new_database(pg, SCHEMA))
    assert run("dump", "--db", url, "-o", str(tmp_path), "--split", split).exit_code == 0
    result = run("plan", str(tmp_path), "--db", url, "--dev-url", pg.url(), "-f", "json", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["empty"] is True


def test_dump_to_a_fresh_database_converges(pg, tmp_path):
    url = pg.url(new_database(pg, SCHEMA))
    run("dump", "--db", url, "-o", str(tmp_path), "--split", "object")
    fresh = pg.url(new_database(pg))
    assert run("apply", str(tmp_path), "--db", fresh, "--dev-url", pg.url(), "--yes").exit_code == 0
    assert run("plan", url, "--db", fresh, "--detailed-exitcode").exit_code == 0


def test_dump_is_deterministic_and_readable(pg):
    url = pg.url(new_database(pg, SCHEMA))
    first, second = run("dump", "--db", url).stdout, run("dump", "--db", url).stdout
    assert first == second
    assert 'CREATE TABLE "Billing"."Invoice Lines" (' in first
    assert "CREATE INDEX flows_name_trgm\n  ON public.flows USING gin (name public.gin_trgm_ops);" in first
    assert "name text NOT NULL" in first


def test_dump_split_object_names_files_by_schema_and_table(pg, tmp_path):
    url = pg.url(new_database(pg, SCHEMA))
    run("dump", "--db", url, "-o", str(tmp_path), "--split", "object")
    names = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.sql"))
    assert names == ["00_extensions.sql", "00_schemas.sql", "Billing/Invoice_Lines.sql", "public/flows.sql"]


PARTITIONED = """
CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE a_events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
    PARTITION BY LIST (kind);
CREATE TABLE a_events_2026_login PARTITION OF a_events_2026 FOR VALUES IN ('login');
CREATE INDEX events_recent ON events (at DESC);
CREATE INDEX events_at ON events (at);
"""


def test_dump_split_object_keeps_a_partition_tree_in_its_root_table_file(pg, tmp_path):
    """The partitions' indexes (`a_events_2026_at_idx`, then `..._idx1`, numbered by PostgreSQL in creation order)
    keep their names: each is created under its name and attached, after the partitions, in the root's file."""
    source = new_database(pg, PARTITIONED)
    run("dump", "--db", pg.url(source), "-o", str(tmp_path), "--split", "object")
    names = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.sql"))
    assert names == ["public/events.sql"]
    fresh = new_database(pg)
    applied = run("apply", str(tmp_path), "--db", pg.url(fresh), "--dev-url", pg.url(), "--yes")
    assert applied.exit_code == 0, applied.output
    assert schema_dump(pg, fresh) == schema_dump(pg, source)


def test_dump_refuses_what_it_cannot_do(pg):
    url = pg.url(new_database(pg))
    assert "give a directory" in run("dump", "--db", url, "--split", "schema").stderr
    assert "unknown --format 'toml'" in run("dump", "--db", url, "--format", "toml").stderr


# Every kind issues [3/7] and [4/7] added, for the round trip.
EVERY_KIND = """
CREATE SCHEMA app;
CREATE COLLATION app.bytes (lc_collate = 'C', lc_ctype = 'C');
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO dump_reader;
CREATE TABLE app.events (id bigint NOT NULL, at date NOT NULL, kind text COLLATE app.bytes, body jsonb,
                         PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE app.events_rest PARTITION OF app.events DEFAULT;
CREATE INDEX events_kind ON app.events (kind);
CREATE TABLE app.accounts (id int PRIMARY KEY, tenant text NOT NULL, plan text) WITH (fillfactor = 80);
ALTER TABLE app.accounts REPLICA IDENTITY FULL;
CREATE STATISTICS app.accounts_tenant_plan ON tenant, plan FROM app.accounts;
ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_tenant ON app.accounts USING (tenant = current_setting('app.tenant'));
GRANT SELECT (id, tenant) ON app.accounts TO dump_reader;
REVOKE ALL ON app.events FROM dump_reader;
GRANT SELECT, INSERT ON app.events TO dump_reader;
COMMENT ON TABLE app.accounts IS 'one per customer';
COMMENT ON COLUMN app.events.body IS 'as received';
CREATE TABLE app.legacy_base (id int, note text);
CREATE TABLE app.legacy_child (extra int) INHERITS (app.legacy_base);
"""


@pytest.fixture
def reader_role(pg) -> None:
    ensure_roles(pg, "dump_reader")


@pytest.mark.parametrize("split", ["none", "object"])
def test_dump_of_every_kind_plans_empty_and_rebuilds_it(pg, tmp_path, split, reader_role):
    url = pg.url(new_database(pg, EVERY_KIND))
    assert run("dump", "--db", url, "-o", str(tmp_path), "--split", split).exit_code == 0
    result = run("plan", str(tmp_path), "--db", url, "--dev-url", pg.url(), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    fresh = pg.url(new_database(pg))
    applied = run("apply", str(tmp_path), "--db", fresh, "--dev-url", pg.url(), "--yes", "--allow-hazards", "all")
    assert applied.exit_code == 0, applied.output
    assert run("plan", url, "--db", fresh, "--detailed-exitcode").exit_code == 0
