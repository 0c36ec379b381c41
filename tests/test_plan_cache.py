"""The warm-plan cache: an unchanged desired state plans without parsing or a shadow database, and any change
to what the shadow's model depends on (a file, an included file, the target's roles) is seen."""

from __future__ import annotations

import json
import os
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from pgdiff.cache import KEEP_ENTRIES, PlanCache
from pgdiff.cli import app
from pgdiff.source import resolve_sources
from tests.pg import new_database

runner = CliRunner()

CURRENT = "CREATE TABLE users (id int PRIMARY KEY, email text);"
DESIRED = """
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, name text);
CREATE INDEX users_email ON users (email);
\\ir ../views.sql
"""
VIEWS = "CREATE VIEW user_emails AS SELECT id, email FROM users;\n"


@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / "tables.sql").write_text(DESIRED)
    (tmp_path / "views.sql").write_text(VIEWS)  # outside the folder: found only through the include
    return folder


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def no_createdb_url(pg) -> str:
    """A dev-url login that cannot create databases: a plan through it only works if it needs no shadow."""
    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'no_createdb'").fetchone():
            conn.execute("CREATE ROLE no_createdb LOGIN NOCREATEDB")
    return pg.url().replace(f"{pg.superuser}@", "no_createdb@")


def plan_json(target: str, schema_dir: Path, dev_url: str, *options: str) -> dict:
    result = runner.invoke(
        app, ["plan", str(schema_dir), "--db", target, "--dev-url", dev_url, "--format", "json", *options]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def statements(document: dict) -> list[str]:
    return [s["sql"] for group in document["groups"] for s in group["statements"]]


def test_second_plan_needs_no_shadow_and_plans_the_same(pg, schema_dir, cache_dir, no_createdb_url):
    target = pg.url(new_database(pg, CURRENT))
    cold = plan_json(target, schema_dir, pg.url(), "--cache-dir", str(cache_dir))
    warm = plan_json(target, schema_dir, no_createdb_url, "--cache-dir", str(cache_dir))
    assert statements(warm) == statements(cold)
    assert any("CREATE VIEW" in s for s in statements(warm))
    assert warm["fingerprints"] == cold["fingerprints"]
    # Without the cache the same login cannot make its shadow: the warm plan above did not make one.
    result = runner.invoke(
        app, ["plan", str(schema_dir), "--db", target, "--dev-url", no_createdb_url, "--no-cache"]
    )
    assert result.exit_code == 1
    assert "permission denied to create database" in result.output


def test_no_cache_writes_nothing(pg, schema_dir, cache_dir):
    target = pg.url(new_database(pg, CURRENT))
    plan_json(target, schema_dir, pg.url(), "--cache-dir", str(cache_dir), "--no-cache")
    assert not cache_dir.exists()


def test_a_changed_file_is_loaded_again(pg, schema_dir, cache_dir, no_createdb_url):
    target = pg.url(new_database(pg, CURRENT))
    plan_json(target, schema_dir, pg.url(), "--cache-dir", str(cache_dir))
    (schema_dir / "tables.sql").write_text(DESIRED.replace("name text", "name text, age int"))
    changed = plan_json(target, schema_dir, pg.url(), "--cache-dir", str(cache_dir))
    assert any("ADD COLUMN age integer" in s for s in statements(changed))
    # And the new state is cached in turn.
    again = plan_json(target, schema_dir, no_createdb_url, "--cache-dir", str(cache_dir))
    assert statements(again) == statements(changed)


def test_a_changed_included_file_is_loaded_again(pg, schema_dir, cache_dir):
    target = pg.url(new_database(pg, CURRENT))
    first = plan_json(target, schema_dir, pg.url(), "--cache-dir", str(cache_dir))
    assert not any("name" in s and "VIEW" in s for s in statements(first))
    (schema_dir.parent / "views.sql").write_text(VIEWS.replace("id, email", "id, email, name"))
    second = plan_json(target, schema_dir, pg.url(), "--cache-dir", str(cache_dir))
    assert any("VIEW" in s and "name" in s for s in statements(second))


def test_a_new_role_on_the_target_makes_the_shadow_again(pg, schema_dir, cache_dir, no_createdb_url):
    """The shadow is given the target's roles, so a file granting to a role loads only once the role exists."""
    role = "cache_reader_role"
    (schema_dir / "grants.sql").write_text(f"GRANT SELECT ON users TO {role};\n")
    target = pg.url(new_database(pg, CURRENT))
    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    missing = runner.invoke(
        app, ["plan", str(schema_dir), "--db", target, "--dev-url", pg.url(), "--cache-dir", str(cache_dir)]
    )
    assert missing.exit_code == 1
    assert f'role "{role}" does not exist' in missing.output
    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    try:
        found = plan_json(target, schema_dir, pg.url(), "--cache-dir", str(cache_dir))
        assert any(f"TO {role}" in s for s in statements(found))
        # Dropping the role again changes the key: the warm entry is not used, the shadow fails as it should.
        with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
        gone = runner.invoke(
            app, ["plan", str(schema_dir), "--db", target, "--dev-url", no_createdb_url, "--cache-dir", str(cache_dir)]
        )
        assert gone.exit_code == 1
        assert "permission denied to create database" in gone.output
    finally:
        with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_corrupt_or_foreign_entries_are_misses(pg, schema_dir, cache_dir):
    target = pg.url(new_database(pg, CURRENT))
    cold = plan_json(target, schema_dir, pg.url(), "--cache-dir", str(cache_dir))
    entries = sorted(cache_dir.glob("*.pickle"))
    assert {p.name.split("-")[0] for p in entries} == {"sources", "desired"}
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    assert statements(plan_json(target, schema_dir, pg.url(), "--cache-dir", str(cache_dir))) == statements(cold)
    # Rewritten by that plan; an entry others may write to is not trusted (it is a pickle), so not read.
    for entry in cache_dir.glob("*.pickle"):
        entry.chmod(0o666)
        assert PlanCache(cache_dir).get(entry.name.split("-")[0], entry.stem.split("-", 1)[1]) is None
        entry.chmod(0o600)
        assert PlanCache(cache_dir).get(entry.name.split("-")[0], entry.stem.split("-", 1)[1]) is not None


def test_cached_sources_equal_parsed_sources(schema_dir, cache_dir, monkeypatch):
    cache = PlanCache(cache_dir)
    monkeypatch.chdir(schema_dir.parent)
    (schema_dir / "renamed.sql").write_text("-- pgdiff: renamed from old_things\nCREATE TABLE things (id int);\n")
    parsed = resolve_sources(["schema"])
    assert [(r.kind, r.new_key, r.old_name) for r in parsed.renames] == [("table", ("public", "things"), "old_things")]
    stored = resolve_sources(["schema"], cache)
    cached = resolve_sources(["schema"], cache)
    # A warm plan reads the renames but not the statements: those stay pickled until first read.
    assert isinstance(cached.pickled_statements, bytes)
    assert cached.renames == parsed.renames
    assert parsed == stored == cached
    assert [(s.text, s.file, s.line, s.leading, s.leading_line) for s in cached.statements] == [
        (s.text, s.file, s.line, s.leading, s.leading_line) for s in parsed.statements
    ]
    assert cached.statements[0].tree is not None  # parsed again on demand


def test_only_the_newest_entries_are_kept(cache_dir):
    cache = PlanCache(cache_dir)
    for number in range(KEEP_ENTRIES + 3):
        cache.put("desired", f"{number:064x}", number)
        os.utime(cache_dir / f"desired-{number:064x}.pickle", (number, number))
    kept = sorted(int(p.stem.split("-")[1], 16) for p in cache_dir.glob("desired-*.pickle"))
    assert kept == list(range(3, KEEP_ENTRIES + 3))
    assert cache.get("desired", f"{KEEP_ENTRIES + 2:064x}") == KEEP_ENTRIES + 2
    assert oct(cache_dir.stat().st_mode & 0o777) == oct(0o700)


# A CHECK the target holds in PostgreSQL's print of the files' text, which prints differently again: the same
# constraint, settled by reading both texts back on a scratch database, and then from the cache.
PRINTED_CHECK = (
    "CREATE TABLE tickets (id int, status varchar(10) CONSTRAINT tickets_status CHECK "
    "(((status)::text = ANY ((ARRAY['new'::character varying, 'done'::character varying])::text[]))));"
)
WRITTEN_CHECK = (
    "CREATE TABLE tickets (id int, status varchar(10) CONSTRAINT tickets_status CHECK (status IN ('new', 'done')),"
    " note text);"
)


def test_settled_texts_are_cached_with_the_model(pg, tmp_path, cache_dir, no_createdb_url):
    target = pg.url(new_database(pg, PRINTED_CHECK))
    folder = tmp_path / "settled"
    folder.mkdir()
    (folder / "tickets.sql").write_text(WRITTEN_CHECK)
    options = ("--cache-dir", str(cache_dir))
    cold = plan_json(target, folder, pg.url(), *options)
    assert statements(cold) == ["ALTER TABLE public.tickets ADD COLUMN note text"]
    assert list(cache_dir.glob("settled-*.pickle"))
    # The desired model and the verdict both come from the cache: no database is created, not even to settle.
    warm = plan_json(target, folder, no_createdb_url, *options)
    assert statements(warm) == statements(cold)


def test_text_output_reuses_the_statements_layouts(pg, schema_dir, cache_dir):
    target = pg.url(new_database(pg, CURRENT))
    args = ["plan", str(schema_dir), "--db", target, "--dev-url", pg.url(), "--cache-dir", str(cache_dir)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    entries = list(cache_dir.glob("pretty-*.pickle"))
    assert len(entries) == 1
    # The second run shows what the entry holds: a layout changed in the entry is what it prints.
    cache = PlanCache(cache_dir)
    key = entries[0].name.removeprefix("pretty-").removesuffix(".pickle")
    layouts = cache.get("pretty", key)
    assert isinstance(layouts, dict) and layouts
    marked = {sql: f"{text}\n-- from the cache" for sql, text in layouts.items()}
    cache.put("pretty", key, marked)
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert second.stdout.count("-- from the cache") == len(layouts)
    assert second.stdout.replace("\n    -- from the cache", "") == first.stdout
