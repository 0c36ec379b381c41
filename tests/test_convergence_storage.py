"""Convergence of table storage parameters (fillfactor, autovacuum_*) and REPLICA IDENTITY."""

from __future__ import annotations

import pytest

from tests.convergence import Case, backward, case_by_id, forward, run_case

RUNS = """
CREATE TABLE workflow_runs (
    id bigint PRIMARY KEY,
    run_key uuid NOT NULL,
    status varchar(20) NOT NULL,
    payload jsonb
)"""

KEY_INDEX = "CREATE UNIQUE INDEX workflow_runs_run_key ON workflow_runs (run_key);\n"


def runs(options: str = "", *after: str) -> str:
    return RUNS + (f" WITH ({options})" if options else "") + ";\n" + "".join(f"{s};\n" for s in after)


CASES = [
    Case("fillfactor-added", runs(), runs("fillfactor = 70")),
    Case("fillfactor-changed", runs("fillfactor = 70"), runs("fillfactor = 90")),
    Case(
        "autovacuum-parameters",
        runs("fillfactor = 80"),
        runs("fillfactor = 80, autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02"),
    ),
    Case("autovacuum-disabled", runs(), runs("autovacuum_enabled = false, toast.autovacuum_enabled = false")),
    Case("options-on-new-table", "", runs("fillfactor = 70, autovacuum_vacuum_threshold = 1000")),
    Case(
        "options-on-new-partition",
        "CREATE TABLE events (at date NOT NULL, body text) PARTITION BY RANGE (at);",
        "CREATE TABLE events (at date NOT NULL, body text) PARTITION BY RANGE (at);\n"
        "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"
        " WITH (fillfactor = 90);",
    ),
    Case("replica-identity-full", runs(), runs("", "ALTER TABLE workflow_runs REPLICA IDENTITY FULL")),
    Case("replica-identity-nothing", runs(), runs("", "ALTER TABLE workflow_runs REPLICA IDENTITY NOTHING")),
    Case(
        "replica-identity-using-index",
        runs("") + KEY_INDEX,
        runs("") + KEY_INDEX + "ALTER TABLE workflow_runs REPLICA IDENTITY USING INDEX workflow_runs_run_key;",
    ),
    Case(
        "replica-identity-full-to-index",
        runs("", "ALTER TABLE workflow_runs REPLICA IDENTITY FULL") + KEY_INDEX,
        runs("") + KEY_INDEX + "ALTER TABLE workflow_runs REPLICA IDENTITY USING INDEX workflow_runs_run_key;",
    ),
    Case(
        "replica-identity-on-new-table-and-index",
        "",
        runs("") + KEY_INDEX + "ALTER TABLE workflow_runs REPLICA IDENTITY USING INDEX workflow_runs_run_key;",
    ),
]


@pytest.mark.parametrize("case", forward(CASES))
def test_forward(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(CASES))
def test_backward(pg, case):
    run_case(pg, case, reverse=True)


def test_parameters_are_set_and_reset_in_place(pg):
    result = run_case(pg, case_by_id(CASES, "autovacuum-parameters"))
    # In the files' order, after fillfactor, which stays where it is.
    assert [s.sql for s in result.plan.statements] == [
        "ALTER TABLE public.workflow_runs SET (autovacuum_vacuum_scale_factor = '0.01',"
        " autovacuum_analyze_scale_factor = '0.02')"
    ]
    result = run_case(pg, case_by_id(CASES, "autovacuum-parameters"), reverse=True)
    assert [s.sql for s in result.plan.statements] == [
        "ALTER TABLE public.workflow_runs RESET (autovacuum_analyze_scale_factor, autovacuum_vacuum_scale_factor)"
    ]


def test_replica_identity_waits_for_its_index(pg):
    result = run_case(pg, case_by_id(CASES, "replica-identity-on-new-table-and-index"))
    sql = [s.sql for s in result.plan.statements]
    assert sql[-1] == "ALTER TABLE public.workflow_runs REPLICA IDENTITY USING INDEX workflow_runs_run_key"
