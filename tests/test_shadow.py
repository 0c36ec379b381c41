"""The shadow database: where it runs, that it is always removed, and stale ones from killed runs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from pgdiff import cluster
from pgdiff.errors import SourceError
from pgdiff.shadow import SHADOW_PREFIX, ShadowDatabase
from pgdiff.source.sql import split_sql


def shadow_databases(pg) -> list[str]:
    with psycopg.connect(pg.conninfo()) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [SHADOW_PREFIX + "%"]).fetchall()
    return [r[0] for r in rows]


def test_shadow_on_dev_url_is_dropped_after_use(pg):
    with ShadowDatabase(dev_url=pg.url(), target_major=pg.major) as shadow:
        shadow.load(split_sql("CREATE TABLE t (id int);", Path("t.sql")))
        assert set(shadow.inspect().tables) == {("public", "t")}
        assert shadow.dbname in shadow_databases(pg)
    assert shadow.dbname not in shadow_databases(pg)


def test_shadow_is_dropped_when_the_sql_fails(pg):
    shadow = ShadowDatabase(dev_url=pg.url(), target_major=pg.major)
    with pytest.raises(SourceError, match=r"t.sql:2: relation \"missing\" does not exist"), shadow:
        shadow.load(split_sql("CREATE TABLE t (id int);\nCREATE INDEX i ON missing (id);", Path("t.sql")))
    assert shadow.dbname not in shadow_databases(pg)


def test_stale_shadow_of_a_killed_run_is_removed_by_the_next_run(pg):
    stale = f"{SHADOW_PREFIX}{int(time.time()) - 7200}_deadbeef"
    recent = f"{SHADOW_PREFIX}{int(time.time())}_cafebabe"
    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{stale}"')
        conn.execute(f'CREATE DATABASE "{recent}"')
    with ShadowDatabase(dev_url=pg.url(), target_major=pg.major):
        pass
    remaining = shadow_databases(pg)
    assert stale not in remaining
    assert recent in remaining, "a shadow that may belong to a run still going must be left alone"
    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{recent}"')


def test_sigterm_during_load_removes_the_shadow(pg, tmp_path):
    schema = tmp_path / "big.sql"
    # Thousands of statements keep the load busy for seconds after the shadow has its first table.
    schema.write_text("\n".join(f"CREATE TABLE t{i} (id int PRIMARY KEY, v text);" for i in range(5000)))
    # Shadows of other tests' killed runs (tests/test_apply_faults.py) may be on the server: only ours matter.
    before = set(shadow_databases(pg))
    process = subprocess.Popen(
        [sys.executable, "-m", "pgdiff", "plan", str(schema), "--db", pg.url(), "--dev-url", pg.url()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _wait_for(lambda: _shadow_has_tables(pg, before), process), "the shadow load never started"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert set(shadow_databases(pg)) == before


def _shadow_has_tables(pg, ignored: set[str]) -> bool:
    for name in set(shadow_databases(pg)) - ignored:
        try:
            with psycopg.connect(pg.conninfo(name)) as conn:
                row = conn.execute("SELECT count(*) FROM pg_class WHERE relname = 't0' AND relkind = 'r'").fetchone()
                if row and row[0] > 0:
                    return True
        except psycopg.OperationalError:
            continue  # created or dropped meanwhile
    return False


def _wait_for(condition, process: subprocess.Popen, attempts: int = 600) -> bool:
    """Poll a condition on the server (not a sleep standing in for synchronisation); give up if the process ends."""
    for _ in range(attempts):
        if condition():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def test_default_shadow_runs_a_throwaway_server_of_the_target_major_and_stops_it(pg):
    """Local binaries of the target's major (Debian's 15), else the embedded 18: for a target of another
    major (the matrix's 14, 16 and 17 are not installed where pgdiff looks for servers) with a warning."""
    local = cluster.local_bin_dir(pg.major)
    embedded = cluster.embedded_bin_dir()
    assert local is not None or embedded is not None
    expected_major = pg.major if local is not None else cluster.bin_dir_major(embedded)  # type: ignore[arg-type]
    before = set(Path("/tmp").glob(cluster.CLUSTER_DIR_PREFIX + "*"))
    messages: list[str] = []
    with ShadowDatabase(dev_url=None, target_major=pg.major, warn=messages.append) as shadow:
        server_major = shadow.connection.info.server_version // 10000
        created = set(Path("/tmp").glob(cluster.CLUSTER_DIR_PREFIX + "*")) - before
        assert len(created) == 1
    assert server_major == expected_major
    if expected_major == pg.major:
        assert messages == []
    else:
        assert len(messages) == 1 and f"the target is PostgreSQL {pg.major}" in messages[0], messages
    assert not any(path.exists() for path in created)


def test_embedded_fallback_warns_when_major_differs():
    messages: list[str] = []
    with ShadowDatabase(dev_url=None, target_major=9, warn=messages.append) as shadow:
        assert shadow.connection.info.server_version >= 180000
    assert len(messages) == 1
    assert "PostgreSQL 9" in messages[0] and "--dev-url" in messages[0]


def test_server_binaries_in_a_private_directory_still_start(tmp_path):
    """A virtual environment under a mode-700 home (as /root is) must not stop the server's own user."""
    embedded = cluster.embedded_bin_dir()
    assert embedded is not None
    private = Path("/root") if os.geteuid() == 0 else tmp_path
    home = Path(tempfile.mkdtemp(prefix="pgdiff-private-", dir=private))
    try:
        home.chmod(0o700)
        package = embedded.parent.parent
        shutil.copytree(package / embedded.parent.name, home / package.name / embedded.parent.name, symlinks=True)
        shutil.copytree(package.parent / f"{package.name}.libs", home / f"{package.name}.libs", symlinks=True)
        private_bin = home / package.name / embedded.parent.name / "bin"
        server = cluster.start_cluster(private_bin)
        try:
            with psycopg.connect(server.conninfo()) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
        finally:
            server.stop()
        if os.geteuid() == 0:  # the server's user could not reach them: it ran a readable copy
            copy = server.bin_dir.parents[2]
            assert copy.name.startswith("pgdiff-pginstall-") and server.bin_dir != private_bin
            shutil.rmtree(copy)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_load_commits_a_new_enum_label_before_its_use_and_runs_concurrent_builds_alone(pg):
    """Statements load in transactions of many; these two rules keep that from failing files that load one by
    one: a new label used later (unsafe in the transaction that added it), an index built CONCURRENTLY."""
    sql = (
        "CREATE TYPE mood AS ENUM ('sad');\n"
        "ALTER TYPE mood ADD VALUE 'happy';\n"
        "CREATE TABLE t (id int, m mood DEFAULT 'happy');\n"
        "CREATE INDEX CONCURRENTLY t_id ON t (id);\n"
        "CREATE TABLE u (id int);\n"
    )
    with ShadowDatabase(dev_url=pg.url(), target_major=pg.major) as shadow:
        shadow.load(split_sql(sql, Path("t.sql")))
        model = shadow.inspect()
    assert model.enums[("public", "mood")].labels == ("sad", "happy")
    assert ("public", "t_id") in model.indexes
    assert set(model.tables) == {("public", "t"), ("public", "u")}


def test_a_failing_statement_after_many_is_named_by_its_line(pg):
    statements = "".join(f"CREATE TABLE t{i} (id int);\n" for i in range(150)) + "CREATE TABLE t3 (id int);\n"
    with (
        ShadowDatabase(dev_url=pg.url(), target_major=pg.major) as shadow,
        pytest.raises(SourceError, match=r"^big\.sql:151: relation \"t3\" already exists"),
    ):
        shadow.load(split_sql(statements, Path("big.sql")))
