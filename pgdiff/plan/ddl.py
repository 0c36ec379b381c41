"""SQL text for each object kind. Every name goes through `pgdiff.quoting`."""

from __future__ import annotations

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
        parts.append("NOT NULL")
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
