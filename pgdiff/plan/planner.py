"""Turns changes into ordered statements: phases by dependency, online forms, hazards.

Statements are emitted into phases; within a phase they keep the diff's
deterministic order. The phase order is what makes a plan runnable: foreign keys
are dropped before the keys they rely on and added after them, tables exist before
their columns are altered, schemas exist before anything is created in them.
"""

from __future__ import annotations

from dataclasses import replace
from enum import IntEnum

from pgdiff.diff import Change
from pgdiff.model import Column, Constraint, Index, Model, QualifiedName
from pgdiff.plan import ddl
from pgdiff.plan.types import Hazard, Plan, Statement, group_statements
from pgdiff.quoting import ident


class Phase(IntEnum):
    CREATE_SCHEMA = 1
    CREATE_EXTENSION = 2
    DROP_FOREIGN_KEY = 3
    DROP_CONSTRAINT = 4
    DROP_INDEX = 5
    DROP_TABLE = 6
    DROP_COLUMN = 7
    CREATE_TABLE = 8
    ADD_COLUMN = 9
    ALTER_COLUMN = 10
    ALTER_TABLE = 11
    ADD_CONSTRAINT = 12
    CREATE_INDEX = 13
    ADD_FOREIGN_KEY = 14
    VALIDATE = 15
    DROP_EXTENSION = 16
    DROP_SCHEMA = 17


def build_plan(changes: list[Change], current: Model, desired: Model) -> Plan:
    planner = _Planner(current, desired, changes)
    for change in changes:
        planner.plan_change(change)
    planner.rebuild_foreign_keys_losing_their_key()
    return Plan(group_statements(planner.ordered()))


def _dotted(key: tuple[str, ...]) -> str:
    return ".".join(key)


class _Planner:
    def __init__(self, current: Model, desired: Model, changes: list[Change]) -> None:
        self.current = current
        self.desired = desired
        self.changes = changes
        self.new_tables = desired.tables.keys() - current.tables.keys()
        self.dropped_tables = current.tables.keys() - desired.tables.keys()
        self._emitted: list[tuple[Phase, int, Statement]] = []
        self._foreign_keys_planned: set[tuple[str, str, str]] = set()

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
        self.emit(
            Phase.ALTER_TABLE, Statement(sql, "table", "alter", change.name, table=change.name, hazards=(hazard,))
        )

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
        self.emit(
            Phase.ADD_COLUMN, self._column_statement(change, f"ADD COLUMN {ddl.column_definition(change.desired)}")
        )

    def _column_drop(self, change: Change) -> None:
        hazard = Hazard("data-loss", f"column {change.name} is dropped with its data")
        self.emit(
            Phase.DROP_COLUMN, self._column_statement(change, f"DROP COLUMN {ident(change.current.name)}", (hazard,))
        )

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
            alter(f"ADD GENERATED {new.identity.upper()} AS IDENTITY")
        elif new.identity and new.identity != old.identity:
            alter(f"SET GENERATED {new.identity.upper()}")

    def _alter_generated(self, change: Change, old: Column, new: Column) -> Column | None:
        """Handle generated-column changes; returns the column as it stands after, or None when done."""
        only_expression_changed = set(change.attributes) <= {"default"}
        if old.generated and old.generated == new.generated and only_expression_changed:
            if self.current.server_version >= 170000:
                hazards = ()
                if new.generated == "stored":
                    hazards = (
                        Hazard("table-rewrite", f"column {change.name}: new generation expression rewrites the table"),
                    )
                self.emit(
                    Phase.ALTER_COLUMN,
                    self._column_statement(
                        change, f"ALTER COLUMN {ident(new.name)} SET EXPRESSION AS ({new.default})", hazards
                    ),
                )
                return None
        elif old.generated == "stored" and not new.generated:
            self.emit(
                Phase.ALTER_COLUMN, self._column_statement(change, f"ALTER COLUMN {ident(new.name)} DROP EXPRESSION")
            )
            return replace(old, generated="", default=None)
        self._recreate_column(change, old, new)
        return None

    def _recreate_column(self, change: Change, old: Column, new: Column) -> None:
        """Drop and add again: PostgreSQL cannot turn a column into a generated one in place."""
        reason = "is derived again" if old.generated else "loses its data"
        hazard = Hazard("data-loss", f"column {change.name} is dropped and added again and {reason}")
        drop = self._column_statement(change, f"DROP COLUMN {ident(old.name)}", (hazard,))
        add = self._column_statement(change, f"ADD COLUMN {ddl.column_definition(new)}")
        self.emit(Phase.ALTER_COLUMN, drop)
        self.emit(Phase.ALTER_COLUMN, add)

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

    def _drop_constraint(self, constraint: Constraint) -> None:
        # A constraint goes with its dropped table, unless it ties two dropped tables together: then it goes first.
        ties_dropped_tables = (
            constraint.kind == "f"
            and constraint.ref_table in self.dropped_tables
            and constraint.ref_table != constraint.table_key
        )
        if constraint.table_key in self.dropped_tables and not ties_dropped_tables:
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

    def rebuild_foreign_keys_losing_their_key(self) -> None:
        """A foreign key depends on the unique index it references: dropping that index needs the FK gone first."""
        lost_indexes = self._indexes_dropped()
        for key, constraint in self.current.constraints.items():
            if constraint.kind != "f" or key in self._foreign_keys_planned or constraint.ref_index not in lost_indexes:
                continue
            desired = self.desired.constraints.get(key)
            self._drop_constraint(constraint)
            if desired is not None:
                self._add_constraint(desired)

    def _indexes_dropped(self) -> set[QualifiedName]:
        dropped: set[QualifiedName] = set()
        for change in self.changes:
            if change.action == "create":
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
