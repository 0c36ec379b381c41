"""Indexes: built and dropped concurrently, changed by building a copy and swapping names."""

from __future__ import annotations

from dataclasses import replace

from pgdiff.diff import Change
from pgdiff.model import (
    Index,
)
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.expressions import expression_columns
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Statement


class IndexPlanner(PlannerBase):
    """Plans index changes."""

    # -- indexes ----------------------------------------------------------------------

    def _index_statement(self, index: Index, sql: str, action: str, *, transactional: bool = True) -> Statement:
        return Statement(
            sql, "index", action, dotted(index.key), table=dotted(index.table_key), transactional=transactional
        )

    def _index_create(self, change: Change) -> None:
        self._create_index(change.desired)

    def _create_index(self, index: Index, *, action: str = "create") -> None:
        if index.table_key in self.new_tables or index.table_key in self._views_built:
            self.emit(Phase.CREATE_INDEX, self._index_statement(index, ddl.create_index(index), action))
            return
        self.emit(Phase.CREATE_INDEX, self._concurrent_build(index, action))

    def _concurrent_build(self, index: Index, action: str) -> Statement:
        table = dotted(index.table_key)
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
        hazards = (hz.index_dropped(dotted(index.key)),) if action == "drop" else ()
        sql = ddl.drop_index(index, concurrently=True)
        self.emit(phase, replace(self._index_statement(index, sql, action, transactional=False), hazards=hazards))

    def _index_alter(self, change: Change) -> None:
        """Build the new definition under a temporary name, drop the old one, then rename: never without it."""
        old: Index = change.current
        new: Index = change.desired
        replaced = self.stands_on_replaced("index", old.key)
        if self._must_drop_first(old) or old.table_key in self._views_dropped or replaced:
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

