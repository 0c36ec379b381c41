"""Property: any random schema and any random mutation of it converge, both ways (issue 8, part 4).

The schemas and mutations come from `tests/random_schemas.py`. `make test` runs a bounded, derandomized
number of examples (the same ones on every run, so CI is reproducible); `make test-long` sets
PGDIFF_HYPOTHESIS_PROFILE=long for many more random ones, whose failures hypothesis saves in its local
example database and replays first on the next run. A failure found this way is shrunk by hypothesis and
then belongs, as a plain pair of SQL scripts, in `tests/test_property_regressions.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from hypothesis import HealthCheck, given, note, settings

from pgdiff.cluster import Cluster
from tests.pg import assert_converges, ensure_roles, server_major
from tests.random_schemas import GRANTEE, render, schema_pairs

PROFILES = {
    "default": settings(max_examples=20, derandomize=True, database=None),
    "long": settings(max_examples=400),
}
PROFILE = os.environ.get("PGDIFF_HYPOTHESIS_PROFILE", "default")
SETTINGS = settings(
    PROFILES[PROFILE],
    deadline=None,
    # Each example loads databases: slow by design, and the session's cluster is shared on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _databases(pg: Cluster) -> set[str]:
    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


@contextmanager
def dropping_new_databases(pg: Cluster) -> Iterator[None]:
    """Drop the databases an example creates: hundreds of examples would otherwise fill the disk."""
    before = _databases(pg)
    try:
        yield
    finally:
        with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
            for name in sorted(_databases(pg) - before):
                conn.execute(psycopg.sql.SQL("DROP DATABASE {} WITH (FORCE)").format(psycopg.sql.Identifier(name)))


@SETTINGS
@given(pair=schema_pairs(server_major()))
def test_random_schema_and_mutation_converge_both_ways(pg, pair):
    ensure_roles(pg, GRANTEE)
    a, b = (render(schema) for schema in pair)
    note(f"-- a\n{a}\n-- b\n{b}")
    with dropping_new_databases(pg):
        # Column order: b -> a adds back at the end the columns a mutation dropped.
        assert_converges(pg, a, b, ignore_column_order=True)
        assert_converges(pg, b, a, ignore_column_order=True)
