"""One throwaway PostgreSQL cluster per test session.

Embedded PostgreSQL 18 by default; PGDIFF_TEST_PG_BIN=/usr/lib/postgresql/15/bin
runs the suite on those binaries instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgdiff.cluster import Cluster, start_cluster
from tests.pg import server_bin_dir, server_major


@pytest.fixture(scope="session")
def pg() -> Iterator[Cluster]:
    cluster = start_cluster(server_bin_dir())
    try:
        yield cluster
    finally:
        cluster.stop()


def pytest_report_header(config: pytest.Config) -> str:
    return f"pgdiff tests on PostgreSQL {server_major()}, binaries in {server_bin_dir()}"
