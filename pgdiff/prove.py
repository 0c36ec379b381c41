"""Proving a plan before it touches the target.

The target's current schema (its whole model, what a filter leaves out included) is built in an empty
scratch database on the shadow's server; the plan runs there statement by statement exactly as apply runs
it (its transaction groups, CONCURRENTLY on its own); the result is read back and must be the desired
state. A plan that fails there, or leaves another schema, is refused before anything runs on the target.

What a scratch copy cannot show is said, not faked: it holds no rows (a VALIDATE or a unique build that
fails on the target's data passes here), and a schema the shadow server cannot build (an extension it
lacks, an object pgdiff does not model that a view uses) leaves the plan unproven, with the reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg

from pgdiff import catalog
from pgdiff.apply import ApplyError, apply_plan
from pgdiff.connect import redact
from pgdiff.errors import PgdiffError
from pgdiff.model import Model
from pgdiff.pipeline import DesiredState, materialize
from pgdiff.plan import Plan

# How many differing objects a refusal names before "and N more".
NAMED_DIFFERENCES = 8


@dataclass(frozen=True)
class Proof:
    """How proving a plan went: proven, or why it could not be (`unproven`), and how long it took."""

    seconds: float
    unproven: str | None = None

    @property
    def proven(self) -> bool:
        return self.unproven is None

    def describe(self) -> str:
        if self.proven:
            return f"proven on a scratch copy of the target in {self.seconds:.1f} s"
        return f"not proven ({self.seconds:.1f} s): {self.unproven}"


class PlanDisproved(PgdiffError):
    """The plan failed, or left another schema than the desired one, on a scratch copy of the target."""


def prove_plan(plan: Plan, current: Model, desired: DesiredState) -> Proof:
    """Run `plan` on a scratch copy of `current` (the target's whole model) and require `desired`'s model.

    Raises PlanDisproved naming the failing statement, or the objects that differ afterwards."""
    started = time.monotonic()
    if plan.is_empty:
        return Proof(0.0)
    with desired.empty_database() as scratch:
        unbuildable = _build(scratch, current)
        if unbuildable is not None:
            return Proof(time.monotonic() - started, unbuildable)
        _run(scratch, plan)
        _, remaining = desired.changes_from(catalog.inspect(scratch))
    if remaining:
        names = [f"{change.action} {change.kind} {change.name}" for change in remaining]
        more = f" and {len(names) - NAMED_DIFFERENCES} more" if len(names) > NAMED_DIFFERENCES else ""
        raise PlanDisproved(
            "the plan ran on a scratch copy of the target, but the copy then still differs from the desired "
            f"state ({', '.join(names[:NAMED_DIFFERENCES])}{more}); nothing was applied to the target"
        )
    return Proof(time.monotonic() - started)


def _build(scratch: psycopg.Connection, current: Model) -> str | None:
    """Build `current` in `scratch`; the reason it cannot be built there, or None."""
    try:
        materialize(scratch, current)
    except ApplyError as error:
        failure = error.failure
        return (
            f"the target's schema cannot be built on the shadow server ({failure.statement.kind} "
            f"{failure.statement.object}: {failure.message}); an extension it lacks, or an object pgdiff does not "
            "manage, is the usual cause: give --dev-url a server that has them"
        )
    except (PgdiffError, psycopg.Error) as error:
        return f"the target's schema cannot be built on the shadow server: {redact(str(error).strip())}"
    return None


def _run(scratch: psycopg.Connection, plan: Plan) -> None:
    try:
        apply_plan(scratch, plan, lock_retries=0)
    except ApplyError as error:
        failure = error.failure
        sqlstate = f" (SQLSTATE {failure.sqlstate})" if failure.sqlstate else ""
        raise PlanDisproved(
            f"the plan fails on a scratch copy of the target at statement {failure.failed} of "
            f"{len(failure.statements)}, {failure.statement.kind} {failure.statement.object}: "
            f"{failure.message}{sqlstate}; nothing was applied to the target\n  {failure.statement.sql}"
        ) from None
