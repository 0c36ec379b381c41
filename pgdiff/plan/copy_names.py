"""Partitions' copies of their parents' indexes and keys take the names a database built from the files has.

The copies are not objects of their own in the model (they come and go with the parent's index or key);
the diff reports an index or key whose copies are named otherwise as an `alter` of `copy_names`
(`diff.members.copy_renames` says why names go stale), and this pass renames each copy that stays under
its parent to its desired name. A key's copy and its index share their name: renaming the one renames the
other.
"""

from __future__ import annotations

from pgdiff.diff.members import Rename, copy_renames
from pgdiff.plan import ddl
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Statement


class CopyNamePlanner(PlannerBase):
    """Renames partitions' index and key copies whose names PostgreSQL chose otherwise than in the files."""

    def rename_copies_to_desired_names(self) -> None:
        touched = {(s.kind, s.object) for _, _, s in self._emitted if s.action in ("create", "drop")} | self.created()
        renames: list[tuple[str, Rename]] = []
        for key, index in self.desired.indexes.items():
            current = self.current.indexes.get(key)
            if current is not None and ("index", dotted(key)) not in touched:
                found = copy_renames(current.partition_indexes, index.partition_indexes, index.name)
                renames += [("index", rename) for rename in found]
        for ckey, constraint in self.desired.constraints.items():
            current_key = self.current.constraints.get(ckey)
            if current_key is not None and ("constraint", dotted(ckey)) not in touched:
                found = copy_renames(current_key.partition_keys, constraint.partition_keys, constraint.name)
                renames += [("constraint", rename) for rename in found]
        self._emit_copy_renames(renames)

    def _emit_copy_renames(self, renames: list[tuple[str, Rename]]) -> None:
        """A copy may take the name another copy gives up (two alike keys whose copies were made in another
        order): then every copy of that schema goes through a temporary name first."""
        sources = {(schema, old) for _, (schema, _, old, _) in renames}
        clash = {schema for _, (schema, _, _, new) in renames if (schema, new) in sources}
        aside = [(kind, (s, t, old, _aside(new))) for kind, (s, t, old, new) in renames if s in clash]
        final = [(kind, (s, t, _aside(new) if s in clash else old, new)) for kind, (s, t, old, new) in renames]
        for kind, (schema, table, old, new) in aside + final:
            if kind == "index":
                sql, identity = ddl.rename_index(schema, old, new), dotted((schema, new))
            else:
                sql, identity = ddl.rename("constraint", (schema, table, new), old), dotted((schema, table, new))
            self.emit(Phase.RENAME_COPY, Statement(sql, kind, "rename", identity, table=dotted((schema, table))))


def _aside(name: str) -> str:
    return ddl.truncate_identifier(f"{name}_pgdiff_copy")
