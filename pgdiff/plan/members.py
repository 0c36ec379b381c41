"""Which of a partition's own indexes and keys become the copies of its parent's (pure functions).

When the parent's index or key is created, or a table joins a parent, PostgreSQL attaches a partition's
matching index (for a key: its matching key) instead of building a second one. The plan does the same on
purpose: a partition's index or key that the files make a copy of the parent's is kept, renamed to the
copy's name where it differs, and attached; it is not dropped and built again.
"""

from __future__ import annotations

from collections.abc import Iterable

from pgdiff.model import Constraint, Index, Model, QualifiedName

Member = tuple[str, str, str, str]  # (schema, table, object, parent object)
ConstraintKey = tuple[str, str, str]


def same_index_definition(a: Index, b: Index) -> bool:
    """Whether ATTACH PARTITION would take `b` as the copy of `a` (their names and tables aside)."""
    return (a.method, a.unique, a.body) == (b.method, b.unique, b.body)


def _members_of_new_roots_or_new_members(
    current_members: dict[tuple[str, ...], tuple[Member, ...]],
    key: tuple[str, ...],
    members: Iterable[Member],
    new_tables: set[QualifiedName],
) -> list[Member]:
    """The desired members on existing tables that the current root does not have attached yet."""
    attached = {(schema, table) for schema, table, _, _ in current_members.get(key, ())}
    return [m for m in members if (m[0], m[1]) not in new_tables and (m[0], m[1]) not in attached]


def _joins(table: QualifiedName, current: Model, desired: Model) -> bool:
    """Whether `table` joins a partitioned table in the plan (ATTACH PARTITION picks the copies it takes)."""
    before, after = current.tables.get(table), desired.tables.get(table)
    return before is not None and after is not None and after.parent is not None and before.parent != after.parent


def index_adoptions(current: Model, desired: Model, new_tables: set[QualifiedName]) -> dict[QualifiedName, str]:
    """Current indexes of partitions (by key) that become a desired parent index's copy, and the copy's name."""
    by_table: dict[QualifiedName, list[Index]] = {}
    for index in current.indexes.values():
        by_table.setdefault(index.table_key, []).append(index)
    attached = {key: index.partition_indexes for key, index in current.indexes.items()}
    adopted: dict[QualifiedName, str] = {}
    for root in desired.indexes.values():
        for schema, table, name, _ in _members_of_new_roots_or_new_members(
            attached, root.key, root.partition_indexes, new_tables
        ):
            table_key = (schema, table)
            candidates = [
                index
                for index in by_table.get((schema, table), ())
                if index.key not in adopted
                and same_index_definition(index, root)
                and (index.name == name or index.key not in desired.indexes or _joins(table_key, current, desired))
            ]
            # ATTACH PARTITION takes the first matching index even where the files keep it beside the copy: it
            # becomes the copy, and the one kept is built again (`IndexPlanner.build_indexes_taken_as_copies`).
            # A partition already attached gets its copy by an explicit ALTER INDEX ... ATTACH: nothing is taken.
            candidates.sort(key=lambda index: (index.name != name, index.oid_order, index.name))
            if candidates:
                adopted[candidates[0].key] = name
    return adopted


def key_adoptions(current: Model, desired: Model, new_tables: set[QualifiedName]) -> dict[ConstraintKey, str]:
    """Current keys of partitions (by key) that become a desired parent key's copy, and the copy's name."""
    by_table: dict[QualifiedName, list[Constraint]] = {}
    for constraint in current.constraints.values():
        if constraint.kind in ("p", "u", "x"):
            by_table.setdefault(constraint.table_key, []).append(constraint)
    attached = {key: constraint.partition_keys for key, constraint in current.constraints.items()}
    adopted: dict[ConstraintKey, str] = {}
    for root in desired.constraints.values():
        for schema, table, name, _ in _members_of_new_roots_or_new_members(
            attached, root.key, root.partition_keys, new_tables
        ):
            candidates = [
                key
                for key in by_table.get((schema, table), ())
                if key.key not in adopted
                and (key.kind, key.definition) == (root.kind, root.definition)
                and (key.name == name or key.key not in desired.constraints)
            ]
            candidates.sort(key=lambda key: (key.name != name, key.name))
            if candidates:
                adopted[candidates[0].key] = name
    return adopted
