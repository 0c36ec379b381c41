"""One throwaway PostgreSQL cluster per test session.

Embedded PostgreSQL 18 by default; PGDIFF_TEST_PG_BIN=/usr/lib/postgresql/15/bin
runs the suite on those binaries instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

from pgdiff.cluster import Cluster, start_cluster
from tests.pg import server_bin_dir, server_major

# Hazard invariants checked on every plan the suite makes.
pytest_plugins = ["tests.plan_invariants"]


@pytest.fixture(scope="session", autouse=True)
def plan_cache_dir() -> Iterator[str]:
    """The warm-plan cache of this run only: never the user's, never one a previous run filled."""
    directory = tempfile.mkdtemp(prefix="pgdiff-test-cache-")
    previous = os.environ.get("PGDIFF_CACHE_DIR")
    os.environ["PGDIFF_CACHE_DIR"] = directory
    try:
        yield directory
    finally:
        if previous is None:
            os.environ.pop("PGDIFF_CACHE_DIR", None)
        else:
            os.environ["PGDIFF_CACHE_DIR"] = previous
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def pg() -> Iterator[Cluster]:
    cluster = start_cluster(server_bin_dir())
    try:
        yield cluster
    finally:
        cluster.stop()


def pytest_report_header(config: pytest.Config) -> str:
    return f"pgdiff tests on PostgreSQL {server_major()}, binaries in {server_bin_dir()}"
