"""Renames carry their dependants along: a table or column renamed by a `-- pgdiff: renamed from` directive
keeps its triggers, policies, row security, statistics, comments, grants, indexes, constraints, foreign
keys, owned sequences, partitions, children, views and functions, none dropped and made again.

Each case is loaded as files with directives on both sides (the reverse direction is the reverse rename),
converges both ways (model and pg_dump equal, empty re-plan), and its plan drops nothing that the rename
carries (a DROP only where the case changes something that has to be dropped).
"""

from __future__ import annotations

import re

import pytest

from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import Convergence, ensure_roles

ROLES = ("flow_reader", "flow_writer")


# The issue's repro: a table with everything PostgreSQL carries along on a rename.
FLOWS = """
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.updated_at := now(); RETURN NULL; END$$;
{table}
CREATE TABLE {flows} (
    id serial PRIMARY KEY,
    tenant text NOT NULL,
    name text UNIQUE,
    updated_at timestamptz
);
CREATE TRIGGER flows_touch BEFORE UPDATE ON {flows} FOR EACH ROW EXECUTE FUNCTION {trigger_function}();
ALTER TABLE {flows} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {flows} FORCE ROW LEVEL SECURITY;
CREATE POLICY flows_tenant ON {flows} USING ({policy});
CREATE STATISTICS flows_stats (dependencies) ON tenant, name FROM {flows};
COMMENT ON TABLE {flows} IS 'the flows';
COMMENT ON COLUMN {flows}.name IS 'what people call it';
GRANT SELECT ON {flows} TO flow_reader;
GRANT UPDATE (name) ON {flows} TO flow_writer;
GRANT USAGE ON SEQUENCE {flows}_id_seq TO flow_writer;
COMMENT ON SEQUENCE {flows}_id_seq IS 'ids';
CREATE TABLE archive (snapshot {flows});
{grant}
CREATE INDEX flows_tenant_idx ON {flows} (tenant) WHERE updated_at IS NOT NULL;
CREATE INDEX ON {flows} (lower(name));
CREATE TABLE runs (id int PRIMARY KEY, flow_id int REFERENCES {flows} (id) ON DELETE CASCADE);
CREATE VIEW flow_names AS
    SELECT f.id, f.name, count(r.id) AS runs FROM {flows} f LEFT JOIN runs r ON r.flow_id = f.id GROUP BY f.id;
CREATE VIEW tenants AS SELECT DISTINCT tenant FROM {flows};
CREATE MATERIALIZED VIEW flow_counts AS SELECT tenant, count(*) AS n FROM {flows} GROUP BY tenant;
CREATE INDEX flow_counts_tenant ON flow_counts (tenant);
CREATE FUNCTION flow_count(t text) RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC SELECT count(*) FROM {flows} WHERE {flows}.tenant = t; END;
CREATE FUNCTION flow_label(f {flows}) RETURNS text LANGUAGE sql IMMUTABLE RETURN f.name || '#' || f.id;
"""

POLICY = "tenant = current_user"


def flows(name: str, old: str | None = None, **changes: str) -> str:
    values = {
        "flows": name,
        "table": f"-- pgdiff: renamed from {old}" if old else "",
        "trigger_function": "touch",
        "policy": POLICY,
        "grant": "",
    } | changes
    sql = FLOWS
    for key, value in values.items():
        sql = sql.replace("{" + key + "}", value)
    return sql


# A column with everything that names it: view, index, policy, CHECK, UPDATE OF trigger, column grant,
# comment, extended statistics, a foreign key to it, a default and a generated column reading it.
COLUMN = """
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    {col} text NOT NULL DEFAULT 'anonymous' CONSTRAINT accounts_{col}_check CHECK ({col} <> ''), {directive}
    shout text GENERATED ALWAYS AS (upper({col})) STORED,
    region text,
    CONSTRAINT accounts_{col}_key UNIQUE ({col}, region)
);
CREATE INDEX accounts_{col}_idx ON accounts (lower({col})) WHERE {col} <> 'anonymous';
CREATE TRIGGER accounts_audit AFTER UPDATE OF {col}, region ON accounts
    FOR EACH ROW WHEN (old.{col} IS DISTINCT FROM new.{col}) EXECUTE FUNCTION audit();
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON accounts FOR UPDATE USING ({col} = current_user) WITH CHECK ({col} = current_user);
CREATE STATISTICS accounts_stats (ndistinct) ON {col}, region FROM accounts;
GRANT UPDATE ({col}) ON accounts TO flow_writer;
GRANT SELECT ({col}, region) ON accounts TO flow_reader;
COMMENT ON COLUMN accounts.{col} IS 'the login';
CREATE TABLE sessions (
    account text,
    region text,
    CONSTRAINT sessions_account_fkey FOREIGN KEY (account, region) REFERENCES accounts ({col}, region)
);
CREATE VIEW account_names AS SELECT a.id, a.{col}, s.region FROM accounts a JOIN sessions s ON s.account = a.{col};
CREATE VIEW logins AS SELECT {col} AS login FROM accounts;
"""


def column(name: str, old: str | None = None) -> str:
    return COLUMN.replace("{directive}", f"-- pgdiff: renamed from {old}" if old else "").replace("{col}", name)


PARTITIONED = """
{directive}
CREATE TABLE {events} (id bigint NOT NULL, at date NOT NULL, kind text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF {events} FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF {events} FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
    PARTITION BY RANGE (at);
CREATE TABLE events_2025_h1 PARTITION OF events_2025 FOR VALUES FROM ('2025-01-01') TO ('2025-07-01');
CREATE TABLE events_other PARTITION OF {events} DEFAULT;
CREATE INDEX events_kind_idx ON {events} (kind);
CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER events_keep BEFORE INSERT ON {events} FOR EACH ROW EXECUTE FUNCTION keep();
COMMENT ON TABLE {events} IS 'partitioned';
GRANT SELECT ON {events} TO flow_reader;
CREATE VIEW recent AS SELECT id, kind FROM {events} WHERE at > '2025-01-01';
"""


def partitioned(name: str, old: str | None = None) -> str:
    directive = f"-- pgdiff: renamed from {old}" if old else ""
    return PARTITIONED.replace("{directive}", directive).replace("{events}", name)


INHERITED = """
{directive}
CREATE TABLE {parent} (
    id int PRIMARY KEY,
    {col} text CHECK ({col} <> '') {col_directive}
);
CREATE TABLE child (extra int) INHERITS ({parent});
CREATE INDEX child_{col}_idx ON child ({col});
CREATE VIEW everything AS SELECT id, {col} FROM {parent};
"""


# PostgreSQL names partitions' copies of indexes and keys after the partition and the columns, and renaming
# either leaves the copies' names as they were; a database built from the files has the new names.
PARTITION_COPIES = """
CREATE TABLE readings (
    id bigint NOT NULL,
    {at} date NOT NULL, {at_directive}
    {sensor} text, {sensor_directive}
    UNIQUE (id, {at}) INCLUDE ({sensor}),
    PRIMARY KEY ({at}, id)
) PARTITION BY RANGE ({at});
{part_directive}
CREATE TABLE {p2024} PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE readings_2025 PARTITION OF readings FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
    PARTITION BY RANGE ({at});
CREATE TABLE readings_2025_h1 PARTITION OF readings_2025 FOR VALUES FROM ('2025-01-01') TO ('2025-07-01');
CREATE TABLE readings_other PARTITION OF readings DEFAULT;
CREATE INDEX readings_by_sensor ON readings ({sensor}, {at}) WHERE {sensor} IS NOT NULL;
CREATE INDEX ON readings (lower({sensor}));
"""


def partition_copies(at: str, sensor: str, p2024: str, old: tuple[str, str, str] | None = None) -> str:
    sql = PARTITION_COPIES.replace("{at_directive}", directive(old and old[0]))
    sql = sql.replace("{sensor_directive}", directive(old and old[1]))
    sql = sql.replace("{part_directive}", directive(old and old[2]))
    return sql.replace("{at}", at).replace("{sensor}", sensor).replace("{p2024}", p2024)


def directive(old: str | None) -> str:
    return f"-- pgdiff: renamed from {old}" if old else ""


def inherited(parent: str, col: str, old_parent: str | None = None, old_col: str | None = None) -> str:
    sql = INHERITED.replace("{directive}", directive(old_parent)).replace("{col_directive}", directive(old_col))
    return sql.replace("{parent}", parent).replace("{col}", col)


OTHER_SCHEMA = """
CREATE SCHEMA app;
CREATE TYPE app.status AS ENUM ('new', 'done');
{directive}
CREATE TABLE app.{jobs} (id bigserial PRIMARY KEY, status app.status NOT NULL DEFAULT 'new', payload {payload});
CREATE INDEX ON app.{jobs} (status);
COMMENT ON TABLE app.{jobs} IS 'work';
CREATE TABLE public.job_logs (job_id bigint REFERENCES app.{jobs} (id), line text);
CREATE VIEW public.pending AS SELECT id, payload FROM app.{jobs} WHERE status = 'new';
ALTER TABLE app.{jobs} ENABLE ROW LEVEL SECURITY;
CREATE POLICY see_logged ON app.{jobs} USING (EXISTS (SELECT 1 FROM public.job_logs l WHERE l.job_id = {jobs}.id));
"""


def other_schema(name: str, old: str | None = None, payload: str = "text") -> str:
    directive = f"-- pgdiff: renamed from {old}" if old else ""
    return OTHER_SCHEMA.replace("{directive}", directive).replace("{jobs}", name).replace("{payload}", payload)


TYPE_CHANGE = """
{directive}
CREATE TABLE {orders} (
    id int PRIMARY KEY,
    note text,
    {amount} {type} NOT NULL CHECK ({amount} >= 0) {col_directive}
);
CREATE INDEX ON {orders} ({amount});
COMMENT ON COLUMN {orders}.{amount} IS 'in cents';
"""


def type_change(orders: str, amount: str, type_: str, old_table: str | None = None, old_column: str | None = None):
    sql = TYPE_CHANGE.replace("{directive}", directive(old_table)).replace("{col_directive}", directive(old_column))
    return sql.replace("{orders}", orders).replace("{amount}", amount).replace("{type}", type_)


NAMES = """
CREATE TABLE t (a int CONSTRAINT a_positive CHECK (a > 0), b int NOT NULL, c int);
ALTER TABLE t ADD CONSTRAINT {unique} UNIQUE (b); {unique_directive}
CREATE TABLE refs (b int CONSTRAINT refs_b_fkey REFERENCES t (b));
{index_directive}
CREATE INDEX {index} ON t (c) INCLUDE (a);
ALTER TABLE t REPLICA IDENTITY USING INDEX {unique};
COMMENT ON INDEX {index} IS 'by c';
COMMENT ON CONSTRAINT {unique} ON t IS 'one b each';
"""


def names(unique: str, index: str, old_unique: str | None = None, old_index: str | None = None) -> str:
    sql = NAMES.replace("{unique_directive}", "").replace(
        "{index_directive}", f"-- pgdiff: renamed from {old_index}" if old_index else ""
    )
    if old_unique:
        sql = sql.replace(
            "ALTER TABLE t ADD CONSTRAINT {unique} UNIQUE (b); ",
            f"-- pgdiff: renamed from {old_unique}\nALTER TABLE t ADD CONSTRAINT {{unique}} UNIQUE (b);",
        )
    return sql.replace("{unique}", unique).replace("{index}", index)


# Queries reading a renamed column: a materialized view (its index too), a SQL-standard function, and a
# policy of another table whose subquery reads it.
READERS = """
CREATE TABLE stock (
    sku text PRIMARY KEY,
    {qty} int NOT NULL DEFAULT 0 {directive}
);
CREATE MATERIALIZED VIEW stock_totals AS SELECT sku, sum({qty}) AS total FROM stock GROUP BY sku;
CREATE UNIQUE INDEX stock_totals_sku ON stock_totals (sku);
CREATE FUNCTION in_stock(wanted text) RETURNS boolean LANGUAGE sql STABLE
BEGIN ATOMIC SELECT EXISTS (SELECT 1 FROM stock WHERE stock.sku = wanted AND stock.{qty} > 0); END;
CREATE TABLE orders (id int PRIMARY KEY, sku text REFERENCES stock);
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_in_stock ON orders FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM stock s WHERE s.sku = orders.sku AND s.{qty} > 0));
"""


def readers(qty: str, old: str | None = None) -> str:
    return READERS.replace("{directive}", directive(old)).replace("{qty}", qty)


# Names that need quotes, in the renamed table and in what PostgreSQL derived from it.
QUOTED = """
{directive}
CREATE TABLE {table} (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "Label" text UNIQUE);
CREATE TRIGGER "Keep It" BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Everyone" ON {table} USING ("Label" IS NOT NULL);
CREATE VIEW labels AS SELECT {table}."Label" FROM {table} JOIN {table} other USING (id);
GRANT SELECT ON {table} TO flow_reader;
COMMENT ON TABLE {table} IS 'quoted';
"""


def quoted(table: str, old: str | None = None) -> str:
    return QUOTED.replace("{directive}", directive(old)).replace("{table}", table)


CASES = [
    Case("table-with-everything", flows("flows", "workflows"), flows("workflows", "flows")),
    Case(
        "table-rename-with-changes-on-new-name",
        flows("flows", "workflows"),
        flows(
            "workflows",
            "flows",
            trigger_function="stamp",
            policy=POLICY + " OR tenant = 'shared'",
            grant="GRANT INSERT ON workflows TO flow_writer;",
        ),
    ),
    Case("column-with-everything", column("login", "username"), column("username", "login")),
    Case(
        "index-and-constraint-renames",
        names("t_b_key", "t_c_idx", "b_unique", "c_idx"),
        names("b_unique", "c_idx", "t_b_key", "t_c_idx"),
    ),
    Case("table-in-another-schema", other_schema("jobs", "tasks"), other_schema("tasks", "jobs")),
    Case(
        "table-rename-with-a-column-type-change",
        other_schema("jobs", "tasks"),
        other_schema("tasks", "jobs", payload="jsonb"),
    ),
    Case(
        "table-and-column-renames-with-a-type-change",
        type_change("orders", "amount", "integer", "purchases", "total"),
        type_change("purchases", "total", "bigint", "orders", "amount"),
    ),
    Case("readers-of-a-renamed-column", readers("qty", "quantity"), readers("quantity", "qty")),
    Case("quoted-names", quoted('"Flow Items"', "flow_items"), quoted("flow_items", '"Flow Items"')),
    Case("partitioned-parent", partitioned("events", "activity"), partitioned("activity", "events")),
    Case(
        "partitions-copies-after-column-and-partition-renames",
        partition_copies("at", "sensor", "readings_2024", ("taken_on", "device", "readings_y2024")),
        partition_copies("taken_on", "device", "readings_y2024", ("at", "sensor", "readings_2024")),
    ),
    Case(
        "inheritance-parent-and-its-column",
        inherited("things", "label", "items", "title"),
        inherited("items", "title", "things", "label"),
    ),
]

# What a case really changes besides the rename, and so may drop: nothing else may be.
ALLOWED_DROPS: dict[str, re.Pattern[str]] = {
    # PostgreSQL cannot change the type of a column a view reads: the view is dropped and created again.
    "table-rename-with-a-column-type-change": re.compile(r"^DROP VIEW public\.pending$"),
}
_DROP = re.compile(r"\bDROP\b")


@pytest.fixture(scope="module", autouse=True)
def roles(pg):
    ensure_roles(pg, *ROLES)


def assert_carried(case: Case, result: Convergence | None) -> None:
    assert result is not None
    allowed = ALLOWED_DROPS.get(case.id)
    drops = [sql for sql in result.sql if _DROP.search(sql) and not (allowed and allowed.search(sql))]
    assert not drops, f"{case.id}: the plan drops what the rename carries: {drops}"
    assert any(statement.action == "rename" for statement in result.plan.statements), result.sql


@pytest.mark.parametrize("case", forward(CASES))
def test_forward(pg, case):
    assert_carried(case, run_case(pg, case))


@pytest.mark.parametrize("case", backward(CASES))
def test_backward(pg, case):
    assert_carried(case, run_case(pg, case, reverse=True))


def test_the_issue_repro_is_renames_only(pg):
    """Everything on the table is carried: the plan renames the table and the names derived from it, and
    does nothing else (no CREATE OR REPLACE, no GRANT, no COMMENT again)."""
    result = run_case(pg, case_by_id(CASES, "table-with-everything"))
    assert result is not None
    assert result.sql[:5] == [
        "ALTER TABLE public.flows RENAME TO workflows",
        "ALTER TABLE public.workflows RENAME CONSTRAINT flows_name_key TO workflows_name_key",
        "ALTER TABLE public.workflows RENAME CONSTRAINT flows_pkey TO workflows_pkey",
        "ALTER INDEX public.flows_lower_idx RENAME TO workflows_lower_idx",
        "ALTER SEQUENCE public.flows_id_seq RENAME TO workflows_id_seq",
    ]
    not_null_names = [
        sql
        for sql in result.sql[5:]
        if re.fullmatch(r"ALTER TABLE \S+ RENAME CONSTRAINT flows_\w+_not_null TO workflows_\w+", sql)
    ]
    assert result.sql[5:] == not_null_names and len(not_null_names) == (2 if pg.major >= 18 else 0)


def test_what_changes_with_the_rename_is_planned_on_the_new_name(pg):
    result = run_case(pg, case_by_id(CASES, "table-rename-with-changes-on-new-name"))
    assert result is not None
    after_renames = [s.sql for s in result.plan.statements if s.action != "rename"]
    assert all("public.flows" not in sql for sql in after_renames), after_renames
    assert [sql.split(" ")[:3] for sql in after_renames if "RENAME CONSTRAINT" not in sql] == [
        ["CREATE", "OR", "REPLACE"],  # the trigger's new function
        ["ALTER", "POLICY", "flows_tenant"],
        ["GRANT", "INSERT", "ON"],
    ]


def test_a_column_rename_renames_the_view_column_in_place(pg):
    result = run_case(pg, case_by_id(CASES, "column-with-everything"))
    assert result is not None
    assert "ALTER VIEW public.account_names RENAME COLUMN login TO username" in result.sql
    # logins keeps its column name: PostgreSQL carries it (`username AS login`), nothing to do.
    assert not any("public.logins" in sql for sql in result.sql), result.sql
