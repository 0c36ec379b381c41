"""The one quoting helper: identifiers and literals exactly as PostgreSQL's quote_ident/quote_literal.

Every name that goes into generated SQL passes through `ident` or `qualified`.
"""

from __future__ import annotations

import re

from pglast.keywords import UNRESERVED_KEYWORDS

_PLAIN_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_$]*")


def ident(name: str) -> str:
    """Quote `name` only when PostgreSQL would not read it back unchanged."""
    if _PLAIN_IDENTIFIER.fullmatch(name) and (name not in _KEYWORDS or name in UNRESERVED_KEYWORDS):
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    return f"{ident(schema)}.{ident(name)}"


def literal(value: str) -> str:
    escaped = value.replace("'", "''")
    if "\\" in value:
        return "E'" + escaped.replace("\\", "\\\\") + "'"
    return "'" + escaped + "'"


def _all_keywords() -> frozenset[str]:
    from pglast import keywords

    return frozenset(
        keywords.RESERVED_KEYWORDS
        | keywords.UNRESERVED_KEYWORDS
        | keywords.COL_NAME_KEYWORDS
        | keywords.TYPE_FUNC_NAME_KEYWORDS
    )


_KEYWORDS = _all_keywords()
