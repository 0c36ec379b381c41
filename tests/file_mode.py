"""Convergence through files: the desired state is a folder of SQL or YAML files, loaded by pgdiff's own loader.

`tests/pg.py:assert_converges` loads the desired SQL straight into a database, in the order written, so it
cannot see what the loader does to the order. Here the files go through `resolve_sources` and the shadow,
and the result must mean what running them with psql, in path order, means (`reference_sql`: the files'
own text for SQL; for YAML the SQL a user would write). Then a plan from the files is applied to the
current database, which must end up like the reference (`pg_dump --schema-only` too) with nothing left to
plan; and back: from the files' state to `other`, the drops and creates that takes.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pgdiff.cli import app
from pgdiff.shadow import ShadowDatabase
from pgdiff.source import resolve_sources
from tests.pg import comparable, inspect_db, new_database, schema_dump

runner = CliRunner()


def write_files(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def psql_order(files: dict[str, str]) -> str:
    """The SQL files' text in path order, as `psql -f` of each would run it."""
    return "\n".join(files[name] for name in sorted(files))


def shadow_model(pg, folder: Path):
    with ShadowDatabase(dev_url=pg.url(), target_major=pg.major) as shadow:
        shadow.load(resolve_sources([str(folder)]).statements)
        return shadow.inspect()


def plan_folder(pg, folder: Path, target_url: str, *options: str):
    args = ["plan", str(folder), "--db", target_url, "--dev-url", pg.url(), "--format", "sql", *options]
    return runner.invoke(app, args, catch_exceptions=False)


def apply_folder(pg, folder: Path, target_url: str) -> None:
    args = ["apply", str(folder), "--db", target_url, "--dev-url", pg.url(), "--yes", "--allow-hazards", "all"]
    applied = runner.invoke(app, args, catch_exceptions=False)
    assert applied.exit_code == 0, applied.output
    replanned = plan_folder(pg, folder, target_url, "--detailed-exitcode")
    assert replanned.exit_code == 0, f"second plan is not empty:\n{replanned.output}"


def assert_files_converge(
    pg, tmp_path: Path, files: dict[str, str], *, reference_sql: str | None = None, current_sql: str = ""
) -> str:
    """The files load as psql would load `reference_sql` (default: the SQL files in path order), and a plan
    from them takes a database holding `current_sql` there. Returns the reference database's name."""
    folder = write_files(tmp_path / "desired", files)
    reference = new_database(pg, reference_sql if reference_sql is not None else psql_order(files), "ref")
    expected = inspect_db(pg, reference)
    assert comparable(shadow_model(pg, folder)) == comparable(expected), "the loader changed what the files mean"
    target = new_database(pg, current_sql, "cur")
    apply_folder(pg, folder, pg.url(target))
    assert schema_dump(pg, target) == schema_dump(pg, reference)
    return reference


def assert_files_converge_both_ways(
    pg, tmp_path: Path, files: dict[str, str], *, reference_sql: str | None = None, other: str = ""
) -> None:
    """From `other` (SQL) to the files, then from the files' state back to `other` (written as one SQL file)."""
    reference = assert_files_converge(pg, tmp_path, files, reference_sql=reference_sql, current_sql=other)
    back = write_files(tmp_path / "back", {"schema.sql": other or "-- nothing\n"})
    target = new_database(pg, reference_sql if reference_sql is not None else psql_order(files), "cur")
    apply_folder(pg, back, pg.url(target))
    assert schema_dump(pg, target) == schema_dump(pg, new_database(pg, other, "ref")), (
        "reference was " + reference
    )
