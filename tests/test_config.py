"""pgdiff.yaml: found from the current directory up to the repository root, checked with file:line:column
errors, layered (defaults < top level < environment < command line), URLs read from named variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pgdiff.api import settle
from pgdiff.cli import app
from pgdiff.config import Settings, load_config
from pgdiff.errors import PgdiffError
from tests.pg import new_database

CONFIG = """\
# pgdiff.yaml
sources: [schema/]
database_url_env: APP_DATABASE_URL
schemas: [public]
exclude: [public.tmp_*]
lock_timeout: 2s
lock_retries: 5
environments:
  staging:
    database_url_env: STAGING_DATABASE_URL
    allow_hazards: [data-loss, index-dropped]
  production:
    lock_timeout: 500ms
    wait: 5min
"""


def write(directory: Path, text: str = CONFIG) -> Path:
    path = directory / "pgdiff.yaml"
    path.write_text(text)
    return path


def test_top_level_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(write(tmp_path))
    assert config.settings == Settings(
        sources=("schema/",),
        database_url_env="APP_DATABASE_URL",
        schemas=("public",),
        exclude=("public.tmp_*",),
        lock_timeout="2s",
        lock_retries=5,
    )


def test_environment_overrides_the_top_level(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    staging = load_config(write(tmp_path), "staging").settings
    assert staging.database_url_env == "STAGING_DATABASE_URL"
    assert staging.allow_hazards == ("data-loss", "index-dropped")
    assert staging.lock_timeout == "2s"  # not overridden: the top level's
    production = load_config(write(tmp_path), "production").settings
    assert (production.lock_timeout, production.wait, production.allow_hazards) == ("500ms", "5min", None)


def test_found_in_a_parent_directory_with_sources_relative_to_it(tmp_path, monkeypatch):
    write(tmp_path)
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "t.sql").write_text("CREATE TABLE t (a int);")
    nested = tmp_path / "services" / "api"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    monkeypatch.setenv("APP_DATABASE_URL", "postgresql://app.example/app")
    config = load_config()
    assert config.path == tmp_path / "pgdiff.yaml"
    assert config.settings.sources == ("../../schema/",)
    job = settle(Settings(), config=None)
    assert [f.name for f in job.sources.files] == ["t.sql"]


def test_search_stops_at_the_repository_root(tmp_path, monkeypatch):
    write(tmp_path)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    monkeypatch.chdir(repo)
    assert load_config().path is None


def test_no_file_means_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "x.sql").write_text("CREATE TABLE t (a int);")
    job = settle(Settings(sources=("x.sql",)), config=None)
    assert job.config.path is None
    assert job.policy.lock_timeout_ms == 3000 and job.lock_retries == 3 and job.allowed_hazards == frozenset()


def test_command_line_wins_over_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path)
    (tmp_path / "other.sql").write_text("CREATE TABLE t (a int);")
    monkeypatch.setenv("STAGING_DATABASE_URL", "postgresql://staging.example/app")
    job = settle(
        Settings(sources=("other.sql",), schemas=("app",), lock_timeout="9s"),
        db="postgresql://cli.example/app",
        env="staging",
    )
    assert job.url == "postgresql://cli.example/app"
    assert [f.name for f in job.sources.files] == ["other.sql"]
    assert job.object_filter.schemas == ("app",)
    assert job.object_filter.exclude == ("public.tmp_*",)
    assert job.policy.lock_timeout_ms == 9000
    assert job.allowed_hazards == {"data-loss", "index-dropped"}


def test_database_url_comes_from_the_named_variable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path)
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "t.sql").write_text("CREATE TABLE t (a int);")
    monkeypatch.setenv("STAGING_DATABASE_URL", "postgresql://staging.example/app")
    assert settle(Settings(), env="staging").url == "postgresql://staging.example/app"
    with pytest.raises(PgdiffError, match=r"pgdiff.yaml: database_url_env names \$APP_DATABASE_URL, which is not set"):
        settle(Settings())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: schema/\n", r"pgdiff.yaml:1:10: sources must be a list, not 'schema/'"),
        ("lock_timout: 3s\n", r"pgdiff.yaml:1:1: unknown key 'lock_timout' in pgdiff.yaml; did you mean 'lock_ti"),
        ("lock_timeout: soon\n", r"pgdiff.yaml:1:15: lock_timeout 'soon': expected a duration"),
        ("lock_retries: many\n", r"pgdiff.yaml:1:15: lock_retries must be an integer, not 'many'"),
        ("allow_hazards: [dataloss]\n", r"pgdiff.yaml:1:17: unknown hazard code 'dataloss'; codes: data-loss"),
        (
            "environments:\n  prod:\n    allow_hazard: [data-loss]\n",
            r"pgdiff.yaml:3:5: unknown key 'allow_hazard' in prod; did you mean 'allow_hazards'",
        ),
        ("environments:\n  prod:\n    wait: later\n", r"pgdiff.yaml:3:11: wait 'later': expected a duration"),
        ("sources: [a\n", r"pgdiff.yaml:2:1: not valid YAML"),
    ],
)
def test_bad_configuration_names_file_line_and_column(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PgdiffError, match=message):
        load_config(write(tmp_path, text))


def test_unknown_environment_lists_the_known_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PgdiffError, match=r"no environment 'prod' under environments: \(production, staging\)"):
        load_config(write(tmp_path), "prod")


def test_env_without_a_configuration_file(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PgdiffError, match=r"--env staging: no pgdiff\.yaml found"):
        load_config(None, "staging")


def test_plan_and_drift_read_the_file(pg, tmp_path, monkeypatch):
    """`pgdiff plan --env staging` with nothing else: sources, database and filters from pgdiff.yaml."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path)
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "app.sql").write_text("CREATE TABLE users (id int PRIMARY KEY, email text);")
    live = new_database(pg, "CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE tmp_import (x int);")
    environment = {"STAGING_DATABASE_URL": pg.url(live), "PGDIFF_DATABASE_URL": "", "DATABASE_URL": ""}
    runner = CliRunner()
    plan = runner.invoke(app, ["plan", "--env", "staging", "--dev-url", pg.url(), "-f", "sql"], env=environment)
    assert plan.exit_code == 0, plan.output
    assert "ADD COLUMN email text" in plan.stdout
    assert "tmp_import" not in plan.stdout  # excluded by the file's exclude: [public.tmp_*]
    assert "SET lock_timeout = '2s'" in plan.stdout
    drift = runner.invoke(app, ["drift", "--env", "staging", "--dev-url", pg.url()], env=environment)
    assert drift.exit_code == 2, drift.output
    assert "+ missing column public.users.email" in drift.stdout.splitlines()
    assert "tmp_import" not in drift.stdout


def test_config_none_reads_no_file(pg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "lock_timeout: 2s\nsources: [missing/]\n")
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (a int);")
    target = pg.url(new_database(pg))
    result = CliRunner().invoke(
        app, ["plan", "schema.sql", "--db", target, "--dev-url", pg.url(), "-f", "sql", "--config", "none"]
    )
    assert result.exit_code == 0, result.output
    assert "SET lock_timeout = '3s'" in result.stdout


def test_bad_configuration_is_exit_1_with_the_location(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "lock_timout: 3s\n")
    result = CliRunner().invoke(app, ["plan", "--db", "postgresql://nowhere.invalid/x"])
    assert result.exit_code == 1
    assert "pgdiff.yaml:1:1: unknown key 'lock_timout'" in result.output


def test_dump_reads_the_database_and_filters_from_the_file(pg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path)
    live = new_database(pg, "CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE tmp_import (x int);")
    environment = {"STAGING_DATABASE_URL": pg.url(live), "PGDIFF_DATABASE_URL": "", "DATABASE_URL": ""}
    result = CliRunner().invoke(app, ["dump", "--env", "staging"], env=environment)
    assert result.exit_code == 0, result.output
    assert "CREATE TABLE public.users" in result.stdout
    assert "tmp_import" not in result.stdout


def test_unreadable_configuration_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pgdiff.yaml").write_bytes(b"lock_timeout: \xff\xfe\n")
    result = CliRunner().invoke(app, ["plan", "--db", "postgresql://nowhere.invalid/x"])
    assert result.exit_code == 1
    assert "pgdiff.yaml: cannot read the configuration" in result.output
