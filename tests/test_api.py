"""The Python API: pgdiff.plan(), pgdiff.apply() and pgdiff.drift() do what the commands do, as functions."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

import pgdiff
from pgdiff.api import NotConverged
from pgdiff.apply import ApplyHooks
from pgdiff.errors import PgdiffError
from pgdiff.planfile import write_plan_file
from tests.pg import new_database

CURRENT = "CREATE TABLE users (id int PRIMARY KEY, email text); INSERT INTO users VALUES (1, 'a@example.com');"
DESIRED = "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL); CREATE INDEX users_email ON users (email);"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(DESIRED)
    return path


def test_the_api_is_three_functions():
    assert [callable(f) for f in (pgdiff.plan, pgdiff.apply, pgdiff.drift)] == [True, True, True]
    assert pgdiff.plan.__doc__ and pgdiff.apply.__doc__ and pgdiff.drift.__doc__


def test_plan_apply_drift(pg, files):
    target = pg.url(new_database(pg, CURRENT))
    planned = pgdiff.plan([files], target, dev_url=pg.url(), config=False)
    kinds = {(s.kind, s.action) for s in planned.plan.statements}
    assert ("index", "create") in kinds
    assert planned.target.database.startswith("t_") and planned.fingerprints.catalog
    assert {d.object for d in pgdiff.drift([files], target, dev_url=pg.url(), config=False)} == {
        "public.users.email",
        "public.users_email",
    }
    seen: list[str] = []
    applied = pgdiff.apply(
        [files],
        target,
        dev_url=pg.url(),
        config=False,
        allow_hazards=["all"],
        hooks=ApplyHooks(on_statement=lambda number, total, statement: seen.append(statement.object)),
    )
    assert len(seen) == len(applied.plan.statements) == len(planned.plan.statements)
    assert pgdiff.drift([files], target, dev_url=pg.url(), config=False) == []
    assert pgdiff.plan([files], target, dev_url=pg.url(), config=False).plan.is_empty
    with psycopg.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (1,)


def test_apply_refuses_hazards_it_was_not_allowed(pg, files):
    target = pg.url(new_database(pg, CURRENT + " CREATE TABLE old (id int);"))
    with pytest.raises(PgdiffError, match=r"plan has hazards that were not allowed .*data-loss"):
        pgdiff.apply([files], target, dev_url=pg.url(), config=False)
    with psycopg.connect(target) as conn:
        assert conn.execute("SELECT to_regclass('old') IS NOT NULL").fetchone() == (True,)


def test_apply_a_plan_file(pg, files, tmp_path):
    target = pg.url(new_database(pg, CURRENT))
    path = tmp_path / "plan.json"
    write_plan_file(pgdiff.plan([files], target, dev_url=pg.url(), config=False), path)
    applied = pgdiff.apply([files], target, plan_file=path, dev_url=pg.url(), config=False, allow_hazards=["all"])
    assert not applied.plan.is_empty
    with pytest.raises(PgdiffError, match="the database changed since the plan was made"):
        pgdiff.apply([files], target, plan_file=path, dev_url=pg.url(), config=False, allow_hazards=["all"])


def test_not_converged_carries_the_remaining_drift(pg, files, monkeypatch):
    from pgdiff import api

    target = pg.url(new_database(pg, CURRENT))
    real_apply = api.apply_plan

    def apply_then_someone_drops_the_index(conn, plan, **options):
        real_apply(conn, plan, **options)
        with psycopg.connect(target, autocommit=True) as other:
            other.execute("DROP INDEX users_email")

    monkeypatch.setattr(api, "apply_plan", apply_then_someone_drops_the_index)
    with pytest.raises(NotConverged) as raised:
        pgdiff.apply([files], target, dev_url=pg.url(), config=False, allow_hazards=["all"])
    assert [(d.state, d.kind, d.object) for d in raised.value.remaining] == [("missing", "index", "public.users_email")]


def test_plan_and_drift_through_a_login_limited_to_one_connection(pg, files):
    """pgdiff reads the target on more than one connection when it can (the inspection's helper, the target
    read while the desired state is built); a login that may hold only one gets the same plan through it."""
    target_db = new_database(pg, CURRENT)
    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'one_connection'").fetchone():
            conn.execute("CREATE ROLE one_connection LOGIN CONNECTION LIMIT 1")
    limited = pg.url(target_db).replace(f"{pg.superuser}@", "one_connection@")
    with psycopg.connect(limited), pytest.raises(psycopg.OperationalError, match="too many connections"):
        psycopg.connect(limited)  # the limit holds: a second connection is refused while one is open
    planned = pgdiff.plan([files], limited, dev_url=pg.url(), config=False)
    unlimited = pgdiff.plan([files], pg.url(target_db), dev_url=pg.url(), config=False)
    assert [s.sql for s in planned.plan.statements] == [s.sql for s in unlimited.plan.statements]
    assert planned.fingerprints.catalog == unlimited.fingerprints.catalog
    assert {d.object for d in pgdiff.drift([files], limited, dev_url=pg.url(), config=False)} == {
        "public.users.email",
        "public.users_email",
    }
