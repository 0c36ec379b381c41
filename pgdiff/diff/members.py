"""What a partition gets from its parent and keeps as its own when it leaves it.

DETACH PARTITION turns the partition's copies of its parent's indexes and keys (attached to the parent's)
into the table's own indexes and constraints, under the names they had, and the CHECK constraints it
inherited into local ones. The diff compares the table that leaves against the files with these counted as
the table's, so that what the files do not give it is dropped, and what they give it under the same
definition stays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from pgdiff.diff.changes import Change
from pgdiff.model import Constraint, Index, Model, QualifiedName, Table

Member = tuple[str, str, str, str]  # (schema, table, object, parent object), as Index.partition_indexes
Rename = tuple[str, str, str, str]  # (schema, table, current name, desired name)


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


def copy_renames(current: Iterable[Member], desired: Iterable[Member], root: str) -> list[Rename]:
    """The copies under `root` (named alike on both sides) whose desired name differs, paired level by
    level: a partition holds one copy of each parent index or key, so (table, parent) finds it.

    PostgreSQL names the copy it makes on each partition after the partition and the columns (`p1_a_idx`,
    `p1_a_b_key`, numbered on a clash in creation order) and never renames it: renaming a column or a
    partition, or making two alike keys in another order, leaves names a database built from the files does
    not have."""
    current_by_place = {(schema, table, parent): name for schema, table, name, parent in current}
    desired_below: dict[str, list[Member]] = {}
    for member in desired:
        desired_below.setdefault(member[3], []).append(member)
    renames: list[Rename] = []
    pending = [(root, root)]
    while pending:
        current_parent, desired_parent = pending.pop()
        for schema, table, name, _ in sorted(desired_below.get(desired_parent, ())):
            now = current_by_place.get((schema, table, current_parent))
            if now is None:
                continue  # built or attached by the plan, under its desired name
            if now != name:
                renames.append((schema, table, now, name))
            pending.append((now, name))
    return sorted(renames)


def copy_name_changes(kind: str, current: Mapping[Any, Any], desired: Mapping[Any, Any]) -> list[Change]:
    """An `alter` of attribute `copy_names` for each index or key that is the same on both sides but whose
    partitions' copies are named otherwise (pg_dump prints those names)."""
    changes = []
    for key, wanted in desired.items():
        have = current.get(key)
        if have is None or have != wanted:
            continue  # created, dropped or changed: its copies are built under the desired names
        members = "partition_indexes" if kind == "index" else "partition_keys"
        if copy_renames(getattr(have, members), getattr(wanted, members), wanted.name):
            changes.append(Change(kind, "alter", key, have, wanted, ("copy_names",)))
    return changes
