"""Drift reports: text (rich), json and markdown (for an issue or a pull-request comment)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict

from rich.console import Console
from rich.text import Text

from pgdiff.drift import Drift

DRIFT_FORMATS = ("text", "json", "markdown")
DRIFT_MARKER = "<!-- pgdiff-drift -->"  # hidden; CI finds and updates its comment by it
_MARKS = {"missing": "+", "unexpected": "-", "changed": "~"}


def drift_summary(drift: list[Drift]) -> str:
    if not drift:
        return "No drift: the database matches the files."
    counts = Counter(d.state for d in drift)
    parts = [f"{counts[state]} {state}" for state in ("missing", "unexpected", "changed") if counts[state]]
    return f"Drift: {len(drift)} objects differ ({', '.join(parts)})."


def render_drift_text(drift: list[Drift], console: Console) -> None:
    for item in drift:
        console.print(Text(f"{_MARKS[item.state]} {item.state} {item.kind} {item.object}"))
        for detail in item.details:
            console.print(Text(f"    {detail}"))
    console.print(Text(drift_summary(drift), style="bold red" if drift else "bold green"))


def render_drift_json(drift: list[Drift]) -> str:
    document = {"in_sync": not drift, "summary": drift_summary(drift), "objects": [asdict(d) for d in drift]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_drift_markdown(drift: list[Drift]) -> str:
    lines = [DRIFT_MARKER, f"**{drift_summary(drift)}**", ""]
    if drift:
        lines += ["| state | kind | object | details |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {d.state} | {d.kind} | `{d.object}` | {_cell('; '.join(d.details))} |" for d in drift
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Markdown table cells cannot hold `|` or line breaks."""
    return text.replace("|", "\\|").replace("\n", " ")
