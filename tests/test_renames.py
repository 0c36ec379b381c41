"""Renames from `-- pgdiff: renamed from` directives keep the rows, and stay harmless once done."""

from __future__ import annotations

import re

import psycopg
import pytest

from pgdiff.errors import SourceError
from tests.pg import assert_converges

# Seed 000's renames: workflows.name -> title, workflow_node_contexts.id -> node_id.
SEED_CURRENT = """
CREATE TABLE workflows (
    id uuid PRIMARY KEY,
    name text NOT NULL CONSTRAINT workflows_title_present CHECK (name <> ''),
    created_at timestamptz DEFAULT now()
);
CREATE INDEX workflows_name_idx ON workflows (lower(name));
CREATE TABLE workflow_node_contexts (
    id text NOT NULL,
    workflow_id uuid REFERENCES workflows (id),
    context jsonb,
    CONSTRAINT workflow_node_contexts_pkey PRIMARY KEY (workflow_id, id)
);
INSERT INTO workflows VALUES ('00000000-0000-0000-0000-000000000001', 'Nightly ETL', now());
INSERT INTO workflow_node_contexts VALUES ('extract', '00000000-0000-0000-0000-000000000001', '{"rows": 3}');
"""

SEED_DESIRED = """
CREATE TABLE workflows (
    id uuid PRIMARY KEY,
    title text NOT NULL CONSTRAINT workflows_title_present CHECK (title <> ''), -- pgdiff: renamed from name
    created_at timestamptz DEFAULT now()
);
CREATE INDEX workflows_name_idx ON workflows (lower(title));
CREATE TABLE workflow_node_contexts (
    node_id text NOT NULL, -- pgdiff: renamed from id
    workflow_id uuid REFERENCES workflows (id),
    context jsonb,
    CONSTRAINT workflow_node_contexts_pkey PRIMARY KEY (workflow_id, node_id)
);
"""


def rows(pg, dbname: str, query: str) -> list[tuple]:
    with psycopg.connect(pg.conninfo(dbname)) as conn:
        return conn.execute(query).fetchall()


def test_seed_column_renames_keep_rows_and_dependants(pg):
    result = assert_converges(pg, SEED_CURRENT, SEED_DESIRED)
    renames = [
        "ALTER TABLE public.workflow_node_contexts RENAME COLUMN id TO node_id",
        "ALTER TABLE public.workflows RENAME COLUMN name TO title",
    ]
    if pg.major >= 18:  # NOT NULL constraints have names, which keep the old column's
        renames += [
            "ALTER TABLE public.workflow_node_contexts RENAME CONSTRAINT workflow_node_contexts_id_not_null"
            " TO workflow_node_contexts_node_id_not_null",
            "ALTER TABLE public.workflows RENAME CONSTRAINT workflows_name_not_null TO workflows_title_not_null",
        ]
    assert result.sql == renames
    assert {h.code for s in result.plan.statements[:2] for h in s.hazards} == {"breaking-change"}
    assert rows(pg, result.current_db, "SELECT title FROM workflows") == [("Nightly ETL",)]
    assert rows(pg, result.current_db, "SELECT node_id, context->>'rows' FROM workflow_node_contexts") == [
        ("extract", "3")
    ]


def test_table_rename_keeps_rows_indexes_and_foreign_keys(pg):
    result = assert_converges(
        pg,
        "CREATE TABLE flows (id int PRIMARY KEY, v text); CREATE INDEX flows_v ON flows (v);"
        "CREATE TABLE runs (id int, flow_id int REFERENCES flows (id));"
        "INSERT INTO flows VALUES (1, 'a'), (2, 'b');",
        "-- pgdiff: renamed from flows\n"
        "CREATE TABLE workflows (id int CONSTRAINT flows_pkey PRIMARY KEY, v text);"
        "CREATE INDEX flows_v ON workflows (v);"
        "CREATE TABLE runs (id int, flow_id int CONSTRAINT runs_flow_id_fkey REFERENCES workflows (id));",
    )
    assert result.sql[0] == "ALTER TABLE public.flows RENAME TO workflows"
    if pg.major >= 18:
        assert result.sql[1:] == [
            "ALTER TABLE public.workflows RENAME CONSTRAINT flows_id_not_null TO workflows_id_not_null"
        ]
    else:
        assert result.sql[1:] == []
    assert rows(pg, result.current_db, "SELECT count(*) FROM workflows") == [(2,)]


def test_renamed_column_with_a_new_type_is_renamed_then_altered(pg):
    result = assert_converges(
        pg,
        "CREATE TABLE t (amount varchar(10)); INSERT INTO t VALUES ('12');",
        "CREATE TABLE t (\n  total varchar(20) -- pgdiff: renamed from amount\n);",
    )
    assert result.sql == [
        "ALTER TABLE public.t RENAME COLUMN amount TO total",
        "ALTER TABLE public.t ALTER COLUMN total TYPE character varying(20)",
    ]
    assert rows(pg, result.current_db, "SELECT total FROM t") == [("12",)]


def test_index_and_constraint_renames(pg):
    result = assert_converges(
        pg,
        "CREATE TABLE t (a int CONSTRAINT a_positive CHECK (a > 0)); CREATE INDEX t_a_idx ON t (a);",
        "CREATE TABLE t (\n  a int,\n  CONSTRAINT t_a_check CHECK (a > 0) -- pgdiff: renamed from a_positive\n);\n"
        "-- pgdiff: renamed from t_a_idx\nCREATE INDEX t_a ON t (a);",
    )
    assert result.sql == [
        "ALTER TABLE public.t RENAME CONSTRAINT a_positive TO t_a_check",
        "ALTER INDEX public.t_a_idx RENAME TO t_a",
    ]


def test_awkward_names_are_quoted(pg):
    result = assert_converges(
        pg,
        'CREATE TABLE "Order Items" ("Select" int, "ünïcode" text);',
        '-- pgdiff: renamed from "Order Items"\n'
        'CREATE TABLE "order" (\n  "from" int, -- pgdiff: renamed from "Select"\n'
        '  "Ünïcode ""quoted""" text -- pgdiff: renamed from "ünïcode"\n);',
    )
    assert result.sql == [
        'ALTER TABLE public."Order Items" RENAME TO "order"',
        'ALTER TABLE public."order" RENAME COLUMN "Select" TO "from"',
        'ALTER TABLE public."order" RENAME COLUMN "ünïcode" TO "Ünïcode ""quoted"""',
    ]


def test_directive_is_a_no_op_once_applied(pg):
    desired = "CREATE TABLE t (\n  title text -- pgdiff: renamed from name\n);"
    result = assert_converges(pg, "CREATE TABLE t (title text);", desired)
    assert result.plan.is_empty


def test_directive_for_a_new_object_creates_it(pg):
    result = assert_converges(
        pg, "CREATE TABLE t (a int);", "CREATE TABLE t (\n  a int,\n  b int -- pgdiff: renamed from c\n);"
    )
    assert result.sql == ["ALTER TABLE public.t ADD COLUMN b integer"]


def test_rename_onto_an_existing_name_is_refused(pg):
    message = re.escape("desired.sql:2: cannot rename column public.t.a to b: both exist")
    with pytest.raises(SourceError, match=message):
        assert_converges(
            pg, "CREATE TABLE t (a int, b int);", "CREATE TABLE t (\n  b int -- pgdiff: renamed from a\n);"
        )
