"""Failures the property-based convergence test found (`make test-long`), shrunk by hand to plain pairs of
SQL scripts, each run both ways as the property test runs them (column order ignored: a column a mutation
dropped comes back last)."""

from __future__ import annotations

import pytest

from tests.pg import assert_converges

# A column added back comes last, so an extended statistics object on it prints its columns in another order
# (PostgreSQL keeps them in the table's column order): still the same object, not planned again.
STATISTICS_ON_A_COLUMN_ADDED_BACK = (
    """
CREATE TABLE accounts (obj_2 numeric(10,2) NOT NULL, id integer NOT NULL PRIMARY KEY, flag integer);
CREATE STATISTICS obj_5 ON obj_2, id FROM accounts;
""",
    """
CREATE TABLE accounts (id integer NOT NULL PRIMARY KEY, flag integer);
""",
)

# Comments and statistics targets of columns pg_dump prints in column order.
COLUMN_STATEMENTS_OF_A_COLUMN_ADDED_BACK = (
    """
CREATE TABLE accounts (id numeric(10,2) NOT NULL PRIMARY KEY, "Name" text NOT NULL, obj_2 text);
COMMENT ON COLUMN accounts.id IS 'the key';
COMMENT ON COLUMN accounts.obj_2 IS 'the key';
ALTER TABLE ONLY accounts ALTER COLUMN id SET STATISTICS 0;
ALTER TABLE ONLY accounts ALTER COLUMN "Name" SET STATISTICS 0;
""",
    """
CREATE TABLE accounts ("Name" text NOT NULL, obj_2 text);
COMMENT ON COLUMN accounts.obj_2 IS 'the key';
ALTER TABLE ONLY accounts ALTER COLUMN "Name" SET STATISTICS 0;
""",
)

# Two alike keys (or indexes) of a partitioned table: PostgreSQL numbers the partitions' copies in the order
# it makes them (`p_id_key`, `p_id_key1`), and pg_dump prints which copy belongs to which. A database whose
# keys were made in another order than the files' has them the other way round: renamed, through temporary
# names, with nothing else to change.
ALIKE = """
CREATE TABLE accounts (id int NOT NULL, "Name" int NOT NULL, {first}, {second}) PARTITION BY RANGE (id);
CREATE TABLE obj_8 PARTITION OF accounts DEFAULT;
CREATE INDEX {index_a} ON accounts (id);
CREATE INDEX {index_b} ON accounts (id);
"""
DEFERRABLE_KEY = 'CONSTRAINT obj_10 UNIQUE (id) INCLUDE ("Name") DEFERRABLE'
IMMEDIATE_KEY = 'CONSTRAINT "Obj 12" UNIQUE (id) INCLUDE ("Name")'
ALIKE_KEYS_MADE_IN_ANOTHER_ORDER = (
    ALIKE.format(first=IMMEDIATE_KEY, second=DEFERRABLE_KEY, index_a="by_id_a", index_b="by_id_b"),
    ALIKE.format(first=DEFERRABLE_KEY, second=IMMEDIATE_KEY, index_a="by_id_b", index_b="by_id_a"),
)

# A new table's keys are made in the files' order, not by name ("Obj 12" sorts before "obj_10"): the copies
# of alike keys on its partitions are numbered in that order.
NEW_TABLE_WITH_ALIKE_KEYS = (
    "CREATE TABLE accounts (id int PRIMARY KEY);",
    """
CREATE TABLE accounts (id int PRIMARY KEY);
CREATE TABLE "Order" (
    id int NOT NULL,
    "Name" int NOT NULL,
    CONSTRAINT obj_9 PRIMARY KEY (id),
    CONSTRAINT obj_10 UNIQUE (id) INCLUDE ("Name") DEFERRABLE,
    CONSTRAINT obj_11 UNIQUE (id) INCLUDE ("Name") DEFERRABLE,
    CONSTRAINT "Obj 12" UNIQUE (id) INCLUDE ("Name")
) PARTITION BY RANGE (id);
CREATE TABLE obj_8 PARTITION OF "Order" DEFAULT;
""",
)

PAIRS = {
    "new-table-with-alike-keys": NEW_TABLE_WITH_ALIKE_KEYS,
    "alike-keys-made-in-another-order": ALIKE_KEYS_MADE_IN_ANOTHER_ORDER,
    "statistics-on-a-column-added-back": STATISTICS_ON_A_COLUMN_ADDED_BACK,
    "column-statements-of-a-column-added-back": COLUMN_STATEMENTS_OF_A_COLUMN_ADDED_BACK,
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pair_converges_both_ways(pg, name):
    a, b = PAIRS[name]
    assert not assert_converges(pg, a, b, ignore_column_order=True).plan.is_empty
    assert not assert_converges(pg, b, a, ignore_column_order=True).plan.is_empty


def test_copies_named_otherwise_are_only_renamed(pg):
    a, b = ALIKE_KEYS_MADE_IN_ANOTHER_ORDER
    result = assert_converges(pg, a, b)
    assert result.sql and all(" RENAME " in sql for sql in result.sql), result.sql
    assert {statement.action for statement in result.plan.statements} == {"rename"}
