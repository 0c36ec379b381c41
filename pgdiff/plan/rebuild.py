"""What stands on a function or type that is dropped or made again: dropped first, made again after.

`PlannerBase` finds, from the current model's pg_depend pairs, everything standing (directly or through
other objects) on a function that is dropped or changes signature and on a type PostgreSQL cannot change
in place. Views and triggers among them are rebuilt by `routines`, types by `datatypes.replace_types`;
this pass rebuilds the rest that the diff leaves alone: indexes (dropped and built again concurrently),
constraints and domain checks (added NOT VALID, then validated), column defaults (DROP DEFAULT before,
SET DEFAULT after), generated columns (dropped and added again) and functions (dropped before, created
after, in dependency order).
"""

from __future__ import annotations

from dataclasses import replace

from pgdiff.diff import Change
from pgdiff.model import Domain
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.dependencies import dependency_order
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Hazard, Statement
from pgdiff.quoting import ident


class DependentPlanner(PlannerBase):
    """Rebuilds what stands on replaced functions and types and that the diff leaves unchanged."""

    def rebuild_what_stands_on_replaced_objects(self) -> None:
        changed = {(change.kind, change.key) for change in self.changes}
        column_changes = {change.key for change in self.changes if change.kind == "column"}
        standing = [ref for ref in self._standing if ref not in changed and self.desired.holds(ref)]
        for kind, key in sorted(standing):
            if kind == "index":
                if self.current.indexes[key].table_key in self._views_dropped:  # type: ignore[index]
                    continue  # made again with its materialized view
                self._drop_index(self.current.indexes[key], action="alter")
                self._create_index(self.desired.indexes[key], action="alter")
                self._rebuilt_indexes.add(key)  # type: ignore[arg-type]
            elif kind == "constraint":
                constraint = self.current.constraints[key]  # type: ignore[index]
                self._drop_constraint(constraint)
                self._add_constraint(self.desired.constraints[key])  # type: ignore[index]
                if constraint.index_name:
                    self._rebuilt_indexes.add((constraint.schema, constraint.index_name))
            elif kind == "default" and key not in column_changes:
                self._rebuild_default(key)
        for ref in sorted(self._rechecked_domains):
            if ref not in changed:
                self._recheck_domain(self.current.domains[ref[1]], self.desired.domains[ref[1]])  # type: ignore[index]
        functions = [ref for ref in standing if ref[0] == "function"]
        for ref in reversed(dependency_order(self.current, functions)):
            old = self.current.functions[ref[1]]  # type: ignore[index]
            self.emit(self._drop_phase(old), self._function_statement(old, ddl.drop_function(old), "alter"))
        for ref in dependency_order(self.desired, functions):
            self._create_function(self.desired.functions[ref[1]], "alter")  # type: ignore[index]

    def _rebuild_default(self, key: tuple[str, ...]) -> None:
        table_key = (key[0], key[1])
        if table_key in self.dropped_tables or key[2] in self._dropped_columns.get(table_key, set()):
            return
        old = self.current.tables[table_key].column(key[2])
        new = self.desired.tables[table_key].column(key[2])
        assert old is not None and new is not None
        change = Change("column", "alter", key, old, new)
        if old.generated:
            if key[2] in self._recreated_columns.get(table_key, set()):
                return
            self._recreate_column(change, old, new)  # PostgreSQL cannot take the expression off and put it back
            return
        self.drop_default_early(change)
        if new.default is not None:
            statement = self._column_statement(change, f"ALTER COLUMN {ident(new.name)} SET DEFAULT {new.sql_default}")
            self.emit(Phase.ALTER_COLUMN, statement)

    def drop_default_early(self, change: Change) -> None:
        """DROP DEFAULT before the function or type the default uses goes."""
        statement = self._column_statement(change, f"ALTER COLUMN {ident(change.key[2])} DROP DEFAULT")
        self.emit(Phase.DROP_DEFAULT, replace(statement, action="alter"))

    def _recheck_domain(self, old: Domain, new: Domain) -> None:
        """Checks and default off before the function they call goes; back after, the checks NOT VALID and
        then validated in their own transaction."""

        def alter(phase: Phase, action: str, *hazards: Hazard, own_transaction: bool = False) -> None:
            statement = Statement(ddl.alter_domain(new, action), "domain", "alter", dotted(new.key), hazards=hazards)
            self.emit(phase, replace(statement, own_transaction=own_transaction))

        if old.default is not None:
            alter(Phase.DROP_DEFAULT, "DROP DEFAULT")
        for check in old.checks:
            alter(Phase.DROP_DEFAULT, f"DROP CONSTRAINT {ident(check.name)}")
        if new.default is not None:
            alter(Phase.ALTER_COLUMN, f"SET DEFAULT {new.default}")
        for check in new.checks:
            alter(Phase.ADD_CONSTRAINT, f"ADD CONSTRAINT {ident(check.name)} {check.sql} NOT VALID")
            if check.validated:
                hazard = hz.validates_rows(f"every column of domain {dotted(new.key)}", f"constraint {check.name}")
                alter(Phase.VALIDATE, f"VALIDATE CONSTRAINT {ident(check.name)}", hazard, own_transaction=True)
