"""Functions, procedures, triggers, views and materialized views."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from pgdiff.diff import Change
from pgdiff.model import (
    Function,
    FunctionKey,
    Model,
    QualifiedName,
    Trigger,
    View,
)
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, dotted, signature_changes
from pgdiff.plan.dependencies import dependency_order
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Hazard, Statement


class RoutinePlanner(PlannerBase):
    """Plans functions, triggers and views, and what must be rebuilt around them."""

    # -- functions, triggers, views and materialized views ---------------------------------
    #
    # Functions change in place (CREATE OR REPLACE) unless their kind, result type or arguments (names,
    # defaults) change: then they are dropped and created again, and so are the triggers and views that
    # use them. Non-constraint triggers change with CREATE OR REPLACE TRIGGER. Views change with CREATE OR
    # REPLACE VIEW when PostgreSQL allows it (same leading columns, new ones appended); otherwise they,
    # and every view reading them, are dropped (dependents first) and created again (in dependency
    # order), as are views reading a column that is dropped or changes type, or a function that goes.
    # A materialized view whose query changes is rebuilt, with its indexes and triggers.

    def _function_statement(self, function: Function, sql: str, action: str, hazards: tuple[Hazard, ...] = ()):
        name = f"{function.schema}.{function.name}({function.identity_arguments})"
        return Statement(sql, function.kind_name, action, name, hazards=hazards)

    def _create_function(self, function: Function, action: str = "create", *, replace_existing: bool = False):
        phase = Phase.CREATE_LATE_FUNCTION if function.reads_relations else Phase.CREATE_FUNCTION
        sql = ddl.create_function(function, replace_existing=replace_existing)
        if phase == Phase.CREATE_FUNCTION and "\nAS $" in sql:
            # Before the tables, so that defaults and checks can call it: its body (SQL, or PL/pgSQL whose
            # DECLARE names a table's row type) is checked when called, as pg_dump's output has it. The files'
            # text was checked when it loaded into the shadow.
            sql = "SET LOCAL check_function_bodies = off;\n" + sql
        self.emit(phase, self._function_statement(function, sql, action))

    def _function_create(self, change: Change) -> None:
        self._create_function(change.desired)

    def _function_drop(self, change: Change) -> None:
        function: Function = change.current
        hazard = hz.breaking(f"{function.kind_name} {change.name} is dropped")
        sql = ddl.drop_function(function)
        self.emit(self._drop_phase(function), self._function_statement(function, sql, "drop", (hazard,)))

    def _drop_phase(self, function: Function) -> Phase:
        if self.stands_on_replaced("function", function.key):
            return Phase.DROP_DEPENDENT_FUNCTION  # before what it stands on
        return Phase.DROP_FUNCTION_OF_TABLES if function.reads_relations else Phase.DROP_FUNCTION

    def _recreate_function(self, old: Function, new: Function) -> None:
        self.emit(self._drop_phase(old), self._function_statement(old, ddl.drop_function(old), "alter"))
        self._create_function(new, "alter")

    def _function_alter(self, change: Change) -> None:
        if change.key in self._recreated_functions:
            self._recreate_function(change.current, change.desired)
            return
        self._create_function(change.desired, "alter", replace_existing=True)

    @cached_property
    def _recreated_functions(self) -> set[FunctionKey]:
        """Functions CREATE OR REPLACE cannot change (another kind, result type or argument list), and those
        standing on a function or type that is dropped or made again."""
        standing = {key for kind, key in self._standing if kind == "function" and key in self.desired.functions}
        return signature_changes(self.changes) | standing

    @cached_property
    def _functions_gone(self) -> set[FunctionKey]:
        """Functions dropped, for good or to be created again: what uses them must go first."""
        return (self.current.functions.keys() - self.desired.functions.keys()) | self._recreated_functions

    # triggers

    def _trigger_statement(self, trigger: Trigger, sql: str, action: str) -> Statement:
        return Statement(sql, "trigger", action, dotted(trigger.key), table=dotted(trigger.table_key))

    def _create_trigger(self, trigger: Trigger, action: str = "create", *, old: Trigger | None = None) -> None:
        sql = ddl.create_trigger(trigger, replace_existing=old is not None)
        self.emit(Phase.CREATE_TRIGGER, self._trigger_statement(trigger, sql, action))
        if trigger.enabled != "O" or (old is not None and old.enabled != trigger.enabled):
            self.emit(Phase.CREATE_TRIGGER, self._trigger_statement(trigger, ddl.enable_trigger(trigger), action))

    def _drop_trigger(self, trigger: Trigger, action: str = "drop") -> None:
        """Unless its table or view is dropped, which takes the trigger with it."""
        if trigger.table_key in self.dropped_tables or trigger.table_key in self._views_dropped:
            return
        self.emit(Phase.DROP_TRIGGER, self._trigger_statement(trigger, ddl.drop_trigger(trigger), action))

    def _trigger_must_be_recreated(self, trigger: Trigger) -> bool:
        """Its function goes, its view is rebuilt, or a column of its UPDATE OF or WHEN is dropped or retyped."""
        table = trigger.table_key
        changing = self._dropped_columns.get(table, set()) | self._retyped_columns.get(table, set())
        return (
            trigger.function in self._functions_gone
            or table in self._views_dropped
            or bool(changing & set(trigger.columns))
            or self.stands_on_replaced("trigger", trigger.key)
        )

    def _trigger_create(self, change: Change) -> None:
        self._create_trigger(change.desired)

    def _trigger_drop(self, change: Change) -> None:
        self._drop_trigger(change.current)

    def _trigger_alter(self, change: Change) -> None:
        old: Trigger = change.current
        new: Trigger = change.desired
        if change.attributes == ("enabled",) and not self._trigger_must_be_recreated(old):
            self.emit(Phase.CREATE_TRIGGER, self._trigger_statement(new, ddl.enable_trigger(new), "alter"))
        elif old.constraint or new.constraint or self._trigger_must_be_recreated(old):
            self._drop_trigger(old, "alter")
            self._create_trigger(new, "alter")
        else:
            self._create_trigger(new, "alter", old=old)

    # views and materialized views

    def _view_create(self, change: Change) -> None:
        pass  # planned as a whole, in dependency order, by `rebuild_functions_triggers_views`

    _view_drop = _view_alter = _view_create

    def _view_replaceable(self, old: View, new: View) -> bool:
        """Whether CREATE OR REPLACE VIEW (or, materialized, REFRESH/SET) does it."""
        if old.materialized != new.materialized:
            return False
        if old.materialized:
            return old.definition == new.definition and old.columns == new.columns
        return new.columns[: len(old.columns)] == old.columns

    def _view_uses_what_goes(self, view: View) -> bool:
        """It reads a table that is dropped, a column dropped or retyped, or a function that goes, or stands
        on a type made again."""
        if self.stands_on_replaced("view", view.key):
            return True
        for schema, relation, column in view.uses_relations:
            table = (schema, relation)
            if table in self.dropped_tables:
                return True
            if column and column in self._dropped_columns.get(table, set()) | self._retyped_columns.get(table, set()):
                return True
        return any(function in self._functions_gone for function in view.uses_functions)

    @cached_property
    def _views_dropped(self) -> set[QualifiedName]:
        """Views dropped for good or to be created again (see the section comment)."""
        current, desired = self.current.views, self.desired.views
        dropped = set(current.keys() - desired.keys())
        for key, view in current.items():
            if key in desired and (
                self._view_uses_what_goes(view) or not self._view_replaceable(self._as_renamed(view), desired[key])
            ):
                dropped.add(key)
        grew = True
        while grew:  # whatever reads a dropped view goes too
            grew = False
            for key, view in current.items():
                if key not in dropped and any((s, r) in dropped for s, r, _ in view.uses_relations):
                    dropped.add(key)
                    grew = True
        return dropped

    @cached_property
    def _view_column_renames(self) -> dict[QualifiedName, tuple[tuple[str, str], ...]]:
        """(old, new) names of the columns of views that stay whose columns keep their places and types under
        new names: a view reading a renamed column keeps its own column's name until ALTER VIEW ... RENAME
        COLUMN, which spares dropping it (and every view reading it) to create it again."""
        found = {}
        for key, old in self.current.views.items():
            new = self.desired.views.get(key)
            if new is None or old.materialized != new.materialized:
                continue
            pairs = tuple((a, b) for (a, _), (b, _) in zip(old.columns, new.columns, strict=False) if a != b)
            same_types = all(a[1] == b[1] for a, b in zip(old.columns, new.columns, strict=False))
            clashes = {b for _, b in pairs} & {name for name, _ in old.columns}
            if pairs and same_types and not clashes:
                found[key] = pairs
        return found

    def _as_renamed(self, view: View) -> View:
        """The current `view` once its columns are renamed (see `_view_column_renames`)."""
        pairs = dict(self._view_column_renames.get(view.key, ()))
        return replace(view, columns=tuple((pairs.get(n, n), t) for n, t in view.columns)) if pairs else view

    def _rename_view_columns(self) -> None:
        for key, pairs in sorted(self._view_column_renames.items()):
            if key in self._views_dropped:
                continue  # created again with its new columns
            view = self.current.views[key]
            for old, new in pairs:
                hazard = hz.breaking(f"column {old} of {view.kind_name} {dotted(key)} is renamed to {new}")
                sql = ddl.rename_view_column(view, old, new)
                self.emit(Phase.RENAME, self._view_statement(view, sql, "alter", (hazard,)))

    @cached_property
    def _views_built(self) -> set[QualifiedName]:
        """Views this plan creates: new ones and those dropped to be created again."""
        return (self.desired.views.keys() - self.current.views.keys()) | (
            self._views_dropped & self.desired.views.keys()
        )

    def _view_statement(self, view: View, sql: str, action: str, hazards: tuple[Hazard, ...] = ()) -> Statement:
        return Statement(sql, view.kind_name, action, dotted(view.key), hazards=hazards)

    def rebuild_functions_triggers_views(self) -> None:
        """Views in dependency order, then the triggers and indexes that views or functions being
        created again take with them."""
        current, desired = self.current.views, self.desired.views
        self._rename_view_columns()
        for key in reversed(self._view_order(self.current, self._views_dropped)):
            view = current[key]
            action = "alter" if key in desired else "drop"
            hazards: tuple[Hazard, ...] = ()
            if action == "drop":
                hazards = (hz.breaking(f"{view.kind_name} {dotted(key)} is dropped"),)
            elif view.materialized:
                hazards = hz.view_rebuilt(dotted(key), "its definition or what it reads changes")
            self.emit(Phase.DROP_VIEW, self._view_statement(view, ddl.drop_view(view), action, hazards))
        changed = {c.key for c in self.changes if c.kind == "view"}
        for key in self._view_order(self.desired, self._views_built | (changed & desired.keys())):
            view = desired[key]
            old = current.get(key)
            if key in self._views_built:
                action = "create" if old is None else "alter"
                self.emit(Phase.CREATE_VIEW, self._view_statement(view, ddl.create_view(view), action))
            elif not view.materialized:
                sql = ddl.create_view(view, replace_existing=True)
                self.emit(Phase.CREATE_VIEW, self._view_statement(view, sql, "alter"))
                if old is not None and {o.split("=")[0] for o in old.options} - {o.split("=")[0] for o in view.options}:
                    self.emit(Phase.CREATE_VIEW, self._view_statement(view, ddl.alter_view_options(view, old), "alter"))
            else:
                self._alter_materialized_view(old, view)
        self._rebuild_on_dropped_views_and_functions()

    def _alter_materialized_view(self, old: View, view: View) -> None:
        if old.options != view.options:
            self.emit(Phase.CREATE_VIEW, self._view_statement(view, ddl.alter_view_options(view, old), "alter"))
        if old.populated != view.populated:
            hazards = hz.view_rebuilt(dotted(view.key), "REFRESH") if view.populated else ()
            sql = ddl.refresh_materialized_view(view)
            self.emit(Phase.CREATE_VIEW, self._view_statement(view, sql, "alter", hazards))

    def _rebuild_on_dropped_views_and_functions(self) -> None:
        """Indexes of rebuilt materialized views, and triggers on rebuilt views or using a function that
        is created again, that the diff leaves unchanged."""
        changed = {c.key for c in self.changes if c.kind in ("index", "trigger")}
        for key, index in self.current.indexes.items():
            if index.table_key in self._views_built and key not in changed and key in self.desired.indexes:
                self._create_index(self.desired.indexes[key])
        for key, trigger in self.current.triggers.items():
            if key not in changed and key in self.desired.triggers and self._trigger_must_be_recreated(trigger):
                self._drop_trigger(trigger, "alter")
                self._create_trigger(self.desired.triggers[key], "alter")

    @staticmethod
    def _view_order(model: Model, keys: set[QualifiedName]) -> list[QualifiedName]:
        """`keys` with every view after the views (of `keys`) it reads, from pg_depend; otherwise in name order."""
        return [key for _, key in dependency_order(model, {("view", key) for key in keys})]  # type: ignore[misc]
