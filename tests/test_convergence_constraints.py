"""Convergence of primary key, unique, check, foreign key and exclusion constraints."""

from __future__ import annotations

import pytest

from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import assert_converges

WORKFLOWS = "CREATE TABLE workflows (id uuid PRIMARY KEY, code text NOT NULL, name text NOT NULL);"


def runs(fk: str = "", extra: str = "") -> str:
    """workflow_runs with an optional foreign key clause on workflow_id and extra table elements."""
    elements = ["id uuid PRIMARY KEY", f"workflow_id uuid {fk}".rstrip(), "status text NOT NULL DEFAULT 'pending'"]
    if extra:
        elements.append(extra)
    return f"CREATE TABLE workflow_runs ({', '.join(elements)});"


def fk_case(case_id: str, a_clause: str, b_clause: str, min_server: int | None = None) -> Case:
    """Two forms of the foreign key from workflow_runs to workflows."""
    return Case(case_id, WORKFLOWS + runs(a_clause), WORKFLOWS + runs(b_clause), min_server)


SCHEDULES = """
CREATE TABLE schedules (
    id int PRIMARY KEY,
    workflow_id uuid NOT NULL,
    active boolean NOT NULL DEFAULT true,
    window_ts tsrange NOT NULL,
    slots int4range NOT NULL
);
"""

PRIMARY_KEY_CASES = [
    Case(
        "primary-key-added",
        "CREATE TABLE form_responses (id uuid, data jsonb);",
        "CREATE TABLE form_responses (id uuid PRIMARY KEY, data jsonb);",
    ),
    Case(
        "primary-key-changes-columns",
        "CREATE TABLE form_responses (tenant_id int NOT NULL, id uuid PRIMARY KEY, data jsonb);",
        "CREATE TABLE form_responses (tenant_id int NOT NULL, id uuid NOT NULL, data jsonb,"
        " PRIMARY KEY (tenant_id, id));",
    ),
    Case(
        "primary-key-renamed-under-foreign-key",
        WORKFLOWS + runs("REFERENCES workflows"),
        WORKFLOWS.replace("id uuid PRIMARY KEY", "id uuid CONSTRAINT workflows_id_pk PRIMARY KEY")
        + runs("REFERENCES workflows"),
    ),
    Case(
        "primary-key-moves-and-foreign-key-follows",
        WORKFLOWS + runs("REFERENCES workflows (id)"),
        "CREATE TABLE workflows (id uuid NOT NULL UNIQUE, code text PRIMARY KEY, name text NOT NULL);"
        + runs("REFERENCES workflows (id)", "workflow_code text REFERENCES workflows"),
    ),
    Case(
        "primary-key-with-include-and-fillfactor",
        "CREATE TABLE node_executions (id bigint PRIMARY KEY, node_id text);",
        "CREATE TABLE node_executions (id bigint, node_id text,"
        " PRIMARY KEY (id) INCLUDE (node_id) WITH (fillfactor = 80));",
    ),
    Case(
        "primary-key-dropped-with-referencing-table",
        WORKFLOWS + runs("REFERENCES workflows"),
        "CREATE TABLE workflows (id uuid NOT NULL, code text NOT NULL, name text NOT NULL);",
    ),
    Case(
        "composite-primary-and-foreign-key",
        """
        CREATE TABLE form_schemas (tenant_id int, id uuid, PRIMARY KEY (tenant_id, id));
        CREATE TABLE form_responses (tenant_id int, id uuid PRIMARY KEY, form_schema_id uuid);
        """,
        """
        CREATE TABLE form_schemas (tenant_id int, id uuid, PRIMARY KEY (tenant_id, id));
        CREATE TABLE form_responses (tenant_id int, id uuid PRIMARY KEY, form_schema_id uuid,
            FOREIGN KEY (tenant_id, form_schema_id) REFERENCES form_schemas (tenant_id, id) ON DELETE CASCADE);
        """,
    ),
]

UNIQUE_CASES = [
    Case("unique-single-column", WORKFLOWS, WORKFLOWS + "ALTER TABLE workflows ADD UNIQUE (code);"),
    Case(
        "unique-multi-column",
        WORKFLOWS + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_key UNIQUE (code);",
        WORKFLOWS + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_key UNIQUE (code, name);",
    ),
    Case(
        "unique-deferrable",
        WORKFLOWS + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_key UNIQUE (code);",
        WORKFLOWS
        + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_key UNIQUE (code) DEFERRABLE INITIALLY DEFERRED;",
    ),
    Case(
        "unique-nulls-not-distinct",
        WORKFLOWS + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_key UNIQUE (code);",
        WORKFLOWS + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_key UNIQUE NULLS NOT DISTINCT (code);",
        min_server=15,
    ),
    Case(
        "primary-key-becomes-unique-of-the-same-name",
        "CREATE TABLE workflows (id uuid CONSTRAINT workflows_key PRIMARY KEY, name text);",
        "CREATE TABLE workflows (id uuid NOT NULL CONSTRAINT workflows_key UNIQUE, name text);",
    ),
    Case(
        "unique-constraint-name-reused-by-index-on-other-table",
        "CREATE TABLE workflows (slug text CONSTRAINT slug_key UNIQUE); CREATE TABLE templates (slug text);",
        "CREATE TABLE workflows (slug text); CREATE TABLE templates (slug text);"
        "CREATE UNIQUE INDEX slug_key ON templates (slug);",
    ),
    Case(
        "unique-constraint-becomes-unique-index",
        WORKFLOWS + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_key UNIQUE (code);",
        WORKFLOWS + "CREATE UNIQUE INDEX workflows_code_key ON workflows (code);",
    ),
    Case(
        "unique-constraint-becomes-unique-index-under-foreign-key",
        WORKFLOWS
        + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_key UNIQUE (code);"
        + runs(extra="workflow_code text REFERENCES workflows (code)"),
        WORKFLOWS
        + "CREATE UNIQUE INDEX workflows_code_key ON workflows (code);"
        + runs(extra="workflow_code text REFERENCES workflows (code)"),
    ),
]

CHECK_CASES = [
    Case(
        "check-added",
        runs(),
        runs(extra="CONSTRAINT workflow_runs_status_check CHECK (status IN ('pending', 'running', 'done'))"),
    ),
    Case(
        "check-expression-changes",
        runs(extra="CONSTRAINT workflow_runs_status_check CHECK (status IN ('pending', 'running', 'done'))"),
        runs(extra="CONSTRAINT workflow_runs_status_check CHECK (status IN ('pending', 'running', 'done', 'failed'))"),
    ),
    Case(
        "check-not-valid-added",
        runs(),
        runs() + "ALTER TABLE workflow_runs ADD CONSTRAINT status_not_blank CHECK (status <> '') NOT VALID;",
    ),
    Case(
        "check-not-valid-becomes-valid",
        runs() + "ALTER TABLE workflow_runs ADD CONSTRAINT status_not_blank CHECK (status <> '') NOT VALID;",
        runs() + "ALTER TABLE workflow_runs ADD CONSTRAINT status_not_blank CHECK (status <> '');",
    ),
    Case(
        "check-not-valid-expression-changes",
        runs() + "ALTER TABLE workflow_runs ADD CONSTRAINT status_not_blank CHECK (status <> '') NOT VALID;",
        runs() + "ALTER TABLE workflow_runs ADD CONSTRAINT status_not_blank CHECK (length(status) > 0) NOT VALID;",
    ),
    Case(
        "check-no-inherit",
        runs(extra="CONSTRAINT status_known CHECK (status <> 'unknown')"),
        runs(extra="CONSTRAINT status_known CHECK (status <> 'unknown') NO INHERIT"),
    ),
    Case(
        "check-not-valid-no-inherit",
        runs(),
        runs()
        + "ALTER TABLE workflow_runs ADD CONSTRAINT status_known CHECK (status <> 'unknown') NO INHERIT NOT VALID;",
    ),
    Case(
        "check-not-enforced",
        runs(extra="CONSTRAINT status_known CHECK (status <> 'unknown')"),
        runs(extra="CONSTRAINT status_known CHECK (status <> 'unknown') NOT ENFORCED"),
        min_server=18,
    ),
    Case(
        "check-on-new-column",
        runs(),
        runs(extra="priority int NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5)"),
    ),
    Case(
        "check-jsonb-shape",
        "CREATE TABLE form_responses (id uuid PRIMARY KEY, data jsonb NOT NULL, metadata jsonb);",
        "CREATE TABLE form_responses (id uuid PRIMARY KEY, data jsonb NOT NULL, metadata jsonb,"
        " CONSTRAINT data_is_object CHECK (jsonb_typeof(data) = 'object'),"
        " CONSTRAINT metadata_has_source CHECK (metadata IS NULL OR metadata ? 'source'));",
    ),
]

FOREIGN_KEY_CASES = [
    fk_case("foreign-key-added", "", "REFERENCES workflows (id)"),
    fk_case(
        "foreign-key-on-delete-cascade-to-set-null",
        "REFERENCES workflows ON DELETE CASCADE",
        "REFERENCES workflows ON DELETE SET NULL",
    ),
    fk_case("foreign-key-restrict-to-no-action", "REFERENCES workflows ON DELETE RESTRICT", "REFERENCES workflows"),
    fk_case(
        "foreign-key-set-default",
        "DEFAULT '00000000-0000-0000-0000-000000000000' REFERENCES workflows",
        "DEFAULT '00000000-0000-0000-0000-000000000000' REFERENCES workflows ON DELETE SET DEFAULT",
    ),
    fk_case(
        "foreign-key-on-update-cascade",
        "REFERENCES workflows",
        "REFERENCES workflows ON UPDATE CASCADE ON DELETE RESTRICT",
    ),
    fk_case("foreign-key-deferrable", "REFERENCES workflows", "REFERENCES workflows DEFERRABLE INITIALLY DEFERRED"),
    fk_case(
        "foreign-key-deferrable-initially-immediate",
        "REFERENCES workflows DEFERRABLE INITIALLY DEFERRED",
        "REFERENCES workflows DEFERRABLE",
    ),
    fk_case("foreign-key-not-enforced", "REFERENCES workflows", "REFERENCES workflows NOT ENFORCED", min_server=18),
    Case(
        "foreign-key-match-full",
        SCHEDULES.replace("id int PRIMARY KEY", "id int, version int, PRIMARY KEY (id, version)")
        + "CREATE TABLE jobs (id int PRIMARY KEY, schedule_id int, schedule_version int,"
        " FOREIGN KEY (schedule_id, schedule_version) REFERENCES schedules);",
        SCHEDULES.replace("id int PRIMARY KEY", "id int, version int, PRIMARY KEY (id, version)")
        + "CREATE TABLE jobs (id int PRIMARY KEY, schedule_id int, schedule_version int,"
        " FOREIGN KEY (schedule_id, schedule_version) REFERENCES schedules MATCH FULL);",
    ),
    Case(
        "foreign-key-on-delete-set-null-column-list",
        "CREATE TABLE form_schemas (tenant_id int, id int, PRIMARY KEY (tenant_id, id));"
        "CREATE TABLE form_responses (tenant_id int NOT NULL, id int PRIMARY KEY, schema_id int,"
        " FOREIGN KEY (tenant_id, schema_id) REFERENCES form_schemas ON DELETE SET NULL);",
        "CREATE TABLE form_schemas (tenant_id int, id int, PRIMARY KEY (tenant_id, id));"
        "CREATE TABLE form_responses (tenant_id int NOT NULL, id int PRIMARY KEY, schema_id int,"
        " FOREIGN KEY (tenant_id, schema_id) REFERENCES form_schemas ON DELETE SET NULL (schema_id));",
        min_server=15,
    ),
    Case(
        "foreign-key-to-unique-constraint",
        WORKFLOWS + runs(),
        WORKFLOWS
        + "ALTER TABLE workflows ADD UNIQUE (code);"
        + runs(extra="workflow_code text REFERENCES workflows (code) ON DELETE CASCADE"),
    ),
    Case(
        "foreign-key-to-unique-index",
        WORKFLOWS + runs(),
        WORKFLOWS
        + "CREATE UNIQUE INDEX workflows_code_idx ON workflows (code);"
        + runs(extra="workflow_code text REFERENCES workflows (code)"),
    ),
    Case(
        "referenced-unique-index-changes",
        WORKFLOWS
        + "CREATE UNIQUE INDEX workflows_code_idx ON workflows (code);"
        + runs(extra="workflow_code text REFERENCES workflows (code)"),
        WORKFLOWS
        + "CREATE UNIQUE INDEX workflows_code_idx ON workflows (code) INCLUDE (name);"
        + runs(extra="workflow_code text REFERENCES workflows (code)"),
    ),
    Case(
        "referenced-unique-constraint-changes",
        WORKFLOWS
        + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_key UNIQUE (code);"
        + runs(extra="workflow_code text REFERENCES workflows (code)"),
        WORKFLOWS
        + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_key UNIQUE (code) WITH (fillfactor = 70);"
        + runs(extra="workflow_code text REFERENCES workflows (code)"),
    ),
    Case(
        "referenced-unique-index-replaced-by-constraint",
        WORKFLOWS
        + "CREATE UNIQUE INDEX workflows_code_idx ON workflows (code);"
        + runs(extra="workflow_code text REFERENCES workflows (code)"),
        WORKFLOWS
        + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_uq UNIQUE (code);"
        + runs(extra="workflow_code text REFERENCES workflows (code)"),
    ),
    Case(
        "foreign-key-across-schemas",
        "CREATE SCHEMA engine; CREATE SCHEMA forms;"
        "CREATE TABLE engine.workflow_runs (id uuid PRIMARY KEY);"
        "CREATE TABLE forms.form_responses (id uuid PRIMARY KEY, workflow_run_id uuid);",
        "CREATE SCHEMA engine; CREATE SCHEMA forms;"
        "CREATE TABLE engine.workflow_runs (id uuid PRIMARY KEY);"
        "CREATE TABLE forms.form_responses (id uuid PRIMARY KEY,"
        " workflow_run_id uuid REFERENCES engine.workflow_runs ON DELETE CASCADE);",
    ),
    Case(
        "foreign-key-not-valid-added",
        WORKFLOWS + runs(),
        WORKFLOWS + runs() + "ALTER TABLE workflow_runs ADD CONSTRAINT workflow_runs_workflow_fk"
        " FOREIGN KEY (workflow_id) REFERENCES workflows NOT VALID;",
    ),
    Case(
        "foreign-key-not-valid-becomes-valid",
        WORKFLOWS + runs() + "ALTER TABLE workflow_runs ADD CONSTRAINT workflow_runs_workflow_fk"
        " FOREIGN KEY (workflow_id) REFERENCES workflows NOT VALID;",
        WORKFLOWS + runs() + "ALTER TABLE workflow_runs ADD CONSTRAINT workflow_runs_workflow_fk"
        " FOREIGN KEY (workflow_id) REFERENCES workflows;",
    ),
    Case(
        "foreign-key-not-valid-on-new-table",
        WORKFLOWS,
        WORKFLOWS + runs() + "ALTER TABLE workflow_runs ADD CONSTRAINT workflow_runs_workflow_fk"
        " FOREIGN KEY (workflow_id) REFERENCES workflows NOT VALID;",
    ),
    Case(
        "child-table-dropped-while-parent-key-changes",
        WORKFLOWS + runs("REFERENCES workflows"),
        "CREATE TABLE workflows (id uuid NOT NULL, code text PRIMARY KEY, name text NOT NULL);",
    ),
    Case(
        "child-table-dropped-while-parent-unique-index-dropped",
        WORKFLOWS
        + "CREATE UNIQUE INDEX workflows_code_idx ON workflows (code);"
        + runs(extra="workflow_code text REFERENCES workflows (code)"),
        WORKFLOWS,
    ),
]

KEY_TYPE_CASES = [
    Case(
        "foreign-key-columns-change-type-together",
        "CREATE TABLE workflows (id text PRIMARY KEY);"
        "CREATE TABLE workflow_runs (id int PRIMARY KEY, workflow_id text REFERENCES workflows ON DELETE CASCADE);",
        "CREATE TABLE workflows (id uuid PRIMARY KEY);"
        "CREATE TABLE workflow_runs (id int PRIMARY KEY, workflow_id uuid REFERENCES workflows ON DELETE CASCADE);",
    ),
    Case(
        "self-referencing-key-changes-type",
        "CREATE TABLE workflow_nodes (id int PRIMARY KEY, parent_id int REFERENCES workflow_nodes);",
        "CREATE TABLE workflow_nodes (id text PRIMARY KEY, parent_id text REFERENCES workflow_nodes);",
    ),
    Case(
        "column-under-referenced-unique-index-changes-type",
        "CREATE TABLE workflows (id int PRIMARY KEY, code varchar(20) NOT NULL);"
        "CREATE UNIQUE INDEX workflows_code_idx ON workflows (code);"
        "CREATE TABLE workflow_runs (id int PRIMARY KEY, workflow_code varchar(20) REFERENCES workflows (code));",
        "CREATE TABLE workflows (id int PRIMARY KEY, code text NOT NULL);"
        "CREATE UNIQUE INDEX workflows_code_idx ON workflows (code);"
        "CREATE TABLE workflow_runs (id int PRIMARY KEY, workflow_code text REFERENCES workflows (code));",
    ),
    Case(
        "foreign-key-chain-widens-to-bigint",
        "CREATE TABLE workflows (id int PRIMARY KEY);"
        "CREATE TABLE workflow_runs (id int PRIMARY KEY, workflow_id int REFERENCES workflows);"
        "CREATE TABLE node_executions (workflow_run_id int REFERENCES workflow_runs);",
        "CREATE TABLE workflows (id bigint PRIMARY KEY);"
        "CREATE TABLE workflow_runs (id bigint PRIMARY KEY, workflow_id bigint REFERENCES workflows);"
        "CREATE TABLE node_executions (workflow_run_id bigint REFERENCES workflow_runs);",
    ),
    Case(
        "foreign-key-on-new-column-to-moved-primary-key",
        "CREATE TABLE workflows (id int PRIMARY KEY, code text NOT NULL); CREATE TABLE workflow_runs (id int);",
        "CREATE TABLE workflows (id int NOT NULL, code text PRIMARY KEY);"
        "CREATE TABLE workflow_runs (id int, workflow_code text REFERENCES workflows);",
    ),
]

INDEX_OPTION_CASES = [
    Case(
        "unique-deferrable-with-fillfactor",
        WORKFLOWS
        + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_key UNIQUE (code) DEFERRABLE INITIALLY DEFERRED;",
        WORKFLOWS + "ALTER TABLE workflows ADD CONSTRAINT workflows_code_key"
        " UNIQUE (code) WITH (fillfactor = 50, deduplicate_items = off) DEFERRABLE INITIALLY DEFERRED;",
    ),
    Case(
        "exclusion-constraint-with-fillfactor",
        SCHEDULES + "ALTER TABLE schedules ADD CONSTRAINT schedules_no_overlap EXCLUDE USING gist (slots WITH &&);",
        SCHEDULES + "ALTER TABLE schedules ADD CONSTRAINT schedules_no_overlap"
        " EXCLUDE USING gist (slots WITH &&) WITH (fillfactor = 60) WHERE (active);",
    ),
]

EXCLUSION_CASES = [
    Case(
        "exclusion-constraint-added",
        SCHEDULES,
        SCHEDULES + "ALTER TABLE schedules ADD CONSTRAINT schedules_no_overlap EXCLUDE USING gist (window_ts WITH &&);",
    ),
    Case(
        "exclusion-constraint-with-predicate",
        SCHEDULES + "ALTER TABLE schedules ADD CONSTRAINT schedules_no_overlap EXCLUDE USING gist (window_ts WITH &&);",
        SCHEDULES + "ALTER TABLE schedules ADD CONSTRAINT schedules_no_overlap"
        " EXCLUDE USING gist (window_ts WITH &&) WHERE (active);",
    ),
    Case(
        "exclusion-constraint-changes-column",
        SCHEDULES + "ALTER TABLE schedules ADD CONSTRAINT schedules_no_overlap EXCLUDE USING gist (window_ts WITH &&);",
        SCHEDULES + "ALTER TABLE schedules ADD CONSTRAINT schedules_no_overlap"
        " EXCLUDE USING gist (slots WITH &&, window_ts WITH &&) DEFERRABLE;",
    ),
    Case(
        "exclusion-constraint-on-new-table",
        "",
        SCHEDULES.replace("slots int4range NOT NULL", "slots int4range NOT NULL, EXCLUDE USING gist (slots WITH &&)"),
    ),
]

CASES = (
    PRIMARY_KEY_CASES
    + UNIQUE_CASES
    + CHECK_CASES
    + FOREIGN_KEY_CASES
    + KEY_TYPE_CASES
    + INDEX_OPTION_CASES
    + EXCLUSION_CASES
)


@pytest.mark.parametrize("case", forward(CASES))
def test_converges_a_to_b(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(CASES))
def test_converges_b_to_a(pg, case):
    run_case(pg, case, reverse=True)



def _positions(sql: list[str], *needles: str) -> list[int]:
    """Index in `sql` of the first statement containing each needle."""
    return [next(i for i, s in enumerate(sql) if needle in s) for needle in needles]


def test_foreign_key_is_dropped_before_and_added_after_its_key_changes(pg):
    case = case_by_id(CASES, "primary-key-renamed-under-foreign-key")
    sql = assert_converges(pg, case.a, case.b).sql
    drop_fk, drop_pk, add_pk, add_fk = _positions(
        sql,
        "DROP CONSTRAINT workflow_runs_workflow_id_fkey",
        "DROP CONSTRAINT workflows_pkey",
        "ADD CONSTRAINT workflows_id_pk",
        "ADD CONSTRAINT workflow_runs_workflow_id_fkey",
    )
    assert drop_fk < drop_pk < add_pk < add_fk, sql


def test_not_valid_check_is_added_without_validation(pg):
    case = case_by_id(CASES, "check-not-valid-added")
    sql = assert_converges(pg, case.a, case.b).sql
    assert len(sql) == 1 and sql[0].endswith("NOT VALID"), sql


def test_making_a_constraint_valid_only_validates_it(pg):
    for case_id in ("check-not-valid-becomes-valid", "foreign-key-not-valid-becomes-valid"):
        case = case_by_id(CASES, case_id)
        result = assert_converges(pg, case.a, case.b)
        assert [s.action for s in result.plan.statements] == ["validate"], result.sql
        assert "VALIDATE CONSTRAINT" in result.sql[0]


def test_foreign_key_to_a_new_table_is_added_after_both_tables_exist(pg):
    case = case_by_id(CASES, "foreign-key-not-valid-on-new-table")
    sql = assert_converges(pg, case.a, case.b).sql
    create, add_fk = _positions(sql, "CREATE TABLE", "FOREIGN KEY")
    assert create < add_fk and sql[add_fk].endswith("NOT VALID"), sql


def test_foreign_key_is_taken_apart_while_its_columns_change_type(pg):
    case = case_by_id(CASES, "foreign-key-columns-change-type-together")
    sql = assert_converges(pg, case.a, case.b).sql
    drop_fk, parent_type, child_type, add_fk = _positions(
        sql,
        "DROP CONSTRAINT workflow_runs_workflow_id_fkey",
        "ALTER TABLE public.workflows ALTER COLUMN id TYPE uuid",
        "ALTER COLUMN workflow_id TYPE uuid",
        "ADD CONSTRAINT workflow_runs_workflow_id_fkey",
    )
    assert drop_fk < min(parent_type, child_type) and max(parent_type, child_type) < add_fk, sql
