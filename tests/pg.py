"""Test support on real PostgreSQL: throwaway databases and the convergence check.

A convergence case is a pair (current SQL, desired SQL). Each is loaded into its
own database; the plan is applied to the current one; then its catalog must equal
the desired one, both as pgdiff's model and as `pg_dump --schema-only` of the same
server version, and a second plan must be empty.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from dataclasses import dataclass

import psycopg

from pgdiff.apply import apply_plan
from pgdiff.catalog import inspect
from pgdiff.cluster import Cluster
from pgdiff.model import Model
from pgdiff.pipeline import PlanResult, plan_models
from pgdiff.plan import Plan

_counter = itertools.count()


def new_database(cluster: Cluster, sql: str = "", prefix: str = "t") -> str:
    """Create an empty database (optionally loaded with `sql`) and return its name."""
    name = f"{prefix}_{next(_counter)}"
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    if sql.strip():
        with psycopg.connect(cluster.conninfo(name), autocommit=True) as conn:
            conn.execute(sql)
    return name


def inspect_db(cluster: Cluster, dbname: str) -> Model:
    with psycopg.connect(cluster.conninfo(dbname), autocommit=True) as conn:
        return inspect(conn)


_DUMP_NOISE = re.compile(r"^(--.*|\\restrict .*|\\unrestrict .*|SET .*|SELECT pg_catalog.set_config.*)?$")


def schema_dump(cluster: Cluster, dbname: str) -> str:
    """pg_dump --schema-only without comments, SET lines and the random \\restrict keys."""
    result = subprocess.run(
        [str(cluster.tool("pg_dump")), "--schema-only", "--no-owner", "--no-privileges", cluster.conninfo(dbname)],
        capture_output=True,
        text=True,
        check=True,
    )
    return "\n".join(line for line in result.stdout.splitlines() if not _DUMP_NOISE.match(line))


def comparable(model: Model) -> dict[str, object]:
    """The model with column order ignored (PostgreSQL cannot reorder columns)."""
    parts = model.comparable()
    parts["tables"] = {
        key: (table.unlogged, sorted(table.columns, key=lambda c: c.name)) for key, table in model.tables.items()
    }
    return parts


@dataclass
class Convergence:
    plan: Plan
    result: PlanResult

    @property
    def sql(self) -> list[str]:
        return [s.sql for s in self.plan.statements]


def assert_converges(cluster: Cluster, current_sql: str, desired_sql: str) -> Convergence:
    current_db = new_database(cluster, current_sql, "cur")
    desired_db = new_database(cluster, desired_sql, "des")
    desired = inspect_db(cluster, desired_db)
    result = plan_models(inspect_db(cluster, current_db), desired)
    with psycopg.connect(cluster.conninfo(current_db), autocommit=True) as conn:
        apply_plan(conn, result.plan)
    after = inspect_db(cluster, current_db)
    assert comparable(after) == comparable(desired), "catalog model differs after apply"
    assert schema_dump(cluster, current_db) == schema_dump(cluster, desired_db), "pg_dump differs after apply"
    replan = plan_models(after, desired)
    assert replan.plan.is_empty, f"second plan is not empty: {[s.sql for s in replan.plan.statements]}"
    return Convergence(result.plan, result)
