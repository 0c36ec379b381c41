"""Objects made from the files' own text: pg_dump-identical to the files run through psql.

PostgreSQL prints some expressions in a form that does not read back the same (`IN` on a varchar column
prints as `= ANY ((ARRAY[...])::text[])`, which executed again prints as `ARRAY[(...)::text, ...]`), and keeps
storage parameters in the order they were set. `assert_converges` compares pg_dump output exactly, so each
case here fails if a plan creates such an object from the printed text or sets parameters in another order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pgdiff.model import Constraint, Index, Policy
from pgdiff.source.sql import split_sql
from pgdiff.source.written import with_written_texts
from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import inspect_db, new_database

TICKETS = """
CREATE TABLE tickets (
    id bigint PRIMARY KEY,
    status varchar(20) NOT NULL,
    owner text NOT NULL DEFAULT current_user,
    title text
){options};
"""


def tickets(*extra: str, options: str = "") -> str:
    return TICKETS.format(options=f" WITH ({options})" if options else "") + "".join(extra)


STATUS_IN = "ALTER TABLE tickets ADD CONSTRAINT tickets_status CHECK (status IN ('new', 'open', 'done'));\n"
UNNAMED_CHECKS = """
CREATE TABLE orders (
    id int PRIMARY KEY,
    state varchar(10) CHECK (state IN ('a', 'b')),
    kind varchar(10) CHECK (kind NOT IN ('x', 'y')),
    CHECK (state <> kind OR state IN ('a'))
);
"""
OPEN_INDEX = "CREATE INDEX tickets_open ON tickets (id) WHERE status IN ('new', 'open');\n"
UNNAMED_INDEX = "CREATE INDEX ON tickets (lower(title)) WHERE status NOT IN ('done');\n"
POLICY = (
    "ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY own ON tickets USING (owner = current_user) WITH CHECK (status IN ('new', 'open'));\n"
)
PATH_FUNCTION = (
    "CREATE SCHEMA app;\n"
    "CREATE FUNCTION app.is_code(t varchar) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT t ~ '^[A-Z]+$' $$;\n"
    "SET search_path = app, public;\n"
    "CREATE TABLE codes (code varchar(10) CHECK (is_code(code) AND code IN ('AB', 'CD')));\n"
    "CREATE INDEX codes_ab ON codes (code) WHERE is_code(code) AND code IN ('AB');\n"
    "RESET search_path;\n"
)

DOMAIN_AND_EXPRESSIONS = """
CREATE DOMAIN state AS varchar(10) CHECK (VALUE IN ('a', 'b'));
CREATE TABLE x (
    id int,
    s state,
    v varchar(5) DEFAULT 'zz',
    g text GENERATED ALWAYS AS (CASE WHEN v IN ('a', 'b') THEN 'y' END) STORED
);
"""

OPEN_VIEW = (
    "CREATE VIEW open_tickets AS SELECT id, status, count(*) OVER () FROM tickets\n"
    "WHERE status IN ('new', 'open') AND (title IS NOT NULL AND id > 0);\n"
)
NAMED_VIEW = (
    "CREATE VIEW ticket_states (ticket, state) AS SELECT id, status FROM tickets WHERE status NOT IN ('done')\n"
    "UNION ALL SELECT id, 'x' FROM tickets WHERE title IN ('a', 'b');\n"
)
STATES_MATVIEW = (
    "CREATE MATERIALIZED VIEW ticket_counts AS SELECT status, count(*) FROM tickets\n"
    "WHERE status IN ('new', 'open') GROUP BY status WITH NO DATA;\n"
)
EXCLUSION = (
    "ALTER TABLE tickets ADD CONSTRAINT tickets_one_open EXCLUDE USING btree (title WITH =)"
    " WHERE (status IN ('new', 'open') AND title IS NOT NULL) DEFERRABLE;\n"
)
UNNAMED_EXCLUSION = (
    "ALTER TABLE tickets ADD EXCLUDE USING hash (owner WITH =) WHERE (status NOT IN ('done', 'closed'));\n"
)
TRIGGER = (
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n"
    "CREATE TRIGGER tickets_reopened BEFORE UPDATE OF status ON tickets FOR EACH ROW\n"
    "    WHEN (NEW.status IN ('new', 'open') AND OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION touch();\n"
)
FLAT_VIEW = "CREATE VIEW checked AS SELECT id FROM tickets WHERE id = 1 AND title = 'a' AND owner = 'b';\n"
NESTED_VIEW = "CREATE VIEW checked AS SELECT id FROM tickets WHERE id = 1 AND (title = 'a' AND owner = 'b');\n"

# Calls PostgreSQL keeps as written in SQL syntax (AT TIME ZONE, SUBSTRING ... FROM, TRIM, OVERLAY, IS NORMALIZED,
# COLLATION FOR, OVERLAPS): printed as plain calls they would be stored as plain calls, and print otherwise.
SQL_SYNTAX = (
    "ALTER TABLE tickets ADD COLUMN opened_utc timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc');\n"
    "ALTER TABLE tickets ADD COLUMN code text GENERATED ALWAYS AS (substring(title FROM 1 FOR 3)) STORED;\n"
    "ALTER TABLE tickets ADD CONSTRAINT tickets_title_trimmed CHECK (title = trim(BOTH ' ' FROM title));\n"
    "ALTER TABLE tickets ADD CONSTRAINT tickets_title_normal CHECK (title IS NFC NORMALIZED);\n"
    "CREATE INDEX tickets_short_title ON tickets (overlay(title PLACING '' FROM 1 FOR 1));\n"
    "CREATE VIEW overlapping AS SELECT a.id FROM tickets a, tickets b\n"
    "    WHERE (a.opened_utc, interval '1 day') OVERLAPS (b.opened_utc, interval '1 day')\n"
    "    AND COLLATION FOR (a.title) IS NOT NULL;\n"
    "ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY recent ON tickets USING (opened_utc > localtimestamp AT TIME ZONE 'utc' - interval '1 day');\n"
)

CASES = [
    Case("sql-syntax-calls-in-defaults-checks-indexes-views-policies", tickets(), tickets(SQL_SYNTAX)),
    Case("view-with-in-list-and-nested-conditions-added", tickets(), tickets(OPEN_VIEW)),
    Case("view-with-column-names-and-union-added", tickets(), tickets(NAMED_VIEW)),
    Case("materialized-view-with-in-list-added", tickets(), tickets(STATES_MATVIEW)),
    Case("view-query-changed-to-an-in-list", tickets(NAMED_VIEW.replace("'b'", "'c'")), tickets(NAMED_VIEW)),
    # The same conditions, parenthesized otherwise: PostgreSQL stores another tree, pg_dump prints another text.
    Case("view-conditions-regrouped", tickets(FLAT_VIEW), tickets(NESTED_VIEW)),
    Case("exclusion-with-in-list-predicate-added", tickets(), tickets(EXCLUSION)),
    Case("unnamed-exclusion-with-not-in-predicate-added", tickets(), tickets(UNNAMED_EXCLUSION)),
    Case("trigger-when-with-in-list-added", tickets(), tickets(TRIGGER)),
    Case(
        "trigger-when-changed-to-an-in-list",
        tickets(TRIGGER.replace("'open'", "'closed'")),
        tickets(TRIGGER),
    ),
    Case("domain-check-and-generated-expression-in-lists", "CREATE TABLE x (id int);", DOMAIN_AND_EXPRESSIONS),
    Case("check-in-list-on-varchar-added", tickets(), tickets(STATUS_IN)),
    Case("unnamed-checks-on-new-table", "", UNNAMED_CHECKS),
    Case(
        "unnamed-checks-added-to-existing-table",
        "CREATE TABLE orders (id int PRIMARY KEY, state varchar(10), kind varchar(10));",
        UNNAMED_CHECKS,
    ),
    Case("partial-index-in-list-added", tickets(), tickets(OPEN_INDEX)),
    Case("unnamed-expression-index-added", tickets(), tickets(UNNAMED_INDEX)),
    Case("policy-with-in-list-added", tickets(), tickets(POLICY)),
    Case("names-resolved-by-the-files-search-path", "", PATH_FUNCTION),
    Case(
        "storage-parameters-in-the-files-order",
        tickets(options="fillfactor = 70, autovacuum_enabled = false"),
        tickets(options="autovacuum_vacuum_scale_factor = 0.05, fillfactor = 80, toast.autovacuum_enabled = false"),
    ),
    Case(
        "storage-parameters-of-a-new-table-in-the-files-order",
        "",
        tickets(options="fillfactor = 80, autovacuum_vacuum_scale_factor = 0.05"),
    ),
    Case(
        "everything-at-once-with-a-rename",
        tickets(),
        tickets(STATUS_IN, OPEN_INDEX, POLICY, OPEN_VIEW, EXCLUSION, TRIGGER, options="fillfactor = 80").replace(
            "CREATE TABLE tickets", "-- pgdiff: renamed from tickets\nCREATE TABLE issues"
        )
        .replace("ON tickets", "ON issues")
        .replace("FROM tickets", "FROM issues")
        .replace("TABLE tickets", "TABLE issues"),
    ),
]


@pytest.mark.parametrize("case", forward(CASES))
def test_forward(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(CASES))
def test_backward(pg, case):
    run_case(pg, case, reverse=True)


def test_the_plan_speaks_the_files_text(pg):
    result = run_case(pg, case_by_id(CASES, "check-in-list-on-varchar-added"))
    assert result is not None
    assert any("CHECK (status IN ('new', 'open', 'done')) NOT VALID" in sql for sql in result.sql)


def written_model(pg, sql: str):
    return with_written_texts(inspect_db(pg, new_database(pg, sql)), split_sql(sql, Path("f.sql"), checked=False))


def test_every_unnamed_check_is_paired_with_its_own_text(pg):
    model = written_model(pg, UNNAMED_CHECKS)
    written = {c.name: c.written for c in model.constraints.values() if isinstance(c, Constraint) and c.kind == "c"}
    assert written == {
        "orders_state_check": "CHECK (state IN ('a', 'b'))",
        "orders_kind_check": "CHECK (kind NOT IN ('x', 'y'))",
        "orders_check": "CHECK (state <> kind OR state IN ('a'))",
    }


def test_names_the_search_path_resolved_are_qualified(pg):
    model = written_model(pg, PATH_FUNCTION)
    (check,) = [c for c in model.constraints.values() if c.kind == "c"]
    assert check.written == "CHECK (app.is_code(code) AND code IN ('AB', 'CD'))"
    index: Index = model.indexes[("app", "codes_ab")]
    assert index.written == "(code) WHERE app.is_code(code) AND code IN ('AB')"


def test_what_cannot_be_told_apart_keeps_the_printed_text(pg):
    # Two unnamed checks of the same shape on one table, written differently: which is which is unknown.
    sql = "CREATE TABLE t (a int, CHECK (a IN (1, 2)), CHECK (a = ANY (ARRAY[1, 2])));"
    model = written_model(pg, sql)
    assert [c.written for c in model.constraints.values() if c.kind == "c"] == [None, None]


def test_a_default_postgresql_evaluated_keeps_the_printed_text(pg):
    sql = "CREATE TABLE t (at timestamptz DEFAULT 'now', n int DEFAULT 1 + 1, s varchar(3) DEFAULT 'x');"
    (table,) = written_model(pg, sql).tables.values()
    assert [c.written_default for c in table.columns] == [None, "(1 + 1)", "'x'"]


def test_a_policy_altered_later_takes_the_last_text(pg):
    sql = tickets(POLICY, "ALTER POLICY own ON tickets USING (owner = 'x');\n")
    policy: Policy = written_model(pg, sql).policies[("public", "tickets", "own")]
    assert (policy.written_using, policy.written_check) == ("owner = 'x'", "status IN ('new', 'open')")


def test_a_view_is_created_from_the_files_query(pg):
    result = run_case(pg, case_by_id(CASES, "view-with-in-list-and-nested-conditions-added"))
    assert result is not None
    (create,) = [sql for sql in result.sql if sql.startswith("CREATE VIEW")]
    assert "status IN ('new', 'open')" in create and "(title IS NOT NULL\n" in create


def test_view_column_names_come_from_the_view(pg):
    model = written_model(pg, tickets(NAMED_VIEW))
    written = model.views[("public", "ticket_states")].written
    assert written is not None
    assert "id AS ticket" in written and "status AS state" in written and "FROM public.tickets" in written


def test_a_star_view_keeps_the_printed_query(pg):
    # PostgreSQL expanded `*` when the files ran; the table may gain columns later in the files.
    model = written_model(pg, tickets("CREATE VIEW everything AS SELECT * FROM tickets;\n"))
    assert model.views[("public", "everything")].written is None


def test_a_regrouped_condition_is_a_change(pg):
    # Both print as `a AND b AND c` when pretty-printed: only the stored (parenthesized) text tells them apart.
    result = run_case(pg, case_by_id(CASES, "view-conditions-regrouped"))
    assert result is not None
    assert any("CREATE OR REPLACE VIEW public.checked" in sql for sql in result.sql)
