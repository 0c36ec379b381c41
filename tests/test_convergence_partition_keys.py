"""Convergence of keys and indexes on partitioned tables, where partitions already have their own.

A partition's local key or index that matches its parent's is adopted (attached), never dropped and built
again; a table that leaves its parent keeps only what the files give it; and a partition's NOT NULL columns
end as a fresh build of the files has them. Range, list and hash, sub-partitions and DEFAULT partitions.
"""

from __future__ import annotations

import pytest

from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import inspect_db, new_database, plan_models

ORDERS = """
CREATE TABLE orders (
    id bigint NOT NULL,
    placed date NOT NULL,
    region text NOT NULL,
    total numeric
) PARTITION BY RANGE (placed);
"""


def year(y: int) -> str:
    return f"CREATE TABLE orders_{y} PARTITION OF orders FOR VALUES FROM ('{y}-01-01') TO ('{y + 1}-01-01');\n"


O2024, O2025, O2026 = year(2024), year(2025), year(2026)
ODEFAULT = "CREATE TABLE orders_other PARTITION OF orders DEFAULT;\n"
# 2025 split again by region.
O2025_BY_REGION = (
    "CREATE TABLE orders_2025 PARTITION OF orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"
    " PARTITION BY LIST (region);\n"
    "CREATE TABLE orders_2025_eu PARTITION OF orders_2025 FOR VALUES IN ('eu');\n"
    "CREATE TABLE orders_2025_rest PARTITION OF orders_2025 DEFAULT;\n"
)
ORDERS_PK = "ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id, placed);\n"
# Under a partition split by region, a key must hold region too.
PK_WITH_REGION = "ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id, placed, region);\n"
ORDERS_UNIQUE = "ALTER TABLE orders ADD CONSTRAINT orders_region_id_key UNIQUE (region, id, placed);\n"
BY_REGION = "CREATE INDEX orders_region_idx ON orders (region);\n"
ORDERS_UNIQUE_INDEX = "CREATE UNIQUE INDEX orders_region_id_key ON orders (region, id, placed);\n"


def orders(*extra: str) -> str:
    return ORDERS + "".join(extra)


def local_pk(table: str, name: str | None = None, columns: str = "id, placed") -> str:
    return f"ALTER TABLE {table} ADD CONSTRAINT {name or table + '_pkey'} PRIMARY KEY ({columns});\n"


def region_pk(table: str, name: str | None = None) -> str:
    return local_pk(table, name, "id, placed, region")


def local_index(table: str, name: str, body: str = "(region)", unique: bool = False) -> str:
    return f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON {table} {body};\n"


# List partitioning: a ledger by currency, with a unique key on (currency, entry).
LEDGER = """
CREATE TABLE ledger (
    currency text NOT NULL,
    entry bigint NOT NULL,
    amount numeric NOT NULL,
    memo text
) PARTITION BY LIST (currency);
CREATE TABLE ledger_eur PARTITION OF ledger FOR VALUES IN ('EUR');
CREATE TABLE ledger_usd PARTITION OF ledger FOR VALUES IN ('USD', 'CAD');
"""
LEDGER_KEY = "ALTER TABLE ledger ADD CONSTRAINT ledger_entry_key UNIQUE (currency, entry);\n"

# Hash partitioning: sessions by user.
SESSIONS = """
CREATE TABLE sessions (
    user_id bigint NOT NULL,
    started timestamptz NOT NULL,
    agent text
) PARTITION BY HASH (user_id);
CREATE TABLE sessions_0 PARTITION OF sessions FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE sessions_1 PARTITION OF sessions FOR VALUES WITH (MODULUS 2, REMAINDER 1);
"""
SESSIONS_PK = "ALTER TABLE sessions ADD PRIMARY KEY (user_id, started);\n"


STANDALONE_2025 = (
    "CREATE TABLE orders_2025 (id bigint NOT NULL, placed date NOT NULL, region text NOT NULL, total numeric);\n"
)


def attach_2025(table: str = "orders_2025") -> str:
    return f"ALTER TABLE orders ATTACH PARTITION {table} FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"


CASES = [
    # 1. a key added to the parent over partitions that have it already
    Case(
        "pk-added-over-local-pks",
        orders(O2024, O2025, local_pk("orders_2024"), local_pk("orders_2025")),
        orders(O2024, O2025, local_pk("orders_2024"), local_pk("orders_2025"), ORDERS_PK),
    ),
    Case(
        "pk-added-over-local-pk-on-some-partitions",
        orders(O2024, O2025, ODEFAULT, local_pk("orders_2024")),
        orders(O2024, O2025, ODEFAULT, local_pk("orders_2024"), ORDERS_PK),
    ),
    Case(
        "pk-added-over-local-pks-named-otherwise",
        orders(O2024, O2025, local_pk("orders_2024", "o24_pk"), local_pk("orders_2025", "o25_pk")),
        orders(O2024, O2025, local_pk("orders_2024", "o24_pk"), local_pk("orders_2025", "o25_pk"), ORDERS_PK),
    ),
    Case(
        "pk-added-where-files-drop-the-local-pks",
        orders(O2024, O2025, local_pk("orders_2024", "o24_pk"), local_pk("orders_2025", "o25_pk")),
        orders(O2024, O2025, ORDERS_PK),
    ),
    Case(
        "pk-added-over-sub-partitions-with-local-pks",
        orders(O2024, O2025_BY_REGION, region_pk("orders_2025_eu"), region_pk("orders_2024", "o24_pk")),
        orders(O2024, O2025_BY_REGION, region_pk("orders_2025_eu"), region_pk("orders_2024", "o24_pk"), PK_WITH_REGION),
    ),
    Case(
        "unique-added-over-local-unique-keys-list",
        LEDGER + "ALTER TABLE ledger_eur ADD CONSTRAINT ledger_eur_key UNIQUE (currency, entry);\n",
        LEDGER + "ALTER TABLE ledger_eur ADD CONSTRAINT ledger_eur_key UNIQUE (currency, entry);\n" + LEDGER_KEY,
    ),
    Case(
        "pk-added-over-local-pks-hash",
        SESSIONS + "ALTER TABLE sessions_0 ADD PRIMARY KEY (user_id, started);\n",
        SESSIONS + "ALTER TABLE sessions_0 ADD PRIMARY KEY (user_id, started);\n" + SESSIONS_PK,
    ),
    Case("pk-added-hash", SESSIONS, SESSIONS + SESSIONS_PK),
    Case("unique-added-list", LEDGER, LEDGER + LEDGER_KEY),
    Case(
        "pk-added-with-default-and-sub-partitions",
        orders(O2024, O2025_BY_REGION, ODEFAULT),
        orders(O2024, O2025_BY_REGION, ODEFAULT, PK_WITH_REGION),
    ),
    Case("pk-and-unique-added-together", orders(O2024, O2025), orders(O2024, O2025, ORDERS_PK, ORDERS_UNIQUE)),
    Case(
        "pk-on-nullable-columns-added",
        orders(O2024, O2025).replace("id bigint NOT NULL", "id bigint"),
        orders(O2024, O2025, ORDERS_PK).replace("id bigint NOT NULL", "id bigint"),
    ),
    # 5. an index added to the parent over partitions that have an equivalent one
    Case(
        "index-added-over-local-indexes",
        orders(O2024, O2025, local_index("orders_2024", "o24_region")),
        orders(O2024, O2025, local_index("orders_2024", "o24_region"), BY_REGION),
    ),
    Case(
        "index-added-over-local-indexes-on-sub-partitions",
        orders(O2024, O2025_BY_REGION, local_index("orders_2025_eu", "o25eu_region"),
               local_index("orders_2024", "o24_region")),
        orders(O2024, O2025_BY_REGION, local_index("orders_2025_eu", "o25eu_region"),
               local_index("orders_2024", "o24_region"), BY_REGION),
    ),
    Case(
        "unique-index-added-over-local-unique-indexes",
        LEDGER + local_index("ledger_usd", "ledger_usd_entry", "(currency, entry)", unique=True),
        LEDGER + local_index("ledger_usd", "ledger_usd_entry", "(currency, entry)", unique=True)
        + "CREATE UNIQUE INDEX ledger_entry_idx ON ledger (currency, entry);\n",
    ),
    Case(
        "index-added-where-files-drop-the-local-index",
        orders(O2024, O2025, local_index("orders_2024", "o24_region")),
        orders(O2024, O2025, BY_REGION),
    ),
    # 2. a new partition whose own key or index backs its parent's
    Case(
        "new-partition-with-own-pk-under-pk",
        orders(O2024, ORDERS_PK),
        orders(
            O2024,
            ORDERS_PK,
            "CREATE TABLE orders_2025 (LIKE orders, CONSTRAINT o25_pk PRIMARY KEY (id, placed));\n"
            "ALTER TABLE orders ATTACH PARTITION orders_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n",
        ),
    ),
    Case(
        "new-partition-with-own-index-under-index",
        orders(O2024, BY_REGION),
        orders(
            O2024,
            BY_REGION,
            "CREATE TABLE orders_2025 (LIKE orders);\n" + local_index("orders_2025", "o25_region")
            + "ALTER TABLE orders ATTACH PARTITION orders_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n",
        ),
    ),
    Case(
        "new-partition-with-own-unique-under-unique-list",
        LEDGER + LEDGER_KEY,
        LEDGER + LEDGER_KEY
        + "CREATE TABLE ledger_gbp (LIKE ledger, CONSTRAINT gbp_key UNIQUE (currency, entry));\n"
        "ALTER TABLE ledger ATTACH PARTITION ledger_gbp FOR VALUES IN ('GBP');\n",
    ),
    Case("new-partition-under-pk", orders(O2024, ORDERS_PK), orders(O2024, O2025, ORDERS_PK)),
    Case(
        "new-sub-partitioned-partition-under-pk",
        orders(O2024, PK_WITH_REGION),
        orders(O2024, O2025_BY_REGION, PK_WITH_REGION),
    ),
    Case("new-default-partition-under-unique", orders(O2024, ORDERS_UNIQUE), orders(O2024, ODEFAULT, ORDERS_UNIQUE)),
    # 3. a key dropped: the partitions' columns end as a fresh build has them
    Case(
        "pk-on-nullable-column-dropped",
        orders(O2024, O2025, ORDERS_PK).replace("id bigint NOT NULL", "id bigint"),
        orders(O2024, O2025).replace("id bigint NOT NULL", "id bigint"),
    ),
    Case(
        "pk-dropped-local-pks-kept",
        orders(O2024, O2025, ORDERS_PK),
        orders(O2024, O2025, local_pk("orders_2024"), local_pk("orders_2025")),
    ),
    # A partition keyed before its parent keeps its own NOT NULL when the parent's key goes.
    Case(
        "pk-dropped-over-partition-keyed-first",
        orders(O2024, O2025, local_pk("orders_2024"), ORDERS_PK).replace("id bigint NOT NULL", "id bigint"),
        orders(O2024, O2025).replace("id bigint NOT NULL", "id bigint"),
    ),
    Case(
        "partition-not-null-where-parent-nullable",
        orders(O2024, O2025),
        orders(O2024, O2025, "ALTER TABLE orders_2024 ALTER COLUMN total SET NOT NULL;\n"),
    ),
    # A partition's own key whose index the parent's unique index adopted (the key made first): the new
    # partition is created with its key, and the parent's index takes the key's index as its copy.
    Case(
        "new-partition-whose-own-key-backs-the-parents-index",
        orders(O2024, ORDERS_UNIQUE_INDEX),
        orders(O2024, O2025, local_pk("orders_2025", "o25_pk", "region, id, placed"), ORDERS_UNIQUE_INDEX),
    ),
    Case(
        "new-tree-whose-partition-key-backs-the-parents-index",
        "",
        orders(O2024, local_pk("orders_2024", "o24_pk", "region, id, placed"), ORDERS_UNIQUE_INDEX),
    ),
    # The parent's new unique index takes as its copy the index of a key added to the partition.
    Case(
        "new-parent-index-over-a-new-partition-key",
        orders(O2024, O2025),
        orders(O2024, O2025, "CREATE UNIQUE INDEX orders_key ON ONLY orders (region, id, placed);\n",
               local_pk("orders_2024", "o24_pk", "region, id, placed"),
               "ALTER INDEX orders_key ATTACH PARTITION o24_pk;\n",
               "CREATE UNIQUE INDEX o25_key ON orders_2025 (region, id, placed);\n",
               "ALTER INDEX orders_key ATTACH PARTITION o25_key;\n"),
    ),
    # A partition's key, kept, whose index becomes the copy of a new parent index (and back: the parent index
    # goes, which PostgreSQL allows only with the key, so the key is made again).
    Case(
        "kept-partition-key-becomes-the-copy-of-a-new-parent-index",
        orders(O2024, O2025, local_pk("orders_2024", "o24_pk", "region, id, placed")),
        orders(O2024, O2025, local_pk("orders_2024", "o24_pk", "region, id, placed"),
               "CREATE UNIQUE INDEX orders_key ON ONLY orders (region, id, placed);\n",
               "ALTER INDEX orders_key ATTACH PARTITION o24_pk;\n",
               "CREATE UNIQUE INDEX o25_key ON orders_2025 (region, id, placed);\n",
               "ALTER INDEX orders_key ATTACH PARTITION o25_key;\n"),
    ),
    # A parent's unique index whose copies back the partitions' own keys becomes a unique constraint: the
    # index goes with those keys (CASCADE), and the constraint makes its copies again.
    Case(
        "parent-unique-index-over-partition-keys-becomes-a-constraint",
        orders(O2024, O2025, ORDERS_UNIQUE_INDEX.replace("orders_region_id_key", "orders_region_id_idx"),
               "ALTER TABLE orders_2024 ADD CONSTRAINT o24_key UNIQUE USING INDEX orders_2024_region_id_placed_idx;\n"),
        orders(O2024, O2025, ORDERS_UNIQUE),
    ),
    # Created with its parent: NOT NULL declared in PARTITION OF (...), where the parent's column is nullable,
    # or NOT NULL under a name of its own (PostgreSQL 18 keeps both names; older servers ignore them).
    Case(
        "new-partitions-with-own-not-nulls",
        "",
        orders(
            O2024.replace(" FOR VALUES", " (total NOT NULL) FOR VALUES"),
            O2025.replace(" FOR VALUES", " (region CONSTRAINT o25_region_set NOT NULL, total NOT NULL) FOR VALUES"),
        ),
    ),
    Case(
        "partition-not-null-with-own-pk",
        orders(O2024, O2025).replace("id bigint NOT NULL", "id bigint"),
        orders(O2024, O2025, local_pk("orders_2025")).replace("id bigint NOT NULL", "id bigint"),
    ),
    # 4. a partition leaving its parent, or a table joining one
    Case(
        "partition-becomes-standalone-table",
        orders(O2024, O2025, ORDERS_PK, BY_REGION),
        orders(O2024, ORDERS_PK, BY_REGION)
        + "CREATE TABLE orders_2025 (id bigint NOT NULL, placed date NOT NULL, region text NOT NULL, total numeric);\n",
    ),
    Case(
        "partition-becomes-standalone-table-keeping-an-index",
        orders(O2024, O2025, ORDERS_PK, BY_REGION),
        orders(O2024, ORDERS_PK, BY_REGION)
        + "CREATE TABLE orders_2025 (id bigint NOT NULL, placed date NOT NULL, region text NOT NULL, total numeric);\n"
        + local_index("orders_2025", "orders_2025_region_idx"),
    ),
    Case(
        "standalone-table-with-not-null-joins",
        orders(O2024, ORDERS_PK) + STANDALONE_2025.replace("total numeric", "total numeric NOT NULL"),
        orders(O2024, ORDERS_PK, O2025),
    ),
    Case(
        "standalone-table-with-own-pk-joins-pk",
        orders(O2024, ORDERS_PK) + STANDALONE_2025 + local_pk("orders_2025", "o25_pk"),
        orders(O2024, ORDERS_PK, O2025),
    ),
    Case(
        "standalone-table-joins-keeping-its-names",
        orders(O2024, ORDERS_PK, BY_REGION) + STANDALONE_2025,
        orders(O2024, ORDERS_PK, BY_REGION)
        + STANDALONE_2025
        + local_pk("orders_2025", "o25_pk")
        + local_index("orders_2025", "o25_region")
        + attach_2025(),
    ),
    Case(
        "partition-moves-to-default",
        orders(O2024, O2025, ORDERS_PK, BY_REGION),
        orders(O2024, ORDERS_PK, BY_REGION)
        + STANDALONE_2025.replace("orders_2025", "orders_other")
        + local_index("orders_other", "orders_other_region_idx")
        + "ALTER TABLE orders ATTACH PARTITION orders_other DEFAULT;\n",
    ),
    Case(
        "partition-with-check-becomes-standalone",
        orders(O2024, O2025, "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);\n"),
        orders(O2024, "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);\n")
        + STANDALONE_2025,
    ),
    Case(
        "sub-partitioned-partition-becomes-standalone",
        orders(O2024, O2025_BY_REGION, PK_WITH_REGION, BY_REGION),
        orders(O2024, PK_WITH_REGION, BY_REGION)
        + STANDALONE_2025.rstrip().rstrip(";")
        + " PARTITION BY LIST (region);\n"
        + "CREATE TABLE orders_2025_eu PARTITION OF orders_2025 FOR VALUES IN ('eu');\n"
        + "CREATE TABLE orders_2025_rest PARTITION OF orders_2025 DEFAULT;\n",
    ),
    Case(
        "standalone-table-with-matching-index-joins",
        orders(O2024, BY_REGION)
        + "CREATE TABLE orders_2025 (id bigint NOT NULL, placed date NOT NULL, region text NOT NULL, total numeric);\n"
        + local_index("orders_2025", "o25_region"),
        orders(O2024, BY_REGION, O2025),
    ),
]


@pytest.mark.parametrize("case", forward(CASES))
def test_converges_a_to_b(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(CASES))
def test_converges_b_to_a(pg, case):
    run_case(pg, case, reverse=True)


def _sql(case_id: str, pg, *, reverse: bool = False) -> list[str]:
    result = run_case(pg, case_by_id(CASES, case_id), reverse=reverse)
    assert result is not None
    return result.sql


def test_key_on_existing_partitioned_table_is_added_over_copies_built_concurrently(pg):
    sql = _sql("pk-added-over-local-pk-on-some-partitions", pg)
    assert sql == [
        "CREATE UNIQUE INDEX CONCURRENTLY orders_2025_pkey ON public.orders_2025 USING btree (id, placed)",
        "CREATE UNIQUE INDEX CONCURRENTLY orders_other_pkey ON public.orders_other USING btree (id, placed)",
        "ALTER TABLE public.orders_2025 ADD CONSTRAINT orders_2025_pkey PRIMARY KEY USING INDEX orders_2025_pkey",
        "ALTER TABLE public.orders_other ADD CONSTRAINT orders_other_pkey PRIMARY KEY USING INDEX orders_other_pkey",
        "ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id, placed)",
    ]


def test_partitions_own_key_is_renamed_and_kept_not_dropped(pg):
    sql = _sql("pk-added-where-files-drop-the-local-pks", pg)
    assert not any("DROP" in statement for statement in sql)
    assert "ALTER TABLE public.orders_2024 RENAME CONSTRAINT o24_pk TO orders_2024_pkey" in sql
    assert sql[-1] == "ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id, placed)"


def test_partitions_own_index_is_attached_not_built_again(pg):
    kept = _sql("index-added-over-local-indexes", pg)
    assert not any("o24_region" in s and ("DROP" in s or "CREATE" in s) for s in kept)
    assert "ALTER INDEX public.orders_region_idx ATTACH PARTITION public.o24_region" in kept
    renamed = _sql("index-added-where-files-drop-the-local-index", pg)
    assert not any("DROP" in s for s in renamed)
    assert "ALTER INDEX public.o24_region RENAME TO orders_2024_region_idx" in renamed
    assert "ALTER INDEX public.orders_region_idx ATTACH PARTITION public.orders_2024_region_idx" in renamed


def test_copies_a_detached_table_keeps_are_dropped_after_the_detach(pg):
    sql = _sql("partition-becomes-standalone-table", pg)
    detach = sql.index("ALTER TABLE public.orders DETACH PARTITION public.orders_2025")
    drops = [i for i, s in enumerate(sql) if "orders_2025_pkey" in s or "orders_2025_region_idx" in s]
    assert drops and all(i > detach for i in drops)


def test_cascade_never_takes_what_stands_on_a_key(pg):
    """A view grouping by a partition's primary key stands on the key: a parent index whose copy the key's
    index is must not be dropped with CASCADE, which would take the view along."""
    view = "CREATE VIEW per_order AS SELECT id, placed, region FROM orders_2024 GROUP BY id, placed;\n"
    parent_index = "CREATE UNIQUE INDEX orders_key ON ONLY orders (id, placed);\n"
    attach = "ALTER INDEX orders_key ATTACH PARTITION o24_pk;\n"
    current_sql = orders(O2024, local_pk("orders_2024", "o24_pk", "id, placed"), parent_index, attach, view)
    # Desired: the parent's key instead, whose copy on orders_2024 is named as the partition's key was.
    desired_sql = orders(O2024, local_pk("orders_2024", "o24_pk", "id, placed"), ORDERS_PK, view)
    current = inspect_db(pg, new_database(pg, current_sql))
    desired = inspect_db(pg, new_database(pg, desired_sql))
    sql = [s.sql for s in plan_models(current, desired).plan.statements]
    assert any(s.startswith("DROP INDEX public.orders_key") for s in sql), sql
    assert not any("CASCADE" in s for s in sql), sql

