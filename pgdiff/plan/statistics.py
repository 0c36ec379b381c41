"""Extended statistics (CREATE STATISTICS).

Only the statistics target changes in place; any other change drops the object and creates it
again. They are catalog objects filled by ANALYZE: re-creating one costs nothing but the next
ANALYZE. They are dropped before the columns they cover (dropping a column takes them along).
"""

from __future__ import annotations

from pgdiff.diff import Change
from pgdiff.model import Statistics
from pgdiff.plan import ddl
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Statement


class StatisticsPlanner(PlannerBase):
    """Plans extended statistics."""

    def _statistics_statement(self, statistics: Statistics, sql: str, action: str) -> Statement:
        return Statement(sql, "statistics", action, dotted(statistics.key), table=dotted(statistics.table_key))

    def _create_statistics(self, statistics: Statistics, action: str = "create") -> None:
        sql = ddl.create_statistics(statistics)
        self.emit(Phase.CREATE_STATISTICS, self._statistics_statement(statistics, sql, action))
        if statistics.target is not None:
            sql = ddl.alter_statistics_target(statistics)
            self.emit(Phase.CREATE_STATISTICS, self._statistics_statement(statistics, sql, action))

    def _drop_statistics(self, statistics: Statistics, action: str = "drop") -> None:
        if statistics.table_key in self.dropped_tables:
            return  # dropped with its table
        sql = ddl.drop_statistics(statistics)
        self.emit(Phase.DROP_STATISTICS, self._statistics_statement(statistics, sql, action))

    def _statistics_create(self, change: Change) -> None:
        self._create_statistics(change.desired)

    def _statistics_drop(self, change: Change) -> None:
        self._drop_statistics(change.current)

    def _statistics_alter(self, change: Change) -> None:
        if change.attributes == ("target",):
            sql = ddl.alter_statistics_target(change.desired)
            self.emit(Phase.CREATE_STATISTICS, self._statistics_statement(change.desired, sql, "alter"))
            return
        self._drop_statistics(change.current, "alter")
        self._create_statistics(change.desired, "alter")
