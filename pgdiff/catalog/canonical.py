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

from dataclasses import replace
from typing import Any

import psycopg

from pgdiff.catalog import SESSION_SETTINGS
from pgdiff.diff import Change
from pgdiff.model import Column, Constraint, Index, KindKey, Model, Policy, View
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
    return without_equivalent(changes, equivalent_suspects(suspects, scratch) if suspects else [])


def without_equivalent(changes: list[Change], verdicts: list[bool]) -> list[Change]:
    """`changes` without the suspects (in order) whose verdict is that their two texts mean the same."""
    suspects = [c for c in changes if is_suspect(c)]
    equivalent = {id(change) for change, same in zip(suspects, verdicts, strict=True) if same}
    return [c for c in changes if id(c) not in equivalent]


def equivalent_suspects(suspects: list[Change], scratch: psycopg.Connection) -> list[bool]:
    """For each suspect change, whether its two texts read back equal on `scratch` (left unchanged)."""
    verdicts: list[bool] = []
    previous_autocommit = scratch.autocommit
    scratch.autocommit = False
    try:
        with scratch.cursor() as cur:
            cur.execute(SESSION_SETTINGS)  # texts print as an inspection prints them
            verdicts = [_reads_back_equal(cur, change) for change in suspects]
        scratch.rollback()
    finally:
        scratch.autocommit = previous_autocommit
    return verdicts


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


# The object a suspect change's text is read back as, and whether it stands on a table of the desired state.
_SUSPECT_REF = {"constraint": "constraint", "index": "index", "column": "default", "view": "view", "policy": "policy"}
_CARRIED_KINDS = ("sequence", "enum", "composite", "domain", "range", "function", "view", "collation")


def settling_scope(current: Model, desired: Model, changes: list[Change]) -> Model:
    """The part of `desired` that reading back the suspect changes' texts needs: the tables they stand on
    (columns, defaults, parents), the views, and whatever those and both texts depend on (types, functions,
    sequences, collations, other tables and views). Building only that is what makes settling a few texts of
    a 500-table schema cost a few statements instead of all of them. Keys, indexes, triggers, policies,
    grants and comments are left out: the probes create their own."""
    pending: list[KindKey] = []
    for change in changes:
        if not is_suspect(change):
            continue
        ref: KindKey = (_SUSPECT_REF[change.kind], change.key)
        pending.append(ref)
        pending += [dep for dep in current.uses_index.get(ref, ()) if desired.holds(dep)]
        if change.kind != "view":
            pending.append(("table", change.key[:2]))
    tables: set[tuple[str, str]] = set()
    carried: dict[str, set[Any]] = {kind: set() for kind in _CARRIED_KINDS}
    seen: set[KindKey] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        kind, key = ref
        pending += desired.uses_index.get(ref, ())
        if kind in ("column", "default") or (kind == "table" and key in desired.tables):
            table_key = (key[0], key[1])
            if table_key not in tables and table_key in desired.tables:
                tables.add(table_key)
                pending += _table_needs(desired, desired.tables[table_key])
        elif kind == "table" and key in desired.views:  # an index on a materialized view
            pending.append(("view", key))
        elif kind in carried:
            carried[kind].add(key)
    return _subset(desired, tables, carried)


def _table_needs(desired: Model, table: Any) -> list[KindKey]:
    needs: list[KindKey] = [("table", parent) for parent in ((table.parent,) if table.parent else ()) + table.inherits]
    for column in table.columns:
        needs += [("column", (*table.key, column.name)), ("default", (*table.key, column.name))]
    return needs


def _subset(desired: Model, tables: set[tuple[str, str]], carried: dict[str, set[Any]]) -> Model:
    def kept(objects: dict[Any, Any], kind: str) -> dict[Any, Any]:
        return {key: obj for key, obj in objects.items() if key in carried[kind]}

    sequences = {
        key: replace(sequence, owned_by=None) if sequence.owned_by and sequence.owned_by[:2] not in tables else sequence
        for key, sequence in kept(desired.sequences, "sequence").items()
    }
    subset = replace(
        desired,
        tables={key: desired.tables[key] for key in tables},
        constraints={},
        indexes={},
        sequences=sequences,
        enums=kept(desired.enums, "enum"),
        composites=kept(desired.composites, "composite"),
        domains=kept(desired.domains, "domain"),
        ranges=kept(desired.ranges, "range"),
        functions=kept(desired.functions, "function"),
        triggers={},
        views=kept(desired.views, "view"),
        row_security={},
        collations=kept(desired.collations, "collation"),
        statistics={},
        comments={},
        grants={},
        owners={},
        default_privileges={},
        policies={},
    )
    pairs = frozenset(pair for pair in desired.dependencies if subset.holds(pair[0]) and subset.holds(pair[1]))
    return replace(subset, dependencies=pairs)
