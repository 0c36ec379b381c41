"""One introspection costs the same queries for 10 tables as for 1,000 (issue 8, part 3).

Counted twice, independently of `inspect`'s own `on_query` callback (which a query run outside the loop
would not report): by libpq's protocol trace, which records every message the client sends to the server,
and by a cursor class that records every statement text psycopg executes.
"""

from __future__ import annotations

import tempfile
from typing import Any

import psycopg
from psycopg import pq

from pgdiff.catalog import QUERY_NAMES, inspect, query_text
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


def traced_inspection(pg, dbname: str) -> tuple[Model, list[str], list[str]]:
    """Inspect `dbname`; return the model, the frontend message types on the wire, and the statement texts."""
    with psycopg.connect(pg.conninfo(dbname), autocommit=True) as conn, tempfile.TemporaryFile("w+") as trace:
        conn.cursor_factory = RecordingCursor
        RecordingCursor.executed = executed = []
        conn.pgconn.trace(trace.fileno())
        conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            model = inspect(conn)
        finally:
            conn.pgconn.untrace()
        trace.seek(0)
        # Each message starts a line "F<TAB>length<TAB>type..."; statement texts may span further lines.
        sent = [line.split("\t")[2].strip() for line in trace if line.startswith("F\t")]
    return model, sent, executed


def test_catalog_queries_do_not_grow_with_tables(pg):
    small_model, small_sent, small_executed = traced_inspection(pg, new_database(pg, schema_sql(10)))
    large_model, large_sent, large_executed = traced_inspection(pg, new_database(pg, schema_sql(1000)))

    # The inspection really read both schemas whole: the counts below are not those of an empty read.
    assert (len(small_model.tables), len(small_model.views), len(small_model.triggers)) == (10, 1, 10)
    assert (len(large_model.tables), len(large_model.views), len(large_model.triggers)) == (1000, 100, 1000)
    assert len(large_model.functions) == 100
    assert sum(c.kind == "f" for c in large_model.constraints.values()) == 999

    # Same messages on the wire, in the same order, whatever the size.
    assert small_sent == large_sent
    assert small_executed == large_executed
    # Every catalog query exactly once, in QUERY_NAMES order, and nothing else but the transaction's set-up.
    catalog = [text for text in large_executed if text in {query_text(name) for name in QUERY_NAMES}]
    assert catalog == [query_text(name) for name in QUERY_NAMES]
    others = [text for text in large_executed if text not in catalog]
    assert len(others) == 2, others  # SET TRANSACTION ..., set_config('search_path', ...)
    # BEGIN and COMMIT go through the connection, not a cursor, but they are statements on the wire too.
    statements = [message for message in large_sent if message in STATEMENT_MESSAGES]
    assert len(statements) == len(QUERY_NAMES) + len(others) + 2, large_sent
