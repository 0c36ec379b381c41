"""What every YAML-to-SQL converter shares: located values, emitting statements, comments and grants.

A YAML object becomes the SQL a user would write for it; every statement carries the file and the line
of the YAML object it came from, so the shadow database's errors point back into the YAML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pgdiff.errors import SourceError
from pgdiff.model import Comment, ObjectRef
from pgdiff.plan.ddl import comment_on, storage_parameters
from pgdiff.plan.privileges import grant_sql, revoke_sql
from pgdiff.quoting import ident, literal, qualified
from pgdiff.source.directives import Conversion, Rename, check_expression
from pgdiff.source.sql import SqlStatement
from pgdiff.source.yaml_schema import where

DEFAULT_SCHEMA = "public"


class Located:
    """A YAML mapping's plain values plus the node of each key, for positions."""

    def __init__(self, data: dict[str, Any], node: yaml.MappingNode) -> None:
        self.data = data
        self.nodes = {key.value: value for key, value in node.value}
        self.node = node

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def sub(self, key: str) -> Located | None:
        """The mapping under `key`, or None when absent or not a mapping (a scalar shorthand)."""
        node = self.nodes.get(key)
        if not isinstance(node, yaml.MappingNode):
            return None
        return Located(self.data[key], node)

    def items(self, key: str) -> list[Located]:
        node = self.nodes.get(key)
        if node is None:
            return []
        return [Located(value, item) for value, item in zip(self.data[key], node.value, strict=True)]

    def entries(self, key: str) -> list[tuple[Any, yaml.Node]]:
        """A list's values with their nodes, whatever the values are."""
        node = self.nodes.get(key)
        if node is None:
            return []
        return list(zip(self.data[key], node.value, strict=True))

    def line(self) -> int:
        return self.node.start_mark.line + 1


def value_sql(value: Any) -> str:
    """A YAML scalar as an SQL value: numbers and booleans as written, strings as literals."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return literal(str(value))


def options_sql(options: dict[str, Any]) -> str:
    """Storage parameters, `WITH (...)`'s inside, written by the planner's own writer (`toast.` names too)."""
    return storage_parameters((str(name), _parameter_text(value)) for name, value in options.items())


def _parameter_text(value: Any) -> str:
    """A YAML scalar as a storage parameter's text: booleans as PostgreSQL spells them, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def split_name(name: str, default_schema: str) -> tuple[str, str]:
    """`schema.name` or `name`, for references written as one string (a function, a table)."""
    schema, dot, rest = name.partition(".")
    return (schema, rest) if dot else (default_schema, name)


def dotted(name: str) -> str:
    """A possibly schema-qualified name (a collation: `C`, `app.bytes`), each part quoted."""
    return ".".join(ident(part) for part in name.split("."))


class ConverterBase:
    def __init__(self, path: Path, default_schema: str) -> None:
        self.path = path
        self.default_schema = default_schema
        self.statements: list[SqlStatement] = []
        self.renames: list[Rename] = []
        self.conversions: list[Conversion] = []

    def emit(self, sql: str, line: int) -> None:
        self.statements.append(SqlStatement(sql, self.path, line))

    def fail(self, node: yaml.Node, message: str) -> SourceError:
        return SourceError(f"{where(self.path, node)}: {message}")

    def rename(self, kind: str, key: tuple[str, ...], item: Located) -> None:
        old = item.get("renamed_from")
        if old:
            self.renames.append(Rename(kind, key, old, where(self.path, item.nodes["renamed_from"])))

    def conversion(self, key: tuple[str, str, str], column: Located) -> None:
        """A column's `using:`: the USING expression of its type change."""
        expression = column.get("using")
        if expression is not None:
            at = where(self.path, column.nodes["using"])
            self.conversions.append(Conversion(key, check_expression(str(expression), at), at))

    def schema_of(self, item: Located) -> str:
        return str(item.get("schema", self.default_schema))

    def comment(self, ref: ObjectRef, item: Located) -> None:
        text = item.get("comment")
        if text is not None:
            comment = Comment(ref.kind, ref.schema, ref.name, ref.table, ref.arguments, text=str(text))
            self.emit(comment_on(comment, str(text)), item.line())

    def grants(self, ref: ObjectRef, item: Located, known_columns: set[str] | None = None) -> None:
        """`grants:` ({to, privileges, grantable, columns}) and `revoke:` ({from, privileges}) of an object."""
        for revoke in item.items("revoke"):
            privileges = [str(p).upper() for p in revoke.get("privileges", [])]
            self.emit(revoke_sql(ref, privileges, str(revoke.get("from"))), revoke.line())
        for grant in item.items("grants"):
            privileges = [str(p).upper() for p in grant.get("privileges", [])]
            option = bool(grant.get("grantable"))
            columns = grant.get("columns")
            if columns:
                self.check_columns(grant, "columns", known_columns)
                listed = ", ".join(ident(c) for c in columns)
                on = ", ".join(f"{p} ({listed})" for p in privileges)
                to = "PUBLIC" if grant.get("to") == "PUBLIC" else ident(str(grant.get("to")))
                sql = f"GRANT {on} ON TABLE {qualified(ref.schema, ref.name)} TO {to}"
                self.emit(sql + (" WITH GRANT OPTION" if option else ""), grant.line())
            else:
                self.emit(grant_sql(ref, privileges, str(grant.get("to")), with_grant_option=option), grant.line())

    def check_columns(self, item: Located, key: str, known: set[str] | None) -> str:
        """The quoted list of the column names under `key`, each checked against the table's columns."""
        names = item.get(key) or []
        for index, name in enumerate(names):
            if known is not None and str(name) not in known:
                raise self.fail(item.nodes[key].value[index], f"no column {name!r} in this table")
        return ", ".join(ident(str(n)) for n in names)
