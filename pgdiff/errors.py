"""The one exception type users see: a message that names what and where."""

from __future__ import annotations


class PgdiffError(Exception):
    """An error with a one-line, user-facing message (no traceback unless --debug)."""


class SourceError(PgdiffError):
    """Desired-state input is wrong: the message names file, line and object."""
