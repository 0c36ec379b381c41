"""pgdiff.testing.assert_applies_cleanly: the helper users call from their own test suites."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pgdiff.errors import PgdiffError
from pgdiff.testing import assert_applies_cleanly
from tests.pg import EXAMPLE_ROLES

REPO = Path(__file__).resolve().parent.parent


def test_shipped_schema_applies_to_empty_and_to_its_previous_release(pg):
    result = assert_applies_cleanly(
        [REPO / "schema"],
        previous=[REPO / "examples" / "mindhill" / "current.sql"],
        allow_hazards=["all"],
        dev_url=pg.url(),
        roles=EXAMPLE_ROLES,
    )
    assert len(result.from_empty.statements) > 100
    assert result.from_previous is not None and not result.from_previous.is_empty


def test_unallowed_hazard_fails_with_the_hazard_named(pg, tmp_path):
    (tmp_path / "old.sql").write_text("CREATE TABLE t (a int, legacy text);")
    (tmp_path / "new.sql").write_text("CREATE TABLE t (a int);")
    with pytest.raises(AssertionError, match=r"(?s)previous release.*data-loss: .*legacy"):
        assert_applies_cleanly([tmp_path / "new.sql"], previous=[tmp_path / "old.sql"], dev_url=pg.url())
    result = assert_applies_cleanly(
        [tmp_path / "new.sql"],
        previous=[tmp_path / "old.sql"],
        allow_hazards=["data-loss", "breaking-change"],
        dev_url=pg.url(),
    )
    assert result.from_previous is not None
    assert {h.code for h in result.from_previous.hazards} == {"data-loss", "breaking-change"}


def test_previous_ref_reads_the_files_at_a_git_revision(pg, tmp_path, monkeypatch):
    repo = tmp_path / "app"
    (repo / "schema").mkdir(parents=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "schema" / "app.sql").write_text("CREATE TABLE users (id int PRIMARY KEY);")
    subprocess.run([*git, "-C", str(repo), "add", "."], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "v1"], check=True)
    subprocess.run(["git", "-C", str(repo), "tag", "v1"], check=True)
    (repo / "schema" / "app.sql").write_text(
        "CREATE TABLE users (id int PRIMARY KEY, email text);\nCREATE INDEX users_email ON users (email);"
    )
    monkeypatch.chdir(repo)
    result = assert_applies_cleanly(
        ["schema/"], previous_ref="v1", allow_hazards=["index-build", "non-transactional"], dev_url=pg.url()
    )
    assert result.from_previous is not None
    assert {s.kind for s in result.from_previous.statements} == {"column", "index"}
    with pytest.raises(PgdiffError, match=r"git archive: .*no-such-tag"):
        assert_applies_cleanly(["schema/"], previous_ref="no-such-tag", dev_url=pg.url())


def test_broken_files_raise_the_usual_error(pg, tmp_path):
    (tmp_path / "bad.sql").write_text("CREATE TABLE t (a int;\n")
    with pytest.raises(PgdiffError, match=r"bad\.sql:1"):
        assert_applies_cleanly([tmp_path / "bad.sql"], dev_url=pg.url())
