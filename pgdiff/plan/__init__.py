"""The planner: from changes to an ordered, grouped `Plan` of statements with hazards."""

from pgdiff.plan.planner import build_plan
from pgdiff.plan.types import Group, Hazard, Plan, Statement

__all__ = ["Group", "Hazard", "Plan", "Statement", "build_plan"]
