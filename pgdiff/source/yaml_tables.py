"""YAML tables to SQL: columns, keys, checks, exclusions, foreign keys, indexes, partitions, inheritance,
storage, row security, policies, triggers, statistics, comments and grants."""

from __future__ import annotations

from typing import Any

from pgdiff.model import ObjectRef
from pgdiff.quoting import ident, literal, qualified
from pgdiff.source.yaml_base import ConverterBase, Located, dotted, options_sql, split_name, value_sql

TableKey = tuple[str, str]

_IDENTITY_OPTIONS = {
    "start": "START WITH",
    "increment": "INCREMENT BY",
    "minvalue": "MINVALUE",
    "maxvalue": "MAXVALUE",
    "cache": "CACHE",
}
_TRIGGER_STATES = {"disabled": "DISABLE", "replica": "ENABLE REPLICA", "always": "ENABLE ALWAYS"}
_ROLE_KEYWORDS = ("PUBLIC", "CURRENT_USER", "CURRENT_ROLE", "SESSION_USER")


def role_sql(role: str) -> str:
    return role if role.upper() in _ROLE_KEYWORDS else ident(role)


def deferrable_sql(item: Located) -> str:
    deferrable = item.get("deferrable")
    if not deferrable:
        return ""
    return " DEFERRABLE INITIALLY DEFERRED" if deferrable == "deferred" else " DEFERRABLE"


class TableConverter(ConverterBase):
    def table(self, table: Located, parent: TableKey | None = None) -> None:
        default_schema = parent[0] if parent is not None else self.default_schema  # a partition: its parent's
        key = (str(table.get("schema", default_schema)), str(table.get("name")))
        self.rename("table", key, table)
        columns = None if parent is not None else self._known_columns(table)
        elements = [self._column(key, column) for column in table.items("columns")]
        elements += self._inline_constraints(key, table, columns)
        self.emit(self._create_table(key, table, parent, elements, columns), table.line())
        self._after_create(key, table, columns)
        for partition in table.items("partitions"):
            self.table(partition, parent=key)

    def _known_columns(self, table: Located) -> set[str] | None:
        if table.get("inherits"):
            return None  # the parents' columns are the child's too
        return {str(column.get("name")) for column in table.items("columns")}

    def _create_table(
        self, key: TableKey, table: Located, parent: TableKey | None, elements: list[str], columns: set[str] | None
    ) -> str:
        unlogged = "UNLOGGED " if table.get("unlogged") else ""
        sql = f"CREATE {unlogged}TABLE {qualified(*key)}"
        if parent is not None:
            sql += f" PARTITION OF {qualified(*parent)}"
            sql += f" ({', '.join(elements)})" if elements else ""
            sql += f" {self._bound(table)}"
        else:
            sql += f" ({', '.join(elements)})"
        inherits = [self._reference(value) for value, _ in table.entries("inherits")]
        if inherits:
            sql += f" INHERITS ({', '.join(qualified(*parent_key) for parent_key in inherits)})"
        if table.nodes.get("partition_by") is not None:
            sql += f" PARTITION BY {self._partition_by(table, columns)}"
        if table.get("options"):
            sql += f" WITH ({options_sql(table.get('options'))})"
        return sql

    def _reference(self, value: Any) -> TableKey:
        if isinstance(value, dict):
            return (str(value.get("schema", self.default_schema)), str(value.get("table")))
        return split_name(str(value), self.default_schema)

    def _bound(self, partition: Located) -> str:
        if partition.get("default"):
            return "DEFAULT"
        if partition.get("bound"):
            bound = str(partition.get("bound"))
            return bound if bound.upper().startswith(("FOR VALUES", "DEFAULT")) else f"FOR VALUES {bound}"
        if partition.get("in") is not None:
            return f"FOR VALUES IN ({', '.join(_bound_value(v) for v in partition.get('in'))})"
        if partition.get("modulus") is not None:
            return f"FOR VALUES WITH (MODULUS {partition.get('modulus')}, REMAINDER {partition.get('remainder', 0)})"
        if partition.get("from") is not None or partition.get("to") is not None:
            low = ", ".join(_bound_value(v) for v in _as_list(partition.get("from")))
            high = ", ".join(_bound_value(v) for v in _as_list(partition.get("to")))
            return f"FOR VALUES FROM ({low}) TO ({high})"
        raise self.fail(partition.node, "a partition needs a bound: default, bound, in, from and to, or modulus")

    def _partition_by(self, table: Located, columns: set[str] | None) -> str:
        spec = table.sub("partition_by")
        if spec is None:
            return str(table.get("partition_by"))
        keys = []
        if spec.get("columns"):
            keys.append(self.check_columns(spec, "columns", columns))
        keys += [f"({expression})" for expression in spec.get("expressions", [])]
        if not keys:
            raise self.fail(spec.node, "partition_by needs columns or expressions")
        return f"{str(spec.get('method', 'range')).upper()} ({', '.join(keys)})"

    def _column(self, table: TableKey, column: Located) -> str:
        self.rename("column", (*table, str(column.get("name"))), column)
        self.conversion((*table, str(column.get("name"))), column)
        parts = [ident(str(column.get("name"))), str(column.get("type"))]
        if column.get("collation"):
            parts.append(f"COLLATE {dotted(str(column.get('collation')))}")
        generated = column.get("generated")
        if isinstance(generated, dict):
            kind = "VIRTUAL" if generated.get("virtual") else "STORED"
            parts.append(f"GENERATED ALWAYS AS ({generated.get('expression')}) {kind}")
        elif generated:
            parts.append(f"GENERATED ALWAYS AS ({generated}) STORED")
        elif column.get("default") is not None:
            parts.append(f"DEFAULT {column.get('default')}")
        if column.get("identity"):
            parts.append(self._identity(column))
        if column.get("nullable") is False:
            name = column.get("not_null_name")
            parts.append(f"CONSTRAINT {ident(str(name))} NOT NULL" if name else "NOT NULL")
        return " ".join(parts)

    def _identity(self, column: Located) -> str:
        identity = column.sub("identity")
        if identity is None:
            return f"GENERATED {str(column.get('identity')).upper()} AS IDENTITY"
        options = [
            f"{sql} {identity.get(key)}" for key, sql in _IDENTITY_OPTIONS.items() if identity.get(key) is not None
        ]
        if identity.get("cycle") is not None:
            options.append("CYCLE" if identity.get("cycle") else "NO CYCLE")
        generated = str(identity.get("generated", "by default")).upper()
        return f"GENERATED {generated} AS IDENTITY" + (f" ({' '.join(options)})" if options else "")

    # -- constraints ----------------------------------------------------------------------

    def _named(self, table: TableKey, item: Located) -> str:
        name = item.get("name")
        if not name:
            return ""
        self.rename("constraint", (*table, str(name)), item)
        return f"CONSTRAINT {ident(str(name))} "

    def _inline_constraints(self, key: TableKey, table: Located, columns: set[str] | None) -> list[str]:
        elements = []
        primary_key = table.sub("primary_key")
        if primary_key is not None:
            elements.append(self._key("PRIMARY KEY", key, primary_key, columns))
        elements += [self._key("UNIQUE", key, unique, columns) for unique in table.items("unique")]
        elements += [self._check(key, check) for check in table.items("checks") if not check.get("not_valid")]
        elements += [self._exclusion(key, exclusion, columns) for exclusion in table.items("exclusions")]
        return elements

    def _key(self, kind: str, table: TableKey, key: Located, columns: set[str] | None) -> str:
        sql = f"{self._named(table, key)}{kind}"
        if key.get("nulls_not_distinct"):
            sql += " NULLS NOT DISTINCT"
        sql += f" ({self.check_columns(key, 'columns', columns)})"
        if key.get("include"):
            sql += f" INCLUDE ({self.check_columns(key, 'include', columns)})"
        return sql + deferrable_sql(key)

    def _check(self, table: TableKey, check: Located) -> str:
        no_inherit = " NO INHERIT" if check.get("no_inherit") else ""
        return f"{self._named(table, check)}CHECK ({check.get('expression')}){no_inherit}"

    def _exclusion(self, table: TableKey, exclusion: Located, columns: set[str] | None) -> str:
        elements = []
        for element in exclusion.items("elements"):
            key = self._index_key(element, columns)
            elements.append(f"{key} WITH {element.get('operator')}")
        sql = f"{self._named(table, exclusion)}EXCLUDE USING {exclusion.get('method', 'gist')} ({', '.join(elements)})"
        if exclusion.get("include"):
            sql += f" INCLUDE ({self.check_columns(exclusion, 'include', columns)})"
        if exclusion.get("where"):
            sql += f" WHERE ({exclusion.get('where')})"
        return sql + deferrable_sql(exclusion)

    def _after_create(self, key: TableKey, table: Located, columns: set[str] | None) -> None:
        for check in table.items("checks"):
            if check.get("not_valid"):
                if not check.get("name"):
                    raise self.fail(check.node, "a NOT VALID check needs a name")
                self.emit(f"ALTER TABLE {qualified(*key)} ADD {self._check(key, check)} NOT VALID", check.line())
        for foreign_key in table.items("foreign_keys"):
            self._foreign_key(key, foreign_key, columns)
        for constraint in table.items("constraints"):
            sql = f"ALTER TABLE {qualified(*key)} ADD {self._named(key, constraint)}{constraint.get('definition')}"
            self.emit(sql + (" NOT VALID" if constraint.get("not_valid") else ""), constraint.line())
        for index in table.items("indexes"):
            self.index(key, index, columns)
        self._table_extras(key, table, columns)

    def _foreign_key(self, table: TableKey, foreign_key: Located, columns: set[str] | None) -> None:
        references = foreign_key.sub("references")
        assert references is not None  # required by the JSON Schema
        target = (self.schema_of(references), str(references.get("table")))
        sql = f"ALTER TABLE {qualified(*table)} ADD {self._named(table, foreign_key)}"
        sql += f"FOREIGN KEY ({self.check_columns(foreign_key, 'columns', columns)}) REFERENCES {qualified(*target)}"
        if references.get("columns"):
            sql += f" ({self.check_columns(references, 'columns', None)})"
        if foreign_key.get("match"):
            sql += f" MATCH {str(foreign_key.get('match')).upper()}"
        for event in ("delete", "update"):
            action = foreign_key.get(f"on_{event}")
            if action:
                sql += f" ON {event.upper()} {str(action).upper()}"
        sql += deferrable_sql(foreign_key)
        if foreign_key.get("not_valid"):
            sql += " NOT VALID"
        self.emit(sql, foreign_key.line())

    # -- indexes ----------------------------------------------------------------------------

    def index(self, table: TableKey, index: Located, columns: set[str] | None) -> None:
        name = str(index.get("name"))
        self.rename("index", (table[0], name), index)
        unique = "UNIQUE " if index.get("unique") else ""
        sql = f"CREATE {unique}INDEX {ident(name)} ON {qualified(*table)} USING {index.get('method', 'btree')}"
        if index.get("definition"):
            sql += f" {index.get('definition')}"
        else:
            if not index.items("keys"):
                raise self.fail(index.node, "an index needs keys or a definition")
            keys = [self._index_key(key, columns) for key in index.items("keys")]
            sql += f" ({', '.join(keys)})"
            if index.get("include"):
                sql += f" INCLUDE ({self.check_columns(index, 'include', columns)})"
            if index.get("nulls_not_distinct"):
                sql += " NULLS NOT DISTINCT"
            if index.get("with"):
                sql += f" WITH ({options_sql(index.get('with'))})"
            if index.get("where"):
                sql += f" WHERE {index.get('where')}"
        self.emit(sql, index.line())
        self.comment(ObjectRef("index", table[0], name), index)

    def _index_key(self, key: Located, columns: set[str] | None) -> str:
        column, expression = key.get("column"), key.get("expression")
        if (column is None) == (expression is None):
            raise self.fail(key.node, "an index key needs exactly one of column or expression")
        if column is not None and columns is not None and column not in columns:
            raise self.fail(key.nodes["column"], f"no column {column!r} in this table")
        sql = ident(str(column)) if column is not None else f"({expression})"
        if key.get("collation"):
            sql += f" COLLATE {dotted(str(key.get('collation')))}"
        if key.get("opclass"):
            sql += f" {key.get('opclass')}"
        if key.get("order"):
            sql += f" {str(key.get('order')).upper()}"
        if key.get("nulls"):
            sql += f" NULLS {str(key.get('nulls')).upper()}"
        return sql

    # -- storage, security, triggers, statistics, comments, grants --------------------------------

    def _table_extras(self, key: TableKey, table: Located, columns: set[str] | None) -> None:
        name = qualified(*key)
        for column in table.items("columns"):
            self._column_settings(key, str(column.get("name")), column)
        for settings in table.items("column_settings"):
            if columns is not None and str(settings.get("column")) not in columns:
                raise self.fail(settings.nodes["column"], f"no column {settings.get('column')!r} in this table")
            self._column_settings(key, str(settings.get("column")), settings)
        identity = table.get("replica_identity")
        if identity:
            if identity == "index":
                if not table.get("replica_index"):
                    raise self.fail(table.nodes["replica_identity"], "replica_identity index needs replica_index")
                action = f"USING INDEX {ident(str(table.get('replica_index')))}"
            else:
                action = str(identity).upper()
            self.emit(f"ALTER TABLE {name} REPLICA IDENTITY {action}", table.line())
        security = table.sub("row_security")
        if security is not None:
            if security.get("enabled"):
                self.emit(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY", security.line())
            if security.get("forced"):
                self.emit(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY", security.line())
        for policy in table.items("policies"):
            self.policy(key, policy)
        for trigger in table.items("triggers"):
            self.trigger(key, trigger, columns)
        for statistics in table.items("statistics"):
            self._statistics(key, statistics, columns)
        self.comment(ObjectRef("table", *key), table)
        for column in table.items("columns"):
            self.comment(ObjectRef("column", key[0], str(column.get("name")), key[1]), column)
        for kind in ("primary_key", "unique", "checks", "exclusions", "foreign_keys", "constraints"):
            located = [table.sub(kind)] if kind == "primary_key" else table.items(kind)
            for constraint in located:
                if constraint is not None and constraint.get("name"):
                    self.comment(ObjectRef("constraint", key[0], str(constraint.get("name")), key[1]), constraint)
        self.grants(ObjectRef("table", *key), table, columns)

    def _column_settings(self, table: TableKey, column: str, item: Located) -> None:
        """`statistics`, `storage`, `compression` and `options` of a column, as pg_dump sets them."""
        actions = []
        if item.get("statistics") is not None:
            actions.append(f"SET STATISTICS {int(item.get('statistics'))}")
        if item.get("storage"):
            actions.append(f"SET STORAGE {str(item.get('storage')).upper()}")
        if item.get("compression"):
            actions.append(f"SET COMPRESSION {item.get('compression')}")
        if item.get("options"):
            actions.append(f"SET ({options_sql(item.get('options'))})")
        for action in actions:
            sql = f"ALTER TABLE ONLY {qualified(*table)} ALTER COLUMN {ident(column)} {action}"
            self.emit(sql, item.line())

    def policy(self, table: TableKey, policy: Located) -> None:
        name = str(policy.get("name"))
        sql = f"CREATE POLICY {ident(name)} ON {qualified(*table)}"
        sql += f" AS {str(policy.get('as', 'permissive')).upper()} FOR {str(policy.get('command', 'all')).upper()}"
        roles = policy.get("roles")
        if roles:
            sql += f" TO {', '.join(role_sql(str(role)) for role in roles)}"
        if policy.get("using") is not None:
            sql += f" USING ({policy.get('using')})"
        if policy.get("check") is not None:
            sql += f" WITH CHECK ({policy.get('check')})"
        self.emit(sql, policy.line())
        self.comment(ObjectRef("policy", table[0], name, table[1]), policy)

    def trigger(self, table: TableKey, trigger: Located, columns: set[str] | None) -> None:
        name = str(trigger.get("name"))
        if trigger.get("definition"):
            self.emit(str(trigger.get("definition")), trigger.line())
        else:
            self.emit(self._trigger_sql(table, trigger, columns), trigger.line())
        state = trigger.get("enabled")
        if state and state != "origin":
            action = f"{_TRIGGER_STATES[state]} TRIGGER {ident(name)}"
            self.emit(f"ALTER TABLE {qualified(*table)} {action}", trigger.nodes["enabled"].start_mark.line + 1)
        self.comment(ObjectRef("trigger", table[0], name, table[1]), trigger)

    def _trigger_sql(self, table: TableKey, trigger: Located, columns: set[str] | None) -> str:
        for required in ("timing", "events", "function"):
            if trigger.get(required) is None:
                raise self.fail(trigger.node, f"a trigger needs {required!r} (or a definition)")
        events = []
        for event in trigger.get("events"):
            event_sql = str(event).upper()
            if event_sql == "UPDATE" and trigger.get("columns"):
                event_sql += f" OF {self.check_columns(trigger, 'columns', columns)}"
            events.append(event_sql)
        sql = f"CREATE TRIGGER {ident(str(trigger.get('name')))} {str(trigger.get('timing')).upper()}"
        sql += f" {' OR '.join(events)} ON {qualified(*table)}"
        sql += f" FOR EACH {str(trigger.get('for_each', 'statement')).upper()}"
        if trigger.get("when"):
            sql += f" WHEN ({trigger.get('when')})"
        function = qualified(*split_name(str(trigger.get("function")), self.default_schema))
        arguments = ", ".join(literal(str(argument)) for argument in trigger.get("arguments", []))
        return sql + f" EXECUTE FUNCTION {function}({arguments})"

    def _statistics(self, table: TableKey, statistics: Located, columns: set[str] | None) -> None:
        key = (self.schema_of(statistics) if statistics.get("schema") else table[0], str(statistics.get("name")))
        if statistics.get("definition"):
            self.emit(str(statistics.get("definition")), statistics.line())
        else:
            targets = []
            if statistics.get("columns"):
                targets.append(self.check_columns(statistics, "columns", columns))
            targets += [f"({expression})" for expression in statistics.get("expressions", [])]
            kinds = statistics.get("kinds")
            kinds_sql = f" ({', '.join(str(k) for k in kinds)})" if kinds else ""
            sql = f"CREATE STATISTICS {qualified(*key)}{kinds_sql} ON {', '.join(targets)} FROM {qualified(*table)}"
            self.emit(sql, statistics.line())
        if statistics.get("target") is not None:
            sql = f"ALTER STATISTICS {qualified(*key)} SET STATISTICS {statistics.get('target')}"
            self.emit(sql, statistics.line())
        self.comment(ObjectRef("statistics", *key), statistics)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _bound_value(value: Any) -> str:
    """A partition bound value: MINVALUE and MAXVALUE as keywords, anything else as a literal."""
    if isinstance(value, str) and value.upper() in ("MINVALUE", "MAXVALUE"):
        return value.upper()
    return value_sql(value)
