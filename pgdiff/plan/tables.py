"""Renames, schemas, extensions, tables and columns."""

from __future__ import annotations

from dataclasses import replace

from pgdiff.diff import Change
from pgdiff.errors import UnconvertibleTypeError
from pgdiff.model import (
    IDENTITY_OPTIONS,
    Column,
    Constraint,
    QualifiedName,
    Table,
    identity_defaults,
)
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.column_types import (
    classify,
    converts_explicitly,
    converts_in_assignment,
    converts_through_text,
    enum_key,
    is_binary_coercible,
    is_enum,
    moved_with_extension,
)
from pgdiff.plan.expressions import expression_columns
from pgdiff.plan.partitions import MEMBERSHIP
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Hazard, Statement
from pgdiff.quoting import ident


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



class TablePlanner(PlannerBase):
    """Plans changes to schemas, extensions, tables and columns, and renames of any kind."""

    # -- renames ----------------------------------------------------------------------

    def _rename(self, change: Change) -> None:
        old_name: str = change.desired
        sql = ddl.rename(change.kind, change.key, old_name)
        old_identity = dotted((*change.key[:-1], old_name))
        hazard = hz.breaking(f"{change.kind} {old_identity} is renamed to {change.key[-1]}")
        table = dotted(change.key[:2]) if change.kind in ("table", "column", "constraint") else None
        self.emit(Phase.RENAME, Statement(sql, change.kind, "rename", change.name, table=table, hazards=(hazard,)))

    _table_rename = _column_rename = _constraint_rename = _index_rename = _sequence_rename = _rename

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
        old, new = change.current, change.desired
        if "schema" in change.attributes:
            sql = ddl.alter_extension_schema(new)
            self.emit(Phase.CREATE_EXTENSION, Statement(sql, "extension", "alter", change.name))
        if "version" in change.attributes:
            message = (
                f"extension {change.name} is updated from {old.version} to {new.version}: its functions, types "
                "and operators may change, and an update script cannot always be reversed"
            )
            hazard = Hazard("breaking-change", message)
            sql = ddl.update_extension(new)
            self.emit(Phase.CREATE_EXTENSION, Statement(sql, "extension", "alter", change.name, hazards=(hazard,)))

    # -- tables and columns -----------------------------------------------------------

    def _table_create(self, change: Change) -> None:
        """Emitted parents first by `create_tables_parents_first` (partitions.py)."""

    def _is_inline(self, constraint: Constraint) -> bool:
        """Valid non-FK constraints of a new table are written inside its CREATE TABLE; but not a partition's own
        primary key when the partition is made PARTITION OF a new parent: there PostgreSQL 18 would give the
        key's columns NOT NULL constraints of the partition's own instead of its parent's (ALTER TABLE ADD
        PRIMARY KEY, after, keeps the parent's; own NOT NULLs are written in PARTITION OF already)."""
        if constraint.table_key not in self.new_tables or constraint.kind == "f" or not constraint.validated:
            return False
        table = self.desired.tables.get(constraint.table_key)
        return not (constraint.kind == "p" and table is not None and table.parent in self.new_tables)

    def _table_drop(self, change: Change) -> None:
        """Emitted children first by `drop_tables_children_first` (partitions.py)."""

    def _table_alter(self, change: Change) -> None:
        if MEMBERSHIP & set(change.attributes):
            self._alter_membership(change)
        if "unlogged" in change.attributes:
            self._change_persistence(change)
        if "options" in change.attributes:
            for sql in ddl.alter_storage_options(change.desired, change.current):
                self.emit(Phase.ALTER_TABLE, Statement(sql, "table", "alter", change.name, table=change.name))
        if {"replica_identity", "replica_index"} & set(change.attributes):
            self.set_replica_identity(change.desired, "alter")

    def set_replica_identity(self, table: Table, action: str) -> None:
        """Catalog only; what logical decoding writes for updated and deleted rows from then on."""
        name = dotted(table.key)
        self.emit(Phase.REPLICA_IDENTITY, Statement(ddl.replica_identity(table), "table", action, name, table=name))

    def _change_persistence(self, change: Change) -> None:
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
            table=dotted((schema, table)),
            hazards=hazards,
        )

    def _column_create(self, change: Change) -> None:
        self._add_column(change, change.desired)

    def _add_column(self, change: Change, column: Column) -> None:
        table_key = (change.key[0], change.key[1])
        hazards: tuple[Hazard, ...] = ()
        if table_key not in self.new_tables:
            why = _add_column_rewrite_reason(column)
            if why is None and self.type_facts.is_constrained_domain(column.type):
                why = f"is of domain {column.type}, whose constraints are checked in every row"
            if why:
                hazards = hz.table_rewrite(dotted(table_key), f"column {column.name} {why}")
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
        if old.default is not None and self.stands_on_replaced("default", change.key):
            self.drop_default_early(change)
            old = replace(old, default=None)

        def alter(action: str, *hazards: Hazard) -> None:
            self.emit(Phase.ALTER_COLUMN, self._column_statement(change, f"ALTER COLUMN {col} {action}", hazards))

        if old.type != new.type and moved_with_extension(old.type, new.type, self.current, self.desired):
            old = replace(old, type=new.type)  # ALTER EXTENSION ... SET SCHEMA moves the column's type with it
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
            alter(f"SET DEFAULT {new.sql_default}")
        if new.not_null and not old.not_null:
            self._set_not_null(change, new)
        elif old.not_null and not new.not_null:
            alter("DROP NOT NULL")
        elif new.not_null and old.not_null_validated != new.not_null_validated:
            self._change_not_null_validation(change, old, new)
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
        """USING the files' conversion, else a cast only where the table is rewritten anyway; hazards from
        what the change costs. A change PostgreSQL cannot convert by itself is refused here, before apply."""
        if old.inherited:
            return  # an inherited column changes type with its parent's: ALTER TABLE recurses to the children
        collate = f" COLLATE {new.collation}" if new.collation else ""
        action = f"ALTER COLUMN {ident(new.name)} TYPE {new.type}{collate}"
        hazards: tuple[Hazard, ...] = ()
        if old.type != new.type:
            using, hazards = self._type_conversion(change, old, new)
            action += f" USING {using}" if using else ""
        self.emit(Phase.ALTER_COLUMN, self._column_statement(change, action, hazards))

    def _type_conversion(self, change: Change, old: Column, new: Column) -> tuple[str | None, tuple[Hazard, ...]]:
        """The USING expression (None: the old values are kept as they are) and the hazards of the change."""
        table, col = dotted(change.key[:2]), ident(new.name)
        rewrite = hz.table_rewrite(table, f"column {new.name} changes from {old.type} to {new.type}")
        given = self.conversions.get(change.key)
        if given is not None:
            return given, rewrite
        facts = self.type_facts
        if converts_in_assignment(old.type, new.type, facts):
            if is_binary_coercible(old.type, new.type, facts):
                return None, ()
            cost = classify(old.type, new.type)
            hazards = rewrite if cost.rewrites else ()
            if cost.loses_data:
                hazards += (hz.data_loss(f"column {change.name}: {cost.reason}"),)
            return (f"{col}::{new.type}" if cost.rewrites else None), hazards
        if converts_through_text(old.type, new.type, facts):
            array = "[]" if new.type.endswith("[]") else ""
            return f"{col}::text{array}::{new.type}", rewrite + self._labels_checked(change, old, new)
        if converts_explicitly(old.type, new.type, facts):
            return f"{col}::{new.type}", rewrite
        raise UnconvertibleTypeError(change.key, old.type, new.type)

    def _labels_checked(self, change: Change, old: Column, new: Column) -> tuple[Hazard, ...]:
        """Converting to an enum fails on a value that is not one of its labels, unless every old one is."""
        source, _ = self.type_facts.resolve(old.type, old=True)
        target, _ = self.type_facts.resolve(new.type, old=False)
        if not is_enum(target):
            return ()
        labels = set(self.desired.enums[enum_key(target)].labels)
        if is_enum(source) and set(self.current.enums[enum_key(source)].labels) <= labels:
            return ()
        why = f"that every value of {new.name} is a label of {target.name.removeprefix('enum ')}"
        return (hz.validates_rows(dotted(change.key[:2]), why),)

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
        hazard = hz.validates_rows(dotted((schema, table)), f"that {name} has no NULL")
        default_name = column.not_null_name or f"{table}_{name}_not_null"
        if self.current.server_version >= 180000 and len(default_name.encode()) <= 63:
            self.emit(
                Phase.ALTER_COLUMN,
                self._column_sql(change, ddl.not_null_constraint_not_valid(schema, table, name, default_name)),
            )
            if not column.not_null_validated:
                return  # wanted NOT VALID
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

    def _change_not_null_validation(self, change: Change, old: Column, new: Column) -> None:
        """PostgreSQL 18's NOT NULL ... NOT VALID: validated in its own transaction (the state a killed apply
        leaves between the add and the VALIDATE), or, when the files want it NOT VALID, added again so."""
        schema, table, name = change.key
        constraint = new.not_null_name or old.not_null_name or f"{table}_{name}_not_null"
        if new.not_null_validated:
            hazard = hz.validates_rows(dotted((schema, table)), f"that {name} has no NULL")
            validate = ddl.validate_named(schema, table, constraint)
            statement = replace(self._column_sql(change, validate, (hazard,)), own_transaction=True)
            self.emit(Phase.VALIDATE_NOT_NULL, statement)
            return
        self.emit(Phase.ALTER_COLUMN, self._column_statement(change, f"ALTER COLUMN {ident(name)} DROP NOT NULL"))
        add = ddl.not_null_constraint_not_valid(schema, table, name, constraint)
        self.emit(Phase.SET_NOT_NULL, self._column_sql(change, add))

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
                hazards = hz.table_rewrite(dotted(change.key[:2]), f"column {new.name} has a new generation expression")
            sql = f"ALTER COLUMN {ident(new.name)} SET EXPRESSION AS ({new.sql_default})"
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
                if column.name in self._recreated_columns.get(key, set()):
                    continue  # already, because its expression stands on a function or type made again
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

