"""A plan as a pull-request comment: a hidden marker (CI finds and updates its comment by it), the summary,
counts by kind and action, a hazards table, and the `--format sql` script in a collapsible block.

Nothing in it depends on when or where the plan was made, so the same plan renders the same bytes.
"""

from __future__ import annotations

import re
from collections import Counter

from pgdiff.plan import Plan
from pgdiff.render.sql import render_sql
from pgdiff.render.summary import ACTION_ORDER, plural, summary_line

PLAN_MARKER = "<!-- pgdiff-plan -->"
# GitHub refuses comments longer than 65,536 characters; a big plan is cut to fit, saying so, rather than
# failing the job that posts it. Some room is left for what CI may add around it.
MAX_COMMENT_CHARS = 60_000
MAX_HAZARD_ROWS = 200
# Backslash-escaping these keeps names like `tmp_*` or `a|b` from turning into emphasis, links, HTML or
# extra table columns.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&!])")


def render_markdown(plan: Plan, max_chars: int = MAX_COMMENT_CHARS) -> str:
    lines = [PLAN_MARKER, f"### {summary_line(plan)}"]
    if not plan.is_empty:
        lines += ["", *_counts_table(plan), *_hazards_table(plan), ""]
        budget = max_chars - len("\n".join(lines)) - 1
        lines += _sql_block(plan, budget)
    return "\n".join(lines) + "\n"


def cell(text: str) -> str:
    """Plain text for a table cell: Markdown punctuation escaped, line breaks flattened."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _actions(counts: Counter[tuple[str, str]]) -> list[str]:
    present = {action for _, action in counts}
    return [a for a in ACTION_ORDER if a in present] + sorted(present - set(ACTION_ORDER))


def _counts_table(plan: Plan) -> list[str]:
    counts = Counter((s.kind, s.action) for s in plan.statements)
    actions = _actions(counts)
    rows = [
        f"| {cell(kind)} | " + " | ".join(str(counts[(kind, action)]) for action in actions) + " |"
        for kind in sorted({kind for kind, _ in counts})
    ]
    return [
        "| kind | " + " | ".join(actions) + " |",
        "| --- | " + " | ".join("---:" for _ in actions) + " |",
        *rows,
    ]


def _hazards_table(plan: Plan) -> list[str]:
    rows = [
        f"| `{hazard.code}` | {cell(f'{s.kind} {s.object}')} | {cell(hazard.message)} |"
        for s in plan.statements
        for hazard in s.hazards
    ]
    if not rows:
        return []
    shown = rows[:MAX_HAZARD_ROWS]
    if len(rows) > len(shown):
        shown.append(f"| | | … and {len(rows) - len(shown)} more: see the SQL and the plan file |")
    return ["", f"#### Hazards ({len(rows)})", "", "| code | object | message |", "| --- | --- | --- |", *shown]


def _sql_block(plan: Plan, budget: int) -> list[str]:
    script = render_sql(plan).rstrip("\n")
    # A fence longer than any run of backticks in the SQL (a function body may hold ```), so it cannot close early.
    longest = max((len(run) for run in re.findall(r"`+", script)), default=0)
    fence = "`" * max(3, longest + 1)
    summary = f"<details><summary>SQL ({plural(len(plan.statements), 'statement')})</summary>"
    frame = [summary, "", f"{fence}sql", "", fence, "", "</details>"]
    room = budget - len("\n".join(frame)) - len(_TRUNCATED) - 1
    if len(script) > room:
        cut = script[: max(room, 0)]
        script = cut[: cut.rfind("\n")] if "\n" in cut else ""
        frame.insert(frame.index("</details>"), _TRUNCATED)
    frame[3] = script
    return frame


_TRUNCATED = (
    "The SQL is cut here to fit a pull-request comment: the whole script is `pgdiff plan --format sql`, "
    "and what apply runs is the plan file."
)
