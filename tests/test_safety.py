"""Online rewrites: the exact safe sequence for each, the same end state as the naive DDL, and hazards.

Each rewrite case is (current schema, naive DDL a person would write). The desired database is the
current one with the naive DDL run on it, so converging to it proves the plan's effect equals the
naive DDL's; the exact statements prove it got there the safe way.
"""

from __future__ import annotations

import pytest

from pgdiff.plan import Plan
from tests.pg import assert_converges

TABLE = "CREATE TABLE t (id int, a text, b varchar(10), n numeric(10,2), p int); CREATE TABLE p (id int PRIMARY KEY);"


def converge_naive(pg, naive: str, current: str = TABLE):
    return assert_converges(pg, current, current + naive)


def groups(plan: Plan) -> list[tuple[str, list[str]]]:
    """Each group as ("tx" | "alone", its statements' SQL)."""
    return [("tx" if g.transactional else "alone", [s.sql for s in g.statements]) for g in plan.groups]


def hazard_codes(plan: Plan) -> set[str]:
    return {h.code for h in plan.hazards}


def test_new_index_is_built_concurrently(pg):
    plan = converge_naive(pg, "CREATE INDEX t_a ON t (a);").plan
    assert groups(plan) == [("alone", ["CREATE INDEX CONCURRENTLY t_a ON public.t USING btree (a)"])]
    assert plan.statements[0].cleanup_sql == "DROP INDEX CONCURRENTLY IF EXISTS public.t_a"
    assert hazard_codes(plan) == {"index-build", "non-transactional"}


def test_dropped_index_is_dropped_concurrently(pg):
    plan = assert_converges(pg, TABLE + "CREATE INDEX t_a ON t (a);", TABLE).plan
    assert groups(plan) == [("alone", ["DROP INDEX CONCURRENTLY public.t_a"])]
    assert hazard_codes(plan) == {"index-dropped"}


def test_changed_index_is_built_beside_then_swapped(pg):
    plan = converge_naive(
        pg,
        "DROP INDEX t_a; CREATE INDEX t_a ON t (lower(a)) WHERE a IS NOT NULL;",
        TABLE + "CREATE INDEX t_a ON t (a);",
    ).plan
    assert groups(plan) == [
        (
            "alone",
            ["CREATE INDEX CONCURRENTLY t_a_pgdiff_new ON public.t USING btree ((lower(a))) WHERE a IS NOT NULL"],
        ),
        ("alone", ["DROP INDEX CONCURRENTLY public.t_a"]),
        ("tx", ["ALTER INDEX public.t_a_pgdiff_new RENAME TO t_a"]),
    ]
    assert "index-dropped" not in hazard_codes(plan), "the table is never without the index"


def test_check_is_added_not_valid_then_validated_in_its_own_transaction(pg):
    plan = converge_naive(pg, "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a <> '');").plan
    assert groups(plan) == [
        ("tx", ["ALTER TABLE public.t ADD CONSTRAINT t_a_check CHECK (a <> '') NOT VALID"]),
        ("tx", ["ALTER TABLE public.t VALIDATE CONSTRAINT t_a_check"]),
    ]
    assert hazard_codes(plan) == {"validates-existing-rows"}


def test_foreign_key_is_added_not_valid_then_validated(pg):
    plan = converge_naive(pg, "ALTER TABLE t ADD CONSTRAINT t_p_fkey FOREIGN KEY (p) REFERENCES p (id);").plan
    assert groups(plan) == [
        ("tx", ["ALTER TABLE public.t ADD CONSTRAINT t_p_fkey FOREIGN KEY (p) REFERENCES public.p(id) NOT VALID"]),
        ("tx", ["ALTER TABLE public.t VALIDATE CONSTRAINT t_p_fkey"]),
    ]


def test_not_valid_in_the_files_stays_not_valid(pg):
    plan = converge_naive(pg, "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a <> '') NOT VALID;").plan
    assert groups(plan) == [("tx", ["ALTER TABLE public.t ADD CONSTRAINT t_a_check CHECK (a <> '') NOT VALID"])]
    assert hazard_codes(plan) == set()


def test_constraint_made_valid_gets_only_validate(pg):
    current = TABLE + "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a <> '') NOT VALID;"
    plan = converge_naive(pg, "ALTER TABLE t VALIDATE CONSTRAINT t_a_check;", current).plan
    assert groups(plan) == [("tx", ["ALTER TABLE public.t VALIDATE CONSTRAINT t_a_check"])]


def test_set_not_null_without_a_scan_under_access_exclusive(pg):
    plan = converge_naive(pg, "ALTER TABLE t ALTER COLUMN a SET NOT NULL;").plan
    if pg.major >= 18:
        assert groups(plan) == [
            ("tx", ["ALTER TABLE public.t ADD CONSTRAINT t_a_not_null NOT NULL a NOT VALID"]),
            ("tx", ["ALTER TABLE public.t VALIDATE CONSTRAINT t_a_not_null"]),
        ]
    else:
        assert groups(plan) == [
            ("tx", ["ALTER TABLE public.t ADD CONSTRAINT pgdiff_a_not_null CHECK (a IS NOT NULL) NOT VALID"]),
            ("tx", ["ALTER TABLE public.t VALIDATE CONSTRAINT pgdiff_a_not_null"]),
            (
                "tx",
                [
                    "ALTER TABLE public.t ALTER COLUMN a SET NOT NULL",
                    "ALTER TABLE public.t DROP CONSTRAINT pgdiff_a_not_null",
                ],
            ),
        ]
    assert hazard_codes(plan) == {"validates-existing-rows"}


@pytest.mark.parametrize("kind", ["UNIQUE", "PRIMARY KEY"])
def test_unique_and_primary_key_come_from_a_concurrent_index(pg, kind):
    name = "t_pkey" if kind == "PRIMARY KEY" else "t_id_key"
    current = TABLE.replace("id int,", "id int NOT NULL,")
    plan = converge_naive(pg, f"ALTER TABLE t ADD CONSTRAINT {name} {kind} (id) INCLUDE (a);", current).plan
    assert groups(plan) == [
        ("alone", [f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON public.t USING btree (id) INCLUDE (a)"]),
        ("tx", [f"ALTER TABLE public.t ADD CONSTRAINT {name} {kind} USING INDEX {name}"]),
    ]
    assert hazard_codes(plan) == {"index-build", "non-transactional", "validates-existing-rows"}


def test_deferrable_unique_keeps_its_deferrability(pg):
    plan = converge_naive(pg, "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a) DEFERRABLE INITIALLY DEFERRED;").plan
    assert plan.statements[-1].sql == (
        "ALTER TABLE public.t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_key DEFERRABLE INITIALLY DEFERRED"
    )


@pytest.mark.parametrize(
    ("naive", "statement"),
    [
        (
            "ALTER TABLE t ALTER COLUMN b TYPE varchar(20);",
            "ALTER TABLE public.t ALTER COLUMN b TYPE character varying(20)",
        ),
        ("ALTER TABLE t ALTER COLUMN b TYPE text;", "ALTER TABLE public.t ALTER COLUMN b TYPE text"),
        ("ALTER TABLE t ALTER COLUMN n TYPE numeric(14,2);", "ALTER TABLE public.t ALTER COLUMN n TYPE numeric(14,2)"),
    ],
)
def test_type_change_without_rewrite_has_no_hazard(pg, naive, statement):
    plan = converge_naive(pg, naive).plan
    assert [s.sql for s in plan.statements] == [statement]
    assert hazard_codes(plan) == set()


def test_type_change_with_rewrite_uses_a_cast_and_says_so(pg):
    plan = converge_naive(pg, "ALTER TABLE t ALTER COLUMN p TYPE bigint;").plan
    assert [s.sql for s in plan.statements] == ["ALTER TABLE public.t ALTER COLUMN p TYPE bigint USING p::bigint"]
    assert hazard_codes(plan) == {"table-rewrite", "access-exclusive-lock"}


def test_narrowing_type_change_is_data_loss(pg):
    plan = converge_naive(pg, "ALTER TABLE t ALTER COLUMN n TYPE numeric(10,1);").plan
    assert hazard_codes(plan) == {"table-rewrite", "access-exclusive-lock", "data-loss"}


# Hazards: a case that raises each, and one close to it that must not.
HAZARD_CASES = [
    ("data-loss", "ALTER TABLE t DROP COLUMN a;", "ALTER TABLE t ADD COLUMN c text;"),
    (
        "table-rewrite",
        "ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();",
        "ALTER TABLE t ADD COLUMN c int DEFAULT 0;",
    ),
    ("access-exclusive-lock", "ALTER TABLE t SET UNLOGGED;", "ALTER TABLE t ADD CONSTRAINT t_p_check CHECK (p > 0);"),
    (
        "validates-existing-rows",
        "ALTER TABLE t ADD CONSTRAINT t_p_check CHECK (p > 0);",
        "ALTER TABLE t ADD CONSTRAINT t_p_check CHECK (p > 0) NOT VALID;",
    ),
    ("index-build", "CREATE INDEX t_p ON t (p);", "CREATE TABLE u (p int); CREATE INDEX u_p ON u (p);"),
    ("non-transactional", "CREATE INDEX t_p ON t (p);", "ALTER TABLE t ADD COLUMN c int;"),
    ("breaking-change", "DROP TABLE p;", "ALTER TABLE t ALTER COLUMN b TYPE text;"),
]


@pytest.mark.parametrize(("code", "raises", "quiet"), HAZARD_CASES, ids=[c[0] for c in HAZARD_CASES])
def test_hazard_raised_and_not(pg, code, raises, quiet):
    assert code in hazard_codes(converge_naive(pg, raises).plan)
    assert code not in hazard_codes(converge_naive(pg, quiet).plan)


def test_index_dropped_hazard_raised_and_not(pg):
    with_index = TABLE + "CREATE INDEX t_p ON t (p);"
    assert "index-dropped" in hazard_codes(assert_converges(pg, with_index, TABLE).plan)
    # An index that goes with its table is not worth a hazard of its own.
    with_table = TABLE + "CREATE TABLE gone (x int); CREATE INDEX g ON gone (x);"
    assert "index-dropped" not in hazard_codes(assert_converges(pg, with_table, TABLE).plan)
