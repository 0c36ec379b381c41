"""Run the real `pgdiff` command line, SIGKILLing this process at one statement boundary of apply.

    python tests/kill_at.py K apply SOURCE --db URL ...

Boundary K (1-based) is "statement K is about to run": everything before it has run (and the
groups before its own committed); K = N + 1 is "after the last statement, before the check that
nothing is left". The kill goes through apply's own hooks (`ApplyHooks.on_statement`), so product code
has no switch for it; SIGKILL gives pgdiff no chance to clean up, as when a deploy job is killed.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import replace
from typing import Any

import psycopg

import pgdiff.api
import pgdiff.cli
from pgdiff.apply import ApplyHooks, apply_plan
from pgdiff.plan import Plan, Statement


def _die() -> None:
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _killing_apply(boundary: int) -> Any:
    def apply_then_maybe_die(conn: psycopg.Connection, plan: Plan, *, hooks: ApplyHooks, **options: Any) -> None:
        report = hooks.on_statement

        def on_statement(number: int, total: int, statement: Statement) -> None:
            if number == boundary:
                _die()
            report(number, total, statement)

        apply_plan(conn, plan, hooks=replace(hooks, on_statement=on_statement), **options)
        if boundary == len(plan.statements) + 1:
            _die()

    return apply_then_maybe_die


if __name__ == "__main__":
    pgdiff.api.apply_plan = _killing_apply(int(sys.argv[1]))  # the name the apply command's job calls
    sys.argv = ["pgdiff", *sys.argv[2:]]
    pgdiff.cli.app()
