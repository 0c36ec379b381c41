"""Compares two models kind by kind and lists what differs as typed `Change`s.

The diff knows nothing about SQL, ordering or locks: it says that an object is
missing (`create`), unexpected (`drop`), or present with different attributes
(`alter`, naming the attributes). Whether an `alter` can be done in place is the
planner's decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from pgdiff.diff.changes import Change
from pgdiff.diff.members import copy_name_changes, detached_constraints, detached_indexes, leaving_tables
from pgdiff.model import Column, Extension, Model, Table


def diff(current: Model, desired: Model) -> list[Change]:
    """Everything that must change for `current` to become `desired`."""
    changes: list[Change] = []
    changes += _diff_simple("schema", current.schemas, desired.schemas)
    changes += _diff_extensions(current.extensions, desired.extensions)
    changes += _diff_tables(current.tables, desired.tables)
    # A table leaving its parent keeps the copies of its parent's keys, indexes and checks as its own.
    leaving = leaving_tables(current, desired)
    current_constraints, current_indexes = current.constraints, current.indexes
    if leaving:
        current_constraints = detached_constraints(current, leaving) | current_constraints
        current_indexes = detached_indexes(current, leaving) | current_indexes
    changes += _diff_simple("constraint", current_constraints, desired.constraints)
    changes += _diff_simple("index", current_indexes, desired.indexes)
    changes += copy_name_changes("constraint", current_constraints, desired.constraints)
    changes += copy_name_changes("index", current_indexes, desired.indexes)
    changes += _diff_simple("sequence", current.sequences, desired.sequences)
    changes += _diff_simple("enum", current.enums, desired.enums)
    changes += _diff_simple("composite", current.composites, desired.composites)
    changes += _diff_simple("domain", current.domains, desired.domains)
    changes += _diff_simple("range", current.ranges, desired.ranges)
    changes += _diff_simple("function", current.functions, desired.functions)
    changes += _diff_simple("trigger", current.triggers, desired.triggers)
    changes += _diff_simple("view", current.views, desired.views)
    changes += _diff_simple("row_security", current.row_security, desired.row_security)
    changes += _diff_simple("policy", current.policies, desired.policies)
    changes += _diff_simple("collation", current.collations, desired.collations)
    changes += _diff_simple("statistics", current.statistics, desired.statistics)
    changes += _diff_simple("comment", current.comments, desired.comments)
    changes += _diff_simple("grant", current.grants, desired.grants)
    changes += _diff_simple("owner", current.owners, desired.owners)
    changes += _diff_simple("default_privileges", current.default_privileges, desired.default_privileges)
    return changes


def _as_key(key: Any) -> tuple[str, ...]:
    return key if isinstance(key, tuple) else (key,)


def differing_attributes(current: Any, desired: Any) -> tuple[str, ...]:
    if current == desired:  # the common case, settled by the dataclass's own comparison at once
        return ()
    return tuple(f.name for f in fields(current) if f.compare and getattr(current, f.name) != getattr(desired, f.name))


def _diff_simple(kind: str, current: Mapping[Any, Any], desired: Mapping[Any, Any]) -> list[Change]:
    changes = []
    for key in sorted(desired.keys() - current.keys()):
        changes.append(Change(kind, "create", _as_key(key), desired=desired[key]))
    for key in sorted(current.keys() - desired.keys()):
        changes.append(Change(kind, "drop", _as_key(key), current=current[key]))
    # Most objects are equal: only the others are sorted (tens of thousands of keys at 10,000 tables).
    for key in sorted(key for key in current.keys() & desired.keys() if current[key] != desired[key]):
        attributes = differing_attributes(current[key], desired[key])
        changes.append(Change(kind, "alter", _as_key(key), current[key], desired[key], attributes))
    return changes


def _diff_extensions(current: Mapping[str, Extension], desired: Mapping[str, Extension]) -> list[Change]:
    """Like any kind, and the version when the desired side pins one."""
    changes = _diff_simple("extension", current, desired)
    for name in sorted(current.keys() & desired.keys()):
        old, new = current[name], desired[name]
        if new.version is not None and new.version != old.version:
            attributes = (*differing_attributes(old, new), "version")
            changes = [c for c in changes if c.key != (name,)]
            changes.append(Change("extension", "alter", (name,), old, new, attributes))
    return changes


def _diff_tables(current: Mapping[Any, Table], desired: Mapping[Any, Table]) -> list[Change]:
    changes = []
    for key in sorted(desired.keys() - current.keys()):
        changes.append(Change("table", "create", key, desired=desired[key]))
    for key in sorted(current.keys() - desired.keys()):
        changes.append(Change("table", "drop", key, current=current[key]))
    for key in sorted(key for key in current.keys() & desired.keys() if current[key] != desired[key]):
        old, new = current[key], desired[key]  # equal tables (and so equal columns and parents) have no change
        attributes = tuple(name for name in TABLE_ATTRIBUTES if getattr(old, name) != getattr(new, name))
        if attributes:
            changes.append(Change("table", "alter", key, old, new, attributes))
        arriving = _columns_of_parents_left(current, old, new)
        changes += _diff_columns(old, new, arriving, _columns_for_new_parent(desired, old, new))
    return changes


# What a table is besides its columns. A changed `partition_key` is refused by the planner.
TABLE_ATTRIBUTES = (
    "unlogged",
    "partition_key",
    "parent",
    "bound",
    "detach_pending",
    "own_not_nulls",
    "inherits",
    "options",
    "replica_identity",
    "replica_index",
    "column_settings",
)


def parents_of(table: Table) -> tuple[Any, ...]:
    return ((table.parent,) if table.parent else ()) + table.inherits


def inherited_columns(tables: Mapping[Any, Table], table: Table) -> dict[str, Column]:
    """The columns `table` gets from its parents, at every level (a partition declares none of its own)."""
    found: dict[str, Column] = {}
    pending, seen = list(parents_of(table)), set()
    while pending:
        key = pending.pop()
        if key in seen or key not in tables:
            continue
        seen.add(key)
        found |= {column.name: column for column in tables[key].columns}
        pending += parents_of(tables[key])
    return found


def _columns_of_parents_left(current: Mapping[Any, Table], old: Table, new: Table) -> dict[str, Column]:
    """Columns that DETACH PARTITION or NO INHERIT turn into the table's own, as the parent has them."""
    found: dict[str, Column] = {}
    for key in parents_of(old):
        if key not in parents_of(new) and key in current:
            found |= inherited_columns(current, current[key]) | {c.name: c for c in current[key].columns}
    # A partition's own NOT NULLs stay as it has them.
    for name, not_null_name in old.own_not_nulls:
        if name in found:
            found[name] = replace(found[name], not_null=True, not_null_name=not_null_name)
    return found


_NOT_NULL_ATTRIBUTES = ("not_null", "not_null_name", "not_null_validated")


def _columns_for_new_parent(desired: Mapping[Any, Table], old: Table, new: Table) -> list[Column] | None:
    """The columns a table must have, as its own, to be attached to the partitioned table it joins: exactly
    its new parent's (ATTACH PARTITION refuses a column more or less, or of another type). None when the
    table stays in, or out of, the partition it is in."""
    if new.parent is None or new.parent == old.parent:
        return None
    return list((inherited_columns(desired, new) | {c.name: c for c in new.columns}).values())


def _diff_columns(
    old: Table, new: Table, arriving: dict[str, Column] | None = None, joining: list[Column] | None = None
) -> list[Change]:
    # A column that arrives from a parent left behind is there already, as the parent has it.
    old_columns: dict[str, Column] = (arriving or {}) | {c.name: c for c in old.columns}
    # A table joining a partitioned table takes its columns first; ATTACH then makes them the parent's.
    wanted = new.columns if joining is None else tuple(joining)
    new_columns: dict[str, Column] = {c.name: c for c in wanted}
    changes = []
    # New columns keep the desired order, so a table built by ADD COLUMN matches one built by CREATE TABLE.
    for column in wanted:
        if column.name not in old_columns:
            changes.append(Change("column", "create", (*new.key, column.name), desired=column))
    for column in old_columns.values():
        if column.name not in new_columns:
            changes.append(Change("column", "drop", (*old.key, column.name), current=column))
    for column in wanted:
        previous = old_columns.get(column.name)
        if previous is not None:
            attributes = differing_attributes(previous, column)
            if joining is not None:  # the partition's NOT NULLs are set before ATTACH (plan/partitions.py)
                attributes = tuple(a for a in attributes if a not in _NOT_NULL_ATTRIBUTES)
            if attributes:
                changes.append(Change("column", "alter", (*new.key, column.name), previous, column, attributes))
    return changes


def is_empty(changes: list[Change]) -> bool:
    return not changes
