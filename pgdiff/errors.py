"""The one exception type users see: a message that names what and where."""

from __future__ import annotations


class PgdiffError(Exception):
    """An error with a one-line, user-facing message (no traceback unless --debug)."""


class SourceError(PgdiffError):
    """Desired-state input is wrong: the message names file, line and object."""


class UnconvertibleTypeError(SourceError):
    """A column type change PostgreSQL cannot make by itself, and the files give no conversion for.

    The planner knows the column, not where the files define it: `located` adds that."""

    def __init__(self, column: tuple[str, str, str], old_type: str, new_type: str, where: str = "") -> None:
        self.column, self.old_type, self.new_type, self.where = column, old_type, new_type, where
        name = ".".join(column)
        super().__init__(
            f"{where + ': ' if where else ''}column {name} cannot change type from {old_type} to {new_type}: "
            "PostgreSQL has no cast between them that it applies by itself; give the conversion with a "
            "'-- pgdiff: using <expression>' line right before the column (in YAML, 'using:'), an expression "
            f"of the old value of {column[2]}"
        )

    def located(self, where: str) -> UnconvertibleTypeError:
        return UnconvertibleTypeError(self.column, self.old_type, self.new_type, where)
