"""One introspection costs the same queries for 10 tables as for 1,000 (issue 8, part 3).

Counted twice, independently of `inspect`'s own `on_query` callback (which a query run outside the loop
would not report): by libpq's protocol trace, which records every message the client sends to the server,
and by a cursor class that records every statement text psycopg executes.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from itertools import chain
from typing import Any

import psycopg
import pytest
from psycopg import pq

from pgdiff.catalog import QUERY_NAMES, QUERY_ORDER, inspect, query_text
from pgdiff.model import Model
from tests.pg import new_database

# Frontend messages that make the server run a statement: a simple-protocol Query or an extended-protocol
# Execute (a Parse alone runs nothing).
STATEMENT_MESSAGES = ("Query", "Execute")


class RecordingCursor(psycopg.Cursor[Any]):
    """A cursor that keeps the text of every statement it is asked to run, by any of its entry points."""

    executed: list[str]

    def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        self.executed.append(str(query))
        return super().execute(query, *args, **kwargs)

    def executemany(self, query: Any, *args: Any, **kwargs: Any) -> None:
        self.executed.append(str(query))
        return super().executemany(query, *args, **kwargs)

    def stream(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        self.executed.append(str(query))
        return super().stream(query, *args, **kwargs)

    def copy(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self.executed.append(str(statement))
        return super().copy(statement, *args, **kwargs)


def schema_sql(tables: int) -> str:
    """`tables` tables, each with a key, an index, a foreign key to the previous one and a trigger; a view and
    a trigger function every 10 tables. One script, so that PostgreSQL loads it in a single round trip."""
    parts = []
    for i in range(tables):
        if i % 10 == 0:
            parts.append(
                f"CREATE FUNCTION touch_{i}() RETURNS trigger LANGUAGE plpgsql"
                " AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;"
            )
        previous = f" REFERENCES t{i - 1} (id)" if i else ""
        parts.append(
            f"CREATE TABLE t{i} (id bigint PRIMARY KEY, name text NOT NULL, previous_id bigint{previous},"
            f" updated_at timestamptz NOT NULL DEFAULT now());"
            f"CREATE INDEX t{i}_name ON t{i} (name) WHERE name <> '';"
            f"CREATE TRIGGER t{i}_touch BEFORE UPDATE ON t{i} FOR EACH ROW EXECUTE FUNCTION touch_{i - i % 10}();"
        )
        if i % 10 == 9:
            parts.append(f"CREATE VIEW v{i} AS SELECT id, name FROM t{i} WHERE previous_id IS NOT NULL;")
    return "\n".join(parts)


def without_snapshot_id(statement: str) -> str:
    """The statement, but for the id of an imported snapshot (each export has its own)."""
    return re.sub(r"SET TRANSACTION SNAPSHOT '\), Literal\('[^']*'\)", "SET TRANSACTION SNAPSHOT <id>", statement)


class TracedConnection:
    """A connection whose every frontend message and cursor statement is recorded."""

    def __init__(self, conninfo: str, stack: contextlib.ExitStack) -> None:
        self.conn = stack.enter_context(psycopg.connect(conninfo, autocommit=True))
        self.conn.cursor_factory = RecordingCursor
        self.trace = stack.enter_context(tempfile.TemporaryFile("w+"))  # noqa: SIM115 (closed by the stack)
        self.conn.pgconn.trace(self.trace.fileno())
        self.conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

    def sent(self) -> list[str]:
        """The frontend message types, in order. Each message starts a line "F<TAB>length<TAB>type...";
        statement texts may span further lines."""
        self.trace.flush()
        self.trace.seek(0)
        return [line.split("\t")[2].strip() for line in self.trace if line.startswith("F\t")]


def traced_inspection(pg, dbname: str, *, parallel: bool) -> tuple[Model, list[list[str]], list[str]]:
    """Inspect `dbname`; return the model, the frontend message types each connection sent (the inspection's
    own first, then the helper's, if one was opened) and the statement texts of all of them."""
    RecordingCursor.executed = executed = []
    with contextlib.ExitStack() as stack:
        main = TracedConnection(pg.conninfo(dbname), stack)
        helpers: list[TracedConnection] = []

        def open_helper() -> psycopg.Connection:
            helpers.append(TracedConnection(pg.conninfo(dbname), stack))
            helpers[-1].conn.autocommit = False
            return helpers[-1].conn

        model = inspect(main.conn, open_helper=open_helper, parallel=parallel)
        for traced in (main, *helpers):
            if not traced.conn.closed:
                traced.conn.pgconn.untrace()
        return model, [traced.sent() for traced in (main, *helpers)], executed


@pytest.mark.parametrize("parallel", [False, True], ids=["one connection", "two connections"])
def test_catalog_queries_do_not_grow_with_tables(pg, parallel):
    small_model, small_sent, small_executed = traced_inspection(pg, new_database(pg, schema_sql(10)), parallel=parallel)
    large_model, large_sent, large_executed = traced_inspection(
        pg, new_database(pg, schema_sql(1000)), parallel=parallel
    )

    # The inspection really read both schemas whole: the counts below are not those of an empty read.
    assert (len(small_model.tables), len(small_model.views), len(small_model.triggers)) == (10, 1, 10)
    assert (len(large_model.tables), len(large_model.views), len(large_model.triggers)) == (1000, 100, 1000)
    assert len(large_model.functions) == 100
    assert sum(c.kind == "f" for c in large_model.constraints.values()) == 999

    # One connection, or two; the same messages on the wire whatever the size. Two connections take the
    # queries from one queue, so which sends which depends on timing: their messages are compared together.
    assert len(small_sent) == len(large_sent) == (2 if parallel else 1)
    assert sorted(chain(*small_sent)) == sorted(chain(*large_sent))
    assert sorted(map(without_snapshot_id, small_executed)) == sorted(map(without_snapshot_id, large_executed))
    if parallel:
        # The helper ran catalog queries, beyond its 4 statements of set-up (BEGIN, isolation, snapshot,
        # settings): it is not opened for nothing. It starts while the other runs the costliest query.
        assert sum(message in STATEMENT_MESSAGES for message in large_sent[1]) > 4, large_sent[1]
    else:
        assert small_sent == large_sent and small_executed == large_executed
    # Every catalog query exactly once, and nothing else but each connection's transaction set-up.
    catalog = [text for text in large_executed if text in {query_text(name) for name in QUERY_NAMES}]
    assert sorted(catalog) == sorted(query_text(name) for name in QUERY_NAMES)
    if not parallel:
        assert catalog == [query_text(name) for name in QUERY_ORDER]
    others = [text for text in large_executed if text not in catalog]
    # SET TRANSACTION ..., set_config(...) on each connection; with two: the snapshot's export and import.
    assert len(others) == (6 if parallel else 2), others
    # BEGIN and COMMIT (or the helper's closing) go through the connection, not a cursor.
    statements = [message for sent in large_sent for message in sent if message in STATEMENT_MESSAGES]
    assert len(statements) == len(QUERY_NAMES) + len(others) + (3 if parallel else 2), large_sent


def test_inspection_falls_back_to_one_connection_when_no_second_can_be_opened(pg):
    """A connection limit, say: the helper's failure costs nothing but the parallelism."""
    dbname = new_database(pg, schema_sql(20))

    def no_helper() -> psycopg.Connection:
        raise psycopg.OperationalError("too many connections for role")

    with psycopg.connect(pg.conninfo(dbname), autocommit=True) as conn:
        expected = inspect(conn, parallel=False)
        assert inspect(conn, open_helper=no_helper) == expected
        assert inspect(conn) == expected  # the default helper: the same snapshot, the same model
