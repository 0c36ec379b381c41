"""A server pgdiff starts is its own: no PG* variable of the user reaches it, while the target connection
keeps honouring libpq's conventions (PG* variables, services, URLs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from pgdiff import cluster
from pgdiff.connect import same_params
from tests.pg import new_database

REPO = Path(__file__).resolve().parent.parent

# What a user's shell may export: each would break, or silently change, a connection to pgdiff's own server.
HOSTILE_ENVIRONMENT = {
    "PGHOST": "/nonexistent-socket-dir",
    "PGHOSTADDR": "192.0.2.1",
    "PGPORT": "5499",
    "PGUSER": "nobody",
    "PGDATABASE": "nowhere",
    "PGOPTIONS": "-c search_path=nowhere -c statement_timeout=1",
    "PGSSLMODE": "require",
    "PGGSSENCMODE": "require",
    "PGCHANNELBINDING": "require",
    "PGREQUIREAUTH": "password",
    "PGTARGETSESSIONATTRS": "read-only",
    "PGCLIENTENCODING": "LATIN1",
    "PGAPPNAME": "leaked",
    "PGTZ": "Asia/Tokyo",
    "PGDATESTYLE": "German, DMY",
    "PGCONNECT_TIMEOUT": "not-a-number",
    "PGDATA": "/nonexistent-data-dir",
}


def pgdiff_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pgdiff", *args],
        capture_output=True,
        text=True,
        env=env | {"PYTHONPATH": str(REPO)},
        cwd=cwd,
        timeout=300,
    )


def clean_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("PG") or key == "PGDIFF_CACHE_DIR"}


def test_plan_on_a_throwaway_server_ignores_the_users_libpq_variables(pg, tmp_path):
    """The issue's repro: a CHECK whose text differs is settled on a throwaway server (no --dev-url)."""
    target = pg.own_url(new_database(pg, "CREATE TABLE t (n int CHECK (n > 0));"))
    desired = tmp_path / "file.sql"
    desired.write_text("CREATE TABLE t (n int CHECK (n > 1));\n")
    # The target URL gives every keyword the hostile variables would otherwise fill in.
    env = clean_environment() | HOSTILE_ENVIRONMENT | {"PGDIFF_CACHE_DIR": str(tmp_path / "cache")}
    result = pgdiff_cli("plan", "--no-cache", "--db", target, str(desired), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "ADD CONSTRAINT t_n_check CHECK (n > 1) NOT VALID" in result.stdout
    assert "Tokyo" not in result.stdout and "nowhere" not in result.stdout


def test_a_service_named_by_pgservice_does_not_reach_pgdiffs_server(pg, tmp_path):
    services = tmp_path / "pg_service.conf"
    services.write_text("[elsewhere]\nport=5499\nhost=/nonexistent-socket-dir\noptions=-c search_path=nowhere\n")
    target = pg.url(new_database(pg, "CREATE TABLE t (n int CHECK (n > 0));"))
    desired = tmp_path / "file.sql"
    desired.write_text("CREATE TABLE t (n int CHECK (n > 1));\n")
    env = clean_environment() | {"PGSERVICEFILE": str(services), "PGSERVICE": "elsewhere"}
    result = pgdiff_cli("plan", "--no-cache", "--db", target, str(desired), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "CHECK (n > 1)" in result.stdout


def test_the_target_still_honours_libpq_variables(pg, tmp_path):
    """No --db, no URL variable: libpq's PGHOST/PGPORT/PGUSER/PGDATABASE name the target."""
    name = new_database(pg, "CREATE TABLE t (n int CHECK (n > 0));")
    desired = tmp_path / "file.sql"
    desired.write_text("CREATE TABLE t (n int CHECK (n > 1));\n")
    env = clean_environment() | {
        "PGHOST": str(pg.socket_dir),
        "PGPORT": "5432",
        "PGUSER": pg.superuser,
        "PGDATABASE": name,
        "PGAPPNAME": "from-the-environment",
    }
    env.pop("DATABASE_URL", None)
    env.pop("PGDIFF_DATABASE_URL", None)
    result = pgdiff_cli("plan", "--no-cache", str(desired), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "CHECK (n > 1)" in result.stdout


def test_a_timestamptz_default_compares_equal_under_another_session_time_zone(pg, tmp_path):
    """The target's session time zone comes from PGTZ; the shadow's is pgdiff's: constants must still compare
    equal, so the inspection pins its own TimeZone and DateStyle."""
    schema = (
        "CREATE TABLE t (at timestamptz DEFAULT '2020-01-01 00:00:00+00', d date DEFAULT '2020-02-03',"
        " i interval DEFAULT '1 day 02:00:00');\n"
    )
    target = pg.url(new_database(pg, schema))
    desired = tmp_path / "file.sql"
    desired.write_text(schema)
    env = clean_environment() | {
        "PGTZ": "Asia/Tokyo",
        "PGDATESTYLE": "German, DMY",
        "PGOPTIONS": "-c IntervalStyle=iso_8601",
    }
    result = pgdiff_cli("plan", "--no-cache", "--db", target, str(desired), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "No changes" in result.stdout, result.stdout


def test_server_programs_get_no_pg_variables(monkeypatch):
    for variable, value in HOSTILE_ENVIRONMENT.items():
        monkeypatch.setenv(variable, value)
    environment = cluster.server_environment()
    assert not [name for name in environment if name.startswith("PG")]
    assert environment.get("PATH") == os.environ.get("PATH")


def test_every_libpq_variable_is_answered_by_an_explicit_keyword(pg):
    """Each keyword libpq would read from a PG* variable is given (but the password and the service, which a
    server pgdiff started does not use)."""
    params = pg.params()
    for option in psycopg.pq.Conninfo.get_defaults():
        keyword = option.keyword.decode()
        if option.envvar is not None and keyword not in ("password", "passfile", "service"):
            assert keyword in params, keyword


def test_own_server_connection_resets_startup_packet_settings(pg, monkeypatch):
    monkeypatch.setenv("PGTZ", "Asia/Tokyo")
    monkeypatch.setenv("PGDATESTYLE", "German, DMY")
    monkeypatch.setenv("PGOPTIONS", "-c search_path=nowhere")
    with pg.connect() as conn:
        settings = conn.execute(
            "SELECT current_setting('TimeZone'), current_setting('DateStyle'), current_setting('search_path')"
        ).fetchone()
    assert settings == ("UTC", "ISO, MDY", '"$user", public')


@pytest.mark.parametrize("variable", ["PGPORT", "PGHOST", "PGUSER", "PGDATABASE"])
def test_a_connection_opened_like_another_reaches_the_same_server(pg, monkeypatch, variable):
    """`same_params` carries every keyword libpq settled, defaults included: a variable set afterwards (or a
    default port libpq would leave out of `info.dsn`) cannot send the copy elsewhere."""
    with psycopg.connect(pg.conninfo()) as first:
        params = same_params(first)
        monkeypatch.setenv(variable, HOSTILE_ENVIRONMENT[variable])
        with psycopg.connect(**params) as second:
            assert second.info.port == first.info.port
            assert second.info.dbname == first.info.dbname
            assert second.info.user == first.info.user
