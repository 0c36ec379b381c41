"""Decides whether two differently printed expressions mean the same thing.

PostgreSQL does not print every expression in a form that reads back unchanged:
`CHECK (status IN ('a', 'b'))` on a varchar column prints with an array cast that,
executed again, prints differently. So a database migrated by pgdiff and a
database built from the files can hold the same constraint as different text.
When the diff finds an object whose only difference is such text, both texts are
read back once through the same server, in a scratch database, inside a
transaction that is always rolled back; equal results mean the object is
unchanged. Only suspect objects are round-tripped, so a clean diff costs nothing.
"""

from __future__ import annotations

import psycopg

from pgdiff.catalog import SESSION_SETTINGS
from pgdiff.diff import Change
from pgdiff.model import Column, Constraint, Index, Policy, View
from pgdiff.quoting import ident, qualified

_PROBE = "pgdiff_canonical_probe"


def is_suspect(change: Change) -> bool:
    """A change whose only difference is expression text that may print differently."""
    if change.action != "alter":
        return False
    if change.kind == "constraint":
        return change.attributes == ("definition",) and change.current.kind in ("c", "x")
    if change.kind == "index":
        return change.attributes == ("body",)
    if change.kind == "column":
        return change.attributes == ("default",) and not change.desired.generated and change.current.default is not None
    if change.kind == "view":
        return change.attributes == ("definition",)
    if change.kind == "policy":
        return set(change.attributes) <= {"using", "check"}
    return False


def drop_equivalent(changes: list[Change], scratch: psycopg.Connection) -> list[Change]:
    """`changes` without those whose two texts read back equal on `scratch` (which is left unchanged)."""
    suspects = [c for c in changes if is_suspect(c)]
    if not suspects:
        return changes
    equivalent: set[int] = set()
    previous_autocommit = scratch.autocommit
    scratch.autocommit = False
    try:
        with scratch.cursor() as cur:
            cur.execute(SESSION_SETTINGS)  # texts print as an inspection prints them
            for change in suspects:
                if _reads_back_equal(cur, change):
                    equivalent.add(id(change))
        scratch.rollback()
    finally:
        scratch.autocommit = previous_autocommit
    return [c for c in changes if id(c) not in equivalent]


def _reads_back_equal(cur: psycopg.Cursor, change: Change) -> bool:
    try:
        return _read_back(cur, change, change.current) == _read_back(cur, change, change.desired)
    except psycopg.Error:
        return False  # the current text does not even apply to the desired table: it did change


def _read_back(
    cur: psycopg.Cursor, change: Change, side: Constraint | Index | Column | View | Policy
) -> str | tuple[str | None, str | None] | None:
    """Create `side`'s text on the desired object's table under a probe name and return how it prints."""
    cur.execute("SAVEPOINT pgdiff_probe")
    try:
        if isinstance(side, Constraint):
            return _constraint_text(cur, side, change.desired)
        if isinstance(side, Index):
            return _index_text(cur, side, change.desired)
        if isinstance(side, View):
            return _view_text(cur, side)
        if isinstance(side, Policy):
            return _policy_text(cur, side, change.desired)
        schema, table, _ = change.key
        return _default_text(cur, side, schema, table)
    finally:
        cur.execute("ROLLBACK TO SAVEPOINT pgdiff_probe")


def _constraint_text(cur: psycopg.Cursor, constraint: Constraint, desired: Constraint) -> str | None:
    table = qualified(desired.schema, desired.table)
    not_valid = " NOT VALID" if constraint.kind == "c" else ""
    cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {ident(_PROBE)} {constraint.definition}{not_valid}")
    cur.execute(
        "SELECT pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint "
        "WHERE conrelid = %s::regclass AND conname = %s",
        [table, _PROBE],
    )
    row = cur.fetchone()
    return row[0].removesuffix(" NOT VALID") if row else None


def _index_text(cur: psycopg.Cursor, index: Index, desired: Index) -> str | None:
    method = ident(index.method)
    unique = "UNIQUE " if index.unique else ""
    table = qualified(desired.schema, desired.table)
    cur.execute(f"CREATE {unique}INDEX {ident(_PROBE)} ON {table} USING {method} {index.body}")
    cur.execute("SELECT pg_catalog.pg_get_indexdef(%s::regclass)", [qualified(desired.schema, _PROBE)])
    row = cur.fetchone()
    return row[0].split(f" USING {method} ", 1)[-1] if row else None


def _default_text(cur: psycopg.Cursor, column: Column, schema: str, table: str) -> str | None:
    table_name = qualified(schema, table)
    cur.execute(f"ALTER TABLE {table_name} ALTER COLUMN {ident(column.name)} SET DEFAULT {column.default}")
    cur.execute(
        "SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d "
        "JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
        "WHERE d.adrelid = %s::regclass AND a.attname = %s",
        [table_name, column.name],
    )
    row = cur.fetchone()
    return row[0] if row else None


def _view_text(cur: psycopg.Cursor, view: View) -> str | None:
    """A view's query, created as a plain view under a probe name in the view's schema."""
    cur.execute(f"CREATE VIEW {qualified(view.schema, _PROBE)} AS {view.definition}")
    cur.execute("SELECT pg_catalog.pg_get_viewdef(%s::regclass, false)", [qualified(view.schema, _PROBE)])
    row = cur.fetchone()
    return row[0] if row else None


def _policy_text(cur: psycopg.Cursor, policy: Policy, desired: Policy) -> tuple[str | None, str | None] | None:
    """A policy's USING and WITH CHECK, created under a probe name on the desired policy's table."""
    table = qualified(desired.schema, desired.table)
    clauses = (f" USING ({policy.using})" if policy.using is not None else "") + (
        f" WITH CHECK ({policy.check})" if policy.check is not None else ""
    )
    cur.execute(f"CREATE POLICY {ident(_PROBE)} ON {table}{clauses}")
    cur.execute(
        "SELECT pg_catalog.pg_get_expr(polqual, polrelid), pg_catalog.pg_get_expr(polwithcheck, polrelid) "
        "FROM pg_catalog.pg_policy WHERE polrelid = %s::regclass AND polname = %s",
        [table, _PROBE],
    )
    row = cur.fetchone()
    return (row[0], row[1]) if row else None
