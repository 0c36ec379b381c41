"""`-- pgdiff: renamed from` directives: where they attach, and errors naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgdiff.errors import SourceError
from pgdiff.source.directives import Rename, find_renames
from pgdiff.source.sql import split_sql


def renames(sql: str) -> list[Rename]:
    return find_renames(split_sql(sql, Path("s.sql")))


def test_table_column_constraint_and_index_directives():
    found = renames(
        "-- workflows, formerly workflow_definitions\n"
        "-- pgdiff: renamed from workflow_definitions\n"
        "CREATE TABLE app.workflows (\n"
        "    id uuid PRIMARY KEY,\n"
        "    title text NOT NULL, -- pgdiff: renamed from name\n"
        '    "Owner" uuid,  --pgdiff:renamed from "Created By"\n'
        "    CONSTRAINT workflows_title_check CHECK (title <> '') -- pgdiff: renamed from workflows_name_check\n"
        ");\n"
        "-- pgdiff: renamed from idx_workflows_name\n"
        "CREATE INDEX idx_workflows_title ON app.workflows (title);\n"
        "-- pgdiff: renamed from runs_fk\n"
        "ALTER TABLE app.runs ADD CONSTRAINT runs_workflow_fkey FOREIGN KEY (w) REFERENCES app.workflows (id);\n"
    )
    assert [(r.kind, r.new_key, r.old_name, r.where) for r in found] == [
        ("table", ("app", "workflows"), "workflow_definitions", "s.sql:2"),
        ("column", ("app", "workflows", "title"), "name", "s.sql:5"),
        ("column", ("app", "workflows", "Owner"), "Created By", "s.sql:6"),
        ("constraint", ("app", "workflows", "workflows_title_check"), "workflows_name_check", "s.sql:7"),
        ("index", ("app", "idx_workflows_title"), "idx_workflows_name", "s.sql:9"),
        ("constraint", ("app", "runs", "runs_workflow_fkey"), "runs_fk", "s.sql:11"),
    ]


def test_unqualified_names_are_in_public_and_unquoted_old_names_fold_to_lower_case():
    [found] = renames("-- pgdiff: renamed from OldUsers\nCREATE TABLE users (id int);")
    assert (found.new_key, found.old_name) == (("public", "users"), "oldusers")


def test_directive_on_a_continuation_line_belongs_to_the_element_above():
    [found] = renames("CREATE TABLE t (\n  total numeric(10, 2)\n    NOT NULL -- pgdiff: renamed from amount\n);")
    assert found.new_key == ("public", "t", "total")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("-- pgdiff: renamed frm x\nCREATE TABLE t (id int);", "s.sql:1: unknown pgdiff directive 'renamed frm x'"),
        ("-- pgdiff: renamed from x\nSET search_path = public;", "s.sql:1: 'renamed from' must precede CREATE TABLE"),
        (
            "-- pgdiff: renamed from a\n-- pgdiff: renamed from b\nCREATE TABLE t (id int);",
            "s.sql:2: more than one 'renamed from'",
        ),
        ("CREATE TABLE t ( -- pgdiff: renamed from x\n  id int);", "s.sql:1: 'renamed from' must be on the line of"),
        ("CREATE TABLE t (id int, CHECK (id > 0) -- pgdiff: renamed from c\n);", "s.sql:1: a renamed constraint needs"),
        (
            "-- pgdiff: renamed from old\nCREATE TABLE a (id int);\n"
            "-- pgdiff: renamed from old\nCREATE TABLE b (id int);",
            "s.sql:3: table old is already renamed to a at s.sql:1",
        ),
    ],
)
def test_bad_directives_name_file_and_line(sql, message):
    with pytest.raises(SourceError) as raised:
        renames(sql)
    assert str(raised.value).startswith(message)
