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

from dataclasses import replace
from enum import IntEnum

from pgdiff.diff import Change
from pgdiff.model import IDENTITY_OPTIONS, Column, Constraint, Index, Model, QualifiedName, identity_defaults
from pgdiff.plan import ddl
from pgdiff.plan.expressions import expression_columns
from pgdiff.plan.types import Hazard, Plan, Statement, group_statements
from pgdiff.quoting import ident


class Phase(IntEnum):
    CREATE_SCHEMA = 1
    CREATE_EXTENSION = 2
    DROP_FOREIGN_KEY = 3
    DROP_CONSTRAINT = 4
    DROP_INDEX = 5
    DROP_TABLE = 6
    # A generated column holds a dependency on the columns it reads: it stops being generated, or is dropped,
    # before they are dropped or change type.
    DROP_EXPRESSION = 7
    DROP_GENERATED_COLUMN = 8
    DROP_COLUMN = 9
    CREATE_TABLE = 10
    # Before ADD_COLUMN, so that a new generated column reads its columns in their new type.
    ALTER_COLUMN = 11
    ADD_COLUMN = 12
    SET_EXPRESSION = 13
    ALTER_TABLE = 14
    ADD_CONSTRAINT = 15
    CREATE_INDEX = 16
    ADD_FOREIGN_KEY = 17
    VALIDATE = 18
    DROP_EXTENSION = 19
    DROP_SCHEMA = 20


def build_plan(changes: list[Change], current: Model, desired: Model) -> Plan:
    planner = _Planner(current, desired, changes)
    for change in changes:
        planner.plan_change(change)
    planner.recreate_generated_columns_reading_changed_columns()
    planner.rebuild_what_stands_on_recreated_columns()
    planner.rebuild_foreign_keys_in_the_way()
    planner.add_columns_in_table_order()
    planner.change_persistence_in_foreign_key_order()
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

    # -- bookkeeping ------------------------------------------------------------------

    def emit(self, phase: Phase, statement: Statement) -> None:
        self._emitted.append((phase, len(self._emitted), statement))

    def ordered(self) -> list[Statement]:
        return [statement for _, _, statement in sorted(self._emitted, key=lambda item: (item[0], item[1]))]

    def plan_change(self, change: Change) -> None:
        handler = getattr(self, f"_{change.kind}_{change.action}")
        handler(change)

    # -- schemas and extensions -------------------------------------------------------

    def _schema_create(self, change: Change) -> None:
        self.emit(
            Phase.CREATE_SCHEMA, Statement(ddl.create_schema(change.desired.name), "schema", "create", change.name)
        )

    def _schema_drop(self, change: Change) -> None:
        hazard = Hazard("data-loss", f"schema {change.name} is dropped")
        self.emit(
            Phase.DROP_SCHEMA,
            Statement(ddl.drop_schema(change.current.name), "schema", "drop", change.name, hazards=(hazard,)),
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
        hazard = Hazard("data-loss", f"table {change.name} is dropped with all its rows")
        self.emit(
            Phase.DROP_TABLE,
            Statement(
                ddl.drop_table(change.current), "table", "drop", change.name, table=change.name, hazards=(hazard,)
            ),
        )

    def _table_alter(self, change: Change) -> None:
        table = change.desired
        action = "SET UNLOGGED" if table.unlogged else "SET LOGGED"
        hazard = Hazard("table-rewrite", f"table {change.name}: {action} rewrites the table under ACCESS EXCLUSIVE")
        sql = ddl.alter_table(table.schema, table.name, action)
        statement = Statement(sql, "table", "alter", change.name, table=change.name, hazards=(hazard,))
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
        statement = self._column_statement(change, f"ADD COLUMN {ddl.column_definition(column)}")
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
        hazard = Hazard("data-loss", f"column {change.name} is dropped with its data")
        phase = Phase.DROP_GENERATED_COLUMN if change.current.generated else Phase.DROP_COLUMN
        self.emit(phase, self._column_statement(change, f"DROP COLUMN {ident(change.current.name)}", (hazard,)))

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
            alter("DROP IDENTITY")
        if old.default is not None and (new.default != old.default or type_changes or new.identity):
            alter("DROP DEFAULT")
            old = replace(old, default=None)
        if type_changes:
            collate = f" COLLATE {new.collation}" if new.collation else ""
            hazard = Hazard(
                "table-rewrite",
                f"column {change.name}: type {old.type} to {new.type} may rewrite the table under ACCESS EXCLUSIVE",
            )
            alter(f"TYPE {new.type}{collate} USING {col}::{new.type}", hazard)
        if new.default is not None and new.default != old.default:
            alter(f"SET DEFAULT {new.default}")
        if new.not_null and not old.not_null:
            alter("SET NOT NULL")
        elif old.not_null and not new.not_null:
            alter("DROP NOT NULL")
        if new.identity and not old.identity:
            alter(f"ADD {ddl.identity_clause(new)}")
        elif new.identity:
            self._alter_identity(change, old, new)

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
        hazard = Hazard("data-loss", f"column {change.name} is dropped and added again and {reason}")
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
        phase = Phase.ADD_FOREIGN_KEY if constraint.kind == "f" else Phase.ADD_CONSTRAINT
        sql = ddl.add_constraint(constraint, not_valid=not constraint.validated)
        self.emit(phase, self._constraint_statement(constraint, sql, "create"))
        if constraint.kind == "f":
            self._foreign_keys_planned.add(constraint.key)

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
            self.emit(Phase.VALIDATE, self._constraint_statement(new, ddl.validate_constraint(new), "validate"))
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
            if change.action == "create" or change.kind not in ("index", "constraint"):
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

    def _create_index(self, index: Index) -> None:
        existing_table = index.table_key not in self.new_tables
        sql = ddl.create_index(index, concurrently=existing_table)
        self.emit(Phase.CREATE_INDEX, self._index_statement(index, sql, "create", transactional=not existing_table))

    def _index_drop(self, change: Change) -> None:
        self._drop_index(change.current)

    def _drop_index(self, index: Index) -> None:
        if index.table_key in self.dropped_tables:
            return
        self.emit(Phase.DROP_INDEX, self._index_statement(index, ddl.drop_index(index), "drop"))

    def _index_alter(self, change: Change) -> None:
        self._drop_index(change.current)
        self._create_index(change.desired)
