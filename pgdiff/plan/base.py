"""The planner's shared state: the two models, the changes, and the statements emitted so far.

Each object kind's planning lives in its own module (`tables`, `constraints`,
`indexes`, `routines`, `datatypes`) as a class deriving from `PlannerBase`;
`planner.Planner` combines them.
"""

from __future__ import annotations

import re

from pgdiff.diff import Change
from pgdiff.model import (
    Column,
    CompositeType,
    Domain,
    EnumType,
    Model,
    ObjectRef,
    QualifiedName,
    RangeType,
)
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Statement


def dotted(key: tuple[str, ...]) -> str:
    return ".".join(key)


def columns_changing(changes: list[Change], how: str) -> dict[QualifiedName, set[str]]:
    """Columns, by table, that `changes` drop (`how="drop"`) or give a new type or collation (`"type"`).

    A plain column that becomes generated counts as dropped: it is, and added again.
    """
    found: dict[QualifiedName, set[str]] = {}
    for change in changes:
        if change.kind != "column" or change.action not in ("drop", "alter"):
            continue
        if how == "drop":
            hit = change.action == "drop" or (not change.current.generated and change.desired.generated)
        else:
            hit = change.action == "alter" and bool({"type", "collation"} & set(change.attributes))
        if hit:
            found.setdefault((change.key[0], change.key[1]), set()).add(change.key[2])
    return found


# What a statement's SQL starts with when it brings a new object into being (not CREATE OR REPLACE).
_CREATES = re.compile(r"(SET LOCAL [^;]*;\s*)*CREATE (?!OR REPLACE )")
_ADDS = {
    "column": re.compile(r"ALTER TABLE .* ADD COLUMN "),
    "constraint": re.compile(r"ALTER TABLE .* ADD CONSTRAINT "),
}


def created_objects(statements: list[Statement]) -> set[tuple[str, str]]:
    """(kind, dotted identity) of every object the statements create, or create again."""
    created = set()
    for statement in statements:
        if statement.action == "rename":
            continue
        sql = statement.sql
        swapped_in = statement.kind == "index" and " RENAME TO " in sql  # built under a temporary name
        added = statement.kind in _ADDS and _ADDS[statement.kind].match(sql)
        if _CREATES.match(sql) or added or swapped_in:
            created.add((statement.kind, statement.object))
    return created


def is_created(ref: ObjectRef, created: set[tuple[str, str]]) -> bool:
    """Whether the plan creates `ref`'s object, itself or with the table or view a column belongs to."""
    if (ref.kind, ref.object) in created:
        return True
    return ref.parent is not None and any((kind, ref.parent) in created for kind in _PARENT_KINDS)


def home_of(ref: ObjectRef) -> str | None:
    """What a comment, grant or owner statement belongs with (`Statement.table`, which decides the file
    `pgdiff dump --split object` writes it to): its table, or the object itself; None for a schema's."""
    return None if ref.kind == "schema" else ref.parent or ref.object


# Kinds whose CREATE writes their columns and inline constraints too.
_PARENT_KINDS = ("table", "view", "materialized view")


class PlannerBase:
    def __init__(self, current: Model, desired: Model, changes: list[Change]) -> None:
        self.current = current
        self.desired = desired
        self.changes = changes
        self.new_tables = desired.tables.keys() - current.tables.keys()
        self.dropped_tables = current.tables.keys() - desired.tables.keys()
        self._emitted: list[tuple[Phase, int, Statement]] = []
        self._foreign_keys_planned: set[tuple[str, str, str]] = set()
        # Columns dropped or changing type, by table: what a generated column or foreign key may depend on.
        self._dropped_columns = columns_changing(changes, "drop")
        self._retyped_columns = columns_changing(changes, "type")
        # Columns dropped and added again, by table, and the indexes that go with them.
        self._recreated_columns: dict[QualifiedName, set[str]] = {}
        self._rebuilt_indexes: set[QualifiedName] = set()
        # ADD COLUMN statements wait for `add_columns_in_table_order`.
        self._column_adds: dict[QualifiedName, list[tuple[Column, Statement]]] = {}
        self._persistence_changes: list[tuple[QualifiedName, bool, Statement]] = []
        # Types created and dropped, emitted in dependency order by `order_types`.
        self._type_creates: list[tuple[str, EnumType | CompositeType | Domain | RangeType]] = []
        self._type_drops: list[tuple[str, EnumType | CompositeType | Domain | RangeType]] = []

    # -- bookkeeping ------------------------------------------------------------------

    def emit(self, phase: Phase, statement: Statement) -> None:
        self._emitted.append((phase, len(self._emitted), statement))

    def ordered(self) -> list[Statement]:
        return [statement for _, _, statement in sorted(self._emitted, key=lambda item: (item[0], item[1]))]

    def created(self) -> set[tuple[str, str]]:
        """(kind, dotted identity) of every object the statements emitted so far create or create again."""
        return created_objects([statement for _, _, statement in self._emitted])

    def plan_change(self, change: Change) -> None:
        handler = getattr(self, f"_{change.kind}_{change.action}")
        handler(change)

