"""Wires the one-way data flow the commands share.

sources -> shadow -> model; live database -> model; diff -> planner -> Plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from pgdiff import catalog
from pgdiff.connect import connect
from pgdiff.diff import Change, diff
from pgdiff.model import Model
from pgdiff.plan import Plan, build_plan
from pgdiff.shadow import ShadowDatabase, Warn
from pgdiff.source import Sources


@dataclass(frozen=True)
class PlanResult:
    current: Model
    desired: Model
    changes: list[Change]
    plan: Plan


def desired_model(sources: Sources, *, dev_url: str | None, target_major: int | None, warn: Warn) -> Model:
    if sources.database_url is not None:
        with connect(sources.database_url) as conn:
            return catalog.inspect(conn)
    with ShadowDatabase(dev_url=dev_url, target_major=target_major, warn=warn) as shadow:
        shadow.load(sources.statements)
        return shadow.inspect()


def plan_against(conn: psycopg.Connection, sources: Sources, *, dev_url: str | None, warn: Warn) -> PlanResult:
    """Plan the changes that bring the database behind `conn` to the desired state."""
    current = catalog.inspect(conn)
    desired = desired_model(sources, dev_url=dev_url, target_major=conn.info.server_version // 10000, warn=warn)
    return plan_models(current, desired)


def plan_models(current: Model, desired: Model) -> PlanResult:
    changes = diff(current, desired)
    return PlanResult(current, desired, changes, build_plan(changes, current, desired))
