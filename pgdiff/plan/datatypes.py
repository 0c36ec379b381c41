"""Sequences and types: enums, composites, domains and ranges."""

from __future__ import annotations

import re
from dataclasses import replace

from pgdiff.diff import Change
from pgdiff.errors import PgdiffError
from pgdiff.model import (
    Column,
    CompositeType,
    Domain,
    EnumType,
    QualifiedName,
    RangeType,
    Sequence,
)
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Hazard, Statement
from pgdiff.quoting import ident, qualified


class TypePlanner(PlannerBase):
    """Plans sequences and types, created and dropped in dependency order."""

    # -- sequences and types (enums, composites, domains, ranges) ---------------------------------
    #
    # Sequences and types are created in CREATE_TYPE (before any table), changed in ALTER_TYPE, and dropped
    # in DROP_SEQUENCE/DROP_TYPE, after the tables, columns and defaults that use them. Types that use one
    # another (a domain over an enum, a composite holding a domain) are created and dropped in dependency
    # order by `order_types`. A sequence is never restarted.

    def _owner_goes_away(self, owned_by: tuple[str, str, str] | None) -> bool:
        """Whether the column owning a sequence is dropped (with its table or alone) by this plan."""
        if owned_by is None:
            return False
        table = (owned_by[0], owned_by[1])
        return table in self.dropped_tables or owned_by[2] in self._dropped_columns.get(table, set())

    def _sequence_statement(self, sequence: Sequence, sql: str, action: str, *hazards: Hazard) -> Statement:
        return Statement(sql, "sequence", action, dotted(sequence.key), hazards=hazards)

    def _sequence_create(self, change: Change) -> None:
        sequence: Sequence = change.desired
        self.emit(Phase.CREATE_TYPE, self._sequence_statement(sequence, ddl.create_sequence(sequence), "create"))
        if sequence.owned_by is not None:
            sql = ddl.alter_sequence(sequence, ddl.sequence_owner(sequence.owned_by))
            self.emit(Phase.OWN_SEQUENCE, self._sequence_statement(sequence, sql, "alter"))

    def _sequence_drop(self, change: Change) -> None:
        sequence: Sequence = change.current
        if self._owner_goes_away(sequence.owned_by):
            return  # PostgreSQL drops an owned sequence with its column
        hazard = hz.data_loss(f"sequence {change.name} is dropped with its current value")
        phase = Phase.DROP_SEQUENCE if sequence.owned_by is None else Phase.DROP_OWNED_SEQUENCE
        self.emit(phase, self._sequence_statement(sequence, ddl.drop_sequence(sequence), "drop", hazard))

    def _sequence_alter(self, change: Change) -> None:
        old: Sequence = change.current
        new: Sequence = change.desired
        options = tuple(a for a in change.attributes if a not in ("unlogged", "owned_by"))
        if options:
            # Without RESTART: START WITH only changes what a later RESTART would go back to.
            sql = ddl.alter_sequence(new, ddl.sequence_options(new, options))
            self.emit(Phase.ALTER_TYPE, self._sequence_statement(new, sql, "alter"))
        if "unlogged" in change.attributes:
            sql = ddl.alter_sequence(new, "SET UNLOGGED" if new.unlogged else "SET LOGGED")
            self.emit(Phase.OWN_SEQUENCE, self._sequence_statement(new, sql, "alter"))
        if "owned_by" in change.attributes:
            if new.owned_by is None or self._owner_goes_away(old.owned_by):
                sql = ddl.alter_sequence(new, ddl.sequence_owner(None))
                self.emit(Phase.DISOWN_SEQUENCE, self._sequence_statement(new, sql, "alter"))
            if new.owned_by is not None:
                sql = ddl.alter_sequence(new, ddl.sequence_owner(new.owned_by))
                self.emit(Phase.OWN_SEQUENCE, self._sequence_statement(new, sql, "alter"))

    def _type_statement(self, kind: str, key: QualifiedName, sql: str, action: str, *hazards: Hazard) -> Statement:
        return Statement(sql, kind, action, dotted(key), hazards=hazards)

    def _create_type(self, kind: str, obj: EnumType | CompositeType | Domain | RangeType) -> None:
        self._type_creates.append((kind, obj))

    def _drop_type(self, kind: str, obj: EnumType | CompositeType | Domain | RangeType) -> None:
        self._type_drops.append((kind, obj))

    def order_types(self) -> None:
        """Emit type creates in dependency order and type drops in the reverse order."""
        for kind, obj in _dependency_order(self._type_creates):
            self._emit_type_create(kind, obj, Phase.CREATE_TYPE)
        for kind, obj in reversed(_dependency_order(self._type_drops)):
            hazard = hz.breaking(f"{kind} type {dotted(obj.key)} is dropped")
            sql = ddl.drop_type(obj.schema, obj.name, domain=kind == "domain")
            self.emit(Phase.DROP_TYPE, self._type_statement(kind, obj.key, sql, "drop", hazard))

    def _emit_type_create(self, kind: str, obj: EnumType | CompositeType | Domain | RangeType, phase: Phase) -> None:
        if isinstance(obj, EnumType):
            sql = ddl.create_enum(obj)
        elif isinstance(obj, CompositeType):
            sql = ddl.create_composite(obj)
        elif isinstance(obj, RangeType):
            sql = ddl.create_range(obj)
        else:
            sql = ddl.create_domain(obj)
        self.emit(phase, self._type_statement(kind, obj.key, sql, "create"))
        if isinstance(obj, Domain):
            for check in obj.checks:
                if not check.validated:
                    action = f"ADD CONSTRAINT {ident(check.name)} {check.definition} NOT VALID"
                    self.emit(phase, self._type_statement(kind, obj.key, ddl.alter_domain(obj, action), "create"))

    def _refuse_if_columns_use(self, change: Change, why: str) -> None:
        """PostgreSQL cannot change `why` on a type a table column keeps using: say so before anything runs."""
        type_name = qualified(*change.key)
        for table_key, table in sorted(self.current.tables.items()):
            if table_key in self.dropped_tables:
                continue
            dropped = self._dropped_columns.get(table_key, set())
            for column in table.columns:
                if column.name not in dropped and column.type in (type_name, f"{type_name}[]"):
                    raise PgdiffError(
                        f"{change.kind} type {change.name}: {why} while column {dotted((*table_key, column.name))} "
                        "uses it; PostgreSQL cannot, and pgdiff does not convert the column yet"
                    )

    def _replace_type(self, change: Change) -> None:
        """Drop and create again, for changes PostgreSQL cannot make in place (it refuses if the type is used)."""
        self._refuse_if_columns_use(change, f"{', '.join(change.attributes)} cannot change")
        hazard = hz.breaking(f"{change.kind} type {change.name} is dropped and created again")
        sql = ddl.drop_type(change.current.schema, change.current.name, domain=change.kind == "domain")
        self.emit(Phase.ALTER_TYPE, self._type_statement(change.kind, change.key, sql, "drop", hazard))
        self._emit_type_create(change.kind, change.desired, Phase.ALTER_TYPE)

    def _enum_create(self, change: Change) -> None:
        self._create_type("enum", change.desired)

    def _enum_drop(self, change: Change) -> None:
        self._drop_type("enum", change.current)

    def _enum_alter(self, change: Change) -> None:
        """New labels are added in place, each committed on its own: a value added in a transaction cannot be
        used before that transaction commits. Removing or reordering labels is refused."""
        old: EnumType = change.current
        new: EnumType = change.desired
        kept = [label for label in new.labels if label in old.labels]
        if kept != list(old.labels):
            self._rebuild_enum(change)
            return
        present = list(old.labels)
        for position, label in enumerate(new.labels):
            if label in present:
                continue
            if position > 0:
                sql = ddl.add_enum_value(new, label, new.labels[position - 1], before=False)
            else:
                sql = ddl.add_enum_value(new, label, present[0] if present else None, before=True)
            present.insert(position, label)
            statement = self._type_statement("enum", change.key, sql, "alter")
            self.emit(Phase.ALTER_TYPE, replace(statement, own_transaction=True))

    def _rebuild_enum(self, change: Change) -> None:
        """PostgreSQL cannot remove or reorder enum labels: the old type is renamed, the new one created, every
        column using it converted through text (a rewrite), and the old type dropped."""
        old: EnumType = change.current
        new: EnumType = change.desired
        type_name = qualified(new.schema, new.name)
        dropped_types = {c.key for c in self.changes if c.action == "drop" and c.kind in ("domain", "composite")}
        for kind, types in (("domain", self.current.domains), ("composite", self.current.composites)):
            for key, obj in types.items():
                if type_name in _type_references(obj) and key not in dropped_types:
                    raise PgdiffError(
                        f"enum {change.name}: labels {list(old.labels)} cannot become {list(new.labels)} while "
                        f"{kind} {dotted(key)} is built on it: PostgreSQL can only add enum labels, and pgdiff "
                        "rebuilds an enum only when table columns alone use it"
                    )
        temporary = ddl.truncate_identifier(f"{new.name}_pgdiff_old")
        rename = ddl.alter_type(old.schema, old.name, f"RENAME TO {ident(temporary)}")
        removed = [label for label in old.labels if label not in new.labels]
        hazards: tuple[Hazard, ...] = ()
        if removed:
            hazards = (hz.data_loss(f"enum {change.name} loses labels {removed}: a row holding one fails the plan"),)
        self.emit(Phase.ALTER_TYPE, self._type_statement("enum", change.key, rename, "alter", *hazards))
        self.emit(Phase.ALTER_TYPE, self._type_statement("enum", change.key, ddl.create_enum(new), "alter"))
        for table_key, table in sorted(self.current.tables.items()):
            if table_key in self.dropped_tables:
                continue
            dropped = self._dropped_columns.get(table_key, set())
            wanted = self.desired.tables.get(table_key)
            for column in table.columns:
                if column.name in dropped or column.type not in (type_name, f"{type_name}[]"):
                    continue
                self._convert_enum_column(change, table_key, column, wanted.column(column.name) if wanted else None)
        # Dropped by `order_types`, after the types being dropped that were built on it.
        self._type_drops.insert(0, ("enum", replace(old, name=temporary)))

    def _convert_enum_column(
        self, change: Change, table_key: QualifiedName, column: Column, desired: Column | None
    ) -> None:
        table = dotted(table_key)
        column_change = Change("column", "alter", (*table_key, column.name), column, desired)
        array = "[]" if column.type.endswith("[]") else ""
        col = ident(column.name)
        # The default names the old type: it is set again once the column has the new one.
        if column.default is not None:
            self.emit(Phase.DROP_COLUMN, self._column_statement(column_change, f"ALTER COLUMN {col} DROP DEFAULT"))
        hazards = hz.table_rewrite(table, f"column {column.name} is converted to the new enum {change.name}")
        action = f"ALTER COLUMN {col} TYPE {column.type} USING {col}::text{array}::{column.type}"
        self.emit(Phase.DROP_COLUMN, self._column_statement(column_change, action, hazards))
        if column.default is not None and desired is not None and desired.default == column.default:
            sql = f"ALTER COLUMN {col} SET DEFAULT {column.default}"
            self.emit(Phase.DROP_COLUMN, self._column_statement(column_change, sql))

    def _composite_create(self, change: Change) -> None:
        self._create_type("composite", change.desired)

    def _composite_drop(self, change: Change) -> None:
        self._drop_type("composite", change.current)

    def _composite_alter(self, change: Change) -> None:
        old: CompositeType = change.current
        new: CompositeType = change.desired
        old_names = [a[0] for a in old.attributes]
        new_names = [a[0] for a in new.attributes]
        kept = [name for name in new_names if name in old_names]
        # PostgreSQL adds attributes at the end and cannot reorder them: otherwise the type is made again.
        if kept != [name for name in old_names if name in new_names] or new_names[: len(kept)] != kept:
            self._replace_type(change)
            return
        self._refuse_if_columns_use(change, "attributes cannot change")
        actions = [f"DROP ATTRIBUTE {ident(a[0])}" for a in old.attributes if a[0] not in new_names]
        old_by_name = {a[0]: a for a in old.attributes}
        for attribute in new.attributes:
            previous = old_by_name.get(attribute[0])
            if previous is None:
                actions.append(f"ADD ATTRIBUTE {ddl.composite_attribute(attribute)}")
            elif previous != attribute:
                collate = f" COLLATE {attribute[2]}" if attribute[2] else ""
                actions.append(f"ALTER ATTRIBUTE {ident(attribute[0])} TYPE {attribute[1]}{collate}")
        sql = ddl.alter_type(new.schema, new.name, ", ".join(actions))
        self.emit(Phase.ALTER_TYPE, self._type_statement("composite", change.key, sql, "alter"))

    def _range_create(self, change: Change) -> None:
        self._create_type("range", change.desired)

    def _range_drop(self, change: Change) -> None:
        self._drop_type("range", change.current)

    def _range_alter(self, change: Change) -> None:
        self._replace_type(change)

    def _domain_create(self, change: Change) -> None:
        self._create_type("domain", change.desired)

    def _domain_drop(self, change: Change) -> None:
        self._drop_type("domain", change.current)

    def _domain_alter(self, change: Change) -> None:
        """Defaults and NOT NULL in place; new CHECKs added NOT VALID, then validated in their own transaction."""
        old: Domain = change.current
        new: Domain = change.desired
        if {"base_type", "collation"} & set(change.attributes):
            self._replace_type(change)
            return

        def alter(phase: Phase, action: str, *hazards: Hazard, own_transaction: bool = False) -> None:
            kind = "validate" if own_transaction else "alter"
            statement = self._type_statement("domain", change.key, ddl.alter_domain(new, action), kind, *hazards)
            self.emit(phase, replace(statement, own_transaction=own_transaction))

        if old.default != new.default:
            alter(Phase.ALTER_TYPE, f"SET DEFAULT {new.default}" if new.default is not None else "DROP DEFAULT")
        if old.not_null and not new.not_null:
            alter(Phase.ALTER_TYPE, "DROP NOT NULL")
        old_checks = {check.name: check for check in old.checks}
        new_checks = {check.name: check for check in new.checks}
        for name, check in old_checks.items():
            wanted = new_checks.get(name)
            if wanted is None or wanted.definition != check.definition or (check.validated and not wanted.validated):
                alter(Phase.ALTER_TYPE, f"DROP CONSTRAINT {ident(name)}")
        for name, check in new_checks.items():
            previous = old_checks.get(name)
            replaced = previous is None or previous.definition != check.definition
            replaced = replaced or (previous is not None and previous.validated and not check.validated)
            if replaced:
                alter(Phase.ALTER_TYPE, f"ADD CONSTRAINT {ident(name)} {check.definition} NOT VALID")
            if check.validated and (replaced or (previous is not None and not previous.validated)):
                hazard = hz.validates_rows(f"every column of domain {change.name}", f"constraint {name}")
                alter(Phase.VALIDATE, f"VALIDATE CONSTRAINT {ident(name)}", hazard, own_transaction=True)
        if new.not_null and not old.not_null:
            hazard = hz.validates_rows(f"every column of domain {change.name}", "that no value is NULL")
            alter(Phase.VALIDATE, "SET NOT NULL", hazard, own_transaction=True)




_TYPE_SUFFIX = re.compile(r"(\(.*\))?(\[\])*$")


def _type_references(obj: object) -> set[str]:
    """The type names a domain, composite or range is built on, as format_type() prints them."""
    if isinstance(obj, Domain):
        names = [obj.base_type]
    elif isinstance(obj, CompositeType):
        names = [a[1] for a in obj.attributes]
    elif isinstance(obj, RangeType):
        names = [obj.subtype]
    else:
        names = []
    return {_TYPE_SUFFIX.sub("", name) for name in names}


def _dependency_order(types: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """`types` with every type after the ones it is built on (kept in the diff's order otherwise)."""
    pending = list(types)
    done: set[str] = set()
    ordered: list[tuple[str, object]] = []
    names = {qualified(*obj.key) for _, obj in types}  # type: ignore[attr-defined]
    while pending:
        ready = next(
            (item for item in pending if not (_type_references(item[1]) & names) - done - {qualified(*item[1].key)}),
            pending[0],
        )
        ordered.append(ready)
        done.add(qualified(*ready[1].key))  # type: ignore[attr-defined]
        pending.remove(ready)
    return ordered
