"""The loader's order keeps what the files mean: ALTER DEFAULT PRIVILEGES gives grants only to what the files
create after it, and statements of every kind load after what they stand on, whatever the files' path
order (a domain's CHECK calling a function, a function returning a table's or view's row type, a SQL body
reading a table, a domain over a row type). Each case goes through the loader and the shadow, is applied
from empty and from another state, and back."""

from __future__ import annotations

import pytest

from tests.file_mode import assert_files_converge, assert_files_converge_both_ways, write_files

APP = "CREATE SCHEMA app;\n"

# -- default privileges: file order is meaning ---------------------------------------------------------

DEFAULTS_CASES = {
    "tables-before-and-after-the-defaults": {
        "schema.sql": APP
        + "CREATE TABLE app.before_defaults (id int PRIMARY KEY);\n"
        + "CREATE VIEW app.before_view AS SELECT id FROM app.before_defaults;\n"
        + "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;\n"
        + "CREATE TABLE app.after_defaults (id int REFERENCES app.before_defaults (id));\n"
        + "CREATE VIEW app.after_view AS SELECT id FROM app.after_defaults;\n",
    },
    "defaults-in-their-own-file-between-two": {
        "10_schema.sql": APP + "CREATE SEQUENCE app.early_seq;\nCREATE TABLE app.early (id int, doc text);\n",
        "20_defaults.sql": "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT USAGE, SELECT ON SEQUENCES TO PUBLIC;\n"
        "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT, INSERT ON TABLES TO PUBLIC;\n",
        "30_late.sql": "CREATE TABLE app.late (id int GENERATED ALWAYS AS IDENTITY, early_doc text);\n"
        "CREATE SEQUENCE app.late_seq;\n",
    },
    "function-revoke-in-the-middle": {
        "schema.sql": APP
        + "CREATE FUNCTION app.open_to_all() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
        + "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;\n"
        + "CREATE FUNCTION app.closed() RETURNS int LANGUAGE sql AS 'SELECT app.open_to_all()';\n"
        + "CREATE TABLE app.uses_both (a int DEFAULT app.open_to_all(), b int DEFAULT app.closed());\n",
    },
    "defaults-of-another-schema-leave-these-alone": {
        "schema.sql": APP
        + "CREATE SCHEMA other;\n"
        + "ALTER DEFAULT PRIVILEGES IN SCHEMA other GRANT SELECT ON TABLES TO PUBLIC;\n"
        + "CREATE TABLE other.t (id int);\n"
        + "CREATE TABLE app.t (id int);\n"
        + "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;\n"
        + "CREATE TABLE app.u (id int);\n",
    },
    "types-and-schemas-around-the-defaults": {
        "schema.sql": "CREATE SCHEMA early_schema;\n"
        + "CREATE TYPE early_mood AS ENUM ('ok');\n"
        + "ALTER DEFAULT PRIVILEGES REVOKE USAGE ON TYPES FROM PUBLIC;\n"
        + "CREATE SCHEMA late_schema;\n"
        + "CREATE DOMAIN late_mood AS text;\n"
        + "CREATE TABLE late_schema.t (m early_mood, n late_mood);\n",
    },
}


@pytest.mark.parametrize("case", list(DEFAULTS_CASES))
def test_default_privileges_apply_only_to_what_follows_them(pg, tmp_path, case):
    assert_files_converge_both_ways(pg, tmp_path, DEFAULTS_CASES[case], other=APP + "CREATE TABLE app.x (id int);")


def test_yaml_default_privileges_apply_to_every_object_of_the_files(pg, tmp_path):
    """YAML is declarative: a table in a file sorted before the defaults' file still gets them."""
    files = {
        "a_tables.yaml": "schemas: [app]\ntables:\n  - {name: t, schema: app, columns: [{name: id, type: int}]}\n",
        "z_defaults.yaml": "default_privileges:\n"
        "  - {schema: app, on: tables, grants: [{to: PUBLIC, privileges: [select]}]}\n",
    }
    reference = APP + "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;\n"
    reference += "CREATE TABLE app.t (id int);\n"
    assert_files_converge(pg, tmp_path, files, reference_sql=reference)


def test_a_file_setting_the_role_loads_in_file_order(pg, tmp_path):
    from pgdiff.source import resolve_sources

    text = "CREATE TABLE b (id int REFERENCES a (id));\nSET ROLE postgres;\nCREATE TABLE a (id int PRIMARY KEY);\n"
    write_files(tmp_path, {"schema.sql": text})
    ordered = [s.text for s in resolve_sources([str(tmp_path)]).statements]
    assert ordered[0].startswith("CREATE TABLE b") and ordered[-1].startswith("CREATE TABLE a")


# -- across kinds: the files in the wrong path order ---------------------------------------------------

IS_EVEN = "CREATE FUNCTION is_even(i int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT i % 2 = 0';\n"

ORDER_CASES = {
    "domain-check-calls-a-function": (
        {
            "1_tables.sql": "CREATE TABLE counters (id int PRIMARY KEY, step even_int DEFAULT 2);\n",
            "2_domains.sql": "CREATE DOMAIN even_int AS int CONSTRAINT even_int_even CHECK (is_even(VALUE));\n",
            "3_functions.sql": IS_EVEN,
        },
        IS_EVEN
        + "CREATE DOMAIN even_int AS int CONSTRAINT even_int_even CHECK (is_even(VALUE));\n"
        + "CREATE TABLE counters (id int PRIMARY KEY, step even_int DEFAULT 2);\n",
    ),
    "functions-return-a-table-and-a-view-row-type": (
        {
            "1_functions.sql": "CREATE FUNCTION all_items() RETURNS SETOF items LANGUAGE sql STABLE"
            " AS 'SELECT * FROM items';\n"
            "CREATE FUNCTION newest() RETURNS recent_items LANGUAGE sql STABLE"
            " AS 'SELECT * FROM recent_items ORDER BY id DESC LIMIT 1';\n",
            "2_views.sql": "CREATE VIEW recent_items AS SELECT id, name FROM items WHERE id > 10;\n",
            "3_tables.sql": "CREATE TABLE items (id int PRIMARY KEY, name text);\n",
        },
        "CREATE TABLE items (id int PRIMARY KEY, name text);\n"
        "CREATE VIEW recent_items AS SELECT id, name FROM items WHERE id > 10;\n"
        "CREATE FUNCTION all_items() RETURNS SETOF items LANGUAGE sql STABLE AS 'SELECT * FROM items';\n"
        "CREATE FUNCTION newest() RETURNS recent_items LANGUAGE sql STABLE"
        " AS 'SELECT * FROM recent_items ORDER BY id DESC LIMIT 1';\n",
    ),
    "domains-over-a-composite-and-a-table-row-type": (
        {
            "1_domains.sql": "CREATE DOMAIN positive_point AS point2 CHECK ((VALUE).x > 0);\n"
            "CREATE DOMAIN named_item AS items CHECK ((VALUE).id IS NOT NULL);\n",
            "2_tables.sql": "CREATE TABLE placed (at positive_point, what named_item);\n"
            "CREATE TABLE items (id int, name text);\n",
            "3_types.sql": "CREATE TYPE point2 AS (x int, y int);\n",
        },
        "CREATE TYPE point2 AS (x int, y int);\nCREATE TABLE items (id int, name text);\n"
        "CREATE DOMAIN positive_point AS point2 CHECK ((VALUE).x > 0);\n"
        "CREATE DOMAIN named_item AS items CHECK ((VALUE).id IS NOT NULL);\n"
        "CREATE TABLE placed (at positive_point, what named_item);\n",
    ),
    "column-of-a-domain-whose-check-calls-a-sql-function-reading-a-table": (
        {
            "1_orders.sql": "CREATE TABLE orders (id int PRIMARY KEY, currency known_currency NOT NULL);\n",
            "2_domain.sql": "CREATE DOMAIN known_currency AS text CHECK (is_currency(VALUE));\n",
            "3_function.sql": "CREATE FUNCTION is_currency(code text) RETURNS boolean LANGUAGE sql STABLE"
            " AS 'SELECT EXISTS (SELECT 1 FROM currencies WHERE currencies.code = is_currency.code)';\n",
            "4_currencies.sql": "CREATE TABLE currencies (code text PRIMARY KEY);\n",
        },
        "CREATE TABLE currencies (code text PRIMARY KEY);\n"
        "CREATE FUNCTION is_currency(code text) RETURNS boolean LANGUAGE sql STABLE"
        " AS 'SELECT EXISTS (SELECT 1 FROM currencies WHERE currencies.code = is_currency.code)';\n"
        "CREATE DOMAIN known_currency AS text CHECK (is_currency(VALUE));\n"
        "CREATE TABLE orders (id int PRIMARY KEY, currency known_currency NOT NULL);\n",
    ),
    "view-calls-a-function-reading-another-table": (
        {
            "1_views.sql": "CREATE VIEW priced AS SELECT id, price_of(id) AS price FROM items;\n",
            "2_functions.sql": "CREATE FUNCTION price_of(item int) RETURNS numeric LANGUAGE sql STABLE"
            " AS $$SELECT amount FROM prices WHERE prices.item = price_of.item$$;\n",
            "3_tables.sql": "CREATE TABLE items (id int PRIMARY KEY);\n"
            "CREATE TABLE prices (item int REFERENCES items (id), amount numeric);\n",
        },
        "CREATE TABLE items (id int PRIMARY KEY);\n"
        "CREATE TABLE prices (item int REFERENCES items (id), amount numeric);\n"
        "CREATE FUNCTION price_of(item int) RETURNS numeric LANGUAGE sql STABLE"
        " AS $$SELECT amount FROM prices WHERE prices.item = price_of.item$$;\n"
        "CREATE VIEW priced AS SELECT id, price_of(id) AS price FROM items;\n",
    ),
    "sql-standard-body-and-a-check-on-a-table": (
        {
            "1_checks.sql": "CREATE TABLE lines (qty int CONSTRAINT lines_qty_ok CHECK (qty_ok(qty)));\n",
            "2_functions.sql": "CREATE FUNCTION qty_ok(q int) RETURNS boolean LANGUAGE sql IMMUTABLE"
            " RETURN q BETWEEN 1 AND max_qty();\n"
            "CREATE FUNCTION max_qty() RETURNS int LANGUAGE sql IMMUTABLE RETURN 100;\n",
        },
        "CREATE FUNCTION max_qty() RETURNS int LANGUAGE sql IMMUTABLE RETURN 100;\n"
        "CREATE FUNCTION qty_ok(q int) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN q BETWEEN 1 AND max_qty();\n"
        "CREATE TABLE lines (qty int CONSTRAINT lines_qty_ok CHECK (qty_ok(qty)));\n",
    ),
}

OTHER_STATE = "CREATE TABLE unrelated (id int);\n"


@pytest.mark.parametrize("case", list(ORDER_CASES))
def test_statements_load_and_plan_after_what_they_stand_on(pg, tmp_path, case):
    files, reference = ORDER_CASES[case]
    assert_files_converge_both_ways(pg, tmp_path, files, reference_sql=reference, other=OTHER_STATE)


def test_a_changed_domain_check_calls_a_new_function(pg, tmp_path):
    """An existing table gains a column of a new domain whose CHECK calls a new function."""
    files, reference = ORDER_CASES["domain-check-calls-a-function"]
    assert_files_converge(
        pg, tmp_path, files, reference_sql=reference, current_sql="CREATE TABLE counters (id int PRIMARY KEY);"
    )
