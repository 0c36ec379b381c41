"""The benchmark's synthetic schema (bench/generate.py) is a schema pgdiff handles: it loads from files,
converges from an empty database, and its 5% variant plans exactly the changes it made. No timing here:
`make bench` measures."""

from __future__ import annotations

from pathlib import Path

import pgdiff
from bench.generate import build_tables, generate, generate_changed, render
from tests.pg import new_database

TABLES = 50  # one of them range-partitioned


def test_generator_is_deterministic_and_varied():
    assert render(build_tables(60, seed=3)) == render(build_tables(60, seed=3))
    assert render(build_tables(60, seed=3)) != render(build_tables(60, seed=4))
    tables = build_tables(60)
    assert all(8 <= len(t.columns) <= 12 for t in tables)
    assert sum(t.partitioned for t in tables) == 1
    assert all(t.parent is not None for t in tables[1:])


def test_generated_schema_converges_and_the_variant_plans_its_changes(pg, tmp_path: Path):
    schema, changed = tmp_path / "schema", tmp_path / "changed"
    generate(TABLES, schema)
    changes = generate_changed(TABLES, changed)
    target = pg.url(new_database(pg))
    options = {"dev_url": pg.url(), "config": False}

    first = pgdiff.plan([schema], target, **options).plan
    created = {(s.kind, s.object) for s in first.statements if s.action == "create"}
    assert ("table", "app_00.t_00000") in created
    assert ("view", "app_00.v_00009") in created
    assert ("table", "app_00.t_00049_2026_01") in created
    assert any(kind == "function" and name.startswith("app_00.count_g000") for kind, name in created)
    pgdiff.apply([schema], target, allow_hazards=["all"], **options)
    assert pgdiff.plan([schema], target, **options).plan.is_empty

    assert len(changes) == 3  # 5% of 50 tables, rounded up
    planned = pgdiff.plan([changed], target, **options).plan
    assert not planned.is_empty
    for change in changes:
        table = change.table.split(".")[1]
        assert any(change.name in s.sql and table in s.sql for s in planned.statements), change
    pgdiff.apply([changed], target, allow_hazards=["all"], **options)
    assert pgdiff.plan([changed], target, **options).plan.is_empty


def test_the_variant_changes_five_percent_of_tables_with_each_kind(tmp_path: Path):
    changes = generate_changed(200, tmp_path / "changed")
    assert len(changes) == 10
    assert {c.kind for c in changes} == {"add column", "add index", "change default", "add check"}
    assert len({c.table for c in changes}) == 10


def test_rails_structure_and_its_next_version_converge_both_ways(pg, tmp_path: Path):
    """bench/rails.py's structure.sql is pg_dump's own layout: pgdiff loads it, and migrating one version to the
    other ends pg_dump-identical to the files, both ways."""
    from bench.rails import write
    from tests.pg import assert_converges

    current, following = write(60, tmp_path)
    forward = assert_converges(pg, current.read_text(), following.read_text(), ignore_column_order=True)
    kinds = {(s.kind, s.action) for s in forward.plan.statements}
    assert {("table", "create"), ("column", "create"), ("index", "create"), ("constraint", "create")} <= kinds
    assert not assert_converges(pg, following.read_text(), current.read_text(), ignore_column_order=True).plan.is_empty
