"""Extensions in their own schema, created after it and in `requires` order, dropped in reverse; from SQL
files, from YAML, and from `pgdiff dump` (SQL and YAML) of a database that has them, which plans empty."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from pgdiff.errors import SourceError
from tests.file_mode import (
    assert_files_converge,
    assert_files_converge_both_ways,
    plan_folder,
    shadow_model,
    write_files,
)
from tests.pg import new_database

runner = CliRunner()

# Extensions both test servers ship (the embedded PostgreSQL 18 has no uuid-ossp or pgcrypto).
IN_OWN_SCHEMA = """\
CREATE SCHEMA extensions;
CREATE EXTENSION cube WITH SCHEMA extensions;
CREATE EXTENSION earthdistance WITH SCHEMA extensions;
CREATE EXTENSION hstore WITH SCHEMA extensions;
CREATE EXTENSION citext WITH SCHEMA extensions;
CREATE EXTENSION pg_trgm WITH SCHEMA extensions;
CREATE EXTENSION btree_gist WITH SCHEMA extensions;
"""
USING_THEM = """\
CREATE SCHEMA app;
CREATE TABLE app.places (
    id int PRIMARY KEY,
    name extensions.citext NOT NULL,
    tags extensions.hstore,
    at extensions.earth,
    during tstzrange,
    EXCLUDE USING gist (id WITH =, during WITH &&)
);
CREATE INDEX places_name_trgm ON app.places USING gin ((name::text) extensions.gin_trgm_ops);
CREATE VIEW app.named AS SELECT id, name FROM app.places;
"""

SQL_CASES = {
    "schema-file-sorted-after-the-extensions": {
        "a_extensions.sql": IN_OWN_SCHEMA.replace("CREATE SCHEMA extensions;\n", ""),
        "b_tables.sql": USING_THEM,
        "c_schemas.sql": "CREATE SCHEMA extensions;\n",
    },
    "one-file-in-dump-order": {"schema.sql": IN_OWN_SCHEMA + USING_THEM},
    "requires-pulled-in-by-cascade": {
        "schema.sql": "CREATE SCHEMA geo;\nCREATE EXTENSION earthdistance WITH SCHEMA geo CASCADE;\n"
        "CREATE TABLE spots (at geo.earth);\n",
    },
}
REFERENCE = {
    "schema-file-sorted-after-the-extensions": IN_OWN_SCHEMA + USING_THEM,
    "requires-pulled-in-by-cascade": "CREATE SCHEMA geo;\nCREATE EXTENSION cube WITH SCHEMA geo;\n"
    "CREATE EXTENSION earthdistance WITH SCHEMA geo;\nCREATE TABLE spots (at geo.earth);\n",
}


@pytest.mark.parametrize("case", list(SQL_CASES))
def test_sql_files_with_extensions_in_their_own_schema(pg, tmp_path, case):
    assert_files_converge_both_ways(
        pg, tmp_path, SQL_CASES[case], reference_sql=REFERENCE.get(case), other="CREATE EXTENSION hstore;"
    )


def test_extensions_are_created_and_dropped_in_requires_order(pg, tmp_path):
    folder = write_files(tmp_path / "files", {"schema.sql": IN_OWN_SCHEMA})
    result = plan_folder(pg, folder, pg.url(new_database(pg)))
    assert result.exit_code == 0, result.output
    created = [line for line in result.stdout.splitlines() if line.startswith("CREATE EXTENSION")]
    assert created.index(next(c for c in created if " cube " in c)) < created.index(
        next(c for c in created if " earthdistance " in c)
    )
    empty = write_files(tmp_path / "empty", {"schema.sql": "-- nothing\n"})
    result = plan_folder(pg, empty, pg.url(new_database(pg, IN_OWN_SCHEMA)))
    assert result.exit_code == 0, result.output
    dropped = [line for line in result.stdout.splitlines() if line.startswith("DROP EXTENSION")]
    assert dropped.index("DROP EXTENSION earthdistance;") < dropped.index("DROP EXTENSION cube;")


YAML_EXTENSIONS = """\
schemas: [extensions]
extensions:
  - {name: cube, schema: extensions}
  - {name: earthdistance, schema: extensions}
  - {name: hstore, schema: extensions}
  - {name: citext, schema: extensions}
"""
YAML_TABLES = """\
schema: app
schemas: [app]
tables:
  - name: places
    columns:
      - {name: id, type: int}
      - {name: name, type: extensions.citext}
      - {name: tags, type: extensions.hstore}
      - {name: at, type: extensions.earth}
"""


def test_yaml_extensions_in_their_own_schema(pg, tmp_path):
    """The schema comes from the same YAML file, after the extensions there, and the tables that use them
    are in a file sorted first."""
    files = {"a_tables.yaml": YAML_TABLES, "b_extensions.yaml": YAML_EXTENSIONS}
    reference = (
        "CREATE SCHEMA extensions;\nCREATE EXTENSION cube WITH SCHEMA extensions;\n"
        "CREATE EXTENSION earthdistance WITH SCHEMA extensions;\nCREATE EXTENSION hstore WITH SCHEMA extensions;\n"
        "CREATE EXTENSION citext WITH SCHEMA extensions;\nCREATE SCHEMA app;\n"
        "CREATE TABLE app.places (id int, name extensions.citext, tags extensions.hstore, at extensions.earth);\n"
    )
    assert_files_converge(pg, tmp_path, files, reference_sql=reference, current_sql="CREATE EXTENSION citext;")


@pytest.mark.parametrize("output_format", ["sql", "yaml"])
@pytest.mark.parametrize("split", ["none", "object"])
def test_dump_of_extensions_in_their_own_schema_plans_empty(pg, tmp_path, output_format, split):
    url = pg.url(new_database(pg, IN_OWN_SCHEMA + USING_THEM))
    dumped = runner.invoke(app, ["dump", "--db", url, "-o", str(tmp_path), "--split", split, "--format", output_format])
    assert dumped.exit_code == 0, dumped.output
    result = plan_folder(pg, tmp_path, url, "--detailed-exitcode")
    files = {p.name: p.read_text() for p in tmp_path.rglob("*.*")}
    assert result.exit_code == 0, f"{result.output}\n{files}"
    fresh = pg.url(new_database(pg))
    args = ["apply", str(tmp_path), "--db", fresh, "--dev-url", pg.url(), "--yes", "--allow-hazards", "all"]
    applied = runner.invoke(app, args)
    assert applied.exit_code == 0, applied.output
    assert runner.invoke(app, ["plan", url, "--db", fresh, "--detailed-exitcode"]).exit_code == 0


def test_yaml_extension_listed_before_what_it_requires_names_the_file_and_line(pg, tmp_path):
    cube = "  - {name: cube, schema: extensions}\n"
    text = YAML_EXTENSIONS.replace(cube, "") + cube
    folder = write_files(tmp_path, {"extensions.yaml": text})
    with pytest.raises(SourceError, match=r'extensions\.yaml:3: required extension "cube" is not installed'):
        shadow_model(pg, folder)
