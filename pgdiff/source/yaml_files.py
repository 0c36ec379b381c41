"""YAML desired-state files: validated against the JSON Schema, then turned into SQL statements.

Each generated statement carries the YAML file and the line of the object it came from, so an error in
the shadow database reads `tables.yaml:12: type "jsonbb" does not exist`. `renamed_from:` keys become
the same renames as SQL's `-- pgdiff: renamed from` directives. The SQL is then loaded, ordered and
inspected exactly like hand-written SQL, so YAML and SQL files can reference each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pgdiff.errors import SourceError
from pgdiff.quoting import ident, qualified
from pgdiff.source.directives import Rename
from pgdiff.source.sql import SqlStatement
from pgdiff.source.yaml_schema import validate, where

DEFAULT_SCHEMA = "public"
YAML_SUFFIXES = (".yaml", ".yml")


class _Located:
    """A YAML mapping's plain values plus the node of each key, for positions."""

    def __init__(self, data: dict[str, Any], node: yaml.MappingNode) -> None:
        self.data = data
        self.nodes = {key.value: value for key, value in node.value}
        self.node = node

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def items(self, key: str) -> list[_Located]:
        node = self.nodes.get(key)
        if node is None:
            return []
        return [_Located(value, item) for value, item in zip(self.data[key], node.value, strict=True)]

    def line(self) -> int:
        return self.node.start_mark.line + 1


def load_yaml_file(path: Path) -> tuple[list[SqlStatement], list[Rename]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise SourceError(f"{path}: {error.strerror}") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return [], []
        validate(path, node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        position = f"{mark.line + 1}:{mark.column + 1}" if mark else "1:1"
        raise SourceError(f"{path}:{position}: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise SourceError(f"{path}: {error}") from None
    finally:
        loader.dispose()
    return _Converter(path, _Located(data, node)).convert()


class _Converter:
    def __init__(self, path: Path, document: _Located) -> None:
        self.path = path
        self.document = document
        self.default_schema = document.get("schema", DEFAULT_SCHEMA)
        self.statements: list[SqlStatement] = []
        self.renames: list[Rename] = []

    def convert(self) -> tuple[list[SqlStatement], list[Rename]]:
        for name, node in zip(self.document.get("schemas", []), self._nodes("schemas"), strict=True):
            self._emit(f"CREATE SCHEMA IF NOT EXISTS {ident(name)}", node.start_mark.line + 1)
        for extension in self.document.items("extensions"):
            schema = f" WITH SCHEMA {ident(extension.get('schema'))}" if extension.get("schema") else ""
            self._emit(f"CREATE EXTENSION IF NOT EXISTS {ident(extension.get('name'))}{schema}", extension.line())
        for table in self.document.items("tables"):
            self._table(table)
        return self.statements, self.renames

    def _nodes(self, key: str) -> list[yaml.Node]:
        node = self.document.nodes.get(key)
        return list(node.value) if node is not None else []

    def _emit(self, sql: str, line: int) -> None:
        self.statements.append(SqlStatement(sql, self.path, line))

    def _rename(self, kind: str, key: tuple[str, ...], item: _Located) -> None:
        old = item.get("renamed_from")
        if old:
            self.renames.append(Rename(kind, key, old, where(self.path, item.nodes["renamed_from"])))

    # -- tables -------------------------------------------------------------------------

    def _table(self, table: _Located) -> None:
        schema = table.get("schema", self.default_schema)
        name = table.get("name")
        key = (schema, name)
        self._rename("table", key, table)
        columns = {column.get("name") for column in table.items("columns")}
        elements = [self._column(key, column) for column in table.items("columns")]
        primary_key = table.nodes.get("primary_key")
        if primary_key is not None:
            located = _Located(table.get("primary_key"), primary_key)
            elements.append(self._key("PRIMARY KEY", key, located, columns))
        for unique in table.items("unique"):
            elements.append(self._key("UNIQUE", key, unique, columns))
        for check in table.items("checks"):
            if not check.get("not_valid"):
                elements.append(self._check(key, check))
        unlogged = "UNLOGGED " if table.get("unlogged") else ""
        body = ", ".join(elements)
        self._emit(f"CREATE {unlogged}TABLE {qualified(*key)} ({body})", table.line())
        for check in table.items("checks"):
            if check.get("not_valid"):
                if not check.get("name"):
                    raise SourceError(f"{where(self.path, check.node)}: a NOT VALID check needs a name")
                sql = f"ALTER TABLE {qualified(*key)} ADD {self._check(key, check)} NOT VALID"
                self._emit(sql, check.line())
        for foreign_key in table.items("foreign_keys"):
            self._foreign_key(key, foreign_key, columns)
        for index in table.items("indexes"):
            self._index(key, index, columns)

    def _column(self, table: tuple[str, str], column: _Located) -> str:
        self._rename("column", (*table, column.get("name")), column)
        parts = [ident(column.get("name")), column.get("type")]
        if column.get("collation"):
            parts.append(f"COLLATE {ident(column.get('collation'))}")
        if column.get("generated"):
            parts.append(f"GENERATED ALWAYS AS ({column.get('generated')}) STORED")
        elif column.get("default") is not None:
            parts.append(f"DEFAULT {column.get('default')}")
        if column.get("identity"):
            parts.append(f"GENERATED {column.get('identity').upper()} AS IDENTITY")
        if column.get("nullable") is False:
            parts.append("NOT NULL")
        return " ".join(str(p) for p in parts)

    def _named(self, kind: str, table: tuple[str, str], item: _Located) -> str:
        name = item.get("name")
        if not name:
            return ""
        self._rename(kind, (*table, name), item)
        return f"CONSTRAINT {ident(name)} "

    def _columns(self, item: _Located, key: str, known: set[str] | None) -> str:
        names = item.get(key) or []
        for index, name in enumerate(names):
            if known is not None and name not in known:
                node = item.nodes[key].value[index]
                raise SourceError(f"{where(self.path, node)}: no column {name!r} in this table")
        return ", ".join(ident(n) for n in names)

    def _key(self, kind: str, table: tuple[str, str], key: _Located, columns: set[str]) -> str:
        sql = f"{self._named('constraint', table, key)}{kind}"
        if key.get("nulls_not_distinct"):
            sql += " NULLS NOT DISTINCT"
        sql += f" ({self._columns(key, 'columns', columns)})"
        if key.get("include"):
            sql += f" INCLUDE ({self._columns(key, 'include', columns)})"
        return sql + _deferrable(key)

    def _check(self, table: tuple[str, str], check: _Located) -> str:
        no_inherit = " NO INHERIT" if check.get("no_inherit") else ""
        return f"{self._named('constraint', table, check)}CHECK ({check.get('expression')}){no_inherit}"

    def _foreign_key(self, table: tuple[str, str], foreign_key: _Located, columns: set[str]) -> None:
        references = _Located(foreign_key.get("references"), foreign_key.nodes["references"])
        target = (references.get("schema", self.default_schema), references.get("table"))
        sql = f"ALTER TABLE {qualified(*table)} ADD {self._named('constraint', table, foreign_key)}"
        sql += f"FOREIGN KEY ({self._columns(foreign_key, 'columns', columns)}) REFERENCES {qualified(*target)}"
        if references.get("columns"):
            sql += f" ({self._columns(references, 'columns', None)})"
        if foreign_key.get("match"):
            sql += f" MATCH {foreign_key.get('match').upper()}"
        for event in ("delete", "update"):
            action = foreign_key.get(f"on_{event}")
            if action:
                sql += f" ON {event.upper()} {action.upper()}"
        sql += _deferrable(foreign_key)
        if foreign_key.get("not_valid"):
            sql += " NOT VALID"
        self._emit(sql, foreign_key.line())

    def _index(self, table: tuple[str, str], index: _Located, columns: set[str]) -> None:
        name = index.get("name")
        self._rename("index", (table[0], name), index)
        keys = [self._index_key(key, columns) for key in index.items("keys")]
        unique = "UNIQUE " if index.get("unique") else ""
        sql = f"CREATE {unique}INDEX {ident(name)} ON {qualified(*table)} USING {index.get('method', 'btree')}"
        sql += f" ({', '.join(keys)})"
        if index.get("include"):
            sql += f" INCLUDE ({self._columns(index, 'include', columns)})"
        if index.get("nulls_not_distinct"):
            sql += " NULLS NOT DISTINCT"
        if index.get("with"):
            options = ", ".join(f"{ident(k)} = {v}" for k, v in index.get("with").items())
            sql += f" WITH ({options})"
        if index.get("where"):
            sql += f" WHERE {index.get('where')}"
        self._emit(sql, index.line())

    def _index_key(self, key: _Located, columns: set[str]) -> str:
        column, expression = key.get("column"), key.get("expression")
        if (column is None) == (expression is None):
            raise SourceError(f"{where(self.path, key.node)}: an index key needs exactly one of column or expression")
        if column is not None and column not in columns:
            raise SourceError(f"{where(self.path, key.nodes['column'])}: no column {column!r} in this table")
        sql = ident(column) if column is not None else f"({expression})"
        if key.get("collation"):
            sql += f" COLLATE {ident(key.get('collation'))}"
        if key.get("opclass"):
            sql += f" {key.get('opclass')}"
        if key.get("order"):
            sql += f" {key.get('order').upper()}"
        if key.get("nulls"):
            sql += f" NULLS {key.get('nulls').upper()}"
        return sql


def _deferrable(item: _Located) -> str:
    deferrable = item.get("deferrable")
    if not deferrable:
        return ""
    return " DEFERRABLE INITIALLY DEFERRED" if deferrable == "deferred" else " DEFERRABLE"
