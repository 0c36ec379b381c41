"""SQL text for each object kind. Every name goes through `pgdiff.quoting`."""

from __future__ import annotations

import re

from pgdiff.model import Column, Constraint, Extension, Index, Table
from pgdiff.quoting import ident, qualified


def column_definition(column: Column) -> str:
    parts = [ident(column.name), column.type]
    if column.collation:
        parts.append(f"COLLATE {column.collation}")
    if column.generated:
        parts.append(f"GENERATED ALWAYS AS ({column.default}) {column.generated.upper()}")
    elif column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    if column.identity:
        parts.append(identity_clause(column))
    if column.not_null:
        parts.append(f"CONSTRAINT {ident(column.not_null_name)} NOT NULL" if column.not_null_name else "NOT NULL")
    return " ".join(parts)


def identity_clause(column: Column) -> str:
    """`GENERATED ... AS IDENTITY`, with the sequence options that are not the defaults."""
    options = " ".join(identity_option(name, value) for name, value in column.identity_options)
    return f"GENERATED {column.identity.upper()} AS IDENTITY" + (f" ({options})" if options else "")


def identity_option(name: str, value: str) -> str:
    if name == "CYCLE":
        return "CYCLE" if value == "YES" else "NO CYCLE"
    return f"{name} {value}"


def create_table(table: Table, inline_constraints: list[Constraint]) -> str:
    lines = [column_definition(c) for c in table.columns]
    lines += [f"CONSTRAINT {ident(c.name)} {c.definition}" for c in inline_constraints]
    unlogged = "UNLOGGED " if table.unlogged else ""
    body = ",\n".join(f"    {line}" for line in lines)
    return f"CREATE {unlogged}TABLE {qualified(table.schema, table.name)} (\n{body}\n)"


def drop_table(table: Table) -> str:
    return f"DROP TABLE {qualified(table.schema, table.name)}"


def alter_table(schema: str, table: str, action: str) -> str:
    return f"ALTER TABLE {qualified(schema, table)} {action}"


def add_constraint(constraint: Constraint, *, not_valid: bool = False) -> str:
    suffix = " NOT VALID" if not_valid else ""
    return alter_table(
        constraint.schema,
        constraint.table,
        f"ADD CONSTRAINT {ident(constraint.name)} {constraint.definition}{suffix}",
    )


def drop_constraint(constraint: Constraint) -> str:
    return alter_table(constraint.schema, constraint.table, f"DROP CONSTRAINT {ident(constraint.name)}")


def validate_constraint(constraint: Constraint) -> str:
    return alter_table(constraint.schema, constraint.table, f"VALIDATE CONSTRAINT {ident(constraint.name)}")


def create_index(index: Index, *, concurrently: bool = False) -> str:
    unique = "UNIQUE " if index.unique else ""
    concurrent = "CONCURRENTLY " if concurrently else ""
    return (
        f"CREATE {unique}INDEX {concurrent}{ident(index.name)} "
        f"ON {qualified(index.schema, index.table)} USING {ident(index.method)} {index.body}"
    )


def drop_index(index: Index, *, concurrently: bool = False) -> str:
    concurrent = "CONCURRENTLY " if concurrently else ""
    return f"DROP INDEX {concurrent}{qualified(index.schema, index.name)}"


def create_schema(name: str) -> str:
    return f"CREATE SCHEMA {ident(name)}"


def drop_schema(name: str) -> str:
    return f"DROP SCHEMA {ident(name)}"


def create_extension(extension: Extension) -> str:
    return f"CREATE EXTENSION IF NOT EXISTS {ident(extension.name)} WITH SCHEMA {ident(extension.schema)}"


def drop_extension(extension: Extension) -> str:
    return f"DROP EXTENSION {ident(extension.name)}"


def alter_extension_schema(extension: Extension) -> str:
    return f"ALTER EXTENSION {ident(extension.name)} SET SCHEMA {ident(extension.schema)}"


def rename(kind: str, key: tuple[str, ...], old_name: str) -> str:
    """ALTER ... RENAME for a table, column, constraint or index; `key` is the new identity."""
    if kind == "table":
        return f"ALTER TABLE {qualified(key[0], old_name)} RENAME TO {ident(key[1])}"
    if kind == "index":
        return f"ALTER INDEX {qualified(key[0], old_name)} RENAME TO {ident(key[1])}"
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
