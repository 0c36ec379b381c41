"""Desired-state sources: which files (or which database) describe the schema wanted.

A SOURCE argument is a `.sql` file, a directory (every `.sql` below it, in path
order), or a `postgresql://` URL whose live schema is the desired state.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pgdiff.errors import SourceError
from pgdiff.source.sql import SqlStatement, split_sql_file

URL_PREFIXES = ("postgresql://", "postgres://")


@dataclass(frozen=True)
class Sources:
    """Either SQL statements from files, or a database URL, never both."""

    statements: tuple[SqlStatement, ...] = ()
    files: tuple[Path, ...] = ()
    database_url: str | None = None


def is_url(value: str) -> bool:
    return value.startswith(URL_PREFIXES)


def resolve_sources(arguments: list[str]) -> Sources:
    urls = [a for a in arguments if is_url(a)]
    paths = [a for a in arguments if not is_url(a)]
    if (urls and paths) or len(urls) > 1:
        raise SourceError("give either one database URL or files and directories as SOURCE, not both")
    if urls:
        return Sources(database_url=urls[0])
    files = _sql_files(paths)
    statements: list[SqlStatement] = []
    for file in files:
        statements += split_sql_file(file)
    return Sources(statements=tuple(statements), files=tuple(files))


def _sql_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for argument in paths:
        path = Path(argument)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.sql") if p.is_file())
            if not found:
                raise SourceError(f"{argument}: directory has no .sql files")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise SourceError(f"{argument}: no such file or directory")
    return files
