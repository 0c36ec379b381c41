"""Connections to user databases, and URLs made safe to print.

`--db` falls back to PGDIFF_DATABASE_URL, then DATABASE_URL, then libpq's own
environment (PGHOST, PGDATABASE, service files, .pgpass), which psycopg reads.
"""

from __future__ import annotations

import os
import re

import psycopg

from pgdiff.errors import PgdiffError

_URL_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@?#]*:)([^/?#]*)(@)")
_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_QUERY_PASSWORD = re.compile(r"([?&]password=)([^&#]*)", re.IGNORECASE)


def redact(text: str) -> str:
    """Replace every password in URLs and conninfo strings found in `text`."""
    text = _URL_PASSWORD.sub(r"\1***\3", text)
    text = _QUERY_PASSWORD.sub(r"\1***", text)
    return _KEYWORD_PASSWORD.sub(r"\1***", text)


def target_url(explicit: str | None) -> str:
    """The --db value, or the environment's; "" means libpq's own defaults."""
    return explicit or os.environ.get("PGDIFF_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""


def describe(url: str) -> str:
    return redact(url) if url else "the database from libpq's environment (PGHOST, PGDATABASE, ...)"


def same_params(conn: psycopg.Connection, **overrides: str) -> dict[str, str]:
    """The keywords `conn` was opened with, every one libpq settled (from the URL, a service, PG* variables
    or its defaults) and its password: another connection opened with them reaches the same server as the
    same user, whatever the environment says by then. (`info.dsn` leaves out values equal to libpq's
    compiled defaults, and libpq would fill those from PG* variables again.)"""
    params = {
        option.keyword.decode(): option.val.decode()
        for option in conn.pgconn.info
        if option.val is not None and option.keyword != b"password"
    }
    if conn.info.password:
        params["password"] = conn.info.password
    params.update(overrides)
    return params


def connect(url: str, *, autocommit: bool = True, application_name: str = "pgdiff") -> psycopg.Connection:
    try:
        return psycopg.connect(url, autocommit=autocommit, application_name=application_name, connect_timeout=10)
    except psycopg.Error as error:
        detail = redact(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
        raise PgdiffError(f"cannot connect to {describe(url)}: {detail}") from None
