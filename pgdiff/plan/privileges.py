"""Privileges (GRANT and REVOKE), planned after every other statement.

Like comments, privileges belong to their object: one the plan creates, or drops and creates
again, starts with PostgreSQL's defaults for its kind (nothing, or EXECUTE on functions and
USAGE on types for PUBLIC) and gets the desired grants from there. The owner's privileges are
never planned (owners differ between environments). Revoking narrows what running code may do:
`breaking-change`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import groupby

from pgdiff.diff import Change
from pgdiff.model import DEFAULT_PRIVILEGE_KINDS, DefaultPrivileges, Grant, Model, ObjectRef
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, home_of, is_created
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Hazard, Statement
from pgdiff.quoting import ident, qualified


def _target(ref: ObjectRef) -> str:
    """The ON clause's object: GRANT says TABLE for views and for a column's table."""
    if ref.kind in ("view", "materialized view"):
        return f"TABLE {ddl.object_name(ref)}"
    if ref.kind == "column":
        return f"TABLE {qualified(ref.schema, ref.table or '')}"
    return f"{ddl.sql_kind(ref.kind)} {ddl.object_name(ref)}"


def _privilege_list(ref: ObjectRef, privileges: list[str]) -> str:
    column = f" ({ident(ref.name)})" if ref.kind == "column" else ""
    return ", ".join(f"{privilege}{column}" for privilege in privileges)


def _grantee(name: str) -> str:
    return "PUBLIC" if name == "PUBLIC" else ident(name)


def grant_sql(ref: ObjectRef, privileges: list[str], grantee: str, *, with_grant_option: bool = False) -> str:
    option = " WITH GRANT OPTION" if with_grant_option else ""
    return f"GRANT {_privilege_list(ref, privileges)} ON {_target(ref)} TO {_grantee(grantee)}{option}"


def revoke_sql(ref: ObjectRef, privileges: list[str], grantee: str, *, grant_option_only: bool = False) -> str:
    option = "GRANT OPTION FOR " if grant_option_only else ""
    return f"REVOKE {option}{_privilege_list(ref, privileges)} ON {_target(ref)} FROM {_grantee(grantee)}"


# The pg_default_acl object type each kind of object takes its default privileges from.
_DEFAULT_ACL_TYPE = {
    "table": "r",
    "view": "r",
    "materialized view": "r",
    "sequence": "S",
    "function": "f",
    "procedure": "f",
    "enum": "T",
    "composite": "T",
    "domain": "T",
    "range": "T",
    "schema": "n",
}
Entries = set[tuple[str, str, bool]]  # (grantee, privilege, grantable)


def builtin_default_entries(object_type: str) -> Entries:
    """PostgreSQL's own default privileges for a kind (acldefault), without the owner's."""
    return {"f": {("PUBLIC", "EXECUTE", False)}, "T": {("PUBLIC", "USAGE", False)}}.get(object_type, set())


def entries_on_creation(model: Model, kind: str, schema: str | None) -> Entries:
    """The grants an object of `kind` in `schema` gets when the role applying the plan creates it: that
    role's default privileges in `model` (set early in a plan), or PostgreSQL's own."""
    object_type = _DEFAULT_ACL_TYPE.get(kind)
    if object_type is None:
        return set()  # columns start with no grants
    everywhere = model.default_privileges.get(("", "", object_type))
    entries = set(everywhere.entries) if everywhere else builtin_default_entries(object_type)
    if object_type != "n" and schema:
        in_schema = model.default_privileges.get(("", schema, object_type))
        entries |= set(in_schema.entries) if in_schema else set()
    return entries


def privilege_steps(
    have: set[str], have_option: set[str], want: set[str], want_option: set[str]
) -> list[tuple[str, list[str]]]:
    """What to run, in order, to go from one grantee's privileges to another's: (step, privileges), step one
    of "revoke", "revoke grant option", "grant", "grant with grant option"."""
    steps = [
        ("revoke", sorted(have - want)),
        ("revoke grant option", sorted((have_option & want) - want_option)),
        ("grant", sorted((want - have) - want_option)),
        ("grant with grant option", sorted(want_option - have_option)),
    ]
    return [(step, privileges) for step, privileges in steps if privileges]


def _split(entries: Entries, grantee: str) -> tuple[set[str], set[str]]:
    """A grantee's privileges, and those it holds WITH GRANT OPTION."""
    held = {privilege for who, privilege, _ in entries if who == grantee}
    return held, {privilege for who, privilege, option in entries if who == grantee and option}


# The privileges a column can hold. REVOKE of one of them ON TABLE revokes it on every column too.
COLUMN_PRIVILEGES = frozenset({"SELECT", "INSERT", "UPDATE", "REFERENCES"})
_RELATION_KINDS = ("table", "view", "materialized view")
_NOWHERE = 1 << 62  # the ACL place of a grantee the files do not have: after every other
# (schema, table, grantee) -> (privileges revoked on the table, privileges whose grant option was revoked)
_TableRevokes = dict[tuple[str, str, str], tuple[set[str], set[str]]]


@dataclass(frozen=True)
class _Holding:
    """One grantee's privileges on one object: what it has when grants are planned (after the plan created
    or re-created the object, if it did), and what the files want it to have."""

    grant: Grant
    have: frozenset[str]
    have_option: frozenset[str]
    want: frozenset[str]
    want_option: frozenset[str]
    new: bool  # the plan creates the object: nothing running had these privileges
    place: int  # where the files' ACL has the grantee
    at: int  # where the ACL has it when grants are planned

    def order(self) -> tuple[str, str, int, str]:
        """Objects in the diff's order, and on each the grantees in the files' ACL order."""
        return (self.grant.kind, self.grant.object, self.place, self.grant.grantee)

    @property
    def object_key(self) -> tuple[str, str]:
        return (self.grant.kind, self.grant.object)

    def record_table_revoke(self, step: str, privileges: list[str], taken: _TableRevokes) -> None:
        """Note what a revoke on a table or view takes off its columns as well."""
        if self.grant.kind not in _RELATION_KINDS or not step.startswith("revoke"):
            return
        revoked, options = taken.setdefault((self.grant.schema, self.grant.name, self.grant.grantee), (set(), set()))
        on_columns = COLUMN_PRIVILEGES.intersection(privileges)
        options |= on_columns  # REVOKE takes the grant option with the privilege
        if step == "revoke":
            revoked |= on_columns

    def after_table_revokes(self, taken: _TableRevokes) -> _Holding:
        """A column's holding once the table-level revokes planned before it have run."""
        revoked, options = taken.get((self.grant.schema, self.grant.table or "", self.grant.grantee), (set(), set()))
        return replace(self, have=self.have - revoked, have_option=self.have_option - revoked - options)


def _out_of_place(grantees: list[_Holding]) -> set[_Holding]:
    """The grantees of one object (in the files' ACL order) that must be revoked and granted again for the ACL
    to end in the files' order. PostgreSQL appends a grantee new to an ACL at its end, and keeps one that is
    there in its place: the grantees kept are the longest start of the files' order already in that order."""
    wanted = [holding for holding in grantees if holding.want]
    last_at = -1
    for index, holding in enumerate(wanted):
        if not holding.have or holding.at <= last_at:
            return {later for later in wanted[index:] if later.have}
        last_at = holding.at
    return set()


class PrivilegePlanner(PlannerBase):
    """Plans GRANT and REVOKE once everything else is planned, and ALTER DEFAULT PRIVILEGES before anything is
    created (see the module docstring)."""

    def _grant_create(self, change: Change) -> None:
        """Grant changes are planned by `plan_grants`, which sees what the plan re-creates."""

    _grant_drop = _grant_alter = _grant_create

    def plan_grants(self) -> None:
        holdings = self._holdings()
        on_objects = [holding for holding in holdings if holding.grant.kind != "column"]
        on_columns = [holding for holding in holdings if holding.grant.kind == "column"]
        # Objects first: a table-level REVOKE also takes the privilege (or its grant option) off every column
        # of the table, so column grants are planned from what is left after it, and made after it.
        taken = self._emit_holdings(on_objects)
        self._emit_holdings([holding.after_table_revokes(taken) for holding in on_columns])

    def _holdings(self) -> list[_Holding]:
        """Every grantee's privileges on every object, as the plan finds them and as the files want them."""
        created = self.created()
        # What a new object starts with (PUBLIC's EXECUTE on functions, default privileges...), which the
        # desired grants may take back.
        starting = {ref.key: ref for ref in self._starting_grants(created)}
        holdings = []
        for key in sorted(self.current.grants.keys() | self.desired.grants.keys() | starting.keys()):
            wanted = self.desired.grants.get(key)
            present = self.current.grants.get(key)
            ref: Grant = wanted or present or starting[key]
            if wanted is None and not self.desired.contains(ref):
                continue  # the object goes, and its privileges with it
            new = is_created(ref, created)
            if new:
                have, have_option = _split(self._entries_on_creation(ref), ref.grantee)
            else:
                have = set(present.privileges) if present else set()
                have_option = set(present.grantable) if present else set()
            want = set(wanted.privileges) if wanted else set()
            want_option = set(wanted.grantable) if wanted else set()
            # Grantees the files do not have come last, after the desired ones in the files' ACL order.
            place = wanted.position if wanted else _NOWHERE
            # A new object's starting grantees (its default privileges) are taken to be in the files' order.
            at = place if new else (present.position if present else _NOWHERE)
            held = (frozenset(have), frozenset(have_option), frozenset(want), frozenset(want_option))
            holdings.append(_Holding(ref, *held, new=new, place=place, at=at))
        return holdings

    def _emit_holdings(self, holdings: list[_Holding]) -> _TableRevokes:
        """Emit each object's steps, grantees in the files' ACL order. Returns what table-level revokes take
        off columns."""
        taken: _TableRevokes = {}
        ordered = sorted(holdings, key=_Holding.order)
        for _, on_object in groupby(ordered, key=lambda holding: holding.object_key):
            grantees = list(on_object)
            out_of_place = _out_of_place(grantees)
            for holding in grantees:
                if holding in out_of_place:
                    self._emit_move(holding, taken)
                    holding = replace(holding, have=frozenset(), have_option=frozenset())
                steps = privilege_steps(holding.have, holding.have_option, holding.want, holding.want_option)
                # Grants before revokes: a grantee that loses every privilege it had keeps its place in the
                # ACL when its new privileges are granted first.
                for step, privileges in sorted(steps, key=lambda item: item[0].startswith("revoke")):
                    self._emit_step(holding.grant, step, privileges, narrows=not holding.new)
                    holding.record_table_revoke(step, privileges, taken)
        return taken

    def _emit_move(self, holding: _Holding, taken: _TableRevokes) -> None:
        """Revoke everything a grantee has, so that granting it again puts it at the end of the ACL. In the
        same transaction as the grants, so only what the files take away is lost."""
        privileges = sorted(holding.have)
        lost = sorted(holding.have - holding.want)
        message = (
            f"{_grantee(holding.grant.grantee)} loses {', '.join(lost)} on {holding.grant.kind} {holding.grant.object}"
        )
        hazards = (hz.access_narrowed(message),) if lost and not holding.new else ()
        self._emit(holding.grant, revoke_sql(holding.grant, privileges, holding.grant.grantee), "drop", *hazards)
        holding.record_table_revoke("revoke", privileges, taken)

    def _entries_on_creation(self, ref: ObjectRef) -> Entries:
        return entries_on_creation(self.desired, ref.kind, ref.schema)

    def _starting_grants(self, created: set[tuple[str, str]]) -> list[Grant]:
        """A placeholder grant for every grantee an object the plan creates starts with."""
        found = []
        for ref in self._desired_objects():
            if (ref.kind, ref.object) not in created:
                continue
            for grantee in sorted({who for who, _, _ in self._entries_on_creation(ref)}):
                found.append(Grant(ref.kind, ref.schema, ref.name, None, ref.arguments, grantee=grantee, privileges=()))
        return found

    def _desired_objects(self) -> list[ObjectRef]:
        desired = self.desired
        functions = desired.functions.values()
        refs = [ObjectRef(f.kind_name, f.schema, f.name, None, f.identity_arguments) for f in functions]
        refs += [ObjectRef("table", schema, name) for schema, name in desired.tables]
        refs += [ObjectRef(view.kind_name, view.schema, view.name) for view in desired.views.values()]
        refs += [ObjectRef("sequence", schema, name) for schema, name in desired.sequences]
        refs += [ObjectRef("schema", name, name) for name in desired.schemas]
        for kind, types in (
            ("enum", desired.enums),
            ("composite", desired.composites),
            ("domain", desired.domains),
            ("range", desired.ranges),
        ):
            refs += [ObjectRef(kind, schema, name) for schema, name in types]
        return refs

    def _emit_step(self, ref: Grant, step: str, privileges: list[str], *, narrows: bool) -> None:
        """`narrows`: the object existed before the plan, so a revoke takes away what running code had."""
        grantee = ref.grantee
        if step == "revoke":
            message = f"{_grantee(grantee)} loses {', '.join(privileges)} on {ref.kind} {ref.object}"
            hazards = (hz.access_narrowed(message),) if narrows else ()
            self._emit(ref, revoke_sql(ref, privileges, grantee), "drop", *hazards)
        elif step == "revoke grant option":
            message = f"{_grantee(grantee)} can no longer grant {', '.join(privileges)} on {ref.object}"
            sql = revoke_sql(ref, privileges, grantee, grant_option_only=True)
            hazards = (hz.access_narrowed(message),) if narrows else ()
            self._emit(ref, sql, "alter", *hazards)
        else:
            sql = grant_sql(ref, privileges, grantee, with_grant_option=step == "grant with grant option")
            self._emit(ref, sql, "create")

    def _emit(self, ref: Grant, sql: str, action: str, *hazards: Hazard) -> None:
        name = f"{ref.kind} {ref.object} to {_grantee(ref.grantee)}"
        self.emit(Phase.GRANT, Statement(sql, "grant", action, name, table=home_of(ref), hazards=hazards))

    # -- ALTER DEFAULT PRIVILEGES ----------------------------------------------------------------

    def _default_privileges_create(self, change: Change) -> None:
        old: DefaultPrivileges | None = change.current
        new: DefaultPrivileges | None = change.desired
        sample = new or old
        assert sample is not None
        implied = builtin_default_entries(sample.object_type) if sample.schema is None else set()
        have = set(old.entries) if old else implied
        want = set(new.entries) if new else implied
        for grantee in sorted({who for who, _, _ in have | want}):
            for step, privileges in privilege_steps(*_split(have, grantee), *_split(want, grantee)):
                self._emit_default_step(sample, grantee, step, privileges)

    _default_privileges_drop = _default_privileges_alter = _default_privileges_create

    def _emit_default_step(self, defaults: DefaultPrivileges, grantee: str, step: str, privileges: list[str]) -> None:
        scope = (f" FOR ROLE {ident(defaults.role)}" if defaults.role else "") + (
            f" IN SCHEMA {ident(defaults.schema)}" if defaults.schema else ""
        )
        kind = DEFAULT_PRIVILEGE_KINDS[defaults.object_type]
        listed = ", ".join(privileges)
        hazards: tuple[Hazard, ...] = ()
        if step.startswith("revoke"):
            option = "GRANT OPTION FOR " if step == "revoke grant option" else ""
            sql = f"ALTER DEFAULT PRIVILEGES{scope} REVOKE {option}{listed} ON {kind} FROM {_grantee(grantee)}"
            message = f"{_grantee(grantee)} no longer gets {listed} on {kind.lower()} created from now on"
            hazards = (hz.access_narrowed(message),)
        else:
            option = " WITH GRANT OPTION" if step == "grant with grant option" else ""
            sql = f"ALTER DEFAULT PRIVILEGES{scope} GRANT {listed} ON {kind} TO {_grantee(grantee)}{option}"
        name = f"{kind.lower()}{scope.lower()} to {_grantee(grantee)}"
        action = "drop" if step.startswith("revoke") else "create"
        phase = Phase.DEFAULT_PRIVILEGES if defaults.schema else Phase.DEFAULT_PRIVILEGES_EVERYWHERE
        self.emit(phase, Statement(sql, "default privileges", action, name, hazards=hazards))
