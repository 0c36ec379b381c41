"""Counts shared by every output format."""

from __future__ import annotations

from collections import Counter

from pgdiff.plan import Plan

ACTION_ORDER = ("create", "alter", "validate", "drop")


def action_counts(plan: Plan) -> dict[str, int]:
    counts = Counter(s.action for s in plan.statements)
    return {action: counts[action] for action in ACTION_ORDER if counts[action]} | {
        action: n for action, n in counts.items() if action not in ACTION_ORDER
    }


def summary_line(plan: Plan) -> str:
    if plan.is_empty:
        return "No changes: the database matches the desired state."
    counts = action_counts(plan)
    parts = ", ".join(f"{n} {action}" for action, n in counts.items())
    hazards = len(plan.hazards)
    tail = f"; {plural(hazards, 'hazard')}" if hazards else ""
    return f"Plan: {plural(len(plan.statements), 'statement')} ({parts}) in {plural(len(plan.groups), 'group')}{tail}."


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
