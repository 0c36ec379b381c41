"""Convergence of indexes: methods, keys, expressions, predicates, options."""

from __future__ import annotations

import pytest

from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import assert_converges

FORM_RESPONSES = """
CREATE TABLE form_responses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    form_schema_id uuid NOT NULL,
    workflow_run_id uuid,
    respondent_email text,
    body text,
    data jsonb NOT NULL DEFAULT '{}',
    metadata jsonb,
    tags text[] NOT NULL DEFAULT '{}',
    client_ip inet,
    available tsrange,
    submitted_at timestamptz NOT NULL DEFAULT now()
);
"""


def indexed(*indexes: str) -> str:
    """form_responses with the given CREATE INDEX statements."""
    return FORM_RESPONSES + "".join(f"{statement};\n" for statement in indexes)


def index_case(case_id: str, a: list[str], b: list[str], min_server: int | None = None) -> Case:
    return Case(case_id, indexed(*a), indexed(*b), min_server)


BY_SCHEMA = "CREATE INDEX idx_form_responses_schema ON form_responses (form_schema_id)"

CASES = [
    index_case("btree-index-added", [], [BY_SCHEMA]),
    index_case(
        "hash-index", [], ["CREATE INDEX idx_form_responses_email_hash ON form_responses USING hash (respondent_email)"]
    ),
    index_case("gin-on-jsonb", [], ["CREATE INDEX idx_form_responses_data_gin ON form_responses USING gin (data)"]),
    index_case(
        "gin-jsonb-path-ops",
        ["CREATE INDEX idx_form_responses_data_gin ON form_responses USING gin (data)"],
        ["CREATE INDEX idx_form_responses_data_gin ON form_responses USING gin (data jsonb_path_ops)"],
    ),
    index_case("gin-on-array", [], ["CREATE INDEX idx_form_responses_tags ON form_responses USING gin (tags)"]),
    index_case(
        "gist-on-range-and-inet",
        [],
        [
            "CREATE INDEX idx_form_responses_available ON form_responses USING gist (available)",
            "CREATE INDEX idx_form_responses_ip ON form_responses USING gist (client_ip inet_ops)",
        ],
    ),
    index_case(
        "brin-on-timestamp",
        [],
        ["CREATE INDEX idx_form_responses_submitted_brin ON form_responses USING brin (submitted_at)"],
    ),
    index_case(
        "brin-pages-per-range",
        ["CREATE INDEX idx_form_responses_submitted_brin ON form_responses USING brin (submitted_at)"],
        [
            "CREATE INDEX idx_form_responses_submitted_brin ON form_responses USING brin (submitted_at)"
            " WITH (pages_per_range = 32)"
        ],
    ),
    index_case(
        "method-changes-btree-to-hash",
        ["CREATE INDEX idx_form_responses_run ON form_responses (workflow_run_id)"],
        ["CREATE INDEX idx_form_responses_run ON form_responses USING hash (workflow_run_id)"],
    ),
    index_case(
        "unique-index",
        ["CREATE INDEX idx_form_responses_run_schema ON form_responses (workflow_run_id, form_schema_id)"],
        ["CREATE UNIQUE INDEX idx_form_responses_run_schema ON form_responses (workflow_run_id, form_schema_id)"],
    ),
    index_case(
        "multi-column-index",
        [],
        ["CREATE INDEX idx_form_responses_schema_time ON form_responses (form_schema_id, submitted_at DESC)"],
    ),
    index_case(
        "index-columns-change",
        ["CREATE INDEX idx_form_responses_schema_time ON form_responses (form_schema_id, submitted_at DESC)"],
        ["CREATE INDEX idx_form_responses_schema_time ON form_responses (form_schema_id, workflow_run_id)"],
    ),
    index_case(
        "expression-lower",
        [],
        ["CREATE UNIQUE INDEX idx_form_responses_email_lower ON form_responses (lower(respondent_email))"],
    ),
    index_case(
        "expression-jsonb-key",
        [],
        ["CREATE INDEX idx_form_responses_data_type ON form_responses ((data ->> 'type'), (data -> 'meta' ->> 'v'))"],
    ),
    index_case(
        "expression-tsvector",
        [],
        ["CREATE INDEX idx_form_responses_fts ON form_responses USING gin (to_tsvector('english', body))"],
    ),
    index_case(
        "expression-tsvector-changes-config",
        ["CREATE INDEX idx_form_responses_fts ON form_responses USING gin (to_tsvector('english', body))"],
        [
            "CREATE INDEX idx_form_responses_fts ON form_responses USING gin"
            " (to_tsvector('simple'::regconfig, coalesce(body, '')))"
        ],
    ),
    index_case(
        "partial-index",
        [],
        [
            "CREATE INDEX idx_form_responses_workflow ON form_responses (workflow_run_id)"
            " WHERE workflow_run_id IS NOT NULL"
        ],
    ),
    index_case(
        "partial-index-predicate-changes",
        ["CREATE INDEX idx_form_responses_metadata ON form_responses USING gin (metadata) WHERE metadata IS NOT NULL"],
        [
            "CREATE INDEX idx_form_responses_metadata ON form_responses USING gin (metadata)"
            " WHERE metadata IS NOT NULL AND metadata ? 'source'"
        ],
    ),
    index_case(
        "include-columns",
        ["CREATE INDEX idx_form_responses_run ON form_responses (workflow_run_id)"],
        [
            "CREATE INDEX idx_form_responses_run ON form_responses (workflow_run_id)"
            " INCLUDE (submitted_at, form_schema_id)"
        ],
    ),
    index_case(
        "text-pattern-ops",
        ["CREATE INDEX idx_form_responses_email ON form_responses (respondent_email)"],
        ["CREATE INDEX idx_form_responses_email ON form_responses (respondent_email text_pattern_ops)"],
    ),
    index_case(
        "collate-c-on-index-column",
        ["CREATE INDEX idx_form_responses_email ON form_responses (respondent_email)"],
        ['CREATE INDEX idx_form_responses_email ON form_responses (respondent_email COLLATE "C")'],
    ),
    index_case(
        "desc-and-nulls-order",
        ["CREATE INDEX idx_form_responses_time ON form_responses (submitted_at, workflow_run_id)"],
        [
            "CREATE INDEX idx_form_responses_time ON form_responses"
            " (submitted_at DESC NULLS LAST, workflow_run_id NULLS FIRST)"
        ],
    ),
    index_case(
        "unique-index-nulls-not-distinct",
        ["CREATE UNIQUE INDEX idx_form_responses_run_schema ON form_responses (workflow_run_id, form_schema_id)"],
        [
            "CREATE UNIQUE INDEX idx_form_responses_run_schema ON form_responses (workflow_run_id, form_schema_id)"
            " NULLS NOT DISTINCT"
        ],
        min_server=15,
    ),
    index_case(
        "fillfactor",
        [BY_SCHEMA],
        [BY_SCHEMA + " WITH (fillfactor = 70)"],
    ),
    index_case(
        "gin-fastupdate-off",
        ["CREATE INDEX idx_form_responses_data_gin ON form_responses USING gin (data)"],
        ["CREATE INDEX idx_form_responses_data_gin ON form_responses USING gin (data) WITH (fastupdate = off)"],
    ),
    Case(
        "index-on-new-column",
        FORM_RESPONSES,
        FORM_RESPONSES + "ALTER TABLE form_responses ADD COLUMN reviewed_at timestamptz;"
        "CREATE INDEX idx_form_responses_reviewed ON form_responses (reviewed_at) WHERE reviewed_at IS NULL;",
    ),
    Case(
        "indexes-on-new-table",
        "",
        indexed(
            BY_SCHEMA,
            "CREATE INDEX idx_form_responses_data_gin ON form_responses USING gin (data jsonb_path_ops)",
            "CREATE UNIQUE INDEX idx_form_responses_email_lower ON form_responses (lower(respondent_email))"
            " WHERE respondent_email IS NOT NULL",
        ),
    ),
    index_case(
        "several-indexes-swapped",
        [BY_SCHEMA, "CREATE INDEX idx_form_responses_tags ON form_responses USING gin (tags)"],
        [
            BY_SCHEMA,
            "CREATE INDEX idx_form_responses_submitted ON form_responses (submitted_at)",
            "CREATE INDEX idx_form_responses_ip ON form_responses (client_ip) WHERE client_ip IS NOT NULL",
        ],
    ),
]


@pytest.mark.parametrize("case", forward(CASES))
def test_converges_a_to_b(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(CASES))
def test_converges_b_to_a(pg, case):
    run_case(pg, case, reverse=True)


def test_index_on_existing_table_is_built_concurrently_outside_a_transaction(pg):
    result = assert_converges(pg, indexed(), indexed(BY_SCHEMA))
    [group] = result.plan.groups
    assert not group.transactional
    [statement] = group.statements
    assert statement.sql.startswith("CREATE INDEX CONCURRENTLY"), statement.sql


def test_index_on_new_column_comes_after_the_column(pg):
    case = case_by_id(CASES, "index-on-new-column")
    result = assert_converges(pg, case.a, case.b)
    add_column, create_index = result.plan.groups
    assert add_column.transactional and "ADD COLUMN" in add_column.statements[0].sql
    assert not create_index.transactional and "CONCURRENTLY" in create_index.statements[0].sql


def test_indexes_on_new_table_are_plain_and_transactional(pg):
    case = case_by_id(CASES, "indexes-on-new-table")
    result = assert_converges(pg, case.a, case.b)
    assert len(result.plan.groups) == 1 and result.plan.groups[0].transactional
    assert not any("CONCURRENTLY" in sql for sql in result.sql)
