"""`pgdiff drift`: how the live database differs from the files, object by object, for humans and machines.

The changes of a plan, without the plan: each differing object is `missing` (in the files, not in the
database), `unexpected` (in the database, not in the files) or `changed`, with each changed attribute's
value on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgdiff.diff import Change

_STATES = {"create": "missing", "drop": "unexpected", "alter": "changed", "rename": "changed"}


@dataclass(frozen=True)
class Drift:
    kind: str
    object: str
    state: str  # "missing" | "unexpected" | "changed"
    details: tuple[str, ...] = ()  # for "changed": one line per attribute


def drift_of(changes: list[Change]) -> list[Drift]:
    """One entry per differing object; what belongs to a missing or unexpected table (its columns, keys,
    indexes, triggers, policies, comments, grants) is that table's entry, not one of its own."""
    whole = {c.key for c in changes if c.kind == "table" and c.action in ("create", "drop")}
    return [
        Drift(c.kind, c.name, _STATES[c.action], _details(c))
        for c in changes
        if c.kind == "table" or _table_of(c) not in whole
    ]


def _table_of(change: Change) -> tuple[str, ...] | None:
    """The table an object belongs to (or is, for a comment or grant on the table itself)."""
    obj = change.desired if change.desired is not None else change.current
    if change.kind == "column":
        return change.key[:2]
    table_key = getattr(obj, "table_key", None)
    if table_key is not None:
        return tuple(table_key)
    table = getattr(obj, "table", None)
    if isinstance(table, str):
        return (obj.schema, table)
    if getattr(obj, "kind", None) == "table":
        return (obj.schema, obj.name)
    return None


def _details(change: Change) -> tuple[str, ...]:
    if change.action == "rename":
        return (f"named {change.desired} in the database",)
    if change.action != "alter":
        return ()
    return tuple(
        f"{attribute} {_value(getattr(change.current, attribute))} in database, "
        f"{_value(getattr(change.desired, attribute))} in files"
        for attribute in change.attributes
    )


def _value(value: object) -> str:
    if value is None or value == () or value == "":
        return "none"
    if isinstance(value, str):
        return '"' + value + '"'
    return str(value)
