"""Convergence of partitioned tables, partitions and table inheritance.

The tables come from the seeds' event store: workflows partitioned by date, extraction snapshots by layer.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pgdiff.apply import apply_plan
from pgdiff.cli import app
from pgdiff.errors import PgdiffError
from pgdiff.shadow import ShadowDatabase
from pgdiff.source import resolve_sources
from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import assert_converges, inspect_db, new_database, plan_models

WORKFLOWS = """
CREATE TABLE workflows (
    id bigint NOT NULL,
    title text NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    unified_extraction_success boolean NOT NULL DEFAULT false,
    payload jsonb DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (created_at);
"""


def year(y: int, start: str | None = None) -> str:
    start = start or f"{y}-01-01"
    return f"CREATE TABLE workflows_{y} PARTITION OF workflows FOR VALUES FROM ('{start}') TO ('{y + 1}-01-01');\n"


W2024, W2025, W2026 = year(2024), year(2025), year(2026)
ARCHIVE = "CREATE TABLE archive (id bigint PRIMARY KEY, title text NOT NULL);\n"
WDEFAULT = "CREATE TABLE workflows_default PARTITION OF workflows DEFAULT;\n"


def workflows(*extra: str) -> str:
    return WORKFLOWS + "".join(extra)


SNAPSHOTS = """
CREATE TABLE workflow_extraction_snapshots (
    workflow_id bigint NOT NULL,
    layer text NOT NULL,
    taken_at timestamptz NOT NULL DEFAULT now(),
    snapshot jsonb NOT NULL,
    PRIMARY KEY (workflow_id, layer, taken_at)
) PARTITION BY LIST (layer);
"""


def layer(name: str, *values: str) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return (
        f"CREATE TABLE extraction_snapshots_{name} PARTITION OF workflow_extraction_snapshots"
        f" FOR VALUES IN ({listed});\n"
    )


L2, L3 = layer("l2", "L2", "L2V2"), layer("l3", "L3", "L3V3", "UNIFIED")


def snapshots(*extra: str) -> str:
    return SNAPSHOTS + "".join(extra)


NODE_EVENTS = """
CREATE TABLE node_events (
    node_id uuid NOT NULL,
    seq bigint NOT NULL,
    kind text NOT NULL,
    body jsonb
) PARTITION BY HASH (node_id);
"""


def hash_part(n: int, modulus: int = 4) -> str:
    return (
        f"CREATE TABLE node_events_{n} PARTITION OF node_events FOR VALUES WITH (MODULUS {modulus}, REMAINDER {n});\n"
    )


def node_events(*extra: str) -> str:
    return NODE_EVENTS + "".join(extra)


# Two levels: years, and 2025 split again by status.
SUB_2025 = (
    "CREATE TABLE workflows_2025 PARTITION OF workflows FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"
    " PARTITION BY LIST (status);\n"
    "CREATE TABLE workflows_2025_done PARTITION OF workflows_2025 FOR VALUES IN ('done');\n"
    "CREATE TABLE workflows_2025_open PARTITION OF workflows_2025 DEFAULT;\n"
)

BY_CREATED = "CREATE INDEX idx_workflows_created ON workflows (created_at);\n"
BY_CREATED_2025 = "CREATE INDEX workflows_2025_by_created ON workflows_2025 (created_at);\n"
RECENT = "CREATE INDEX idx_workflows_recent ON workflows (created_at DESC);\n"
BY_STATUS = (
    "CREATE INDEX idx_workflows_status ON workflows (status, created_at) WHERE NOT unified_extraction_success;\n"
)

NODES = "CREATE TABLE nodes (id uuid PRIMARY KEY, name text NOT NULL);\n"
TOUCH = """
CREATE FUNCTION touch_payload() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.payload := coalesce(NEW.payload, '{}');
    RETURN NEW;
END
$$;
"""
TRIGGER = (
    "CREATE TRIGGER workflows_touch BEFORE INSERT OR UPDATE ON workflows"
    " FOR EACH ROW EXECUTE FUNCTION touch_payload();\n"
)

# Legacy inheritance: audit tables sharing the columns of a base.
AUDIT = """
CREATE TABLE audit_log (
    id bigint NOT NULL,
    happened_at timestamptz NOT NULL DEFAULT now(),
    actor text
);
"""
AUDIT_LOGINS = "CREATE TABLE audit_logins (ip inet) INHERITS (audit_log);\n"
AUDIT_EXPORTS = "CREATE TABLE audit_exports (rows_exported integer NOT NULL DEFAULT 0) INHERITS (audit_log);\n"
AUDIT_EXPORTS_PLAIN = """
CREATE TABLE audit_exports (
    id bigint NOT NULL,
    happened_at timestamptz NOT NULL DEFAULT now(),
    actor text,
    rows_exported integer NOT NULL DEFAULT 0
);
"""
AUDIT_EXPORTS_INHERITING = AUDIT_EXPORTS_PLAIN.rstrip().rstrip(";") + " INHERITS (audit_log);\n"


def audit(*extra: str) -> str:
    return AUDIT + "".join(extra)


CASES = [
    # strategies
    Case("range-partitioned-table-created", "", workflows(W2024, W2025)),
    Case("list-partitioned-table-created", "", snapshots(L2, L3)),
    Case("hash-partitioned-table-created", "", node_events(*(hash_part(n) for n in range(4)))),
    Case("partitioned-table-without-partitions", "", workflows()),
    Case("partitioned-table-with-expression-key", "", NODE_EVENTS.replace("HASH (node_id)", "RANGE ((body ->> 'at'))")),
    # partitions added and dropped
    Case("range-partition-added", workflows(W2024), workflows(W2024, W2025)),
    Case("range-partitions-added", workflows(W2024), workflows(W2024, W2025, W2026)),
    Case("list-partition-added", snapshots(L2), snapshots(L2, L3)),
    Case("hash-partition-added", node_events(hash_part(0, 2)), node_events(hash_part(0, 2), hash_part(1, 2))),
    Case("first-partition-added", workflows(), workflows(W2024)),
    Case("default-partition-added", workflows(W2024), workflows(W2024, WDEFAULT)),
    Case(
        "list-default-partition-added",
        snapshots(L2),
        snapshots(L2, layer("other", "X").replace("FOR VALUES IN ('X')", "DEFAULT")),
    ),
    Case("partition-added-next-to-default", workflows(W2024, WDEFAULT), workflows(W2024, W2025, WDEFAULT)),
    Case("partition-replaces-default", workflows(W2024, WDEFAULT), workflows(W2024, W2025)),
    # bounds
    Case("range-bound-changes", workflows(W2024), workflows(year(2024, "2023-07-01"))),
    Case("list-bound-changes", snapshots(L2), snapshots(layer("l2", "L2"))),
    Case("hash-modulus-changes", node_events(hash_part(0, 2)), node_events(hash_part(0, 4))),
    Case("bound-changes-next-to-default", workflows(W2024, WDEFAULT), workflows(year(2024, "2023-07-01"), WDEFAULT)),
    Case(
        "partition-becomes-default",
        workflows(W2024, W2025),
        workflows(W2024, W2025.replace("FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')", "DEFAULT")),
    ),
    # membership of existing tables
    Case(
        "plain-table-attached-as-partition",
        workflows(W2024) + "CREATE TABLE workflows_2025 (LIKE workflows INCLUDING DEFAULTS);\n",
        workflows(W2024, W2025),
    ),
    # A table joins its parent with an index the files keep beside the parent index's copy, alike: ATTACH takes
    # it as the copy, so it is renamed to the copy's name and built again under its own.
    Case(
        "table-joins-keeping-an-index-alike-the-parents",
        workflows(W2024, BY_CREATED)
        + "CREATE TABLE workflows_2025 (LIKE workflows INCLUDING DEFAULTS);\n"
        + BY_CREATED_2025,
        workflows(W2024, W2025, BY_CREATED) + BY_CREATED_2025,
    ),
    # A table joins a partitioned table with exactly its columns: one more is dropped, one less added first.
    Case(
        "plain-table-with-other-columns-attached",
        workflows(W2024) + "CREATE TABLE workflows_2025 (LIKE workflows INCLUDING DEFAULTS, legacy_ref int);\n",
        workflows(W2024, W2025),
    ),
    # The partitioned table is replaced by another (not renamed): its partition, kept by name, moves over
    # and takes the new parent's columns (a retyped one, a new one: last, as a partition's columns keep
    # their order), its local index kept.
    Case(
        "partition-moves-to-replacing-parent",
        workflows(W2024) + "CREATE INDEX idx_workflows_2024_title ON workflows_2024 (title);\n",
        workflows().replace("workflows", "flows").replace("payload jsonb", "payload json")
        .replace("DEFAULT now()", "DEFAULT now(), priority int")
        + "CREATE TABLE workflows_2024 PARTITION OF flows FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
        + "CREATE INDEX idx_workflows_2024_title ON workflows_2024 (title);\n",
    ),
    # multi-level
    Case("sub-partitioned-table-created", "", workflows(W2024, SUB_2025)),
    Case("sub-partitioned-partition-added", workflows(W2024), workflows(W2024, SUB_2025)),
    Case(
        "sub-partition-added",
        workflows(
            W2024,
            SUB_2025.replace(
                "CREATE TABLE workflows_2025_done PARTITION OF workflows_2025 FOR VALUES IN ('done');\n", ""
            ),
        ),
        workflows(W2024, SUB_2025),
    ),
    # partitioned indexes
    Case("partitioned-index-added", workflows(W2024, W2025), workflows(W2024, W2025, BY_CREATED)),
    # PostgreSQL names both indexes' partition copies from created_at and numbers the second one (`_idx1`):
    # created in another order than the desired database's, a plain CREATE INDEX would swap the names.
    Case("partitioned-table-created-with-indexes-named-alike", "", workflows(W2024, SUB_2025, RECENT, BY_CREATED)),
    # The new partition's copies are made by ATTACH, in the order of the current table's indexes.
    Case(
        "partition-added-under-indexes-named-alike",
        workflows(BY_CREATED, RECENT),
        workflows(RECENT, BY_CREATED, W2024, SUB_2025),
    ),
    # Two indexes alike: ATTACH pairs them with the partition's in the order PostgreSQL created them on
    # each side, so the partition's must be created in the order of the current table's (not the names').
    Case(
        "partition-added-under-duplicate-indexes",
        workflows(BY_CREATED.replace("idx_workflows_created", "idx_workflows_z"), BY_CREATED),
        workflows(BY_CREATED, BY_CREATED.replace("idx_workflows_created", "idx_workflows_z"), W2024),
    ),
    Case(
        "partitioned-indexes-named-alike-added",
        workflows(W2024, SUB_2025),
        workflows(W2024, SUB_2025, RECENT, BY_CREATED),
    ),
    # The same index name moves from a plain table to the partitioned one (and back): no concurrent build on
    # a partitioned table, which PostgreSQL refuses.
    Case(
        "index-moves-onto-partitioned-table",
        workflows(W2024) + ARCHIVE + "CREATE INDEX idx_by_title ON archive (title);\n",
        workflows(W2024) + ARCHIVE + "CREATE INDEX idx_by_title ON workflows (title);\n",
    ),
    Case("partial-partitioned-index-added", workflows(W2024, WDEFAULT), workflows(W2024, WDEFAULT, BY_STATUS)),
    Case(
        "partitioned-index-changes",
        workflows(W2024, W2025, BY_CREATED),
        workflows(W2024, W2025, BY_CREATED.replace("(created_at)", "(created_at DESC, id)")),
    ),
    Case(
        "unique-partitioned-index-added",
        workflows(W2024, W2025),
        workflows(W2024, W2025, "CREATE UNIQUE INDEX idx_workflows_id ON workflows (id, created_at);\n"),
    ),
    Case("partitioned-index-on-two-levels", workflows(W2024, SUB_2025), workflows(W2024, SUB_2025, BY_CREATED)),
    Case("index-added-with-new-partition", workflows(W2024), workflows(W2024, W2025, BY_CREATED, BY_STATUS)),
    Case("partition-added-under-existing-index", workflows(W2024, BY_CREATED), workflows(W2024, W2025, BY_CREATED)),
    Case(
        "index-only-on-one-partition",
        workflows(W2024, W2025),
        workflows(W2024, W2025, "CREATE INDEX idx_workflows_2025_title ON workflows_2025 (title);\n"),
    ),
    Case(
        "index-on-sub-partitioned-partition-only",
        workflows(W2024, SUB_2025),
        workflows(W2024, SUB_2025, "CREATE INDEX idx_workflows_2025_title ON workflows_2025 (title);\n"),
    ),
    # keys
    Case(
        "primary-key-on-partitioned-table-added",
        workflows(W2024),
        workflows(W2024, "ALTER TABLE workflows ADD PRIMARY KEY (id, created_at);\n"),
    ),
    Case("list-partitioned-with-key-gains-partition", snapshots(L2), snapshots(L2, L3)),
    Case(
        "unique-on-partitioned-table-added",
        snapshots(L2, L3),
        snapshots(
            L2,
            L3,
            "ALTER TABLE workflow_extraction_snapshots"
            " ADD CONSTRAINT snapshots_one_per_layer UNIQUE (workflow_id, layer);\n",
        ),
    ),
    # foreign keys from and to partitioned tables
    Case(
        "foreign-key-from-partitioned-table",
        NODES + node_events(hash_part(0, 2), hash_part(1, 2)),
        NODES
        + node_events(
            hash_part(0, 2),
            hash_part(1, 2),
            "ALTER TABLE node_events ADD CONSTRAINT node_events_node_fk FOREIGN KEY (node_id) REFERENCES nodes;\n",
        ),
    ),
    Case(
        "foreign-key-to-partitioned-table",
        snapshots(L2, L3)
        + "CREATE TABLE snapshot_reviews (workflow_id bigint, layer text, taken_at timestamptz, verdict text);\n",
        snapshots(L2, L3)
        + "CREATE TABLE snapshot_reviews (workflow_id bigint, layer text, taken_at timestamptz, verdict text,"
        " FOREIGN KEY (workflow_id, layer, taken_at) REFERENCES workflow_extraction_snapshots);\n",
    ),
    # columns of a partitioned parent
    Case(
        "column-added-to-partitioned-table",
        workflows(W2024, W2025),
        workflows(W2024, W2025).replace(
            "DEFAULT now()\n", "DEFAULT now(),\n    layer3_scraped boolean NOT NULL DEFAULT false\n"
        ),
    ),
    Case(
        "column-retyped-on-partitioned-table",
        workflows(W2024, W2025),
        workflows(W2024, W2025).replace("id bigint NOT NULL", "id numeric(20) NOT NULL"),
    ),
    Case(
        "column-default-changes-on-partitioned-table",
        workflows(W2024, W2025),
        workflows(W2024, W2025).replace("DEFAULT 'pending'", "DEFAULT 'queued'"),
    ),
    Case(
        "column-becomes-not-null-on-partitioned-table",
        workflows(W2024, W2025),
        workflows(W2024, W2025).replace("payload jsonb DEFAULT '{}'", "payload jsonb NOT NULL DEFAULT '{}'"),
    ),
    Case(
        "column-added-with-new-partition",
        workflows(W2024),
        workflows(W2024, W2025).replace(
            "DEFAULT now()\n", "DEFAULT now(),\n    layer2_scraped boolean\n"
        ),
    ),
    # checks
    Case(
        "check-on-partitioned-table",
        workflows(W2024, W2025),
        workflows(
            W2024,
            W2025,
            "ALTER TABLE workflows"
            " ADD CONSTRAINT workflows_status_known CHECK (status IN ('pending', 'running', 'done'));\n",
        ),
    ),
    Case(
        "check-only-on-one-partition",
        workflows(W2024, W2025),
        workflows(
            W2024, W2025, "ALTER TABLE workflows_2024 ADD CONSTRAINT workflows_2024_closed CHECK (status = 'done');\n"
        ),
    ),
    Case(
        "check-on-parent-with-new-partition",
        workflows(W2024),
        workflows(W2024, W2025, "ALTER TABLE workflows ADD CONSTRAINT workflows_title_present CHECK (title <> '');\n"),
    ),
    # triggers and views
    Case("trigger-on-partitioned-table", TOUCH + workflows(W2024, W2025), TOUCH + workflows(W2024, W2025, TRIGGER)),
    Case("partition-added-under-trigger", TOUCH + workflows(W2024, TRIGGER), TOUCH + workflows(W2024, W2025, TRIGGER)),
    Case(
        "view-over-partitioned-table",
        workflows(W2024, W2025),
        workflows(
            W2024,
            W2025,
            "CREATE VIEW recent_workflows AS SELECT id, title, created_at FROM workflows"
            " WHERE created_at > now() - interval '7 days';\n",
        ),
    ),
    # inheritance
    Case("inheritance-child-created", audit(), audit(AUDIT_LOGINS)),
    Case("inheritance-children-created-with-parent", "", audit(AUDIT_LOGINS, AUDIT_EXPORTS)),
    Case(
        "column-added-to-inheritance-parent",
        audit(AUDIT_LOGINS),
        audit(AUDIT_LOGINS).replace("    actor text\n", "    actor text,\n    source text NOT NULL DEFAULT 'web'\n"),
    ),
    Case(
        "column-dropped-from-inheritance-parent",
        audit(AUDIT_LOGINS),
        audit(AUDIT_LOGINS).replace(",\n    actor text\n", "\n"),
    ),
    Case("inherit-added", audit(AUDIT_EXPORTS_PLAIN), audit(AUDIT_EXPORTS_INHERITING)),
    Case(
        "column-retyped-on-inheritance-parent-and-merged-child",
        audit(AUDIT_EXPORTS_INHERITING),
        audit(AUDIT_EXPORTS_INHERITING).replace("actor text", "actor varchar(200)"),
    ),
    Case(
        "inheritance-child-dropped-with-parent",
        audit(AUDIT_LOGINS, AUDIT_EXPORTS),
        "",
    ),
    Case(
        "generated-column-on-partitioned-table",
        workflows(W2024),
        workflows(W2024, W2025).replace(
            "DEFAULT now()\n", "DEFAULT now(),\n    title_length integer GENERATED ALWAYS AS (length(title)) STORED\n"
        ),
    ),
    Case(
        "identity-on-partitioned-table",
        "",
        workflows(W2024, W2025).replace("id bigint NOT NULL", "id bigint GENERATED BY DEFAULT AS IDENTITY"),
    ),
    Case(
        "identity-partitioned-table-gains-partition",
        workflows(W2024).replace("id bigint NOT NULL", "id bigint GENERATED BY DEFAULT AS IDENTITY"),
        workflows(W2024, W2025).replace("id bigint NOT NULL", "id bigint GENERATED BY DEFAULT AS IDENTITY"),
    ),
    Case(
        "no-inherit-check-on-parent",
        audit(AUDIT_LOGINS),
        audit(AUDIT_LOGINS, "ALTER TABLE audit_log ADD CONSTRAINT audit_log_no_rows CHECK (false) NO INHERIT;\n"),
    ),
    Case(
        "inherited-check-on-parent",
        audit(AUDIT_LOGINS),
        audit(AUDIT_LOGINS, "ALTER TABLE audit_log ADD CONSTRAINT audit_log_id_positive CHECK (id > 0);\n"),
    ),
    Case(
        "check-on-inheritance-child",
        audit(AUDIT_LOGINS),
        audit(AUDIT_LOGINS, "ALTER TABLE audit_logins ADD CONSTRAINT audit_logins_ip_set CHECK (ip IS NOT NULL);\n"),
    ),
]


@pytest.mark.parametrize("case", forward(CASES))
def test_converges_a_to_b(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(CASES))
def test_converges_b_to_a(pg, case):
    run_case(pg, case, reverse=True)


def _statements(result):
    return [(statement.sql, group.transactional) for group in result.plan.groups for statement in group.statements]


def test_new_partition_of_existing_table_is_created_standalone_then_attached(pg):
    case = case_by_id(CASES, "range-partition-added")
    result = assert_converges(pg, case.a, case.b)
    [(create, _), (attach, _)] = _statements(result)
    assert "PARTITION OF" not in create and "LIKE public.workflows INCLUDING DEFAULTS" in create
    assert attach.startswith("ALTER TABLE public.workflows ATTACH PARTITION public.workflows_2025 FOR VALUES FROM")
    assert not result.plan.hazards


def test_partitions_of_a_new_table_are_created_with_partition_of(pg):
    case = case_by_id(CASES, "sub-partitioned-table-created")
    result = assert_converges(pg, case.a, case.b)
    sql = result.sql
    assert len(result.plan.groups) == 1 and not any("ATTACH" in s for s in sql)
    assert sql[0].startswith("CREATE TABLE public.workflows (") and sql[0].endswith("PARTITION BY RANGE (created_at)")
    assert sql.index(next(s for s in sql if "workflows_2025 PARTITION OF" in s)) < sql.index(
        next(s for s in sql if "workflows_2025_done PARTITION OF public.workflows_2025" in s)
    )


def test_new_sub_partitioned_tree_is_attached_last(pg):
    case = case_by_id(CASES, "sub-partitioned-partition-added")
    result = assert_converges(pg, case.a, case.b)
    sql = result.sql
    assert "LIKE public.workflows" in sql[0] and sql[0].endswith("PARTITION BY LIST (status)")
    assert all("PARTITION OF public.workflows_2025" in s for s in sql[1:3])
    assert sql[3].startswith("ALTER TABLE public.workflows ATTACH PARTITION public.workflows_2025")


def test_partition_is_detached_concurrently_outside_a_transaction_then_dropped(pg):
    case = case_by_id(CASES, "range-partition-added")
    result = assert_converges(pg, case.b, case.a)
    [(detach, detach_in_transaction), (drop, _)] = _statements(result)
    assert detach == "ALTER TABLE public.workflows DETACH PARTITION public.workflows_2025 CONCURRENTLY"
    assert not detach_in_transaction
    assert drop == "DROP TABLE public.workflows_2025"
    assert {h.code for h in result.plan.hazards} == {"non-transactional", "data-loss", "breaking-change"}


def test_with_a_default_partition_detach_is_plain_and_attach_scans_the_default(pg):
    case = case_by_id(CASES, "partition-added-next-to-default")
    forward_result = assert_converges(pg, case.a, case.b)
    attach = forward_result.plan.statements[-1]
    assert "ATTACH PARTITION" in attach.sql
    assert {h.code for h in attach.hazards} == {"access-exclusive-lock", "validates-existing-rows"}
    assert any("workflows_default" in h.message for h in attach.hazards)
    backward_result = assert_converges(pg, case.b, case.a)
    detach = backward_result.plan.statements[0]
    assert detach.sql == "ALTER TABLE public.workflows DETACH PARTITION public.workflows_2025"
    assert backward_result.plan.groups[0].transactional
    assert [h.code for h in detach.hazards] == ["access-exclusive-lock"]


def test_bound_change_is_detach_and_attach_in_one_transaction(pg):
    case = case_by_id(CASES, "range-bound-changes")
    result = assert_converges(pg, case.a, case.b)
    [group] = result.plan.groups
    assert group.transactional
    detach, attach = group.statements
    assert detach.sql == "ALTER TABLE public.workflows DETACH PARTITION public.workflows_2024"
    assert "ATTACH PARTITION public.workflows_2024 FOR VALUES FROM ('2023-07-01" in attach.sql
    assert [h.code for h in attach.hazards] == ["validates-existing-rows"]


def test_bound_change_that_leaves_rows_outside_fails_and_rolls_back(pg):
    case = case_by_id(CASES, "range-bound-changes")
    current = case.b + "INSERT INTO workflows (id, title, created_at) VALUES (1, 'old', '2023-08-01');\n"
    with pytest.raises(PgdiffError, match="violated by some row"):
        assert_converges(pg, current, case.a)


def test_index_on_existing_partitioned_table_is_built_per_partition_concurrently(pg):
    case = case_by_id(CASES, "partitioned-index-on-two-levels")
    result = assert_converges(pg, case.a, case.b)
    statements = _statements(result)
    sql = [s for s, _ in statements]
    assert sql[0] == "CREATE INDEX idx_workflows_created ON ONLY public.workflows USING btree (created_at)"
    concurrent = [s for s, in_transaction in statements if not in_transaction]
    assert {s.split(" ON ")[1].split(" USING")[0] for s in concurrent} == {
        "public.workflows_2024",
        "public.workflows_2025_done",
        "public.workflows_2025_open",
    }
    assert all(s.startswith("CREATE INDEX CONCURRENTLY") for s in concurrent)
    # The middle level's index is made ON ONLY too, and attached after its own partitions' indexes.
    middle = next(i for i, s in enumerate(sql) if "ON ONLY public.workflows_2025 " in s)
    attach_middle = sql.index(
        "ALTER INDEX public.idx_workflows_created ATTACH PARTITION public.workflows_2025_created_at_idx"
    )
    assert middle < attach_middle
    assert sql[attach_middle - 1].startswith("ALTER INDEX public.workflows_2025_created_at_idx ATTACH")
    assert not any(s.startswith("CREATE INDEX idx_workflows_created ON public.workflows ") for s in sql)


def test_partitioned_index_dropped_without_concurrently(pg):
    case = case_by_id(CASES, "partitioned-index-added")
    result = assert_converges(pg, case.b, case.a)
    assert result.sql == ["DROP INDEX public.idx_workflows_created"]


def test_foreign_key_on_partitioned_table_is_not_valid_first_where_postgresql_allows(pg):
    case = case_by_id(CASES, "foreign-key-from-partitioned-table")
    result = assert_converges(pg, case.a, case.b)
    if pg.major >= 18:
        assert result.sql[0].endswith("NOT VALID") and "VALIDATE CONSTRAINT" in result.sql[1]
    else:
        [statement] = result.plan.statements
        assert "NOT VALID" not in statement.sql
        assert [h.code for h in statement.hazards] == ["validates-existing-rows"]


def test_interrupted_concurrent_detach_is_finalized(pg):
    """A DETACH ... CONCURRENTLY cancelled while it waits for an older snapshot leaves the partition pending."""
    import psycopg

    case = case_by_id(CASES, "range-partition-added")
    current_db = new_database(pg, case.b)
    with psycopg.connect(pg.conninfo(current_db)) as reader, psycopg.connect(pg.conninfo(current_db)) as detacher:
        reader.execute("SELECT count(*) FROM workflows")  # holds a snapshot: its transaction stays open
        detacher.autocommit = True
        detacher.execute("SET statement_timeout = '1s'")
        with pytest.raises(psycopg.errors.QueryCanceled):
            detacher.execute("ALTER TABLE workflows DETACH PARTITION workflows_2025 CONCURRENTLY")
        reader.rollback()
    pending = inspect_db(pg, current_db)
    assert pending.tables[("public", "workflows_2025")].detach_pending
    desired = inspect_db(pg, new_database(pg, case.b))
    result = plan_models(pending, desired)
    sql = [s.sql for s in result.plan.statements]
    # First, since a partition pending detach cannot be altered; the CHECK of its bound it was given goes.
    assert sql[0] == "ALTER TABLE public.workflows DETACH PARTITION public.workflows_2025 FINALIZE"
    assert sql[1] == "ALTER TABLE public.workflows_2025 DROP CONSTRAINT workflows_2025_created_at_check"
    assert sql[2].startswith("ALTER TABLE public.workflows ATTACH PARTITION public.workflows_2025")
    with psycopg.connect(pg.conninfo(current_db)) as conn:
        apply_plan(conn, result.plan)
    after = inspect_db(pg, current_db)
    assert not after.tables[("public", "workflows_2025")].detach_pending
    assert plan_models(after, desired).plan.is_empty


def test_partition_statements_load_in_dependency_order_whatever_the_file_order(pg, tmp_path):
    files = {
        "1_indexes.sql": "CREATE INDEX idx_workflows_created ON ONLY workflows (created_at);\n"
        "CREATE INDEX workflows_2024_created_at_idx ON workflows_2024 (created_at);\n"
        "ALTER INDEX idx_workflows_created ATTACH PARTITION workflows_2024_created_at_idx;\n",
        "2_attach.sql": "ALTER TABLE workflows ATTACH PARTITION workflows_2024"
        " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n",
        "3_partitions.sql": "CREATE TABLE workflows_2024 (LIKE workflows INCLUDING DEFAULTS);\n" + SUB_2025,
        "4_logins.sql": AUDIT_LOGINS,
        "5_parents.sql": WORKFLOWS + AUDIT,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    statements = resolve_sources([str(tmp_path)]).statements
    order = [s.file.name for s in statements]
    assert order.index("5_parents.sql") < order.index("3_partitions.sql") < order.index("2_attach.sql")
    assert order.index("5_parents.sql") < order.index("4_logins.sql")
    attach_index = next(i for i, s in enumerate(statements) if s.text.startswith("ALTER INDEX"))
    assert order.index("2_attach.sql") < attach_index
    with ShadowDatabase(dev_url=pg.url(), target_major=pg.major) as shadow:
        shadow.load(statements)
        model = shadow.inspect()
    assert model.tables[("public", "workflows_2024")].parent == ("public", "workflows")
    assert model.tables[("public", "workflows_2025_done")].parent == ("public", "workflows_2025")
    assert model.tables[("public", "audit_logins")].inherits == (("public", "audit_log"),)
    index = model.indexes[("public", "idx_workflows_created")]
    assert index.valid and ("public", "workflows_2024", "workflows_2024_created_at_idx", "idx_workflows_created") in (
        index.partition_indexes
    )
    assert ("public", "workflows_2024_created_at_idx") not in model.indexes


def test_dump_of_partitioned_schema_converges_on_a_fresh_database(pg, tmp_path):
    schema = TOUCH + workflows(W2024, SUB_2025, WDEFAULT, BY_CREATED, TRIGGER) + snapshots(L2, L3) + audit(AUDIT_LOGINS)
    url = pg.url(new_database(pg, schema))
    runner = CliRunner()
    assert runner.invoke(app, ["dump", "--db", url, "-o", str(tmp_path), "--split", "object"]).exit_code == 0
    fresh = pg.url(new_database(pg))
    applied = runner.invoke(app, ["apply", str(tmp_path), "--db", fresh, "--dev-url", pg.url(), "--yes"])
    assert applied.exit_code == 0, applied.output
    assert runner.invoke(app, ["plan", url, "--db", fresh, "--detailed-exitcode"]).exit_code == 0
