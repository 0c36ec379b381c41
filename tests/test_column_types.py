"""The rewrite classification of type changes agrees with what PostgreSQL actually does.

A rewrite gives the table a new relfilenode, so each pair is altered on a real server
exactly as the planner writes it, and the file node is compared before and after.
"""

from __future__ import annotations

import psycopg
import pytest

from pgdiff.plan.column_types import classify
from tests.pg import new_database

PAIRS = [
    ("character varying(50)", "character varying(100)"),
    ("character varying(100)", "character varying(50)"),
    ("character varying(50)", "character varying"),
    ("character varying(50)", "text"),
    ("text", "character varying"),
    ("text", "character varying(10)"),
    ("numeric(10,2)", "numeric(12,2)"),
    ("numeric(10,2)", "numeric(10,1)"),
    ("numeric(10,2)", "numeric(12,4)"),
    ("numeric(10,2)", "numeric"),
    ("numeric", "numeric(10,2)"),
    ("integer", "bigint"),
    ("bigint", "integer"),
    ("integer", "text"),
    ("timestamp(3) without time zone", "timestamp(6) without time zone"),
    ("timestamp(6) without time zone", "timestamp(3) without time zone"),
    ("timestamp(3) with time zone", "timestamp with time zone"),
    ("cidr", "inet"),
    ("character(5)", "character(8)"),
    ("character(5)", "text"),
    ("bit varying(8)", "bit varying(16)"),
    ("text[]", "character varying(10)[]"),
    ("character varying(10)[]", "character varying(20)[]"),
    ("character varying(10)[]", "text[]"),
    ("cidr[]", "inet[]"),
    ("integer[]", "bigint[]"),
]

VALUES = {
    "timestamp": "now()",
    "numeric": "1.5",
    "cidr": "'10.0.0.0/8'",
    "bit varying": "B'1010'",
    "character": "'ab'",
}


def _value(column_type: str) -> str:
    if column_type.endswith("[]"):
        return "'{}'"
    for prefix, value in VALUES.items():
        if column_type.startswith(prefix) or column_type == prefix:
            return value
    return "'1'"


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_classification_matches_server(pg, old, new):
    dbname = new_database(pg, f"CREATE TABLE t (c {old}); INSERT INTO t VALUES ({_value(old)});")
    with psycopg.connect(pg.conninfo(dbname), autocommit=True) as conn:
        before = conn.execute("SELECT pg_relation_filenode('t')").fetchone()
        conn.execute(f"ALTER TABLE t ALTER COLUMN c TYPE {new} USING c::{new}")
        after = conn.execute("SELECT pg_relation_filenode('t')").fetchone()
    assert classify(old, new).rewrites == (before != after)


@pytest.mark.parametrize(
    ("old", "new", "loses"),
    [
        ("character varying(100)", "character varying(50)", True),
        ("text", "character varying(10)", True),
        ("numeric(10,2)", "numeric(10,1)", True),
        ("numeric(10,2)", "numeric(12,2)", False),
        ("integer", "bigint", False),
        ("timestamp(6) without time zone", "timestamp(0) without time zone", True),
    ],
)
def test_narrowing_changes_lose_data(old, new, loses):
    assert classify(old, new).loses_data is loses
