"""SQL text for each object kind. Every name goes through `pgdiff.quoting`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pgdiff.model import (
    COLLATION_PROVIDERS,
    POLICY_COMMANDS,
    REPLICA_IDENTITIES,
    TRIGGER_ENABLED,
    Collation,
    Column,
    Comment,
    CompositeType,
    Constraint,
    Domain,
    EnumType,
    Extension,
    Function,
    Index,
    ObjectRef,
    Policy,
    QualifiedName,
    RangeType,
    RowSecurity,
    Sequence,
    Statistics,
    Table,
    Trigger,
    View,
    sequence_defaults,
)
from pgdiff.quoting import ident, literal, qualified


def column_definition(column: Column, table: str | None = None) -> str:
    """The column as CREATE TABLE or ADD COLUMN writes it; `table` lets a default NOT NULL name go unsaid."""
    parts = [ident(column.name), column.type]
    if column.collation:
        parts.append(f"COLLATE {column.collation}")
    if column.generated:
        parts.append(f"GENERATED ALWAYS AS ({column.sql_default}) {column.generated.upper()}")
    elif column.default is not None:
        parts.append(f"DEFAULT {column.sql_default}")
    if column.identity:
        parts.append(identity_clause(column))
    if column.not_null:
        default_name = f"{table}_{column.name}_not_null" if table else None
        named = column.not_null_name and column.not_null_name != default_name
        parts.append(f"CONSTRAINT {ident(column.not_null_name)} NOT NULL" if named else "NOT NULL")
    return " ".join(parts)


def identity_clause(column: Column) -> str:
    """`GENERATED ... AS IDENTITY`, with the sequence options that are not the defaults."""
    options = " ".join(identity_option(name, value) for name, value in column.identity_options)
    return f"GENERATED {column.identity.upper()} AS IDENTITY" + (f" ({options})" if options else "")


def identity_option(name: str, value: str) -> str:
    if name == "CYCLE":
        return "CYCLE" if value == "YES" else "NO CYCLE"
    return f"{name} {value}"


# What a partition created standalone, to be attached, must copy from its parent: ATTACH requires the parent's
# CHECK constraints, and PARTITION OF would have copied the defaults and generation expressions.
LIKE_PARENT = "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED"


def create_table(table: Table, inline_constraints: list[Constraint], *, like: QualifiedName | None = None) -> str:
    """CREATE TABLE; a partition as PARTITION OF its parent, or (`like`) standalone with its parent's columns."""
    constraints = [f"CONSTRAINT {ident(c.name)} {c.sql}" for c in inline_constraints]
    unlogged = "UNLOGGED " if table.unlogged else ""
    name = qualified(table.schema, table.name)
    if table.parent is not None and like is None:
        # The partition's own NOT NULLs (PostgreSQL 18 names them for the partition, not for its parent).
        not_nulls = [
            f"{ident(column)} CONSTRAINT {ident(name)} NOT NULL" if name else f"{ident(column)} NOT NULL"
            for column, name in table.own_not_nulls
        ]
        lines = not_nulls + constraints
        body = " (\n" + ",\n".join(f"    {line}" for line in lines) + "\n)" if lines else ""
        sql = f"CREATE {unlogged}TABLE {name} PARTITION OF {qualified(*table.parent)}{body}\n{table.bound}"
    else:
        lines = [f"LIKE {qualified(*like)} {LIKE_PARENT}"] if like else []
        lines += [column_definition(c, table.name) for c in table.columns] + constraints
        body = ",\n".join(f"    {line}" for line in lines)
        sql = f"CREATE {unlogged}TABLE {name} (\n{body}\n)"
        if table.inherits:
            sql += f"\nINHERITS ({', '.join(qualified(*parent) for parent in table.inherits)})"
    if table.partition_key:
        sql += f"\nPARTITION BY {table.partition_key}"
    if table.options:
        sql += f"\nWITH ({storage_options(table.ordered_options)})"
    return sql


def storage_options(options: tuple[str, ...]) -> str:
    """Reloptions as the catalog holds them (`name=value`), as WITH (...) and SET (...) take them."""
    return storage_parameters(option.partition("=")[::2] for option in options)


def storage_parameters(pairs: Iterable[tuple[str, str]]) -> str:
    """The one writer of storage parameters (tables, indexes, views, from the catalog or from YAML): the
    inside of WITH (...) and SET (...), each value a literal (PostgreSQL reads `'80'` as 80, `'off'` as
    false), each name as `storage_parameter_name` writes it."""
    return ", ".join(f"{storage_parameter_name(name)} = {literal(value)}" for name, value in pairs)


def reset_storage_parameters(names: Iterable[str]) -> str:
    """The inside of RESET (...)."""
    return ", ".join(storage_parameter_name(name) for name in names)


def storage_parameter_name(name: str) -> str:
    """`toast.autovacuum_enabled` names the TOAST table's parameter: a namespace and a name, each an
    identifier (quoted as one, `"toast.autovacuum_enabled"` is an unknown parameter)."""
    return ".".join(ident(part) for part in name.split(".", 1))


def alter_storage_options(table: Table, old: Table) -> list[str]:
    """SET the parameters that are new or changed, RESET those that go, so that the table ends with them in
    the desired order (which pg_dump prints): SET keeps the parameters it does not name where they are and
    puts those it names at the end, so the ones past the longest desired prefix kept as it is are set again."""
    old_order = [option.partition("=")[::2] for option in old.ordered_options]
    new_order = [option.partition("=")[::2] for option in table.ordered_options]
    old_values, new_values = dict(old_order), dict(new_order)
    setting: list[tuple[str, str]] = []
    for toast in (False, True):
        old_part = [name for name, _ in old_order if name.startswith("toast.") == toast]
        new_part = [(name, value) for name, value in new_order if name.startswith("toast.") == toast]
        setting += new_part[_kept_prefix(old_part, new_part, old_values) :]
    gone = sorted(old_values.keys() - new_values.keys())
    actions = []
    if setting:
        actions.append(f"SET ({storage_parameters(setting)})")
    if gone:
        actions.append(f"RESET ({reset_storage_parameters(gone)})")
    return [alter_table(table.schema, table.name, action) for action in actions]


def _kept_prefix(old_names: list[str], new: list[tuple[str, str]], old_values: dict[str, str]) -> int:
    """How many of `new`'s first parameters can stay untouched: unchanged, and in `old_names`'s order."""
    for length in range(len(new), -1, -1):
        prefix = new[:length]
        names = {name for name, _ in prefix}
        if all(old_values.get(name) == value for name, value in prefix) and [
            name for name in old_names if name in names
        ] == [name for name, _ in prefix]:
            return length
    return 0


def replica_identity(table: Table) -> str:
    identity = REPLICA_IDENTITIES[table.replica_identity]
    if table.replica_identity == "i":
        identity += f" {ident(table.replica_index or '')}"
    return alter_table(table.schema, table.name, f"REPLICA IDENTITY {identity}")


def attach_partition(parent: QualifiedName, table: Table) -> str:
    return alter_table(*parent, f"ATTACH PARTITION {qualified(table.schema, table.name)} {table.bound}")


def detach_partition(parent: QualifiedName, table: Table, mode: str = "") -> str:
    """`mode`: "" (ACCESS EXCLUSIVE on the parent), "CONCURRENTLY" or "FINALIZE"."""
    suffix = f" {mode}" if mode else ""
    return alter_table(*parent, f"DETACH PARTITION {qualified(table.schema, table.name)}{suffix}")


def inherit(table: Table, parent: QualifiedName, *, no: bool = False) -> str:
    return alter_table(table.schema, table.name, f"{'NO ' if no else ''}INHERIT {qualified(*parent)}")


def attach_index(schema: str, parent_index: str, child_schema: str, child_index: str) -> str:
    return f"ALTER INDEX {qualified(schema, parent_index)} ATTACH PARTITION {qualified(child_schema, child_index)}"


def drop_table(table: Table) -> str:
    return f"DROP TABLE {qualified(table.schema, table.name)}"


def alter_table(schema: str, table: str, action: str) -> str:
    return f"ALTER TABLE {qualified(schema, table)} {action}"


def alter_table_only(schema: str, table: str, action: str) -> str:
    """ALTER TABLE ONLY: the action does not reach the table's partitions and children."""
    return f"ALTER TABLE ONLY {qualified(schema, table)} {action}"


def add_constraint(constraint: Constraint, *, not_valid: bool = False) -> str:
    suffix = " NOT VALID" if not_valid else ""
    return alter_table(
        constraint.schema,
        constraint.table,
        f"ADD CONSTRAINT {ident(constraint.name)} {constraint.sql}{suffix}",
    )


def drop_constraint(constraint: Constraint) -> str:
    return alter_table(constraint.schema, constraint.table, f"DROP CONSTRAINT {ident(constraint.name)}")


def validate_constraint(constraint: Constraint) -> str:
    return alter_table(constraint.schema, constraint.table, f"VALIDATE CONSTRAINT {ident(constraint.name)}")


def create_index(index: Index, *, concurrently: bool = False, only: bool = False) -> str:
    """`only`: on a partitioned table, the index of that table alone (invalid until every partition's is attached)."""
    unique = "UNIQUE " if index.unique else ""
    concurrent = "CONCURRENTLY " if concurrently else ""
    on = "ONLY " if only else ""
    return (
        f"CREATE {unique}INDEX {concurrent}{ident(index.name)} "
        f"ON {on}{qualified(index.schema, index.table)} USING {ident(index.method)} {index.sql_body}"
    )


def drop_index(index: Index, *, concurrently: bool = False) -> str:
    concurrent = "CONCURRENTLY " if concurrently else ""
    return f"DROP INDEX {concurrent}{qualified(index.schema, index.name)}"


def create_schema(name: str) -> str:
    return f"CREATE SCHEMA {ident(name)}"


def drop_schema(name: str) -> str:
    return f"DROP SCHEMA {ident(name)}"


def create_extension(extension: Extension) -> str:
    version = f" VERSION {literal(extension.version)}" if extension.version is not None else ""
    return f"CREATE EXTENSION IF NOT EXISTS {ident(extension.name)} WITH SCHEMA {ident(extension.schema)}{version}"


def update_extension(extension: Extension) -> str:
    return f"ALTER EXTENSION {ident(extension.name)} UPDATE TO {literal(extension.version or '')}"


def drop_extension(extension: Extension) -> str:
    return f"DROP EXTENSION {ident(extension.name)}"


def alter_extension_schema(extension: Extension) -> str:
    return f"ALTER EXTENSION {ident(extension.name)} SET SCHEMA {ident(extension.schema)}"


def rename(kind: str, key: tuple[str, ...], old_name: str) -> str:
    """ALTER ... RENAME for a table, column, constraint, index or sequence; `key` is the new identity."""
    if kind in ("table", "index", "sequence"):
        return f"ALTER {kind.upper()} {qualified(key[0], old_name)} RENAME TO {ident(key[1])}"
    what = "COLUMN" if kind == "column" else "CONSTRAINT"
    return alter_table(key[0], key[1], f"RENAME {what} {ident(old_name)} TO {ident(key[2])}")


def rename_index(schema: str, old_name: str, new_name: str) -> str:
    return f"ALTER INDEX {qualified(schema, old_name)} RENAME TO {ident(new_name)}"


def drop_index_if_exists(schema: str, name: str) -> str:
    """Removes what a failed CREATE INDEX CONCURRENTLY leaves behind."""
    return f"DROP INDEX CONCURRENTLY IF EXISTS {qualified(schema, name)}"


_KEY_DEFINITION = re.compile(
    r"(?P<kind>PRIMARY KEY|UNIQUE)(?P<nulls> NULLS NOT DISTINCT)? (?P<columns>\(.*?\))"
    r"(?P<include> INCLUDE \(.*?\))?(?P<with> WITH \(.*\))?(?P<deferrable> DEFERRABLE(?: INITIALLY DEFERRED)?)?"
)


def parse_key(constraint: Constraint) -> re.Match[str] | None:
    """The parts of a PRIMARY KEY/UNIQUE definition, or None when it has a form we do not rebuild online."""
    return _KEY_DEFINITION.fullmatch(constraint.definition)


def unique_index_for_key(constraint: Constraint, key: re.Match[str]) -> str:
    """CREATE UNIQUE INDEX CONCURRENTLY with the key's columns, INCLUDE, NULLS and storage parameters."""
    table = qualified(constraint.schema, constraint.table)
    parts = [f"CREATE UNIQUE INDEX CONCURRENTLY {ident(constraint.name)} ON {table} USING btree {key['columns']}"]
    parts += [key[group].strip() for group in ("include", "nulls", "with") if key[group]]
    return " ".join(parts)


def add_key_using_index(constraint: Constraint, key: re.Match[str]) -> str:
    deferrable = key["deferrable"] or ""
    action = f"ADD CONSTRAINT {ident(constraint.name)} {key['kind']} USING INDEX {ident(constraint.name)}{deferrable}"
    return alter_table(constraint.schema, constraint.table, action)


def not_null_check(schema: str, table: str, column: str, name: str) -> str:
    action = f"ADD CONSTRAINT {ident(name)} CHECK ({ident(column)} IS NOT NULL) NOT VALID"
    return alter_table(schema, table, action)


def not_null_constraint_not_valid(schema: str, table: str, column: str, name: str) -> str:
    """PostgreSQL 18: a NOT NULL constraint that is checked later, by VALIDATE."""
    return alter_table(schema, table, f"ADD CONSTRAINT {ident(name)} NOT NULL {ident(column)} NOT VALID")


def validate_named(schema: str, table: str, name: str) -> str:
    return alter_table(schema, table, f"VALIDATE CONSTRAINT {ident(name)}")


def drop_named_constraint(schema: str, table: str, name: str) -> str:
    return alter_table(schema, table, f"DROP CONSTRAINT {ident(name)}")


def truncate_identifier(name: str) -> str:
    """PostgreSQL keeps the first 63 bytes of a name; cut on a character boundary."""
    return name.encode()[:63].decode(errors="ignore")


# -- sequences and types ------------------------------------------------------------------


def sequence_options(sequence: Sequence, names: tuple[str, ...] | None = None) -> str:
    """`AS ... INCREMENT BY ... MINVALUE ...`: the options `names` (default: those not at their defaults)."""
    defaults = sequence_defaults(sequence.data_type, int(sequence.increment))
    values = {
        "data_type": f"AS {sequence.data_type}",
        "increment": f"INCREMENT BY {sequence.increment}",
        "minvalue": f"MINVALUE {sequence.minvalue}",
        "maxvalue": f"MAXVALUE {sequence.maxvalue}",
        "start": f"START WITH {sequence.start}",
        "cache": f"CACHE {sequence.cache}",
        "cycle": "CYCLE" if sequence.cycle else "NO CYCLE",
    }
    if names is None:
        names = tuple(
            name
            for name, differs in (
                ("data_type", sequence.data_type != "bigint"),
                ("increment", sequence.increment != "1"),
                ("minvalue", sequence.minvalue != defaults["minvalue"]),
                ("maxvalue", sequence.maxvalue != defaults["maxvalue"]),
                ("start", sequence.start != (sequence.minvalue if int(sequence.increment) > 0 else sequence.maxvalue)),
                ("cache", sequence.cache != "1"),
                ("cycle", sequence.cycle),
            )
            if differs
        )
    return " ".join(values[name] for name in values if name in names)


def create_sequence(sequence: Sequence) -> str:
    unlogged = "UNLOGGED " if sequence.unlogged else ""
    options = sequence_options(sequence)
    return f"CREATE {unlogged}SEQUENCE {qualified(sequence.schema, sequence.name)}" + (f" {options}" if options else "")


def alter_sequence(sequence: Sequence, action: str) -> str:
    return f"ALTER SEQUENCE {qualified(sequence.schema, sequence.name)} {action}"


def sequence_owner(owned_by: tuple[str, str, str] | None) -> str:
    if owned_by is None:
        return "OWNED BY NONE"
    return f"OWNED BY {qualified(owned_by[0], owned_by[1])}.{ident(owned_by[2])}"


def drop_sequence(sequence: Sequence) -> str:
    return f"DROP SEQUENCE {qualified(sequence.schema, sequence.name)}"


def create_enum(enum: EnumType) -> str:
    labels = ", ".join(literal(label) for label in enum.labels)
    return f"CREATE TYPE {qualified(enum.schema, enum.name)} AS ENUM ({labels})"


def add_enum_value(enum: EnumType, label: str, neighbour: str | None, before: bool) -> str:
    sql = f"ALTER TYPE {qualified(enum.schema, enum.name)} ADD VALUE {literal(label)}"
    if neighbour is not None:
        sql += f" {'BEFORE' if before else 'AFTER'} {literal(neighbour)}"
    return sql


def composite_attribute(attribute: tuple[str, str, str | None]) -> str:
    name, type_, collation = attribute
    return f"{ident(name)} {type_}" + (f" COLLATE {collation}" if collation else "")


def create_composite(composite: CompositeType) -> str:
    body = ", ".join(composite_attribute(a) for a in composite.attributes)
    return f"CREATE TYPE {qualified(composite.schema, composite.name)} AS ({body})"


def alter_type(schema: str, name: str, action: str) -> str:
    return f"ALTER TYPE {qualified(schema, name)} {action}"


def create_domain(domain: Domain) -> str:
    parts = [f"CREATE DOMAIN {qualified(domain.schema, domain.name)} AS {domain.base_type}"]
    if domain.collation:
        parts.append(f"COLLATE {domain.collation}")
    if domain.default is not None:
        parts.append(f"DEFAULT {domain.default}")
    if domain.not_null:
        parts.append("NOT NULL")
    parts += [f"CONSTRAINT {ident(check.name)} {check.sql}" for check in domain.checks if check.validated]
    return " ".join(parts)


def alter_domain(domain: Domain, action: str) -> str:
    return f"ALTER DOMAIN {qualified(domain.schema, domain.name)} {action}"


def create_range(range_type: RangeType) -> str:
    options = [f"SUBTYPE = {range_type.subtype}"]
    if range_type.opclass:
        options.append(f"SUBTYPE_OPCLASS = {range_type.opclass}")
    if range_type.collation:
        options.append(f"COLLATION = {range_type.collation}")
    if range_type.canonical:
        options.append(f"CANONICAL = {range_type.canonical}")
    if range_type.subtype_diff:
        options.append(f"SUBTYPE_DIFF = {range_type.subtype_diff}")
    if range_type.multirange:
        options.append(f"MULTIRANGE_TYPE_NAME = {range_type.multirange}")
    return f"CREATE TYPE {qualified(range_type.schema, range_type.name)} AS RANGE ({', '.join(options)})"


def drop_type(schema: str, name: str, *, domain: bool = False) -> str:
    return f"DROP {'DOMAIN' if domain else 'TYPE'} {qualified(schema, name)}"


# -- functions, triggers, views and materialized views ------------------------------------


def create_function(function: Function, *, replace_existing: bool = False) -> str:
    """pg_get_functiondef() is the whole CREATE OR REPLACE statement, every name qualified by the server."""
    if replace_existing:
        return function.definition
    return re.sub(r"^CREATE OR REPLACE ", "CREATE ", function.definition, count=1)


def drop_function(function: Function) -> str:
    what = "PROCEDURE" if function.kind == "p" else "FUNCTION"
    return f"DROP {what} {qualified(function.schema, function.name)}({function.identity_arguments})"


def create_trigger(trigger: Trigger, *, replace_existing: bool = False) -> str:
    """pg_get_triggerdef(), as CREATE OR REPLACE TRIGGER (PostgreSQL 14+) to change one in place."""
    if replace_existing:
        return re.sub(r"^CREATE TRIGGER ", "CREATE OR REPLACE TRIGGER ", trigger.sql, count=1)
    return trigger.sql


def drop_trigger(trigger: Trigger) -> str:
    return f"DROP TRIGGER {ident(trigger.name)} ON {qualified(trigger.schema, trigger.table)}"


def enable_trigger(trigger: Trigger) -> str:
    action = f"{TRIGGER_ENABLED[trigger.enabled]} TRIGGER {ident(trigger.name)}"
    return alter_table(trigger.schema, trigger.table, action)


def create_view(view: View, *, replace_existing: bool = False) -> str:
    name = qualified(view.schema, view.name)
    options = f" WITH ({storage_options(view.options)})" if view.options else ""
    if view.materialized:
        data = "" if view.populated else " WITH NO DATA"
        return f"CREATE MATERIALIZED VIEW {name}{options} AS\n{view.sql}{data}"
    verb = "CREATE OR REPLACE VIEW" if replace_existing else "CREATE VIEW"
    return f"{verb} {name}{options} AS\n{view.sql}"


def drop_view(view: View) -> str:
    what = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    return f"DROP {what} {qualified(view.schema, view.name)}"


def rename_view_column(view: View, old: str, new: str) -> str:
    what = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    return f"ALTER {what} {qualified(view.schema, view.name)} RENAME COLUMN {ident(old)} TO {ident(new)}"


def alter_view_options(view: View, old: View) -> str:
    """SET the options `view` has and RESET those only `old` has."""
    what = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    gone = sorted({o.partition("=")[0] for o in old.options} - {o.partition("=")[0] for o in view.options})
    actions = []
    if view.options:
        actions.append(f"SET ({storage_options(view.options)})")
    if gone:
        actions.append(f"RESET ({reset_storage_parameters(gone)})")
    return f"ALTER {what} {qualified(view.schema, view.name)} " + ", ".join(actions)


def refresh_materialized_view(view: View) -> str:
    data = "" if view.populated else " WITH NO DATA"
    return f"REFRESH MATERIALIZED VIEW {qualified(view.schema, view.name)}{data}"


# -- row-level security ---------------------------------------------------------------------


def row_security(security: RowSecurity, *, enabled: bool | None = None, forced: bool | None = None) -> str:
    """ALTER TABLE ... ENABLE/DISABLE and FORCE/NO FORCE ROW LEVEL SECURITY, for the switches given."""
    actions = []
    if enabled is not None:
        actions.append("ENABLE ROW LEVEL SECURITY" if enabled else "DISABLE ROW LEVEL SECURITY")
    if forced is not None:
        actions.append("FORCE ROW LEVEL SECURITY" if forced else "NO FORCE ROW LEVEL SECURITY")
    return f"ALTER TABLE {qualified(security.schema, security.table)} {', '.join(actions)}"


def _policy_clauses(policy: Policy) -> str:
    parts = [f"TO {', '.join(policy.roles)}"]
    if policy.using is not None:
        parts.append(f"USING ({policy.written_using or policy.using})")
    if policy.check is not None:
        parts.append(f"WITH CHECK ({policy.written_check or policy.check})")
    return " ".join(parts)


def create_policy(policy: Policy) -> str:
    kind = "PERMISSIVE" if policy.permissive else "RESTRICTIVE"
    command = POLICY_COMMANDS[policy.command]
    table = qualified(policy.schema, policy.table)
    return f"CREATE POLICY {ident(policy.name)} ON {table} AS {kind} FOR {command} {_policy_clauses(policy)}"


def alter_policy(policy: Policy) -> str:
    return f"ALTER POLICY {ident(policy.name)} ON {qualified(policy.schema, policy.table)} {_policy_clauses(policy)}"


def drop_policy(policy: Policy) -> str:
    return f"DROP POLICY {ident(policy.name)} ON {qualified(policy.schema, policy.table)}"


# -- collations and extended statistics -------------------------------------------------------


def create_collation(collation: Collation) -> str:
    options = [f"provider = {COLLATION_PROVIDERS[collation.provider]}"]
    if collation.provider == "c":
        options.append(f"lc_collate = {literal(collation.lc_collate or '')}")
        options.append(f"lc_ctype = {literal(collation.lc_ctype or '')}")
    else:
        # Before PostgreSQL 15 an ICU locale was kept in collcollate.
        options.append(f"locale = {literal(collation.locale or collation.lc_collate or '')}")
    if not collation.deterministic:
        options.append("deterministic = false")
    if collation.rules is not None:
        options.append(f"rules = {literal(collation.rules)}")
    return f"CREATE COLLATION {qualified(collation.schema, collation.name)} ({', '.join(options)})"


def drop_collation(collation: Collation) -> str:
    return f"DROP COLLATION {qualified(collation.schema, collation.name)}"


def create_statistics(statistics: Statistics) -> str:
    return statistics.definition  # pg_get_statisticsobjdef() is a complete, qualified CREATE STATISTICS


def alter_statistics_target(statistics: Statistics) -> str:
    target = -1 if statistics.target is None else statistics.target
    return f"ALTER STATISTICS {qualified(statistics.schema, statistics.name)} SET STATISTICS {target}"


def drop_statistics(statistics: Statistics) -> str:
    return f"DROP STATISTICS {qualified(statistics.schema, statistics.name)}"


# -- comments -------------------------------------------------------------------------------

# How SQL names each kind of object (COMMENT ON, ALTER ... OWNER TO); enums, composites and ranges are TYPEs.
_SQL_KIND = {"enum": "TYPE", "composite": "TYPE", "range": "TYPE"}


def sql_kind(kind: str) -> str:
    return _SQL_KIND.get(kind, kind.upper())


def object_name(ref: ObjectRef) -> str:
    """The object as statements about it name it: `schema.name`, `schema.f(args)`, a schema's bare name; a
    column's, constraint's, trigger's or policy's own name (their table follows, in each statement's way)."""
    if ref.kind == "schema" or ref.table is not None:
        return ident(ref.name)
    if ref.arguments is not None:
        return f"{qualified(ref.schema, ref.name)}({ref.arguments})"
    return qualified(ref.schema, ref.name)


def comment_on(comment: Comment, text: str | None) -> str:
    """COMMENT ON the object `comment` is about; `text` None removes the comment."""
    if comment.kind == "column":
        target = f"COLUMN {qualified(comment.schema, comment.table or '')}.{ident(comment.name)}"
    elif comment.table is not None:
        target = f"{sql_kind(comment.kind)} {ident(comment.name)} ON {qualified(comment.schema, comment.table)}"
    else:
        target = f"{sql_kind(comment.kind)} {object_name(comment)}"
    return f"COMMENT ON {target} IS {literal(text) if text is not None else 'NULL'}"
