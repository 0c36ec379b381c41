"""Introspection: a fixed number of queries, system and extension objects left out."""

from __future__ import annotations

import psycopg

from pgdiff.catalog import QUERY_NAMES, inspect
from tests.pg import new_database


def _count_queries(pg, dbname: str) -> int:
    queries: list[str] = []
    with psycopg.connect(pg.conninfo(dbname)) as conn:
        inspect(conn, on_query=queries.append)
    return len(queries)


def _tables_sql(n: int) -> str:
    return "\n".join(
        f"CREATE TABLE t{i} (id int PRIMARY KEY, v text CHECK (v <> ''), r int REFERENCES t0 (id));"
        f"CREATE INDEX t{i}_v ON t{i} (v);"
        for i in range(n)
    ).replace("r int REFERENCES t0 (id)", "r int", 1)


def test_query_count_does_not_grow_with_tables(pg):
    small = _count_queries(pg, new_database(pg, _tables_sql(10)))
    large = _count_queries(pg, new_database(pg, _tables_sql(1000)))
    assert small == large == len(QUERY_NAMES)


def test_inspection_sees_every_table_once(pg):
    model_db = new_database(pg, _tables_sql(50))
    with psycopg.connect(pg.conninfo(model_db)) as conn:
        model = inspect(conn)
    assert len(model.tables) == 50
    assert len(model.indexes) == 50
    assert sum(c.kind == "f" for c in model.constraints.values()) == 49


def test_extension_objects_and_system_schemas_are_left_out(pg):
    dbname = new_database(
        pg,
        "CREATE EXTENSION pg_trgm; CREATE TABLE t (name text);CREATE INDEX t_trgm ON t USING gin (name gin_trgm_ops);",
    )
    with psycopg.connect(pg.conninfo(dbname)) as conn:
        model = inspect(conn)
    assert set(model.extensions) == {"pg_trgm"}
    assert set(model.tables) == {("public", "t")}
    assert set(model.schemas) == {"public"}
    assert model.indexes[("public", "t_trgm")].body == "(name public.gin_trgm_ops)"


def test_inspection_leaves_the_connection_as_it_found_it(pg):
    with psycopg.connect(pg.conninfo(new_database(pg)), autocommit=True) as conn:
        conn.execute("SET search_path = public")
        inspect(conn)
        assert conn.autocommit is True
        assert conn.execute("SHOW search_path").fetchone() == ("public",)


def test_a_generated_column_stands_on_what_its_expression_reads_on_every_version(pg):
    """PostgreSQL 14 records these as automatic dependencies of the column itself, 15 and later as normal ones
    of its pg_attrdef entry: both read as the column's `default` standing on the function and the column."""
    sql = """
        CREATE FUNCTION twice(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT $1 * 2';
        CREATE TABLE t (a int, b int GENERATED ALWAYS AS (twice(a)) STORED, c int DEFAULT twice(1));
    """
    with psycopg.connect(pg.conninfo(new_database(pg, sql))) as conn:
        dependencies = inspect(conn).dependencies
    assert dependencies == {
        (("default", ("public", "t", "b")), ("function", ("public", "twice", "integer"))),
        (("default", ("public", "t", "b")), ("column", ("public", "t", "a"))),
        (("default", ("public", "t", "c")), ("function", ("public", "twice", "integer"))),
    }
