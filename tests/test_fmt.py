"""`pgdiff fmt`: canonical, idempotent, comments and directives kept, same model after formatting."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from pgdiff.shadow import ShadowDatabase
from pgdiff.source import resolve_sources
from tests.pg import comparable
from tests.yaml_cases import CASES, ensure_roles

runner = CliRunner()
REPO = Path(__file__).resolve().parent.parent
WORKFLOW_ENGINE = REPO / "examples" / "workflow-engine" / "desired"

MESSY_YAML = """\
# yaml-language-server: $schema=../../pgdiff.schema.json
tables:
    # runs, one per execution
  - columns:
      - {type: bigint, name: id, identity: always}   # the key
      - name: status
        type: text
    name: runs
    primary_key: {columns: [id]}
schemas: [app]
schema: app
"""

MESSY_SQL = """\
-- header: kept
create table runs (id bigint generated always as identity primary key,
   status text not null);


-- pgdiff: renamed from runs_status
create index runs_by_status on runs (status)   ;
\\ir more.psql
CREATE TABLE run_notes (
    id int,
    body text  -- pgdiff: renamed from text
);
-- trailing comment
"""


@pytest.fixture(scope="module", autouse=True)
def reader_role(pg) -> None:
    ensure_roles(pg)


def run(*args: str):
    return runner.invoke(app, list(args))


def messy_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "desired"
    shutil.copytree(WORKFLOW_ENGINE, folder)
    (folder / "runs.sql").write_text(MESSY_SQL)
    (folder / "more.psql").write_text("create   view run_count as select count(*) from runs;\n")
    (folder / "app.yaml").write_text(MESSY_YAML)
    for name, (yaml_text, _) in CASES.items():
        if name in ("columns", "routines"):
            (folder / f"case_{name}.yml").write_text(yaml_text)
    return folder


def load_model(pg, folder: Path):
    sources = resolve_sources([str(folder)])
    with ShadowDatabase(dev_url=pg.url(), target_major=pg.major) as shadow:
        shadow.load(sources.statements)
        return shadow.inspect(), sources.renames


def test_check_lists_files_and_fmt_fixes_them(tmp_path):
    folder = messy_folder(tmp_path)
    checked = run("fmt", "--check", str(folder))
    assert checked.exit_code == 1
    assert f"would reformat {folder / 'runs.sql'}" in checked.stderr
    assert f"would reformat {folder / 'app.yaml'}" in checked.stderr
    assert run("fmt", str(folder)).exit_code == 0
    assert run("fmt", "--check", str(folder)).exit_code == 0


def test_formatting_twice_is_formatting_once(tmp_path):
    folder = messy_folder(tmp_path)
    run("fmt", str(folder))
    once = {p: p.read_text() for p in folder.iterdir()}
    assert run("fmt", str(folder)).exit_code == 0
    assert {p: p.read_text() for p in folder.iterdir()} == once


def test_comments_and_directives_are_kept(tmp_path):
    folder = messy_folder(tmp_path)
    run("fmt", str(folder))
    sql = (folder / "runs.sql").read_text()
    assert sql.startswith("-- header: kept\nCREATE TABLE runs (")
    assert "-- pgdiff: renamed from runs_status\nCREATE INDEX runs_by_status" in sql
    assert "    body text  -- pgdiff: renamed from text\n" in sql  # a statement with a comment stays as written
    assert "\\ir more.psql\n" in sql and sql.endswith(";\n\n-- trailing comment\n")
    # included files are formatted when named (pre-commit names every changed file)
    run("fmt", str(folder / "more.psql"))
    assert (folder / "more.psql").read_text().startswith("CREATE VIEW run_count\n  AS SELECT count(*)\n")
    yaml_text = (folder / "app.yaml").read_text()
    header = "# yaml-language-server: $schema=../../pgdiff.schema.json\n"
    assert yaml_text.startswith(f"{header}schema: app\nschemas: [app]\ntables:\n")
    assert "# runs, one per execution\n  - name: runs\n    columns:\n" in yaml_text
    assert "- {name: id, type: bigint, identity: always}   # the key" in yaml_text


def test_formatted_files_load_to_the_same_model(pg, tmp_path):
    folder = messy_folder(tmp_path)
    before, renames_before = load_model(pg, folder)
    run("fmt", str(folder))
    after, renames_after = load_model(pg, folder)
    assert comparable(after) == comparable(before)
    assert [(r.kind, r.new_key, r.old_name) for r in renames_after] == [
        (r.kind, r.new_key, r.old_name) for r in renames_before
    ]


def test_bad_input_is_one_line_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE t (id int);\n\nCREATE TABEL u (id int);\n")
    result = run("fmt", "--check", str(bad))
    assert result.exit_code == 1
    assert f'{bad}:3: syntax error at or near "TABEL"' in result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("tables: [\n")
    assert f"{broken}:2:1:" in run("fmt", str(broken)).stderr


def test_pre_commit_hook_runs_fmt_check():
    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["id"] == "pgdiff-fmt" and hooks[0]["entry"] == "pgdiff fmt --check"
