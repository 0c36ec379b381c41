"""Comments (COMMENT ON), planned after every other statement.

A comment belongs to its object: an object the plan creates, or drops and creates again (a
rebuilt view, a function whose signature changes, a column made generated, an index swapped in,
an enum rebuilt), comes back without one. So comments are planned last, from the statements
already emitted: each object ends with the desired comment, set again where the plan re-created
it, removed where the files have none.
"""

from __future__ import annotations

from pgdiff.diff import Change
from pgdiff.plan import ddl
from pgdiff.plan.base import PlannerBase, home_of, is_created
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Statement


class CommentPlanner(PlannerBase):
    """Plans comments once everything else is planned (see the module docstring)."""

    def _comment_create(self, change: Change) -> None:
        """Comment changes are planned by `plan_comments`, which sees what the plan re-creates."""

    _comment_drop = _comment_alter = _comment_create

    def plan_comments(self) -> None:
        created = self.created()
        keys = sorted(self.current.comments.keys() | self.desired.comments.keys())
        for key in keys:
            wanted = self.desired.comments.get(key)
            present = self.current.comments.get(key)
            comment = wanted or present
            assert comment is not None
            text_now = None if is_created(comment, created) or present is None else present.text
            text_wanted = wanted.text if wanted is not None else None
            if text_now == text_wanted:
                continue
            if wanted is None and not self.desired.contains(comment):
                continue  # the object goes, and its comment with it
            sql = ddl.comment_on(comment, text_wanted)
            action = _action(text_now, text_wanted)
            name = f"{comment.kind} {comment.object}"
            self.emit(Phase.COMMENT, Statement(sql, "comment", action, name, table=home_of(comment)))


def _action(before: str | None, after: str | None) -> str:
    return "create" if before is None else "drop" if after is None else "alter"
