"""Row-level security: the ENABLE/FORCE switches of each table, and its policies.

Policies are created before row-level security is switched on and dropped early (they read
columns that may change). A policy whose USING or WITH CHECK reads a column the plan drops or
retypes is dropped first and created again after: PostgreSQL refuses the column change under it; so is
a policy standing on a function or type the plan drops or makes again. Whatever narrows access
(RLS switched on or forced, a restrictive policy added, a permissive one
removed or a policy's expressions changed) carries `breaking-change`.
"""

from __future__ import annotations

from pgdiff.diff import Change
from pgdiff.model import POLICY_COMMANDS, Policy, RowSecurity
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Hazard, Statement

NO_ROW_SECURITY = RowSecurity("", "")


class SecurityPlanner(PlannerBase):
    """Plans row-level security switches and policies."""

    # -- switches -------------------------------------------------------------------------

    def _row_security_statement(self, security: RowSecurity, sql: str, action: str, *hazards: Hazard) -> Statement:
        name = dotted(security.key)
        return Statement(sql, "row security", action, name, table=name, hazards=hazards)

    def _switch_row_security(self, old: RowSecurity, new: RowSecurity, action: str) -> None:
        if new.key in self.dropped_tables:
            return
        enabled = new.enabled if new.enabled != old.enabled else None
        forced = new.forced if new.forced != old.forced else None
        hazards: list[Hazard] = []
        table = dotted(new.key)
        if enabled:
            message = f"row-level security is enabled on {table}: roles see only the rows a policy allows"
            hazards.append(hz.access_narrowed(message))
        if forced:
            hazards.append(hz.access_narrowed(f"row-level security on {table} applies to its owner too"))
        # A table created by this plan has no reader yet.
        hazards = [] if new.key in self.new_tables else hazards
        sql = ddl.row_security(new, enabled=enabled, forced=forced)
        self.emit(Phase.ROW_SECURITY, self._row_security_statement(new, sql, action, *hazards))

    def _row_security_create(self, change: Change) -> None:
        security: RowSecurity = change.desired
        self._switch_row_security(NO_ROW_SECURITY, security, "create")

    def _row_security_drop(self, change: Change) -> None:
        security: RowSecurity = change.current
        self._switch_row_security(security, RowSecurity(security.schema, security.table), "drop")

    def _row_security_alter(self, change: Change) -> None:
        self._switch_row_security(change.current, change.desired, "alter")

    # -- policies ---------------------------------------------------------------------------

    def _policy_statement(self, policy: Policy, sql: str, action: str, *hazards: Hazard) -> Statement:
        return Statement(sql, "policy", action, dotted(policy.key), table=dotted(policy.table_key), hazards=hazards)

    def _create_policy(self, policy: Policy, action: str = "create") -> None:
        hazards: tuple[Hazard, ...] = ()
        if not policy.permissive and policy.table_key not in self.new_tables:
            hazards = (hz.access_narrowed(f"restrictive policy {policy.name} on {dotted(policy.table_key)} is added"),)
        self.emit(Phase.CREATE_POLICY, self._policy_statement(policy, ddl.create_policy(policy), action, *hazards))

    def _drop_policy(self, policy: Policy, action: str = "drop") -> None:
        if policy.table_key in self.dropped_tables:
            return
        hazards: tuple[Hazard, ...] = ()
        if action == "drop" and policy.permissive:
            command = POLICY_COMMANDS[policy.command]
            message = f"permissive policy {policy.name} on {dotted(policy.table_key)} ({command}) is dropped"
            hazards = (hz.access_narrowed(message),)
        self.emit(Phase.DROP_POLICY, self._policy_statement(policy, ddl.drop_policy(policy), action, *hazards))

    def _policy_create(self, change: Change) -> None:
        self._create_policy(change.desired)

    def _policy_drop(self, change: Change) -> None:
        self._drop_policy(change.current)

    def _policy_alter(self, change: Change) -> None:
        """ALTER POLICY replaces roles and expressions; it cannot change the command or kind, nor remove an
        expression: then the policy is dropped and created again, in one transaction."""
        old: Policy = change.current
        new: Policy = change.desired
        removes_expression = (old.using is not None and new.using is None) or (
            old.check is not None and new.check is None
        )
        if {"permissive", "command"} & set(change.attributes) or removes_expression or self._policy_in_the_way(old):
            self._drop_policy(old, "alter")
            self._create_policy(new, "alter")
            return
        message = f"policy {new.name} on {dotted(new.table_key)} changes ({', '.join(change.attributes)})"
        statement = self._policy_statement(new, ddl.alter_policy(new), "alter", hz.access_narrowed(message))
        self.emit(Phase.CREATE_POLICY, statement)

    def _policy_in_the_way(self, policy: Policy) -> bool:
        """It reads a column this plan drops, retypes or re-creates, or calls a function (or uses a type) the
        plan drops or makes again."""
        if self.stands_on_replaced("policy", policy.key):
            return True
        table = policy.table_key
        touched = (
            self._dropped_columns.get(table, set())
            | self._retyped_columns.get(table, set())
            | self._recreated_columns.get(table, set())
        )
        return bool(touched & set(policy.columns))

    def rebuild_policies_in_the_way(self) -> None:
        """Policies the diff leaves alone that read a column the plan drops or retypes: PostgreSQL refuses
        the column change under them, so they are dropped first and created again after."""
        changed = {change.key for change in self.changes if change.kind == "policy"}
        for key, policy in self.current.policies.items():
            if key in changed or key not in self.desired.policies or not self._policy_in_the_way(policy):
                continue
            self._drop_policy(policy, "alter")
            self._create_policy(self.desired.policies[key], "alter")
