"""Ownership (ALTER ... OWNER TO), with --manage-owners only, planned after every other statement.

Owners differ between environments, so by default they are not compared at all (the pipeline leaves
them out of both models). With --manage-owners, the owners the files set (`ALTER TABLE ... OWNER TO`)
are the desired state; an object the files do not give an owner is left with the one it has. An
object the plan creates belongs to the role applying the plan until the OWNER TO that follows.
"""

from __future__ import annotations

from dataclasses import replace

from pgdiff.diff import Change
from pgdiff.model import Model, Owner
from pgdiff.plan import ddl
from pgdiff.plan.base import PlannerBase, home_of, is_created
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Statement
from pgdiff.quoting import ident


def owner_sql(owner: Owner) -> str:
    return f"ALTER {ddl.sql_kind(owner.kind)} {ddl.object_name(owner)} OWNER TO {ident(owner.owner)}"


def owners_set_by_files(desired: Model) -> Model:
    """The desired model with only the owners the files set (in the shadow, the others are the reader)."""
    return _with_owners(desired, {key: owner for key, owner in desired.owners.items() if not owner.is_reader})


def owners_to_compare(current: Model, desired: Model) -> Model:
    """The current model with the owners of just the objects the desired state gives an owner."""
    return _with_owners(current, {key: owner for key, owner in current.owners.items() if key in desired.owners})


def without_owners(model: Model) -> Model:
    return _with_owners(model, {})


def _with_owners(model: Model, owners: dict[tuple[str, str], Owner]) -> Model:
    return replace(model, owners=owners)


class OwnerPlanner(PlannerBase):
    """Plans OWNER TO once everything else is planned (see the module docstring)."""

    def _owner_create(self, change: Change) -> None:
        """Owner changes are planned by `plan_owners`, which sees what the plan creates."""

    _owner_drop = _owner_alter = _owner_create

    def plan_owners(self) -> None:
        created = self.created()
        for key, owner in sorted(self.desired.owners.items()):
            present = self.current.owners.get(key)
            if is_created(owner, created) or present is None or present.owner != owner.owner:
                name = f"{owner.kind} {owner.object}"
                self.emit(Phase.GRANT, Statement(owner_sql(owner), "owner", "alter", name, table=home_of(owner)))
