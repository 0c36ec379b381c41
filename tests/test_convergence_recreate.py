"""Tables recreated because their rows must move: plain <-> partitioned, a new partition key or strategy, a
new HASH modulus. Each case runs both ways on tables holding rows; after the apply the schema is the
desired one (model and pg_dump), a second plan is empty, and every row is still there (count and checksum
over the columns both shapes have), identity sequences going on from where they were."""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

from pgdiff.apply import apply_plan
from pgdiff.errors import PgdiffError
from tests.pg import assert_same_catalog, inspect_db, new_database, plan_models, schema_dump


@dataclass(frozen=True)
class RowCase:
    id: str
    a: str
    b: str
    # Per table, the columns whose values both shapes hold (the checksum's), the first being a unique key.
    rows: dict[str, tuple[str, ...]]
    # Identity or serial columns, as (table, column), whose sequence must go on from where it was.
    sequences: tuple[tuple[str, str], ...] = ()


EVENTS_PLAIN = """
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CHECK (kind <> ''),
    created_at date NOT NULL DEFAULT '2024-01-15',
    payload jsonb
);
CREATE INDEX events_kind_idx ON events (kind);
CREATE STATISTICS events_stats (dependencies) ON kind, created_at FROM events;
COMMENT ON TABLE events IS 'what happened';
COMMENT ON COLUMN events.kind IS 'the kind';
GRANT SELECT, INSERT ON events TO PUBLIC;
ALTER TABLE events REPLICA IDENTITY FULL;
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
CREATE POLICY events_visible ON events FOR SELECT USING (kind <> 'secret');
CREATE FUNCTION events_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.payload := '{}'; RETURN NEW; END$$;
CREATE TRIGGER events_touch BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_touch();
CREATE VIEW event_kinds AS SELECT kind, count(*) AS n FROM events GROUP BY kind;
CREATE VIEW event_kinds_busy AS SELECT kind FROM event_kinds WHERE n > 10;
CREATE MATERIALIZED VIEW event_days AS SELECT created_at, count(*) AS n FROM events GROUP BY created_at;
CREATE UNIQUE INDEX event_days_key ON event_days (created_at);
INSERT INTO events (kind, created_at, payload)
SELECT 'k' || (g % 4), date '2024-01-01' + (g % 90), jsonb_build_object('g', g) FROM generate_series(1, 400) g;
"""

EVENTS_BY_RANGE = """
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY,
    kind text NOT NULL CHECK (kind <> ''),
    created_at date NOT NULL DEFAULT '2024-01-15',
    payload jsonb,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE TABLE events_2024_q1 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2024-04-01');
CREATE TABLE events_later PARTITION OF events DEFAULT;
CREATE INDEX events_kind_idx ON events (kind);
CREATE STATISTICS events_stats (dependencies) ON kind, created_at FROM events;
COMMENT ON TABLE events IS 'what happened, by quarter';
COMMENT ON COLUMN events.kind IS 'the kind';
GRANT SELECT ON events TO PUBLIC;
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
CREATE POLICY events_visible ON events FOR SELECT USING (kind <> 'secret');
CREATE FUNCTION events_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.payload := '{}'; RETURN NEW; END$$;
CREATE TRIGGER events_touch BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_touch();
CREATE VIEW event_kinds AS SELECT kind, count(*) AS n FROM events GROUP BY kind;
CREATE VIEW event_kinds_busy AS SELECT kind FROM event_kinds WHERE n > 10;
CREATE MATERIALIZED VIEW event_days AS SELECT created_at, count(*) AS n FROM events GROUP BY created_at;
CREATE UNIQUE INDEX event_days_key ON event_days (created_at);
INSERT INTO events (kind, created_at, payload)
SELECT 'k' || (g % 4), date '2024-01-01' + (g % 90), jsonb_build_object('g', g) FROM generate_series(1, 400) g;
"""

# A referenced table: other tables' foreign keys must be re-pointed at the new one.
ACCOUNTS = """
CREATE TABLE accounts (id integer PRIMARY KEY, region text NOT NULL, name text){partitioning};
{partitions}
CREATE TABLE orders (id serial PRIMARY KEY, account_id integer NOT NULL REFERENCES accounts (id), total numeric);
CREATE INDEX orders_account_idx ON orders (account_id);
INSERT INTO accounts SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, 'account ' || g
FROM generate_series(1, 300) g;
INSERT INTO orders (account_id, total) SELECT 1 + g % 300, g FROM generate_series(1, 900) g;
"""


def accounts(partitioning: str = "", partitions: str = "") -> str:
    return ACCOUNTS.replace("{partitioning}", partitioning).replace("{partitions}", partitions)


def hash_partitions(modulus: int) -> str:
    return "\n".join(
        f"CREATE TABLE accounts_h{r} PARTITION OF accounts FOR VALUES WITH (MODULUS {modulus}, REMAINDER {r});"
        for r in range(modulus)
    )


# Two tables with foreign keys to each other (one deferred, so that rows can be loaded), partitioned or not.
PAIR = """
CREATE TABLE depots (id integer NOT NULL, region text NOT NULL, hub integer, UNIQUE (id, region)){by};
CREATE TABLE routes (id integer NOT NULL, region text NOT NULL, depot integer, UNIQUE (id, region)){by};
{parts}
ALTER TABLE depots ADD CONSTRAINT depots_hub_fkey FOREIGN KEY (hub, region) REFERENCES routes (id, region);
ALTER TABLE routes ADD CONSTRAINT routes_depot_fkey FOREIGN KEY (depot, region) REFERENCES depots (id, region);
INSERT INTO depots SELECT g, 'r' || (g % 2), NULL FROM generate_series(1, 50) g;
INSERT INTO routes SELECT g, 'r' || (g % 2), g FROM generate_series(1, 50) g;
"""
PAIR_PARTS = """
CREATE TABLE depots_r0 PARTITION OF depots FOR VALUES IN ('r0');
CREATE TABLE depots_r1 PARTITION OF depots FOR VALUES IN ('r1');
CREATE TABLE routes_any PARTITION OF routes DEFAULT;
"""

# A serial column whose sequence the table owns, a generated column, a list-partitioned table whose key
# moves to another column and strategy.
TICKETS_COLUMNS = """
    id serial,
    status text NOT NULL DEFAULT 'open',
    opened date NOT NULL,
    title text NOT NULL,
    title_length integer GENERATED ALWAYS AS (length(title)) STORED,
"""
TICKETS_BY_STATUS = f"""
CREATE TABLE tickets ({TICKETS_COLUMNS}    PRIMARY KEY (id, status)
) PARTITION BY LIST (status);
CREATE TABLE tickets_open PARTITION OF tickets FOR VALUES IN ('open');
CREATE TABLE tickets_closed PARTITION OF tickets FOR VALUES IN ('closed', 'done');
CREATE TABLE tickets_other PARTITION OF tickets DEFAULT;
CREATE INDEX tickets_opened_idx ON tickets (opened);
CREATE VIEW open_tickets AS SELECT id, title FROM tickets WHERE status = 'open';
INSERT INTO tickets (status, opened, title)
SELECT (ARRAY['open', 'closed', 'done', 'stale'])[1 + g % 4], date '2023-06-01' + g, 'ticket ' || g
FROM generate_series(1, 500) g;
"""
TICKETS_BY_OPENED = f"""
CREATE TABLE tickets ({TICKETS_COLUMNS}    PRIMARY KEY (id, opened, status)
) PARTITION BY RANGE (opened);
CREATE TABLE tickets_2023 PARTITION OF tickets FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE tickets_2024 PARTITION OF tickets FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
    PARTITION BY LIST (status);
CREATE TABLE tickets_2024_open PARTITION OF tickets_2024 FOR VALUES IN ('open');
CREATE TABLE tickets_2024_rest PARTITION OF tickets_2024 DEFAULT;
CREATE TABLE tickets_later PARTITION OF tickets DEFAULT;
CREATE INDEX tickets_opened_idx ON tickets (opened);
CREATE VIEW open_tickets AS SELECT id, title FROM tickets WHERE status = 'open';
INSERT INTO tickets (status, opened, title)
SELECT (ARRAY['open', 'closed', 'done', 'stale'])[1 + g % 4], date '2023-06-01' + g, 'ticket ' || g
FROM generate_series(1, 500) g;
"""

# The same table partitioned by another column (a key column change), with a column dropped on the way.
READINGS_BY_TAKEN = """
CREATE TABLE readings (sensor integer NOT NULL, taken date NOT NULL, received date NOT NULL, value real,
    note text) PARTITION BY RANGE (taken);
CREATE TABLE readings_old PARTITION OF readings FOR VALUES FROM (MINVALUE) TO ('2024-03-01');
CREATE TABLE readings_new PARTITION OF readings FOR VALUES FROM ('2024-03-01') TO (MAXVALUE);
CREATE UNIQUE INDEX readings_key ON readings (sensor, taken);
INSERT INTO readings SELECT g % 10, date '2024-01-01' + g / 10, date '2024-01-02' + g / 10, g / 7.0, NULL
FROM generate_series(1, 1000) g;
"""
READINGS_BY_RECEIVED = """
CREATE TABLE readings (sensor integer NOT NULL, taken date NOT NULL, received date NOT NULL, value real)
    PARTITION BY RANGE (received);
CREATE TABLE readings_old PARTITION OF readings FOR VALUES FROM (MINVALUE) TO ('2024-03-01');
CREATE TABLE readings_new PARTITION OF readings FOR VALUES FROM ('2024-03-01') TO (MAXVALUE);
CREATE UNIQUE INDEX readings_key ON readings (sensor, taken, received);
INSERT INTO readings SELECT g % 10, date '2024-01-01' + g / 10, date '2024-01-02' + g / 10, g / 7.0
FROM generate_series(1, 1000) g;
"""

CASES = [
    RowCase(
        "plain-to-range-with-everything-on-it",
        EVENTS_PLAIN,
        EVENTS_BY_RANGE,
        {"events": ("id", "kind", "created_at", "payload")},
        (("events", "id"),),
    ),
    RowCase(
        "referenced-plain-to-hash",
        accounts(),
        accounts(" PARTITION BY HASH (id)", hash_partitions(3)),
        {"accounts": ("id", "region", "name"), "orders": ("id", "account_id", "total")},
        (("orders", "id"),),
    ),
    RowCase(
        "referenced-hash-modulus-change",
        accounts(" PARTITION BY HASH (id)", hash_partitions(2)),
        accounts(" PARTITION BY HASH (id)", hash_partitions(4)),
        {"accounts": ("id", "region", "name"), "orders": ("id", "account_id", "total")},
    ),
    RowCase(
        "referenced-list-to-hash",
        accounts(
            " PARTITION BY LIST (id)",
            "CREATE TABLE accounts_low PARTITION OF accounts FOR VALUES IN (1, 2, 3);\n"
            "CREATE TABLE accounts_rest PARTITION OF accounts DEFAULT;",
        ),
        accounts(" PARTITION BY HASH (id)", hash_partitions(2)),
        {"accounts": ("id", "region", "name"), "orders": ("id", "account_id", "total")},
    ),
    RowCase(
        "list-to-range-sub-partitioned-serial-generated",
        TICKETS_BY_STATUS,
        TICKETS_BY_OPENED,
        {"tickets": ("id", "status", "opened", "title", "title_length")},
        (("tickets", "id"),),
    ),
    # Both tables recreated, each with a foreign key to the other: the second recreation finds the first's
    # key gone with the old table.
    RowCase(
        "two-recreated-tables-referencing-each-other",
        PAIR.format(by=" PARTITION BY LIST (region)", parts=PAIR_PARTS),
        PAIR.format(by="", parts=""),
        {"depots": ("id", "region", "hub"), "routes": ("id", "region", "depot")},
    ),
    RowCase(
        "key-column-change-and-dropped-column",
        READINGS_BY_TAKEN,
        READINGS_BY_RECEIVED,
        {"readings": ("sensor", "taken", "received", "value")},
    ),
]


def _cases(direction: str) -> list[object]:
    return [pytest.param(case, id=f"{case.id}[{direction}]") for case in CASES]


def row_checksums(conninfo: str, rows: dict[str, tuple[str, ...]]) -> dict[str, tuple[int, str]]:
    """Row count and an md5 over `rows`' columns of every row, ordered by all of them, per table."""
    found = {}
    with psycopg.connect(conninfo) as conn:
        for table, columns in rows.items():
            listed = sql.SQL(", ").join(map(sql.Identifier, columns))
            query = sql.SQL("SELECT count(*), md5(string_agg(row({c})::text, ',' ORDER BY {c})) FROM {t}").format(
                c=listed, t=sql.Identifier(table)
            )
            row = conn.execute(query).fetchone()
            assert row is not None and row[0] > 0, f"{table} holds no rows to check"
            found[table] = (row[0], row[1])
    return found


def sequence_positions(conninfo: str, columns: tuple[tuple[str, str], ...]) -> dict[tuple[str, str], int]:
    with psycopg.connect(conninfo) as conn:
        query = "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, %s)::regclass)"
        return {(t, c): conn.execute(query, [f"public.{t}", c]).fetchone()[0] for t, c in columns}  # type: ignore[index]


def recreate_and_check(pg, case: RowCase, *, reverse: bool = False):
    current_sql, desired_sql = (case.b, case.a) if reverse else (case.a, case.b)
    current_db = new_database(pg, current_sql, "cur")
    desired_db = new_database(pg, desired_sql, "des")
    conninfo = pg.conninfo(current_db)
    rows_before = row_checksums(conninfo, case.rows)
    sequences_before = sequence_positions(conninfo, case.sequences)
    desired = inspect_db(pg, desired_db)
    with psycopg.connect(pg.conninfo(desired_db), autocommit=True) as scratch:
        result = plan_models(inspect_db(pg, current_db), desired, scratch=scratch)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            apply_plan(conn, result.plan)
        after = inspect_db(pg, current_db)
        replan = plan_models(after, desired, scratch=scratch)
    assert replan.plan.is_empty, f"second plan is not empty: {[s.sql for s in replan.plan.statements]}"
    assert_same_catalog(after, desired, schema_dump(pg, current_db), schema_dump(pg, desired_db))
    assert row_checksums(conninfo, case.rows) == rows_before
    assert sequence_positions(conninfo, case.sequences) == sequences_before
    return result.plan


@pytest.mark.parametrize("case", _cases("a->b"))
def test_recreated_a_to_b_keeps_every_row(pg, case):
    recreate_and_check(pg, case)


@pytest.mark.parametrize("case", _cases("b->a"))
def test_recreated_b_to_a_keeps_every_row(pg, case):
    recreate_and_check(pg, case, reverse=True)


def _plan(pg, current_sql: str, desired_sql: str):
    return plan_models(
        inspect_db(pg, new_database(pg, current_sql)), inspect_db(pg, new_database(pg, desired_sql))
    ).plan


def test_the_copy_carries_table_recreate_and_the_lock_and_runs_in_one_transaction(pg):
    plan = _plan(pg, EVENTS_PLAIN, EVENTS_BY_RANGE)
    (copy,) = [s for s in plan.statements if s.sql.startswith("INSERT INTO public.events")]
    assert [h.code for h in copy.hazards] == ["table-recreate", "access-exclusive-lock"]
    assert "writes are blocked for the copy's duration" in copy.hazards[0].message
    assert "becomes partitioned by RANGE (created_at)" in copy.hazards[0].message
    (group,) = [g for g in plan.groups if copy in g.statements]
    sqls = [s.sql for s in group.statements]
    first, last = sqls.index("LOCK TABLE public.events IN ACCESS EXCLUSIVE MODE"), sqls.index(
        "DROP SCHEMA pgdiff_recreate"
    )
    assert group.transactional and first < sqls.index(copy.sql) < last
    # What stood on the old table went inside that transaction, before it was moved aside.
    dropped = [s for s in sqls[first:last] if s.startswith("DROP VIEW") or s.startswith("DROP MATERIALIZED")]
    assert sorted(dropped) == [
        "DROP MATERIALIZED VIEW public.event_days",
        "DROP VIEW public.event_kinds",
        "DROP VIEW public.event_kinds_busy",
    ]
    assert dropped.index("DROP VIEW public.event_kinds_busy") < dropped.index("DROP VIEW public.event_kinds")


def test_foreign_keys_pointing_at_the_table_are_dropped_inside_and_added_back_not_valid_then_validated(pg):
    plan = _plan(pg, accounts(), accounts(" PARTITION BY HASH (id)", hash_partitions(3)))
    sqls = [s.sql for s in plan.statements]
    drop = sqls.index("ALTER TABLE public.orders DROP CONSTRAINT orders_account_id_fkey")
    assert drop < sqls.index("ALTER TABLE public.accounts SET SCHEMA pgdiff_recreate")
    add = next(i for i, s in enumerate(sqls) if s.startswith("ALTER TABLE public.orders ADD CONSTRAINT"))
    assert "NOT VALID" in sqls[add]
    assert sqls.index("ALTER TABLE public.orders VALIDATE CONSTRAINT orders_account_id_fkey") > add


def test_the_timeout_of_the_copy_is_that_of_long_running_work(pg):
    from pgdiff.plan.timeouts import TimeoutPolicy, with_timeouts

    hashed = accounts(" PARTITION BY HASH (id)", hash_partitions(2))
    plan = with_timeouts(_plan(pg, accounts(), hashed), TimeoutPolicy())
    (copy,) = [s for s in plan.statements if s.sql.startswith("INSERT INTO public.accounts")]
    assert copy.statement_timeout_ms == 0 and copy.lock_timeout_ms > 0


def test_a_schema_called_pgdiff_recreate_in_the_target_is_refused(pg):
    with pytest.raises(PgdiffError, match="schema pgdiff_recreate exists"):
        hashed = accounts(" PARTITION BY HASH (id)", hash_partitions(2))
        _plan(pg, accounts() + "CREATE SCHEMA pgdiff_recreate;", hashed)


def test_a_table_in_a_legacy_inheritance_tree_is_refused(pg):
    current = "CREATE TABLE base (id int, at date); CREATE TABLE child () INHERITS (base);"
    desired = "CREATE TABLE base (id int, at date) PARTITION BY RANGE (at); CREATE TABLE child (id int, at date);"
    with pytest.raises(PgdiffError, match=re.escape("table public.base: a table in a legacy inheritance tree")):
        _plan(pg, current, desired)


def test_a_partition_the_files_give_that_is_another_table_now_is_refused(pg):
    current = "CREATE TABLE t (id int, at date); CREATE TABLE t_2024 (id int, at date);"
    desired = (
        "CREATE TABLE t (id int, at date) PARTITION BY RANGE (at);"
        "CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
    )
    with pytest.raises(PgdiffError, match=re.escape("partition public.t_2024, which is a table outside public.t")):
        _plan(pg, current, desired)
