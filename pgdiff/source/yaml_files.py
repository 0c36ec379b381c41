"""YAML desired-state files: validated against the JSON Schema, then turned into SQL statements.

Each generated statement carries the YAML file and the line of the object it came from, so an error in
the shadow database reads `tables.yaml:12: type "jsonbb" does not exist`. `renamed_from:` keys become
the same renames as SQL's `-- pgdiff: renamed from` directives. The SQL is then loaded, ordered and
inspected exactly like hand-written SQL, so YAML and SQL files can reference each other.
"""

from __future__ import annotations

from pathlib import Path

import pglast
import yaml
from pglast.stream import RawStream

from pgdiff.errors import SourceError
from pgdiff.model import ObjectRef
from pgdiff.quoting import ident, literal, qualified
from pgdiff.source.directives import Conversion, Rename
from pgdiff.source.sql import SqlStatement, check_supported
from pgdiff.source.yaml_base import DEFAULT_SCHEMA, Located, dotted, options_sql
from pgdiff.source.yaml_schema import validate
from pgdiff.source.yaml_tables import TableConverter, role_sql

YAML_SUFFIXES = (".yaml", ".yml")

_DEFAULT_PRIVILEGE_KINDS = ("tables", "sequences", "functions", "types", "schemas")


def read_yaml(path: Path) -> tuple[object, yaml.Node | None]:
    """The document and its node tree, validated; every problem a `SourceError` at file:line:column."""
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
            return None, None
        validate(path, node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        position = f"{mark.line + 1}:{mark.column + 1}" if mark else "1:1"
        raise SourceError(f"{path}:{position}: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise SourceError(f"{path}: {error}") from None
    except RecursionError:
        raise SourceError(f"{path}: nested too deeply") from None
    finally:
        loader.dispose()
    return data, node


def load_yaml_file(path: Path) -> tuple[list[SqlStatement], list[Rename], list[Conversion]]:
    """The file's statements, its `renamed_from:` renames and its columns' `using:` conversions."""
    data, node = read_yaml(path)
    if node is None:
        return [], [], []
    assert isinstance(data, dict) and isinstance(node, yaml.MappingNode)  # the JSON Schema's top level
    converter = _Converter(path, Located(data, node))
    statements, renames = converter.convert()
    for statement in statements:
        _check_statement(statement)
    return statements, renames, converter.conversions


def _check_statement(statement: SqlStatement) -> None:
    """SQL text from YAML values (types, expressions, definitions) must make exactly one schema statement."""
    try:
        parsed = pglast.parse_sql(statement.text)
    except pglast.parser.ParseError as error:
        raise SourceError(f"{statement.location()}: {error.args[0]}") from None
    if len(parsed) != 1:
        raise SourceError(f"{statement.location()}: a value holds more than one SQL statement")
    check_supported(statement)


class _Converter(TableConverter):
    def __init__(self, path: Path, document: Located) -> None:
        super().__init__(path, str(document.get("schema", DEFAULT_SCHEMA)))
        self.document = document
        self.late: list[SqlStatement] = []

    def convert(self) -> tuple[list[SqlStatement], list[Rename]]:
        document = self.document
        for value, node in document.entries("schemas"):
            self._schema(value, node)
        for extension in document.items("extensions"):
            self._extension(extension)
        for collation in document.items("collations"):
            self._collation(collation)
        for enum in document.items("enums"):
            self._enum(enum)
        for domain in document.items("domains"):
            self._domain(domain)
        for composite in document.items("composite_types"):
            self._composite(composite)
        for range_type in document.items("range_types"):
            self._range(range_type)
        for sequence in document.items("sequences"):
            self._sequence(sequence)
        for function in document.items("functions"):
            self._function(function)
        for table in document.items("tables"):
            self.table(table)
        for view in document.items("views"):
            self._view(view, materialized=False)
        for view in document.items("materialized_views"):
            self._view(view, materialized=True)
        for defaults in document.items("default_privileges"):
            self._default_privileges(defaults)
        return self.statements + self.late, self.renames

    # -- schemas, extensions, collations ---------------------------------------------------------

    def _schema(self, value: object, node: yaml.Node) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.emit(f"CREATE SCHEMA IF NOT EXISTS {ident(str(value))}", node.start_mark.line + 1)
            return
        assert isinstance(value, dict)
        schema = Located(value, node)
        name = str(schema.get("name"))
        self.emit(f"CREATE SCHEMA IF NOT EXISTS {ident(name)}", schema.line())
        self.comment(ObjectRef("schema", name, name), schema)
        self.grants(ObjectRef("schema", name, name), schema)

    def _extension(self, extension: Located) -> None:
        sql = f"CREATE EXTENSION IF NOT EXISTS {ident(str(extension.get('name')))}"
        if extension.get("schema"):
            sql += f" WITH SCHEMA {ident(str(extension.get('schema')))}"
        if extension.get("version"):
            sql += f" VERSION {literal(str(extension.get('version')))}"
        self.emit(sql, extension.line())

    def _collation(self, collation: Located) -> None:
        key = (self.schema_of(collation), str(collation.get("name")))
        options = [f"provider = {collation.get('provider', 'libc')}"]
        for option in ("locale", "lc_collate", "lc_ctype", "rules"):
            if collation.get(option) is not None:
                options.append(f"{option} = {literal(str(collation.get(option)))}")
        if collation.get("deterministic") is False:
            options.append("deterministic = false")
        self.emit(f"CREATE COLLATION {qualified(*key)} ({', '.join(options)})", collation.line())
        self.comment(ObjectRef("collation", *key), collation)

    # -- types and sequences ------------------------------------------------------------------------

    def _type_extras(self, kind: str, key: tuple[str, str], item: Located) -> None:
        self.comment(ObjectRef(kind, *key), item)
        self.grants(ObjectRef(kind, *key), item)

    def _enum(self, enum: Located) -> None:
        key = (self.schema_of(enum), str(enum.get("name")))
        labels = ", ".join(literal(str(label)) for label in enum.get("values", []))
        self.emit(f"CREATE TYPE {qualified(*key)} AS ENUM ({labels})", enum.line())
        self._type_extras("enum", key, enum)

    def _domain(self, domain: Located) -> None:
        key = (self.schema_of(domain), str(domain.get("name")))
        sql = f"CREATE DOMAIN {qualified(*key)} AS {domain.get('type')}"
        if domain.get("collation"):
            sql += f" COLLATE {dotted(str(domain.get('collation')))}"
        if domain.get("default") is not None:
            sql += f" DEFAULT {domain.get('default')}"
        if domain.get("nullable") is False:
            sql += " NOT NULL"
        for check in domain.items("checks"):
            if not check.get("not_valid"):
                sql += self._domain_check(check)
        self.emit(sql, domain.line())
        for check in domain.items("checks"):
            if check.get("not_valid"):
                self.emit(f"ALTER DOMAIN {qualified(*key)} ADD{self._domain_check(check)} NOT VALID", check.line())
        self._type_extras("domain", key, domain)

    def _domain_check(self, check: Located) -> str:
        name = f" CONSTRAINT {ident(str(check.get('name')))}" if check.get("name") else ""
        return f"{name} CHECK ({check.get('expression')})"

    def _composite(self, composite: Located) -> None:
        key = (self.schema_of(composite), str(composite.get("name")))
        attributes = []
        for attribute in composite.items("attributes"):
            sql = f"{ident(str(attribute.get('name')))} {attribute.get('type')}"
            if attribute.get("collation"):
                sql += f" COLLATE {dotted(str(attribute.get('collation')))}"
            attributes.append(sql)
        self.emit(f"CREATE TYPE {qualified(*key)} AS ({', '.join(attributes)})", composite.line())
        self._type_extras("composite", key, composite)

    def _range(self, range_type: Located) -> None:
        key = (self.schema_of(range_type), str(range_type.get("name")))
        options = [f"SUBTYPE = {range_type.get('subtype')}"]
        for option, sql in (
            ("opclass", "SUBTYPE_OPCLASS"),
            ("collation", "COLLATION"),
            ("canonical", "CANONICAL"),
            ("subtype_diff", "SUBTYPE_DIFF"),
            ("multirange", "MULTIRANGE_TYPE_NAME"),
        ):
            if range_type.get(option):
                options.append(f"{sql} = {range_type.get(option)}")
        self.emit(f"CREATE TYPE {qualified(*key)} AS RANGE ({', '.join(options)})", range_type.line())
        self._type_extras("range", key, range_type)

    def _sequence(self, sequence: Located) -> None:
        key = (self.schema_of(sequence), str(sequence.get("name")))
        unlogged = "UNLOGGED " if sequence.get("unlogged") else ""
        sql = f"CREATE {unlogged}SEQUENCE {qualified(*key)}"
        if sequence.get("type"):
            sql += f" AS {sequence.get('type')}"
        for option, words in (
            ("increment", "INCREMENT BY"),
            ("minvalue", "MINVALUE"),
            ("maxvalue", "MAXVALUE"),
            ("start", "START WITH"),
            ("cache", "CACHE"),
        ):
            if sequence.get(option) is not None:
                sql += f" {words} {sequence.get(option)}"
        if sequence.get("cycle"):
            sql += " CYCLE"
        self.emit(sql, sequence.line())
        owned_by = sequence.sub("owned_by")
        if owned_by is not None:
            table = qualified(self.schema_of(owned_by), str(owned_by.get("table")))
            sql = f"ALTER SEQUENCE {qualified(*key)} OWNED BY {table}.{ident(str(owned_by.get('column')))}"
            # After every table: the parse tree of OWNED BY names no relation the loader could order by.
            self.late.append(SqlStatement(sql, self.path, owned_by.line()))
        self._type_extras("sequence", key, sequence)

    # -- functions and views ----------------------------------------------------------------------

    def _function(self, function: Located) -> None:
        sql = str(function.get("definition")) if function.get("definition") else self._function_sql(function)
        self.emit(sql, function.line())
        if function.get("comment") is not None or function.items("grants") or function.items("revoke"):
            kind, schema, name, arguments = self._signature(function, sql)
            ref = ObjectRef(kind, schema, name, arguments=arguments)
            self.comment(ref, function)
            self.grants(ref, function)

    def _function_sql(self, function: Located) -> str:
        for required in ("name", "body"):
            if function.get(required) is None:
                raise self.fail(function.node, f"a function needs {required!r} (or a definition)")
        procedure = function.get("kind") == "procedure"
        key = (self.schema_of(function), str(function.get("name")))
        sql = f"CREATE {'PROCEDURE' if procedure else 'FUNCTION'} {qualified(*key)}({function.get('arguments', '')})"
        if not procedure:
            sql += f" RETURNS {function.get('returns', 'void')}"
        sql += f" LANGUAGE {ident(str(function.get('language', 'sql')))}"
        for option in function.get("options", []):
            sql += f" {option}"
        body = str(function.get("body"))
        tag = "$body$" if "$$" in body else "$$"
        return sql + f" AS {tag}{body}{tag}"

    def _signature(self, function: Located, sql: str) -> tuple[str, str, str, str]:
        """(kind, schema, name, identity arguments), read from the CREATE statement by PostgreSQL's parser."""
        try:
            statement = pglast.parse_sql(sql)[0].stmt
        except pglast.parser.ParseError as error:
            raise self.fail(function.node, f"function definition: {error.args[0]}") from None
        if not isinstance(statement, pglast.ast.CreateFunctionStmt):
            raise self.fail(function.node, "a function definition must be CREATE FUNCTION or CREATE PROCEDURE")
        names = [part.sval for part in statement.funcname]
        schema, name = (names[-2], names[-1]) if len(names) > 1 else (self.default_schema, names[-1])
        kind = "procedure" if statement.is_procedure else "function"
        in_modes = ("i", "b", "v", "d", "o") if statement.is_procedure else ("i", "b", "v", "d")
        arguments = [RawStream()(p.argType) for p in statement.parameters or () if p.mode in in_modes]
        return kind, schema, name, ", ".join(arguments)

    def _view(self, view: Located, *, materialized: bool) -> None:
        key = (self.schema_of(view), str(view.get("name")))
        kind = "materialized view" if materialized else "view"
        sql = f"CREATE {kind.upper()} {qualified(*key)}"
        if view.get("columns"):
            sql += f" ({', '.join(ident(str(c)) for c in view.get('columns'))})"
        if view.get("options"):
            sql += f" WITH ({options_sql(view.get('options'))})"
        sql += f" AS {str(view.get('query')).rstrip().rstrip(';')}"
        if materialized and view.get("with_data") is False:
            sql += " WITH NO DATA"
        elif view.get("check_option"):
            sql += f" WITH {str(view.get('check_option')).upper()} CHECK OPTION"
        self.emit(sql, view.line())
        for index in view.items("indexes"):
            self.index(key, index, None)
        for trigger in view.items("triggers"):
            self.trigger(key, trigger, None)
        self.comment(ObjectRef(kind, *key), view)
        for column in view.items("column_comments"):
            self.comment(ObjectRef("column", key[0], str(column.get("name")), key[1]), column)
        self.grants(ObjectRef(kind, *key), view)

    # -- default privileges ---------------------------------------------------------------------------

    def _default_privileges(self, defaults: Located) -> None:
        scope = ""
        if defaults.get("role"):
            scope += f" FOR ROLE {ident(str(defaults.get('role')))}"
        if defaults.get("schema"):
            scope += f" IN SCHEMA {ident(str(defaults.get('schema')))}"
        on = str(defaults.get("on")).upper()
        for revoke in defaults.items("revoke"):
            privileges = ", ".join(str(p).upper() for p in revoke.get("privileges", []))
            grantee = role_sql(str(revoke.get("from")))
            self.emit(f"ALTER DEFAULT PRIVILEGES{scope} REVOKE {privileges} ON {on} FROM {grantee}", revoke.line())
        for grant in defaults.items("grants"):
            privileges = ", ".join(str(p).upper() for p in grant.get("privileges", []))
            option = " WITH GRANT OPTION" if grant.get("grantable") else ""
            grantee = role_sql(str(grant.get("to")))
            sql = f"ALTER DEFAULT PRIVILEGES{scope} GRANT {privileges} ON {on} TO {grantee}{option}"
            self.emit(sql, grant.line())
