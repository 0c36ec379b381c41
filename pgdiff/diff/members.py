"""What a partition gets from its parent and keeps as its own when it leaves it.

DETACH PARTITION turns the partition's copies of its parent's indexes and keys (attached to the parent's)
into the table's own indexes and constraints, under the names they had, and the CHECK constraints it
inherited into local ones. The diff compares the table that leaves against the files with these counted as
the table's, so that what the files do not give it is dropped, and what they give it under the same
definition stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from pgdiff.model import Constraint, Index, Model, QualifiedName, Table

Member = tuple[str, str, str, str]  # (schema, table, object, parent object), as Index.partition_indexes


def leaving_tables(current: Model, desired: Model) -> set[QualifiedName]:
    """Tables that stay but stop being a partition of their current parent."""
    return {
        key
        for key, table in current.tables.items()
        if table.parent is not None and key in desired.tables and desired.tables[key].parent != table.parent
    }


def members_below(members: Iterable[Member], top: str) -> tuple[Member, ...]:
    """The members under the object named `top`, at every level below it."""
    members = tuple(members)
    names, found = {top}, []
    grew = True
    while grew:
        grew = False
        for member in members:
            if member[3] in names and member[2] not in names:
                names.add(member[2])
                found.append(member)
                grew = True
    return tuple(sorted(found))


def detached_indexes(current: Model, leaving: set[QualifiedName]) -> dict[QualifiedName, Index]:
    """The indexes the `leaving` tables keep as their own after DETACH, by key."""
    found: dict[QualifiedName, Index] = {}
    for root in current.indexes.values():
        for schema, table, name, _ in root.partition_indexes:
            if (schema, table) in leaving:
                below = members_below(root.partition_indexes, name)
                found[(schema, name)] = replace(root, schema=schema, name=name, table=table, partition_indexes=below)
    return found


def _ancestors(tables: dict[QualifiedName, Table], table: Table) -> list[QualifiedName]:
    found = []
    while table.parent is not None and table.parent in tables:
        found.append(table.parent)
        table = tables[table.parent]
    return found


def detached_constraints(current: Model, leaving: set[QualifiedName]) -> dict[tuple[str, str, str], Constraint]:
    """The keys and CHECK constraints the `leaving` tables keep as their own after DETACH, by key."""
    found: dict[tuple[str, str, str], Constraint] = {}
    for root in current.constraints.values():
        for schema, table, name, _ in root.partition_keys:
            if (schema, table) in leaving:
                below = members_below(root.partition_keys, name)
                key = replace(root, schema=schema, table=table, name=name, index_name=name, partition_keys=below)
                found[key.key] = key
    for table_key in leaving:
        table = current.tables[table_key]
        ancestors = set(_ancestors(current.tables, table))
        for check in current.constraints.values():
            if check.kind == "c" and check.table_key in ancestors and not check.definition.endswith(" NO INHERIT"):
                copy = replace(check, schema=table.schema, table=table.name)
                found.setdefault(copy.key, copy)
    return found
