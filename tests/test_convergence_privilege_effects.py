"""Convergence of privileges whatever the order of GRANT and REVOKE effects.

PostgreSQL's `REVOKE priv ON TABLE` also revokes `priv` on every column of the table (and REVOKE GRANT OPTION
FOR the columns' grant options), so a plan that grants columns first and then revokes the table-level
privilege ends without the column grants. These cases swap table-level and column-level privileges, for one
role and several, with grant options toggled, on objects the plan keeps, extends, re-creates or creates
under default privileges; each runs in both directions and must be pg_dump-identical.
"""

from __future__ import annotations

import pytest

from pgdiff.cluster import Cluster
from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import ensure_roles

ROLES = ("fx_reader", "fx_writer", "fx_auditor", "Fx Reports")

SCHEMA = """
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer text NOT NULL,
    amount numeric(12, 2) NOT NULL,
    note text
);
CREATE TABLE billing.lines (
    invoice_id bigint NOT NULL REFERENCES billing.invoices (id),
    position int NOT NULL,
    label text,
    PRIMARY KEY (invoice_id, position)
);
CREATE SEQUENCE billing.receipt_numbers;
CREATE VIEW billing.open_invoices AS SELECT id, customer, amount FROM billing.invoices WHERE note IS NULL;
CREATE FUNCTION billing.total(invoice bigint) RETURNS numeric LANGUAGE sql STABLE
    AS $$ SELECT amount FROM billing.invoices WHERE id = invoice $$;
CREATE PROCEDURE billing.close(invoice bigint) LANGUAGE sql
    AS $$ UPDATE billing.invoices SET note = 'closed' WHERE id = invoice $$;
"""


def schema_with(*statements: str, schema: str = SCHEMA) -> str:
    return schema + "".join(f"{statement};\n" for statement in statements)


WITH_NOTE_ADDED = SCHEMA.replace("    note text\n", "    note text,\n    due date\n")
VIEW_REORDERED = SCHEMA.replace("SELECT id, customer, amount FROM", "SELECT customer, id, amount, note FROM")

SWAPS = [
    # The defect: the plan granted the columns, then the table-level revoke took them away.
    Case(
        "table-select-to-columns-for-public",
        schema_with("GRANT SELECT ON billing.invoices TO PUBLIC"),
        schema_with("GRANT SELECT (id, customer) ON billing.invoices TO PUBLIC"),
    ),
    Case(
        "table-to-columns-several-privileges",
        schema_with("GRANT SELECT, INSERT, UPDATE, REFERENCES ON billing.invoices TO fx_writer"),
        schema_with(
            "GRANT SELECT (id, customer, amount), INSERT (customer, amount), UPDATE (note), REFERENCES (id) "
            "ON billing.invoices TO fx_writer"
        ),
    ),
    Case(
        "table-to-columns-several-roles",
        schema_with(
            "GRANT SELECT ON billing.invoices TO fx_reader, fx_auditor",
            "GRANT UPDATE ON billing.invoices TO fx_writer",
            'GRANT SELECT (id) ON billing.invoices TO "Fx Reports"',
        ),
        schema_with(
            "GRANT SELECT (id, customer) ON billing.invoices TO fx_reader",
            "GRANT SELECT ON billing.invoices TO fx_auditor",
            "GRANT UPDATE (note, amount) ON billing.invoices TO fx_writer",
            'GRANT SELECT ON billing.invoices TO "Fx Reports"',
        ),
    ),
    Case(
        "table-and-columns-of-the-same-privilege",
        schema_with("GRANT SELECT ON billing.invoices TO fx_reader"),
        schema_with(
            "GRANT SELECT ON billing.invoices TO fx_reader", "GRANT SELECT (id, note) ON billing.invoices TO fx_reader"
        ),
    ),
    Case(
        "columns-kept-while-the-table-privilege-goes",
        schema_with(
            "GRANT SELECT, UPDATE ON billing.invoices TO fx_writer",
            "GRANT SELECT (id), UPDATE (note) ON billing.invoices TO fx_writer",
        ),
        schema_with("GRANT SELECT (id), UPDATE (note) ON billing.invoices TO fx_writer"),
    ),
    Case(
        "privileges-moving-between-levels",
        schema_with(
            "GRANT INSERT ON billing.invoices TO fx_writer",
            "GRANT SELECT (id, amount) ON billing.invoices TO fx_writer",
        ),
        schema_with(
            "GRANT SELECT ON billing.invoices TO fx_writer", "GRANT INSERT (customer) ON billing.invoices TO fx_writer"
        ),
    ),
    Case(
        "column-grants-of-other-roles-untouched",
        schema_with(
            "GRANT UPDATE ON billing.invoices TO fx_writer", "GRANT UPDATE (note) ON billing.invoices TO fx_auditor"
        ),
        schema_with(
            "GRANT UPDATE (note) ON billing.invoices TO fx_auditor",
            "GRANT UPDATE (amount) ON billing.invoices TO fx_writer",
        ),
    ),
    Case(
        "public-to-role",
        schema_with("GRANT SELECT ON billing.invoices TO PUBLIC", "GRANT SELECT (label) ON billing.lines TO PUBLIC"),
        schema_with(
            "GRANT SELECT ON billing.lines TO fx_reader", "GRANT SELECT (customer) ON billing.invoices TO fx_reader"
        ),
    ),
    Case(
        "public-and-role-on-columns",
        schema_with("GRANT SELECT ON billing.lines TO PUBLIC", "GRANT SELECT ON billing.lines TO fx_reader"),
        schema_with(
            "GRANT SELECT (invoice_id, position) ON billing.lines TO PUBLIC",
            "GRANT SELECT ON billing.lines TO fx_reader",
            "GRANT UPDATE (label) ON billing.lines TO fx_reader",
        ),
    ),
    Case(
        "table-to-columns-on-two-tables",
        schema_with(
            "GRANT SELECT, INSERT ON billing.invoices, billing.lines TO fx_writer",
        ),
        schema_with(
            "GRANT SELECT (id, amount) ON billing.invoices TO fx_writer",
            "GRANT INSERT (label), SELECT (label, position) ON billing.lines TO fx_writer",
            "GRANT INSERT ON billing.invoices TO fx_writer",
        ),
    ),
    Case(
        "view-to-columns",
        schema_with("GRANT SELECT ON billing.open_invoices TO fx_reader"),
        schema_with("GRANT SELECT (id, amount) ON billing.open_invoices TO fx_reader"),
    ),
]

GRANT_OPTIONS = [
    Case(
        "table-grant-option-to-columns",
        schema_with("GRANT SELECT ON billing.invoices TO fx_reader WITH GRANT OPTION"),
        schema_with(
            "GRANT SELECT (id) ON billing.invoices TO fx_reader WITH GRANT OPTION",
            "GRANT SELECT (customer) ON billing.invoices TO fx_reader",
        ),
    ),
    # REVOKE GRANT OPTION FOR on the table takes the columns' grant options too.
    Case(
        "table-grant-option-dropped-column-option-kept",
        schema_with(
            "GRANT SELECT ON billing.invoices TO fx_reader WITH GRANT OPTION",
            "GRANT SELECT (id), UPDATE (note) ON billing.invoices TO fx_reader WITH GRANT OPTION",
        ),
        schema_with(
            "GRANT SELECT ON billing.invoices TO fx_reader",
            "GRANT SELECT (id), UPDATE (note) ON billing.invoices TO fx_reader WITH GRANT OPTION",
        ),
    ),
    Case(
        "column-grant-option-toggled-under-table-grant",
        schema_with(
            "GRANT SELECT ON billing.invoices TO fx_reader",
            "GRANT SELECT (id) ON billing.invoices TO fx_reader WITH GRANT OPTION",
        ),
        schema_with(
            "GRANT SELECT ON billing.invoices TO fx_reader WITH GRANT OPTION",
            "GRANT SELECT (id) ON billing.invoices TO fx_reader",
        ),
    ),
    Case(
        "grant-option-on-some-privileges",
        schema_with("GRANT SELECT, INSERT, UPDATE ON billing.lines TO fx_writer WITH GRANT OPTION"),
        schema_with(
            "GRANT SELECT ON billing.lines TO fx_writer WITH GRANT OPTION",
            "GRANT INSERT, UPDATE ON billing.lines TO fx_writer",
            "GRANT UPDATE (label) ON billing.lines TO fx_writer WITH GRANT OPTION",
        ),
    ),
    Case(
        "sequence-grant-options",
        schema_with("GRANT USAGE, SELECT, UPDATE ON SEQUENCE billing.receipt_numbers TO fx_writer"),
        schema_with(
            "GRANT USAGE ON SEQUENCE billing.receipt_numbers TO fx_writer WITH GRANT OPTION",
            "GRANT SELECT ON SEQUENCE billing.receipt_numbers TO PUBLIC",
        ),
    ),
    Case(
        "function-execute-from-public-to-roles",
        SCHEMA,
        schema_with(
            "REVOKE EXECUTE ON FUNCTION billing.total(bigint) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION billing.total(bigint) TO fx_reader WITH GRANT OPTION",
            "REVOKE ALL ON PROCEDURE billing.close(bigint) FROM PUBLIC",
            'GRANT EXECUTE ON PROCEDURE billing.close(bigint) TO fx_writer, "Fx Reports"',
        ),
    ),
    Case(
        "schema-usage-and-create",
        schema_with("GRANT USAGE, CREATE ON SCHEMA billing TO fx_writer", "GRANT USAGE ON SCHEMA billing TO PUBLIC"),
        schema_with(
            "GRANT USAGE ON SCHEMA billing TO fx_writer WITH GRANT OPTION",
            "GRANT CREATE ON SCHEMA billing TO fx_auditor",
            "GRANT USAGE ON SCHEMA billing TO fx_reader",
        ),
    ),
]

FILE_PAIRS = [
    # GRANT/REVOKE pairs in the files: what is compared is their net effect.
    Case(
        "grant-all-revoke-delete",
        schema_with("GRANT SELECT ON billing.invoices TO fx_writer"),
        schema_with(
            "GRANT ALL ON billing.invoices TO fx_writer", "REVOKE DELETE, TRUNCATE ON billing.invoices FROM fx_writer"
        ),
    ),
    Case(
        "grant-all-revoke-select-grant-columns",
        schema_with("GRANT SELECT ON billing.invoices TO fx_writer WITH GRANT OPTION"),
        schema_with(
            "GRANT ALL ON billing.invoices TO fx_writer",
            "REVOKE SELECT ON billing.invoices FROM fx_writer",
            "GRANT SELECT (id, customer) ON billing.invoices TO fx_writer",
        ),
    ),
    Case(
        "grant-all-columns-revoke-one",
        schema_with("GRANT SELECT ON billing.lines TO fx_reader"),
        schema_with(
            "GRANT SELECT (invoice_id, position, label) ON billing.lines TO fx_reader",
            "REVOKE SELECT (label) ON billing.lines FROM fx_reader",
        ),
    ),
    Case(
        "revoke-all-then-grant-back",
        schema_with("GRANT ALL ON billing.invoices, billing.lines TO fx_writer"),
        schema_with(
            "GRANT ALL ON billing.invoices, billing.lines TO fx_writer",
            "REVOKE ALL ON billing.lines FROM fx_writer",
            "GRANT SELECT (label) ON billing.lines TO fx_writer",
            "GRANT REFERENCES (id) ON billing.invoices TO fx_auditor",
        ),
    ),
    Case(
        "grant-on-all-tables-revoke-columns-level",
        SCHEMA,
        schema_with(
            "GRANT SELECT ON ALL TABLES IN SCHEMA billing TO fx_reader",
            "REVOKE SELECT ON billing.invoices FROM fx_reader",
            "GRANT SELECT (id, amount) ON billing.invoices TO fx_reader",
            "GRANT USAGE ON SEQUENCE billing.receipt_numbers TO fx_reader",
        ),
    ),
]

CHANGING_OBJECTS = [
    # New columns exist before grants are planned; the old ones move from table level to column level.
    Case(
        "column-grants-on-a-new-column",
        schema_with("GRANT SELECT, UPDATE ON billing.invoices TO fx_writer"),
        schema_with(
            "GRANT SELECT (id, due), UPDATE (due, note) ON billing.invoices TO fx_writer", schema=WITH_NOTE_ADDED
        ),
    ),
    Case(
        "table-grant-while-a-column-is-added",
        schema_with("GRANT SELECT (id, customer) ON billing.invoices TO fx_reader"),
        schema_with(
            "GRANT SELECT ON billing.invoices TO fx_reader",
            "GRANT INSERT (due) ON billing.invoices TO fx_reader",
            schema=WITH_NOTE_ADDED,
        ),
    ),
    # A view whose columns change is dropped and created again, without grants.
    Case(
        "view-replaced-table-grant-to-columns",
        schema_with("GRANT SELECT ON billing.open_invoices TO fx_reader WITH GRANT OPTION"),
        schema_with("GRANT SELECT (id, note) ON billing.open_invoices TO fx_reader", schema=VIEW_REORDERED),
    ),
    Case(
        "view-replaced-keeps-public-and-roles",
        schema_with(
            "GRANT SELECT ON billing.open_invoices TO PUBLIC",
            "GRANT SELECT (customer) ON billing.open_invoices TO fx_auditor",
        ),
        schema_with(
            "GRANT SELECT ON billing.open_invoices TO PUBLIC",
            "GRANT SELECT (customer) ON billing.open_invoices TO fx_auditor",
            schema=VIEW_REORDERED,
        ),
    ),
    Case(
        "function-recreated-execute-revoked",
        schema_with(
            "REVOKE EXECUTE ON FUNCTION billing.total(bigint) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION billing.total(bigint) TO fx_reader",
        ),
        schema_with(
            "REVOKE EXECUTE ON FUNCTION billing.total(bigint) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION billing.total(bigint) TO fx_auditor WITH GRANT OPTION",
            schema=SCHEMA.replace("RETURNS numeric LANGUAGE sql STABLE", "RETURNS numeric(12, 2) LANGUAGE sql STABLE")
            .replace("total(invoice bigint)", "total(invoice bigint, currency text DEFAULT 'EUR')")
            .replace(
                "id = invoice $$;\nCREATE PROCEDURE", "id = invoice AND currency IS NOT NULL $$;\nCREATE PROCEDURE"
            ),
        ).replace("total(bigint)", "total(bigint, text)"),
    ),
    Case(
        "table-created-with-column-grants",
        SCHEMA,
        schema_with(
            "CREATE TABLE billing.payments (id bigint PRIMARY KEY, invoice_id bigint, paid_at timestamptz)",
            "GRANT SELECT (id, paid_at), INSERT (invoice_id) ON billing.payments TO fx_writer",
            "GRANT SELECT ON billing.payments TO fx_auditor WITH GRANT OPTION",
        ),
    ),
]

DEFAULTS = """
CREATE SCHEMA billing;
ALTER DEFAULT PRIVILEGES IN SCHEMA billing GRANT SELECT, INSERT ON TABLES TO fx_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA billing GRANT SELECT ON TABLES TO fx_reader WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA billing GRANT USAGE ON SEQUENCES TO fx_writer;
"""

DEFAULT_PRIVILEGES = [
    # Objects the plan creates get the target's default privileges: the plan takes back what the files do not
    # have, at the table level before the columns are granted.
    Case(
        "new-table-under-defaults-to-columns",
        DEFAULTS,
        DEFAULTS + "CREATE TABLE billing.payments (id bigint, amount numeric, memo text);\n"
        "REVOKE SELECT, INSERT ON billing.payments FROM fx_writer;\n"
        "GRANT SELECT (id, amount), INSERT (amount) ON billing.payments TO fx_writer;\n"
        "REVOKE GRANT OPTION FOR SELECT ON billing.payments FROM fx_reader;\n",
    ),
    Case(
        "new-objects-under-defaults-with-extra-grants",
        DEFAULTS,
        DEFAULTS + "CREATE SEQUENCE billing.ids;\n"
        "CREATE TABLE billing.payments (id bigint DEFAULT nextval('billing.ids'), memo text);\n"
        "CREATE FUNCTION billing.paid(bigint) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;\n"
        "GRANT EXECUTE ON FUNCTION billing.paid(bigint) TO fx_reader;\n"
        "GRANT UPDATE (memo) ON billing.payments TO fx_reader;\n"
        "REVOKE USAGE ON SEQUENCE billing.ids FROM fx_writer;\n",
    ),
    # The files set the default privileges after creating the table: the table does not have them.
    Case(
        "defaults-set-after-the-table",
        "CREATE SCHEMA billing;\n",
        "CREATE SCHEMA billing;\nCREATE TABLE billing.payments (id bigint);\n"
        "GRANT SELECT (id) ON billing.payments TO fx_reader;\n"
        "ALTER DEFAULT PRIVILEGES IN SCHEMA billing GRANT SELECT ON TABLES TO fx_reader;\n"
        "ALTER DEFAULT PRIVILEGES GRANT UPDATE ON TABLES TO fx_writer;\n",
    ),
    Case(
        "defaults-changed-and-table-created",
        DEFAULTS,
        "CREATE SCHEMA billing;\n"
        "ALTER DEFAULT PRIVILEGES IN SCHEMA billing GRANT UPDATE ON TABLES TO fx_auditor;\n"
        "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;\n"
        "CREATE TABLE billing.payments (id bigint, memo text);\n"
        "CREATE VIEW billing.recent AS SELECT id FROM billing.payments;\n"
        "CREATE FUNCTION billing.paid(bigint) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;\n"
        "REVOKE SELECT ON billing.recent FROM PUBLIC;\n"
        "GRANT SELECT (id) ON billing.recent TO PUBLIC;\n",
    ),
    # Schemas are created before the default privileges change: a new schema gets the target's defaults.
    Case(
        "new-schema-under-schema-defaults",
        "ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO fx_reader;\n",
        "ALTER DEFAULT PRIVILEGES GRANT CREATE ON SCHEMAS TO fx_writer;\n"
        "CREATE SCHEMA ledger;\nGRANT USAGE ON SCHEMA ledger TO fx_auditor;\n",
    ),
    Case(
        "new-schema-and-new-defaults-in-it",
        "ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO fx_reader;\n",
        "CREATE SCHEMA ledger;\n"
        "ALTER DEFAULT PRIVILEGES IN SCHEMA ledger GRANT SELECT ON TABLES TO fx_reader;\n"
        "CREATE TABLE ledger.entries (id bigint, amount numeric);\n"
        "REVOKE SELECT ON ledger.entries FROM fx_reader;\n"
        "GRANT SELECT (id) ON ledger.entries TO fx_reader;\n",
    ),
]

CASES = SWAPS + GRANT_OPTIONS + FILE_PAIRS + CHANGING_OBJECTS + DEFAULT_PRIVILEGES


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


def test_table_level_revokes_come_before_column_grants(pg):
    result = run_case(pg, case_by_id(CASES, "table-select-to-columns-for-public"))
    assert [s.sql for s in result.plan.statements] == [
        "REVOKE SELECT ON TABLE billing.invoices FROM PUBLIC",
        "GRANT SELECT (customer) ON TABLE billing.invoices TO PUBLIC",
        "GRANT SELECT (id) ON TABLE billing.invoices TO PUBLIC",
    ]


def test_column_grants_a_table_revoke_takes_are_made_again(pg):
    result = run_case(pg, case_by_id(CASES, "columns-kept-while-the-table-privilege-goes"))
    assert [s.sql for s in result.plan.statements] == [
        "REVOKE SELECT, UPDATE ON TABLE billing.invoices FROM fx_writer",
        "GRANT SELECT (id) ON TABLE billing.invoices TO fx_writer",
        "GRANT UPDATE (note) ON TABLE billing.invoices TO fx_writer",
    ]
