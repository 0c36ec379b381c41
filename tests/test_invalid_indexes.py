"""A CREATE INDEX CONCURRENTLY that failed or was killed leaves an INVALID index behind: the next plan drops it
and builds it again, and a key whose concurrent index build failed is built again under its name."""

from __future__ import annotations

import psycopg
import pytest

from pgdiff.apply import apply_plan
from pgdiff.pipeline import plan_models
from tests.pg import inspect_db, new_database

RUNS = """
CREATE TABLE workflow_runs (id bigint PRIMARY KEY, run_key text NOT NULL);
INSERT INTO workflow_runs VALUES (1, 'a'), (2, 'a'), (3, 'b');
"""
INDEX = "CREATE UNIQUE INDEX workflow_runs_run_key ON workflow_runs (run_key)"


def leave_invalid_index(pg, dbname: str, statement: str) -> None:
    """Run a concurrent build that fails on the duplicate 'a' rows, then remove the duplicate."""
    with psycopg.connect(pg.conninfo(dbname), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(statement)
        conn.execute("DELETE FROM workflow_runs WHERE id = 2")


def converge(pg, current_db: str, desired_sql: str):
    desired_db = new_database(pg, desired_sql)
    desired = inspect_db(pg, desired_db)
    result = plan_models(inspect_db(pg, current_db), desired)
    with psycopg.connect(pg.conninfo(current_db), autocommit=True) as conn:
        apply_plan(conn, result.plan)
    after = inspect_db(pg, current_db)
    assert plan_models(after, desired).plan.is_empty
    return result.plan, after


def test_invalid_index_is_dropped_and_built_again(pg):
    current = new_database(pg, RUNS)
    leave_invalid_index(pg, current, INDEX.replace("INDEX", "INDEX CONCURRENTLY", 1))
    assert not inspect_db(pg, current).indexes[("public", "workflow_runs_run_key")].valid
    plan, after = converge(pg, current, RUNS.split("INSERT")[0] + INDEX + ";")
    assert [s.sql for s in plan.statements] == [
        "DROP INDEX CONCURRENTLY public.workflow_runs_run_key",
        "CREATE UNIQUE INDEX CONCURRENTLY workflow_runs_run_key ON public.workflow_runs USING btree (run_key)",
    ]
    assert not plan.statements[0].hazards  # an invalid index served no query
    assert after.indexes[("public", "workflow_runs_run_key")].valid


def test_key_whose_concurrent_build_failed_is_built_again(pg):
    """pgdiff builds a new unique key's index concurrently, then attaches it: killed in between, the index
    stays behind INVALID with the key's name."""
    current = new_database(pg, RUNS)
    build = INDEX.replace("INDEX workflow_runs_run_key", "INDEX CONCURRENTLY workflow_runs_run_key_key")
    leave_invalid_index(pg, current, build)
    desired = RUNS.split("INSERT")[0].replace("run_key text NOT NULL", "run_key text NOT NULL UNIQUE")
    plan, after = converge(pg, current, desired)
    sql = [s.sql for s in plan.statements]
    assert sql[0] == "DROP INDEX CONCURRENTLY public.workflow_runs_run_key_key"
    assert ("public", "workflow_runs", "workflow_runs_run_key_key") in after.constraints
