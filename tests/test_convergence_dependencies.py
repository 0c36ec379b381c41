"""Convergence when something other objects stand on is dropped or made again, on a workflow engine.

A function whose signature or result changes is dropped and created again; an enum that loses or
reorders labels, a domain whose base type changes, a range, and a composite whose attributes are
retyped or reordered are made again. What stands on them (defaults, checks, indexes, generated
columns, triggers, views, functions, other types) is dropped first and made again after, and the
columns using a type are converted to the new one.
"""

from __future__ import annotations

import psycopg
import pytest

from pgdiff.errors import PgdiffError
from pgdiff.model import Model, View
from pgdiff.plan.dependencies import dependency_order, dependents_of
from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import assert_converges, inspect_db, new_database

STATUS = "CREATE TYPE workflow_status AS ENUM ('draft', 'active', 'paused', 'archived');"
STATUS_WITHOUT_PAUSED = "CREATE TYPE workflow_status AS ENUM ('draft', 'active', 'archived');"
STATUS_REORDERED = "CREATE TYPE workflow_status AS ENUM ('active', 'draft', 'paused', 'archived');"


def workflows(*extra: str) -> str:
    """The workflows table, with `extra` columns and constraints appended, and two rows."""
    columns = ", ".join(
        (
            "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
            "title text NOT NULL",
            "description text",
            "status workflow_status NOT NULL DEFAULT 'draft'",
            "updated_at timestamptz NOT NULL DEFAULT now()",
            *extra,
        )
    )
    return (
        f"CREATE TABLE workflows ({columns});"
        "INSERT INTO workflows (title, status) VALUES ('Onboarding', 'active'), ('Billing', 'draft');"
    )


UPDATED_AT = """
CREATE FUNCTION update_updated_at_column() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = CURRENT_TIMESTAMP;
    RETURN NEW;
END;
$$;
CREATE TRIGGER update_workflows_updated_at BEFORE UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
"""

SEARCH_TRIGGER = """
CREATE FUNCTION workflows_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := to_tsvector('english', coalesce(NEW.title, '') || ' ' || coalesce(NEW.description, ''));
    RETURN NEW;
END;
$$;
CREATE TRIGGER workflows_search BEFORE INSERT OR UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION workflows_search_update();
"""


def normalize(argument: str = "t text", result: str = "text") -> str:
    return (
        f"CREATE FUNCTION normalize_title({argument}) RETURNS {result} LANGUAGE sql IMMUTABLE "
        f"RETURN lower(btrim({argument.split()[0]}));"
    )


def is_open(argument: str = "s workflow_status") -> str:
    return (
        f"CREATE FUNCTION is_open({argument}) RETURNS boolean LANGUAGE sql IMMUTABLE "
        f"RETURN {argument.split()[0]} IN ('draft', 'active');"
    )


def ref_function(result: str = "text") -> str:
    return (
        f"CREATE FUNCTION new_reference() RETURNS {result} LANGUAGE sql VOLATILE "
        "RETURN 'WF-' || substr(md5(random()::text), 1, 8);"
    )


FUNCTION_CASES = [
    Case(
        "default-calls-function-whose-result-changes",
        STATUS + ref_function() + workflows("reference text DEFAULT new_reference()"),
        STATUS + ref_function("varchar(20)") + workflows("reference text DEFAULT new_reference()"),
    ),
    Case(
        "default-calls-function-whose-argument-is-renamed",
        STATUS + normalize() + workflows("slug text DEFAULT normalize_title('Untitled')"),
        STATUS + normalize("title text") + workflows("slug text DEFAULT normalize_title('Untitled')"),
    ),
    Case(
        "check-calls-function-whose-argument-is-renamed",
        STATUS + normalize() + workflows("CONSTRAINT title_normalized CHECK (normalize_title(title) <> '')"),
        STATUS
        + normalize("title text")
        + workflows("CONSTRAINT title_normalized CHECK (normalize_title(title) <> '')"),
    ),
    Case(
        "index-expression-calls-function-whose-argument-is-renamed",
        STATUS + normalize() + workflows() + "CREATE INDEX workflows_title ON workflows (normalize_title(title));",
        STATUS
        + normalize("title text")
        + workflows()
        + "CREATE INDEX workflows_title ON workflows (normalize_title(title));",
    ),
    Case(
        "unique-index-expression-calls-function-whose-result-changes",
        STATUS
        + normalize()
        + workflows()
        + "CREATE UNIQUE INDEX workflows_title ON workflows (normalize_title(title));",
        STATUS
        + normalize(result="varchar")
        + workflows()
        + "CREATE UNIQUE INDEX workflows_title ON workflows (normalize_title(title));",
    ),
    Case(
        "index-predicate-calls-function-whose-argument-is-renamed",
        STATUS
        + is_open()
        + workflows()
        + "CREATE INDEX workflows_open ON workflows (updated_at) WHERE is_open(status);",
        STATUS
        + is_open("state workflow_status")
        + workflows()
        + "CREATE INDEX workflows_open ON workflows (updated_at) WHERE is_open(status);",
    ),
    Case(
        "generated-column-calls-function-whose-argument-is-renamed",
        STATUS + normalize() + workflows("slug text GENERATED ALWAYS AS (normalize_title(title)) STORED"),
        STATUS + normalize("title text") + workflows("slug text GENERATED ALWAYS AS (normalize_title(title)) STORED"),
    ),
    Case(
        "trigger-when-calls-function-whose-argument-is-renamed",
        STATUS
        + is_open()
        + workflows()
        + UPDATED_AT.replace("FOR EACH ROW", "FOR EACH ROW WHEN (is_open(NEW.status))"),
        STATUS
        + is_open("state workflow_status")
        + workflows()
        + UPDATED_AT.replace("FOR EACH ROW", "FOR EACH ROW WHEN (is_open(NEW.status))"),
    ),
    Case(
        "trigger-function-replaced-by-one-of-another-name",
        STATUS + workflows() + UPDATED_AT,
        STATUS + workflows() + UPDATED_AT.replace("update_updated_at_column", "touch_updated_at"),
    ),
    Case(
        "trigger-function-language-changes-with-search-trigger",
        STATUS + workflows("search_vector tsvector") + SEARCH_TRIGGER,
        STATUS
        + workflows("search_vector tsvector")
        + SEARCH_TRIGGER.replace("workflows_search_update", "search_update"),
    ),
    Case(
        "view-calls-function-whose-result-changes",
        STATUS + normalize() + workflows() + "CREATE VIEW workflow_slugs AS SELECT id, normalize_title(title) AS slug "
        "FROM workflows;",
        STATUS
        + normalize(result="varchar")
        + workflows()
        + "CREATE VIEW workflow_slugs AS SELECT id, normalize_title(title) AS slug FROM workflows;",
    ),
    Case(
        "view-on-view-calls-function-whose-argument-is-renamed",
        STATUS
        + is_open()
        + workflows()
        + "CREATE VIEW open_workflows AS SELECT id, title FROM workflows WHERE is_open(status);"
        "CREATE VIEW open_workflow_titles AS SELECT title FROM open_workflows;",
        STATUS
        + is_open("state workflow_status")
        + workflows()
        + "CREATE VIEW open_workflows AS SELECT id, title FROM workflows WHERE is_open(status);"
        "CREATE VIEW open_workflow_titles AS SELECT title FROM open_workflows;",
    ),
    Case(
        "function-body-calls-function-whose-argument-is-renamed",
        STATUS + is_open() + "CREATE FUNCTION is_closed(s workflow_status) RETURNS boolean LANGUAGE sql IMMUTABLE "
        "BEGIN ATOMIC SELECT NOT is_open(s); END;",
        STATUS
        + is_open("state workflow_status")
        + "CREATE FUNCTION is_closed(s workflow_status) RETURNS boolean LANGUAGE sql IMMUTABLE "
        "BEGIN ATOMIC SELECT NOT is_open(s); END;",
    ),
    Case(
        "function-dropped-while-the-default-using-it-goes",
        STATUS + ref_function() + workflows("reference text DEFAULT new_reference()"),
        STATUS + workflows("reference text"),
    ),
    Case(
        "function-replaced-by-new-arguments-and-default-follows",
        STATUS + normalize() + workflows("slug text DEFAULT normalize_title('Untitled')"),
        STATUS + "CREATE FUNCTION normalize_title(t text, sep text) RETURNS text LANGUAGE sql IMMUTABLE "
        "RETURN replace(lower(btrim(t)), ' ', sep);" + workflows("slug text DEFAULT normalize_title('Untitled', '-')"),
    ),
    Case(
        "function-dropped-while-the-check-using-it-goes",
        STATUS + normalize() + workflows("CONSTRAINT title_normalized CHECK (normalize_title(title) <> '')"),
        STATUS + workflows(),
    ),
    Case(
        "domain-check-calls-function-whose-argument-is-renamed",
        STATUS
        + normalize()
        + "CREATE DOMAIN title_text AS text CHECK (normalize_title(VALUE) <> '');"
        + workflows("subtitle title_text"),
        STATUS
        + normalize("title text")
        + "CREATE DOMAIN title_text AS text CHECK (normalize_title(VALUE) <> '');"
        + workflows("subtitle title_text"),
    ),
]

ENUM_CASES = [
    Case(
        "enum-label-removed-while-check-names-labels",
        STATUS + workflows("CONSTRAINT not_archived CHECK (status <> 'archived')"),
        STATUS_WITHOUT_PAUSED + workflows("CONSTRAINT not_archived CHECK (status <> 'archived')"),
    ),
    Case(
        "enum-reordered-while-check-uses-in-list",
        STATUS + workflows("CONSTRAINT live CHECK (status IN ('draft', 'active'))"),
        STATUS_REORDERED + workflows("CONSTRAINT live CHECK (status IN ('draft', 'active'))"),
    ),
    Case(
        "enum-label-removed-while-index-predicate-names-a-label",
        STATUS + workflows() + "CREATE INDEX workflows_active ON workflows (updated_at) WHERE status = 'active';",
        STATUS_WITHOUT_PAUSED
        + workflows()
        + "CREATE INDEX workflows_active ON workflows (updated_at) WHERE status = 'active';",
    ),
    Case(
        "enum-reordered-while-plain-index-on-the-column",
        STATUS + workflows() + "CREATE INDEX workflows_status ON workflows (status);",
        STATUS_REORDERED + workflows() + "CREATE INDEX workflows_status ON workflows (status);",
    ),
    Case(
        "enum-reordered-while-default-names-a-label",
        STATUS + workflows("previous_status workflow_status DEFAULT 'paused'"),
        STATUS_REORDERED + workflows("previous_status workflow_status DEFAULT 'paused'"),
    ),
    Case(
        "enum-label-removed-while-view-filters-on-it",
        STATUS + workflows() + "CREATE VIEW active_workflows AS SELECT id, title FROM workflows "
        "WHERE status = 'active';",
        STATUS_WITHOUT_PAUSED
        + workflows()
        + "CREATE VIEW active_workflows AS SELECT id, title FROM workflows WHERE status = 'active';",
    ),
    Case(
        "enum-reordered-while-view-shows-the-column",
        STATUS + workflows() + "CREATE VIEW workflow_states AS SELECT id, status FROM workflows;"
        "CREATE VIEW draft_count AS SELECT count(*) AS n FROM workflow_states WHERE status = 'draft';",
        STATUS_REORDERED + workflows() + "CREATE VIEW workflow_states AS SELECT id, status FROM workflows;"
        "CREATE VIEW draft_count AS SELECT count(*) AS n FROM workflow_states WHERE status = 'draft';",
    ),
    Case(
        "enum-label-removed-while-materialized-view-with-index-uses-it",
        STATUS + workflows() + "CREATE MATERIALIZED VIEW status_counts AS SELECT status, count(*) AS n "
        "FROM workflows GROUP BY status; CREATE UNIQUE INDEX status_counts_status ON status_counts (status);",
        STATUS_WITHOUT_PAUSED + workflows() + "CREATE MATERIALIZED VIEW status_counts AS SELECT status, count(*) AS n "
        "FROM workflows GROUP BY status; CREATE UNIQUE INDEX status_counts_status ON status_counts (status);",
    ),
    Case(
        "enum-label-removed-while-domain-over-it-is-used",
        STATUS
        + "CREATE DOMAIN live_status AS workflow_status CHECK (VALUE <> 'archived');"
        + workflows("last_live_status live_status"),
        STATUS_WITHOUT_PAUSED
        + "CREATE DOMAIN live_status AS workflow_status CHECK (VALUE <> 'archived');"
        + workflows("last_live_status live_status"),
    ),
    Case(
        "enum-reordered-while-function-argument-uses-it",
        STATUS + is_open() + workflows(),
        STATUS_REORDERED + is_open() + workflows(),
    ),
    Case(
        "enum-label-removed-while-check-calls-function-taking-it",
        STATUS
        + is_open()
        + workflows("reopened boolean DEFAULT false", "CONSTRAINT open_check CHECK (is_open(status) OR NOT reopened)"),
        STATUS_WITHOUT_PAUSED
        + is_open()
        + workflows("reopened boolean DEFAULT false", "CONSTRAINT open_check CHECK (is_open(status) OR NOT reopened)"),
    ),
    Case(
        "enum-reordered-while-array-column-has-default",
        STATUS + workflows("history workflow_status[] NOT NULL DEFAULT '{draft}'"),
        STATUS_REORDERED + workflows("history workflow_status[] NOT NULL DEFAULT '{draft}'"),
    ),
    Case(
        "enum-label-removed-while-composite-attribute-uses-it",
        STATUS
        + "CREATE TYPE transition AS (from_status workflow_status, to_status workflow_status, at timestamptz);"
        + workflows("last_transition transition"),
        STATUS_WITHOUT_PAUSED
        + "CREATE TYPE transition AS (from_status workflow_status, to_status workflow_status, at timestamptz);"
        + workflows("last_transition transition"),
    ),
    Case(
        "enum-reordered-while-trigger-when-names-a-label",
        STATUS + workflows() + UPDATED_AT.replace("FOR EACH ROW", "FOR EACH ROW WHEN (NEW.status <> 'archived')"),
        STATUS_REORDERED
        + workflows()
        + UPDATED_AT.replace("FOR EACH ROW", "FOR EACH ROW WHEN (NEW.status <> 'archived')"),
    ),
    Case(
        "enum-label-removed-while-generated-column-compares-it",
        STATUS + workflows("is_live boolean GENERATED ALWAYS AS (status = 'active') STORED"),
        STATUS_WITHOUT_PAUSED + workflows("is_live boolean GENERATED ALWAYS AS (status = 'active') STORED"),
    ),
    Case(
        "enum-label-removed-while-check-and-view-and-index-all-use-it",
        STATUS
        + workflows("CONSTRAINT not_archived CHECK (status <> 'archived')")
        + "CREATE INDEX workflows_active ON workflows (updated_at) WHERE status = 'active';"
        "CREATE VIEW active_workflows AS SELECT id, title FROM workflows WHERE status = 'active';" + UPDATED_AT,
        STATUS_WITHOUT_PAUSED
        + workflows("CONSTRAINT not_archived CHECK (status <> 'archived')")
        + "CREATE INDEX workflows_active ON workflows (updated_at) WHERE status = 'active';"
        "CREATE VIEW active_workflows AS SELECT id, title FROM workflows WHERE status = 'active';" + UPDATED_AT,
    ),
]

PRIORITY = "CREATE DOMAIN priority AS {base} CHECK (VALUE >= 0);"

TYPE_CASES = [
    Case(
        "composite-gains-attribute-while-column-uses-it",
        STATUS + "CREATE TYPE step_config AS (timeout_seconds integer);" + workflows("config step_config"),
        STATUS
        + "CREATE TYPE step_config AS (timeout_seconds integer, retries integer);"
        + workflows("config step_config"),
    ),
    Case(
        "composite-attribute-retyped-while-column-uses-it",
        STATUS
        + "CREATE TYPE step_config AS (timeout_seconds integer, label text);"
        + workflows("config step_config")
        + "UPDATE workflows SET config = ROW(30, 'fast');",
        STATUS
        + "CREATE TYPE step_config AS (timeout_seconds bigint, label varchar(20));"
        + workflows("config step_config"),
    ),
    Case(
        "composite-attributes-reordered-while-column-uses-it",
        STATUS + "CREATE TYPE step_config AS (timeout_seconds integer, label text);" + workflows("config step_config"),
        STATUS + "CREATE TYPE step_config AS (label text, timeout_seconds integer);" + workflows("config step_config"),
    ),
    Case(
        "composite-retyped-while-function-takes-it",
        STATUS
        + "CREATE TYPE step_config AS (timeout_seconds integer);"
        + "CREATE FUNCTION timeout_of(c step_config) RETURNS integer LANGUAGE sql IMMUTABLE "
        "RETURN (c).timeout_seconds;",
        STATUS
        + "CREATE TYPE step_config AS (timeout_seconds numeric);"
        + "CREATE FUNCTION timeout_of(c step_config) RETURNS integer LANGUAGE sql IMMUTABLE "
        "RETURN (c).timeout_seconds;",
    ),
    Case(
        "domain-base-type-changes-while-column-uses-it",
        STATUS + PRIORITY.format(base="integer") + workflows("priority priority NOT NULL DEFAULT 0"),
        STATUS + PRIORITY.format(base="bigint") + workflows("priority priority NOT NULL DEFAULT 0"),
    ),
    Case(
        "domain-base-type-changes-while-index-and-view-use-column",
        STATUS
        + PRIORITY.format(base="integer")
        + workflows("priority priority")
        + "CREATE INDEX workflows_priority ON workflows (priority);"
        "CREATE VIEW urgent_workflows AS SELECT id, priority FROM workflows WHERE priority > 5;",
        STATUS
        + PRIORITY.format(base="numeric(6,2)")
        + workflows("priority priority")
        + "CREATE INDEX workflows_priority ON workflows (priority);"
        "CREATE VIEW urgent_workflows AS SELECT id, priority FROM workflows WHERE priority > 5;",
    ),
    Case(
        "domain-base-type-changes-while-function-takes-it",
        STATUS
        + PRIORITY.format(base="integer")
        + "CREATE FUNCTION is_urgent(p priority) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN p > 5;"
        + workflows("priority priority", "CONSTRAINT urgent_titled CHECK (NOT is_urgent(priority) OR title <> '')"),
        STATUS
        + PRIORITY.format(base="smallint")
        + "CREATE FUNCTION is_urgent(p priority) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN p > 5;"
        + workflows("priority priority", "CONSTRAINT urgent_titled CHECK (NOT is_urgent(priority) OR title <> '')"),
    ),
    Case(
        "domain-base-type-changes-for-array-column",
        STATUS + PRIORITY.format(base="integer") + workflows("step_priorities priority[]"),
        STATUS + PRIORITY.format(base="bigint") + workflows("step_priorities priority[]"),
    ),
    Case(
        "range-subtype-changes-while-column-uses-it",
        STATUS
        + "CREATE TYPE duration_range AS RANGE (subtype = integer);"
        + workflows("expected_minutes duration_range")
        + "UPDATE workflows SET expected_minutes = '[10,20)';",
        STATUS
        + "CREATE TYPE duration_range AS RANGE (subtype = numeric);"
        + workflows("expected_minutes duration_range"),
    ),
    Case(
        "range-subtype-changes-while-exclusion-constraint-uses-it",
        STATUS
        + "CREATE TYPE duration_range AS RANGE (subtype = integer);"
        + workflows("expected_minutes duration_range", "EXCLUDE USING gist (expected_minutes WITH &&)"),
        STATUS
        + "CREATE TYPE duration_range AS RANGE (subtype = bigint);"
        + workflows("expected_minutes duration_range", "EXCLUDE USING gist (expected_minutes WITH &&)"),
    ),
]

TYPE_CASES.append(
    Case(
        "range-diff-function-added-while-column-uses-it",
        STATUS
        + "CREATE FUNCTION minutes_between(a integer, b integer) RETURNS double precision LANGUAGE sql IMMUTABLE "
        "RETURN b - a; CREATE TYPE duration_range AS RANGE (subtype = integer);"
        + workflows("expected_minutes duration_range"),
        STATUS
        + "CREATE FUNCTION minutes_between(a integer, b integer) RETURNS double precision LANGUAGE sql IMMUTABLE "
        "RETURN b - a; CREATE TYPE duration_range AS RANGE (subtype = integer, subtype_diff = minutes_between);"
        + workflows("expected_minutes duration_range"),
    )
)

COUNT_IN = (
    "CREATE FUNCTION count_in(s workflow_status DEFAULT 'active') RETURNS bigint LANGUAGE sql STABLE "
    "AS $$ SELECT count(*) FROM workflows WHERE status = s $$;"
)

MORE_CASES = [
    Case(
        "composite-loses-attribute-while-column-uses-it",
        STATUS
        + "CREATE TYPE step_config AS (timeout_seconds integer, retries integer);"
        + workflows("config step_config"),
        STATUS + "CREATE TYPE step_config AS (timeout_seconds integer);" + workflows("config step_config"),
    ),
    Case(
        "domain-default-calls-function-whose-argument-is-renamed",
        STATUS
        + normalize()
        + "CREATE DOMAIN slug AS text DEFAULT normalize_title('Untitled') CHECK (VALUE <> '');"
        + workflows("slug slug"),
        STATUS
        + normalize("title text")
        + "CREATE DOMAIN slug AS text DEFAULT normalize_title('Untitled') CHECK (VALUE <> '');"
        + workflows("slug slug"),
    ),
    Case(
        "domain-over-enum-created-while-enum-loses-a-label",
        STATUS + workflows(),
        STATUS_WITHOUT_PAUSED
        + "CREATE DOMAIN live_status AS workflow_status CHECK (VALUE <> 'archived');"
        + workflows("last_live_status live_status"),
    ),
    Case(
        "enum-reordered-while-function-returns-it",
        STATUS + "CREATE FUNCTION initial_status() RETURNS workflow_status LANGUAGE sql IMMUTABLE "
        "RETURN 'draft'::workflow_status;" + workflows("first_status workflow_status DEFAULT initial_status()"),
        STATUS_REORDERED + "CREATE FUNCTION initial_status() RETURNS workflow_status LANGUAGE sql IMMUTABLE "
        "RETURN 'draft'::workflow_status;" + workflows("first_status workflow_status DEFAULT initial_status()"),
    ),
    Case(
        "enum-label-removed-while-function-argument-default-names-a-label",
        STATUS + workflows() + COUNT_IN,
        STATUS_WITHOUT_PAUSED + workflows() + COUNT_IN,
    ),
    Case(
        "function-result-changes-while-view-and-trigger-use-it",
        STATUS
        + is_open()
        + workflows()
        + "CREATE VIEW open_workflows AS SELECT id, title FROM workflows WHERE is_open(status);"
        + UPDATED_AT.replace("FOR EACH ROW", "FOR EACH ROW WHEN (is_open(NEW.status))"),
        STATUS + "CREATE FUNCTION is_open(s workflow_status) RETURNS integer LANGUAGE sql IMMUTABLE "
        "RETURN (s IN ('draft', 'active'))::integer;"
        + workflows()
        + "CREATE VIEW open_workflows AS SELECT id, title FROM workflows WHERE is_open(status) = 1;"
        + UPDATED_AT.replace("FOR EACH ROW", "FOR EACH ROW WHEN (is_open(NEW.status) = 1)"),
    ),
    Case(
        "enum-reordered-while-unique-partial-index-and-foreign-key",
        STATUS
        + workflows()
        + "CREATE UNIQUE INDEX workflows_one_active_title ON workflows (title) WHERE status = 'active';"
        "CREATE TABLE workflow_runs (id bigint PRIMARY KEY, workflow_id bigint NOT NULL REFERENCES workflows, "
        "status workflow_status NOT NULL DEFAULT 'active');",
        STATUS_REORDERED
        + workflows()
        + "CREATE UNIQUE INDEX workflows_one_active_title ON workflows (title) WHERE status = 'active';"
        "CREATE TABLE workflow_runs (id bigint PRIMARY KEY, workflow_id bigint NOT NULL REFERENCES workflows, "
        "status workflow_status NOT NULL DEFAULT 'active');",
    ),
]

RELATION_CASES = [
    # PL/pgSQL functions whose DECLARE names a table's row type, or an array of it, are created with the
    # tables: their bodies are checked when called (as pg_dump has it), not before the tables exist.
    Case(
        "plpgsql-functions-declaring-new-tables-row-types",
        "",
        "CREATE TABLE items (id int PRIMARY KEY, label text);\n"
        "CREATE FUNCTION first_label() RETURNS text LANGUAGE plpgsql AS $$\n"
        "DECLARE r public.items%ROWTYPE; batch items[];\n"
        "BEGIN SELECT * INTO r FROM items LIMIT 1; batch := ARRAY[r]; RETURN batch[1].label; END $$;\n"
        "CREATE TABLE labels (label text DEFAULT first_label());\n",
    ),
    Case(
        "column-retyped-while-sql-function-body-reads-it",
        STATUS
        + workflows("duration_minutes integer")
        + "CREATE FUNCTION total_minutes() RETURNS bigint LANGUAGE sql STABLE "
        "BEGIN ATOMIC SELECT sum(duration_minutes) FROM workflows; END;"
        "CREATE VIEW workload AS SELECT total_minutes() AS minutes;",
        STATUS
        + workflows("duration_minutes bigint")
        + "CREATE FUNCTION total_minutes() RETURNS bigint LANGUAGE sql STABLE "
        "BEGIN ATOMIC SELECT sum(duration_minutes) FROM workflows; END;"
        "CREATE VIEW workload AS SELECT total_minutes() AS minutes;",
    ),
    Case(
        "view-on-view-on-column-whose-type-changes",
        STATUS
        + workflows("duration_minutes integer")
        + "CREATE VIEW workflow_durations AS SELECT id, duration_minutes FROM workflows;"
        "CREATE VIEW long_workflows AS SELECT id FROM workflow_durations WHERE duration_minutes > 60;",
        STATUS
        + workflows("duration_minutes bigint")
        + "CREATE VIEW workflow_durations AS SELECT id, duration_minutes FROM workflows;"
        "CREATE VIEW long_workflows AS SELECT id FROM workflow_durations WHERE duration_minutes > 60;",
    ),
    Case(
        "table-dropped-with-the-view-reading-it",
        STATUS
        + workflows()
        + "CREATE TABLE workflow_steps (id bigint PRIMARY KEY, workflow_id bigint REFERENCES workflows, name text);"
        "CREATE VIEW step_names AS SELECT w.title, s.name FROM workflows w "
        "JOIN workflow_steps s ON s.workflow_id = w.id;",
        STATUS + workflows(),
    ),
    Case(
        "sequence-dropped-while-the-default-using-it-changes",
        STATUS + "CREATE SEQUENCE workflow_numbers;" + workflows("number bigint DEFAULT nextval('workflow_numbers')"),
        STATUS + workflows("number bigint DEFAULT 0"),
    ),
    Case(
        "sequence-replaced-by-another-for-a-default",
        STATUS + "CREATE SEQUENCE workflow_numbers;" + workflows("number bigint DEFAULT nextval('workflow_numbers')"),
        STATUS
        + "CREATE SEQUENCE workflow_refs START 1000;"
        + workflows("number bigint DEFAULT nextval('workflow_refs')"),
    ),
]

CASES = FUNCTION_CASES + ENUM_CASES + TYPE_CASES + MORE_CASES + RELATION_CASES


@pytest.mark.parametrize("case", forward(CASES))
def test_forward(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(CASES))
def test_backward(pg, case):
    run_case(pg, case, reverse=True)


# -- plan shapes -------------------------------------------------------------------------


def _sql(pg, case_id: str) -> list[str]:
    case = case_by_id(CASES, case_id)
    return assert_converges(pg, case.a, case.b).sql


def test_index_on_a_recreated_function_is_rebuilt_concurrently(pg):
    sql = _sql(pg, "index-expression-calls-function-whose-argument-is-renamed")
    assert sql[0] == "DROP INDEX CONCURRENTLY public.workflows_title"
    assert sql[1] == "DROP FUNCTION public.normalize_title(t text)"
    assert sql[-1].startswith("CREATE INDEX CONCURRENTLY workflows_title ON public.workflows")


def test_check_on_a_recreated_function_is_added_not_valid_then_validated(pg):
    sql = _sql(pg, "check-calls-function-whose-argument-is-renamed")
    assert sql[0] == "ALTER TABLE public.workflows DROP CONSTRAINT title_normalized"
    assert sql[-2].endswith("NOT VALID")
    assert sql[-1] == "ALTER TABLE public.workflows VALIDATE CONSTRAINT title_normalized"


def test_default_goes_before_its_function_and_comes_back_after(pg):
    sql = _sql(pg, "default-calls-function-whose-result-changes")
    assert sql[0] == "ALTER TABLE public.workflows ALTER COLUMN reference DROP DEFAULT"
    assert sql[1] == "DROP FUNCTION public.new_reference()"
    assert sql[-1] == "ALTER TABLE public.workflows ALTER COLUMN reference SET DEFAULT public.new_reference()"


def test_enum_rebuild_takes_down_and_restores_what_names_its_labels(pg):
    sql = _sql(pg, "enum-label-removed-while-check-and-view-and-index-all-use-it")
    rename = sql.index("ALTER TYPE public.workflow_status RENAME TO workflow_status_pgdiff_old")
    for before in (
        "ALTER TABLE public.workflows DROP CONSTRAINT not_archived",
        "DROP INDEX CONCURRENTLY public.workflows_active",
        "DROP VIEW public.active_workflows",
        "ALTER TABLE public.workflows ALTER COLUMN status DROP DEFAULT",
    ):
        assert sql.index(before) < rename
    # The trigger reads no label: it stays.
    assert not any("update_workflows_updated_at" in s for s in sql)
    assert sql[-1] == "DROP TYPE public.workflow_status_pgdiff_old"


def test_domain_over_rebuilt_enum_is_set_aside_and_columns_converted(pg):
    sql = _sql(pg, "enum-label-removed-while-domain-over-it-is-used")
    assert sql.index("ALTER DOMAIN public.live_status RENAME TO live_status_pgdiff_old") < sql.index(
        "ALTER TYPE public.workflow_status RENAME TO workflow_status_pgdiff_old"
    )
    assert (
        "ALTER TABLE public.workflows ALTER COLUMN last_live_status TYPE public.live_status "
        "USING last_live_status::text::public.live_status" in sql
    )
    assert sql[-2:] == ["DROP DOMAIN public.live_status_pgdiff_old", "DROP TYPE public.workflow_status_pgdiff_old"]


def test_domain_base_type_change_keeps_the_data(pg):
    case = case_by_id(CASES, "domain-base-type-changes-while-column-uses-it")
    result = assert_converges(pg, case.a + "UPDATE workflows SET priority = 7;", case.b)
    with psycopg.connect(pg.conninfo(result.current_db)) as conn:
        assert conn.execute("SELECT priority FROM workflows ORDER BY id").fetchall() == [(7,), (7,)]
    assert {h.code for h in result.plan.hazards} >= {"table-rewrite", "access-exclusive-lock"}


def test_composite_conversion_keeps_attributes(pg):
    case = case_by_id(CASES, "composite-attribute-retyped-while-column-uses-it")
    result = assert_converges(pg, case.a, case.b)
    with psycopg.connect(pg.conninfo(result.current_db)) as conn:
        rows = conn.execute("SELECT (config).timeout_seconds, (config).label FROM workflows").fetchall()
    assert rows == [(30, "fast"), (30, "fast")]


def test_function_body_change_leaves_what_uses_it_alone(pg):
    with_check = workflows("CONSTRAINT title_normalized CHECK (normalize_title(title) <> '')")
    changed = normalize().replace("lower(btrim(t))", "upper(btrim(t))")
    sql = assert_converges(pg, STATUS + normalize() + with_check, STATUS + changed + with_check).sql
    assert len(sql) == 1 and sql[0].startswith("CREATE OR REPLACE FUNCTION public.normalize_title(t text)")


# -- the dependency facts --------------------------------------------------------------------


def test_dependencies_are_read_in_model_terms(pg):
    case = case_by_id(CASES, "enum-label-removed-while-check-and-view-and-index-all-use-it")
    model = inspect_db(pg, new_database(pg, case.a))
    pairs = model.dependencies
    status = ("enum", ("public", "workflow_status"))
    assert (("column", ("public", "workflows", "status")), status) in pairs
    assert (("constraint", ("public", "workflows", "not_archived")), status) in pairs
    assert (("index", ("public", "workflows_active")), status) in pairs
    assert (("view", ("public", "active_workflows")), ("column", ("public", "workflows", "status"))) in pairs
    assert (("default", ("public", "workflows", "status")), status) in pairs
    trigger = ("trigger", ("public", "workflows", "update_workflows_updated_at"))
    assert (trigger, ("function", ("public", "update_updated_at_column", ""))) in pairs
    # The identity column's sequence is not a managed object.
    assert not any(ref[0] == "sequence" for pair in pairs for ref in pair)
    # Dependencies never make two models differ.
    assert model.comparable() == Model(**{**model.__dict__, "dependencies": frozenset()}).comparable()
    assert model == Model(**{**model.__dict__, "dependencies": frozenset()})


def test_extension_objects_are_left_out_of_dependencies(pg):
    dbname = new_database(
        pg,
        "CREATE EXTENSION citext; CREATE DOMAIN email AS citext CHECK (VALUE LIKE '%@%');"
        "CREATE TABLE users (id int, address email);",
    )
    model = inspect_db(pg, dbname)
    assert model.dependencies == {
        (("column", ("public", "users", "address")), ("domain", ("public", "email"))),
    }


def test_dependents_are_found_through_other_objects(pg):
    case = case_by_id(CASES, "view-on-view-calls-function-whose-argument-is-renamed")
    model = inspect_db(pg, new_database(pg, case.a))
    found = dependents_of(model, {("function", ("public", "is_open", "s public.workflow_status"))})
    assert found == {("view", ("public", "open_workflows")), ("view", ("public", "open_workflow_titles"))}


def test_dependency_cycle_is_refused_naming_its_objects():
    def view(name: str) -> View:
        return View("public", name, "SELECT 1")

    a, b = ("view", ("public", "a")), ("view", ("public", "b"))
    model = Model(
        server_version=180000,
        schemas={},
        extensions={},
        tables={},
        constraints={},
        indexes={},
        views={("public", "a"): view("a"), ("public", "b"): view("b")},
        dependencies=frozenset({(a, b), (b, a)}),
    )
    with pytest.raises(PgdiffError, match=r"^dependency cycle: view public\.a -> view public\.b -> view public\.a$"):
        dependency_order(model, {a, b})


def test_dependency_order_puts_what_is_used_first_through_objects_left_out():
    a, b, c = ("view", ("public", "a")), ("view", ("public", "b")), ("view", ("public", "c"))
    model = Model(180000, {}, {}, {}, {}, {}, dependencies=frozenset({(a, b), (b, c)}))
    assert dependency_order(model, {a, c}) == [c, a]
