"""pglast's printers, keeping SQL-syntax calls as the files wrote them.

PostgreSQL parses `now() AT TIME ZONE 'utc'`, `substring(s FROM 2)`, `trim(BOTH ' ' FROM s)`, `overlay(...)`,
`s IS NORMALIZED`, `COLLATION FOR (s)` and `(a, b) OVERLAPS (c, d)` into calls of pg_catalog functions
marked as written in SQL syntax (COERCE_SQL_SYNTAX), and prints them back that way. pglast prints most of them
as plain calls (`pg_catalog.timezone('utc', now())`), which PostgreSQL stores as a plain call, printed
`timezone('utc'::text, now())`: an object created from such a print would differ, in `pg_dump` and in every
later plan, from the one the files make. These streams print a call in SQL syntax exactly when the files did.
"""

from __future__ import annotations

from typing import Any

from pglast import enums, printers  # noqa: F401  (registers the node printers)
from pglast.printers import get_special_function, sfuncs
from pglast.stream import IndentedStream as _IndentedStream
from pglast.stream import RawStream as _RawStream


class _AsWritten:
    def get_printer_for_function(self, name: str, node: Any = None) -> Any:
        printer = get_special_function(name)
        if printer is None or node is None:
            return None
        if node.funcformat != enums.CoercionForm.COERCE_SQL_SYNTAX:
            return None
        return printer if sfuncs.can_use_special_syntax(printer, node) else None


class RawStream(_AsWritten, _RawStream):
    """pglast's RawStream, SQL-syntax calls kept."""


class IndentedStream(_AsWritten, _IndentedStream):
    """pglast's IndentedStream, SQL-syntax calls kept."""
