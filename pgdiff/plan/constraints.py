"""Primary keys, unique, check, exclusion and foreign key constraints."""

from __future__ import annotations

import re
from dataclasses import replace

from pgdiff.diff import Change
from pgdiff.model import (
    Constraint,
    QualifiedName,
    Table,
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
        elif constraint.kind in ("p", "u") and (key := ddl.parse_key(constraint)) is not None:
            if self._is_partitioned_table(constraint.table_key):
                self._add_partitioned_key(constraint)
            else:
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

    def _add_key_with_concurrent_index(
        self,
        constraint: Constraint,
        key: re.Match[str],
        build_phase: Phase = Phase.CREATE_INDEX,
        add_phase: Phase = Phase.ATTACH_KEY_INDEX,
    ) -> None:
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
        self.emit(build_phase, replace(build, transactional=False, cleanup_sql=cleanup))
        attach = self._constraint_statement(constraint, ddl.add_key_using_index(constraint, key), "create")
        self.emit(add_phase, attach)

    # -- keys of partitioned tables --------------------------------------------------------

    def _add_partitioned_key(self, constraint: Constraint) -> None:
        """A key of a partitioned table cannot take a concurrently built index, but ADD CONSTRAINT takes each
        partition's matching key as its copy: every partition gets its copy first, under the copy's desired
        name (its own key kept and renamed, or a unique index built concurrently and made its key), so that
        adding the key, from the lowest partitioned level up, only updates the catalog."""
        self._key_copies(constraint, constraint, Phase.CREATE_INDEX, Phase.ATTACH_KEY_INDEX)
        table = dotted(constraint.table_key)
        why = f"constraint {constraint.name} is added over its partitions' copies, built before (catalog only)"
        statement = self._constraint_statement(
            constraint, ddl.add_constraint(constraint), "create", (hz.exclusive_lock(table, why),)
        )
        self.emit(Phase.ATTACH_KEY_INDEX, statement)

    def _key_copies(self, root: Constraint, parent: Constraint, build_phase: Phase, add_phase: Phase) -> None:
        """The copies of `root` under `parent` (a copy of it, or itself), lowest levels first."""
        for schema, table, name, parent_name in root.partition_keys:
            partition = self.desired.tables.get((schema, table))
            # Key names are unique per table only: the copy's table must be a partition of `parent`'s.
            if parent_name == parent.name and partition is not None and partition.parent == parent.table_key:
                self.key_copy(root, replace(root, schema=schema, table=table, name=name), build_phase, add_phase)

    def key_copy(self, root: Constraint, copy: Constraint, build_phase: Phase, add_phase: Phase) -> None:
        """One partition's copy of `root`: kept and renamed, built, or (on a partitioned partition) added over
        the copies below it."""
        adopted = self._adopted_as.get((copy.schema, copy.table, copy.name))
        if adopted is not None:
            if adopted != copy.name:
                sql = ddl.rename("constraint", copy.key, adopted)
                self.emit(build_phase, self._constraint_statement(copy, sql, "alter"))
            return
        key = ddl.parse_key(copy)
        if self._is_partitioned_table(copy.table_key):
            self._key_copies(root, copy, build_phase, add_phase)
        elif copy.table_key not in self.new_tables and key is not None:
            self._add_key_with_concurrent_index(copy, key, build_phase, add_phase)
            return
        self.emit(add_phase, self._constraint_statement(copy, ddl.add_constraint(copy), "create"))

    def key_partition_before_attach(self, partition: Table) -> None:
        """Give a partition, before it is attached, its copies of the keys its parent keeps, under their desired
        names: ATTACH takes them as the copies, where it would otherwise build them under a name of its choice
        while the partition is locked."""
        for root in self.desired.constraints.values():
            if root.kind not in ("p", "u", "x") or self.current.constraints.get(root.key) != root:
                continue
            for schema, table, name, _ in root.partition_keys:
                if (schema, table) == partition.key:
                    copy = replace(root, schema=schema, table=table, name=name)
                    self.key_copy(root, copy, Phase.ATTACH_PARTITION, Phase.ATTACH_PARTITION)

    def add_keys_taken_by_cascade(self) -> None:
        """The partitions' keys the files keep that went with their parent's index (see
        `PlannerBase._find_keys_dropped_with_indexes`): added again, their index built concurrently first."""
        for key in self.keys_taken_by_cascade:
            self._add_constraint(key)

    def _constraint_drop(self, change: Change) -> None:
        if change.current.key in self._adopted_keys or self.joins_with_check(change.current):
            return  # kept, as the copy of its parent's key or check
        if any(change.current.key in keys for keys in self.keys_dropped_with_index.values()):
            return  # goes with the partitioned index its index is a copy of (plan/indexes.py)
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
        if constraint.key in self._kept_after_detach:
            phase = Phase.DROP_DETACHED_COPY
        self.emit(phase, self._constraint_statement(constraint, ddl.drop_constraint(constraint), "drop"))
        if constraint.kind == "f":
            self._foreign_keys_planned.add(constraint.key)

    def _constraint_alter(self, change: Change) -> None:
        old: Constraint = change.current
        new: Constraint = change.desired
        if change.attributes == ("copy_names",):
            return  # renamed by `rename_copies_to_desired_names`
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

