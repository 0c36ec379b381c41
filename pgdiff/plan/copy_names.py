"""Partitions' copies of their parents' indexes and keys take the names a database built from the files has.

PostgreSQL names the copy it makes on each partition after the partition and the columns
(`p1_a_idx`, `p1_a_b_key`) when it makes it, and never renames it: renaming a column or a partition
leaves the old names, where a database built from the files has new ones. The copies are not objects
of their own in the model (they come and go with the parent's index or key), so the diff does not see
them; this pass renames each copy that stays under its parent to its desired name. A key's copy and
its index share their name, and renaming the one renames the other.
"""

from __future__ import annotations

from collections.abc import Iterable

from pgdiff.plan import ddl
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Statement

Member = tuple[str, str, str, str]  # (schema, table, copy, parent), as Index.partition_indexes
Rename = tuple[str, str, str, str]  # (schema, table, current name, desired name)


def copy_renames(current: Iterable[Member], desired: Iterable[Member], root: str) -> list[Rename]:
    """The copies under `root` (named alike on both sides) whose desired name differs, paired level by
    level: a partition holds one copy of each parent index or key, so (table, parent) finds it."""
    current_by_place = {(schema, table, parent): name for schema, table, name, parent in current}
    desired_below: dict[str, list[Member]] = {}
    for member in desired:
        desired_below.setdefault(member[3], []).append(member)
    renames: list[Rename] = []
    pending = [(root, root)]
    while pending:
        current_parent, desired_parent = pending.pop()
        for schema, table, name, _ in sorted(desired_below.get(desired_parent, ())):
            now = current_by_place.get((schema, table, current_parent))
            if now is None:
                continue  # built or attached by the plan, under its desired name
            if now != name:
                renames.append((schema, table, now, name))
            pending.append((now, name))
    return sorted(renames)


class CopyNamePlanner(PlannerBase):
    """Renames partitions' index and key copies that a rename of a column or partition left stale."""

    def rename_copies_to_desired_names(self) -> None:
        touched = {
            (s.kind, s.object) for _, _, s in self._emitted if s.action in ("create", "drop")
        } | self.created()
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
        # No copy takes a name another gives up: that needs two columns or partitions to swap names, and
        # rename directives refuse a name that exists (diff/renames.py).
        for kind, (schema, table, old, new) in renames:
            if kind == "index":
                sql, identity = ddl.rename_index(schema, old, new), dotted((schema, new))
            else:
                sql, identity = ddl.rename("constraint", (schema, table, new), old), dotted((schema, table, new))
            self.emit(Phase.RENAME_COPY, Statement(sql, kind, "rename", identity, table=dotted((schema, table))))
