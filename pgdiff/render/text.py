"""Terminal output with rich: statements grouped by table, colour by action, a summary of counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from pglast import prettify
from rich.console import Console, Group
from rich.text import Text

from pgdiff.plan import Group as PlanGroup
from pgdiff.plan import Plan, Statement
from pgdiff.plan.timeouts import format_duration
from pgdiff.render.summary import summary_line

ACTION_STYLE = {
    "create": ("+", "green"),
    "drop": ("-", "red"),
    "alter": ("~", "yellow"),
    "validate": ("✓", "cyan"),
    "rename": (">", "magenta"),
}


def pretty_sql(sql: str) -> str:
    """pglast's canonical layout; the statement as written when pglast cannot print it."""
    try:
        return prettify(sql)
    except Exception:
        return sql


def pretty_texts(plan: Plan) -> dict[str, str]:
    """Each statement's SQL in pglast's layout (a few milliseconds each: worth caching on big plans)."""
    return {statement.sql: pretty_sql(statement.sql) for statement in plan.statements}


def render_text(plan: Plan, console: Console, pretty: Mapping[str, str] | None = None) -> None:
    """`pretty`: the statements' layouts, when known already (`pretty_texts`)."""
    pretty = pretty if pretty is not None else pretty_texts(plan)
    if plan.is_empty:
        console.print(Text(summary_line(plan), style="bold green"))
        return
    by_table: dict[str, list[tuple[int, Statement]]] = defaultdict(list)
    for number, group in enumerate(plan.groups, 1):
        for statement in group.statements:
            by_table[statement.table or f"{statement.kind} {statement.object}"].append((number, statement))
    if console.color_system is None:
        # A CI log or a pipe: the same text without colours, written at once (highlighting each statement
        # took most of a plan's time on a 500-table schema).
        console.out(_plain(plan, by_table, pretty), highlight=False)
        return
    for heading, statements in by_table.items():
        console.print(Text(heading, style="bold"))
        for number, statement in statements:
            console.print(_statement_block(number, statement, pretty))
        console.print()
    console.print(Text("Transaction groups, in order:", style="bold"))
    for number, group in enumerate(plan.groups, 1):
        console.print(Text(f"  group {number}: {_group_kind(group)}, {_count(len(group.statements))}", style="dim"))
    for hazard in plan.hazards:
        console.print(Text.assemble(("hazard ", "bold red"), (hazard.code, "red"), f": {hazard.message}"))
    console.print(Text(summary_line(plan), style="bold"))


def _plain(plan: Plan, by_table: dict[str, list[tuple[int, Statement]]], pretty: Mapping[str, str]) -> str:
    lines: list[str] = []
    for heading, statements in by_table.items():
        lines.append(heading)
        for number, statement in statements:
            symbol, _ = ACTION_STYLE.get(statement.action, ("*", "white"))
            lines.append(
                f"  {symbol} {statement.action} {statement.kind} {statement.object}"
                f"  [group {number}; {_timeouts(statement)}]"
            )
            lines += [f"    {line}" for line in (_layout(statement, pretty) + ";").splitlines()]
        lines.append("")
    lines.append("Transaction groups, in order:")
    for number, group in enumerate(plan.groups, 1):
        lines.append(f"  group {number}: {_group_kind(group)}, {_count(len(group.statements))}")
    lines += [f"hazard {hazard.code}: {hazard.message}" for hazard in plan.hazards]
    lines.append(summary_line(plan))
    return "\n".join(lines)


def _group_kind(group: PlanGroup) -> str:
    if not group.transactional:
        return "outside a transaction"
    return "own transaction" if group.statements[0].own_transaction else "one transaction"


def _count(n: int) -> str:
    return f"{n} statement{'s' if n != 1 else ''}"


def _layout(statement: Statement, pretty: Mapping[str, str]) -> str:
    found = pretty.get(statement.sql)
    return found if found is not None else pretty_sql(statement.sql)


def _statement_block(group_number: int, statement: Statement, pretty: Mapping[str, str]) -> Group:
    from rich.syntax import Syntax  # pygments: only for a terminal
    symbol, colour = ACTION_STYLE.get(statement.action, ("*", "white"))
    label = Text.assemble(
        (f"  {symbol} ", f"bold {colour}"),
        (f"{statement.action} {statement.kind} ", colour),
        statement.object,
        (f"  [group {group_number}; {_timeouts(statement)}]", "dim"),
    )
    code = Syntax(
        _layout(statement, pretty) + ";",
        "sql",
        theme="ansi_dark",
        background_color="default",
        word_wrap=True,
        padding=(0, 0, 0, 4),
    )
    return Group(label, code)


def _timeouts(statement: Statement) -> str:
    return ", ".join(f"{name} {format_duration(ms)}" for name, ms in statement.timeouts)
