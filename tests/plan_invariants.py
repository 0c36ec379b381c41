"""Hazard invariants checked on every plan the suite makes (a pytest plugin: see conftest's `pytest_plugins`).

- Every statement that rewrites a table also holds ACCESS EXCLUSIVE on it: `table-rewrite` comes with
  `access-exclusive-lock` (checked on each statement list the planner groups into a Plan, whoever asked).
- No rewrite hazard where PostgreSQL does not rewrite (a binary-coercible type change, a relocated type) and
  no rewrite without the hazard: checked by `assert_converges` against the server itself, the relation file
  node of every table before and after the apply (a rewrite gives the table a new one).
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from pgdiff.cluster import Cluster
from pgdiff.plan import Group, Plan, Statement
from pgdiff.plan import planner as planner_module


def assert_rewrites_lock(statements: list[Statement] | tuple[Statement, ...]) -> None:
    for statement in statements:
        codes = {hazard.code for hazard in statement.hazards}
        assert "table-rewrite" not in codes or "access-exclusive-lock" in codes, (
            f"a statement rewrites a table without the access-exclusive-lock hazard: {statement.sql}"
        )


@pytest.fixture(autouse=True, scope="session")
def _every_plan_locks_what_it_rewrites() -> Iterator[None]:
    """Wraps the planner's last step, so the invariant is checked on every plan built in the session."""
    group_statements = planner_module.group_statements

    def checked(statements: list[Statement]) -> tuple[Group, ...]:
        assert_rewrites_lock(statements)
        return group_statements(statements)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(planner_module, "group_statements", checked)
        yield


# Tables by oid: (schema.name, relkind, file node, the table whose ALTER rewrites it too).
_FILE_NODES = """
SELECT c.oid, n.nspname || '.' || c.relname, c.relkind::text, pg_catalog.pg_relation_filenode(c.oid),
       (SELECT pn.nspname || '.' || p.relname FROM pg_catalog.pg_inherits i
        JOIN pg_catalog.pg_class p ON p.oid = i.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
        WHERE i.inhrelid = c.oid ORDER BY i.inhseqno LIMIT 1)
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
"""

FileNodes = dict[int, tuple[str, str, int | None, str | None]]


def file_nodes(cluster: Cluster, dbname: str) -> FileNodes:
    with psycopg.connect(cluster.conninfo(dbname), autocommit=True) as conn:
        return {row[0]: row[1:] for row in conn.execute(_FILE_NODES).fetchall()}


def _rewrite_reported(plan: Plan) -> set[str]:
    """The tables (schema.name) a statement of `plan` says it rewrites, with the table it belongs to."""
    return {s.table for s in plan.statements if s.table and any(h.code == "table-rewrite" for h in s.hazards)}


def _ancestors(name: str, after: FileNodes) -> set[str]:
    """`name` and the tables it inherits from or is a partition of: an ALTER of one of them reaches it."""
    parents = {row[0]: row[3] for row in after.values()}
    found = {name}
    while parents.get(name) and parents[name] not in found:
        name = parents[name]  # type: ignore[assignment]
        found.add(name)
    return found


def assert_rewrites_reported(plan: Plan, before: FileNodes, after: FileNodes, *, utc: bool) -> None:
    """A table kept (same oid) got a new file node exactly when the plan says that it, or a table it belongs
    to, is rewritten. With the session in UTC, timestamp <-> timestamptz is not rewritten but is reported (the
    apply session's time zone is not known when planning)."""
    reported = _rewrite_reported(plan)
    for oid, (name, relkind, node, _) in after.items():
        if oid not in before or relkind in ("p", "m"):
            # Created by the plan; partitioned, with no storage of its own; or a materialized view, whose
            # storage a REFRESH (or a change of its query) replaces: no table's rows are rewritten.
            continue
        rewritten = before[oid][2] != node
        says = bool(_ancestors(name, after) & reported) or before[oid][0] in reported
        if rewritten:
            assert says, f"table {name} was rewritten, but no statement of the plan has the table-rewrite hazard"
        else:
            overstated = name in reported and not (utc and _only_time_zone_changes(plan, name))
            assert not overstated, f"table {name} was not rewritten, but the plan says it is: {_rewriting(plan, name)}"


def _rewriting(plan: Plan, table: str) -> list[str]:
    return [s.sql for s in plan.statements if s.table == table and any(h.code == "table-rewrite" for h in s.hazards)]


def _only_time_zone_changes(plan: Plan, table: str) -> bool:
    return all("time zone" in sql and "USING" in sql for sql in _rewriting(plan, table))
