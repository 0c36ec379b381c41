"""Convergence of row-level security: the ENABLE/FORCE switches and policies (seed 004's multi-tenant
tables: every row belongs to a tenant, and a role sees only its tenant's rows)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from pgdiff.cluster import Cluster
from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import ensure_roles, new_database

ROLES = ("app_reader", "app_writer", "Tenant Admin")

TENANTS = """
CREATE TABLE tenants (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);
CREATE TABLE workflows (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    title text NOT NULL,
    status varchar(20) NOT NULL DEFAULT 'draft',
    owner text NOT NULL DEFAULT current_user
);
"""

RLS = "ALTER TABLE workflows ENABLE ROW LEVEL SECURITY;\n"
TENANT_POLICY = (
    "CREATE POLICY tenant_isolation ON workflows USING "
    "(tenant_id = current_setting('app.tenant_id')::uuid);\n"
)


def policy(text: str) -> str:
    return TENANTS + RLS + text


CASES = [
    Case("enable-row-security", TENANTS, TENANTS + RLS),
    Case("force-row-security", TENANTS + RLS, TENANTS + RLS + "ALTER TABLE workflows FORCE ROW LEVEL SECURITY;"),
    Case("force-without-enable", TENANTS, TENANTS + "ALTER TABLE workflows FORCE ROW LEVEL SECURITY;"),
    Case("create-policy", TENANTS + RLS, policy(TENANT_POLICY)),
    Case("policy-with-row-security-on-new-table", "", policy(TENANT_POLICY)),
    Case(
        "policy-using-changes",
        policy(TENANT_POLICY),
        policy(TENANT_POLICY.replace("::uuid)", "::uuid AND status <> 'deleted')")),
    ),
    Case(
        "policy-roles-change",
        policy(TENANT_POLICY.replace("USING", "TO app_reader USING")),
        policy(TENANT_POLICY.replace("USING", 'TO app_reader, "Tenant Admin" USING')),
    ),
    Case(
        "policy-to-public-and-to-role",
        policy(TENANT_POLICY),
        policy(TENANT_POLICY.replace("USING", "TO app_writer USING")),
    ),
    Case(
        "policy-command-changes",
        policy("CREATE POLICY owner_rows ON workflows FOR SELECT USING (owner = current_user);"),
        policy("CREATE POLICY owner_rows ON workflows FOR UPDATE USING (owner = current_user);"),
    ),
    Case(
        "policy-becomes-restrictive",
        policy("CREATE POLICY not_deleted ON workflows USING (status <> 'deleted');"),
        policy("CREATE POLICY not_deleted ON workflows AS RESTRICTIVE USING (status <> 'deleted');"),
    ),
    Case(
        "policy-with-check-added",
        policy("CREATE POLICY own_rows ON workflows FOR ALL USING (owner = current_user);"),
        policy(
            "CREATE POLICY own_rows ON workflows FOR ALL USING (owner = current_user)"
            " WITH CHECK (owner = current_user AND status IN ('draft', 'active'));"
        ),
    ),
    Case(
        "insert-policy-with-check-only",
        TENANTS + RLS,
        policy("CREATE POLICY writers_insert ON workflows FOR INSERT TO app_writer WITH CHECK (owner = current_user);"),
    ),
    Case(
        "several-policies",
        policy(TENANT_POLICY),
        policy(
            TENANT_POLICY
            + "CREATE POLICY readers ON workflows FOR SELECT TO app_reader USING (status = 'active');\n"
            + "CREATE POLICY deny_archived ON workflows AS RESTRICTIVE FOR UPDATE USING (status <> 'archived');\n"
        ),
    ),
    Case(
        "policy-reads-column-that-changes-type",
        policy("CREATE POLICY active_only ON workflows USING (status = 'active');"),
        policy("CREATE POLICY active_only ON workflows USING (status = 'active');").replace(
            "status varchar(20)", "status text"
        ),
    ),
    Case(
        "policy-column-dropped-with-policy",
        policy("CREATE POLICY own_rows ON workflows USING (owner = current_user);"),
        TENANTS.replace(",\n    owner text NOT NULL DEFAULT current_user", "") + RLS,
    ),
    Case(
        "policy-uses-function",
        TENANTS + RLS,
        TENANTS
        + "CREATE FUNCTION current_tenant() RETURNS uuid LANGUAGE sql STABLE"
        + " AS $$ SELECT current_setting('app.tenant_id')::uuid $$;\n"
        + RLS
        + "CREATE POLICY tenant_isolation ON workflows USING (tenant_id = current_tenant());\n",
    ),
    Case(
        "policy-function-changes-signature",
        TENANTS
        + "CREATE FUNCTION current_tenant() RETURNS uuid LANGUAGE sql STABLE"
        + " AS $$ SELECT current_setting('app.tenant_id')::uuid $$;\n"
        + RLS
        + "CREATE POLICY tenant_isolation ON workflows USING (tenant_id = current_tenant());\n",
        TENANTS
        + "CREATE FUNCTION current_tenant(setting text DEFAULT 'app.tenant_id') RETURNS uuid LANGUAGE sql STABLE"
        + " AS $$ SELECT current_setting(setting)::uuid $$;\n"
        + RLS
        + "CREATE POLICY tenant_isolation ON workflows USING (tenant_id = current_tenant());\n",
    ),
    Case(
        "quoted-policy-name-and-schema",
        'CREATE SCHEMA "Tenant Data";\nCREATE TABLE "Tenant Data"."Runs" (id int, "Owner" text);',
        'CREATE SCHEMA "Tenant Data";\nCREATE TABLE "Tenant Data"."Runs" (id int, "Owner" text);\n'
        'ALTER TABLE "Tenant Data"."Runs" ENABLE ROW LEVEL SECURITY;\n'
        'CREATE POLICY "Owner\'s ""rows""" ON "Tenant Data"."Runs" TO "Tenant Admin" USING ("Owner" = current_user);',
    ),
    Case(
        "table-with-policies-dropped",
        "CREATE TABLE keep (id int);\n" + policy(TENANT_POLICY),
        "CREATE TABLE keep (id int);",
    ),
]


@pytest.fixture(scope="module", autouse=True)
def roles(pg: Cluster) -> None:
    """Roles are cluster-wide: the current and desired databases see the same ones."""
    ensure_roles(pg, *ROLES)


@pytest.mark.parametrize("case", forward(CASES))
def test_forward(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(CASES))
def test_backward(pg, case):
    run_case(pg, case, reverse=True)


def test_policies_come_before_row_security_is_enabled(pg):
    result = run_case(pg, case_by_id(CASES, "create-policy"))
    sql = [s.sql for s in result.plan.statements]
    assert sql == [
        "CREATE POLICY tenant_isolation ON public.workflows AS PERMISSIVE FOR ALL TO PUBLIC"
        " USING (tenant_id = CAST(current_setting('app.tenant_id') AS uuid))"  # the files' text
    ]
    result = run_case(pg, case_by_id(CASES, "policy-with-row-security-on-new-table"))
    kinds = [s.kind for s in result.plan.statements]
    assert kinds.index("policy") < kinds.index("row security")


def test_enabling_row_security_on_an_existing_table_is_a_breaking_change(pg):
    result = run_case(pg, case_by_id(CASES, "enable-row-security"))
    (statement,) = result.plan.statements
    assert statement.sql == "ALTER TABLE public.workflows ENABLE ROW LEVEL SECURITY"
    assert [h.code for h in statement.hazards] == ["breaking-change"]


def test_changed_expression_is_altered_in_place(pg):
    result = run_case(pg, case_by_id(CASES, "policy-using-changes"))
    (statement,) = result.plan.statements
    assert statement.sql.startswith("ALTER POLICY tenant_isolation ON public.workflows TO PUBLIC USING")


def test_policy_is_taken_down_around_a_column_type_change(pg):
    result = run_case(pg, case_by_id(CASES, "policy-reads-column-that-changes-type"))
    sql = [s.sql for s in result.plan.statements]
    drop = sql.index("DROP POLICY active_only ON public.workflows")
    retype = next(i for i, s in enumerate(sql) if "ALTER COLUMN status TYPE text" in s)
    create = next(i for i, s in enumerate(sql) if s.startswith("CREATE POLICY active_only"))
    assert drop < retype < create


def test_throwaway_shadow_knows_the_targets_roles(pg, tmp_path):
    """No --dev-url: the shadow runs on a server of its own, which gets the target's role names."""
    files = tmp_path / "schema.sql"
    files.write_text(policy(TENANT_POLICY.replace("USING", 'TO app_reader, "Tenant Admin" USING')))
    target = pg.url(new_database(pg, TENANTS))
    result = CliRunner().invoke(app, ["plan", str(files), "--db", target, "--format", "sql"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert 'TO "Tenant Admin", app_reader USING' in result.stdout


def test_role_the_target_lacks_is_a_clear_error(pg, tmp_path):
    files = tmp_path / "schema.sql"
    files.write_text(TENANTS + "CREATE POLICY p ON workflows TO no_such_role USING (true);\n")
    target = pg.url(new_database(pg, TENANTS))
    result = CliRunner().invoke(app, ["plan", str(files), "--db", target], catch_exceptions=False)
    assert result.exit_code == 1
    assert f'{files}:10: role "no_such_role" does not exist (pgdiff does not create roles' in result.stderr
