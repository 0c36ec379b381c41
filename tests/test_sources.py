"""Loading desired SQL: files in any order, psql includes, and statements that are not schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgdiff.errors import SourceError
from pgdiff.shadow import ShadowDatabase
from pgdiff.source import resolve_sources


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def loaded(*arguments: Path) -> list[tuple[str, int, str]]:
    return [
        (s.file.name, s.line, s.text.split("(")[0].strip())
        for s in resolve_sources([str(a) for a in arguments]).statements
    ]


def test_statements_load_after_what_they_name_whatever_the_file_order(tmp_path):
    write(tmp_path, "a_indexes.sql", "CREATE INDEX runs_flow ON app.runs (flow_id);\n")
    write(tmp_path, "b_runs.sql", "\n\nCREATE TABLE app.runs (id int, flow_id int REFERENCES app.flows (id));\n")
    write(tmp_path, "c_flows.sql", "CREATE TABLE app.flows (id int PRIMARY KEY);\n")
    write(tmp_path, "d_schema.sql", "CREATE SCHEMA app;\n")
    assert loaded(tmp_path) == [
        ("d_schema.sql", 1, "CREATE SCHEMA app;"[:-1]),
        ("c_flows.sql", 1, "CREATE TABLE app.flows"),
        ("b_runs.sql", 3, "CREATE TABLE app.runs"),
        ("a_indexes.sql", 1, "CREATE INDEX runs_flow ON app.runs"),
    ]


def test_extensions_load_first(tmp_path):
    write(tmp_path, "a.sql", "CREATE TABLE t (name text);\nCREATE INDEX t_trgm ON t USING gin (name gin_trgm_ops);\n")
    write(tmp_path, "z.sql", "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n")
    assert loaded(tmp_path)[0] == ("z.sql", 1, "CREATE EXTENSION IF NOT EXISTS pg_trgm")


def test_a_set_search_path_keeps_file_order(tmp_path):
    path = write(tmp_path, "s.sql", "SET search_path = app;\nCREATE INDEX i ON t (a);\nCREATE TABLE t (a int);\n")
    assert [s[1] for s in loaded(path)] == [1, 2, 3]


def test_includes_relative_and_nested_keep_their_own_file_and_line(tmp_path, monkeypatch):
    write(tmp_path, "main.sql", "CREATE SCHEMA app;\n\\ir parts/tables.sql\n\\i shared.sql\n")
    write(tmp_path, "parts/tables.sql", "-- tables\nCREATE TABLE app.t (a int);\n\\ir more.sql\n")
    write(tmp_path, "parts/more.sql", "CREATE TABLE app.u (b int);\n")
    write(tmp_path, "shared.sql", "CREATE INDEX t_a ON app.t (a);\n")
    monkeypatch.chdir(tmp_path)
    assert loaded(tmp_path / "main.sql") == [
        ("main.sql", 1, "CREATE SCHEMA app"),
        ("tables.sql", 2, "CREATE TABLE app.t"),
        ("more.sql", 1, "CREATE TABLE app.u"),
        ("shared.sql", 1, "CREATE INDEX t_a ON app.t"),
    ]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"main.sql": "CREATE TABLE t (a int);\n\\ir missing.sql\n"}, "main.sql:2: \\ir missing.sql: no such file"),
        (
            {"main.sql": "\\ir other.sql\n", "other.sql": "\\ir main.sql\n"},
            "other.sql:1: \\ir main.sql includes itself",
        ),
        (
            {"main.sql": "CREATE TABLE t (a int);\n\\set ON_ERROR_STOP on\n"},
            "main.sql:2: psql meta-command \\set is not schema",
        ),
        (
            {"main.sql": "CREATE TABLE t (a int);\n\nINSERT INTO t VALUES (1);\n"},
            "main.sql:3: INSERT is not schema: it changes rows",
        ),
        (
            {"main.sql": "SELECT cron.schedule('refresh', '*/15 * * * *', 'REFRESH MATERIALIZED VIEW s');\n"},
            "main.sql:1: SELECT cron.schedule(...) runs code or reads data when the files load, and is not schema",
        ),
        ({"main.sql": "BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\n"}, "main.sql:1: BEGIN/COMMIT"),
        ({"main.sql": "DO $$ BEGIN CREATE TABLE t (a int); END $$;\n"}, "main.sql:1: DO is not schema: it runs code"),
    ],
)
def test_what_is_not_schema_is_refused_with_file_line_and_a_hint(tmp_path, files, message):
    for name, text in files.items():
        write(tmp_path, name, text)
    with pytest.raises(SourceError) as raised:
        resolve_sources([str(tmp_path / "main.sql")])
    assert message in str(raised.value)


def test_files_in_any_order_load_into_the_shadow(pg, tmp_path):
    write(tmp_path, "1_index.sql", "CREATE INDEX CONCURRENTLY IF NOT EXISTS runs_flow ON runs (flow_id);\n")
    write(tmp_path, "2_runs.sql", "CREATE TABLE IF NOT EXISTS runs (id int, flow_id int REFERENCES flows (id));\n")
    write(tmp_path, "3_flows.sql", "CREATE TABLE IF NOT EXISTS flows (id int PRIMARY KEY);\n")
    with ShadowDatabase(dev_url=pg.url(), target_major=pg.major) as shadow:
        shadow.load(resolve_sources([str(tmp_path)]).statements)
        model = shadow.inspect()
    assert set(model.tables) == {("public", "flows"), ("public", "runs")}
    assert ("public", "runs_flow") in model.indexes
