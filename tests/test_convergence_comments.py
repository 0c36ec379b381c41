"""Convergence of comments (COMMENT ON) on every kind pgdiff manages, including objects the plan
drops and creates again, which would otherwise lose theirs."""

from __future__ import annotations

import pytest

from pgdiff.errors import SourceError
from pgdiff.source.sql import split_sql
from tests.convergence import Case, backward, case_by_id, forward, run_case

USERS = """
CREATE TABLE users (
    id bigint PRIMARY KEY,
    email varchar(255) NOT NULL,
    status varchar(20) NOT NULL DEFAULT 'active' CONSTRAINT users_status_check CHECK (status <> '')
);
CREATE INDEX users_email ON users (email);
"""

FUNCTION = "CREATE FUNCTION normalize_email(e text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(e) $$;\n"
VIEW = "CREATE VIEW active_users AS SELECT id, email FROM users WHERE status = 'active';\n"
TRIGGER = (
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
    "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();\n"
)


def commented(base: str, *comments: str) -> str:
    return base + "".join(f"COMMENT ON {comment};\n" for comment in comments)


CASES = [
    Case("table-comment", USERS, commented(USERS, "TABLE users IS 'People who sign in'")),
    Case(
        "table-comment-changes",
        commented(USERS, "TABLE users IS 'People'"),
        commented(USERS, "TABLE users IS 'People who sign in; one row per account'"),
    ),
    Case("column-comment", USERS, commented(USERS, "COLUMN users.email IS 'Lower-cased login'")),
    Case("constraint-comment", USERS, commented(USERS, "CONSTRAINT users_status_check ON users IS 'never empty'")),
    Case("index-comment", USERS, commented(USERS, "INDEX users_email IS 'login lookups'")),
    Case(
        "view-and-view-column-comment",
        USERS + VIEW,
        commented(USERS + VIEW, "VIEW active_users IS 'dashboard'", "COLUMN active_users.email IS 'login'"),
    ),
    Case(
        "materialized-view-comment",
        USERS + "CREATE MATERIALIZED VIEW user_counts AS SELECT status, count(*) FROM users GROUP BY status;\n",
        commented(
            USERS + "CREATE MATERIALIZED VIEW user_counts AS SELECT status, count(*) FROM users GROUP BY status;\n",
            "MATERIALIZED VIEW user_counts IS 'refreshed hourly'",
        ),
    ),
    Case("function-comment", FUNCTION, commented(FUNCTION, "FUNCTION normalize_email(text) IS 'for unique logins'")),
    Case(
        "trigger-comment",
        USERS + TRIGGER,
        commented(USERS + TRIGGER, "TRIGGER users_touch ON users IS 'keeps updated_at'"),
    ),
    Case("schema-comment", "CREATE SCHEMA app;", commented("CREATE SCHEMA app;\n", "SCHEMA app IS 'the application'")),
    Case(
        "type-comments",
        "CREATE TYPE mood AS ENUM ('ok');\nCREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');\n",
        commented(
            "CREATE TYPE mood AS ENUM ('ok');\nCREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');\n",
            "TYPE mood IS 'how it went'",
            "DOMAIN email IS 'an address'",
        ),
    ),
    Case(
        "sequence-comment",
        "CREATE SEQUENCE invoice_numbers;",
        commented("CREATE SEQUENCE invoice_numbers;\n", "SEQUENCE invoice_numbers IS 'no gaps promised'"),
    ),
    Case(
        "quoted-names-and-quotes-in-text",
        'CREATE TABLE "Order Lines" ("Qty" int);',
        commented(
            'CREATE TABLE "Order Lines" ("Qty" int);\n',
            'COLUMN "Order Lines"."Qty" IS \'it\'\'s the "quantity" \\ units\''
        ),
    ),
    Case(
        "new-table-with-comments",
        "",
        commented(USERS, "TABLE users IS 'accounts'", "COLUMN users.id IS 'surrogate key'"),
    ),
    # Objects the plan drops and creates again come back with their comment.
    Case(
        "comment-survives-view-rebuild",
        commented(USERS + VIEW, "VIEW active_users IS 'dashboard'", "COLUMN active_users.email IS 'login'"),
        commented(
            USERS + VIEW.replace("SELECT id, email", "SELECT email, id"),
            "VIEW active_users IS 'dashboard'",
            "COLUMN active_users.email IS 'login'",
        ),
    ),
    Case(
        "comment-survives-function-signature-change",
        commented(FUNCTION, "FUNCTION normalize_email(text) IS 'for unique logins'"),
        commented(
            FUNCTION.replace("(e text)", "(address text)").replace("lower(e)", "lower(address)"),
            "FUNCTION normalize_email(text) IS 'for unique logins'",
        ),
    ),
    Case(
        "comment-survives-index-swap",
        commented(USERS, "INDEX users_email IS 'login lookups'"),
        commented(USERS.replace("ON users (email)", "ON users (lower(email))"), "INDEX users_email IS 'login lookups'"),
    ),
    Case(
        "comment-survives-constraint-change",
        commented(USERS, "CONSTRAINT users_status_check ON users IS 'known statuses'"),
        commented(
            USERS.replace("CHECK (status <> '')", "CHECK (status IN ('active', 'disabled'))"),
            "CONSTRAINT users_status_check ON users IS 'known statuses'",
        ),
    ),
    Case(
        "comment-survives-enum-rebuild",
        commented("CREATE TYPE mood AS ENUM ('ok', 'meh');\n", "TYPE mood IS 'how it went'"),
        commented("CREATE TYPE mood AS ENUM ('meh', 'ok');\n", "TYPE mood IS 'how it went'"),
    ),
    Case(
        "commented-column-dropped",
        commented(USERS + "ALTER TABLE users ADD COLUMN nickname text;\n", "COLUMN users.nickname IS 'optional'"),
        USERS,
    ),
]


@pytest.mark.parametrize("case", forward(CASES))
def test_forward(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(CASES))
def test_backward(pg, case):
    run_case(pg, case, reverse=True)


def test_only_the_comment_changes(pg):
    result = run_case(pg, case_by_id(CASES, "table-comment-changes"))
    assert [s.sql for s in result.plan.statements] == [
        "COMMENT ON TABLE public.users IS 'People who sign in; one row per account'"
    ]


def test_rebuilt_view_gets_its_comments_back_after_it_is_created(pg):
    result = run_case(pg, case_by_id(CASES, "comment-survives-view-rebuild"))
    sql = [s.sql for s in result.plan.statements]
    created = next(i for i, s in enumerate(sql) if s.startswith("CREATE VIEW public.active_users"))
    assert sql.index("COMMENT ON VIEW public.active_users IS 'dashboard'") > created
    assert sql.index("COMMENT ON COLUMN public.active_users.email IS 'login'") > created


def test_comment_on_unmanaged_kind_is_refused():
    with pytest.raises(SourceError, match=r"x.sql:1: COMMENT ON EXTENSION is not managed by pgdiff"):
        split_sql("COMMENT ON EXTENSION pg_trgm IS 'trigrams';", __import__("pathlib").Path("x.sql"))
