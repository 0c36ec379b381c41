"""Machine-readable plan: the plan file document (`pgdiff/planfile.py`, format in README), so that what
`plan --format json` prints and what `plan -o` writes are one format."""

from __future__ import annotations

from pgdiff import planfile


def render_json(plan_file: planfile.PlanFile) -> str:
    return planfile.dumps(plan_file)
