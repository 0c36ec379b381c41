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


def unquote(name: str) -> str:
    """The name an identifier as PostgreSQL prints it stands for: `"Order"` is Order, `user_id` is user_id."""
    return name[1:-1].replace('""', '"') if name.startswith('"') and name.endswith('"') else name


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """`text` split at each `separator` outside parentheses, string literals and quoted names, each part
    stripped: the items of a printed list whose items may be expressions."""
    parts, depth, quote, start = [], 0, "", 0
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote and text[index + 1 : index + 2] == quote:
                index += 1  # a doubled quote stays inside
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
        index += 1
    parts.append(text[start:].strip())
    return parts
