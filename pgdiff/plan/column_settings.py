"""Columns' statistics targets, storage, compression and options (`ALTER COLUMN ... SET STATISTICS` ...).

PostgreSQL keeps them per table, a partition's inherited columns included, so each table gets its own
statements, with ONLY (without it SET STATISTICS and SET STORAGE would also reach the partitions). They are
planned last among the table statements, from what each table has once the rest of the plan has run:
ALTER COLUMN ... TYPE (on the table or an ancestor, which recurses) resets storage and compression, a column
dropped and added again and a table made again start from the defaults, and an inheritance child created
under an existing table takes that table's storage and compression.
"""

from __future__ import annotations

from dataclasses import replace

from pgdiff.diff import inherited_columns
from pgdiff.model import COLUMN_COMPRESSIONS, COLUMN_STORAGES, ColumnSettings, QualifiedName, Table
from pgdiff.plan import ddl
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Statement
from pgdiff.quoting import ident


class ColumnSettingsPlanner(PlannerBase):
    def plan_column_settings(self) -> None:
        for key in sorted(self.desired.tables):
            table = self.desired.tables[key]
            before = self._settings_before(table)
            wanted = {settings.column: settings for settings in table.column_settings}
            names = self._column_names(table)
            for column in sorted((before.keys() | wanted.keys()) & names):
                old = before.get(column) or ColumnSettings(column)
                new = wanted.get(column) or ColumnSettings(column, type_storage=old.type_storage)
                for action in setting_actions(old, new):
                    self._emit_setting(table, column, action)

    def _column_names(self, table: Table) -> set[str]:
        return {c.name for c in table.columns} | set(inherited_columns(self.desired.tables, table))

    def _settings_before(self, table: Table) -> dict[str, ColumnSettings]:
        """What each column has once the rest of the plan ran, as far as it is not this pass's doing."""
        if table.key in self.new_tables:
            return self._settings_of_new_table(table)
        current = self.current.tables[table.key]
        found = {settings.column: settings for settings in current.column_settings}
        fresh = self._columns_made_again(table.key, current)
        for name in fresh & found.keys():
            found[name] = ColumnSettings(name, type_storage=found[name].type_storage)
        for name in self._columns_retyped(table.key, current) & found.keys():
            found[name] = replace(found[name], storage=None, compression=None)
        return found

    def _settings_of_new_table(self, table: Table) -> dict[str, ColumnSettings]:
        """An inheritance child created under an existing table (INHERITS) copies its columns' storage and
        compression. A new partition of an existing table is created standalone (LIKE) and attached, and one
        of a new table PARTITION OF it before its settings are set: both start from the defaults."""
        found: dict[str, ColumnSettings] = {}
        for parent_key in table.inherits:
            parent = self.current.tables.get(parent_key)
            if parent is None or parent_key in self.new_tables:
                continue
            for settings in parent.column_settings:
                if settings.storage or settings.compression:
                    found[settings.column] = ColumnSettings(
                        settings.column,
                        storage=settings.storage,
                        compression=settings.compression,
                        type_storage=settings.type_storage,
                    )
        return found

    def _columns_made_again(self, key: QualifiedName, table: Table) -> set[str]:
        return self._dropped_columns.get(key, set()) | self._recreated_columns.get(key, set())

    def _columns_retyped(self, key: QualifiedName, table: Table) -> set[str]:
        """Columns ALTER COLUMN ... TYPE reaches on `table`: its own, and its ancestors' (the command recurses)."""
        found: set[str] = set()
        pending, seen = [key], set()
        while pending:
            at = pending.pop()
            if at in seen:
                continue
            seen.add(at)
            found |= self._retyped_columns.get(at, set())
            parent = self.current.tables.get(at)
            if parent is not None:
                pending += ([parent.parent] if parent.parent else []) + list(parent.inherits)
        return found

    def _emit_setting(self, table: Table, column: str, action: str) -> None:
        name = dotted(table.key)
        sql = ddl.alter_table_only(table.schema, table.name, f"ALTER COLUMN {ident(column)} {action}")
        self.emit(Phase.COLUMN_SETTINGS, Statement(sql, "column", "alter", f"{name}.{column}", table=name))


def setting_actions(old: ColumnSettings, new: ColumnSettings) -> list[str]:
    """The ALTER COLUMN actions that take a column from `old` settings to `new`."""
    actions = []
    if old.statistics != new.statistics:
        actions.append(f"SET STATISTICS {-1 if new.statistics is None else new.statistics}")
    if old.storage != new.storage:
        actions.append(f"SET STORAGE {COLUMN_STORAGES[new.storage or new.type_storage]}")
    if old.compression != new.compression:
        actions.append(f"SET COMPRESSION {COLUMN_COMPRESSIONS[new.compression] if new.compression else 'DEFAULT'}")
    if old.options != new.options:
        kept = {option.partition("=")[0] for option in new.options}
        gone = [name for name in (option.partition("=")[0] for option in old.options) if name not in kept]
        if gone:
            actions.append(f"RESET ({ddl.reset_storage_parameters(gone)})")
        if new.options:
            actions.append(f"SET ({ddl.storage_options(new.options)})")
    return actions
