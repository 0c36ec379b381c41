"""The catalog model: one frozen dataclass per object kind, keyed by a stable identity.

Both sides of a diff (the live database and the desired state loaded into the
shadow) become a `Model`. Fields marked `compare=False` are facts needed for
ordering or display that must not by themselves make two objects differ.
Expressions and types are stored as PostgreSQL prints them with an empty
search_path, so equal definitions compare equal across databases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

from pgdiff.quoting import split_top_level, unquote

QualifiedName = tuple[str, str]  # (schema, name)
# (kind, identity key), the kind as `Change.kind` names it ("table", "column", "function", ...) or "default"
# (a column's default or generation expression, keyed by its column).
KindKey = tuple[str, tuple[str, ...]]


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
    # Installed version; on the desired side the version the files pin (CREATE EXTENSION ... VERSION), or
    # None: an unpinned extension matches whatever version the target has (see `diff._diff_extensions`).
    version: str | None = field(default=None, compare=False)
    # The names of the types it owns (in its schema): a column of one follows the extension to a new schema.
    types: tuple[str, ...] = field(default=(), compare=False)
    # The extensions this one requires (pg_depend): an order, not a difference, since the control file fixes it.
    requires: tuple[str, ...] = field(default=(), compare=False)

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
    # False for a NOT NULL added NOT VALID (PostgreSQL 18) and not validated yet: rows may still hold NULL.
    not_null_validated: bool = True
    default: str | None = None
    collation: str | None = None  # only when it differs from the type's default
    identity: str = ""  # "" | "always" | "by default"
    # Options of the identity's sequence that differ from a bare IDENTITY's, in IDENTITY_OPTIONS order,
    # e.g. (("START WITH", "1000"), ("INCREMENT BY", "10")).
    identity_options: tuple[tuple[str, str], ...] = ()
    # The identity's sequence, in the table's schema: its name is PostgreSQL's choice (`<table>_<column>_seq`)
    # and only followed when a rename derives it again (`diff.renames.derived_renames`), never compared.
    identity_sequence: str | None = field(default=None, compare=False)
    generated: str = ""  # "" | "stored" | "virtual"; the expression is in `default`
    position: int = field(default=0, compare=False)
    # Also inherited from a parent (legacy inheritance, declared on the child too): the parent changes it.
    inherited: bool = field(default=False, compare=False)
    # The default calls a volatile function (random(), gen_random_uuid()): adding the column rewrites the table.
    volatile_default: bool = field(default=False, compare=False)
    # `default` (or the generation expression) as the files wrote it (source/written.py), never compared.
    written_default: str | None = field(default=None, compare=False)

    @property
    def sql_default(self) -> str | None:
        """The default (or generation expression) a plan writes: the files' own text where known."""
        return self.written_default or self.default


@dataclass(frozen=True)
class ColumnSettings:
    """A column's planner and storage settings that differ from the defaults, on any table that has the column
    (a partition's inherited columns too: PostgreSQL keeps them per table, and ALTER TABLE ONLY sets them so)."""

    column: str
    statistics: int | None = None  # SET STATISTICS n; None: the default target
    storage: str | None = None  # key of COLUMN_STORAGES where it is not the type's own
    compression: str | None = None  # key of COLUMN_COMPRESSIONS; None: default_toast_compression when written
    options: tuple[str, ...] = ()  # SET (n_distinct = ...), "name=value", in the catalog's order (pg_dump's)
    # The storage of the column's type, which RESET goes back to (SET STORAGE DEFAULT is PostgreSQL 16+).
    type_storage: str = field(default="x", compare=False)


COLUMN_STORAGES = {"p": "PLAIN", "e": "EXTERNAL", "m": "MAIN", "x": "EXTENDED"}
COLUMN_COMPRESSIONS = {"p": "pglz", "l": "lz4"}


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
class Cast:
    """One row of pg_cast, by the (source, target) it is keyed on."""

    context: str  # "i" implicit, "a" in assignments too, "e" explicit only
    method: str  # "f" a function, "i" I/O conversion, "b" binary-coercible (no conversion at all)


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...]  # declared on this table; a partition's are all its parent's
    unlogged: bool = False
    partition_key: str | None = None  # pg_get_partkeydef(), e.g. "RANGE (created_at)": a partitioned table
    parent: QualifiedName | None = None  # the partitioned table this one is a partition of
    bound: str | None = None  # pg_get_expr(relpartbound): "FOR VALUES FROM (...) TO (...)", "DEFAULT", ...
    inherits: tuple[QualifiedName, ...] = ()  # legacy inheritance parents, in INHERITS order
    # A DETACH PARTITION ... CONCURRENTLY was interrupted: the next plan finishes it (FINALIZE).
    detach_pending: bool = False
    # A partition's NOT NULL columns that are not as its parent has them, by column name: NOT NULL where the
    # parent's column is not, or (PostgreSQL 18) under another constraint name, as (column, name or None).
    own_not_nulls: tuple[tuple[str, str | None], ...] = ()
    options: tuple[str, ...] = ()  # storage parameters, "name=value", sorted
    # The same in the catalog's order where it is not sorted: what pg_dump prints, so what a plan keeps.
    options_order: tuple[str, ...] = field(default=(), compare=False)
    replica_identity: str = "d"  # key of REPLICA_IDENTITIES
    replica_index: str | None = None  # for replica identity "i": the unique index it uses
    # Columns (its own and inherited) with statistics targets, storage, compression or options set, by name.
    column_settings: tuple[ColumnSettings, ...] = ()

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)

    @property
    def partitioned(self) -> bool:
        return self.partition_key is not None

    @property
    def ordered_options(self) -> tuple[str, ...]:
        """Storage parameters in the catalog's order (the table's own, then its TOAST table's)."""
        return self.options_order or self.options

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None


REPLICA_IDENTITIES = {"d": "DEFAULT", "n": "NOTHING", "f": "FULL", "i": "USING INDEX"}

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
    # For a key of a partitioned table: the keys cloned under it at every level, as (schema, table, constraint,
    # parent constraint), like `Index.partition_indexes`; each clone's index has the clone's name.
    partition_keys: tuple[tuple[str, str, str, str], ...] = field(default=(), compare=False)
    # A CHECK as the files wrote it, in `definition`'s form (source/written.py): what a plan creates it from,
    # so that it prints as in a database built from the files.
    written: str | None = field(default=None, compare=False)
    # Its place among its table's constraints in the order they were made. A new table's are made in it, since
    # partitions' copies of alike keys are numbered in the order they are made (`p_a_key`, `p_a_key1`).
    creation_order: int = field(default=0, compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.schema, self.table, self.name)

    @property
    def sql(self) -> str:
        """The definition a plan creates the constraint with: the files' own text where known."""
        return self.written or self.definition

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
    # False when a CREATE INDEX CONCURRENTLY failed or was killed half way: PostgreSQL keeps the index,
    # unusable, until it is dropped. The desired state is always valid, so such an index is rebuilt.
    valid: bool = True
    # On a partitioned table: the indexes attached under it at every level, as (schema, table, index, parent
    # index). Their names are PostgreSQL's choice, kept so a plan builds them under the same names.
    partition_indexes: tuple[tuple[str, str, str, str], ...] = field(default=(), compare=False)
    # Its place among its table's indexes in OID order, the order PostgreSQL goes through them in: ATTACH
    # PARTITION pairs each with the first matching index of the new partition, so indexes alike get the
    # partition's indexes in the order those were created.
    oid_order: int = field(default=0, compare=False)
    # `body` as the files wrote it (source/written.py): what a plan creates the index from.
    written: str | None = field(default=None, compare=False)

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)

    @property
    def sql_body(self) -> str:
        """The body a plan creates the index with: the files' own text where known."""
        return self.written or self.body

    @property
    def table_key(self) -> QualifiedName:
        return (self.schema, self.table)


# -- sequences and types (enums, composites, domains, ranges) ------------------------------


@dataclass(frozen=True)
class Sequence:
    """A sequence that is not an identity column's (those are `Column.identity_options`)."""

    schema: str
    name: str
    data_type: str  # "smallint" | "integer" | "bigint"
    start: str
    increment: str
    minvalue: str
    maxvalue: str
    cache: str
    cycle: bool = False
    unlogged: bool = False
    owned_by: tuple[str, str, str] | None = None  # (schema, table, column)

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)


def sequence_defaults(data_type: str, increment: int) -> dict[str, str]:
    """MINVALUE, MAXVALUE and START of a sequence `AS data_type` when none are named."""
    bits = _INTEGER_BITS.get(data_type, 64)
    lowest, highest = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    minimum, maximum = (1, highest) if increment > 0 else (lowest, -1)
    return {"minvalue": str(minimum), "maxvalue": str(maximum), "start": str(minimum if increment > 0 else maximum)}


@dataclass(frozen=True)
class EnumType:
    schema: str
    name: str
    labels: tuple[str, ...]

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)


@dataclass(frozen=True)
class CompositeType:
    schema: str
    name: str
    # (name, format_type(), collation or None), in attribute order.
    attributes: tuple[tuple[str, str, str | None], ...]

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)


@dataclass(frozen=True)
class DomainCheck:
    name: str
    definition: str  # pg_get_constraintdef() without a trailing NOT VALID, e.g. "CHECK ((VALUE > 0))"
    validated: bool = True
    written: str | None = field(default=None, compare=False)  # as the files wrote it (source/written.py)

    @property
    def sql(self) -> str:
        return self.written or self.definition


@dataclass(frozen=True)
class Domain:
    schema: str
    name: str
    base_type: str  # format_type() with modifiers
    collation: str | None = None  # only when it differs from the base type's default
    default: str | None = None
    not_null: bool = False
    checks: tuple[DomainCheck, ...] = ()  # by name

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)


@dataclass(frozen=True)
class RangeType:
    schema: str
    name: str
    subtype: str
    opclass: str | None = None  # only when not the subtype's default
    collation: str | None = None
    canonical: str | None = None
    subtype_diff: str | None = None
    multirange: str | None = None

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)


# -- functions, triggers, views and materialized views ------------------------------------

FunctionKey = tuple[str, str, str]  # (schema, name, pg_get_function_identity_arguments())


@dataclass(frozen=True)
class Function:
    """A function or procedure; `definition` (pg_get_functiondef) covers everything about it."""

    schema: str
    name: str
    identity_arguments: str
    definition: str  # "CREATE OR REPLACE FUNCTION ..." as PostgreSQL prints it
    # What decides whether CREATE OR REPLACE can change it in place.
    arguments: str = field(default="", compare=False)  # with names and defaults
    result: str | None = field(default=None, compare=False)
    kind: str = field(default="f", compare=False)  # "f" function | "p" procedure
    language: str = field(default="", compare=False)
    # Its signature or SQL-standard body uses tables: it is created after them.
    reads_relations: bool = field(default=False, compare=False)

    @property
    def key(self) -> FunctionKey:
        return (self.schema, self.name, self.identity_arguments)

    @property
    def kind_name(self) -> str:
        return "procedure" if self.kind == "p" else "function"


TRIGGER_ENABLED = {"O": "ENABLE", "D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}


@dataclass(frozen=True)
class Trigger:
    schema: str
    table: str  # a table, view or materialized view
    name: str
    definition: str  # pg_get_triggerdef()
    enabled: str = "O"  # key of TRIGGER_ENABLED
    constraint: bool = field(default=False, compare=False)
    function: FunctionKey | None = field(default=None, compare=False)
    columns: tuple[str, ...] = field(default=(), compare=False)  # of UPDATE OF and WHEN
    # `definition` with the files' own WHEN condition (source/written.py): what a plan creates it from.
    written: str | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.schema, self.table, self.name)

    @property
    def sql(self) -> str:
        """The CREATE TRIGGER a plan runs: the files' own WHEN condition where known."""
        return self.written or self.definition

    @property
    def table_key(self) -> QualifiedName:
        return (self.schema, self.table)


@dataclass(frozen=True)
class View:
    """A view or materialized view. Its indexes (materialized) are `Index`es with `table` = its name."""

    schema: str
    name: str
    definition: str  # pg_get_viewdef(oid, false): parenthesized as stored, as pg_dump prints it
    materialized: bool = False
    options: tuple[str, ...] = ()  # reloptions, e.g. ("check_option=local", "security_barrier=true")
    columns: tuple[tuple[str, str], ...] = ()  # (name, format_type())
    populated: bool = True  # materialized: WITH DATA
    # What the view reads, from pg_depend: (schema, relation, column), and functions.
    uses_relations: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)  # column "" = whole
    uses_functions: tuple[FunctionKey, ...] = field(default=(), compare=False)
    # The query as the files wrote it (source/written.py): what a plan creates the view from.
    written: str | None = field(default=None, compare=False)

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)

    @property
    def kind_name(self) -> str:
        return "materialized view" if self.materialized else "view"

    @property
    def sql(self) -> str:
        """The query a plan creates the view with: the files' own text where known."""
        return self.written or self.definition


# -- collations and extended statistics -------------------------------------------------------

COLLATION_PROVIDERS = {"c": "libc", "i": "icu", "b": "builtin", "d": "default"}


@dataclass(frozen=True)
class Collation:
    schema: str
    name: str
    provider: str  # key of COLLATION_PROVIDERS
    deterministic: bool = True
    lc_collate: str | None = None
    lc_ctype: str | None = None
    locale: str | None = None  # ICU and builtin providers
    rules: str | None = None  # ICU tailoring rules (PostgreSQL 16+)

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)


@dataclass(frozen=True)
class Statistics:
    """An extended statistics object (CREATE STATISTICS); `definition` is pg_get_statisticsobjdef()."""

    schema: str
    name: str
    table: str
    definition: str
    target: int | None = None  # ALTER STATISTICS ... SET STATISTICS; None when never set
    table_schema: str = field(default="", compare=False)

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.name)

    @property
    def table_key(self) -> QualifiedName:
        return (self.table_schema or self.schema, self.table)


def statistics_columns_by_name(definition: str) -> str:
    """`pg_get_statisticsobjdef()` with its plain columns in name order. PostgreSQL keeps them in the table's
    column order, which is not the object's own: a table whose columns came in another order (one dropped and
    added back) would print the same object differently. Expressions stay after them, as printed."""
    head, on, rest = definition.partition(" ON ")
    listed, from_, tail = rest.rpartition(" FROM ")
    if not on or not from_:
        return definition
    items = split_top_level(listed)
    columns = sorted((item for item in items if not item.startswith("(")), key=unquote)
    expressions = [item for item in items if item.startswith("(")]
    return f"{head} ON {', '.join(columns + expressions)} FROM {tail}"


# -- row-level security ---------------------------------------------------------------------

POLICY_COMMANDS = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}


@dataclass(frozen=True)
class RowSecurity:
    """A table's row-level security switches; a table with both off has none."""

    schema: str
    table: str
    enabled: bool = False
    forced: bool = False

    @property
    def key(self) -> QualifiedName:
        return (self.schema, self.table)

    @property
    def name(self) -> str:
        return self.table


@dataclass(frozen=True)
class Policy:
    schema: str
    table: str
    name: str
    permissive: bool = True
    command: str = "*"  # key of POLICY_COMMANDS
    roles: tuple[str, ...] = ("PUBLIC",)  # quoted role names, sorted
    using: str | None = None
    check: str | None = None
    columns: tuple[str, ...] = field(default=(), compare=False)  # what USING and WITH CHECK read
    # USING and WITH CHECK as the files wrote them (source/written.py): what a plan creates the policy from.
    written_using: str | None = field(default=None, compare=False)
    written_check: str | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.schema, self.table, self.name)

    @property
    def table_key(self) -> QualifiedName:
        return (self.schema, self.table)


# -- what is attached to other objects: comments and privileges ---------------------------------


@dataclass(frozen=True)
class ObjectRef:
    """Any managed object, by the planner's name for its kind ("table", "column", "function"...)."""

    kind: str
    schema: str
    name: str
    table: str | None = None  # for columns, constraints, triggers and policies
    arguments: str | None = None  # for functions and procedures: identity arguments

    @property
    def object(self) -> str:
        """The dotted identity plan statements give the object (`Statement.object`)."""
        if self.kind == "schema":
            return self.name
        if self.arguments is not None:
            return f"{self.schema}.{self.name}({self.arguments})"
        return ".".join(part for part in (self.schema, self.table, self.name) if part is not None)

    @property
    def parent(self) -> str | None:
        """The dotted identity of the table or view a column, constraint, trigger or policy belongs to."""
        return f"{self.schema}.{self.table}" if self.table is not None else None

    @property
    def kind_key(self) -> KindKey:
        """The same object as `Model.dependencies` and `Change` name it: (kind, model key)."""
        kind = {"materialized view": "view", "procedure": "function"}.get(self.kind, self.kind)
        if self.kind == "schema":
            return (kind, (self.name,))
        if self.table is not None:
            return (kind, (self.schema, self.table, self.name))
        if self.arguments is not None:
            return (kind, (self.schema, self.name, self.arguments))
        return (kind, (self.schema, self.name))


@dataclass(frozen=True, kw_only=True)
class Comment(ObjectRef):
    """COMMENT ON an object."""

    text: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.object)


@dataclass(frozen=True, kw_only=True)
class Grant(ObjectRef):
    """The privileges one grantee (a role, or PUBLIC) holds on an object, beyond its owner's."""

    grantee: str  # role name, unquoted; "PUBLIC" for everyone
    privileges: tuple[str, ...]  # sorted, e.g. ("INSERT", "SELECT")
    grantable: tuple[str, ...] = ()  # the privileges held WITH GRANT OPTION
    # Where the grantee comes in the object's ACL (PostgreSQL keeps grantees in the order they were first
    # granted, and pg_dump prints them so): what a plan keeps, and the order it grants in.
    position: int = field(default=0, compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.object, self.grantee)


@dataclass(frozen=True, kw_only=True)
class Owner(ObjectRef):
    """Who owns an object; managed only with --manage-owners (owners differ between environments)."""

    owner: str  # role name, unquoted
    # The role that read the catalog owns it: in the shadow, the files did not set an owner.
    is_reader: bool = field(default=False, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.object)


DEFAULT_PRIVILEGE_KINDS = {"r": "TABLES", "S": "SEQUENCES", "f": "FUNCTIONS", "T": "TYPES", "n": "SCHEMAS"}


@dataclass(frozen=True)
class DefaultPrivileges:
    """ALTER DEFAULT PRIVILEGES for one role, schema (None: all) and kind of object (key of
    DEFAULT_PRIVILEGE_KINDS). `role` None is the role applying the plan (no FOR ROLE)."""

    role: str | None
    schema: str | None
    object_type: str
    entries: frozenset[tuple[str, str, bool]]  # (grantee or "PUBLIC", privilege, grantable)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.role or "", self.schema or "", self.object_type)

    @property
    def name(self) -> str:
        return self.object_type


@dataclass(frozen=True)
class Unmanaged:
    """An object of a kind pgdiff does not model (an aggregate, a rule, a publication...), made by a user."""

    kind: str  # "aggregate", "rule", "publication", ... (catalog/unmanaged.sql)
    schema: str | None  # None for objects of the database or cluster (publications, casts, event triggers)
    name: str  # as SQL names it, quoted where needed: `my_sum(integer)`, `r1 ON t`

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}" if self.schema is None else f"{self.kind} {self.schema}.{self.name}"


@dataclass(frozen=True)
class Model:
    """Everything pgdiff manages in one database, by kind, keyed by identity."""

    server_version: int
    schemas: dict[str, Schema]
    extensions: dict[str, Extension]
    tables: dict[QualifiedName, Table]
    constraints: dict[tuple[str, str, str], Constraint]
    indexes: dict[QualifiedName, Index]
    sequences: dict[QualifiedName, Sequence] = field(default_factory=dict)
    enums: dict[QualifiedName, EnumType] = field(default_factory=dict)
    composites: dict[QualifiedName, CompositeType] = field(default_factory=dict)
    domains: dict[QualifiedName, Domain] = field(default_factory=dict)
    ranges: dict[QualifiedName, RangeType] = field(default_factory=dict)
    functions: dict[FunctionKey, Function] = field(default_factory=dict)
    triggers: dict[tuple[str, str, str], Trigger] = field(default_factory=dict)
    views: dict[QualifiedName, View] = field(default_factory=dict)  # and materialized views
    row_security: dict[QualifiedName, RowSecurity] = field(default_factory=dict)
    collations: dict[QualifiedName, Collation] = field(default_factory=dict)
    statistics: dict[QualifiedName, Statistics] = field(default_factory=dict)
    comments: dict[tuple[str, str], Comment] = field(default_factory=dict)
    grants: dict[tuple[str, str, str], Grant] = field(default_factory=dict)
    owners: dict[tuple[str, str], Owner] = field(default_factory=dict)
    default_privileges: dict[tuple[str, str, str], DefaultPrivileges] = field(default_factory=dict)
    policies: dict[tuple[str, str, str], Policy] = field(default_factory=dict)
    # (dependent, what it depends on), from pg_depend: facts for ordering, never a difference by themselves.
    dependencies: frozenset[tuple[KindKey, KindKey]] = field(default_factory=frozenset, compare=False)
    # The server's casts by (source, target) as format_type() prints them without modifiers, and the string
    # types anything converts to by I/O in an assignment: which column type changes need a USING, and
    # which are binary-coercible. Facts of the server, never a difference.
    casts: dict[tuple[str, str], Cast] = field(default_factory=dict, compare=False)
    string_types: frozenset[str] = field(default_factory=frozenset, compare=False)
    # What the database holds that pgdiff does not model: reported by plan, drift and dump, never a change.
    unmanaged: tuple[Unmanaged, ...] = field(default=(), compare=False)
    # What those objects use of what the model manages (from pg_depend): a plan may not drop it under them.
    unmanaged_uses: tuple[tuple[Unmanaged, KindKey], ...] = field(default=(), compare=False)

    def holds(self, ref: KindKey) -> bool:
        """Whether the object `ref` names is one this model manages."""
        kind, key = ref
        if kind in ("column", "default"):
            table = self.tables.get((key[0], key[1]))
            if table is None and kind == "column" and (key[0], key[1]) in self.views:
                return any(column == key[2] for column, _ in self.views[(key[0], key[1])].columns)
            column = table.column(key[2]) if table is not None else None
            return column is not None and (kind == "column" or column.default is not None)
        objects = self._by_kind.get(kind)
        return objects is not None and (key[0] if kind in ("schema", "extension") else key) in objects

    @cached_property
    def uses_index(self) -> dict[KindKey, set[KindKey]]:
        """For each object, what it depends on directly (from `dependencies`); built once per model."""
        return _group_pairs((dependent, referenced) for dependent, referenced in self.dependencies)

    @cached_property
    def used_by_index(self) -> dict[KindKey, set[KindKey]]:
        """For each object, the objects that depend on it directly; built once per model."""
        return _group_pairs((referenced, dependent) for dependent, referenced in self.dependencies)

    def __getstate__(self) -> dict[str, object]:
        # Pickled (the warm-plan cache) without the indexes cached on it: they are rebuilt when asked for.
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @cached_property
    def _by_kind(self) -> dict[str, dict]:
        # Cached: asked once per pg_depend pair; the model is frozen, so the mapping never goes stale.
        return {
            "schema": self.schemas,
            "extension": self.extensions,
            "table": self.tables,
            "constraint": self.constraints,
            "index": self.indexes,
            "sequence": self.sequences,
            "enum": self.enums,
            "composite": self.composites,
            "domain": self.domains,
            "range": self.ranges,
            "function": self.functions,
            "trigger": self.triggers,
            "view": self.views,
            "policy": self.policies,
            "collation": self.collations,
            "statistics": self.statistics,
        }

    def comparable(self) -> dict[str, object]:
        """The parts that must be equal for two databases to be in sync."""
        return dict(self.object_collections())

    def object_collections(self) -> dict[str, dict[Any, Any]]:
        """The model's objects by collection (`tables`, `grants`, ...): every dict field that holds managed
        objects, and none of the server's facts (`casts`), which no filter or emptying may touch."""
        return {
            "schemas": self.schemas,
            "extensions": self.extensions,
            "tables": self.tables,
            "constraints": self.constraints,
            "indexes": self.indexes,
            "sequences": self.sequences,
            "enums": self.enums,
            "composites": self.composites,
            "domains": self.domains,
            "ranges": self.ranges,
            "functions": self.functions,
            "triggers": self.triggers,
            "views": self.views,
            "row_security": self.row_security,
            "collations": self.collations,
            "statistics": self.statistics,
            "comments": self.comments,
            "grants": self.grants,
            "owners": self.owners,
            "default_privileges": self.default_privileges,
            "policies": self.policies,
        }

    def contains(self, ref: ObjectRef) -> bool:
        """Whether the object `ref` names exists in this model, as that kind (a procedure is no function, a
        materialized view no view)."""
        if not self.holds(ref.kind_key):
            return False
        if ref.kind in ("function", "procedure"):
            return self.functions[(ref.schema, ref.name, ref.arguments or "")].kind_name == ref.kind
        if ref.kind in ("view", "materialized view"):
            return self.views[(ref.schema, ref.name)].kind_name == ref.kind
        return True


def _group_pairs(pairs: Iterable[tuple[KindKey, KindKey]]) -> dict[KindKey, set[KindKey]]:
    """{first: {seconds}} of (first, second) pairs."""
    found: dict[KindKey, set[KindKey]] = {}
    for first, second in pairs:
        found.setdefault(first, set()).add(second)
    return found
