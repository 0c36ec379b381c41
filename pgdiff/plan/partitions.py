"""Partitioned tables, partitions and table inheritance: tables created and dropped in parent order, and
tables joining and leaving their parents.

A partition of a partitioned table that is created in the same plan is made with `PARTITION OF` (nothing
is locked that anyone uses). A new partition of an existing partitioned table is created standalone, with
the parent's columns, and attached: `ATTACH PARTITION` takes SHARE UPDATE EXCLUSIVE on the parent where
`PARTITION OF` would take ACCESS EXCLUSIVE. A partition leaves with `DETACH PARTITION ... CONCURRENTLY`
when the parent has no DEFAULT partition (PostgreSQL refuses it then). A changed bound is a detach and an
attach in one transaction, so that readers never miss the partition's rows. What needs the rows moved (a new
partition key, a plain table becoming partitioned or back) is a recreation (`recreate.py`).
"""

from __future__ import annotations

from dataclasses import replace

from pgdiff.diff import Change, inherited_columns
from pgdiff.diff import parents_of as _parents_of
from pgdiff.model import Model, QualifiedName, Table
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Hazard, Statement
from pgdiff.quoting import ident

MEMBERSHIP = {"partition_key", "parent", "bound", "detach_pending", "inherits", "own_not_nulls"}


def _depth(model: Model, table: Table) -> int:
    """How many parents are above `table` (partition or inheritance), at the most."""
    parents = [model.tables[key] for key in _parents_of(table) if key in model.tables]
    return 1 + max((_depth(model, parent) for parent in parents), default=-1)


class PartitionPlanner(PlannerBase):
    """Plans creating, dropping, attaching and detaching partitions and inheritance children."""

    def _table_statement(self, table: Table, sql: str, action: str, hazards: tuple[Hazard, ...] = ()) -> Statement:
        name = dotted(table.key)
        return Statement(sql, "table", action, name, table=name, hazards=hazards)

    def _inline_constraints(self, table: Table) -> list:
        inline = [c for c in self.desired.constraints.values() if c.table_key == table.key and self._is_inline(c)]
        return sorted(inline, key=lambda c: c.creation_order)  # as the files made them (see Constraint)

    # -- new tables -------------------------------------------------------------------

    def _joins_existing_parent(self, table: Table) -> QualifiedName | None:
        """The existing partitioned table that `table`'s tree of new partitions hangs from, if any."""
        while table.parent is not None:
            if table.parent not in self.new_tables:
                return table.parent
            table = self.desired.tables[table.parent]
        return None

    def create_tables_parents_first(self) -> None:
        """Parents before their partitions and inheritance children.

        A tree of new partitions under an existing partitioned table is built apart (the partitions below
        its top are PARTITION OF the new top) and attached last, once the parent's columns are final.
        """
        attaching: list[Table] = []
        new = sorted(
            (self.desired.tables[key] for key in self.new_tables - self.recreated_tables),
            key=lambda t: (_depth(self.desired, t), t.key),
        )
        for table in new:
            inline = self._inline_constraints(table)
            if self._joins_existing_parent(table) is None:
                self.emit(Phase.CREATE_TABLE, self._table_statement(table, ddl.create_table(table, inline), "create"))
                continue
            top = table.parent not in self.new_tables
            sql = ddl.create_table(table, inline, like=table.parent if top else None)
            self.emit(Phase.ATTACH_PARTITION, self._table_statement(table, sql, "create"))
            if top:
                attaching.append(table)
        for table in attaching:
            self.not_nulls_of_new_partition(table)
            self.index_partition_before_attach(table)
            self.key_partition_before_attach(table)
        for table in attaching:
            self.emit(Phase.ATTACH_PARTITION, self._attach_statement(table, "create", validates=False))
        for table in new:
            if table.replica_identity != "d":
                self.set_replica_identity(table, "create")

    def _default_partition(self, parent: QualifiedName) -> Table | None:
        """The DEFAULT partition `parent` has now and keeps through the plan."""
        for table in self.current.tables.values():
            if table.parent == parent and table.bound == "DEFAULT" and not table.detach_pending:
                kept = self.desired.tables.get(table.key)
                if kept is not None and kept.parent == parent:
                    return table
        return None

    def _attach_statement(self, table: Table, action: str, *, validates: bool = True) -> Statement:
        assert table.parent is not None
        parent = dotted(table.parent)
        hazards: tuple[Hazard, ...] = ()
        if validates:
            hazards += (hz.validates_rows(dotted(table.key), f"that every row fits {table.bound} of {parent}"),)
        default = self._default_partition(table.parent)
        if default is not None and default.key != table.key:
            what = f"{dotted(default.key)}, the DEFAULT partition of {parent},"
            hazards += (
                hz.exclusive_lock(dotted(default.key), f"it is scanned for rows that belong in {table.name}"),
                Hazard("validates-existing-rows", f"{what} is scanned; fails if it holds rows of {table.bound}"),
            )
        return self._table_statement(table, ddl.attach_partition(table.parent, table), action, hazards)

    # -- dropped tables -------------------------------------------------------------------

    def drop_tables_children_first(self) -> None:
        """A partition goes with its dropped parent; otherwise it leaves its parent first. Inheritance
        children go before their parents, which PostgreSQL would not drop under them."""
        dropped = sorted(
            (self.current.tables[key] for key in self.dropped_tables),
            key=lambda t: (-_depth(self.current, t), t.key),
        )
        for table in dropped:
            if table.parent in self.dropped_tables:
                continue
            if table.parent is not None:
                self._detach(table, table.parent, "drop")
            hazards = (
                hz.data_loss(f"table {dotted(table.key)} is dropped with all its rows"),
                hz.breaking(f"table {dotted(table.key)} is dropped"),
            )
            self.emit(Phase.DROP_TABLE, self._table_statement(table, ddl.drop_table(table), "drop", hazards))

    def _detach(self, table: Table, parent: QualifiedName, action: str, hazards: tuple[Hazard, ...] = ()) -> None:
        """Out of `parent`: FINALIZE when an earlier DETACH ... CONCURRENTLY was interrupted. CONCURRENTLY only
        for a table about to be dropped, and when the parent has no DEFAULT partition (PostgreSQL refuses it
        then): a table that stays would keep the CHECK constraint of its old bound that it adds."""
        name, parent_name = dotted(table.key), dotted(parent)
        if table.detach_pending:
            sql = ddl.detach_partition(parent, table, "FINALIZE")
            self.emit(Phase.FINALIZE_DETACH, self._table_statement(table, sql, action, hazards))
            return
        has_default = any(t.parent == parent and t.bound == "DEFAULT" for t in self.current.tables.values())
        if has_default or action != "drop":
            why = "with a DEFAULT partition, DETACH cannot run CONCURRENTLY" if has_default else "it stays a table"
            hazard = hz.exclusive_lock(parent_name, f"partition {name} is detached ({why})")
            sql = ddl.detach_partition(parent, table)
            self.emit(Phase.DETACH_PARTITION, self._table_statement(table, sql, action, (hazard, *hazards)))
            return
        hazard = Hazard(
            "non-transactional",
            f"DETACH PARTITION {name} CONCURRENTLY runs outside a transaction: if it is interrupted the partition "
            "stays pending detach, and the next apply finishes it (DETACH ... FINALIZE)",
        )
        sql = ddl.detach_partition(parent, table, "CONCURRENTLY")
        statement = self._table_statement(table, sql, action, (hazard, *hazards))
        self.emit(Phase.DETACH_PARTITION, replace(statement, transactional=False))

    # -- tables changing parents ----------------------------------------------------------

    def _alter_membership(self, change: Change) -> None:
        old: Table = change.current
        new: Table = change.desired
        # A new partition key (or none, or a first one) moves every row: such tables are recreated
        # (plan/recreate.py) and planned as new, so their changes never reach here.
        assert old.partition_key == new.partition_key, "recreated by plan.recreate"
        if (old.parent, old.bound, old.detach_pending) != (new.parent, new.bound, new.detach_pending):
            self._change_partition_of(old, new)
        elif old.parent is not None and old.own_not_nulls != new.own_not_nulls:
            self._partition_not_nulls(old, new)
        for parent in old.inherits:
            if parent not in new.inherits:
                sql = ddl.inherit(old, parent, no=True)
                self.emit(Phase.DETACH_PARTITION, self._table_statement(old, sql, "alter"))
        for parent in new.inherits:
            if parent not in old.inherits:
                self.emit(Phase.ATTACH_PARTITION, self._table_statement(new, ddl.inherit(new, parent), "alter"))

    def _change_partition_of(self, old: Table, new: Table) -> None:
        if old.parent is not None and old.parent == new.parent and not old.detach_pending:
            # A new bound: DETACH and ATTACH in one transaction, so the rows never drop out of the parent. The
            # parent stays locked while ATTACH checks the rows against the new bound.
            why = f"partition {new.name} is re-attached FOR its new bound and its rows are checked"
            detach = self._table_statement(
                new, ddl.detach_partition(old.parent, old), "alter", (hz.exclusive_lock(dotted(old.parent), why),)
            )
            self.emit(Phase.ATTACH_PARTITION, detach)
            self.emit(Phase.ATTACH_PARTITION, self._attach_statement(new, "alter"))
            return
        if old.parent is not None:
            message = f"partition {dotted(old.key)} leaves {dotted(old.parent)}, whose queries no longer see its rows"
            self._detach(old, old.parent, "alter", (hz.breaking(message),))
        if new.parent is not None:
            self._not_nulls_before_attach(old, new)
            self._checks_before_attach(new)
            self.index_partition_before_attach(new)
            self.key_partition_before_attach(new)
            self.emit(Phase.ATTACH_PARTITION, self._attach_statement(new, "alter"))

    # -- a partition's own NOT NULL columns ------------------------------------------------------

    def _parent_not_null_names(self, partition: Table) -> dict[str, str | None]:
        """The desired parent's NOT NULL columns (at every level above), with their constraint names."""
        assert partition.parent is not None
        parent = self.desired.tables[partition.parent]
        columns = inherited_columns(self.desired.tables, parent) | {c.name: c for c in parent.columns}
        return {name: column.not_null_name for name, column in columns.items() if column.not_null}

    def _not_null_statement(self, table: Table, column: str, action: str, sql: str) -> Statement:
        name = dotted(table.key)
        sql = ddl.alter_table(table.schema, table.name, sql)
        return Statement(sql, "column", action, f"{name}.{column}", table=name)

    def _not_nulls_before_attach(self, old: Table, new: Table) -> None:
        """A table joining a parent keeps its NOT NULL constraints: those a fresh partition would not have are
        dropped, and (PostgreSQL 18) the others take the names a fresh partition gives them (its parent's,
        or its own), before ATTACH merges them with the parent's."""
        own, parents = dict(new.own_not_nulls), self._parent_not_null_names(new)
        columns = inherited_columns(self.current.tables, old) | {c.name: c for c in old.columns}
        joining = set(inherited_columns(self.desired.tables, new))
        for column in sorted(columns.values(), key=lambda c: c.name):
            if not column.not_null or column.name not in joining:
                continue  # a column the new parent has not is dropped before ATTACH
            if column.name not in own and column.name not in parents:
                sql = f"ALTER COLUMN {ident(column.name)} DROP NOT NULL"
                self.emit(Phase.ATTACH_PARTITION, self._not_null_statement(new, column.name, "alter", sql))
                continue
            wanted = own[column.name] if column.name in own else parents[column.name]
            if wanted is not None and column.not_null_name is not None and wanted != column.not_null_name:
                sql = ddl.rename("constraint", (*new.key, wanted), column.not_null_name)
                rename = Statement(sql, "constraint", "alter", dotted((*new.key, wanted)), table=dotted(new.key))
                self.emit(Phase.ATTACH_PARTITION, rename)

    def _partition_not_nulls(self, old: Table, new: Table) -> None:
        """NOT NULL on a partition where its parent's column has none, set or dropped once the parent's
        columns are final (a NOT NULL the parent's column loses stays on a partition that had its own)."""
        before, after = dict(old.own_not_nulls), dict(new.own_not_nulls)
        parents = self._parent_not_null_names(new)
        for column in sorted(before.keys() - after.keys()):
            if column not in parents:
                sql = f"ALTER COLUMN {ident(column)} DROP NOT NULL"
                self.emit(Phase.ALTER_TABLE, self._not_null_statement(new, column, "alter", sql))
        for column in sorted(after.keys() - before.keys()):
            name = after[column]
            sql = (
                f"ADD CONSTRAINT {ident(name)} NOT NULL {ident(column)}"
                if name
                else f"ALTER COLUMN {ident(column)} SET NOT NULL"
            )
            statement = self._not_null_statement(new, column, "alter", sql)
            why = f"column {column} of partition {new.name} is checked for NULLs"
            hazards = (hz.exclusive_lock(dotted(new.key), why),)
            self.emit(Phase.PARTITION_NOT_NULL, replace(statement, hazards=hazards))

    def not_nulls_of_new_partition(self, table: Table) -> None:
        """A new partition created standalone (LIKE its parent, whose NOT NULL constraints it copies under the
        parent's names) gets, before it is attached, the NOT NULLs a fresh partition has of its own."""
        parents = self._parent_not_null_names(table)
        for column, name in table.own_not_nulls:
            if column in parents and parents[column] is not None and name is not None:
                sql = ddl.rename("constraint", (*table.key, name), parents[column] or "")
                rename = Statement(sql, "constraint", "alter", dotted((*table.key, name)), table=dotted(table.key))
                self.emit(Phase.ATTACH_PARTITION, rename)
            elif column not in parents:
                action = f"ADD CONSTRAINT {ident(name)} NOT NULL {ident(column)}" if name else (
                    f"ALTER COLUMN {ident(column)} SET NOT NULL"
                )
                self.emit(Phase.ATTACH_PARTITION, self._not_null_statement(table, column, "create", action))

    def _checks_before_attach(self, table: Table) -> None:
        """ATTACH requires the table to have its parent's CHECK constraints, which it then takes as inherited: a
        table joining a parent keeps those it has (see `_constraint_drop`) and gets the others first."""
        for check in self._ancestor_checks(table):
            own = replace(check, schema=table.schema, table=table.name)
            if self.current.constraints.get(own.key) != own:
                hazard = hz.validates_rows(dotted(table.key), f"constraint {check.name}")
                sql = ddl.add_constraint(own)
                statement = Statement(sql, "constraint", "create", dotted(own.key), table=dotted(table.key))
                self.emit(Phase.ATTACH_PARTITION, replace(statement, hazards=(hazard,)))
