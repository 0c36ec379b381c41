"""Convergence of columns' statistics targets, storage, compression and options (n_distinct), as pg_dump
writes them (`ALTER TABLE ONLY ... ALTER COLUMN ... SET STATISTICS 1000`), on tables, partitions and
inheritance children, with renames and type changes, both ways."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from pgdiff.errors import SourceError
from pgdiff.source.sql import split_sql
from tests.convergence import Case, backward, case_by_id, forward, run_case

EVENTS = """
CREATE TABLE events (
    id bigint PRIMARY KEY,
    account_id bigint NOT NULL,
    kind varchar(40) NOT NULL,
    payload jsonb,
    body text
);
"""

PARTITIONED = """
CREATE TABLE measurements (
    at date NOT NULL,
    sensor_id int NOT NULL,
    reading text
) PARTITION BY RANGE (at);
CREATE TABLE measurements_2026 PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
"""


def events(*settings: str) -> str:
    return EVENTS + "".join(f"ALTER TABLE ONLY public.events ALTER COLUMN {s};\n" for s in settings)


def measurements(*statements: str) -> str:
    return PARTITIONED + "".join(f"{s};\n" for s in statements)


CASES = [
    Case("statistics-target-set", events(), events("account_id SET STATISTICS 1000")),
    Case(
        "statistics-target-changed",
        events("account_id SET STATISTICS 1000"),
        events("account_id SET STATISTICS 250", "kind SET STATISTICS 0"),
    ),
    Case("storage-set", events(), events("payload SET STORAGE EXTERNAL", "body SET STORAGE MAIN")),
    Case("storage-changed", events("body SET STORAGE MAIN"), events("body SET STORAGE PLAIN")),
    Case("compression-set", events(), events("body SET COMPRESSION pglz")),
    Case("n-distinct-set", events(), events("kind SET (n_distinct = 12)")),
    Case(
        "n-distinct-changed-and-inherited-added",
        events("kind SET (n_distinct = 12)"),
        events("kind SET (n_distinct_inherited = -0.5, n_distinct = 40)"),
    ),
    Case(
        "every-setting-on-a-new-table",
        "",
        events(
            "account_id SET STATISTICS 1000",
            "payload SET STORAGE EXTERNAL",
            "body SET COMPRESSION pglz",
            "kind SET (n_distinct = 12)",
        ),
    ),
    Case(
        "settings-of-a-new-column",
        events(),
        events()
        + "ALTER TABLE events ADD COLUMN notes text;\n"
        + "ALTER TABLE ONLY events ALTER COLUMN notes SET STATISTICS 500, ALTER COLUMN notes SET STORAGE MAIN;\n",
    ),
    Case(
        # ALTER COLUMN ... TYPE resets storage and compression (not the statistics target).
        "type-change-keeps-the-settings",
        events("kind SET STATISTICS 300", "kind SET STORAGE MAIN", "kind SET COMPRESSION pglz"),
        events().replace("kind varchar(40)", "kind text")
        + "ALTER TABLE events ALTER COLUMN kind SET STATISTICS 300, ALTER COLUMN kind SET STORAGE MAIN,"
        " ALTER COLUMN kind SET COMPRESSION pglz;\n",
    ),
    Case(
        "type-change-under-settings",
        events("kind SET STORAGE EXTERNAL"),
        events().replace("kind varchar(40)", "kind text"),
    ),
    Case(
        "renamed-column-keeps-its-settings",
        events("account_id SET STATISTICS 1000", "account_id SET (n_distinct = 500)").replace(
            "account_id bigint NOT NULL,", "account_id bigint NOT NULL,  -- pgdiff: renamed from tenant_id"
        ),
        EVENTS.replace("account_id bigint NOT NULL,", "tenant_id bigint NOT NULL,  -- pgdiff: renamed from account_id")
        + "ALTER TABLE events ALTER COLUMN tenant_id SET STATISTICS 1000,"
        " ALTER COLUMN tenant_id SET (n_distinct = 500);\n",
    ),
    Case(
        "renamed-table-keeps-its-settings",
        events("body SET STORAGE MAIN"),
        "-- pgdiff: renamed from events\n"
        + EVENTS.replace("CREATE TABLE events", "CREATE TABLE audit_events")
        + "ALTER TABLE audit_events ALTER COLUMN body SET STORAGE MAIN;\n",
    ),
    Case(
        # Without ONLY, SET STATISTICS and SET STORAGE reach the partitions that exist; a later partition
        # copies the storage only. Each table's settings are its own.
        "partitioned-settings-recursing",
        measurements(),
        measurements(
            "ALTER TABLE measurements ALTER COLUMN sensor_id SET STATISTICS 800",
            "ALTER TABLE measurements ALTER COLUMN reading SET STORAGE EXTERNAL",
            "CREATE TABLE measurements_2027 PARTITION OF measurements FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')",
        ),
    ),
    Case(
        "partition-settings-of-its-own",
        measurements("ALTER TABLE measurements ALTER COLUMN reading SET STORAGE MAIN"),
        measurements(
            "ALTER TABLE measurements ALTER COLUMN reading SET STORAGE MAIN",
            "ALTER TABLE ONLY measurements_2026 ALTER COLUMN reading SET STORAGE EXTENDED",
            "ALTER TABLE ONLY measurements_2026 ALTER COLUMN sensor_id SET (n_distinct = 100)",
        ),
    ),
    Case(
        # A partition created under an existing parent copies the parent's storage.
        "new-partition-under-parent-storage",
        measurements("ALTER TABLE measurements ALTER COLUMN reading SET STORAGE MAIN"),
        measurements(
            "ALTER TABLE measurements ALTER COLUMN reading SET STORAGE MAIN",
            "CREATE TABLE measurements_2027 PARTITION OF measurements FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')",
            "ALTER TABLE ONLY measurements_2027 ALTER COLUMN reading SET STORAGE EXTENDED",
        ),
    ),
    Case(
        # In the files the new partition copies the parent's storage; a plan creates it LIKE the parent and
        # attaches it, which copies nothing: the storage is set.
        "new-partition-keeps-the-parents-storage",
        measurements("ALTER TABLE measurements ALTER COLUMN reading SET STORAGE MAIN"),
        measurements(
            "ALTER TABLE measurements ALTER COLUMN reading SET STORAGE MAIN",
            "CREATE TABLE measurements_2027 PARTITION OF measurements FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')",
        ),
    ),
    Case(
        "new-inheritance-child-copies-storage",
        "CREATE TABLE base (id int, note text);\nALTER TABLE base ALTER COLUMN note SET STORAGE MAIN;\n",
        "CREATE TABLE base (id int, note text);\nALTER TABLE base ALTER COLUMN note SET STORAGE MAIN;\n"
        "CREATE TABLE child (extra int) INHERITS (base);\n",
    ),
    Case(
        "partitioned-column-type-change-under-storage",
        measurements("ALTER TABLE measurements ALTER COLUMN reading SET STORAGE MAIN"),
        PARTITIONED.replace("reading text", "reading varchar(200)"),
    ),
    Case(
        "inheritance-child-settings",
        "CREATE TABLE base (id int, note text);\n",
        "CREATE TABLE base (id int, note text);\n"
        "ALTER TABLE base ALTER COLUMN note SET STORAGE EXTERNAL;\n"
        "CREATE TABLE child (extra int) INHERITS (base);\n"
        "ALTER TABLE ONLY child ALTER COLUMN id SET STATISTICS 40, ALTER COLUMN extra SET STATISTICS 60;\n",
    ),
    Case(
        "column-dropped-with-its-settings",
        events("body SET STATISTICS 700", "body SET STORAGE MAIN"),
        EVENTS.replace(",\n    body text", ""),
    ),
    Case(
        "settings-with-a-view-and-an-index",
        events() + "CREATE INDEX events_kind ON events (kind);\nCREATE VIEW recent AS SELECT id, kind FROM events;\n",
        events("kind SET STATISTICS 2000", "kind SET (n_distinct = 25)")
        + "CREATE INDEX events_kind ON events (kind);\nCREATE VIEW recent AS SELECT id, kind FROM events;\n",
    ),
]


@pytest.mark.parametrize("case", forward(CASES))
def test_forward(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(CASES))
def test_backward(pg, case):
    run_case(pg, case, reverse=True)


def test_settings_are_set_on_each_table_only(pg):
    result = run_case(pg, case_by_id(CASES, "statistics-target-changed"))
    assert [s.sql for s in result.plan.statements] == [
        "ALTER TABLE ONLY public.events ALTER COLUMN account_id SET STATISTICS 250",
        "ALTER TABLE ONLY public.events ALTER COLUMN kind SET STATISTICS 0",
    ]
    result = run_case(pg, case_by_id(CASES, "statistics-target-changed"), reverse=True)
    assert [s.sql for s in result.plan.statements] == [
        "ALTER TABLE ONLY public.events ALTER COLUMN account_id SET STATISTICS 1000",
        "ALTER TABLE ONLY public.events ALTER COLUMN kind SET STATISTICS -1",
    ]


def test_options_end_in_the_files_order(pg):
    result = run_case(pg, case_by_id(CASES, "n-distinct-changed-and-inherited-added"))
    assert [s.sql for s in result.plan.statements] == [
        "ALTER TABLE ONLY public.events ALTER COLUMN kind SET (n_distinct_inherited = '-0.5', n_distinct = '40')"
    ]
    result = run_case(pg, case_by_id(CASES, "n-distinct-changed-and-inherited-added"), reverse=True)
    assert [s.sql for s in result.plan.statements] == [
        "ALTER TABLE ONLY public.events ALTER COLUMN kind RESET (n_distinct_inherited)",
        "ALTER TABLE ONLY public.events ALTER COLUMN kind SET (n_distinct = '12')",
    ]


def test_a_renamed_column_is_not_set_again(pg):
    for reverse in (False, True):
        result = run_case(pg, case_by_id(CASES, "renamed-column-keeps-its-settings"), reverse=reverse)
        sql = [s.sql for s in result.plan.statements]
        assert sql[0].startswith("ALTER TABLE public.events RENAME COLUMN ")
        assert not [s for s in sql if "ALTER COLUMN" in s]


def test_a_type_change_sets_storage_again(pg):
    result = run_case(pg, case_by_id(CASES, "type-change-keeps-the-settings"))
    sql = [s.sql for s in result.plan.statements]
    assert sql[-2:] == [
        "ALTER TABLE ONLY public.events ALTER COLUMN kind SET STORAGE MAIN",
        "ALTER TABLE ONLY public.events ALTER COLUMN kind SET COMPRESSION pglz",
    ]
    assert not any("STATISTICS" in s for s in sql)


UNMANAGED = [
    ("ALTER TABLE t CLUSTER ON t_pkey", "ALTER TABLE t CLUSTER ON t_pkey is not managed"),
    ("ALTER TABLE t SET TABLESPACE pg_default", "ALTER TABLE t SET TABLESPACE pg_default is not managed"),
    ("ALTER TABLE public.t DISABLE TRIGGER ALL", "ALTER TABLE public.t DISABLE TRIGGER ALL is not managed"),
    ("ALTER INDEX t_expr ALTER COLUMN 1 SET STATISTICS 50", "ALTER INDEX t_expr ALTER COLUMN 1 SET STATISTICS"),
    ("ALTER VIEW v ALTER COLUMN x SET DEFAULT 1", "ALTER VIEW v ALTER COLUMN x SET DEFAULT is not managed"),
    ("ALTER TABLE t ENABLE RULE r", "ALTER TABLE t ENABLE RULE r is not managed"),
]


@pytest.mark.parametrize(("sql", "message"), UNMANAGED, ids=[sql for sql, _ in UNMANAGED])
def test_an_unmanaged_alter_is_refused_with_its_place(sql, message):
    text = "CREATE TABLE t (id int PRIMARY KEY);\n\n" + sql + ";\n"
    with pytest.raises(SourceError) as refused:
        split_sql(text, Path("schema/t.sql"))
    assert str(refused.value).startswith(f"schema/t.sql:3: {message}")


def test_managed_column_settings_load():
    text = events("a SET STATISTICS 1", "a SET STORAGE MAIN", "a SET COMPRESSION pglz", "a SET (n_distinct = 1)")
    assert len(split_sql(text, Path("t.sql"))) == 5


LZ4 = Case("lz4-compression", events("body SET COMPRESSION pglz"), events("body SET COMPRESSION lz4"))


def test_lz4_compression_where_the_server_has_it(pg):
    """Debian's servers are built with lz4, the embedded one is not (and refuses the files)."""
    with psycopg.connect(pg.conninfo("postgres")) as conn:
        row = conn.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        ).fetchone()
    if not (row and row[0]):
        pytest.skip("this server is built without lz4")
    for reverse in (False, True):
        result = run_case(pg, LZ4, reverse=reverse)
        assert [s.sql for s in result.plan.statements] == [
            f"ALTER TABLE ONLY public.events ALTER COLUMN body SET COMPRESSION {'pglz' if reverse else 'lz4'}"
        ]
