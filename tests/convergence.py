"""Convergence cases as data: a pair of SQL scripts, run in both directions.

Each case file lists `Case`s and turns them into two parametrized tests with
`forward()` and `backward()`. A case that needs a newer server than the one under
test is not skipped: on the older server it must fail to load, which proves the
feature really is missing there (and that the case exercises it).
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
import pytest

from pgdiff.cluster import Cluster
from tests.pg import Convergence, assert_converges, new_database

# What an older server raises for syntax or options it does not know.
REJECTED_ON_OLDER_SERVERS: tuple[type[psycopg.Error], ...] = (
    psycopg.errors.SyntaxError,
    psycopg.errors.FeatureNotSupported,
    psycopg.errors.InvalidParameterValue,
    psycopg.errors.InvalidObjectDefinition,
    psycopg.errors.InvalidTableDefinition,
)


@dataclass(frozen=True)
class Case:
    id: str
    a: str
    b: str
    min_server: int | None = None


def case_by_id(cases: list[Case], case_id: str) -> Case:
    """The case called `case_id`, for tests that also check the plan of one case."""
    return next(case for case in cases if case.id == case_id)


def _params(cases: list[Case], direction: str) -> list[object]:
    ids = [case.id for case in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"duplicate case ids: {sorted(duplicates)}"
    return [pytest.param(case, id=f"{case.id}[{direction}]") for case in cases]


def forward(cases: list[Case]) -> list[object]:
    """Parameters for the a -> b test of each case."""
    return _params(cases, "a->b")


def backward(cases: list[Case]) -> list[object]:
    """Parameters for the b -> a test of each case."""
    return _params(cases, "b->a")


def run_case(pg: Cluster, case: Case, *, reverse: bool = False) -> Convergence | None:
    """Converge one direction of `case`, or prove an older server rejects it."""
    if case.min_server is not None and pg.major < case.min_server:
        assert_rejected(pg, case)
        return None
    current, desired = (case.b, case.a) if reverse else (case.a, case.b)
    result = assert_converges(pg, current, desired)
    # A and B must differ, or the case would prove nothing.
    assert not result.plan.is_empty, f"case {case.id} has nothing to change"
    return result


def assert_rejected(pg: Cluster, case: Case) -> None:
    """At least one side of `case` uses something this server does not support."""
    errors: list[psycopg.Error] = []
    for sql in (case.a, case.b):
        try:
            new_database(pg, sql, "old")
        except REJECTED_ON_OLDER_SERVERS as error:
            errors.append(error)
    assert errors, f"case {case.id} needs PostgreSQL {case.min_server} but loads on {pg.major}"
