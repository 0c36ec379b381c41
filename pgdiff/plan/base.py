"""The planner's shared state: the two models, the changes, and the statements emitted so far.

Each object kind's planning lives in its own module (`tables`, `constraints`,
`indexes`, `routines`, `datatypes`) as a class deriving from `PlannerBase`;
`planner.Planner` combines them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Sequence as Seq
from dataclasses import replace
from typing import TYPE_CHECKING

from pgdiff.diff import Change
from pgdiff.diff.members import detached_constraints, detached_indexes, leaving_tables
from pgdiff.model import (
    Column,
    CompositeType,
    Constraint,
    Domain,
    EnumType,
    Index,
    KindKey,
    Model,
    ObjectRef,
    QualifiedName,
    RangeType,
    Table,
)
from pgdiff.plan.column_types import TypeFacts
from pgdiff.plan.dependencies import dependents_of
from pgdiff.plan.members import index_adoptions, key_adoptions
from pgdiff.plan.object_order import creates_object, order_objects
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Statement

if TYPE_CHECKING:
    from pgdiff.plan.recreate import Recreation


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
        if creates_object(sql) or added or swapped_in:
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


TYPE_KINDS = ("enum", "composite", "domain", "range")


def signature_changes(changes: list[Change]) -> set[tuple[str, ...]]:
    """Functions CREATE OR REPLACE cannot change: another kind, result type or argument list."""
    found = set()
    for change in changes:
        if change.kind == "function" and change.action == "alter":
            old, new = change.current, change.desired
            if (old.kind, old.result, old.arguments) != (new.kind, new.result, new.arguments):
                found.add(change.key)
    return found


def type_replaced(change: Change) -> bool:
    """Whether PostgreSQL cannot make this type change in place: the type is made again."""
    if change.kind not in TYPE_KINDS or change.action != "alter":
        return False
    old, new = change.current, change.desired
    if change.kind == "enum":
        return [label for label in new.labels if label in old.labels] != list(old.labels)
    if change.kind == "domain":
        return bool({"base_type", "collation"} & set(change.attributes))
    if change.kind == "composite":
        # ADD and DROP ATTRIBUTE work in place (at the end, even while columns use the type); reordering or
        # retyping an attribute does not.
        old_names, new_names = [a[0] for a in old.attributes], [a[0] for a in new.attributes]
        kept = [name for name in new_names if name in old_names]
        old_kept = {a[0]: a for a in old.attributes if a[0] in new_names}
        return (
            kept != [name for name in old_names if name in new_names]
            or new_names[: len(kept)] != kept
            or any(old_kept[a[0]] != a for a in new.attributes if a[0] in old_kept)
        )
    return True  # ranges: nothing of a range type can change in place


def replaced_roots(changes: list[Change]) -> set[KindKey]:
    """Objects this plan drops, for good or to make them again, whose dependents may stay: functions
    (dropped, or with a new signature) and types PostgreSQL cannot change in place."""
    roots: set[KindKey] = {("function", key) for key in signature_changes(changes)}
    for change in changes:
        if change.kind == "function" and change.action == "drop":
            roots.add(("function", change.key))
        elif type_replaced(change):
            roots.add((change.kind, change.key))
    return roots


class PlannerBase:
    def __init__(
        self,
        current: Model,
        desired: Model,
        changes: list[Change],
        conversions: Mapping[tuple[str, str, str], str] | None = None,
        recreations: Seq[Recreation] = (),
    ) -> None:
        self.current = current
        self.desired = desired
        self.changes = changes
        # The files' USING expressions for column type changes, by column (`-- pgdiff: using`).
        self.conversions: Mapping[tuple[str, str, str], str] = conversions or {}
        self.type_facts = TypeFacts(current, desired)
        # Tables made again with their rows copied (plan/recreate.py); `current` is without them.
        self.recreations = tuple(recreations)
        self.recreated_tables = {key for recreation in self.recreations for key in recreation.new_tree}
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
        self._types_set_aside: list[tuple[str, EnumType | CompositeType | Domain | RangeType]] = []
        self._find_what_stands_on_replaced_objects()
        self._find_partition_members()
        self._find_keys_dropped_with_indexes()

    def _find_partition_members(self) -> None:
        """Indexes and keys of partitions that become their parent's copies (kept, renamed, attached), and
        those a table leaving its parent keeps after DETACH (dropped after it, when the files lack them)."""
        new_tables = set(self.new_tables)
        self._adopted_indexes = index_adoptions(self.current, self.desired, new_tables)
        self._adopted_keys = key_adoptions(self.current, self.desired, new_tables)
        # (schema, table, desired copy name) -> the current name of the index or key that becomes it.
        self._adopted_as: dict[tuple[str, str, str], str] = {}
        for key, name in self._adopted_indexes.items():
            self._adopted_as[(key[0], self.current.indexes[key].table, name)] = key[1]
        for (schema, table, current_name), name in self._adopted_keys.items():
            self._adopted_as[(schema, table, name)] = current_name
        leaving = leaving_tables(self.current, self.desired)
        self._kept_after_detach: set[tuple[str, ...]] = set()
        if leaving:
            self._kept_after_detach = set(detached_indexes(self.current, leaving)) | set(
                detached_constraints(self.current, leaving)
            )

    def _find_keys_dropped_with_indexes(self) -> None:
        """The partitioned indexes this plan drops (or makes again) whose partitions' copies back keys of the
        partitions, each with those keys: PostgreSQL drops neither first, so they go with it (DROP INDEX ...
        CASCADE), only where nothing else stands on those keys (a foreign key, a view grouping by a primary
        key). The keys the desired state still has, other than as a copy a new parent key makes, are added
        again after (`ConstraintPlanner.add_keys_taken_by_cascade`); none is kept as a copy meanwhile."""
        self.keys_dropped_with_index: dict[QualifiedName, tuple[tuple[str, str, str], ...]] = {}
        copies_made = {
            (schema, table, name)
            for parent in self.desired.constraints.values()
            if parent.key not in self.current.constraints
            for schema, table, name, _ in parent.partition_keys
        }
        self.keys_taken_by_cascade: list[Constraint] = []
        for change in self.changes:
            if change.kind != "index" or change.action not in ("drop", "alter"):
                continue
            table = self.current.tables.get(change.current.table_key)
            if table is None or not table.partitioned:
                continue
            keys = self._keys_on_copies(change.current)
            refs = {("constraint", key.key) for key in keys}
            if not keys or dependents_of(self.current, refs) - refs:
                continue
            self.keys_dropped_with_index[change.current.key] = tuple(key.key for key in keys)
            for key in keys:
                self._adopted_keys.pop(key.key, None)
                self._adopted_as = {k: v for k, v in self._adopted_as.items() if (*k[:2], v) != key.key}
                kept = self.desired.constraints.get(key.key)
                if kept is not None and key.key not in copies_made:
                    self.keys_taken_by_cascade.append(kept)

    def _keys_on_copies(self, index: Index) -> list[Constraint]:
        keys = []
        for schema, table, name, _ in index.partition_indexes:
            key = self.current.constraints.get((schema, table, name))
            if key is not None and key.kind in ("p", "u", "x"):
                keys.append(key)
        return keys

    def _find_what_stands_on_replaced_objects(self) -> None:
        """What stands, in the current database, on a function or type this plan drops or makes again: it is
        dropped first and made again after (see `plan.rebuild`). Columns on such a type are converted."""
        self._roots = replaced_roots(self.changes)
        self._standing = dependents_of(self.current, self._roots)
        self._replaced_types = self._types_made_again()
        # A domain whose CHECK or default calls such a function, and is not built on such a type, keeps
        # standing: its checks and default are taken off and put back.
        self._rechecked_domains = {
            ref for ref in self._standing if ref[0] == "domain" and ref not in self._replaced_types
        }
        if self._rechecked_domains:
            self._standing = dependents_of(self.current, self._roots, stop=self._rechecked_domains)
        self._converted_columns = self._columns_on(self._replaced_types)
        for table, names in self._converted_columns.items():
            self._retyped_columns.setdefault(table, set()).update(names)
        # PostgreSQL refuses to retype a column a SQL-standard function body reads: those functions (and what
        # stands on them) are made again too.
        readers = self._functions_reading(self._retyped_columns)
        if readers:
            self._standing |= readers | dependents_of(self.current, readers, stop=self._rechecked_domains)

    def _types_made_again(self) -> set[KindKey]:
        """Types of the desired state replaced by their own change, or built on one that is."""
        found = {ref for ref in self._roots if ref[0] in TYPE_KINDS and self.desired.holds(ref)}
        candidates = {ref for ref in self._standing if ref[0] in TYPE_KINDS and self.desired.holds(ref)}
        grew = True
        while grew:
            grew = False
            for dependent, referenced in self.current.dependencies:
                if dependent in candidates and dependent not in found and referenced in found:
                    found.add(dependent)
                    grew = True
        return found

    def _functions_reading(self, columns: dict[QualifiedName, set[str]]) -> set[KindKey]:
        """Functions whose SQL-standard body or row-type argument reads one of `columns`."""
        return {
            dependent
            for dependent, referenced in self.current.dependencies
            if dependent[0] == "function"
            and referenced[0] == "column"
            and referenced[1][2] in columns.get((referenced[1][0], referenced[1][1]), set())
        }

    def _columns_on(self, types: set[KindKey]) -> dict[QualifiedName, set[str]]:
        """Columns that stay, by table, whose type is one of `types` (or an array of it)."""
        found: dict[QualifiedName, set[str]] = {}
        for dependent, referenced in self.current.dependencies:
            if dependent[0] != "column" or referenced not in types:
                continue
            table, name = (dependent[1][0], dependent[1][1]), dependent[1][2]
            if table in self.dropped_tables or name in self._dropped_columns.get(table, set()):
                continue
            if name in self._retyped_columns.get(table, set()):
                continue  # its own change gives it its new type
            if self.desired.holds(dependent):
                found.setdefault(table, set()).add(name)
        return found

    def _ancestor_checks(self, table: Table) -> list[Constraint]:
        """The CHECK constraints `table` inherits from its desired parents, at every level (not NO INHERIT)."""
        ancestors, parent = set(), table.parent
        while parent is not None and parent not in ancestors and parent in self.desired.tables:
            ancestors.add(parent)
            parent = self.desired.tables[parent].parent
        return [
            c
            for c in self.desired.constraints.values()
            if c.kind == "c" and c.table_key in ancestors and not c.definition.endswith(" NO INHERIT")
        ]

    def joins_with_check(self, constraint: Constraint) -> bool:
        """Whether `constraint` is a CHECK of a table joining a parent that has it too: ATTACH takes it as the
        inherited one."""
        table = self.desired.tables.get(constraint.table_key)
        current = self.current.tables.get(constraint.table_key)
        if constraint.kind != "c" or table is None or current is None or table.parent in (None, current.parent):
            return False
        return any(
            replace(c, schema=table.schema, table=table.name) == constraint for c in self._ancestor_checks(table)
        )

    def stands_on_replaced(self, kind: str, key: tuple[str, ...]) -> bool:
        """Whether the object stands on a function or type this plan drops or makes again."""
        return (kind, key) in self._standing

    # -- bookkeeping ------------------------------------------------------------------

    def emit(self, phase: Phase, statement: Statement) -> None:
        self._emitted.append((phase, len(self._emitted), statement))

    def ordered(self) -> list[Statement]:
        in_phases = sorted(self._emitted, key=lambda item: (item[0], item[1]))
        return [statement for _, _, statement in order_objects(in_phases, self.current, self.desired)]

    def created(self) -> set[tuple[str, str]]:
        """(kind, dotted identity) of every object the statements emitted so far create or create again."""
        return created_objects([statement for _, _, statement in self._emitted])

    def plan_change(self, change: Change) -> None:
        handler = getattr(self, f"_{change.kind}_{change.action}")
        handler(change)

