"""What an expression printed by PostgreSQL reads, found from its tokens without a server."""

from __future__ import annotations

from pglast.parser import ParseError, scan


def expression_columns(expression: str, candidates: set[str]) -> set[str]:
    """The names among `candidates` that `expression` spells as identifiers.

    It may say too much (a function called like a column counts) but never too little,
    which is the safe side for deciding what must be re-created around a change.
    """
    try:
        tokens = scan(expression)
    except ParseError:
        return set(candidates)
    found: set[str] = set()
    for token in tokens:
        if token.name != "IDENT" and token.kind == "NO_KEYWORD":
            continue  # operators, literals, punctuation
        spelled = expression[token.start : token.end + 1]
        name = spelled[1:-1].replace('""', '"') if spelled.startswith('"') else spelled.lower()
        if name in candidates:
            found.add(name)
    return found
