"""Column type changes PostgreSQL cannot make with a bare ALTER COLUMN ... TYPE: between enums (through text,
defaults rewritten the same way, arrays and domains over enums too), conversions the files give with
`-- pgdiff: using`, refusals at plan time naming file:line, and the hazards of binary-coercible changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgdiff.errors import SourceError, UnconvertibleTypeError
from pgdiff.pipeline import plan_models
from pgdiff.source import resolve_sources
from pgdiff.source.directives import find_conversions
from pgdiff.source.sql import split_sql
from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import assert_converges, inspect_db, new_database

MOODS = (
    "CREATE TYPE mood_v1 AS ENUM ('sad', 'ok', 'happy'); CREATE TYPE mood_v2 AS ENUM ('sad', 'ok', 'happy', 'elated');"
)
ROWS = "INSERT INTO diary (id) VALUES (1);"


CHEERFUL = "CREATE DOMAIN cheerful AS mood_v2 CHECK (VALUE <> 'sad');"


def diary(*columns: str, rows: str = "", types: str = "") -> str:
    return f"{MOODS} {types} CREATE TABLE diary (id int PRIMARY KEY, {', '.join(columns)}); {rows}"


ENUM_CASES = [
    Case("enum-to-enum", diary("mood mood_v1"), diary("mood mood_v2")),
    Case(
        "enum-to-enum-with-default-and-not-null",
        diary("mood mood_v1 NOT NULL DEFAULT 'ok'", rows=ROWS),
        diary("mood mood_v2 NOT NULL DEFAULT 'ok'", rows=ROWS),
    ),
    Case(
        "enum-array-to-enum-array-with-default",
        diary("moods mood_v1[] DEFAULT '{ok}'", rows=ROWS),
        diary("moods mood_v2[] DEFAULT '{ok,happy}'", rows=ROWS),
    ),
    Case("enum-to-text", diary("mood mood_v1 DEFAULT 'sad'", rows=ROWS), diary("mood text DEFAULT 'sad'", rows=ROWS)),
    Case(
        "varchar-to-enum-with-index",
        diary("mood varchar(20) DEFAULT 'ok'", rows=ROWS) + " CREATE INDEX diary_mood ON diary (mood);",
        diary("mood mood_v2 DEFAULT 'ok'", rows=ROWS) + " CREATE INDEX diary_mood ON diary (mood);",
    ),
    Case(
        "enum-to-domain-over-other-enum",
        diary("mood mood_v1 DEFAULT 'ok'", rows=ROWS, types=CHEERFUL),
        diary("mood cheerful DEFAULT 'ok'", rows=ROWS, types=CHEERFUL),
    ),
    Case(
        "two-enum-columns-and-a-plain-type-change",
        diary("mood mood_v1", "before mood_v1[]", "note varchar(20)"),
        diary("mood mood_v2", "before mood_v2[]", "note text"),
    ),
]

USING_CASES = [
    Case(
        "using-bigint-epoch-to-timestamptz",
        "CREATE TABLE events (id int, created_at bigint NOT NULL DEFAULT 0); INSERT INTO events VALUES (1, 86400);",
        "CREATE TABLE events (\n  id int,\n  -- pgdiff: using to_timestamp(created_at)\n"
        "  created_at timestamptz NOT NULL DEFAULT now()\n);",
    ),
    Case(
        "using-trailing-directive-int-to-jsonb-and-text-to-domain",
        "CREATE DOMAIN code AS text CHECK (VALUE ~ '^[A-Z]+$'); "
        "CREATE TABLE items (id int, attrs integer, sku text); INSERT INTO items VALUES (1, 5, 'ab');",
        "CREATE DOMAIN code AS text CHECK (VALUE ~ '^[A-Z]+$'); CREATE TABLE items (\n  id int,\n"
        "  attrs jsonb, -- pgdiff: using jsonb_build_object('n', attrs)\n"
        "  -- pgdiff: using upper(sku)::code\n  sku code\n);",
    ),
    Case(
        "using-before-add-column-statement",
        "CREATE TABLE flags (id int, enabled date); INSERT INTO flags VALUES (1, NULL);",
        "CREATE TABLE flags (id int);\n-- pgdiff: using enabled IS NOT NULL\n"
        "ALTER TABLE flags ADD COLUMN enabled boolean;",
    ),
]


@pytest.mark.parametrize("case", forward(ENUM_CASES + USING_CASES))
def test_converges_a_to_b(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(ENUM_CASES))
def test_converges_b_to_a(pg, case):
    run_case(pg, case, reverse=True)


def test_enum_conversion_goes_through_text_and_resets_the_default(pg):
    result = run_case(pg, case_by_id(ENUM_CASES, "enum-array-to-enum-array-with-default"))
    assert result is not None
    sql = result.sql
    alter = next(s for s in sql if " TYPE " in s)
    assert "USING moods::text[]::public.mood_v2[]" in alter
    assert sql.index(next(s for s in sql if "DROP DEFAULT" in s)) < sql.index(alter)
    assert sql.index(alter) < sql.index(next(s for s in sql if "SET DEFAULT" in s))


def test_converting_to_an_enum_that_lacks_labels_warns_that_rows_are_checked(pg):
    wider = run_case(pg, case_by_id(ENUM_CASES, "enum-to-enum"))
    narrower = run_case(pg, case_by_id(ENUM_CASES, "enum-to-enum"), reverse=True)
    assert wider is not None and narrower is not None
    assert "validates-existing-rows" not in {h.code for s in wider.plan.statements for h in s.hazards}
    assert "validates-existing-rows" in {h.code for s in narrower.plan.statements for h in s.hazards}


def test_the_files_conversion_is_the_using_clause(pg):
    result = run_case(pg, case_by_id(USING_CASES, "using-bigint-epoch-to-timestamptz"))
    assert result is not None
    assert any("TYPE timestamp with time zone USING to_timestamp(created_at)" in s for s in result.sql)


def _plan(pg, current_sql: str, desired_sql: str):
    statements = split_sql(desired_sql, Path("schema.sql"))
    current = inspect_db(pg, new_database(pg, current_sql))
    desired = inspect_db(pg, new_database(pg, desired_sql))
    return plan_models(current, desired, conversions=find_conversions(statements), statements=statements)


@pytest.mark.parametrize(
    ("old", "new"),
    [("bigint", "timestamp without time zone"), ("integer", "jsonb"), ("date", "integer"), ("boolean", "inet")],
)
def test_a_change_postgresql_cannot_convert_is_refused_at_plan_time_naming_file_line(pg, old, new):
    desired = f"CREATE TABLE t (\n  id int,\n  c {new}\n);"
    with pytest.raises(UnconvertibleTypeError) as raised:
        _plan(pg, f"CREATE TABLE t (id int, c {old});", desired)
    message = str(raised.value)
    assert message.startswith("schema.sql:3: column public.t.c cannot change type from ")
    assert old in message and new in message and "pgdiff: using" in message


def test_refusal_names_the_add_column_statement_and_enum_arrays_to_scalars_are_refused(pg):
    desired = f"{MOODS}\nCREATE TABLE diary (id int PRIMARY KEY);\nALTER TABLE diary ADD COLUMN mood mood_v2;"
    with pytest.raises(UnconvertibleTypeError, match=r"^schema.sql:3: column public.diary.mood cannot change"):
        _plan(pg, diary("mood mood_v1[]"), desired)


def test_a_using_for_a_column_the_table_lacks_is_refused(pg):
    desired = "CREATE TABLE t (id int);\n-- pgdiff: using 1\nALTER TABLE t ALTER COLUMN d TYPE int;"
    statements = split_sql(desired, Path("schema.sql"))
    current = inspect_db(pg, new_database(pg, "CREATE TABLE t (id int);"))
    desired_model = inspect_db(pg, new_database(pg, "CREATE TABLE t (id int);"))
    with pytest.raises(SourceError, match=r"^schema.sql:2: 'using' for column public.t.d"):
        plan_models(current, desired_model, conversions=find_conversions(statements), statements=statements)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "CREATE TABLE t (\n  id int\n  -- pgdiff: using 1\n);",
            "schema.sql:3: 'using' must be on the line before a column",
        ),
        ("-- pgdiff: using 1\nCREATE TABLE t (id int);", "schema.sql:1: 'using' must precede ALTER TABLE"),
        (
            "CREATE TABLE t (\n  -- pgdiff: using c; DROP TABLE x\n  c int\n);",
            "schema.sql:2: 'using c; DROP TABLE x' must be one",
        ),
        (
            "CREATE TABLE t (\n  -- pgdiff: using (c\n  c int\n);",
            "schema.sql:2: 'using (c' is not an SQL expression",
        ),
        (
            "CREATE TABLE t (\n  -- pgdiff: using 1\n  c int\n);\n"
            "-- pgdiff: using 2\nALTER TABLE t ALTER COLUMN c TYPE int;",
            "schema.sql:5: column public.t.c already has a 'using' at schema.sql:2",
        ),
    ],
)
def test_misplaced_or_malformed_using_directives_name_file_and_line(sql, message):
    with pytest.raises(SourceError) as raised:
        find_conversions(split_sql(sql, Path("schema.sql")))
    assert str(raised.value).startswith(message)


# -- hazards: binary-coercible changes and relocated extension types are not rewrites -------------------------

HAZARD_CASES = [
    Case(
        "citext-to-text",
        "CREATE EXTENSION citext; CREATE TABLE users (id int, email citext); INSERT INTO users VALUES (1, 'A');",
        "CREATE EXTENSION citext; CREATE TABLE users (id int, email text); INSERT INTO users VALUES (1, 'A');",
    ),
    Case(
        "domain-to-its-base-type-and-back",
        "CREATE DOMAIN label AS text; CREATE TABLE tags (id int, name label, code text);",
        "CREATE DOMAIN label AS text; CREATE TABLE tags (id int, name text, code label);",
    ),
    Case(
        "extension-moves-schema-with-its-columns",
        "CREATE EXTENSION citext; CREATE TABLE users (id int, email citext, aliases citext[]);",
        "CREATE SCHEMA extensions; CREATE EXTENSION citext SCHEMA extensions; "
        "CREATE TABLE users (id int, email extensions.citext, aliases extensions.citext[]);",
    ),
]


@pytest.mark.parametrize("case", forward(HAZARD_CASES))
def test_hazard_cases_converge_a_to_b(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(HAZARD_CASES))
def test_hazard_cases_converge_b_to_a(pg, case):
    run_case(pg, case, reverse=True)


def _codes(result) -> set[str]:
    return {hazard.code for statement in result.plan.statements for hazard in statement.hazards}


@pytest.mark.parametrize("reverse", [False, True])
def test_binary_coercible_changes_report_no_rewrite(pg, reverse):
    for case_id in ("citext-to-text", "domain-to-its-base-type-and-back"):
        result = run_case(pg, case_by_id(HAZARD_CASES, case_id), reverse=reverse)
        assert result is not None
        assert "table-rewrite" not in _codes(result), result.sql


def test_a_relocated_extension_type_is_not_a_type_change(pg):
    result = run_case(pg, case_by_id(HAZARD_CASES, "extension-moves-schema-with-its-columns"))
    assert result is not None
    assert not any(" TYPE " in s for s in result.sql), result.sql
    assert "table-rewrite" not in _codes(result)


def test_a_new_stored_generation_expression_locks_the_table_it_rewrites(pg):
    current = "CREATE TABLE totals (a int, b int, s int GENERATED ALWAYS AS (a + b) STORED);"
    desired = "CREATE TABLE totals (a int, b int, s int GENERATED ALWAYS AS (a * b) STORED);"
    result = assert_converges(pg, current, desired)
    codes = {hazard.code for statement in result.plan.statements for hazard in statement.hazards}
    assert {"table-rewrite", "access-exclusive-lock"} <= codes


def test_yaml_columns_give_their_conversion_with_using(tmp_path):
    schema = tmp_path / "schema.yaml"
    schema.write_text(
        "tables:\n  - name: events\n    columns:\n      - name: id\n        type: int\n"
        "      - name: created_at\n        type: timestamptz\n        using: to_timestamp(created_at)\n"
    )
    [conversion] = resolve_sources([str(schema)]).conversions
    assert conversion.key == ("public", "events", "created_at")
    assert conversion.expression == "to_timestamp(created_at)"
    assert conversion.where == f"{schema}:8:16"
