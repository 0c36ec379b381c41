"""Privileges (GRANT and REVOKE), planned after every other statement.

Like comments, privileges belong to their object: one the plan creates, or drops and creates
again, starts with PostgreSQL's defaults for its kind (nothing, or EXECUTE on functions and
USAGE on types for PUBLIC) and gets the desired grants from there. The owner's privileges are
never planned (owners differ between environments). Revoking narrows what running code may do:
`breaking-change`.
"""

from __future__ import annotations

from pgdiff.diff import Change
from pgdiff.model import Grant, ObjectRef
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, is_created
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Hazard, Statement
from pgdiff.quoting import ident, qualified

# What PUBLIC holds on a new object of these kinds (acldefault).
_PUBLIC_DEFAULTS = {
    "function": ("EXECUTE",),
    "procedure": ("EXECUTE",),
    "enum": ("USAGE",),
    "composite": ("USAGE",),
    "domain": ("USAGE",),
    "range": ("USAGE",),
}
_ON = {
    "table": "TABLE",
    "view": "TABLE",
    "materialized view": "TABLE",
    "column": "TABLE",
    "sequence": "SEQUENCE",
    "function": "FUNCTION",
    "procedure": "PROCEDURE",
    "enum": "TYPE",
    "composite": "TYPE",
    "range": "TYPE",
    "domain": "DOMAIN",
    "schema": "SCHEMA",
}


def default_privileges(ref: ObjectRef, grantee: str) -> tuple[str, ...]:
    """What `grantee` holds on a newly created object like `ref`."""
    return _PUBLIC_DEFAULTS.get(ref.kind, ()) if grantee == "PUBLIC" else ()


def _target(ref: ObjectRef) -> str:
    if ref.kind == "schema":
        return f"SCHEMA {ident(ref.name)}"
    if ref.kind == "column":
        return f"TABLE {qualified(ref.schema, ref.table or '')}"
    if ref.kind in ("function", "procedure"):
        return f"{_ON[ref.kind]} {qualified(ref.schema, ref.name)}({ref.arguments})"
    return f"{_ON[ref.kind]} {qualified(ref.schema, ref.name)}"


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


class PrivilegePlanner(PlannerBase):
    """Plans GRANT and REVOKE once everything else is planned (see the module docstring)."""

    def _grant_create(self, change: Change) -> None:
        """Grant changes are planned by `plan_grants`, which sees what the plan re-creates."""

    _grant_drop = _grant_alter = _grant_create

    def plan_grants(self) -> None:
        created = self.created()
        # A new function or type starts with PUBLIC's default privileges, which the files may revoke.
        defaults = {ref.key: ref for ref in self._public_defaults(created)}
        for key in sorted(self.current.grants.keys() | self.desired.grants.keys() | defaults.keys()):
            wanted = self.desired.grants.get(key)
            present = self.current.grants.get(key)
            ref: Grant = wanted or present or defaults[key]
            if wanted is None and not self.desired.contains(ref):
                continue  # the object goes, and its privileges with it
            if is_created(ref, created):
                have, have_option = set(default_privileges(ref, ref.grantee)), set()
            else:
                have = set(present.privileges) if present else set()
                have_option = set(present.grantable) if present else set()
            want = set(wanted.privileges) if wanted else set()
            want_option = set(wanted.grantable) if wanted else set()
            self._change_privileges(ref, have, have_option, want, want_option)

    def _public_defaults(self, created: set[tuple[str, str]]) -> list[Grant]:
        """PUBLIC's default grant on every function and type the plan creates."""
        found = []
        desired = self.desired
        candidates: list[tuple[str, str, str, str | None]] = [
            (function.kind_name, function.schema, function.name, function.identity_arguments)
            for function in desired.functions.values()
        ]
        for kind, types in (
            ("enum", desired.enums),
            ("composite", desired.composites),
            ("domain", desired.domains),
            ("range", desired.ranges),
        ):
            candidates += [(kind, schema, name, None) for schema, name in types]
        for kind, schema, name, arguments in candidates:
            ref = Grant(kind, schema, name, None, arguments, grantee="PUBLIC", privileges=())
            if (kind, ref.object) in created:
                found.append(ref)
        return found

    def _change_privileges(
        self, ref: Grant, have: set[str], have_option: set[str], want: set[str], want_option: set[str]
    ) -> None:
        grantee = ref.grantee
        revoked = sorted(have - want)
        if revoked:
            message = f"{_grantee(grantee)} loses {', '.join(revoked)} on {ref.kind} {ref.object}"
            self._emit(ref, revoke_sql(ref, revoked, grantee), "drop", hz.access_narrowed(message))
        option_revoked = sorted((have_option & want) - want_option)
        if option_revoked:
            message = f"{_grantee(grantee)} can no longer grant {', '.join(option_revoked)} on {ref.object}"
            sql = revoke_sql(ref, option_revoked, grantee, grant_option_only=True)
            self._emit(ref, sql, "alter", hz.access_narrowed(message))
        plain = sorted((want - have) - want_option)
        if plain:
            self._emit(ref, grant_sql(ref, plain, grantee), "create")
        with_option = sorted(want_option - have_option)
        if with_option:
            self._emit(ref, grant_sql(ref, with_option, grantee, with_grant_option=True), "create")

    def _emit(self, ref: Grant, sql: str, action: str, *hazards: Hazard) -> None:
        name = f"{ref.kind} {ref.object} to {_grantee(ref.grantee)}"
        self.emit(Phase.GRANT, Statement(sql, "grant", action, name, hazards=hazards))
