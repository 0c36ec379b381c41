"""Turns changes into ordered statements: phases by dependency, online forms, hazards.

Statements are emitted into phases; within a phase they keep the diff's
deterministic order, except added columns (in the desired table's order) and
SET [UN]LOGGED (in foreign key order). The phase order is what makes a plan
runnable: foreign keys are dropped before the keys they rely on and added after
them, generated columns are taken apart before the columns they read change,
tables exist before their columns are altered, schemas exist before anything is
created in them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from enum import IntEnum, auto
from functools import cached_property

from pgdiff.diff import Change
from pgdiff.errors import PgdiffError
from pgdiff.model import (
    IDENTITY_OPTIONS,
    Column,
    CompositeType,
    Constraint,
    Domain,
    EnumType,
    Function,
    FunctionKey,
    Index,
    Model,
    QualifiedName,
    RangeType,
    Sequence,
    Trigger,
    View,
    identity_defaults,
)
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.column_types import classify
from pgdiff.plan.expressions import expression_columns
from pgdiff.plan.types import Hazard, Plan, Statement, group_statements
from pgdiff.quoting import ident, qualified


class Phase(IntEnum):
    # Declaration order is the plan order: insert new phases where they belong.
    CREATE_SCHEMA = auto()
    CREATE_EXTENSION = auto()
    # Renames first: everything after speaks of objects by their new names.
    RENAME = auto()
    DROP_IDENTITY = auto()
    # Sequences and types (enums, composites, domains, ranges): before the tables that use them.
    CREATE_TYPE = auto()
    ALTER_TYPE = auto()
    # A sequence that stays loses its owner before the owning column or table is dropped.
    DISOWN_SEQUENCE = auto()
    DROP_FOREIGN_KEY = auto()
    DROP_CONSTRAINT = auto()
    DROP_INDEX = auto()
    # Triggers and views (dependents first) go before the tables, columns and functions they use.
    DROP_TRIGGER = auto()
    DROP_VIEW = auto()
    DROP_FUNCTION_OF_TABLES = auto()  # functions whose signature or body uses tables
    DROP_TABLE = auto()
    # A generated column holds a dependency on the columns it reads: it stops being generated, or is dropped,
    # before they are dropped or change type.
    DROP_EXPRESSION = auto()
    DROP_GENERATED_COLUMN = auto()
    DROP_COLUMN = auto()
    # Functions: before the tables whose defaults, checks and indexes may call them.
    DROP_FUNCTION = auto()
    CREATE_FUNCTION = auto()
    CREATE_TABLE = auto()
    # Before ADD_COLUMN, so that a new generated column reads its columns in their new type.
    ALTER_COLUMN = auto()
    # A sequence whose owning column stays, once the column's default no longer uses it.
    DROP_OWNED_SEQUENCE = auto()
    ADD_COLUMN = auto()
    SET_EXPRESSION = auto()
    # SET NOT NULL without a scan under ACCESS EXCLUSIVE: a NOT VALID check added in ALTER_COLUMN is
    # validated in its own transaction, then the column is marked.
    VALIDATE_NOT_NULL = auto()
    SET_NOT_NULL = auto()
    ALTER_TABLE = auto()
    # OWNED BY needs the owning column to exist.
    OWN_SEQUENCE = auto()
    # Functions whose signature or SQL-standard body uses tables; views (in dependency order) need them all.
    CREATE_LATE_FUNCTION = auto()
    CREATE_VIEW = auto()
    ADD_CONSTRAINT = auto()
    CREATE_INDEX = auto()
    # A changed index was built under a temporary name: the old one goes, the new one takes its name.
    SWAP_INDEX = auto()
    ATTACH_KEY_INDEX = auto()
    ADD_FOREIGN_KEY = auto()
    # After their table (or view), its columns and their function.
    CREATE_TRIGGER = auto()
    VALIDATE = auto()
    # After the tables, columns and defaults that use them are gone.
    DROP_SEQUENCE = auto()
    DROP_TYPE = auto()
    DROP_EXTENSION = auto()
    DROP_SCHEMA = auto()


def build_plan(changes: list[Change], current: Model, desired: Model) -> Plan:
    planner = _Planner(current, desired, changes)
    for change in changes:
        planner.plan_change(change)
    planner.recreate_generated_columns_reading_changed_columns()
    planner.rebuild_what_stands_on_recreated_columns()
    planner.rebuild_foreign_keys_in_the_way()
    planner.add_columns_in_table_order()
    planner.change_persistence_in_foreign_key_order()
    planner.order_types()
    planner.rebuild_functions_triggers_views()
    return Plan(group_statements(planner.ordered()))


def _dotted(key: tuple[str, ...]) -> str:
    return ".".join(key)


def _persistence_waits(
    key: QualifiedName,
    pending: dict[QualifiedName, tuple[bool, Statement]],
    links: set[tuple[QualifiedName, QualifiedName]],
) -> bool:
    """Whether the SET [UN]LOGGED of `key` must wait for another pending one of the same direction."""
    unlogged = pending[key][0]
    for table, ref in links:
        other = ref if table == key and not unlogged else table if ref == key and unlogged else None
        if other in pending and pending[other][0] == unlogged:
            return True
    return False


def _reads_any(column: Column, names: set[str]) -> bool:
    """Whether generated `column` reads any of `names`."""
    return bool(column.generated and column.default and expression_columns(column.default, names))


def _add_column_rewrite_reason(column: Column) -> str | None:
    """Why ADD COLUMN must write every row (a non-volatile default is stored in the catalog only)."""
    if column.generated == "stored":
        return "is computed for every row"
    if column.identity:
        return "gets a value from its sequence in every row"
    if column.volatile_default:
        return f"has a volatile default, {column.default}, evaluated for every row"
    return None


def _identity_settings(column: Column) -> dict[str, str]:
    """Every option of `column`'s identity sequence, defaults filled in."""
    options = dict(column.identity_options)
    return identity_defaults(column.type, int(options.get("INCREMENT BY", "1"))) | options


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


class _Planner:
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

    def plan_change(self, change: Change) -> None:
        handler = getattr(self, f"_{change.kind}_{change.action}")
        handler(change)

    # -- renames ----------------------------------------------------------------------

    def _rename(self, change: Change) -> None:
        old_name: str = change.desired
        sql = ddl.rename(change.kind, change.key, old_name)
        old_identity = _dotted((*change.key[:-1], old_name))
        hazard = hz.breaking(f"{change.kind} {old_identity} is renamed to {change.key[-1]}")
        table = _dotted(change.key[:2]) if change.kind in ("table", "column", "constraint") else None
        self.emit(Phase.RENAME, Statement(sql, change.kind, "rename", change.name, table=table, hazards=(hazard,)))

    _table_rename = _column_rename = _constraint_rename = _index_rename = _rename

    # -- schemas and extensions -------------------------------------------------------

    def _schema_create(self, change: Change) -> None:
        self.emit(
            Phase.CREATE_SCHEMA, Statement(ddl.create_schema(change.desired.name), "schema", "create", change.name)
        )

    def _schema_drop(self, change: Change) -> None:
        hazards = (hz.data_loss(f"schema {change.name} is dropped"), hz.breaking(f"schema {change.name} is dropped"))
        self.emit(
            Phase.DROP_SCHEMA,
            Statement(ddl.drop_schema(change.current.name), "schema", "drop", change.name, hazards=hazards),
        )

    def _schema_alter(self, change: Change) -> None:  # schemas have no attributes yet
        raise AssertionError(f"unexpected schema change {change}")

    def _extension_create(self, change: Change) -> None:
        sql = ddl.create_extension(change.desired)
        self.emit(Phase.CREATE_EXTENSION, Statement(sql, "extension", "create", change.name))

    def _extension_drop(self, change: Change) -> None:
        hazard = Hazard("data-loss", f"extension {change.name} is dropped with the types and functions it provides")
        sql = ddl.drop_extension(change.current)
        self.emit(Phase.DROP_EXTENSION, Statement(sql, "extension", "drop", change.name, hazards=(hazard,)))

    def _extension_alter(self, change: Change) -> None:
        sql = ddl.alter_extension_schema(change.desired)
        self.emit(Phase.CREATE_EXTENSION, Statement(sql, "extension", "alter", change.name))

    # -- tables and columns -----------------------------------------------------------

    def _table_create(self, change: Change) -> None:
        table = change.desired
        inline = [c for c in self.desired.constraints.values() if c.table_key == table.key and self._is_inline(c)]
        self.emit(
            Phase.CREATE_TABLE,
            Statement(ddl.create_table(table, inline), "table", "create", change.name, table=change.name),
        )

    def _is_inline(self, constraint: Constraint) -> bool:
        """Valid non-FK constraints of a new table are written inside its CREATE TABLE."""
        return constraint.table_key in self.new_tables and constraint.kind != "f" and constraint.validated

    def _table_drop(self, change: Change) -> None:
        hazards = (
            hz.data_loss(f"table {change.name} is dropped with all its rows"),
            hz.breaking(f"table {change.name} is dropped"),
        )
        self.emit(
            Phase.DROP_TABLE,
            Statement(ddl.drop_table(change.current), "table", "drop", change.name, table=change.name, hazards=hazards),
        )

    def _table_alter(self, change: Change) -> None:
        table = change.desired
        action = "SET UNLOGGED" if table.unlogged else "SET LOGGED"
        hazards = hz.table_rewrite(change.name, action)
        sql = ddl.alter_table(table.schema, table.name, action)
        statement = Statement(sql, "table", "alter", change.name, table=change.name, hazards=hazards)
        self._persistence_changes.append((table.key, table.unlogged, statement))

    def change_persistence_in_foreign_key_order(self) -> None:
        """A logged table may not reference an unlogged one, not even between two statements.

        So SET LOGGED goes from referenced to referencing tables and SET UNLOGGED the other way round.
        The foreign keys in place then are those of the current model that the plan does not drop first.
        """
        links = {
            (fk.table_key, fk.ref_table)
            for fk in self.current.constraints.values()
            if fk.kind == "f" and fk.key not in self._foreign_keys_planned and fk.table_key != fk.ref_table
        }
        pending = {key: (unlogged, statement) for key, unlogged, statement in self._persistence_changes}
        while pending:
            # A cycle of foreign keys cannot be ordered: PostgreSQL will refuse it, so let it say so.
            ready = [key for key in pending if not _persistence_waits(key, pending, links)] or [next(iter(pending))]
            for key in ready:
                self.emit(Phase.ALTER_TABLE, pending.pop(key)[1])

    def _column_statement(self, change: Change, action: str, hazards: tuple[Hazard, ...] = ()) -> Statement:
        schema, table, _ = change.key
        return Statement(
            ddl.alter_table(schema, table, action),
            "column",
            change.action,
            change.name,
            table=_dotted((schema, table)),
            hazards=hazards,
        )

    def _column_create(self, change: Change) -> None:
        self._add_column(change, change.desired)

    def _add_column(self, change: Change, column: Column) -> None:
        table_key = (change.key[0], change.key[1])
        hazards: tuple[Hazard, ...] = ()
        if table_key not in self.new_tables:
            why = _add_column_rewrite_reason(column)
            if why:
                hazards = hz.table_rewrite(_dotted(table_key), f"column {column.name} {why}")
        statement = self._column_statement(change, f"ADD COLUMN {ddl.column_definition(column)}", hazards)
        self._column_adds.setdefault((change.key[0], change.key[1]), []).append((column, statement))

    def add_columns_in_table_order(self) -> None:
        """New and re-created columns go at the end of their table, in the order the desired table has them.

        Except that a generated column cannot be added before a new column it reads: it then comes after,
        and the table's column order differs from the desired one (PostgreSQL cannot reorder columns).
        """
        for table in sorted(self._column_adds):
            pending = sorted(self._column_adds[table], key=lambda item: item[0].position)
            while pending:
                names = {column.name for column, _ in pending}
                # Generated columns never read generated columns, so some column is always ready.
                ready = next(item for item in pending if not _reads_any(item[0], names - {item[0].name}))
                self.emit(Phase.ADD_COLUMN, ready[1])
                pending.remove(ready)

    def _column_drop(self, change: Change) -> None:
        hazards = (
            hz.data_loss(f"column {change.name} is dropped with its data"),
            hz.breaking(f"column {change.name} is dropped"),
        )
        phase = Phase.DROP_GENERATED_COLUMN if change.current.generated else Phase.DROP_COLUMN
        self.emit(phase, self._column_statement(change, f"DROP COLUMN {ident(change.current.name)}", hazards))

    def _column_alter(self, change: Change) -> None:
        old: Column = change.current
        new: Column = change.desired
        if old.generated or new.generated:
            old = self._alter_generated(change, old, new)
            if old is None:
                return
        col = ident(new.name)

        def alter(action: str, *hazards: Hazard) -> None:
            self.emit(Phase.ALTER_COLUMN, self._column_statement(change, f"ALTER COLUMN {col} {action}", hazards))

        type_changes = old.type != new.type or old.collation != new.collation
        if old.identity and not new.identity:
            # Early, so a sequence the plan creates may take the name of the identity's sequence.
            drop_identity = self._column_statement(change, f"ALTER COLUMN {col} DROP IDENTITY")
            self.emit(Phase.DROP_IDENTITY, drop_identity)
        if old.default is not None and (new.default != old.default or type_changes or new.identity):
            alter("DROP DEFAULT")
            old = replace(old, default=None)
        if type_changes:
            self._alter_type(change, old, new)
        if new.default is not None and new.default != old.default:
            alter(f"SET DEFAULT {new.default}")
        if new.not_null and not old.not_null:
            self._set_not_null(change, new)
        elif old.not_null and not new.not_null:
            alter("DROP NOT NULL")
        if old.not_null and new.not_null and old.not_null_name and new.not_null_name != old.not_null_name:
            rename = f"RENAME CONSTRAINT {ident(old.not_null_name)} TO {ident(new.not_null_name or '')}"
            self.emit(Phase.ALTER_COLUMN, self._column_statement(change, rename))
        if new.identity and not old.identity:
            # Needs the column NOT NULL already: after SET_NOT_NULL when that is planned too.
            # After the serial sequence a replaced default used is dropped (DROP_OWNED_SEQUENCE): it has the
            # name the identity's sequence takes.
            replaces_default = change.current.default is not None
            phase = Phase.SET_NOT_NULL if not old.not_null or replaces_default else Phase.ALTER_COLUMN
            action = f"ALTER COLUMN {col} ADD {ddl.identity_clause(new)}"
            self.emit(phase, self._column_statement(change, action))
        elif new.identity:
            self._alter_identity(change, old, new)

    def _alter_type(self, change: Change, old: Column, new: Column) -> None:
        """USING a cast only where the table is rewritten anyway; hazards from what the change costs."""
        collate = f" COLLATE {new.collation}" if new.collation else ""
        cost = classify(old.type, new.type)
        table = _dotted(change.key[:2])
        hazards: tuple[Hazard, ...] = ()
        action = f"ALTER COLUMN {ident(new.name)} TYPE {new.type}{collate}"
        if old.type != new.type and cost.rewrites:
            action += f" USING {ident(new.name)}::{new.type}"
            hazards = hz.table_rewrite(table, f"column {new.name} changes from {old.type} to {new.type}")
        if old.type != new.type and cost.loses_data:
            hazards += (hz.data_loss(f"column {change.name}: {cost.reason}"),)
        self.emit(Phase.ALTER_COLUMN, self._column_statement(change, action, hazards))

    def _set_not_null(self, change: Change, column: Column) -> None:
        """SET NOT NULL scans the table under ACCESS EXCLUSIVE, unless a valid constraint already proves it.

        So the proof comes first, added NOT VALID and validated in its own transaction (which blocks no
        reads or writes): on PostgreSQL 18 as the NOT NULL constraint itself, before that as a CHECK that
        is dropped once the column is marked.
        """
        schema, table, name = change.key
        alter = f"ALTER COLUMN {ident(name)} SET NOT NULL"
        if (schema, table) in self.new_tables:
            self.emit(Phase.ALTER_COLUMN, self._column_statement(change, alter))
            return
        hazard = hz.validates_rows(_dotted((schema, table)), f"that {name} has no NULL")
        default_name = column.not_null_name or f"{table}_{name}_not_null"
        if self.current.server_version >= 180000 and len(default_name.encode()) <= 63:
            self.emit(
                Phase.ALTER_COLUMN,
                self._column_sql(change, ddl.not_null_constraint_not_valid(schema, table, name, default_name)),
            )
            validate = ddl.validate_named(schema, table, default_name)
            self.emit(
                Phase.VALIDATE_NOT_NULL, replace(self._column_sql(change, validate, (hazard,)), own_transaction=True)
            )
            return
        helper = ddl.truncate_identifier(f"pgdiff_{name}_not_null")
        self.emit(Phase.ALTER_COLUMN, self._column_sql(change, ddl.not_null_check(schema, table, name, helper)))
        validate = ddl.validate_named(schema, table, helper)
        self.emit(Phase.VALIDATE_NOT_NULL, replace(self._column_sql(change, validate, (hazard,)), own_transaction=True))
        self.emit(Phase.SET_NOT_NULL, self._column_statement(change, alter))
        self.emit(Phase.SET_NOT_NULL, self._column_sql(change, ddl.drop_named_constraint(schema, table, helper)))

    def _column_sql(self, change: Change, sql: str, hazards: tuple[Hazard, ...] = ()) -> Statement:
        return replace(self._column_statement(change, "", hazards), sql=sql)

    def _alter_identity(self, change: Change, old: Column, new: Column) -> None:
        """SET GENERATED and SET <sequence option>, in one statement. The sequence is not restarted."""
        settings = [f"GENERATED {new.identity.upper()}"] if new.identity != old.identity else []
        # The default START WITH follows MINVALUE (or MAXVALUE): compare the values in effect. Bounds left to
        # their defaults on both sides are left alone: a type change moves them itself.
        old_options, new_options = _identity_settings(old), _identity_settings(new)
        named = {name for name, _ in old.identity_options + new.identity_options} | {"START WITH"}
        for name in IDENTITY_OPTIONS:
            if name in named and old_options[name] != new_options[name]:
                settings.append(ddl.identity_option(name, new_options[name]))
        if settings:
            action = f"ALTER COLUMN {ident(new.name)} " + " ".join(f"SET {setting}" for setting in settings)
            self.emit(Phase.ALTER_COLUMN, self._column_statement(change, action))

    def _alter_generated(self, change: Change, old: Column, new: Column) -> Column | None:
        """Handle generated-column changes; returns the column as it stands after, or None when done."""
        if old.generated == "stored" and not new.generated:
            # Runs before the columns it reads change, and leaves a plain column with its data.
            sql = f"ALTER COLUMN {ident(new.name)} DROP EXPRESSION"
            self.emit(Phase.DROP_EXPRESSION, self._column_statement(change, sql))
            return replace(old, generated="", default=None)
        only_expression_changed = set(change.attributes) <= {"default"}
        can_set_expression = self.current.server_version >= 170000 and not self._reads_changed_columns(change, old)
        if old.generated and old.generated == new.generated and only_expression_changed and can_set_expression:
            hazards: tuple[Hazard, ...] = ()
            if new.generated == "stored":
                message = f"column {change.name}: new generation expression rewrites the table"
                hazards = (Hazard("table-rewrite", message),)
            sql = f"ALTER COLUMN {ident(new.name)} SET EXPRESSION AS ({new.default})"
            self.emit(Phase.SET_EXPRESSION, self._column_statement(change, sql, hazards))
            return None
        self._recreate_column(change, old, new)
        return None

    def _reads_changed_columns(self, change: Change, column: Column) -> bool:
        """Whether generated `column` reads a column this plan drops or retypes."""
        table = (change.key[0], change.key[1])
        changed = self._dropped_columns.get(table, set()) | self._retyped_columns.get(table, set())
        return _reads_any(column, changed)

    def recreate_generated_columns_reading_changed_columns(self) -> None:
        """PostgreSQL refuses to drop or retype a column a generated column reads: that one is re-created."""
        for key, table in self.current.tables.items():
            if key in self.dropped_tables or key not in self._retyped_columns:
                continue  # a column that is dropped cannot be read by one that stays unchanged
            for column in table.columns:
                desired = self.desired.tables[key].column(column.name)
                if desired != column:
                    continue  # gone or changing: its own change deals with it
                change = Change("column", "alter", (*key, column.name), column, desired)
                if self._reads_changed_columns(change, column):
                    self._recreate_column(change, column, desired)

    def rebuild_what_stands_on_recreated_columns(self) -> None:
        """DROP COLUMN takes the indexes and constraints on the column with it: those the diff leaves
        alone are dropped first and made again after the column is back. Foreign keys are left to
        `rebuild_foreign_keys_in_the_way`.
        """
        changed = {change.key for change in self.changes if change.kind in ("index", "constraint")}
        for key, index in self.current.indexes.items():
            names = self._recreated_columns.get(index.table_key)
            if names and key not in changed and expression_columns(index.body, names):
                self._drop_index(index)
                self._create_index(self.desired.indexes[key])
                self._rebuilt_indexes.add(key)
        for key, constraint in self.current.constraints.items():
            names = self._recreated_columns.get(constraint.table_key)
            if constraint.kind == "f" or not names or key in changed or not names & set(constraint.columns):
                continue
            self._drop_constraint(constraint)
            self._add_constraint(self.desired.constraints[key])
            if constraint.index_name:
                self._rebuilt_indexes.add((constraint.schema, constraint.index_name))

    def _recreate_column(self, change: Change, old: Column, new: Column) -> None:
        """Drop and add again: PostgreSQL cannot turn a column into a generated one in place.

        The column moves to the end of its table: PostgreSQL cannot reorder columns.
        """
        self._recreated_columns.setdefault((change.key[0], change.key[1]), set()).add(old.name)
        reason = "is derived again" if old.generated and new.generated else "loses its data"
        hazard = hz.data_loss(f"column {change.name} is dropped and added again and {reason}")
        phase = Phase.DROP_GENERATED_COLUMN if old.generated else Phase.DROP_COLUMN
        self.emit(phase, self._column_statement(change, f"DROP COLUMN {ident(old.name)}", (hazard,)))
        self._add_column(change, new)

    # -- constraints ------------------------------------------------------------------

    def _constraint_statement(
        self, constraint: Constraint, sql: str, action: str, hazards: tuple[Hazard, ...] = ()
    ) -> Statement:
        return Statement(
            sql,
            "constraint",
            action,
            _dotted(constraint.key),
            table=_dotted(constraint.table_key),
            hazards=hazards,
        )

    def _constraint_create(self, change: Change) -> None:
        self._add_constraint(change.desired)

    def _add_constraint(self, constraint: Constraint) -> None:
        if self._is_inline(constraint):
            return
        if constraint.kind == "f":
            self._foreign_keys_planned.add(constraint.key)
        phase = Phase.ADD_FOREIGN_KEY if constraint.kind == "f" else Phase.ADD_CONSTRAINT
        if constraint.table_key in self.new_tables:
            sql = ddl.add_constraint(constraint, not_valid=not constraint.validated)
            self.emit(phase, self._constraint_statement(constraint, sql, "create"))
        elif constraint.kind in ("c", "f"):
            self._add_then_validate(constraint, phase)
        elif constraint.kind in ("p", "u") and (key := ddl.parse_key(constraint)) is not None:
            self._add_key_with_concurrent_index(constraint, key)
        else:
            table = _dotted(constraint.table_key)
            hazards = (
                hz.exclusive_lock(table, f"constraint {constraint.name} builds its index and checks every row"),
                hz.index_build(constraint.name, table),
                hz.validates_rows(table, f"constraint {constraint.name}"),
            )
            sql = ddl.add_constraint(constraint)
            self.emit(phase, self._constraint_statement(constraint, sql, "create", hazards))

    def _add_then_validate(self, constraint: Constraint, phase: Phase) -> None:
        """ADD ... NOT VALID takes a brief lock and no scan; VALIDATE scans without blocking writes, later,
        in its own transaction. A constraint wanted NOT VALID stays so."""
        sql = ddl.add_constraint(constraint, not_valid=True)
        self.emit(phase, self._constraint_statement(constraint, sql, "create"))
        if constraint.validated:
            self._validate(constraint)

    def _validate(self, constraint: Constraint) -> None:
        hazard = hz.validates_rows(_dotted(constraint.table_key), f"constraint {constraint.name}")
        statement = self._constraint_statement(constraint, ddl.validate_constraint(constraint), "validate", (hazard,))
        self.emit(Phase.VALIDATE, replace(statement, own_transaction=True))

    def _add_key_with_concurrent_index(self, constraint: Constraint, key: re.Match[str]) -> None:
        """Build the key's unique index without blocking writes, then make it the constraint's (catalog only)."""
        table = _dotted(constraint.table_key)
        build = self._constraint_statement(
            constraint,
            ddl.unique_index_for_key(constraint, key),
            "create",
            (
                hz.index_build(constraint.name, table),
                hz.validates_rows(table, f"that {constraint.definition} holds"),
                hz.non_transactional(f"the unique index build for {constraint.name}"),
            ),
        )
        cleanup = ddl.drop_index_if_exists(constraint.schema, constraint.name)
        self.emit(Phase.CREATE_INDEX, replace(build, transactional=False, cleanup_sql=cleanup))
        attach = self._constraint_statement(constraint, ddl.add_key_using_index(constraint, key), "create")
        self.emit(Phase.ATTACH_KEY_INDEX, attach)

    def _constraint_drop(self, change: Change) -> None:
        self._drop_constraint(change.current)

    def _drop_constraint(self, constraint: Constraint, *, before_its_key: bool = False) -> None:
        # A constraint goes with its dropped table, unless it ties two dropped tables together, or the key it
        # references is dropped before the table is: then it goes first.
        ties_dropped_tables = (
            constraint.kind == "f"
            and constraint.ref_table in self.dropped_tables
            and constraint.ref_table != constraint.table_key
        )
        if constraint.table_key in self.dropped_tables and not (ties_dropped_tables or before_its_key):
            return
        phase = Phase.DROP_FOREIGN_KEY if constraint.kind == "f" else Phase.DROP_CONSTRAINT
        self.emit(phase, self._constraint_statement(constraint, ddl.drop_constraint(constraint), "drop"))
        if constraint.kind == "f":
            self._foreign_keys_planned.add(constraint.key)

    def _constraint_alter(self, change: Change) -> None:
        old: Constraint = change.current
        new: Constraint = change.desired
        if change.attributes == ("validated",) and new.validated:
            self._validate(new)
            return
        self._drop_constraint(old)
        self._add_constraint(new)

    def rebuild_foreign_keys_in_the_way(self) -> None:
        """Drop first, and add again after, the unchanged foreign keys that would block the plan.

        A foreign key depends on the unique index it references, so that index cannot be dropped
        under it; and a key column on either side cannot change type while it stands, as the two
        sides may not be comparable halfway through.
        """
        lost_indexes = self._indexes_dropped()
        for key, constraint in self.current.constraints.items():
            if constraint.kind != "f" or key in self._foreign_keys_planned:
                continue
            loses_key = constraint.ref_index in lost_indexes
            if not (loses_key or self._key_columns_change(constraint)):
                continue
            desired = self.desired.constraints.get(key)
            self._drop_constraint(constraint, before_its_key=loses_key)
            if desired is not None:
                self._add_constraint(desired)

    def _key_columns_change(self, fk: Constraint) -> bool:
        """Whether a column of `fk` changes type on either side, or is dropped and added again on its side."""
        own = self._retyped_columns.get(fk.table_key, set()) | self._recreated_columns.get(fk.table_key, set())
        if own & set(fk.columns):
            return True
        referenced = self._retyped_columns.get(fk.ref_table, set()) if fk.ref_table else set()
        return bool(referenced & self._referenced_columns(fk))

    def _referenced_columns(self, fk: Constraint) -> set[str]:
        """The columns of the unique constraint or index `fk` references."""
        if fk.ref_index is None or fk.ref_table is None:
            return set()
        index_name = fk.ref_index[1]
        for constraint in self.current.constraints.values():
            if constraint.table_key == fk.ref_table and constraint.index_name == index_name:
                return set(constraint.columns)
        index = self.current.indexes.get(fk.ref_index)
        if index is None:
            return set()
        table = self.current.tables[fk.ref_table]
        return {c.name for c in table.columns if ident(c.name) in index.keys}

    def _indexes_dropped(self) -> set[QualifiedName]:
        """Unique indexes dropped on their own; those of dropped tables go with their table, after its FKs."""
        dropped: set[QualifiedName] = set(self._rebuilt_indexes)
        for change in self.changes:
            if change.action in ("create", "rename") or change.kind not in ("index", "constraint"):
                continue
            if change.current.table_key in self.dropped_tables:
                continue
            if change.kind == "index":
                dropped.add(change.current.key)
            elif change.kind == "constraint" and change.current.index_name and change.attributes != ("validated",):
                dropped.add((change.current.schema, change.current.index_name))
        return dropped

    # -- indexes ----------------------------------------------------------------------

    def _index_statement(self, index: Index, sql: str, action: str, *, transactional: bool = True) -> Statement:
        return Statement(
            sql, "index", action, _dotted(index.key), table=_dotted(index.table_key), transactional=transactional
        )

    def _index_create(self, change: Change) -> None:
        self._create_index(change.desired)

    def _create_index(self, index: Index, *, action: str = "create") -> None:
        if index.table_key in self.new_tables or index.table_key in self._views_built:
            self.emit(Phase.CREATE_INDEX, self._index_statement(index, ddl.create_index(index), action))
            return
        self.emit(Phase.CREATE_INDEX, self._concurrent_build(index, action))

    def _concurrent_build(self, index: Index, action: str) -> Statement:
        table = _dotted(index.table_key)
        hazards = (hz.index_build(index.name, table), hz.non_transactional(f"the build of index {index.name}"))
        if index.unique:
            hazards += (hz.validates_rows(table, f"that unique index {index.name} holds"),)
        sql = ddl.create_index(index, concurrently=True)
        statement = replace(self._index_statement(index, sql, action, transactional=False), hazards=hazards)
        return replace(statement, cleanup_sql=ddl.drop_index_if_exists(index.schema, index.name))

    def _index_drop(self, change: Change) -> None:
        self._drop_index(change.current)

    def _drop_index(self, index: Index, *, phase: Phase = Phase.DROP_INDEX, action: str = "drop") -> None:
        if index.table_key in self.dropped_tables or index.table_key in self._views_dropped:
            return
        if index.table_key in self.new_tables:  # cannot happen for a current index; kept for clarity
            self.emit(phase, self._index_statement(index, ddl.drop_index(index), action))
            return
        hazards = (hz.index_dropped(_dotted(index.key)),) if action == "drop" else ()
        sql = ddl.drop_index(index, concurrently=True)
        self.emit(phase, replace(self._index_statement(index, sql, action, transactional=False), hazards=hazards))

    def _index_alter(self, change: Change) -> None:
        """Build the new definition under a temporary name, drop the old one, then rename: never without it."""
        old: Index = change.current
        new: Index = change.desired
        if self._must_drop_first(old) or old.table_key in self._views_dropped:
            self._drop_index(old)
            self._create_index(new, action="alter")
            return
        temporary = replace(new, name=ddl.truncate_identifier(f"{new.name}_pgdiff_new"))
        self.emit(Phase.CREATE_INDEX, self._concurrent_build(temporary, "alter"))
        self._drop_index(old, phase=Phase.SWAP_INDEX, action="alter")
        rename = ddl.rename_index(new.schema, temporary.name, new.name)
        self.emit(Phase.SWAP_INDEX, self._index_statement(new, rename, "alter"))

    def _must_drop_first(self, index: Index) -> bool:
        """An index on a column that is dropped, retyped or re-created cannot outlive it: no swap then."""
        table = index.table_key
        touched = (
            self._dropped_columns.get(table, set())
            | self._retyped_columns.get(table, set())
            | self._recreated_columns.get(table, set())
        )
        return bool(touched and expression_columns(index.body, touched))

    # -- functions, triggers, views and materialized views ---------------------------------
    #
    # Functions change in place (CREATE OR REPLACE) unless their kind, result type or arguments (names,
    # defaults) change: then they are dropped and created again, and so are the triggers and views that
    # use them. Non-constraint triggers change with CREATE OR REPLACE TRIGGER. Views change with CREATE OR
    # REPLACE VIEW when PostgreSQL allows it (same leading columns, new ones appended); otherwise they,
    # and every view reading them, are dropped (dependents first) and created again (in dependency
    # order), as are views reading a column that is dropped or changes type, or a function that goes.
    # A materialized view whose query changes is rebuilt, with its indexes and triggers.

    def _function_statement(self, function: Function, sql: str, action: str, hazards: tuple[Hazard, ...] = ()):
        name = f"{function.schema}.{function.name}({function.identity_arguments})"
        return Statement(sql, function.kind_name, action, name, hazards=hazards)

    def _create_function(self, function: Function, action: str = "create", *, replace_existing: bool = False):
        phase = Phase.CREATE_LATE_FUNCTION if function.reads_relations else Phase.CREATE_FUNCTION
        sql = ddl.create_function(function, replace_existing=replace_existing)
        if function.language == "sql" and phase == Phase.CREATE_FUNCTION and "\nAS $" in sql:
            # Before the tables, so that defaults and checks can call it: its body is checked when called.
            sql = "SET LOCAL check_function_bodies = off;\n" + sql
        self.emit(phase, self._function_statement(function, sql, action))

    def _function_create(self, change: Change) -> None:
        self._create_function(change.desired)

    def _function_drop(self, change: Change) -> None:
        function: Function = change.current
        hazard = hz.breaking(f"{function.kind_name} {change.name} is dropped")
        sql = ddl.drop_function(function)
        self.emit(self._drop_phase(function), self._function_statement(function, sql, "drop", (hazard,)))

    @staticmethod
    def _drop_phase(function: Function) -> Phase:
        return Phase.DROP_FUNCTION_OF_TABLES if function.reads_relations else Phase.DROP_FUNCTION

    def _function_alter(self, change: Change) -> None:
        if change.key in self._recreated_functions:
            sql = ddl.drop_function(change.current)
            self.emit(self._drop_phase(change.current), self._function_statement(change.current, sql, "alter"))
            self._create_function(change.desired, "alter")
            return
        self._create_function(change.desired, "alter", replace_existing=True)

    @cached_property
    def _recreated_functions(self) -> set[FunctionKey]:
        """Functions CREATE OR REPLACE cannot change: another kind, result type or argument list."""
        found = set()
        for change in self.changes:
            if change.kind == "function" and change.action == "alter":
                old, new = change.current, change.desired
                if (old.kind, old.result, old.arguments) != (new.kind, new.result, new.arguments):
                    found.add(change.current.key)
        return found

    @cached_property
    def _functions_gone(self) -> set[FunctionKey]:
        """Functions dropped, for good or to be created again: what uses them must go first."""
        return (self.current.functions.keys() - self.desired.functions.keys()) | self._recreated_functions

    # triggers

    def _trigger_statement(self, trigger: Trigger, sql: str, action: str) -> Statement:
        return Statement(sql, "trigger", action, _dotted(trigger.key), table=_dotted(trigger.table_key))

    def _create_trigger(self, trigger: Trigger, action: str = "create", *, old: Trigger | None = None) -> None:
        sql = ddl.create_trigger(trigger, replace_existing=old is not None)
        self.emit(Phase.CREATE_TRIGGER, self._trigger_statement(trigger, sql, action))
        if trigger.enabled != "O" or (old is not None and old.enabled != trigger.enabled):
            self.emit(Phase.CREATE_TRIGGER, self._trigger_statement(trigger, ddl.enable_trigger(trigger), action))

    def _drop_trigger(self, trigger: Trigger, action: str = "drop") -> None:
        """Unless its table or view is dropped, which takes the trigger with it."""
        if trigger.table_key in self.dropped_tables or trigger.table_key in self._views_dropped:
            return
        self.emit(Phase.DROP_TRIGGER, self._trigger_statement(trigger, ddl.drop_trigger(trigger), action))

    def _trigger_must_be_recreated(self, trigger: Trigger) -> bool:
        """Its function goes, its view is rebuilt, or a column of its UPDATE OF or WHEN is dropped or retyped."""
        table = trigger.table_key
        changing = self._dropped_columns.get(table, set()) | self._retyped_columns.get(table, set())
        return trigger.function in self._functions_gone or table in self._views_dropped or bool(
            changing & set(trigger.columns)
        )

    def _trigger_create(self, change: Change) -> None:
        self._create_trigger(change.desired)

    def _trigger_drop(self, change: Change) -> None:
        self._drop_trigger(change.current)

    def _trigger_alter(self, change: Change) -> None:
        old: Trigger = change.current
        new: Trigger = change.desired
        if change.attributes == ("enabled",) and not self._trigger_must_be_recreated(old):
            self.emit(Phase.CREATE_TRIGGER, self._trigger_statement(new, ddl.enable_trigger(new), "alter"))
        elif old.constraint or new.constraint or self._trigger_must_be_recreated(old):
            self._drop_trigger(old, "alter")
            self._create_trigger(new, "alter")
        else:
            self._create_trigger(new, "alter", old=old)

    # views and materialized views

    def _view_create(self, change: Change) -> None:
        pass  # planned as a whole, in dependency order, by `rebuild_functions_triggers_views`

    _view_drop = _view_alter = _view_create

    def _view_replaceable(self, old: View, new: View) -> bool:
        """Whether CREATE OR REPLACE VIEW (or, materialized, REFRESH/SET) does it."""
        if old.materialized != new.materialized:
            return False
        if old.materialized:
            return old.definition == new.definition and old.columns == new.columns
        return new.columns[: len(old.columns)] == old.columns

    def _view_uses_what_goes(self, view: View) -> bool:
        """It reads a table that is dropped, a column dropped or retyped, or a function that goes."""
        for schema, relation, column in view.uses_relations:
            table = (schema, relation)
            if table in self.dropped_tables:
                return True
            if column and column in self._dropped_columns.get(table, set()) | self._retyped_columns.get(table, set()):
                return True
        return any(function in self._functions_gone for function in view.uses_functions)

    @cached_property
    def _views_dropped(self) -> set[QualifiedName]:
        """Views dropped for good or to be created again (see the section comment)."""
        current, desired = self.current.views, self.desired.views
        dropped = set(current.keys() - desired.keys())
        for key, view in current.items():
            if key in desired and (
                self._view_uses_what_goes(view) or not self._view_replaceable(view, desired[key])
            ):
                dropped.add(key)
        grew = True
        while grew:  # whatever reads a dropped view goes too
            grew = False
            for key, view in current.items():
                if key not in dropped and any((s, r) in dropped for s, r, _ in view.uses_relations):
                    dropped.add(key)
                    grew = True
        return dropped

    @cached_property
    def _views_built(self) -> set[QualifiedName]:
        """Views this plan creates: new ones and those dropped to be created again."""
        return (self.desired.views.keys() - self.current.views.keys()) | (
            self._views_dropped & self.desired.views.keys()
        )

    def _view_statement(self, view: View, sql: str, action: str, hazards: tuple[Hazard, ...] = ()) -> Statement:
        return Statement(sql, view.kind_name, action, _dotted(view.key), hazards=hazards)

    def rebuild_functions_triggers_views(self) -> None:
        """Views in dependency order, then the triggers and indexes that views or functions being
        created again take with them."""
        current, desired = self.current.views, self.desired.views
        for key in reversed(self._view_order(current, self._views_dropped)):
            view = current[key]
            action = "alter" if key in desired else "drop"
            hazards: tuple[Hazard, ...] = ()
            if action == "drop":
                hazards = (hz.breaking(f"{view.kind_name} {_dotted(key)} is dropped"),)
            elif view.materialized:
                hazards = hz.view_rebuilt(_dotted(key), "its definition or what it reads changes")
            self.emit(Phase.DROP_VIEW, self._view_statement(view, ddl.drop_view(view), action, hazards))
        changed = {c.key for c in self.changes if c.kind == "view"}
        for key in self._view_order(desired, self._views_built | (changed & desired.keys())):
            view = desired[key]
            old = current.get(key)
            if key in self._views_built:
                action = "create" if old is None else "alter"
                self.emit(Phase.CREATE_VIEW, self._view_statement(view, ddl.create_view(view), action))
            elif not view.materialized:
                sql = ddl.create_view(view, replace_existing=True)
                self.emit(Phase.CREATE_VIEW, self._view_statement(view, sql, "alter"))
                if old is not None and {o.split("=")[0] for o in old.options} - {o.split("=")[0] for o in view.options}:
                    self.emit(Phase.CREATE_VIEW, self._view_statement(view, ddl.alter_view_options(view, old), "alter"))
            else:
                self._alter_materialized_view(old, view)
        self._rebuild_on_dropped_views_and_functions()

    def _alter_materialized_view(self, old: View, view: View) -> None:
        if old.options != view.options:
            self.emit(Phase.CREATE_VIEW, self._view_statement(view, ddl.alter_view_options(view, old), "alter"))
        if old.populated != view.populated:
            hazards = hz.view_rebuilt(_dotted(view.key), "REFRESH") if view.populated else ()
            sql = ddl.refresh_materialized_view(view)
            self.emit(Phase.CREATE_VIEW, self._view_statement(view, sql, "alter", hazards))

    def _rebuild_on_dropped_views_and_functions(self) -> None:
        """Indexes of rebuilt materialized views, and triggers on rebuilt views or using a function that
        is created again, that the diff leaves unchanged."""
        changed = {c.key for c in self.changes if c.kind in ("index", "trigger")}
        for key, index in self.current.indexes.items():
            if index.table_key in self._views_built and key not in changed and key in self.desired.indexes:
                self._create_index(self.desired.indexes[key])
        for key, trigger in self.current.triggers.items():
            if key not in changed and key in self.desired.triggers and self._trigger_must_be_recreated(trigger):
                self._drop_trigger(trigger, "alter")
                self._create_trigger(self.desired.triggers[key], "alter")

    @staticmethod
    def _view_order(views: dict[QualifiedName, View], keys: set[QualifiedName]) -> list[QualifiedName]:
        """`keys` with every view after the views (of `keys`) it reads; otherwise in name order."""
        ordered: list[QualifiedName] = []
        seen: set[QualifiedName] = set()

        def visit(key: QualifiedName) -> None:
            if key in seen:
                return
            seen.add(key)
            for schema, relation, _ in views[key].uses_relations:
                if (schema, relation) in keys and (schema, relation) != key:
                    visit((schema, relation))
            ordered.append(key)

        for key in sorted(keys):
            visit(key)
        return ordered

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
        return Statement(sql, "sequence", action, _dotted(sequence.key), hazards=hazards)

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
        return Statement(sql, kind, action, _dotted(key), hazards=hazards)

    def _create_type(self, kind: str, obj: EnumType | CompositeType | Domain | RangeType) -> None:
        self._type_creates.append((kind, obj))

    def _drop_type(self, kind: str, obj: EnumType | CompositeType | Domain | RangeType) -> None:
        self._type_drops.append((kind, obj))

    def order_types(self) -> None:
        """Emit type creates in dependency order and type drops in the reverse order."""
        for kind, obj in _dependency_order(self._type_creates):
            self._emit_type_create(kind, obj, Phase.CREATE_TYPE)
        for kind, obj in reversed(_dependency_order(self._type_drops)):
            hazard = hz.breaking(f"{kind} type {_dotted(obj.key)} is dropped")
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
                        f"{change.kind} type {change.name}: {why} while column {_dotted((*table_key, column.name))} "
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
                        f"{kind} {_dotted(key)} is built on it: PostgreSQL can only add enum labels, and pgdiff "
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
        table = _dotted(table_key)
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
