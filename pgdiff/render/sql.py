"""A script psql runs as is (`psql -f plan.sql`) with the same effect as `pgdiff apply`."""

from __future__ import annotations

from pgdiff.plan import Plan, Statement
from pgdiff.plan.timeouts import format_duration
from pgdiff.quoting import literal
from pgdiff.render.summary import summary_line


def render_sql(plan: Plan) -> str:
    lines = [f"-- {summary_line(plan)}"]
    if plan.is_empty:
        return "\n".join(lines) + "\n"
    lines.append("\\set ON_ERROR_STOP on")
    settings: dict[str, str] = {}
    for number, group in enumerate(plan.groups, 1):
        kind = "one transaction" if group.transactional else "outside a transaction"
        lines.append("")
        lines.append(f"-- group {number}: {kind}")
        if group.transactional:
            lines.append("BEGIN;")
        for statement in group.statements:
            for hazard in statement.hazards:
                lines.append(f"-- hazard {hazard.code}: {hazard.message}")
            lines += _timeout_settings(statement, settings)
            lines.append(statement.sql + ";")
        if group.transactional:
            lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def _timeout_settings(statement: Statement, settings: dict[str, str]) -> list[str]:
    """SET lines for the timeouts that differ from the ones already in force."""
    lines = []
    for name, ms in statement.timeouts:
        value = format_duration(ms)
        if settings.get(name) != value:
            settings[name] = value
            lines.append(f"SET {name} = {literal(value)};")
    return lines
