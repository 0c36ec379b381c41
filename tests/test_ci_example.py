"""examples/ci: the GitHub Actions workflow's pgdiff commands, run in its order with its pgdiff.yaml against a
real database: plan in the pull request (Markdown comment + plan.json), apply of that plan on merge, drift
at night; and a stale plan refused."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pgdiff.cli import app
from tests.pg import new_database

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "ci"

CURRENT = "CREATE TABLE users (id bigint PRIMARY KEY, email text);"
DESIRED = """
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE INDEX users_email_idx ON users (email);
"""


def workflow() -> dict:
    return yaml.safe_load((EXAMPLE / "github-actions.yml").read_text())


def pgdiff_commands(job: str) -> list[list[str]]:
    """The job's `pgdiff ...` command lines, split as the shell would (redirections kept as words)."""
    commands = []
    for step in workflow()["jobs"][job]["steps"]:
        for line in step.get("run", "").splitlines():
            if line.strip().startswith("pgdiff "):
                commands.append(shlex.split(line.split("||")[0])[1:])
    return commands


def run(command: list[str], environment: dict[str, str], dev_url: str):
    """One command line: `> file` writes stdout to the file, as in the workflow."""
    target = None
    if ">" in command:
        target = Path(command[command.index(">") + 1])
        command = command[: command.index(">")]
    result = CliRunner().invoke(
        app, [*command, "--dev-url", dev_url] if command[0] != "fmt" else command, env=environment
    )
    if target is not None:
        target.write_text(result.stdout)
    return result


@pytest.fixture
def repository(tmp_path, monkeypatch) -> Path:
    """A checkout of the user's repository: pgdiff.yaml at the root, schema/ beside it."""
    shutil.copy(EXAMPLE / "pgdiff.yaml", tmp_path / "pgdiff.yaml")
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "users.sql").write_text(DESIRED)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_workflow_has_the_three_jobs():
    jobs = workflow()["jobs"]
    assert set(jobs) == {"plan", "apply", "drift"}
    assert pgdiff_commands("plan") == [
        ["fmt", "--check"],
        ["plan", "--env", "production", "-o", "plan.json", "--format", "markdown", ">", "plan.md"],
    ]
    assert pgdiff_commands("apply") == [["apply", "--env", "production", "--plan", "plan.json", "--yes"]]
    assert pgdiff_commands("drift") == [["drift", "--env", "production", "--format", "markdown", ">", "drift.md"]]
    uploaded = [s for s in jobs["plan"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert uploaded and uploaded[0]["with"]["path"] == "plan.json"
    script = next(s for s in jobs["plan"]["steps"] if s.get("uses", "").startswith("actions/github-script"))
    assert "<!-- pgdiff-plan -->" in script["with"]["script"]


def test_plan_in_the_pull_request_then_apply_on_merge_then_nightly_drift(pg, repository):
    production = pg.url(new_database(pg, CURRENT))
    environment = {"PRODUCTION_DATABASE_URL": production, "PGDIFF_DATABASE_URL": "", "DATABASE_URL": ""}

    for command in pgdiff_commands("plan"):
        if command[0] == "plan":
            result = run(command, environment, pg.url())
            assert result.exit_code == 0, result.output
    comment = (repository / "plan.md").read_text()
    assert comment.startswith("<!-- pgdiff-plan -->\n")
    assert "CREATE INDEX CONCURRENTLY users_email_idx" in comment
    assert (repository / "plan.json").exists()
    assert "SET lock_timeout = '2s'" in comment  # production's lock_timeout from pgdiff.yaml

    # Night before the merge: the files are ahead of production, which is drift (exit 2).
    (drift_command,) = pgdiff_commands("drift")
    assert run(drift_command, environment, pg.url()).exit_code == 2

    (apply_command,) = pgdiff_commands("apply")
    result = run(apply_command, environment, pg.url())
    assert result.exit_code == 0, result.output
    assert "the database matches the desired state" in result.stdout

    result = run(drift_command, environment, pg.url())
    assert result.exit_code == 0, result.output
    assert (repository / "drift.md").read_text().startswith("<!-- pgdiff-drift -->\n")

    # The same reviewed plan once more (a re-run of the merge job): production changed since, refused.
    result = run(apply_command, environment, pg.url())
    assert result.exit_code == 1
    assert "the database changed since the plan was made" in result.output
