"""Primary keys, unique, check, exclusion and foreign key constraints."""

from __future__ import annotations

import re
from dataclasses import replace

from pgdiff.diff import Change
from pgdiff.model import (
    Constraint,
    QualifiedName,
)
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Hazard, Statement
from pgdiff.quoting import ident


class ConstraintPlanner(PlannerBase):
    """Plans constraints: NOT VALID then VALIDATE, keys from concurrently built indexes, FKs rebuilt around changes."""

    # -- constraints ------------------------------------------------------------------

    def _constraint_statement(
        self, constraint: Constraint, sql: str, action: str, hazards: tuple[Hazard, ...] = ()
    ) -> Statement:
        return Statement(
            sql,
            "constraint",
            action,
            dotted(constraint.key),
            table=dotted(constraint.table_key),
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
        elif constraint.kind == "f" and self._not_valid_refused(constraint):
            # PostgreSQL before 18 refuses NOT VALID foreign keys on partitioned tables: checked while added.
            table = dotted(constraint.table_key)
            hazards = (
                hz.validates_rows(table, f"foreign key {constraint.name}, while writes to both tables wait"),
            )
            self.emit(phase, self._constraint_statement(constraint, ddl.add_constraint(constraint), "create", hazards))
        elif constraint.kind in ("c", "f"):
            self._add_then_validate(constraint, phase)
        elif (
            constraint.kind in ("p", "u")
            and not self._is_partitioned_table(constraint.table_key)
            and (key := ddl.parse_key(constraint)) is not None
        ):
            self._add_key_with_concurrent_index(constraint, key)
        else:
            table = dotted(constraint.table_key)
            hazards = (
                hz.exclusive_lock(table, f"constraint {constraint.name} builds its index and checks every row"),
                hz.index_build(constraint.name, table),
                hz.validates_rows(table, f"constraint {constraint.name}"),
            )
            sql = ddl.add_constraint(constraint)
            self.emit(phase, self._constraint_statement(constraint, sql, "create", hazards))

    def _is_partitioned_table(self, key: QualifiedName) -> bool:
        """A key on a partitioned table cannot reuse a concurrently built index: PostgreSQL builds its own."""
        table = self.desired.tables.get(key)
        return table is not None and table.partitioned

    def _not_valid_refused(self, constraint: Constraint) -> bool:
        return self._is_partitioned_table(constraint.table_key) and self.current.server_version < 180000

    def _add_then_validate(self, constraint: Constraint, phase: Phase) -> None:
        """ADD ... NOT VALID takes a brief lock and no scan; VALIDATE scans without blocking writes, later,
        in its own transaction. A constraint wanted NOT VALID stays so."""
        sql = ddl.add_constraint(constraint, not_valid=True)
        self.emit(phase, self._constraint_statement(constraint, sql, "create"))
        if constraint.validated:
            self._validate(constraint)

    def _validate(self, constraint: Constraint) -> None:
        hazard = hz.validates_rows(dotted(constraint.table_key), f"constraint {constraint.name}")
        statement = self._constraint_statement(constraint, ddl.validate_constraint(constraint), "validate", (hazard,))
        self.emit(Phase.VALIDATE, replace(statement, own_transaction=True))

    def _add_key_with_concurrent_index(self, constraint: Constraint, key: re.Match[str]) -> None:
        """Build the key's unique index without blocking writes, then make it the constraint's (catalog only)."""
        table = dotted(constraint.table_key)
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
        if change.attributes == ("validated",) and new.validated and not self.stands_on_replaced("constraint", old.key):
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
        # Looked up only when the referenced table has retyped columns: most foreign keys are not in the way.
        return bool(referenced) and bool(referenced & self._referenced_columns(fk))

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

