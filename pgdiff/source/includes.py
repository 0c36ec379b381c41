"""psql's `\\i` and `\\ir` in desired SQL files: the included file's statements take the line's place.

`\\ir` (`\\include_relative`) resolves against the including file's folder, `\\i` (`\\include`) against the
working directory, as psql does. Any other psql meta-command is refused with file:line: it is not schema.
"""

from __future__ import annotations

import re
from pathlib import Path

from pgdiff.errors import SourceError
from pgdiff.source.sql import SqlStatement, split_sql

_META = re.compile(r"^\s*\\(?P<command>[A-Za-z_!?]+)(?:\s+(?P<argument>.*?))?\s*$")
_INCLUDE = {"i": False, "include": False, "ir": True, "include_relative": True}  # command -> relative to file


def load_sql_file(path: Path, *, _including: tuple[Path, ...] = ()) -> list[SqlStatement]:
    """The statements of `path`, with includes expanded, each knowing its own file and line."""
    text = _read(path, _including)
    statements: list[SqlStatement] = []
    segment: list[str] = []
    segment_start = 1
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        meta = _META.match(line)
        if meta is None:
            segment.append(line)
            continue
        statements += _split_segment(segment, segment_start, path)
        segment, segment_start = [], number + 1
        statements += _meta_command(meta, path, number, _including)
    statements += _split_segment(segment, segment_start, path)
    return statements


def _read(path: Path, including: tuple[Path, ...]) -> str:
    where = f"{including[-1]}: " if including else ""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise SourceError(f"{where}{path}: {error.strerror}") from None


def _split_segment(lines: list[str], first_line: int, path: Path) -> list[SqlStatement]:
    if not "".join(lines).strip():
        return []
    # Blank lines in front keep pglast's offsets, and so every reported line, true to the file.
    return split_sql("\n" * (first_line - 1) + "".join(lines), path)


def _meta_command(meta: re.Match[str], path: Path, line: int, including: tuple[Path, ...]) -> list[SqlStatement]:
    command, argument = meta["command"], (meta["argument"] or "").strip().strip("'\"")
    where = f"{path}:{line}"
    if command not in _INCLUDE:
        raise SourceError(f"{where}: psql meta-command \\{command} is not schema; only \\i and \\ir are understood")
    if not argument:
        raise SourceError(f"{where}: \\{command} needs a file name")
    target = Path(argument)
    if not target.is_absolute() and _INCLUDE[command]:
        target = path.parent / target
    resolved = target.resolve()
    chain = (*including, path)
    if resolved in {p.resolve() for p in chain}:
        cycle = " -> ".join(str(p) for p in (*chain, target))
        raise SourceError(f"{where}: \\{command} {argument} includes itself ({cycle})")
    if not target.is_file():
        raise SourceError(f"{where}: \\{command} {argument}: no such file ({target})")
    return load_sql_file(target, _including=chain)


def included_files(path: Path, _seen: frozenset[Path] = frozenset()) -> list[Path]:
    """The files `path` includes, at every depth, found without parsing: what a cache key must cover.

    Lines are recognised as `load_sql_file` recognises them; an include that is missing or cyclic is left
    out here, and reported when the files are loaded."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    found: list[Path] = []
    for line in text.splitlines():
        meta = _META.match(line) if line.lstrip().startswith("\\") else None
        if meta is None or meta["command"] not in _INCLUDE:
            continue
        target = Path((meta["argument"] or "").strip().strip("'\""))
        if not target.is_absolute() and _INCLUDE[meta["command"]]:
            target = path.parent / target
        resolved = target.resolve()
        if resolved in _seen or not target.is_file():
            continue
        found += [target, *included_files(target, _seen | {path.resolve(), resolved})]
    return found
