"""Convergence of collations (CREATE COLLATION) and extended statistics (CREATE STATISTICS)."""

from __future__ import annotations

import psycopg
import pytest

from pgdiff.errors import PgdiffError
from tests.convergence import Case, backward, case_by_id, forward, run_case
from tests.pg import assert_converges, new_database

C_BYTES = "CREATE COLLATION c_bytes (lc_collate = 'C', lc_ctype = 'C');\n"
C_UTF8 = "CREATE COLLATION c_utf8 (lc_collate = 'C.utf8', lc_ctype = 'C.utf8');\n"
USERS = "CREATE TABLE users (id int PRIMARY KEY, email text, name text);\n"

EXECUTIONS = """
CREATE TABLE workflow_executions (
    id bigint PRIMARY KEY,
    workflow_id bigint NOT NULL,
    status varchar(20) NOT NULL,
    started_at timestamptz,
    triggered_by varchar(50)
);
"""


def statistics(definition: str, table: str = EXECUTIONS) -> str:
    return f"{table}CREATE STATISTICS {definition} FROM workflow_executions;\n"


CASES = [
    Case("create-libc-collation", "", C_BYTES),
    Case("collation-locale-changes-unused", C_BYTES, C_BYTES.replace("'C'", "'POSIX'")),
    Case("collation-ctype-changes-unused", C_UTF8, C_UTF8.replace("lc_ctype = 'C.utf8'", "lc_ctype = 'C'")),
    Case(
        "collation-in-schema-with-quoted-name",
        'CREATE SCHEMA "I18n";',
        'CREATE SCHEMA "I18n";\nCREATE COLLATION "I18n"."Bytes Ç" (lc_collate = \'C\', lc_ctype = \'C\');',
    ),
    Case("column-gets-collation", USERS, C_UTF8 + USERS.replace("email text", "email text COLLATE c_utf8")),
    Case(
        "column-moves-between-collations",
        C_BYTES + C_UTF8 + USERS.replace("name text", "name text COLLATE c_bytes"),
        C_BYTES + C_UTF8 + USERS.replace("name text", "name text COLLATE c_utf8"),
    ),
    Case(
        "domain-with-collation",
        C_BYTES,
        C_BYTES + "CREATE DOMAIN code AS text COLLATE c_bytes CHECK (VALUE <> '');",
    ),
    Case(
        "builtin-collation", "", "CREATE COLLATION c_builtin (provider = builtin, locale = 'C.UTF-8');", min_server=17
    ),
    Case("create-statistics", EXECUTIONS, statistics("exec_status_dep (dependencies) ON workflow_id, status")),
    Case(
        "statistics-kinds-change",
        statistics("exec_stats (ndistinct) ON workflow_id, status"),
        statistics("exec_stats (ndistinct, mcv) ON workflow_id, status"),
    ),
    Case(
        "statistics-columns-change",
        statistics("exec_stats ON workflow_id, status"),
        statistics("exec_stats ON workflow_id, status, triggered_by"),
    ),
    Case(
        "statistics-on-expression",
        EXECUTIONS,
        statistics("exec_day ON date_trunc('day', started_at AT TIME ZONE 'UTC'), status"),
    ),
    Case(
        "statistics-target",
        statistics("exec_stats ON workflow_id, status"),
        statistics("exec_stats ON workflow_id, status") + "ALTER STATISTICS exec_stats SET STATISTICS 500;",
    ),
    Case(
        "statistics-column-dropped",
        statistics("exec_stats ON workflow_id, triggered_by"),
        statistics("exec_stats ON workflow_id, status", EXECUTIONS.replace(",\n    triggered_by varchar(50)", "")),
    ),
    Case(
        "statistics-on-column-that-changes-type",
        statistics("exec_stats ON workflow_id, status"),
        statistics("exec_stats ON workflow_id, status", EXECUTIONS.replace("status varchar(20)", "status text")),
    ),
    Case("statistics-with-table", "", statistics("exec_stats ON workflow_id, status")),
    Case(
        "statistics-in-other-schema",
        EXECUTIONS + "CREATE SCHEMA stats;",
        EXECUTIONS + "CREATE SCHEMA stats;\n"
        "CREATE STATISTICS stats.exec ON workflow_id, status FROM workflow_executions;",
    ),
]

GERMAN = "CREATE COLLATION german (provider = icu, locale = 'de-DE');\n"

# Run where the server is built with ICU (Debian's); elsewhere the server must refuse them.
ICU_CASES = [
    Case("create-icu-collation", "", GERMAN),
    Case("icu-locale-changes-unused", GERMAN, GERMAN.replace("de-DE", "de-AT")),
    Case("icu-becomes-nondeterministic", GERMAN, GERMAN.replace("');", "', deterministic = false);")),
    Case(
        "column-gets-case-insensitive-collation",
        USERS,
        "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);\n"
        + USERS.replace("email text", "email text COLLATE ci"),
    ),
]


def has_icu(pg) -> bool:
    """Whether the server is built with ICU (it may list an ICU collation even when it is not)."""
    with psycopg.connect(pg.conninfo()) as conn:
        try:
            conn.execute("CREATE COLLATION pgdiff_icu_probe (provider = icu, locale = 'und')")
        except psycopg.errors.FeatureNotSupported:
            return False
        finally:
            conn.rollback()
        return True


@pytest.mark.parametrize("case", forward(CASES))
def test_forward(pg, case):
    run_case(pg, case)


@pytest.mark.parametrize("case", backward(CASES))
def test_backward(pg, case):
    run_case(pg, case, reverse=True)


@pytest.mark.parametrize("case", forward(ICU_CASES) + backward(ICU_CASES))
def test_icu(pg, case, request):
    if not has_icu(pg):
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="ICU is not supported in this build"):
            new_database(pg, case.b)
        return
    run_case(pg, case, reverse="b->a" in request.node.name)


def test_collation_in_use_cannot_change(pg):
    current = C_BYTES + USERS.replace("name text", "name text COLLATE c_bytes")
    message = r"collation public\.c_bytes: lc_collate, lc_ctype cannot change while column public\.users\.name uses it"
    with pytest.raises(PgdiffError, match=message):
        assert_converges(pg, current, current.replace("'C'", "'POSIX'"))


def test_statistics_target_is_altered_in_place(pg):
    result = run_case(pg, case_by_id(CASES, "statistics-target"))
    assert [s.sql for s in result.plan.statements] == ["ALTER STATISTICS public.exec_stats SET STATISTICS 500"]


def test_statistics_go_before_the_column_they_cover(pg):
    result = run_case(pg, case_by_id(CASES, "statistics-column-dropped"))
    sql = [s.sql for s in result.plan.statements]
    assert sql.index("DROP STATISTICS public.exec_stats") < next(i for i, s in enumerate(sql) if "DROP COLUMN" in s)
