"""Objects of kinds pgdiff does not model are named, never silently left out: the catalog lists those a user
made (not the system's, not an extension's), plan, apply, drift and dump warn of them and leave them as they
are, `--strict` makes them an error, filters apply to them, and no secret of theirs is printed."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

import pgdiff
from pgdiff.catalog import inspect
from pgdiff.cli import app
from tests.pg import new_database

runner = CliRunner()

SECRET = "s3cret-Pa55"

# Each kind with the label pgdiff gives it.
UNMANAGED = {
    "CREATE AGGREGATE my_sum(int) (sfunc = int4pl, stype = int);": "aggregate public.my_sum(integer)",
    "CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq);": "operator public.===(integer, integer)",
    "CREATE OPERATOR FAMILY fam USING btree;": "operator family public.fam USING btree",
    "CREATE TEXT SEARCH CONFIGURATION my_cfg (COPY = english);": "text search configuration public.my_cfg",
    "CREATE TEXT SEARCH DICTIONARY my_dict (TEMPLATE = simple);": "text search dictionary public.my_dict",
    "CREATE CONVERSION my_conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;": "conversion public.my_conv",
    "CREATE RULE keep AS ON DELETE TO t DO INSTEAD NOTHING;": "rule public.keep ON t",
    "CREATE TYPE later;": "shell type public.later",
    "CREATE CAST (t AS int) WITH INOUT;": "cast public.t AS integer",
    "CREATE PUBLICATION pub FOR TABLE t;": "publication pub",
    "CREATE SUBSCRIPTION sub CONNECTION 'dbname=nowhere password=" + SECRET + "' PUBLICATION pub"
    " WITH (connect = false, slot_name = NONE, enabled = false, create_slot = false);": "subscription sub",
    "CREATE EVENT TRIGGER watch ON ddl_command_start EXECUTE FUNCTION on_ddl();": "event trigger watch",
    "CREATE FOREIGN DATA WRAPPER wrapper;": "foreign-data wrapper wrapper",
    "CREATE SERVER remote FOREIGN DATA WRAPPER wrapper;": "server remote",
    f"CREATE USER MAPPING FOR CURRENT_USER SERVER remote OPTIONS (password '{SECRET}');": "user mapping FOR postgres "
    "SERVER remote",
    "CREATE FOREIGN TABLE far (a int) SERVER remote;": "foreign table public.far",
    "CREATE ACCESS METHOD my_heap TYPE TABLE HANDLER heap_tableam_handler;": "access method my_heap",
}
BASE = "CREATE TABLE t (a int);\n"
# Extensions' objects are theirs: an opclass of pg_trgm, citext's casts and operators are never listed.
EXTENSIONS = "CREATE EXTENSION pg_trgm; CREATE EXTENSION citext;\n"
# Kinds pgdiff does model, which are not listed either.
MODELED = """
CREATE TYPE mood AS ENUM ('ok');
CREATE TYPE span AS RANGE (subtype = float8);
CREATE VIEW v AS SELECT a FROM t;
CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1;
CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC SELECT 1; END;
CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
"""
EVERYTHING = BASE + EXTENSIONS + MODELED + "\n".join(UNMANAGED)


@pytest.fixture(scope="module")
def database(pg) -> str:
    return pg.url(new_database(pg, EVERYTHING))


@pytest.fixture
def files(tmp_path: Path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(BASE + EXTENSIONS + MODELED)
    return path


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_the_catalog_lists_each_kind_a_user_made_and_nothing_else(database):
    with psycopg.connect(database) as conn:
        model = inspect(conn)
    assert sorted(obj.label for obj in model.unmanaged) == sorted(UNMANAGED.values())


def test_plan_names_them_and_leaves_them_alone(pg, database, files):
    result = run("plan", str(files), "--db", database, "--dev-url", pg.url())
    assert result.exit_code == 0, result.output
    assert "No changes" in result.stdout
    warning = " ".join(result.stderr.split())
    assert "the database has 17 objects of kinds pgdiff does not manage" in warning, result.stderr
    assert "aggregate public.my_sum(integer)" in warning and "and 7 more" in warning
    assert SECRET not in result.output


def test_strict_makes_them_an_error_with_nothing_applied(pg, database, files):
    for command in ("plan", "apply", "drift"):
        extra = ["--yes"] if command == "apply" else []
        result = run(command, str(files), "--db", database, "--dev-url", pg.url(), "--strict", *extra)
        assert result.exit_code == 1, (command, result.output)
        assert "does not manage" in result.stderr and "(--strict)" in result.stderr, result.stderr
        assert "Traceback" not in result.output


def test_dump_says_what_it_leaves_out(database):
    result = run("dump", "--db", database)
    assert result.exit_code == 0, result.output
    assert "which the dump leaves out" in result.stderr
    assert "CREATE AGGREGATE" not in result.stdout and SECRET not in result.output
    assert run("dump", "--db", database, "--strict").exit_code == 1


def test_filters_apply_to_them(pg, database, files):
    found: list[str] = []
    pgdiff.drift([files], database, dev_url=pg.url(), config=False, exclude=["public.t"], warn=found.append)
    # Objects of the database stay without --schema; the rule goes with its excluded table.
    assert found and "rule public.keep ON t" not in found[0] and "publication pub" in found[0]
    found.clear()
    pgdiff.drift([files], database, dev_url=pg.url(), config=False, schemas=["app"], warn=found.append)
    assert not any("does not manage" in message for message in found), found


def test_a_source_database_says_what_the_target_does_not_get(pg, database):
    found: list[str] = []
    target = pg.url(new_database(pg, BASE + EXTENSIONS + MODELED))
    plan = pgdiff.plan([database], target, dev_url=pg.url(), config=False, warn=found.append)
    assert plan.plan.is_empty
    assert any(m.startswith("the source database has 17 objects") for m in found), found
    with pytest.raises(pgdiff.PgdiffError, match="--strict"):
        pgdiff.plan([database], target, dev_url=pg.url(), config=False, strict=True)


LOSES = """
CREATE TABLE t (a int, b text);
CREATE VIEW v AS SELECT a, b FROM t;
CREATE RULE v_insert AS ON INSERT TO v DO INSTEAD INSERT INTO t VALUES (NEW.a, NEW.b);
CREATE FUNCTION step(int, int) RETURNS int LANGUAGE sql IMMUTABLE RETURN $1 + $2;
CREATE AGGREGATE total(int) (sfunc = step, stype = int);
CREATE PUBLICATION changes FOR TABLE t;
"""


def test_a_plan_that_would_take_away_what_they_use_is_refused(pg, tmp_path):
    # The view is rebuilt (a column's type changes under it): its rule would go with it. The aggregate's
    # function is dropped. Both are named, in one error, and nothing is applied.
    files = tmp_path / "schema.sql"
    files.write_text("CREATE TABLE t (a bigint, b text);\nCREATE VIEW v AS SELECT a, b FROM t;\n")
    database = pg.url(new_database(pg, LOSES))
    result = run("apply", str(files), "--db", database, "--dev-url", pg.url(), "--yes", "--allow-hazards", "all")
    assert result.exit_code == 1, result.output
    message = " ".join(result.stderr.split())
    assert "which rule public.v_insert ON v uses" in message, message
    assert "function public.step(integer, integer)" in message and "aggregate public.total(integer) uses" in message
    assert "Traceback" not in result.output
    with psycopg.connect(database) as conn:
        assert conn.execute(
            "SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'a'"
        ).fetchone() == ("integer",)


def test_what_they_use_may_change_in_place(pg, tmp_path):
    # A new column and a comment touch nothing the rule, aggregate or publication use.
    files = tmp_path / "schema.sql"
    kept = (
        LOSES.split("CREATE RULE")[0]
        + "CREATE FUNCTION step(int, int) RETURNS int LANGUAGE sql IMMUTABLE RETURN $1 + $2;\n"
    )
    files.write_text(kept + "ALTER TABLE t ADD COLUMN c int;\nCOMMENT ON TABLE t IS 'kept';\n")
    database = pg.url(new_database(pg, LOSES))
    result = run("apply", str(files), "--db", database, "--dev-url", pg.url(), "--yes")
    assert result.exit_code == 0, result.output
    with psycopg.connect(database) as conn:
        model = inspect(conn)
    assert {obj.label for obj in model.unmanaged} == {
        "rule public.v_insert ON v",
        "aggregate public.total(integer)",
        "publication changes",
    }
    assert any(used == ("table", ("public", "t")) for _, used in model.unmanaged_uses)
