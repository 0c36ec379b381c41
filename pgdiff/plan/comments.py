"""Comments (COMMENT ON), planned after every other statement.

A comment belongs to its object: an object the plan creates, or drops and creates again (a
rebuilt view, a function whose signature changes, a column made generated, an index swapped in,
an enum rebuilt), comes back without one. So comments are planned last, from the statements
already emitted: each object ends with the desired comment, set again where the plan re-created
it, removed where the files have none.
"""

from __future__ import annotations

import re

from pgdiff.diff import Change
from pgdiff.model import Comment, Model
from pgdiff.plan import ddl
from pgdiff.plan.base import PlannerBase
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Statement

# What a statement's SQL starts with when it brings a new object into being (not CREATE OR REPLACE).
_CREATES = re.compile(r"(SET LOCAL [^;]*;\s*)*CREATE (?!OR REPLACE )")
_ADDS = {
    "column": re.compile(r"ALTER TABLE .* ADD COLUMN "),
    "constraint": re.compile(r"ALTER TABLE .* ADD CONSTRAINT "),
}


def created_objects(statements: list[Statement]) -> set[tuple[str, str]]:
    """(kind, dotted identity) of every object the statements create, or create again."""
    created = set()
    for statement in statements:
        if statement.action == "rename":
            continue
        sql = statement.sql
        swapped_in = statement.kind == "index" and " RENAME TO " in sql  # built under a temporary name
        added = statement.kind in _ADDS and _ADDS[statement.kind].match(sql)
        if _CREATES.match(sql) or added or swapped_in:
            created.add((statement.kind, statement.object))
    return created


class CommentPlanner(PlannerBase):
    """Plans comments once everything else is planned (see the module docstring)."""

    def _comment_create(self, change: Change) -> None:
        """Comment changes are planned by `plan_comments`, which sees what the plan re-creates."""

    _comment_drop = _comment_alter = _comment_create

    def plan_comments(self) -> None:
        created = created_objects([statement for _, _, statement in self._emitted])
        keys = sorted(self.current.comments.keys() | self.desired.comments.keys())
        for key in keys:
            wanted = self.desired.comments.get(key)
            present = self.current.comments.get(key)
            comment = wanted or present
            assert comment is not None
            recreated = key in created or _parent_created(comment, created)
            text_now = None if recreated or present is None else present.text
            text_wanted = wanted.text if wanted is not None else None
            if text_now == text_wanted:
                continue
            if wanted is None and not _exists(self.desired, comment):
                continue  # the object goes, and its comment with it
            sql = ddl.comment_on(comment, text_wanted)
            action = _action(text_now, text_wanted)
            self.emit(Phase.COMMENT, Statement(sql, "comment", action, f"{comment.kind} {comment.object}"))


def _parent_created(comment: Comment, created: set[tuple[str, str]]) -> bool:
    """A column or constraint written inside its table's or view's CREATE comes and goes with it."""
    return comment.parent is not None and any((kind, comment.parent) in created for kind in _PARENT_KINDS)


_PARENT_KINDS = ("table", "view", "materialized view")


def _action(before: str | None, after: str | None) -> str:
    return "create" if before is None else "drop" if after is None else "alter"


def _exists(model: Model, comment: Comment) -> bool:
    """Whether the object `comment` is about exists in `model` (so a comment removal has a target)."""
    schema, name, table = comment.schema, comment.name, comment.table
    kind = comment.kind
    if kind == "schema":
        return name in model.schemas
    if kind == "column":
        owner = model.tables.get((schema, table or ""))
        if owner is not None:
            return owner.column(name) is not None
        view = model.views.get((schema, table or ""))
        return view is not None and any(column == name for column, _ in view.columns)
    if kind in ("function", "procedure"):
        return (schema, name, comment.arguments or "") in model.functions
    found_in = {
        "table": model.tables,
        "view": model.views,
        "materialized view": model.views,
        "index": model.indexes,
        "sequence": model.sequences,
        "enum": model.enums,
        "composite": model.composites,
        "domain": model.domains,
        "range": model.ranges,
        "collation": model.collations,
        "statistics": model.statistics,
    }
    if kind in found_in:
        return (schema, name) in found_in[kind]
    by_table = {"constraint": model.constraints, "trigger": model.triggers, "policy": model.policies}
    return (schema, table or "", name) in by_table.get(kind, {})
