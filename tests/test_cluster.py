"""Which programs a cluster runs: its own, and for client tools it lacks, another installation's."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pgdiff.cluster import Cluster
from pgdiff.errors import PgdiffError


def _major(program: Path) -> int:
    out = subprocess.run([str(program), "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"\) (\d+)", out)
    assert match, out
    return int(match.group(1))


def _server_only(pg, tmp_path: Path) -> Path:
    """A bin directory with this server's programs but no pg_dump or psql, as the npm packages ship."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("postgres", "initdb", "pg_ctl"):
        (bin_dir / name).symlink_to(pg.tool(name))
    return bin_dir


def test_server_programs_come_from_the_clusters_own_bin_dir(pg, tmp_path):
    cluster = Cluster(bin_dir=_server_only(pg, tmp_path), base_dir=tmp_path, major=pg.major)
    assert cluster.tool("initdb") == cluster.bin_dir / "initdb"
    # Even a server program the directory lacks is never taken from elsewhere: it must match the data.
    assert cluster.tool("pg_upgrade") == cluster.bin_dir / "pg_upgrade"


@pytest.mark.parametrize("name", ["pg_dump", "psql"])
def test_a_missing_client_tool_is_one_that_talks_to_this_server(pg, tmp_path, name):
    cluster = Cluster(bin_dir=_server_only(pg, tmp_path), base_dir=tmp_path, major=pg.major)
    tool = cluster.tool(name)
    assert tool.parent != cluster.bin_dir and tool.name == name
    assert _major(tool) >= pg.major  # pg_dump refuses servers newer than itself
    out = subprocess.run([str(tool), "--version"], capture_output=True, text=True, check=True).stdout
    assert name in out


def test_the_dump_of_a_cluster_without_pg_dump_works(pg, tmp_path):
    """The convergence check's pg_dump, through the fallback, dumps this running server."""
    cluster = Cluster(bin_dir=_server_only(pg, tmp_path), base_dir=pg.base_dir, major=pg.major)
    dump = subprocess.run(
        [str(cluster.tool("pg_dump")), "--schema-only", pg.conninfo()], capture_output=True, text=True, check=True
    )
    assert "PostgreSQL database dump complete" in dump.stdout


def test_no_client_tool_new_enough_is_an_error_naming_it(pg, tmp_path):
    cluster = Cluster(bin_dir=_server_only(pg, tmp_path), base_dir=tmp_path, major=99)
    with pytest.raises(PgdiffError, match=r"no pg_dump in .* nor one of PostgreSQL 99 or newer"):
        cluster.tool("pg_dump")
