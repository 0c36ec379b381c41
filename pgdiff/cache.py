"""The warm-plan cache: parsed sources and desired models kept on disk, by what they were made from.

On a big schema most of a plan's time goes into parsing the files and loading them into a shadow database,
and both give the same result for the same input. So two things are kept:

- `sources`: the statements (and YAML renames) parsed from the files, keyed by the bytes of every input
  file (those listed and those they `\\i`-include) and their paths;
- `desired`: the model read back from the shadow, keyed by the sources' key, the exact server version the
  shadow runs on, the role names created in it, and what was copied into it from outside the filter.

Every key also covers pgdiff's own code and the Python and pglast versions, so an upgrade (or a checkout of
another commit) never reads an entry an older pgdiff wrote. A hit skips the parse or the shadow; a miss does
the work and stores the result. Entries are pickles: the directory is created private (0700), and an
entry is read only from a directory and a file owned by the user running pgdiff and writable by no one else.
A corrupt or unreadable entry is a miss, never an error. The newest `KEEP_ENTRIES` of each kind are kept.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pglast

from pgdiff.gc_pause import gc_paused

CACHE_FORMAT = 1
KEEP_ENTRIES = 8
CACHE_DIR_VARIABLE = "PGDIFF_CACHE_DIR"


def default_cache_dir() -> Path:
    """$PGDIFF_CACHE_DIR, else $XDG_CACHE_HOME/pgdiff, else ~/.cache/pgdiff."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory (a bare container user): a per-user temporary one
            base = str(Path(tempfile.gettempdir()) / f"pgdiff-cache-{os.geteuid()}")
    return Path(base) / "pgdiff"


@cache
def code_digest() -> str:
    """pgdiff's own files (code, catalog queries, schemas) and the versions of what parses and pickles."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{CACHE_FORMAT} {sys.version_info[:2]} {pglast.__version__}".encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".sql", ".json"):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def key_of(*parts: object) -> str:
    """A key over pgdiff's code and `parts` (strings, numbers, and nested tuples or lists of them)."""
    return hashlib.sha256(repr((code_digest(), *parts)).encode()).hexdigest()


def files_digest(paths: Iterable[Path]) -> tuple[tuple[str, str], ...]:
    """(path, sha256 of its bytes) of each file, in path order."""
    return tuple(sorted((str(path), hashlib.sha256(path.read_bytes()).hexdigest()) for path in paths))


class PlanCache:
    """A directory of cache entries: `<kind>-<key>.pickle`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get(self, kind: str, key: str) -> Any | None:
        path = self._path(kind, key)
        try:
            if not (_private(self.directory) and _private(path)):
                return None
            with path.open("rb") as file, gc_paused():
                stored_key, value = pickle.load(file)
        except Exception:  # a missing, truncated or foreign entry is a miss
            return None
        if stored_key != key:
            return None
        os.utime(path)  # recently used entries are the ones kept
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store an entry; a cache that cannot be written (read-only home, full disk) is skipped silently."""
        temporary: str | None = None
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not _private(self.directory):
                return
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{kind}-", suffix=".tmp")
            with os.fdopen(handle, "wb") as file:
                pickle.dump((key, value), file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self._path(kind, key))  # readers see a whole entry or none
            temporary = None
            self._evict(kind)
        except Exception:  # a cache is an optimisation: failing to keep an entry must never fail the command
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / f"{kind}-{key}.pickle"

    def _evict(self, kind: str) -> None:
        entries = sorted(self.directory.glob(f"{kind}-*.pickle"), key=_mtime, reverse=True)
        for old in entries[KEEP_ENTRIES:]:
            old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _private(path: Path) -> bool:
    """Owned by the user running pgdiff and writable by no one else: only then is a pickle trusted."""
    info = path.stat()
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
