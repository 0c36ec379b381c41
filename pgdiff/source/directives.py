"""`-- pgdiff:` comment directives in desired SQL: renames, and the conversions of column type changes.

A declarative diff cannot tell a rename from a drop and an add, so the files say it:

    -- pgdiff: renamed from workflow_definitions          (on the line(s) before CREATE TABLE / CREATE INDEX /
    CREATE TABLE workflows (                               ALTER TABLE ... ADD CONSTRAINT: renames that object)
        title text NOT NULL, -- pgdiff: renamed from name (on a column's or table constraint's line)
        ...

The old name is an identifier as SQL writes it (quote it if it needs quotes); a table or index keeps its
schema. When the old name is gone from the database and the new one exists, the directive does nothing, so it
can stay in the files.

A column type change PostgreSQL cannot make by itself (no cast in assignments: bigint to timestamp, text to
jsonb, integer to boolean) is given its conversion, the expression of `ALTER COLUMN ... TYPE ... USING`:

    CREATE TABLE events (
        -- pgdiff: using to_timestamp(created_at)      (on its own line right before the column, or after the
        created_at timestamptz NOT NULL,                 column's definition on its line)
        payload jsonb -- pgdiff: using payload::jsonb
    );
    -- pgdiff: using flag <> 0                         (before ALTER TABLE ... ADD COLUMN / ALTER COLUMN ... TYPE)
    ALTER TABLE events ADD COLUMN flag boolean;

The expression reads the column's old value by the column's name; once the type is changed, it does nothing.

Also read from the files: the extension versions `CREATE EXTENSION ... VERSION` pins, the only versions
pgdiff manages (the shadow server installs its own default version of the others).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pglast
from pglast import ast, enums
from pglast.parser import ParseError

from pgdiff.errors import SourceError
from pgdiff.source.sql import SqlStatement

_DIRECTIVE = re.compile(r"--\s*pgdiff\s*:\s*(?P<body>.*?)\s*$")
_RENAMED_FROM = re.compile(r'renamed\s+from\s+(?P<name>"(?:[^"]|"")+"|[^\s"]+)$', re.IGNORECASE)
_USING = re.compile(r"using\s+(?P<expression>\S.*)$", re.IGNORECASE | re.DOTALL)
DEFAULT_SCHEMA = "public"
EXPECTED = "expected 'renamed from NAME' or 'using EXPRESSION'"


@dataclass(frozen=True)
class Rename:
    kind: str  # "table" | "column" | "index" | "constraint"
    new_key: tuple[str, ...]  # identity in the desired model
    old_name: str
    where: str  # file:line of the directive

    @property
    def old_key(self) -> tuple[str, ...]:
        return (*self.new_key[:-1], self.old_name)


@dataclass(frozen=True)
class Conversion:
    """How the old values of a column convert when its type changes: `ALTER COLUMN ... TYPE ... USING`."""

    key: tuple[str, str, str]  # (schema, table, column) in the desired model
    expression: str
    where: str  # file:line of the directive (or of the YAML `using:`)


@dataclass(frozen=True)
class _Directive:
    line: int
    verb: str  # "renamed" | "using"
    argument: str  # the old name (unquoted) or the expression
    own_line: bool  # nothing but the comment on its line: it belongs to what follows


def find_renames(statements: list[SqlStatement] | tuple[SqlStatement, ...]) -> list[Rename]:
    renames: list[Rename] = []
    for statement in statements:
        renames += _renames_before(statement)
        renames += _renames_inside(statement)
    _refuse_conflicts(renames)
    return renames


def _directives(text: str, first_line: int, where_file: str, verb: str) -> list[_Directive]:
    """The directives of kind `verb` in `text`; anything else after `pgdiff:` than a known directive is an error."""
    if "pgdiff" not in text:  # nearly every statement: no need to split it into lines (44,000 of them)
        return []
    found = []
    for offset, line in enumerate(text.splitlines()):
        match = _DIRECTIVE.search(line)
        if not match:
            continue
        directive = _parse_directive(match.group("body"), first_line + offset, f"{where_file}:{first_line + offset}")
        if directive.verb == verb:
            found.append(replace(directive, own_line=not line[: match.start()].strip()))
    return found


def _parse_directive(body: str, line: int, where: str) -> _Directive:
    renamed = _RENAMED_FROM.fullmatch(body)
    if renamed:
        return _Directive(line, "renamed", _unquote(renamed.group("name")), False)
    using = _USING.fullmatch(body)
    if using:
        return _Directive(line, "using", check_expression(using.group("expression"), where), False)
    raise SourceError(f"{where}: unknown pgdiff directive {body!r}; {EXPECTED}")


def check_expression(expression: str, where: str) -> str:
    """`expression` if it is one SQL expression, as a USING clause takes it: it must not end the statement."""
    try:
        parsed = pglast.parse_sql(f"ALTER TABLE t ALTER COLUMN c TYPE integer USING {expression}")
    except ParseError as error:
        raise SourceError(f"{where}: 'using {expression}' is not an SQL expression: {error.args[0]}") from None
    if len(parsed) != 1:
        raise SourceError(f"{where}: 'using {expression}' must be one expression, not more than one statement")
    return expression


def _unquote(name: str) -> str:
    if name.startswith('"'):
        return name[1:-1].replace('""', '"')
    return name.lower()


def _renames_before(statement: SqlStatement) -> list[Rename]:
    directives = _directives(statement.leading, statement.leading_line, str(statement.file), "renamed")
    if not directives:
        return []
    node = statement.tree
    target = _statement_object(node)
    where = f"{statement.file}:{directives[-1].line}"
    if target is None:
        raise SourceError(f"{where}: 'renamed from' must precede CREATE TABLE, CREATE INDEX or ADD CONSTRAINT")
    if len(directives) > 1:
        raise SourceError(f"{where}: more than one 'renamed from' for one object")
    kind, key = target
    return [Rename(kind, key, directives[0].argument, where)]


def _statement_object(node: ast.Node) -> tuple[str, tuple[str, ...]] | None:
    if isinstance(node, ast.CreateStmt):
        return "table", _relation_key(node.relation)
    if isinstance(node, ast.IndexStmt) and node.idxname:
        return "index", (node.relation.schemaname or DEFAULT_SCHEMA, node.idxname)
    if isinstance(node, ast.AlterTableStmt) and len(node.cmds) == 1:
        definition = node.cmds[0].def_
        if isinstance(definition, ast.Constraint) and definition.conname:
            return "constraint", (*_relation_key(node.relation), definition.conname)
    return None


def _relation_key(relation: ast.RangeVar) -> tuple[str, str]:
    return (relation.schemaname or DEFAULT_SCHEMA, relation.relname)


def _inside_create_table(
    statement: SqlStatement, word: str, misplaced: str
) -> tuple[tuple[str, str], list[tuple[int, ast.Node]], list[_Directive]] | None:
    """The table, its elements and the `word` directives inside `statement`, a CREATE TABLE (else refused
    with `misplaced`); None when it has none."""
    directives = _directives(statement.text, statement.line, str(statement.file), word)
    if not directives:
        return None
    node = statement.tree
    if not isinstance(node, ast.CreateStmt):
        raise SourceError(f"{statement.file}:{directives[0].line}: {misplaced}")
    return _relation_key(node.relation), _table_elements(statement, node), directives


def _renames_inside(statement: SqlStatement) -> list[Rename]:
    """Directives on the lines of a CREATE TABLE's columns and table constraints."""
    found = _inside_create_table(
        statement, "renamed", "'renamed from' inside a statement only works on the lines of a CREATE TABLE's "
        "columns and constraints"
    )
    if found is None:
        return []
    table, elements, directives = found
    renames = []
    for directive in directives:
        line, old_name = directive.line, directive.argument
        element = _element_on_or_before(elements, line)
        where = f"{statement.file}:{line}"
        if element is None:
            raise SourceError(f"{where}: 'renamed from' must be on the line of a column or constraint")
        if isinstance(element, ast.ColumnDef):
            renames.append(Rename("column", (*table, element.colname), old_name, where))
        elif element.conname:
            renames.append(Rename("constraint", (*table, element.conname), old_name, where))
        else:
            raise SourceError(f"{where}: a renamed constraint needs a name (CONSTRAINT name ...)")
    return renames


def _table_elements(statement: SqlStatement, node: ast.CreateStmt) -> list[tuple[int, ast.Node]]:
    """(line, element) of the columns and table constraints of a CREATE TABLE."""
    return [
        (statement.line + statement.text.count("\n", 0, element.location), element)
        for element in node.tableElts or ()
        if isinstance(element, ast.ColumnDef | ast.Constraint)
    ]


def _element_on_or_before(elements: list[tuple[int, ast.Node]], line: int) -> ast.Node | None:
    candidates = [element for element_line, element in elements if element_line <= line]
    return candidates[-1] if candidates else None


def _element_after(elements: list[tuple[int, ast.Node]], line: int) -> ast.Node | None:
    return next((element for element_line, element in elements if element_line > line), None)


def find_conversions(statements: list[SqlStatement] | tuple[SqlStatement, ...]) -> list[Conversion]:
    """Every `-- pgdiff: using` directive; two for one column are an error."""
    conversions: list[Conversion] = []
    for statement in statements:
        conversions += _conversions_before(statement)
        conversions += _conversions_inside(statement)
    refuse_duplicate_conversions(conversions)
    return conversions


def refuse_duplicate_conversions(conversions: list[Conversion]) -> None:
    seen: dict[tuple[str, str, str], Conversion] = {}
    for conversion in conversions:
        first = seen.setdefault(conversion.key, conversion)
        if first is not conversion:
            raise SourceError(
                f"{conversion.where}: column {'.'.join(conversion.key)} already has a 'using' at {first.where}"
            )


def _conversions_before(statement: SqlStatement) -> list[Conversion]:
    """A directive before ALTER TABLE ... ADD COLUMN or ALTER COLUMN ... TYPE: that column's."""
    directives = _directives(statement.leading, statement.leading_line, str(statement.file), "using")
    if not directives:
        return []
    where = f"{statement.file}:{directives[-1].line}"
    key = _column_named(statement.tree)
    if key is None:
        raise SourceError(
            f"{where}: 'using' must precede ALTER TABLE ... ADD COLUMN or ALTER COLUMN ... TYPE, or be on the line "
            "before a column inside CREATE TABLE"
        )
    if len(directives) > 1:
        raise SourceError(f"{where}: more than one 'using' for column {'.'.join(key)}")
    return [Conversion(key, directives[0].argument, where)]


def _column_named(node: ast.Node) -> tuple[str, str, str] | None:
    """The column an ALTER TABLE of one ADD COLUMN or ALTER COLUMN ... TYPE names."""
    if not isinstance(node, ast.AlterTableStmt) or len(node.cmds) != 1:
        return None
    command = node.cmds[0]
    if command.subtype == enums.AlterTableType.AT_AddColumn and isinstance(command.def_, ast.ColumnDef):
        return (*_relation_key(node.relation), command.def_.colname)
    if command.subtype == enums.AlterTableType.AT_AlterColumnType and command.name:
        return (*_relation_key(node.relation), command.name)
    return None


def _conversions_inside(statement: SqlStatement) -> list[Conversion]:
    """Directives inside a CREATE TABLE: on its own line, the next column's; after code, that line's column's."""
    found = _inside_create_table(
        statement, "using", "'using' inside a statement only works on the line before a column of CREATE TABLE"
    )
    if found is None:
        return []
    table, elements, directives = found
    conversions = []
    for directive in directives:
        where = f"{statement.file}:{directive.line}"
        if directive.own_line:
            element = _element_after(elements, directive.line)
        else:
            element = _element_on_or_before(elements, directive.line)
        if not isinstance(element, ast.ColumnDef):
            raise SourceError(f"{where}: 'using' must be on the line before a column (or on the column's line)")
        conversions.append(Conversion((*table, element.colname), directive.argument, where))
    return conversions


def column_location(statements: list[SqlStatement] | tuple[SqlStatement, ...], key: tuple[str, str, str]) -> str:
    """`file:line` where the files define column `key` (CREATE TABLE, or ALTER TABLE ... ADD COLUMN), or ''."""
    table_location = ""  # YAML tables are one statement on the table's line: their columns are found there
    for statement in statements:
        if key[1] not in statement.text:  # spares parsing the others
            continue
        node = statement.tree
        if isinstance(node, ast.CreateStmt) and _relation_key(node.relation) == key[:2]:
            for line, element in _table_elements(statement, node):
                if isinstance(element, ast.ColumnDef) and element.colname == key[2]:
                    return f"{statement.file}:{line}"
            table_location = statement.location()
        elif _column_named(node) == key:
            return statement.location()
    return table_location


def _refuse_conflicts(renames: list[Rename]) -> None:
    seen: dict[tuple[str, tuple[str, ...]], Rename] = {}
    for rename in renames:
        key = (rename.kind, rename.old_key)
        if key in seen and seen[key].new_key != rename.new_key:
            raise SourceError(
                f"{rename.where}: {rename.kind} {rename.old_name} is already renamed to "
                f"{seen[key].new_key[-1]} at {seen[key].where}"
            )
        seen[key] = rename


def pinned_extension_versions(statements: list[SqlStatement] | tuple[SqlStatement, ...]) -> dict[str, str]:
    """Extensions whose CREATE EXTENSION names a VERSION: the only ones whose version pgdiff manages."""
    pinned = {}
    for statement in statements:
        if "extension" not in statement.text.lower():  # spares parsing every other statement
            continue
        tree = statement.tree
        if isinstance(tree, ast.CreateExtensionStmt):
            for option in tree.options or ():
                if option.defname == "new_version":
                    pinned[tree.extname] = option.arg.sval if isinstance(option.arg, ast.String) else str(option.arg)
    return pinned
