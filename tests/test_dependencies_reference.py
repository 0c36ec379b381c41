"""`Model.dependencies` against an independent oracle, on every schema of the dependency-heavy test cases.

pgdiff reads pg_depend by object ids and names both ends from the ids the other catalog queries return
(`catalog._dependencies`). `tests/sql/dependencies_by_name.sql` is how it named them before, on the server,
in SQL: one big query that folds sub-objects into what the model manages. Both must find the same pairs on
every schema below (functions, enums, composites, domains, ranges, generated columns, triggers, views,
materialized views, partitions, keys and foreign keys, and the shipped examples), on every version.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from pgdiff.catalog import SESSION_SETTINGS, inspect
from pgdiff.model import KindKey
from tests import (
    test_convergence_dependencies,
    test_convergence_partitions,
    test_convergence_tables,
    test_convergence_types,
    test_convergence_views,
)
from tests.convergence import case_by_id
from tests.pg import EXAMPLE_ROLES, ensure_roles, new_database, server_major

REPO = Path(__file__).resolve().parent.parent
REFERENCE = (Path(__file__).parent / "sql" / "dependencies_by_name.sql").read_text()


def _schemas() -> list[object]:
    """Each case's desired schema, and the examples' current schemas; each once (CASES is often the sum of
    the other lists of its module)."""
    schemas: dict[str, str] = {}
    for module in (
        test_convergence_dependencies,
        test_convergence_types,
        test_convergence_views,
        test_convergence_tables,
        test_convergence_partitions,
    ):
        for name, cases in vars(module).items():
            if name.endswith("CASES") and isinstance(cases, list | tuple):
                for case in cases:
                    if case.min_server is None or server_major() >= case.min_server:
                        schemas[f"{module.__name__.rsplit('_', 1)[-1]}:{case.id}"] = case.b
    for example in ("mindhill", "workflow-engine"):
        schemas[f"example:{example}"] = (REPO / "examples" / example / "current.sql").read_text()
    return [pytest.param(sql, id=schema_id) for schema_id, sql in schemas.items()]


def reference_pairs(conn: psycopg.Connection, holds) -> set[tuple[KindKey, KindKey]]:
    with conn.transaction():
        conn.execute(SESSION_SETTINGS)
        rows = conn.execute(REFERENCE).fetchall()
    pairs = {((kind, tuple(key)), (ref_kind, tuple(ref_key))) for kind, key, ref_kind, ref_key in rows}
    return {pair for pair in pairs if holds(pair[0]) and holds(pair[1])}


@pytest.fixture(scope="module")
def roles(pg) -> None:
    ensure_roles(pg, *EXAMPLE_ROLES)


@pytest.mark.parametrize("sql", _schemas())
def test_dependencies_match_the_reference_query(pg, roles, sql):
    with psycopg.connect(pg.conninfo(new_database(pg, sql)), autocommit=True) as conn:
        model = inspect(conn)
        expected = reference_pairs(conn, model.holds)
    assert set(model.dependencies) == expected


def test_the_reference_is_not_empty(pg, roles):
    """The comparison above is worth something: on a real schema the oracle finds many pairs."""
    found: set[tuple[KindKey, KindKey]] = set()
    rich_case = case_by_id(
        test_convergence_dependencies.CASES, "enum-label-removed-while-check-and-view-and-index-all-use-it"
    )
    schemas = [(REPO / "examples" / name / "current.sql").read_text() for name in ("mindhill", "workflow-engine")]
    for sql in (*schemas, rich_case.b):
        with psycopg.connect(pg.conninfo(new_database(pg, sql)), autocommit=True) as conn:
            found |= reference_pairs(conn, inspect(conn).holds)
    assert len(found) > 50
    assert {pair[0][0] for pair in found} >= {"column", "constraint", "index", "trigger", "default", "view"}
