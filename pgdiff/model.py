"""The catalog model: one frozen dataclass per object kind, keyed by a stable identity.

Both sides of a diff (the live database and the desired state loaded into the
shadow) become a `Model`. Fields marked `compare=False` are facts needed for
ordering or display that must not by themselves make two objects differ.
Expressions and types are stored as PostgreSQL prints them with an empty
search_path, so equal definitions compare equal across databases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

QualifiedName = tuple[str, str]  # (schema, name)


@dataclass(frozen=True)
class Schema:
    name: str

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class Extension:
    name: str
    schema: str
    version: str = field(compare=False)

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # format_type(), e.g. "character varying(255)", "public.status[]"
    not_null: bool = False
    # PostgreSQL 18 names NOT NULL constraints (`<table>_<column>_not_null` unless given); None before 18.
    not_null_name: str | None = None
    default: str | None = None
    collation: str | None = None  # only when it differs from the type's default
    identity: str = ""  # "" | "always" | "by default"
    # Options of the identity's sequence that differ from a bare IDENTITY's, in IDENTITY_OPTIONS order,
    # e.g. (("START WITH", "1000"), ("INCREMENT BY", "10")).
    identity_options: tuple[tuple[str, str], ...] = ()
    generated: str = ""  # "" | "stored" | "virtual"; the expression is in `default`
    position: int = field(default=0, compare=False)
    # The default calls a volatile function (random(), gen_random_uuid()): adding the column rewrites the table.
    volatile_default: bool = field(default=False, compare=False)


IDENTITY_OPTIONS = ("START WITH", "INCREMENT BY", "MINVALUE", "MAXVALUE", "CACHE", "CYCLE")
_INTEGER_BITS = {"smallint": 16, "integer": 32, "bigint": 64}


def identity_defaults(column_type: str, increment: int) -> dict[str, str]:
    """The sequence options PostgreSQL gives an identity column of `column_type` when none are named."""
    bits = _INTEGER_BITS.get(column_type, 64)
    lowest, highest = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    minimum, maximum = (1, highest) if increment > 0 else (lowest, -1)
    return {
        "START WITH": str(minimum if increment > 0 else maximum),
        "INCREMENT BY": "1",
        "MINVALUE": str(minimum),
        "MAXVALUE": str(maximum),
        "CACHE": "1",
        "CYCLE": "NO",
    }


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...]
    unlogged: bool = False

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None


CONSTRAINT_KINDS = {"p": "primary key", "u": "unique", "c": "check", "f": "foreign key", "x": "exclusion"}


@dataclass(frozen=True)
class Constraint:
    schema: str
    table: str
    name: str
    kind: str  # key of CONSTRAINT_KINDS
    definition: str  # pg_get_constraintdef() without a trailing NOT VALID
    validated: bool = True
    columns: tuple[str, ...] = ()
    # For foreign keys: the referenced table and the unique index the key relies on.
    ref_table: QualifiedName | None = None
    ref_index: QualifiedName | None = field(default=None, compare=False)
    # For primary key, unique and exclusion constraints: the index that backs it.
    index_name: str | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.schema, self.table, self.name)

    @property
    def table_key(self) -> QualifiedName:
        return (self.schema, self.table)

    @property
    def kind_name(self) -> str:
        return CONSTRAINT_KINDS[self.kind]


@dataclass(frozen=True)
class Index:
    schema: str
    name: str
    table: str
    method: str
    unique: bool
    body: str  # pg_get_indexdef() after "USING <method> ": keys, INCLUDE, WITH, WHERE
    keys: tuple[str, ...] = field(default=(), compare=False)
    predicate: str | None = field(default=None, compare=False)
    valid: bool = field(default=True, compare=False)

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)

    @property
    def table_key(self) -> QualifiedName:
        return (self.schema, self.table)


@dataclass(frozen=True)
class Model:
    """Everything pgdiff manages in one database, by kind, keyed by identity."""

    server_version: int
    schemas: dict[str, Schema]
    extensions: dict[str, Extension]
    tables: dict[QualifiedName, Table]
    constraints: dict[tuple[str, str, str], Constraint]
    indexes: dict[QualifiedName, Index]

    def comparable(self) -> dict[str, object]:
        """The parts that must be equal for two databases to be in sync."""
        return {
            "schemas": self.schemas,
            "extensions": self.extensions,
            "tables": self.tables,
            "constraints": self.constraints,
            "indexes": self.indexes,
        }
