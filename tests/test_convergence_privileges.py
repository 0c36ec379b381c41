"""Convergence of privileges: GRANT and REVOKE on tables, columns, views, sequences, functions, types
and schemas, including objects the plan drops and creates again (which come back with defaults)."""

from __future__ import annotations

import pytest

from pgdiff.cluster import Cluster
from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import ensure_roles

ROLES = ("app_reader", "app_writer", "Report Viewer")

TABLES = """
CREATE SCHEMA app;
CREATE TABLE app.workflows (
    id bigserial PRIMARY KEY,
    title text NOT NULL,
    status varchar(20) NOT NULL DEFAULT 'draft',
    secret_token text
);
CREATE VIEW app.active_workflows AS SELECT id, title FROM app.workflows WHERE status = 'active';
CREATE FUNCTION app.archive(workflow bigint) RETURNS void LANGUAGE sql
    AS $$ UPDATE app.workflows SET status = 'archived' WHERE id = workflow $$;
CREATE TYPE app.mood AS ENUM ('ok', 'meh');
CREATE DOMAIN app.title AS text CHECK (VALUE <> '');
"""


def granted(*statements: str) -> str:
    return TABLES + "".join(f"{statement};\n" for statement in statements)


CASES = [
    Case("grant-select", TABLES, granted("GRANT SELECT ON app.workflows TO app_reader")),
    Case(
        "grant-more-privileges",
        granted("GRANT SELECT ON app.workflows TO app_writer"),
        granted("GRANT SELECT, INSERT, UPDATE, DELETE ON app.workflows TO app_writer"),
    ),
    Case(
        "grant-with-grant-option",
        granted("GRANT SELECT ON app.workflows TO app_reader"),
        granted("GRANT SELECT ON app.workflows TO app_reader WITH GRANT OPTION"),
    ),
    Case("grant-to-public", TABLES, granted("GRANT SELECT ON app.active_workflows TO PUBLIC")),
    Case(
        "column-privileges",
        TABLES,
        granted(
            "GRANT SELECT (id, title, status) ON app.workflows TO app_reader",
            "GRANT UPDATE (status) ON app.workflows TO app_writer",
        ),
    ),
    Case("sequence-usage", TABLES, granted("GRANT USAGE, SELECT ON SEQUENCE app.workflows_id_seq TO app_writer")),
    Case("schema-usage", TABLES, granted("GRANT USAGE ON SCHEMA app TO app_reader, app_writer")),
    Case("schema-create", TABLES, granted("GRANT USAGE, CREATE ON SCHEMA app TO app_writer")),
    Case(
        "function-execute-revoked-from-public",
        TABLES,
        granted(
            "REVOKE EXECUTE ON FUNCTION app.archive(bigint) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION app.archive(bigint) TO app_writer",
        ),
    ),
    Case("type-usage-revoked-from-public", TABLES, granted("REVOKE USAGE ON TYPE app.mood FROM PUBLIC")),
    Case(
        "domain-usage",
        TABLES,
        granted("REVOKE USAGE ON DOMAIN app.title FROM PUBLIC", "GRANT USAGE ON DOMAIN app.title TO app_writer"),
    ),
    Case("quoted-role", TABLES, granted('GRANT SELECT ON app.active_workflows TO "Report Viewer"')),
    Case("grants-on-new-objects", "", granted("GRANT SELECT ON ALL TABLES IN SCHEMA app TO app_reader")),
    # Objects the plan drops and creates again come back with PostgreSQL's defaults: grants are re-made.
    Case(
        "grant-survives-view-rebuild",
        granted("GRANT SELECT ON app.active_workflows TO app_reader"),
        granted("GRANT SELECT ON app.active_workflows TO app_reader").replace(
            "SELECT id, title FROM", "SELECT title, id FROM"
        ),
    ),
    Case(
        "revoke-survives-function-signature-change",
        granted(
            "REVOKE EXECUTE ON FUNCTION app.archive(bigint) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION app.archive(bigint) TO app_writer",
        ),
        granted(
            "REVOKE EXECUTE ON FUNCTION app.archive(bigint) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION app.archive(bigint) TO app_writer",
        )
        .replace("archive(workflow bigint) RETURNS void", "archive(workflow_id bigint) RETURNS void")
        .replace("WHERE id = workflow $$", "WHERE id = workflow_id $$"),
    ),
    Case(
        "column-grant-on-dropped-column",
        granted("GRANT SELECT (secret_token) ON app.workflows TO app_reader"),
        TABLES.replace(",\n    secret_token text", ""),
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


def test_revoking_is_a_breaking_change(pg):
    result = run_case(pg, case_by_id(CASES, "grant-more-privileges"), reverse=True)
    (statement,) = result.plan.statements
    assert statement.sql == "REVOKE DELETE, INSERT, UPDATE ON TABLE app.workflows FROM app_writer"
    assert [h.code for h in statement.hazards] == ["breaking-change"]


def test_function_grants_are_made_again_after_it_is_recreated(pg):
    result = run_case(pg, case_by_id(CASES, "revoke-survives-function-signature-change"))
    sql = [s.sql for s in result.plan.statements]
    created = next(i for i, s in enumerate(sql) if "CREATE FUNCTION app.archive" in s)
    # The identity arguments PostgreSQL prints carry the argument names.
    revoke = sql.index("REVOKE EXECUTE ON FUNCTION app.archive(workflow_id bigint) FROM PUBLIC")
    assert created < revoke
    assert "GRANT EXECUTE ON FUNCTION app.archive(workflow_id bigint) TO app_writer" in sql


DEFAULTS_CASES = [
    Case(
        "default-privileges-on-tables",
        "CREATE SCHEMA app;",
        "CREATE SCHEMA app;\nALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app_reader;",
    ),
    Case(
        "default-privileges-in-schema",
        "CREATE SCHEMA app;",
        "CREATE SCHEMA app;\nALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT, INSERT ON TABLES TO app_writer;\n"
        "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT USAGE ON SEQUENCES TO app_writer;",
    ),
    Case(
        "default-execute-revoked-from-public",
        "",
        "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;\n"
        "ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO app_writer;",
    ),
    Case(
        "default-privileges-for-role",
        "",
        'ALTER DEFAULT PRIVILEGES FOR ROLE "Report Viewer" GRANT SELECT ON TABLES TO app_reader WITH GRANT OPTION;',
    ),
    # Tables the plan creates get the default privileges set first in the same plan, as the files' do.
    Case(
        "new-tables-under-new-default-privileges",
        "CREATE SCHEMA app;",
        "CREATE SCHEMA app;\nALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;\n"
        "CREATE TABLE app.runs (id int);\nCREATE TABLE app.steps (id int);",
    ),
    Case(
        "new-table-without-the-grant-its-defaults-give",
        "CREATE SCHEMA app;\nALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;",
        "CREATE SCHEMA app;\nALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;\n"
        "CREATE TABLE app.runs (id int);\nREVOKE SELECT ON app.runs FROM app_reader;",
    ),
]


@pytest.mark.parametrize("case", forward(DEFAULTS_CASES) + backward(DEFAULTS_CASES))
def test_default_privileges(pg, case, request):
    run_case(pg, case, reverse="b->a" in request.node.name)
