"""The shipped examples and the seeds they come from, on real PostgreSQL.

`schema/` (seed 003's complete schema) and `examples/workflow-engine/` must converge from
their `current.sql` and from an empty database, compared by model and `pg_dump`. The seeds'
SQL blocks (`examples/seeds/*.sql`, verbatim) are audited statement by statement: every
statement pgdiff refuses is listed below with the reason, as in examples/seeds/README.md, so
a statement that starts or stops being refused is noticed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pglast
import psycopg
import pytest
from typer.testing import CliRunner

from pgdiff.cli import app
from pgdiff.errors import SourceError
from pgdiff.source import resolve_sources
from pgdiff.source.sql import SqlStatement, check_supported, line_of
from tests.pg import EXAMPLE_ROLES, assert_converges, ensure_roles, new_database

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "examples" / "seeds"

MULTI_TENANT = REPO / "examples" / "multi-tenant"


@pytest.fixture(scope="module", autouse=True)
def roles(pg) -> None:
    ensure_roles(pg, *EXAMPLE_ROLES)


EXAMPLES = {
    "mindhill": (REPO / "examples" / "mindhill" / "current.sql", REPO / "schema"),
    "workflow-engine": (
        REPO / "examples" / "workflow-engine" / "current.sql",
        REPO / "examples" / "workflow-engine" / "desired",
    ),
}


def has_pgvector(pg) -> bool:
    with psycopg.connect(pg.conninfo()) as conn:
        return conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone() is not None


def test_multi_tenant_example_converges_from_an_empty_database(pg):
    result = assert_converges(pg, "", desired_sql(MULTI_TENANT / "desired"))
    kinds = {statement.kind for statement in result.plan.statements}
    assert {"enum", "table", "policy", "row security", "grant", "comment", "function"} <= kinds


def test_multi_tenant_embeddings_need_pgvector(pg):
    """The embedded PostgreSQL 18 has pgvector; Debian's 15 does not, and then the file says so clearly."""
    files = [str(MULTI_TENANT / "desired"), str(MULTI_TENANT / "vector")]
    if has_pgvector(pg):
        script = "\n".join(s.text + ";" for s in resolve_sources(files).statements)
        result = assert_converges(pg, desired_sql(MULTI_TENANT / "desired"), script)
        assert "CREATE INDEX CONCURRENTLY embeddings_hnsw" not in [s.sql for s in result.plan.statements]
        assert any("USING hnsw (embedding public.vector_cosine_ops)" in s.sql for s in result.plan.statements)
        return
    target = pg.url(new_database(pg))
    result = CliRunner().invoke(app, ["plan", *files, "--db", target, "--dev-url", pg.url()], catch_exceptions=False)
    assert result.exit_code == 1
    assert 'extension "vector" is not available' in result.stderr
    assert "pass --dev-url with a server that has it" in result.stderr


def desired_sql(source: Path) -> str:
    """The desired files as one script, in the order pgdiff loads them.

    The test helper runs the script as one transaction, where CREATE INDEX CONCURRENTLY cannot run
    (the shadow runs one statement at a time): the index is built the same without it.
    """
    script = "\n".join(statement.text + ";" for statement in resolve_sources([str(source)]).statements)
    return re.sub(r"(?i)\bINDEX\s+CONCURRENTLY\b", "INDEX", script)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_converges_from_its_current_state(pg, name):
    current, desired = EXAMPLES[name]
    # The files add columns between existing ones; PostgreSQL adds a column at the end of its table.
    result = assert_converges(pg, current.read_text(), desired_sql(desired), ignore_column_order=True)
    kinds = {statement.kind for statement in result.plan.statements}
    assert {"table", "index", "constraint"} <= kinds


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_converges_from_an_empty_database(pg, name):
    _, desired = EXAMPLES[name]
    result = assert_converges(pg, "", desired_sql(desired))
    kinds = {statement.kind for statement in result.plan.statements}
    assert {"extension", "table", "index", "trigger", "view", "function"} <= kinds


def test_schema_dir_has_every_kind_the_demo_shows(pg):
    result = assert_converges(pg, "", desired_sql(REPO / "schema"))
    kinds = {statement.kind for statement in result.plan.statements}
    expected = {"extension", "enum", "table", "index", "constraint", "trigger", "view", "function", "grant", "comment"}
    assert expected <= kinds


# What pgdiff refuses in the seeds' SQL blocks: (line in examples/seeds/<file>, start of the message).
REFUSED = {
    "000-n8n-scraper.sql": [
        (6, "ALTER ... RENAME is not schema"),
        (7, "ALTER ... RENAME is not schema"),
        (8, "ALTER ... RENAME is not schema"),
    ],
    "001-workflow-engine-ops.sql": [
        (5, "DELETE is not schema"),
        (9, "VACUUM/ANALYZE is not schema"),
        (12, "REINDEX is not schema"),
        (15, "SELECT reads data"),
        (21, "SELECT reads data"),
        (30, "SELECT reads data"),
    ],
    "002-concertmaster.sql": [
        (122, "SELECT reads data"),
        (127, "SELECT reads data"),
        (154, "SELECT cron.schedule(...) runs code"),
        (159, "ALTER SYSTEM is not schema"),
        (160, "ALTER SYSTEM is not schema"),
        (161, "ALTER SYSTEM is not schema"),
        (191, "SELECT reads data"),
        (196, "SELECT reads data"),
        (206, "SELECT reads data"),
    ],
    "003-mindhill.sql": [
        (6, "CREATE DATABASE is not schema"),
        (732, "INSERT is not schema"),
        (989, "SELECT cron.schedule(...) runs code"),
        (1013, "INSERT is not schema"),
        (1022, "INSERT is not schema"),
        (1035, "INSERT is not schema"),
        (1058, "INSERT is not schema"),
        (1106, "EXPLAIN is not schema"),
        (1132, "EXPLAIN is not schema"),
        (1149, "EXPLAIN is not schema"),
        (1169, "SELECT reads data"),
        (1194, "SELECT reads data"),
        (1211, "SELECT reads data"),
        (1223, "SELECT reads data"),
    ],
}


def refusals(path: Path) -> list[tuple[int, str]]:
    """Every statement of `path` that pgdiff refuses, with its line and message (after `file:line: `)."""
    text = path.read_text()
    found = []
    for piece in pglast.parser.split(text, with_parser=True, only_slices=True):
        statement = SqlStatement(text[piece], path, line_of(text, piece.start))
        try:
            check_supported(statement)
        except SourceError as error:
            prefix = f"{path}:{statement.line}: "
            assert str(error).startswith(prefix), str(error)
            found.append((statement.line, str(error)[len(prefix) :]))
    return found


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_seed_statements_that_are_not_schema_are_refused_with_a_reason(name):
    found = refusals(SEEDS / name)
    assert [line for line, _ in found] == [line for line, _ in REFUSED[name]]
    for (_, message), (_, expected) in zip(found, REFUSED[name], strict=True):
        assert message.startswith(expected), message
        assert ";" in message or ":" in message, f"no hint in {message!r}"


def test_every_seed_with_sql_is_audited():
    assert sorted(p.name for p in SEEDS.glob("*.sql")) == sorted(REFUSED)
