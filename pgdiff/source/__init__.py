"""Desired-state sources: which files (or which database) describe the schema wanted.

A SOURCE argument is a `.sql`/`.yaml`/`.yml` file, a directory (every such file
below it, in path order), or a `postgresql://` URL whose live schema is the desired state. Statements
load in dependency order (`order.py`), with psql includes expanded (`includes.py`).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from pgdiff.cache import PlanCache, files_digest, key_of
from pgdiff.errors import SourceError
from pgdiff.gc_pause import gc_paused
from pgdiff.source.directives import Conversion, Rename, find_conversions, find_renames, refuse_duplicate_conversions
from pgdiff.source.includes import included_files, load_sql_file
from pgdiff.source.order import order_by_dependencies
from pgdiff.source.sql import SqlStatement
from pgdiff.source.yaml_files import YAML_SUFFIXES, load_yaml_file

URL_PREFIXES = ("postgresql://", "postgres://")
SOURCE_SUFFIXES = (".sql", *YAML_SUFFIXES)


@dataclass(frozen=True, eq=False)
class Sources:
    """Either SQL statements from files, or a database URL, never both."""

    files: tuple[Path, ...] = ()
    database_url: str | None = None
    # Every rename the files declare: SQL `-- pgdiff: renamed from` directives, then YAML `renamed_from:`.
    renames: tuple[Rename, ...] = ()
    # The conversions of column type changes: SQL `-- pgdiff: using` directives, then YAML `using:`.
    conversions: tuple[Conversion, ...] = ()
    # The statements; in the warm-plan cache, still pickled until first read (`statements`): a warm plan
    # whose desired model is cached too never needs them, and unpickling 44,000 of them takes half a second.
    pickled_statements: tuple[SqlStatement, ...] | bytes = ()

    @property
    def statements(self) -> tuple[SqlStatement, ...]:
        if isinstance(self.pickled_statements, bytes):
            with gc_paused():
                object.__setattr__(self, "pickled_statements", pickle.loads(self.pickled_statements))
        return cast(tuple[SqlStatement, ...], self.pickled_statements)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        if not isinstance(state["pickled_statements"], bytes):
            state["pickled_statements"] = pickle.dumps(state["pickled_statements"], pickle.HIGHEST_PROTOCOL)
        return state

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sources):
            return NotImplemented
        mine = (self.files, self.database_url, self.renames, self.conversions, self.statements)
        return mine == (other.files, other.database_url, other.renames, other.conversions, other.statements)

    def __hash__(self) -> int:
        return hash((self.files, self.database_url, self.renames))


def is_url(value: str) -> bool:
    return value.startswith(URL_PREFIXES)


def resolve_sources(arguments: list[str], cache: PlanCache | None = None) -> Sources:
    """The sources the arguments name, parsed; with `cache`, files parsed before with the same bytes are not
    parsed again."""
    urls = [a for a in arguments if is_url(a)]
    paths = [a for a in arguments if not is_url(a)]
    if (urls and paths) or len(urls) > 1:
        raise SourceError("give either one database URL or files and directories as SOURCE, not both")
    if urls:
        return Sources(database_url=urls[0])
    files = _sql_files(paths)
    if cache is None:
        return _load(files)
    key = sources_key(files)
    parsed = cache.get("sources", key)
    if isinstance(parsed, Sources) and parsed.files == tuple(files):
        return parsed
    sources = _load(files)
    cache.put("sources", key, sources)
    return sources


def sources_key(files: list[Path] | tuple[Path, ...]) -> str:
    """What the parsed statements depend on: every input file's path and bytes (includes too)."""
    inputs = {*files, *(included for file in files for included in included_files(file))}
    return key_of("sources", [str(file) for file in files], files_digest(inputs))


def _load(files: list[Path]) -> Sources:
    with gc_paused():
        statements: list[SqlStatement] = []
        renames: list[Rename] = []
        conversions: list[Conversion] = []
        for file in files:
            if file.suffix in YAML_SUFFIXES:
                yaml_statements, yaml_renames, yaml_conversions = load_yaml_file(file)
                statements += yaml_statements
                renames += yaml_renames
                conversions += yaml_conversions
            else:
                statements += load_sql_file(file)
        ordered = tuple(order_by_dependencies(statements))
        conversions = [*find_conversions(ordered), *conversions]
        refuse_duplicate_conversions(conversions)
    return Sources(
        files=tuple(files),
        renames=(*find_renames(ordered), *renames),
        conversions=tuple(conversions),
        pickled_statements=ordered,
    )


def _sql_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for argument in paths:
        path = Path(argument)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES)
            if not found:
                raise SourceError(f"{argument}: directory has no .sql, .yaml or .yml files")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise SourceError(f"{argument}: no such file or directory")
    return files
