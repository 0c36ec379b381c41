"""`-- pgdiff:` comment directives in desired SQL, today: renames.

A declarative diff cannot tell a rename from a drop and an add, so the files say it:

    -- pgdiff: renamed from workflow_definitions          (on the line(s) before CREATE TABLE / CREATE INDEX /
    CREATE TABLE workflows (                               ALTER TABLE ... ADD CONSTRAINT: renames that object)
        title text NOT NULL, -- pgdiff: renamed from name (on a column's or table constraint's line)
        ...

The old name is an identifier as SQL writes it (quote it if it needs quotes); a table or index keeps its
schema. When the old name is gone from the database and the new one exists, the directive does nothing, so it
can stay in the files.

Also read from the files: the extension versions `CREATE EXTENSION ... VERSION` pins, the only versions
pgdiff manages (the shadow server installs its own default version of the others).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pglast import ast

from pgdiff.errors import SourceError
from pgdiff.source.sql import SqlStatement

_DIRECTIVE = re.compile(r"--\s*pgdiff\s*:\s*(?P<body>.*?)\s*$")
_RENAMED_FROM = re.compile(r'renamed\s+from\s+(?P<name>"(?:[^"]|"")+"|[^\s"]+)$', re.IGNORECASE)
DEFAULT_SCHEMA = "public"


@dataclass(frozen=True)
class Rename:
    kind: str  # "table" | "column" | "index" | "constraint"
    new_key: tuple[str, ...]  # identity in the desired model
    old_name: str
    where: str  # file:line of the directive

    @property
    def old_key(self) -> tuple[str, ...]:
        return (*self.new_key[:-1], self.old_name)


def find_renames(statements: list[SqlStatement] | tuple[SqlStatement, ...]) -> list[Rename]:
    renames: list[Rename] = []
    for statement in statements:
        renames += _renames_before(statement)
        renames += _renames_inside(statement)
    _refuse_conflicts(renames)
    return renames


def _directives(text: str, first_line: int, where_file: str) -> list[tuple[int, str]]:
    """(line, old name) of every directive in `text`; anything else after `pgdiff:` is an error."""
    if "pgdiff" not in text:  # nearly every statement: no need to split it into lines (44,000 of them)
        return []
    found = []
    for offset, line in enumerate(text.splitlines()):
        match = _DIRECTIVE.search(line)
        if not match:
            continue
        where = f"{where_file}:{first_line + offset}"
        renamed = _RENAMED_FROM.fullmatch(match.group("body"))
        if not renamed:
            body = match.group("body")
            raise SourceError(f"{where}: unknown pgdiff directive {body!r}; expected 'renamed from NAME'")
        found.append((first_line + offset, _unquote(renamed.group("name"))))
    return found


def _unquote(name: str) -> str:
    if name.startswith('"'):
        return name[1:-1].replace('""', '"')
    return name.lower()


def _renames_before(statement: SqlStatement) -> list[Rename]:
    directives = _directives(statement.leading, statement.leading_line, str(statement.file))
    if not directives:
        return []
    node = statement.tree
    target = _statement_object(node)
    where = f"{statement.file}:{directives[-1][0]}"
    if target is None:
        raise SourceError(f"{where}: 'renamed from' must precede CREATE TABLE, CREATE INDEX or ADD CONSTRAINT")
    if len(directives) > 1:
        raise SourceError(f"{where}: more than one 'renamed from' for one object")
    kind, key = target
    return [Rename(kind, key, directives[0][1], where)]


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


def _renames_inside(statement: SqlStatement) -> list[Rename]:
    """Directives on the lines of a CREATE TABLE's columns and table constraints."""
    directives = _directives(statement.text, statement.line, str(statement.file))
    if not directives:
        return []
    node = statement.tree
    if not isinstance(node, ast.CreateStmt):
        raise SourceError(
            f"{statement.file}:{directives[0][0]}: 'renamed from' inside a statement only works "
            "on the lines of a CREATE TABLE's columns and constraints"
        )
    table = _relation_key(node.relation)
    elements = [
        (statement.line + statement.text.count("\n", 0, element.location), element)
        for element in node.tableElts or ()
        if isinstance(element, ast.ColumnDef | ast.Constraint)
    ]
    renames = []
    for line, old_name in directives:
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


def _element_on_or_before(elements: list[tuple[int, ast.Node]], line: int) -> ast.Node | None:
    candidates = [element for element_line, element in elements if element_line <= line]
    return candidates[-1] if candidates else None


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
