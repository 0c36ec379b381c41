"""Storage parameters (reloptions) have one SQL writer, used by the planner and by the YAML reader: `toast.`
parameters as namespace.name, values as literals. YAML with them loads and converges, and `pgdiff dump`
(YAML and SQL) of tables with them plans empty."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from pgdiff.plan.ddl import reset_storage_parameters, storage_options, storage_parameters
from tests.file_mode import assert_files_converge, assert_files_converge_both_ways, plan_folder
from tests.pg import new_database

runner = CliRunner()


def test_one_writer_for_names_and_values():
    pairs = [("fillfactor", "70"), ("toast.autovacuum_enabled", "false"), ("Odd Name", "it's")]
    assert storage_parameters(pairs) == (
        "fillfactor = '70', toast.autovacuum_enabled = 'false', \"Odd Name\" = 'it''s'"
    )
    assert storage_options(("toast.vacuum_truncate=off",)) == "toast.vacuum_truncate = 'off'"
    assert reset_storage_parameters(["toast.autovacuum_enabled", "fillfactor"]) == (
        "toast.autovacuum_enabled, fillfactor"
    )


TOAST_YAML = """\
tables:
  - name: documents
    columns: [{name: id, type: int}, {name: body, type: text}]
    options:
      fillfactor: 80
      autovacuum_enabled: false
      toast.autovacuum_enabled: false
      toast.autovacuum_vacuum_threshold: 500
      toast.autovacuum_vacuum_scale_factor: 0.05
"""
TOAST_SQL = (
    "CREATE TABLE documents (id int, body text) WITH (fillfactor = 80, autovacuum_enabled = false,"
    " toast.autovacuum_enabled = false, toast.autovacuum_vacuum_threshold = 500,"
    " toast.autovacuum_vacuum_scale_factor = 0.05);\n"
)
OTHER_OPTIONS = "CREATE TABLE documents (id int, body text) WITH (toast.autovacuum_enabled = true, fillfactor = 90);\n"


def test_yaml_toast_parameters_load_and_converge(pg, tmp_path):
    assert_files_converge(pg, tmp_path, {"documents.yaml": TOAST_YAML}, reference_sql=TOAST_SQL)


@pytest.mark.parametrize("current", ["", OTHER_OPTIONS], ids=["new-table", "set-and-reset"])
def test_yaml_toast_parameters_set_and_reset_on_an_existing_table(pg, tmp_path, current):
    assert_files_converge(pg, tmp_path, {"documents.yaml": TOAST_YAML}, reference_sql=TOAST_SQL, current_sql=current)


def test_sql_toast_parameters_both_ways(pg, tmp_path):
    assert_files_converge_both_ways(pg, tmp_path, {"documents.sql": TOAST_SQL}, other=OTHER_OPTIONS)


def test_yaml_index_and_materialized_view_parameters(pg, tmp_path):
    text = TOAST_YAML + (
        "    indexes:\n"
        "      - {name: documents_id, keys: [{column: id}], with: {fillfactor: 60, deduplicate_items: false}}\n"
        "materialized_views:\n"
        "  - name: document_ids\n"
        "    query: SELECT id FROM documents\n"
        "    options: {fillfactor: 50}\n"
    )
    reference = TOAST_SQL + (
        "CREATE INDEX documents_id ON documents (id) WITH (fillfactor = 60, deduplicate_items = false);\n"
        "CREATE MATERIALIZED VIEW document_ids WITH (fillfactor = 50) AS SELECT id FROM documents;\n"
    )
    assert_files_converge(pg, tmp_path, {"documents.yaml": text}, reference_sql=reference)


@pytest.mark.parametrize("output_format", ["yaml", "sql"])
def test_dump_of_toast_parameters_plans_empty(pg, tmp_path, output_format):
    url = pg.url(new_database(pg, TOAST_SQL + OTHER_OPTIONS.replace("documents", "notes")))
    args = ["dump", "--db", url, "-o", str(tmp_path), "--split", "object", "--format", output_format]
    dumped = runner.invoke(app, args)
    assert dumped.exit_code == 0, dumped.output
    result = plan_folder(pg, tmp_path, url, "--detailed-exitcode")
    files = {p.name: p.read_text() for p in tmp_path.rglob("*.*")}
    assert result.exit_code == 0, f"{result.output}\n{files}"
    if output_format == "yaml":
        assert "toast.autovacuum_enabled: false" in "".join(files.values())
