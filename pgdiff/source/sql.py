"""Splits SQL files into statements with their file and line, using PostgreSQL's own parser (pglast)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pglast
from pglast.parser import ParseError

from pgdiff.errors import SourceError


@dataclass(frozen=True)
class SqlStatement:
    text: str
    file: Path
    line: int  # 1-based line of the statement's first character

    def location(self, offset: int = 0) -> str:
        """`file:line` of a 0-based character offset inside the statement."""
        return f"{self.file}:{self.line + self.text.count(chr(10), 0, max(offset, 0))}"


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def split_sql_file(path: Path) -> list[SqlStatement]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise SourceError(f"{path}: {error.strerror}") from None
    return split_sql(text, path)


def split_sql(text: str, path: Path) -> list[SqlStatement]:
    try:
        slices = pglast.parser.split(text, with_parser=True, only_slices=True)
    except ParseError as error:
        message, offset = error.args[0], error.args[1] if len(error.args) > 1 else 0
        raise SourceError(f"{path}:{line_of(text, offset)}: {message}") from None
    return [SqlStatement(text[s], path, line_of(text, s.start)) for s in slices]
