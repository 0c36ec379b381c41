"""Collations (CREATE COLLATION).

A collation cannot change in place: a changed one is dropped and created again. Collations are
created before the tables and types that use them and dropped after; one that a column or domain
keeps using cannot be dropped, so changing it is refused with what to do instead.
"""

from __future__ import annotations

from pgdiff.diff import Change
from pgdiff.errors import PgdiffError
from pgdiff.model import Collation
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Hazard, Statement
from pgdiff.quoting import qualified


class CollationPlanner(PlannerBase):
    """Plans collations."""

    def _collation_statement(self, collation: Collation, sql: str, action: str, *hazards: Hazard) -> Statement:
        return Statement(sql, "collation", action, dotted(collation.key), hazards=hazards)

    def _collation_create(self, change: Change) -> None:
        self._create_collation(change.desired, Phase.CREATE_TYPE, "create")

    def _create_collation(self, collation: Collation, phase: Phase, action: str) -> None:
        self.emit(phase, self._collation_statement(collation, ddl.create_collation(collation), action))

    def _collation_drop(self, change: Change) -> None:
        collation: Collation = change.current
        hazard = hz.breaking(f"collation {change.name} is dropped")
        sql = ddl.drop_collation(collation)
        self.emit(Phase.DROP_TYPE, self._collation_statement(collation, sql, "drop", hazard))

    def _collation_alter(self, change: Change) -> None:
        user = self._collation_user(change.current)
        if user is not None:
            raise PgdiffError(
                f"collation {change.name}: {', '.join(change.attributes)} cannot change while {user} uses it: "
                "PostgreSQL cannot alter a collation, nor drop one in use; create a collation under a new name, "
                "move the columns to it, then drop this one"
            )
        collation: Collation = change.current
        sql = ddl.drop_collation(collation)
        self.emit(Phase.ALTER_TYPE, self._collation_statement(collation, sql, "alter"))
        self._create_collation(change.desired, Phase.ALTER_TYPE, "alter")

    def _collation_user(self, collation: Collation) -> str | None:
        """A column or domain of the current model that uses `collation` and stays."""
        name = qualified(collation.schema, collation.name)
        for key, table in sorted(self.current.tables.items()):
            if key in self.dropped_tables:
                continue
            for column in table.columns:
                if column.collation == name:
                    return f"column {dotted((*key, column.name))}"
        for key, domain in sorted(self.current.domains.items()):
            if domain.collation == name:
                return f"domain {dotted(key)}"
        return None
