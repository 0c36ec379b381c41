"""Wires the one-way data flow the commands share.

sources -> shadow -> model; live database -> model; diff -> planner -> Plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass

import psycopg

from pgdiff import catalog
from pgdiff.apply import apply_plan
from pgdiff.catalog.canonical import drop_equivalent, is_suspect
from pgdiff.connect import connect
from pgdiff.diff import Change, diff
from pgdiff.diff.renames import apply_renames
from pgdiff.model import Model
from pgdiff.plan import Plan, build_plan
from pgdiff.plan.timeouts import TimeoutPolicy, with_timeouts
from pgdiff.shadow import ShadowDatabase, Warn
from pgdiff.source import Sources
from pgdiff.source.directives import Rename, find_renames


@dataclass(frozen=True)
class PlanResult:
    current: Model  # as it will be after the renames, which the plan does first
    desired: Model
    changes: list[Change]
    plan: Plan


def compare(
    current: Model, desired: Model, renames: Sequence[Rename], scratch: psycopg.Connection | None
) -> tuple[Model, list[Change]]:
    """Renames first, then the ordinary diff; `scratch` settles expressions that print differently."""
    renamed, changes = apply_renames(current, renames)
    changes += diff(renamed, desired)
    if scratch is not None and any(is_suspect(c) for c in changes):
        changes = drop_equivalent(changes, scratch)
    return renamed, changes


class DesiredState:
    """The desired model, plus a scratch database holding it for settling expression differences.

    For file sources the scratch database is the shadow the files were loaded into. For a
    database URL the source is the user's and is never written to: a shadow copy is built,
    only when a diff has expression differences to settle.
    """

    def __init__(self, sources: Sources, *, dev_url: str | None, target_major: int | None, warn: Warn) -> None:
        self._sources = sources
        self._dev_url = dev_url
        self._target_major = target_major
        self._warn = warn
        self._stack = ExitStack()
        self._scratch: psycopg.Connection | None = None
        self.model: Model
        self.renames = [*find_renames(sources.statements), *sources.renames]

    def __enter__(self) -> DesiredState:
        try:
            if self._sources.database_url is not None:
                with connect(self._sources.database_url) as source:
                    self.model = catalog.inspect(source)
            else:
                shadow = self._stack.enter_context(self._shadow())
                shadow.load(self._sources.statements)
                self.model = shadow.inspect()
                self._scratch = shadow.connection
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def _shadow(self) -> ShadowDatabase:
        return ShadowDatabase(dev_url=self._dev_url, target_major=self._target_major, warn=self._warn)

    def scratch(self) -> psycopg.Connection:
        if self._scratch is None:
            copy = self._stack.enter_context(self._shadow())
            materialize(copy.connection, self.model)
            self._scratch = copy.connection
        return self._scratch

    def changes_from(self, current: Model) -> tuple[Model, list[Change]]:
        renamed, changes = compare(current, self.model, self.renames, None)
        if any(is_suspect(c) for c in changes):
            changes = drop_equivalent(changes, self.scratch())
        return renamed, changes

    def plan_from(self, current: Model, policy: TimeoutPolicy | None = None) -> PlanResult:
        renamed, changes = self.changes_from(current)
        plan = with_timeouts(build_plan(changes, renamed, self.model), policy or TimeoutPolicy())
        return PlanResult(renamed, self.model, changes, plan)


def desired_state(conn: psycopg.Connection, sources: Sources, *, dev_url: str | None, warn: Warn) -> DesiredState:
    """The desired state for the target behind `conn` (shadow of the target's major when possible)."""
    return DesiredState(sources, dev_url=dev_url, target_major=conn.info.server_version // 10000, warn=warn)


def plan_models(
    current: Model,
    desired: Model,
    *,
    scratch: psycopg.Connection | None = None,
    policy: TimeoutPolicy | None = None,
    renames: Sequence[Rename] = (),
) -> PlanResult:
    """Plan from two models; `scratch` holds the desired schema and settles expressions that print differently."""
    renamed, changes = compare(current, desired, renames, scratch)
    plan = with_timeouts(build_plan(changes, renamed, desired), policy or TimeoutPolicy())
    return PlanResult(renamed, desired, changes, plan)


def materialize(conn: psycopg.Connection, desired: Model) -> None:
    """Build the desired schema in the (empty, scratch) database behind `conn` with pgdiff's own plan."""
    existing = catalog.inspect(conn)
    apply_plan(conn, build_plan(diff(existing, desired), existing, desired))
