"""`pgdiff drift`: how the live database differs from the files, object by object, for humans and machines.

The changes of a plan, without the plan: each differing object is `missing` (in the files, not in the
database), `unexpected` (in the database, not in the files) or `changed`, with each changed attribute's
value on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgdiff.diff import Change
from pgdiff.diff.members import copy_renames
from pgdiff.model import Grant, KindKey, ObjectRef

_STATES = {"create": "missing", "drop": "unexpected", "alter": "changed", "rename": "changed"}


@dataclass(frozen=True)
class Drift:
    kind: str
    object: str
    state: str  # "missing" | "unexpected" | "changed"
    details: tuple[str, ...] = ()  # for "changed": one line per attribute


def drift_of(changes: list[Change]) -> list[Drift]:
    """One entry per differing object; what belongs to a missing or unexpected table (its columns, keys,
    indexes, triggers, policies, comments, grants) or to another missing or unexpected object (its comment,
    grants, owner) is that object's entry, not one of its own."""
    wholes = [c for c in changes if c.action in ("create", "drop")]
    tables = {c.key for c in wholes if c.kind == "table"}
    objects = {(c.kind, tuple(c.key)) for c in wholes}
    return [
        Drift(_kind(c), _display_name(c), _STATES[c.action], _details(c))
        for c in changes
        if c.kind == "table" or (_table_of(c) not in tables and _attached_to(c) not in objects)
    ]


def _subject(change: Change) -> object:
    return change.desired if change.desired is not None and change.action != "rename" else change.current


def _kind(change: Change) -> str:
    """The kind as users name it: a materialized view or a procedure is not a view or a function."""
    kind_name = getattr(_subject(change), "kind_name", None)
    return kind_name if change.kind in ("view", "function") and isinstance(kind_name, str) else change.kind


def _display_name(change: Change) -> str:
    subject = _subject(change)
    if change.kind == "function":
        return f"{change.key[0]}.{change.key[1]}({change.key[2]})"
    if isinstance(subject, Grant):
        return f"on {subject.kind} {subject.object} to {subject.grantee}"
    if isinstance(subject, ObjectRef) and change.kind in ("comment", "owner"):
        return f"on {subject.kind} {subject.object}"
    return change.name


def _attached_to(change: Change) -> KindKey | None:
    """The object a comment, grant or owner is attached to."""
    subject = _subject(change)
    return subject.kind_key if isinstance(subject, ObjectRef) else None


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
    if change.attributes == ("copy_names",):
        members = "partition_indexes" if change.kind == "index" else "partition_keys"
        renames = copy_renames(getattr(change.current, members), getattr(change.desired, members), change.desired.name)
        return tuple(
            f"copy on {s}.{t} named {_value(old)} in database, {_value(new)} in files" for s, t, old, new in renames
        )
    return tuple(
        f"{attribute} {_value(getattr(change.current, attribute))} in database, "
        f"{_value(getattr(change.desired, attribute))} in files"
        for attribute in _named_attributes(change)
    )


# An attribute compared as one text, and the parts of it a reader thinks in: an index's definition is its
# key columns, its predicate and the rest (INCLUDE, WITH), which only the whole text names.
_PARTS = {("index", "body"): ("keys", "predicate")}


def _named_attributes(change: Change) -> list[str]:
    named: list[str] = []
    for attribute in change.attributes:
        parts = _PARTS.get((change.kind, attribute), ())
        differing = [p for p in parts if getattr(change.current, p) != getattr(change.desired, p)]
        named += differing or [attribute]
    return named


def _value(value: object) -> str:
    if value is None or value == () or value == "":
        return "none"
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return '"' + ", ".join(value) + '"'
    return str(value)
