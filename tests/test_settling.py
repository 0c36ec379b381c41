"""Settling expressions PostgreSQL prints differently: only the part of the desired state the suspect texts
need is built to read them back (a 500-table schema with a few changed CHECKs builds a few tables, not all),
and what they read back as decides."""

from __future__ import annotations

import psycopg

from pgdiff.catalog.canonical import drop_equivalent, settling_scope
from pgdiff.diff import diff
from pgdiff.pipeline import materialize
from tests.pg import inspect_db, new_database

BASE = """
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE FUNCTION positive(n int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT n > 0';
CREATE SEQUENCE ticket_numbers;
CREATE TABLE accounts (id int PRIMARY KEY);
CREATE TABLE tickets (
    id int PRIMARY KEY DEFAULT nextval('ticket_numbers'),
    account_id int REFERENCES accounts,
    feeling mood,
    status varchar(10),
    amount int
);
CREATE TABLE unrelated (id int PRIMARY KEY, note text CHECK (note <> ''));
CREATE INDEX unrelated_note ON unrelated (note);
CREATE VIEW open_tickets AS SELECT id, status FROM tickets WHERE status <> 'done';
CREATE VIEW unrelated_notes AS SELECT note FROM unrelated;
"""
# The current CHECK is PostgreSQL's print of the desired one: the same constraint, printed differently.
CURRENT = BASE + (
    "ALTER TABLE tickets ADD CONSTRAINT tickets_status CHECK "
    "(((status)::text = ANY ((ARRAY['new'::character varying, 'done'::character varying])::text[])));\n"
    "ALTER TABLE tickets ADD CONSTRAINT tickets_amount CHECK (positive(amount));\n"
)
DESIRED = BASE + (
    "ALTER TABLE tickets ADD CONSTRAINT tickets_status CHECK (status IN ('new', 'done'));\n"
    "ALTER TABLE tickets ADD CONSTRAINT tickets_amount CHECK (positive(amount) AND amount < 100);\n"
)


def test_the_scope_is_the_suspects_tables_and_what_they_stand_on(pg):
    current = inspect_db(pg, new_database(pg, CURRENT))
    desired = inspect_db(pg, new_database(pg, DESIRED))
    changes = diff(current, desired)
    scope = settling_scope(current, desired, changes)
    assert set(scope.tables) == {("public", "tickets")}
    assert set(scope.enums) == {("public", "mood")}
    assert set(scope.sequences) == {("public", "ticket_numbers")}
    assert [key[1] for key in scope.functions] == ["positive"]
    assert not scope.views and not scope.constraints and not scope.indexes


def test_the_scope_settles_as_the_whole_state_does(pg):
    current = inspect_db(pg, new_database(pg, CURRENT))
    desired = inspect_db(pg, new_database(pg, DESIRED))
    changes = diff(current, desired)
    with psycopg.connect(pg.conninfo(new_database(pg)), autocommit=True) as scratch:
        materialize(scratch, settling_scope(current, desired, changes))
        kept = drop_equivalent(changes, scratch)
        built = {row[0] for row in scratch.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert built == {"tickets"}
    # The reprinted CHECK is the same constraint; the one with a new condition is a change.
    assert [(c.kind, c.key[-1]) for c in kept] == [("constraint", "tickets_amount")]


def test_a_view_suspect_brings_what_the_view_reads(pg):
    current = inspect_db(pg, new_database(pg, BASE))
    desired = inspect_db(pg, new_database(pg, BASE.replace("status <> 'done'", "status NOT IN ('done', 'gone')")))
    changes = diff(current, desired)
    scope = settling_scope(current, desired, changes)
    assert set(scope.tables) == {("public", "tickets")}
    assert set(scope.views) == {("public", "open_tickets")}
