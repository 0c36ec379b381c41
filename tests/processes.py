"""Real `pgdiff` processes for the apply tests, and waiting on observable server state (never on time alone)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import psycopg
from psycopg import sql

from pgdiff.apply import APPLY_APPLICATION_NAME

TESTS = Path(__file__).resolve().parent
T = TypeVar("T")


def pgdiff_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pgdiff", *args]


def killed_at_command(boundary: int, *args: str) -> list[str]:
    return [sys.executable, str(TESTS / "kill_at.py"), str(boundary), *args]


def start(command: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition: Callable[[], T], what: str, timeout: float = 30.0) -> T:
    """Poll `condition` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(0.05)


def apply_backends(conninfo: str, where: str = "true") -> list[tuple[int, str | None, str | None, str]]:
    """(pid, wait_event_type, wait_event, query) of the database's `pgdiff apply` sessions matching `where`,
    a condition on pg_stat_activity written in the test."""
    query = sql.SQL(
        "SELECT pid, wait_event_type, wait_event, query FROM pg_stat_activity"
        " WHERE datname = current_database() AND application_name = %s AND ({})"
    ).format(sql.SQL(where))  # type: ignore[arg-type]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(query, [APPLY_APPLICATION_NAME]).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def backend_alive(conninfo: str, pid: int) -> bool:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone())
