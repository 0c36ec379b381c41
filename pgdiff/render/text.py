"""Terminal output with rich: statements grouped by table, colour by action, a summary of counts."""

from __future__ import annotations

from collections import defaultdict

from pglast import prettify
from rich.console import Console, Group
from rich.syntax import Syntax
from rich.text import Text

from pgdiff.plan import Plan, Statement
from pgdiff.plan.timeouts import format_duration
from pgdiff.render.summary import summary_line

ACTION_STYLE = {"create": ("+", "green"), "drop": ("-", "red"), "alter": ("~", "yellow"), "validate": ("✓", "cyan")}


def pretty_sql(sql: str) -> str:
    """pglast's canonical layout; the statement as written when pglast cannot print it."""
    try:
        return prettify(sql)
    except Exception:
        return sql


def render_text(plan: Plan, console: Console) -> None:
    if plan.is_empty:
        console.print(Text(summary_line(plan), style="bold green"))
        return
    by_table: dict[str, list[Statement]] = defaultdict(list)
    for statement in plan.statements:
        by_table[statement.table or f"{statement.kind} {statement.object}"].append(statement)
    for heading, statements in by_table.items():
        console.print(Text(heading, style="bold"))
        for statement in statements:
            console.print(_statement_block(statement))
        console.print()
    for hazard in plan.hazards:
        console.print(Text.assemble(("hazard ", "bold red"), (hazard.code, "red"), f": {hazard.message}"))
    console.print(Text(summary_line(plan), style="bold"))


def _statement_block(statement: Statement) -> Group:
    symbol, colour = ACTION_STYLE.get(statement.action, ("*", "white"))
    label = Text.assemble(
        (f"  {symbol} ", f"bold {colour}"),
        (f"{statement.action} {statement.kind} ", colour),
        statement.object,
        ("" if statement.transactional else "  (outside a transaction)", "dim"),
        (f"  [{_timeouts(statement)}]", "dim"),
    )
    code = Syntax(
        pretty_sql(statement.sql) + ";",
        "sql",
        theme="ansi_dark",
        background_color="default",
        word_wrap=True,
        padding=(0, 0, 0, 4),
    )
    return Group(label, code)


def _timeouts(statement: Statement) -> str:
    return ", ".join(f"{name} {format_duration(ms)}" for name, ms in statement.timeouts)
