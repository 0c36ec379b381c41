"""Random schemas and random mutations of them, for the property-based convergence test.

A schema is a small mutable model (tables, columns, keys, checks, foreign keys, exclusions, indexes,
partitions, views, sequences, one enum, and on tables what real schemas hang on them: a trigger, row security
and a policy, grants on the table and its columns, comments, extended statistics, columns' statistics targets
and storage; a domain whose CHECK changes, citext in a schema of its own, default privileges written among the
tables) rendered as SQL with every identifier quoted. Mutations include renames of tables, columns, indexes
and checks, written as `-- pgdiff: renamed from` directives in both files (the directive of the other
direction names a table that does not exist, and does nothing), so both directions rename instead of dropping;
whatever names the renamed object follows it. It is valid by construction: a column's type only ever changes
within its *family* (integer/bigint, text/varchar, timestamptz/date, ...), and everything written over a
column (checks, index expressions, defaults, foreign keys) is chosen for the family, so it stays valid
whatever member the column has; whatever names a dropped object is dropped with it (`Schema.prune`). Names are
drawn from a pool that needs quoting (capitals, spaces, reserved words, unicode, an embedded double quote),
and other objects are numbered, so no two relations or types collide. The SQL only uses what PostgreSQL 15
already accepts."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from hypothesis import strategies as st

TABLE_NAMES = ["accounts", "Order", "user", "line items", "café", "select", 'we"ird', "Größe", "t"]
COLUMN_NAMES = ["id", "Name", "select", "created at", "amount", "é", "group", "data", "tags", "ip", "Flag", "note"]
# How other objects are named: a number keeps them apart, the style decides what quoting they need.
NAME_STYLES = ["obj_{n}", "Obj {n}", "objé{n}", "from{n}"]

FAMILIES: dict[str, list[str]] = {
    "int": ["integer", "bigint"],
    "text": ["text", "character varying(20)", "character varying(40)"],
    "numeric": ["numeric(10,2)", "numeric(12,2)", "numeric(14,4)"],
    "bool": ["boolean"],
    "time": ["timestamp with time zone", "date"],
    "jsonb": ["jsonb"],
    "uuid": ["uuid"],
    "inet": ["inet"],
    "array": ["text[]"],
    "enum": [],  # the schema's enum, when it has one
    "domain": [],  # the schema's domain over text, when it has one
    "citext": ["ext.citext"],  # the citext extension's type, in a schema of its own, when the schema has it
}
# Defaults valid for every type of the family (PostgreSQL coerces a default by assignment).
DEFAULTS: dict[str, list[str]] = {
    "int": ["0", "42", "-1"],
    "text": ["''", "'abc'", "'it''s'"],
    "numeric": ["0", "1.5"],
    "bool": ["true", "false"],
    "time": ["now()", "CURRENT_DATE", "'2024-01-01'"],
    "jsonb": ["'{}'", """'{"a": 1}'"""],
    "uuid": ["gen_random_uuid()"],
    "inet": ["'127.0.0.1'"],
    "array": ["'{}'", "ARRAY['a']"],
    "enum": [],
    "domain": ["'abc'"],
    "citext": ["''", "'Abc'"],
}
CHECKS: dict[str, list[str]] = {
    "int": ["{c} >= 0", "{c} <> 13"],
    "text": ["{c} <> ''", "length({c}) < 100"],
    "numeric": ["{c} >= 0"],
    "bool": ["{c} IS NOT NULL"],
    "time": ["{c} > '2000-01-01'"],
    "jsonb": ["jsonb_typeof({c}) = 'object'"],
    "uuid": ["{c} IS NOT NULL"],
    "inet": ["family({c}) = 4"],
    "array": ["cardinality({c}) < 10"],
    "enum": ["{c} IS NOT NULL"],
    "domain": ["{c} IS NOT NULL", "{c} <> 'x'"],
    "citext": ["{c} <> ''"],
}
# A domain's CHECKs: each holds for every default drawn for the family.
DOMAIN_CHECKS = ["VALUE <> ''", "length(VALUE) < 50"]
# btree, usable in keys and unique constraints
KEY_FAMILIES = ["int", "text", "uuid", "time", "numeric", "domain", "citext"]
FK_FAMILIES = ["int", "text", "uuid"]
HASH_FAMILIES = ["int", "text", "uuid", "time", "inet", "enum", "bool"]
BRIN_FAMILIES = ["int", "numeric", "time"]
# Index key forms by family: a column (btree options allowed) or an expression over it.
EXPRESSIONS: dict[str, list[str]] = {
    "text": ["lower({c})"],
    "int": ["({c} + 1)"],
    "jsonb": ["({c} ->> 'a')"],
}
ON_DELETE = ["", " ON DELETE CASCADE", " ON DELETE SET NULL", " ON DELETE RESTRICT"]
# The role grants go to: roles are the cluster's, so the test creates it (`ensure_roles`).
GRANTEE = "prop reader"
TRIGGER_FUNCTION = "touch row"
GRANTABLE = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
COLUMN_GRANTABLE = ["SELECT", "INSERT", "UPDATE", "REFERENCES"]
# Families whose types are stored out of line (storage EXTENDED by default), so SET STORAGE MAIN/EXTERNAL
# is valid for every member; integers would refuse anything but PLAIN.
STORAGE_FAMILIES = ["text", "jsonb", "array"]
COMMENTS = ["the key", "it's here", "ünïcode", "two\nlines"]


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class Column:
    name: str
    family: str
    type: str
    not_null: bool = False
    default: str | None = None
    comment: str | None = None
    statistics: int | None = None  # SET STATISTICS
    storage: str | None = None  # SET STORAGE, for STORAGE_FAMILIES
    previous: str | None = None  # rendered as `-- pgdiff: renamed from`


@dataclass
class Unique:
    name: str
    columns: list[str]
    include: list[str] = field(default_factory=list)
    nulls_not_distinct: bool = False
    deferrable: bool = False


@dataclass
class Check:
    name: str
    column: str
    template: str
    previous: str | None = None


@dataclass
class ForeignKey:
    name: str
    column: str
    ref_table: str
    on_delete: str = ""
    deferrable: bool = False


@dataclass
class Exclude:
    name: str
    column: str
    method: str  # btree, hash, or gist (inet)
    partial: bool = False


@dataclass
class Index:
    name: str
    method: str
    keys: list[tuple[str, str]]  # (column, form): "", " DESC", " DESC NULLS LAST", an expression, an opclass
    unique: bool = False
    include: list[str] = field(default_factory=list)
    predicate: str | None = None  # a column that must be NOT NULL
    previous: str | None = None


@dataclass
class Trigger:
    name: str
    column: str  # BEFORE UPDATE OF column
    when: bool = False  # WHEN (OLD.column IS DISTINCT FROM NEW.column)


@dataclass
class Policy:
    name: str
    column: str  # USING (column IS NOT NULL)
    command: str = "ALL"


@dataclass
class Grant:
    privilege: str
    columns: list[str] = field(default_factory=list)  # a column grant when set


@dataclass
class Statistics:
    name: str
    columns: list[str]


@dataclass
class Table:
    name: str
    columns: list[Column]
    primary_key: list[str] = field(default_factory=list)
    pk_name: str = ""
    uniques: list[Unique] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    excludes: list[Exclude] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    partition_by: str | None = None  # "range" on an int column, "list" on a text column
    partition_key: str | None = None
    partitions: list[int] = field(default_factory=list)  # bound numbers; each names and places a partition
    partition_names: dict[int, str] = field(default_factory=dict)
    default_partition: str | None = None
    triggers: list[Trigger] = field(default_factory=list)
    row_security: bool = False
    policies: list[Policy] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    statistics: list[Statistics] = field(default_factory=list)
    comment: str | None = None
    previous: str | None = None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def has(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)


@dataclass
class View:
    name: str
    table: str
    columns: list[str]
    where: str | None = None  # a column that must be NOT NULL


@dataclass
class Sequence:
    name: str
    start: int = 1
    increment: int = 1
    maxvalue: int | None = None
    cycle: bool = False


@dataclass
class Enum:
    name: str
    labels: list[str]


@dataclass
class Schema:
    tables: list[Table] = field(default_factory=list)
    views: list[View] = field(default_factory=list)
    sequences: list[Sequence] = field(default_factory=list)
    enum: Enum | None = None
    domain: tuple[str, str] | None = None  # (name, CHECK over VALUE)
    extension: bool = False  # citext, in the schema "ext"
    # ALTER DEFAULT PRIVILEGES ... GRANT ON TABLES, written after this many tables (the later ones get it) and
    # which privilege: psql gives the grant only to what is created after it, and so must a plan.
    default_privileges: tuple[int, str] | None = None
    counter: int = 0
    # Column names a mutation dropped: never given again, or "drop then add" would read as a type change
    # across families, which is not what the mutations mean to test.
    retired: set[str] = field(default_factory=set)
    retired_tables: set[str] = field(default_factory=set)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def has_table(self, name: str) -> bool:
        return any(t.name == name for t in self.tables)

    def prune(self) -> None:
        """Drop whatever names an object that no longer exists, so the schema stays loadable."""
        sequences = {ident(s.name) for s in self.sequences}
        labels = {literal(label) for label in self.enum.labels} if self.enum else set()
        for table in self.tables:
            has = table.has
            for column in table.columns:
                if column.family == "enum" and column.default not in labels:
                    column.default = None
                if (
                    column.default
                    and column.default.startswith("nextval(")
                    and not any(literal(s) in column.default for s in sequences)
                ):
                    column.default = None
            if not all(map(has, table.primary_key)):
                table.primary_key = []
            table.uniques = [u for u in table.uniques if all(map(has, u.columns + u.include))]
            table.checks = [c for c in table.checks if has(c.column)]
            table.excludes = [e for e in table.excludes if has(e.column)]
            table.indexes = [
                i
                for i in table.indexes
                if all(has(c) for c, _ in i.keys) and all(map(has, i.include)) and (not i.predicate or has(i.predicate))
            ]
            table.triggers = [t for t in table.triggers if has(t.column)]
            table.policies = [p for p in table.policies if has(p.column)]
            table.grants = [g for g in table.grants if all(map(has, g.columns))]
            table.statistics = [s for s in table.statistics if all(map(has, s.columns))]
            for column in table.columns:
                if column.family not in STORAGE_FAMILIES:
                    column.storage = None
        fk_targets = {
            t.name: t.column(t.primary_key[0]).family
            for t in self.tables
            if len(t.primary_key) == 1 and t.partition_by is None
        }
        for table in self.tables:
            table.foreign_keys = [
                fk
                for fk in table.foreign_keys
                if table.has(fk.column) and fk_targets.get(fk.ref_table) == table.column(fk.column).family
            ]
        self.views = [
            v
            for v in self.views
            if self.has_table(v.table)
            and all(map(self.table(v.table).has, v.columns))
            and (not v.where or self.table(v.table).has(v.where))
        ]

    def name(self, style: str) -> str:
        self.counter += 1
        return style.format(n=self.counter)


# -- rendering ------------------------------------------------------------------------------------


def _default_privileges_sql(privilege: str) -> str:
    return f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {privilege} ON TABLES TO {ident(GRANTEE)};"


def render(schema: Schema) -> str:
    out: list[str] = []
    if schema.extension:
        out.append("CREATE SCHEMA ext;")
        out.append("CREATE EXTENSION citext WITH SCHEMA ext;")
    if schema.domain:
        out.append(f"CREATE DOMAIN {ident(schema.domain[0])} AS text CHECK ({schema.domain[1]});")
    if schema.enum:
        labels = ", ".join(literal(label) for label in schema.enum.labels)
        out.append(f"CREATE TYPE {ident(schema.enum.name)} AS ENUM ({labels});")
    for seq in schema.sequences:
        options = f" START WITH {seq.start} INCREMENT BY {seq.increment}"
        if seq.maxvalue is not None:
            options += f" MAXVALUE {seq.maxvalue}"
        out.append(f"CREATE SEQUENCE {ident(seq.name)}{options}{' CYCLE' if seq.cycle else ''};")
    for position, table in enumerate(schema.tables):
        if schema.default_privileges and schema.default_privileges[0] == position:
            out.append(_default_privileges_sql(schema.default_privileges[1]))
        out.extend(_table_sql(table))
    if schema.default_privileges and schema.default_privileges[0] >= len(schema.tables):
        out.append(_default_privileges_sql(schema.default_privileges[1]))
    for table in schema.tables:
        for fk in table.foreign_keys:
            ref = schema.table(fk.ref_table)
            out.append(
                f"ALTER TABLE {ident(table.name)} ADD CONSTRAINT {ident(fk.name)} FOREIGN KEY ({ident(fk.column)})"
                f" REFERENCES {ident(ref.name)} ({ident(ref.primary_key[0])}){fk.on_delete}"
                f"{' DEFERRABLE INITIALLY DEFERRED' if fk.deferrable else ''};"
            )
        for index in table.indexes:
            out.append(_index_sql(table, index))
    for view in schema.views:
        columns = ", ".join(ident(c) for c in view.columns)
        where = f" WHERE {ident(view.where)} IS NOT NULL" if view.where else ""
        out.append(f"CREATE VIEW {ident(view.name)} AS SELECT {columns} FROM {ident(view.table)}{where};")
    if any(table.triggers for table in schema.tables):
        out.append(
            f"CREATE FUNCTION {ident(TRIGGER_FUNCTION)}() RETURNS trigger LANGUAGE plpgsql"
            " AS $$BEGIN RETURN NEW; END$$;"
        )
    for table in schema.tables:
        out.extend(_extras_sql(table))
    return "\n".join(out) + "\n"


def _directive(previous: str | None) -> str:
    return f"-- pgdiff: renamed from {ident(previous)}" if previous else ""


def _extras_sql(table: Table) -> list[str]:
    """What real schemas hang on a table, after every table and view exists."""
    name = ident(table.name)
    out = []
    for trigger in table.triggers:
        column = ident(trigger.column)
        when = f" WHEN (OLD.{column} IS DISTINCT FROM NEW.{column})" if trigger.when else ""
        out.append(
            f"CREATE TRIGGER {ident(trigger.name)} BEFORE UPDATE OF {column} ON {name}"
            f" FOR EACH ROW{when} EXECUTE FUNCTION {ident(TRIGGER_FUNCTION)}();"
        )
    if table.row_security:
        out.append(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;")
    for policy in table.policies:
        out.append(
            f"CREATE POLICY {ident(policy.name)} ON {name} FOR {policy.command} TO {ident(GRANTEE)}"
            f" USING ({ident(policy.column)} IS NOT NULL);"
        )
    for grant in table.grants:
        columns = f" ({_names(grant.columns)})" if grant.columns else ""
        out.append(f"GRANT {grant.privilege}{columns} ON {name} TO {ident(GRANTEE)};")
    for statistics in table.statistics:
        out.append(f"CREATE STATISTICS {ident(statistics.name)} ON {_names(statistics.columns)} FROM {name};")
    if table.comment is not None:
        out.append(f"COMMENT ON TABLE {name} IS {literal(table.comment)};")
    for column in table.columns:
        col = ident(column.name)
        if column.comment is not None:
            out.append(f"COMMENT ON COLUMN {name}.{col} IS {literal(column.comment)};")
        if column.statistics is not None:
            out.append(f"ALTER TABLE ONLY {name} ALTER COLUMN {col} SET STATISTICS {column.statistics};")
        if column.storage is not None:
            out.append(f"ALTER TABLE {name} ALTER COLUMN {col} SET STORAGE {column.storage};")
    return out


def _names(columns: list[str]) -> str:
    return ", ".join(ident(c) for c in columns)


def _table_sql(table: Table) -> list[str]:
    lines: list[tuple[str, str]] = []  # (definition, directive)
    for column in table.columns:
        line = f"{ident(column.name)} {column.type}"
        if column.not_null or column.name in table.primary_key:
            line += " NOT NULL"
        if column.default is not None:
            line += f" DEFAULT {column.default}"
        lines.append((line, _directive(column.previous)))
    if table.primary_key:
        lines.append((f"CONSTRAINT {ident(table.pk_name)} PRIMARY KEY ({_names(table.primary_key)})", ""))
    for u in table.uniques:
        nulls = " NULLS NOT DISTINCT" if u.nulls_not_distinct else ""
        include = f" INCLUDE ({_names(u.include)})" if u.include else ""
        deferrable = " DEFERRABLE" if u.deferrable else ""
        lines.append((f"CONSTRAINT {ident(u.name)} UNIQUE{nulls} ({_names(u.columns)}){include}{deferrable}", ""))
    for c in table.checks:
        check = f"CONSTRAINT {ident(c.name)} CHECK ({c.template.format(c=ident(c.column))})"
        lines.append((check, _directive(c.previous)))
    for e in table.excludes:
        element = f"{ident(e.column)} inet_ops WITH &&" if e.method == "gist" else f"{ident(e.column)} WITH ="
        where = f" WHERE ({ident(e.column)} IS NOT NULL)" if e.partial else ""
        lines.append((f"CONSTRAINT {ident(e.name)} EXCLUDE USING {e.method} ({element}){where}", ""))
    # A directive ends its line: after the comma that separates the line from the next.
    body = "\n".join(
        f"    {line}{',' if n < len(lines) - 1 else ''}{'  ' + directive if directive else ''}"
        for n, (line, directive) in enumerate(lines)
    )
    partition = ""
    if table.partition_by:
        partition = f" PARTITION BY {table.partition_by.upper()} ({ident(table.partition_key or '')})"
    before = _directive(table.previous) + "\n" if table.previous else ""
    statements = [f"{before}CREATE TABLE {ident(table.name)} (\n{body}\n){partition};"]
    for number in table.partitions:
        if table.partition_by == "range":
            bound = f"FROM ({number * 1000}) TO ({(number + 1) * 1000})"
        else:
            bound = f"IN ('v{number}', 'w{number}')"
        name = ident(table.partition_names[number])
        statements.append(f"CREATE TABLE {name} PARTITION OF {ident(table.name)} FOR VALUES {bound};")
    if table.default_partition:
        statements.append(f"CREATE TABLE {ident(table.default_partition)} PARTITION OF {ident(table.name)} DEFAULT;")
    return statements


def _index_sql(table: Table, index: Index) -> str:
    keys = []
    for column, form in index.keys:
        if "{c}" in form:
            keys.append(f"({form.format(c=ident(column))})")
        else:
            keys.append(f"{ident(column)}{form}")
    unique = "UNIQUE " if index.unique else ""
    include = f" INCLUDE ({_names(index.include)})" if index.include else ""
    where = f" WHERE ({ident(index.predicate)} IS NOT NULL)" if index.predicate else ""
    before = _directive(index.previous) + "\n" if index.previous else ""
    return (
        f"{before}"
        f"CREATE {unique}INDEX {ident(index.name)} ON {ident(table.name)} USING {index.method}"
        f" ({', '.join(keys)}){include}{where};"
    )


# -- generation -----------------------------------------------------------------------------------


class Builder:
    """Draws objects into a schema; every method keeps it valid."""

    def __init__(self, draw: st.DrawFn, schema: Schema, major: int) -> None:
        self.draw = draw
        self.schema = schema
        # The server's major version: what it cannot load is never drawn.
        self.major = major

    def pick(self, options: list):  # type: ignore[no-untyped-def]
        return self.draw(st.sampled_from(options))

    def flip(self, p: float = 0.5) -> bool:
        return self.draw(st.floats(0, 1)) < p

    def new_name(self) -> str:
        return self.schema.name(self.pick(NAME_STYLES))

    def families(self) -> list[str]:
        present = {"enum": self.schema.enum, "domain": self.schema.domain, "citext": self.schema.extension}
        return [f for f in FAMILIES if present.get(f, True)]

    def type_of(self, family: str) -> str:
        if family == "enum":
            assert self.schema.enum
            return ident(self.schema.enum.name)
        if family == "domain":
            assert self.schema.domain
            return ident(self.schema.domain[0])
        return self.pick(FAMILIES[family])

    def default_for(self, family: str) -> str | None:
        options: list[str | None] = [None, *DEFAULTS[family]]
        if family == "enum" and self.schema.enum:
            options.append(literal(self.schema.enum.labels[0]))
        if family == "int" and self.schema.sequences:
            options.append(f"nextval({literal(ident(self.pick(self.schema.sequences).name))}::regclass)")
        return self.pick(options)

    def column(self, table: Table | None, family: str | None = None) -> Column:
        taken = {c.name for c in table.columns} if table else set()
        free = [n for n in COLUMN_NAMES if n not in taken and n not in self.schema.retired]
        name = self.pick(free) if free and self.flip(0.8) else self.new_name()
        family = family or self.pick(self.families())
        return Column(name, family, self.type_of(family), self.flip(0.3), self.default_for(family))

    def table(self) -> Table:
        free = [n for n in TABLE_NAMES if not self.schema.has_table(n) and n not in self.schema.retired_tables]
        name = self.pick(free) if free else self.new_name()
        table = Table(name, [])
        partitioned = self.flip(0.25)
        first = self.column(table, "int" if partitioned and self.flip() else ("text" if partitioned else None))
        table.columns.append(first)
        for _ in range(self.draw(st.integers(1, 5))):
            table.columns.append(self.column(table))
        if partitioned:
            table.partition_by = "range" if first.family == "int" else "list"
            table.partition_key = first.name
            for number in range(self.draw(st.integers(0, 3))):
                self.add_partition(table, number)
            if self.flip(0.3):
                table.default_partition = self.new_name()
        self.schema.tables.append(table)
        if self.flip(0.7):
            self.set_primary_key(table)
        for _ in range(self.draw(st.integers(0, 3))):
            self.add_constraint(table)
        for _ in range(self.draw(st.integers(0, 3))):
            self.add_index(table)
        self.extras(table)
        return table

    def extras(self, table: Table) -> None:
        """A trigger, row security and a policy, grants, statistics, comments, column settings: each drawn
        with the chance real schemas have it."""
        if self.flip(0.3):
            self.add_trigger(table)
        if self.flip(0.3):
            table.row_security = True
            if self.flip(0.7):
                self.add_policy(table)
        for _ in range(self.draw(st.integers(0, 2))):
            self.add_grant(table)
        if self.flip(0.25):
            self.add_statistics(table)
        if self.flip(0.3):
            table.comment = self.pick(COMMENTS)
        for column in table.columns:
            if self.flip(0.15):
                column.comment = self.pick(COMMENTS)
            if self.flip(0.1):
                self.change_column_settings(column)

    def add_trigger(self, table: Table) -> None:
        table.triggers.append(Trigger(self.new_name(), self.pick(table.columns).name, self.flip(0.4)))

    def add_policy(self, table: Table) -> None:
        command = self.pick(["ALL", "SELECT", "UPDATE"])
        table.policies.append(Policy(self.new_name(), self.pick(table.columns).name, command))

    def add_grant(self, table: Table) -> None:
        """A table privilege, or a column privilege on one or two columns; never the same grant twice."""
        if self.flip(0.5):
            taken = {g.privilege for g in table.grants if not g.columns}
            free = [p for p in GRANTABLE if p not in taken]
            if free:
                table.grants.append(Grant(self.pick(free)))
            return
        taken = {g.privilege for g in table.grants if g.columns}
        free = [p for p in COLUMN_GRANTABLE if p not in taken]
        names = [c.name for c in table.columns]
        if free:
            columns = self.draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
            table.grants.append(Grant(self.pick(free), columns))

    def add_statistics(self, table: Table) -> None:
        if len(table.columns) >= 2:
            names = [c.name for c in table.columns]
            columns = self.draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))
            table.statistics.append(Statistics(self.new_name(), columns))

    def change_column_settings(self, column: Column) -> None:
        if column.family in STORAGE_FAMILIES and self.flip():
            column.storage = None if column.storage else self.pick(["MAIN", "EXTERNAL"])
        else:
            column.statistics = None if column.statistics is not None else self.pick([0, 100, 1000])

    def add_partition(self, table: Table, number: int) -> None:
        table.partitions.append(number)
        table.partition_names[number] = self.new_name()

    def key_columns(self, table: Table, families: list[str]) -> list[str]:
        return [c.name for c in table.columns if c.family in families]

    def set_primary_key(self, table: Table) -> None:
        candidates = self.key_columns(table, KEY_FAMILIES)
        if not candidates:
            return
        columns = self.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=2, unique=True))
        if table.partition_key and table.partition_key not in columns:
            columns.append(table.partition_key)  # a partitioned table's keys include its partition key
        table.primary_key = columns
        table.pk_name = self.new_name()

    def add_constraint(self, table: Table) -> None:
        kind = self.pick(["unique", "check", "fk", "exclude"])
        if kind == "unique":
            candidates = self.key_columns(table, KEY_FAMILIES)
            if not candidates:
                return
            columns = self.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=2, unique=True))
            if table.partition_key and table.partition_key not in columns:
                columns.append(table.partition_key)
            rest = [c.name for c in table.columns if c.name not in columns]
            include = [self.pick(rest)] if rest and self.flip(0.3) else []
            # NULLS NOT DISTINCT is PostgreSQL 15+. Drawn on every server all the same, so that 15 and later
            # keep the examples they had.
            nulls_not_distinct = self.flip(0.3) and self.major >= 15
            table.uniques.append(Unique(self.new_name(), columns, include, nulls_not_distinct, self.flip(0.2)))
        elif kind == "check":
            column = self.pick(table.columns)
            table.checks.append(Check(self.new_name(), column.name, self.pick(CHECKS[column.family])))
        elif kind == "fk":
            targets = [
                t
                for t in self.schema.tables
                if len(t.primary_key) == 1
                and t.partition_by is None
                and t.column(t.primary_key[0]).family in FK_FAMILIES
            ]
            if not targets:
                return
            target = self.pick(targets)
            family = target.column(target.primary_key[0]).family
            own = [c.name for c in table.columns if c.family == family]
            if own and self.flip(0.6):
                column = self.pick(own)
            else:
                new = self.column(table, family)
                table.columns.append(new)
                column = new.name
            fk = ForeignKey(self.new_name(), column, target.name, self.pick(ON_DELETE), self.flip(0.2))
            table.foreign_keys.append(fk)
        elif table.partition_by is None:
            candidates = [c for c in table.columns if c.family in ["int", "text", "uuid", "inet"]]
            if not candidates:
                return
            column = self.pick(candidates)
            method = "gist" if column.family == "inet" else self.pick(["btree", "hash"])
            table.excludes.append(Exclude(self.new_name(), column.name, method, self.flip(0.3)))

    def add_index(self, table: Table) -> None:
        method = self.pick(["btree", "btree", "hash", "gin", "brin", "gist"])
        columns = table.columns
        if method == "btree":
            key_cols = self.draw(st.lists(st.sampled_from(columns), min_size=1, max_size=3, unique_by=lambda c: c.name))
            keys = []
            for c in key_cols:
                forms = ["", " DESC", " DESC NULLS LAST", " NULLS FIRST", *EXPRESSIONS.get(c.family, [])]
                keys.append((c.name, self.pick(forms)))
            unique = self.flip(0.3) and table.partition_by is None and all("{c}" not in f for _, f in keys)
            rest = [c.name for c in columns if c.name not in {k for k, _ in keys}]
            include = [self.pick(rest)] if rest and self.flip(0.3) else []
            index = Index(self.new_name(), "btree", keys, unique, include)
        else:
            families = {"hash": HASH_FAMILIES, "gin": ["jsonb", "array"], "brin": BRIN_FAMILIES, "gist": ["inet"]}
            candidates = [c for c in columns if c.family in families[method]]
            if not candidates:
                return
            column = self.pick(candidates)
            form = ""
            if method == "gin" and column.family == "jsonb":
                form = self.pick(["", " jsonb_path_ops"])
            elif method == "gist":
                form = " inet_ops"
            index = Index(self.new_name(), method, [(column.name, form)])
        if self.flip(0.3):
            index.predicate = self.pick(columns).name
        table.indexes.append(index)

    def view(self) -> None:
        if not self.schema.tables:
            return
        table = self.pick(self.schema.tables)
        columns = self.draw(
            st.lists(st.sampled_from([c.name for c in table.columns]), min_size=1, max_size=4, unique=True)
        )
        where = self.pick(table.columns).name if self.flip(0.4) else None
        self.schema.views.append(View(self.new_name(), table.name, columns, where))


@st.composite
def schemas(draw: st.DrawFn, major: int) -> Schema:
    schema = Schema()
    b = Builder(draw, schema, major)
    if b.flip(0.5):
        schema.enum = Enum(
            b.new_name(),
            draw(st.lists(st.sampled_from(["new", "Done", "in progress", "ñ"]), min_size=1, max_size=4, unique=True)),
        )
    if b.flip(0.25):
        schema.domain = (b.new_name(), b.pick(DOMAIN_CHECKS))
    schema.extension = b.flip(0.2)
    if b.flip(0.2):
        schema.default_privileges = (draw(st.integers(0, 3)), "SELECT")
    for _ in range(draw(st.integers(0, 2))):
        # Ascending only: a descending sequence's default MAXVALUE is -1, below any START drawn here.
        schema.sequences.append(Sequence(b.new_name(), draw(st.integers(1, 100)), draw(st.sampled_from([1, 2, 5]))))
    for _ in range(draw(st.integers(1, 3))):
        b.table()
    for _ in range(draw(st.integers(0, 2))):
        b.view()
    schema.prune()
    return schema


# -- mutations ------------------------------------------------------------------------------------

MUTATIONS = [
    "add_table", "drop_table", "add_column", "drop_column", "change_type", "toggle_not_null", "change_default",
    "primary_key", "add_constraint", "drop_constraint", "alter_constraint", "add_index", "drop_index",
    "alter_index", "add_partition", "drop_partition", "change_view", "add_view", "drop_view", "enum_label",
    "sequence", "rename_table", "rename_column", "rename_index", "rename_check", "trigger", "policy", "grant",
    "comment", "table_statistics", "column_settings", "domain", "extension", "default_privileges",
]  # fmt: skip


def mutate(b: Builder, kind: str) -> None:
    """Apply one mutation of `kind` to `b.schema`, when the schema has something it applies to."""
    schema = b.schema
    tables = schema.tables
    if not tables and kind != "add_table":
        kind = "add_table"
    if kind == "add_table":
        b.table()
        return
    table = b.pick(tables)
    free_columns = [
        c for c in table.columns if c.name != table.partition_key
    ]  # a partition key column's type and existence are fixed (pgdiff refuses partition key changes)
    if kind == "drop_table":
        tables.remove(table)
        schema.retired_tables.add(table.name)
    elif kind == "add_column":
        table.columns.append(b.column(table))
    elif kind == "drop_column" and len(free_columns) > 1:
        dropped = b.pick(free_columns)
        table.columns.remove(dropped)
        schema.retired.add(dropped.name)
    elif kind == "change_type" and free_columns:
        column = b.pick(free_columns)
        column.type = b.type_of(column.family)
    elif kind == "toggle_not_null":
        column = b.pick(table.columns)
        column.not_null = not column.not_null
    elif kind == "change_default" and free_columns:
        column = b.pick(free_columns)
        column.default = b.default_for(column.family)
    elif kind == "primary_key":
        if table.primary_key and b.flip():
            table.primary_key = []
        else:
            b.set_primary_key(table)
    elif kind == "add_constraint":
        b.add_constraint(table)
    elif kind in ("drop_constraint", "alter_constraint"):
        _drop_or_alter_constraint(b, table, kind == "alter_constraint")
    elif kind == "add_index":
        b.add_index(table)
    elif kind == "drop_index" and table.indexes:
        table.indexes.remove(b.pick(table.indexes))
    elif kind == "alter_index" and table.indexes:
        index = b.pick(table.indexes)
        if index.predicate or b.flip():
            index.predicate = None if index.predicate else b.pick(table.columns).name
        elif index.method == "btree":
            column, form = index.keys[-1]
            index.keys[-1] = (column, " DESC" if form == "" else "")
    elif kind == "add_partition" and table.partition_by:
        b.add_partition(table, max(table.partitions, default=-1) + 1)
    elif kind == "drop_partition" and (table.partitions or table.default_partition):
        if table.default_partition and (not table.partitions or b.flip()):
            table.default_partition = None
        else:
            table.partitions.remove(b.pick(table.partitions))
    elif kind == "change_view" and schema.views:
        view = b.pick(schema.views)
        source = schema.table(view.table)
        if b.flip():
            view.where = None if view.where else b.pick(source.columns).name
        else:
            view.columns = b.draw(
                st.lists(st.sampled_from([c.name for c in source.columns]), min_size=1, max_size=4, unique=True)
            )
    elif kind == "add_view":
        b.view()
    elif kind == "drop_view" and schema.views:
        schema.views.remove(b.pick(schema.views))
    elif kind == "enum_label" and schema.enum:
        labels = schema.enum.labels
        if len(labels) > 1 and b.flip(0.3):
            labels.remove(b.pick(labels))
        else:
            new = b.schema.name("label {n}")
            labels.insert(b.draw(st.integers(0, len(labels))), new)
    elif kind.startswith("rename_"):
        _rename(b, table, kind.removeprefix("rename_"))
    elif kind in ("trigger", "policy", "grant", "comment", "table_statistics", "column_settings"):
        _change_extras(b, table, kind)
    elif kind == "domain":
        if schema.domain:  # its CHECK changes under the columns of it
            schema.domain = (schema.domain[0], next(c for c in DOMAIN_CHECKS if c != schema.domain[1]))
        else:
            schema.domain = (b.new_name(), b.pick(DOMAIN_CHECKS))
            table.columns.append(b.column(table, "domain"))
    elif kind == "default_privileges":  # written elsewhere among the tables, another privilege, or gone
        place = b.draw(st.integers(0, len(schema.tables)))
        schema.default_privileges = (
            None if schema.default_privileges and b.flip(0.3) else (place, b.pick(["SELECT", "INSERT, UPDATE", "ALL"]))
        )
    elif kind == "extension":  # the way back drops the extension with what uses it
        schema.extension = True
        table.columns.append(b.column(table, "citext"))
    elif kind == "sequence" and schema.sequences:
        seq = b.pick(schema.sequences)
        change = b.pick(["increment", "start", "maxvalue", "cycle", "drop"])
        if change == "increment":
            seq.increment = b.pick([1, 3, 5])
        elif change == "start":
            seq.start = b.draw(st.integers(1, 100))
        elif change == "maxvalue":
            seq.maxvalue = None if seq.maxvalue else 1_000_000
        elif change == "cycle":
            seq.cycle = not seq.cycle
        else:
            schema.sequences.remove(seq)


def _rename(b: Builder, table: Table, what: str) -> None:
    """Rename as the files would: the object's new name, a directive naming the old one, and every reference
    following it (`link_renames` gives the other file its directive)."""
    schema = b.schema
    if what == "table":
        free = [n for n in TABLE_NAMES if not schema.has_table(n) and n not in schema.retired_tables]
        old, new = table.name, (b.pick(free) if free else b.new_name())
        table.name, table.previous = new, table.previous or old
        schema.retired_tables.add(old)
        for view in schema.views:
            view.table = new if view.table == old else view.table
        for other in schema.tables:
            for fk in other.foreign_keys:
                fk.ref_table = new if fk.ref_table == old else fk.ref_table
    elif what == "column":
        column = b.pick(table.columns)
        taken = {c.name for c in table.columns}
        free = [n for n in COLUMN_NAMES if n not in taken and n not in schema.retired]
        old, new = column.name, (b.pick(free) if free else b.new_name())
        column.name, column.previous = new, column.previous or old
        schema.retired.add(old)
        _follow_column(schema, table, old, new)
    elif what == "index" and table.indexes:
        index = b.pick(table.indexes)
        index.name, index.previous = b.new_name(), index.previous or index.name
    elif what == "check" and table.checks:
        check = b.pick(table.checks)
        check.name, check.previous = b.new_name(), check.previous or check.name


def _follow_column(schema: Schema, table: Table, old: str, new: str) -> None:
    """Every reference to `table`'s column `old` now names `new`."""

    def renamed(names: list[str]) -> list[str]:
        return [new if name == old else name for name in names]

    table.primary_key = renamed(table.primary_key)
    table.partition_key = new if table.partition_key == old else table.partition_key
    for unique in table.uniques:
        unique.columns, unique.include = renamed(unique.columns), renamed(unique.include)
    for item in [*table.checks, *table.foreign_keys, *table.excludes, *table.triggers, *table.policies]:
        item.column = new if item.column == old else item.column
    for index in table.indexes:
        index.keys = [(new if column == old else column, form) for column, form in index.keys]
        index.include = renamed(index.include)
        index.predicate = new if index.predicate == old else index.predicate
    for grant in table.grants:
        grant.columns = renamed(grant.columns)
    for statistics in table.statistics:
        statistics.columns = renamed(statistics.columns)
    for view in schema.views:
        if view.table == table.name:
            view.columns = renamed(view.columns)
            view.where = new if view.where == old else view.where


def _change_extras(b: Builder, table: Table, kind: str) -> None:
    if kind == "trigger":
        if table.triggers and b.flip():
            trigger = b.pick(table.triggers)
            if b.flip():
                table.triggers.remove(trigger)
            else:
                trigger.when = not trigger.when
        else:
            b.add_trigger(table)
    elif kind == "policy":
        if table.policies and b.flip():
            table.policies.remove(b.pick(table.policies))
        elif table.row_security and not table.policies and b.flip(0.3):
            table.row_security = False
        else:
            table.row_security = True
            b.add_policy(table)
    elif kind == "grant":
        if table.grants and b.flip():
            grant = b.pick(table.grants)
            if b.flip():
                table.grants.remove(grant)
            else:  # the same privilege moves between the table and its columns
                grant.columns = [] if grant.columns else [b.pick(table.columns).name]
                same = [
                    g for g in table.grants if g.privilege == grant.privilege and bool(g.columns) == bool(grant.columns)
                ]
                if len(same) > 1 or (grant.columns and grant.privilege not in COLUMN_GRANTABLE):
                    table.grants.remove(grant)
        else:
            b.add_grant(table)
    elif kind == "comment":
        if b.flip():
            table.comment = None if table.comment is not None and b.flip() else b.pick(COMMENTS)
        else:
            column = b.pick(table.columns)
            column.comment = None if column.comment is not None and b.flip() else b.pick(COMMENTS)
    elif kind == "table_statistics":
        if table.statistics and b.flip():
            table.statistics.remove(b.pick(table.statistics))
        else:
            b.add_statistics(table)
    else:
        b.change_column_settings(b.pick(table.columns))


def link_renames(original: Schema, changed: Schema) -> None:
    """Give `original` the directives of the way back: each object a mutation renamed, in the original, is
    `renamed from` its new name, so planning changed -> original renames it back."""
    tables = {table.name: table for table in original.tables}
    for table in changed.tables:
        before = tables.get(table.previous or table.name)
        if before is None:
            continue
        if table.previous:
            before.previous = table.name
        columns = {column.name: column for column in before.columns}
        for column in table.columns:
            if column.previous and column.previous in columns:
                columns[column.previous].previous = column.name
        for named in ("indexes", "checks"):
            found = {item.name: item for item in getattr(before, named)}
            for item in getattr(table, named):
                if item.previous and item.previous in found:
                    found[item.previous].previous = item.name


def _drop_or_alter_constraint(b: Builder, table: Table, alter: bool) -> None:
    kinds = [k for k in ("uniques", "checks", "foreign_keys", "excludes") if getattr(table, k)]
    if not kinds:
        return
    kind = b.pick(kinds)
    items = getattr(table, kind)
    item = b.pick(items)
    if not alter:
        items.remove(item)
    elif isinstance(item, Unique) and b.major >= 15:
        item.nulls_not_distinct = not item.nulls_not_distinct
    elif isinstance(item, Unique):  # before NULLS NOT DISTINCT, the other property a unique key can change
        item.deferrable = not item.deferrable
    elif isinstance(item, Check):
        item.template = b.pick(CHECKS[table.column(item.column).family])
    elif isinstance(item, ForeignKey):
        item.on_delete = b.pick(ON_DELETE)
        item.deferrable = not item.deferrable
    elif isinstance(item, Exclude):
        item.partial = not item.partial


@st.composite
def schema_pairs(draw: st.DrawFn, major: int) -> tuple[Schema, Schema]:
    """A schema and a copy changed by one to four mutations, both loadable on PostgreSQL `major`."""
    original = draw(schemas(major))
    changed = copy.deepcopy(original)
    b = Builder(draw, changed, major)
    for kind in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4)):
        mutate(b, kind)
        changed.prune()
    link_renames(original, changed)
    return original, changed
