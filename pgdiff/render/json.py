"""Machine-readable plan: groups of statements with kind, object and hazards (format in README)."""

from __future__ import annotations

import json
from dataclasses import asdict

from pgdiff.plan import Plan
from pgdiff.render.summary import action_counts

JSON_FORMAT_VERSION = 1


def plan_document(plan: Plan) -> dict[str, object]:
    return {
        "format_version": JSON_FORMAT_VERSION,
        "empty": plan.is_empty,
        "summary": {
            "statements": len(plan.statements),
            "groups": len(plan.groups),
            "actions": action_counts(plan),
            "hazards": sorted({h.code for h in plan.hazards}),
        },
        "groups": [
            {
                "transactional": group.transactional,
                "statements": [asdict(statement) for statement in group.statements],
            }
            for group in plan.groups
        ],
    }


def render_json(plan: Plan) -> str:
    return json.dumps(plan_document(plan), indent=2, ensure_ascii=False) + "\n"
