"""Sequences and types: enums, composites, domains and ranges."""

from __future__ import annotations

import re
from dataclasses import replace

from pgdiff.diff import Change
from pgdiff.errors import PgdiffError
from pgdiff.model import (
    CompositeType,
    Domain,
    EnumType,
    KindKey,
    Model,
    QualifiedName,
    RangeType,
    Sequence,
)
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import TYPE_KINDS, PlannerBase, dotted
from pgdiff.plan.dependencies import dependency_order, dependents_of
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
        """Emit type creates in the desired state's dependency order and type drops in the reverse of the
        current one's, then the old types set aside by `replace_types`. A new type built on one that is
        made again waits for it."""
        late = dependents_of(self.desired, self._replaced_types)
        creates = {(kind, obj.key): obj for kind, obj in self._type_creates}
        for ref in dependency_order(self.desired, list(creates)):
            phase = Phase.REPLACE_TYPE if ref in late else Phase.CREATE_TYPE
            self._emit_type_create(ref[0], creates[ref], phase)
        drops = {(kind, obj.key): obj for kind, obj in self._type_drops}
        for ref in reversed(dependency_order(self.current, list(drops))):
            self._emit_type_drop(ref[0], drops[ref], hz.breaking(f"{ref[0]} type {dotted(ref[1])} is dropped"))
        for kind, obj in self._types_set_aside:
            self._emit_type_drop(kind, obj)

    def _emit_type_drop(self, kind: str, obj: EnumType | CompositeType | Domain | RangeType, *hazards: Hazard):
        sql = ddl.drop_type(obj.schema, obj.name, domain=kind == "domain")
        self.emit(Phase.DROP_TYPE, self._type_statement(kind, obj.key, sql, "drop", *hazards))

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
                    action = f"ADD CONSTRAINT {ident(check.name)} {check.sql} NOT VALID"
                    self.emit(phase, self._type_statement(kind, obj.key, ddl.alter_domain(obj, action), "create"))

    def replace_types(self) -> None:
        """Types PostgreSQL cannot change in place, and the types built on them, made again in REPLACE_TYPE,
        once what else stands on them is gone (functions, views, checks, indexes, defaults: see `rebuild`).

        A type that table columns use is renamed aside, the new one created, each column converted (a
        rewrite) and the old type dropped at the end; one that nothing uses any more is dropped and created.
        """
        if not self._replaced_types:
            return
        # Types built on them that are dropped for good go first (not at the end, with the other drops).
        gone = {ref for ref in self._standing if ref[0] in TYPE_KINDS and not self.desired.holds(ref)}
        for ref in reversed(dependency_order(self.current, gone)):
            self._type_drops.remove((ref[0], self._type_object(self.current, ref)))
            obj = self._type_object(self.current, ref)
            hazard = hz.breaking(f"{ref[0]} type {dotted(ref[1])} is dropped")
            sql = ddl.drop_type(obj.schema, obj.name, domain=ref[0] == "domain")
            self.emit(Phase.REPLACE_TYPE, self._type_statement(ref[0], ref[1], sql, "drop", hazard))
        order = dependency_order(self.current, self._replaced_types)
        aside = self._types_kept_aside(order)
        temporary = {ref: ddl.truncate_identifier(f"{ref[1][1]}_pgdiff_old") for ref in aside}
        for ref in reversed(order):
            self._put_type_away(ref, temporary.get(ref))
        for ref in dependency_order(self.desired, self._replaced_types):
            self._emit_type_create(ref[0], self._type_object(self.desired, ref), Phase.REPLACE_TYPE)
        for table_key, names in sorted(self._converted_columns.items()):
            for name in sorted(names):
                self._convert_column(table_key, name)
        # Dropped last by `order_types`, after the types being dropped that were built on them, dependents first.
        self._types_set_aside = [
            (ref[0], replace(self._type_object(self.current, ref), name=temporary[ref]))
            for ref in reversed(order)
            if ref in aside
        ]

    @staticmethod
    def _type_object(model: Model, ref: KindKey) -> EnumType | CompositeType | Domain | RangeType:
        return {"enum": model.enums, "composite": model.composites, "domain": model.domains, "range": model.ranges}[
            ref[0]
        ][ref[1]]

    def _types_kept_aside(self, order: list[KindKey]) -> set[KindKey]:
        """Replaced types that converted columns still use while they are converted, and what those are built on."""
        used = {referenced for dependent, referenced in self.current.dependencies if dependent[0] == "column"
                and dependent[1][2] in self._converted_columns.get((dependent[1][0], dependent[1][1]), set())}
        aside = {ref for ref in order if ref in used}
        for ref in reversed(order):  # dependents first: what an aside type is built on stays too
            if ref in aside:
                aside |= {r for d, r in self.current.dependencies if d == ref and r in self._replaced_types}
        return aside

    def _put_type_away(self, ref: KindKey, temporary: str | None) -> None:
        kind, key = ref
        old = self._type_object(self.current, ref)
        new = self._type_object(self.desired, ref)
        hazards: tuple[Hazard, ...] = (hz.breaking(f"{kind} type {dotted(key)} is dropped and created again"),)
        if isinstance(old, EnumType):
            removed = [label for label in old.labels if label not in new.labels]
            if removed:
                why = f"enum {dotted(key)} loses labels {removed}: a row holding one fails the plan"
                hazards += (hz.data_loss(why),)
        if temporary is None:
            sql = ddl.drop_type(old.schema, old.name, domain=kind == "domain")
            self.emit(Phase.REPLACE_TYPE, self._type_statement(kind, key, sql, "drop", *hazards))
            return
        kind_sql = "DOMAIN" if kind == "domain" else "TYPE"
        sql = f"ALTER {kind_sql} {qualified(old.schema, old.name)} RENAME TO {ident(temporary)}"
        self.emit(Phase.REPLACE_TYPE, self._type_statement(kind, key, sql, "alter", *hazards))
        if isinstance(old, RangeType):
            self._put_range_constructors_away(old, temporary)

    def _put_range_constructors_away(self, old: RangeType, temporary: str) -> None:
        """The multirange type and the constructor functions keep their names when the range is renamed:
        they are renamed too, or the new range's would clash with them."""
        renames = [
            f"FUNCTION {qualified(old.schema, old.name)}({old.subtype}, {old.subtype}) RENAME TO {ident(temporary)}",
            f"FUNCTION {qualified(old.schema, old.name)}({old.subtype}, {old.subtype}, text) "
            f"RENAME TO {ident(temporary)}",
        ]
        if old.multirange:
            multirange = ddl.truncate_identifier(f"{temporary}_multirange")
            renames.append(f"FUNCTION {old.multirange}() RENAME TO {ident(multirange)}")
            renames.append(f"TYPE {old.multirange} RENAME TO {ident(multirange)}")
        for rename in renames:
            self.emit(Phase.REPLACE_TYPE, self._type_statement("range", old.key, f"ALTER {rename}", "alter"))

    def _convert_column(self, table_key: QualifiedName, name: str) -> None:
        """ALTER COLUMN ... TYPE to the type of the same name made again, converting each value (a rewrite)."""
        column = self.current.tables[table_key].column(name)
        assert column is not None
        col = ident(name)
        composite = self.desired.composites.get(_type_key(column.type))
        if composite is not None:
            if column.type.endswith("[]"):
                raise PgdiffError(
                    f"column {dotted((*table_key, name))}: arrays of composite type {column.type[:-2]} cannot be "
                    "converted to its new definition; convert the column in two steps"
                )
            using = self._composite_conversion(col, composite)
        else:
            using = f"{col}::text{'[]' if column.type.endswith('[]') else ''}::{column.type}"
        change = Change("column", "alter", (*table_key, name), column, column)
        hazards = hz.table_rewrite(dotted(table_key), f"column {name} is converted to the new type {column.type}")
        action = f"ALTER COLUMN {col} TYPE {column.type} USING {using}"
        self.emit(Phase.REPLACE_TYPE, self._column_statement(change, action, hazards))

    def _composite_conversion(self, col: str, new: CompositeType) -> str:
        """Each attribute the old value has, cast through text to its new type; new attributes NULL."""
        old = self.current.composites[new.key]
        old_attributes = {a[0]: a for a in old.attributes}
        replaced = {qualified(*key) for kind, key in self._replaced_types}
        values = []
        for attribute in new.attributes:
            previous = old_attributes.get(attribute[0])
            if previous is None:
                values.append(f"NULL::{attribute[1]}")
            elif previous[1] == attribute[1] and _TYPE_SUFFIX.sub("", attribute[1]) not in replaced:
                values.append(f"({col}).{ident(attribute[0])}")
            else:
                values.append(f"({col}).{ident(attribute[0])}::text::{attribute[1]}")
        return f"CASE WHEN {col} IS NULL THEN NULL ELSE ROW({', '.join(values)})::{qualified(*new.key)} END"

    def _enum_create(self, change: Change) -> None:
        self._create_type("enum", change.desired)

    def _enum_drop(self, change: Change) -> None:
        self._drop_type("enum", change.current)

    def _enum_alter(self, change: Change) -> None:
        """New labels are added in place, each committed on its own: a value added in a transaction cannot be
        used before that transaction commits. Removing or reordering labels is refused."""
        old: EnumType = change.current
        new: EnumType = change.desired
        if (change.kind, change.key) in self._replaced_types:
            return  # made again by `replace_types`
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

    def _composite_create(self, change: Change) -> None:
        self._create_type("composite", change.desired)

    def _composite_drop(self, change: Change) -> None:
        self._drop_type("composite", change.current)

    def _composite_alter(self, change: Change) -> None:
        """Attributes added (at the end) and dropped in place, even while columns use the type; anything else
        makes the type again (`replace_types`)."""
        old: CompositeType = change.current
        new: CompositeType = change.desired
        if (change.kind, change.key) in self._replaced_types:
            return
        new_names = {a[0] for a in new.attributes}
        old_names = {a[0] for a in old.attributes}
        actions = [f"DROP ATTRIBUTE {ident(a[0])}" for a in old.attributes if a[0] not in new_names]
        actions += [f"ADD ATTRIBUTE {ddl.composite_attribute(a)}" for a in new.attributes if a[0] not in old_names]
        sql = ddl.alter_type(new.schema, new.name, ", ".join(actions))
        self.emit(Phase.ALTER_TYPE, self._type_statement("composite", change.key, sql, "alter"))

    def _range_create(self, change: Change) -> None:
        self._create_type("range", change.desired)

    def _range_drop(self, change: Change) -> None:
        self._drop_type("range", change.current)

    def _range_alter(self, change: Change) -> None:
        pass  # made again by `replace_types`

    def _domain_create(self, change: Change) -> None:
        self._create_type("domain", change.desired)

    def _domain_drop(self, change: Change) -> None:
        self._drop_type("domain", change.current)

    def _domain_alter(self, change: Change) -> None:
        """Defaults and NOT NULL in place; new CHECKs added NOT VALID, then validated in their own transaction."""
        old: Domain = change.current
        new: Domain = change.desired
        if (change.kind, change.key) in self._replaced_types:
            return  # made again by `replace_types`

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
                alter(Phase.ALTER_TYPE, f"ADD CONSTRAINT {ident(name)} {check.sql} NOT VALID")
            if check.validated and (replaced or (previous is not None and not previous.validated)):
                hazard = hz.validates_rows(f"every column of domain {change.name}", f"constraint {name}")
                alter(Phase.VALIDATE, f"VALIDATE CONSTRAINT {ident(name)}", hazard, own_transaction=True)
        if new.not_null and not old.not_null:
            hazard = hz.validates_rows(f"every column of domain {change.name}", "that no value is NULL")
            alter(Phase.VALIDATE, "SET NOT NULL", hazard, own_transaction=True)




_TYPE_SUFFIX = re.compile(r"(\(.*\))?(\[\])*$")


def _type_key(type_name: str) -> QualifiedName:
    """(schema, name) of a type as format_type() prints it, e.g. `public."my type"[]`."""
    bare = _TYPE_SUFFIX.sub("", type_name)
    schema, _, name = bare.partition(".")
    return (schema.strip('"'), name.strip('"').replace('""', '"'))
