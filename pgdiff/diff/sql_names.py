"""Renames names inside SQL text as PostgreSQL prints it, token by token (never inside string literals,
so a PL/pgSQL body is left alone, as PostgreSQL leaves it).

PostgreSQL stores expressions, view queries and SQL-standard function bodies as parse trees that point at
objects by id; after a rename it prints them with the new name. These functions predict that printing from
the old text: qualified relation names (`public.flows`, also as a type, `public.flows[]`), the relation name
used as a column qualifier (`flows.id`, when the query gives it no alias), `'public.flows'::regclass`
literals, and column names. A prediction that misses only makes the diff report an `alter`, planned as usual.
"""

from __future__ import annotations

from collections.abc import Callable

from pglast.parser import ParseError, Token, scan

from pgdiff.quoting import ident, literal, qualified

# Decides, for the token at an index, the text that replaces it (None: keep it).
Replacer = Callable[[list[Token], int], str | None]


def rewrite(text: str, replacer: Replacer, first: int = 0, last: int | None = None) -> str:
    """`text` with the tokens `replacer` replaces, among tokens first..last (indexes, last excluded)."""
    try:
        tokens = scan(text)
    except ParseError:  # text that does not scan stays as it is; the diff then replaces the object
        return text
    pieces: list[str] = []
    position = 0
    for index in range(first, len(tokens) if last is None else last):
        replacement = replacer(tokens, index)
        if replacement is None:
            continue
        token = tokens[index]
        pieces += [text[position : token.start], replacement]
        position = token.end + 1
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


def tokens_of(text: str) -> list[Token]:
    try:
        return scan(text)
    except ParseError:
        return []


def spelled(text: str, token: Token) -> str:
    return text[token.start : token.end + 1]


def identifier_value(text: str, tokens: list[Token], index: int) -> str | None:
    """The name an identifier token stands for, or None when the token is no identifier."""
    if not 0 <= index < len(tokens):
        return None
    token = tokens[index]
    if token.name != "IDENT" and token.kind in ("NO_KEYWORD", "RESERVED_KEYWORD"):
        return None  # punctuation, literals, operators, and words that cannot be names unquoted
    written = spelled(text, token)
    if written.startswith('"'):
        return written[1:-1].replace('""', '"')
    return written.lower()


def _is(text: str, tokens: list[Token], index: int, punctuation: str) -> bool:
    return 0 <= index < len(tokens) and spelled(text, tokens[index]) == punctuation


def _is_keyword(text: str, tokens: list[Token], index: int, word: str) -> bool:
    return 0 <= index < len(tokens) and tokens[index].name != "IDENT" and spelled(text, tokens[index]).upper() == word


def relation_replacer(text: str, schema: str, old: str, new: str, *, bare_qualifier: bool) -> Replacer:
    """Renames relation `schema.old` to `new`: qualified, in regclass literals and, when `bare_qualifier`,
    as the qualifier of a column (`old.col`, which PostgreSQL prints when the query gives no alias)."""
    old_literal, new_literal = literal(qualified(schema, old)), literal(qualified(schema, new))

    def replace(tokens: list[Token], index: int) -> str | None:
        token = tokens[index]
        if token.name == "SCONST":
            is_regclass = _is(text, tokens, index + 1, "::") and identifier_value(text, tokens, index + 2) == "regclass"
            return new_literal if is_regclass and spelled(text, token) == old_literal else None
        if identifier_value(text, tokens, index) != old:
            return None
        if _is(text, tokens, index + 1, "(") and not _is_keyword(text, tokens, index - 3, "REFERENCES"):
            return None  # a function of the same name (a foreign key's table is followed by its columns)
        if _is(text, tokens, index - 1, "."):
            qualified_here = identifier_value(text, tokens, index - 2) == schema and not _is(
                text, tokens, index - 3, "."
            )
            return ident(new) if qualified_here else None
        if bare_qualifier and _is(text, tokens, index + 1, "."):
            return ident(new)
        return None

    return replace


def column_replacer(text: str, old: str, new: str, schemas: frozenset[str]) -> Replacer:
    """Renames column `old` to `new` wherever the text spells it, except as a type (`x::old`), an alias
    (`AS old`), a function (`old(...)`) or a schema's object (`schema.old`)."""

    def replace(tokens: list[Token], index: int) -> str | None:
        if identifier_value(text, tokens, index) != old or _is(text, tokens, index + 1, "("):
            return None
        if _is(text, tokens, index - 1, "::") or _is_keyword(text, tokens, index - 1, "AS"):
            return None  # a type, or an output column's name
        if _is(text, tokens, index - 1, ".") and identifier_value(text, tokens, index - 2) in schemas:
            return None
        return ident(new)

    return replace


def keyword_index(text: str, tokens: list[Token], word: str, *, last: bool = False, start: int = 0) -> int | None:
    """Index of the first (or last) token at or after `start` that is the keyword `word`, unquoted."""
    found = None
    for index in range(start, len(tokens)):
        token = tokens[index]
        if token.name != "IDENT" and spelled(text, token).upper() == word:
            found = index
            if not last:
                return found
    return found
