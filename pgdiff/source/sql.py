"""Splits SQL files into statements with their file and line, using PostgreSQL's own parser (pglast)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pglast
from pglast import ast, enums, visitors
from pglast.parser import ParseError

from pgdiff.errors import SourceError


@dataclass(frozen=True)
class SqlStatement:
    text: str
    file: Path
    line: int  # 1-based line of the statement's first character
    leading: str = ""  # comments and blank lines between the previous statement and this one
    leading_line: int = 1  # line where `leading` starts

    def location(self, offset: int = 0) -> str:
        """`file:line` of a 0-based character offset inside the statement."""
        return f"{self.file}:{self.line + self.text.count(chr(10), 0, max(offset, 0))}"


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def split_sql(text: str, path: Path) -> list[SqlStatement]:
    try:
        slices = pglast.parser.split(text, with_parser=True, only_slices=True)
    except ParseError as error:
        message, offset = error.args[0], error.args[1] if len(error.args) > 1 else 0
        raise SourceError(f"{path}:{line_of(text, offset)}: {message}") from None
    statements = []
    previous_end = 0
    for piece in slices:
        leading = text[previous_end : piece.start]
        statements.append(
            SqlStatement(text[piece], path, line_of(text, piece.start), leading, line_of(text, previous_end))
        )
        previous_end = piece.stop
    for statement in statements:
        check_supported(statement)
    return statements


# Statement kinds pgdiff manages so far; the others would load into the shadow and then be silently ignored.
SUPPORTED_STATEMENTS = {
    "CreateSchemaStmt": "CREATE SCHEMA",
    "CreateExtensionStmt": "CREATE EXTENSION",
    "CreateStmt": "CREATE TABLE",
    "AlterTableStmt": "ALTER TABLE",  # and ALTER INDEX ... ATTACH PARTITION
    "IndexStmt": "CREATE INDEX",
    "VariableSetStmt": "SET",
    "CreateSeqStmt": "CREATE SEQUENCE",
    "AlterSeqStmt": "ALTER SEQUENCE",
    "CreateEnumStmt": "CREATE TYPE ... AS ENUM",
    "AlterEnumStmt": "ALTER TYPE ... ADD VALUE",
    "CompositeTypeStmt": "CREATE TYPE ... AS (...)",
    "CreateDomainStmt": "CREATE DOMAIN",
    "AlterDomainStmt": "ALTER DOMAIN",
    "CreateRangeStmt": "CREATE TYPE ... AS RANGE",
    "CreateFunctionStmt": "CREATE FUNCTION/PROCEDURE",
    "CreateTrigStmt": "CREATE TRIGGER",
    "ViewStmt": "CREATE VIEW",
    "CreateTableAsStmt": "CREATE MATERIALIZED VIEW",  # CREATE TABLE AS is refused below
}


def check_supported(statement: SqlStatement) -> None:
    """Refuse what pgdiff cannot manage yet, naming the statement and where it is."""
    node = pglast.parse_sql(statement.text)[0].stmt
    kind = type(node).__name__
    where = statement.location()
    if kind in NOT_SCHEMA:
        raise SourceError(f"{where}: {_describe(node)} is not schema: {NOT_SCHEMA[kind]}")
    if kind == "SelectStmt":
        raise SourceError(f"{where}: {_describe_select(statement.text)}")
    if kind not in SUPPORTED_STATEMENTS:
        raise SourceError(f"{where}: {_describe(node)} is not supported by pgdiff yet; move it out of the schema files")
    if isinstance(node, ast.CreateTableAsStmt) and node.objtype != enums.ObjectType.OBJECT_MATVIEW:
        raise SourceError(
            f"{where}: CREATE TABLE AS copies rows, and the desired state describes only schema; "
            "write CREATE TABLE, and fill it from a data script"
        )


STATEMENT_WORDS = {
    "ViewStmt": "CREATE VIEW",
    "CreateTableAsStmt": "CREATE TABLE AS / CREATE MATERIALIZED VIEW",
    "CreateFunctionStmt": "CREATE FUNCTION",
    "CreateTrigStmt": "CREATE TRIGGER",
    "CreateSeqStmt": "CREATE SEQUENCE",
    "CreateEnumStmt": "CREATE TYPE ... AS ENUM",
    "CompositeTypeStmt": "CREATE TYPE",
    "CreateDomainStmt": "CREATE DOMAIN",
    "CreatePolicyStmt": "CREATE POLICY",
    "GrantStmt": "GRANT/REVOKE",
    "CommentStmt": "COMMENT",
    "InsertStmt": "INSERT",
    "UpdateStmt": "UPDATE",
    "DeleteStmt": "DELETE",
    "SelectStmt": "SELECT",
    "CopyStmt": "COPY",
    "DoStmt": "DO",
    "TransactionStmt": "BEGIN/COMMIT",
    "DropStmt": "DROP",
    "RenameStmt": "ALTER ... RENAME",
}


# Statements that change or read data, or run code, when the schema is loaded: never part of a desired state.
_DATA_HINT = "it changes rows, and the desired state describes only schema; keep it in a data or seed script"
NOT_SCHEMA = {
    "InsertStmt": _DATA_HINT,
    "UpdateStmt": _DATA_HINT,
    "DeleteStmt": _DATA_HINT,
    "TruncateStmt": _DATA_HINT,
    "CopyStmt": _DATA_HINT,
    "MergeStmt": _DATA_HINT,
    "DoStmt": "it runs code when the files load; write the objects it would create as plain DDL",
    "RefreshMatViewStmt": "it refreshes data; run it from a job, not from the schema files",
    "VacuumStmt": "it is maintenance; run it from a job, not from the schema files",
    "TransactionStmt": "pgdiff loads and applies in transactions of its own; remove BEGIN/COMMIT",
    "CallStmt": "it runs a procedure; run it from a job or a data script",
}


def _describe_select(text: str) -> str:
    """SELECT in schema files usually schedules or configures something, e.g. cron.schedule(...)."""
    called = [".".join(name.sval for name in node.funcname) for node in _function_calls(text)]
    what = f"SELECT {called[0]}(...)" if called else "SELECT"
    return (
        f"{what} runs code or reads data when the files load, and is not schema; "
        "schedule jobs (cron.schedule) and run one-off calls from a deploy step, not from the desired state"
    )


def _function_calls(text: str) -> list[ast.FuncCall]:
    collector = _FunctionCalls()
    collector(pglast.parse_sql(text)[0].stmt)
    return collector.calls


class _FunctionCalls(visitors.Visitor):
    def __init__(self) -> None:
        self.calls: list[ast.FuncCall] = []

    def visit_FuncCall(self, ancestors: object, node: ast.FuncCall) -> None:
        self.calls.append(node)


def _describe(node: ast.Node) -> str:
    kind = type(node).__name__
    return STATEMENT_WORDS.get(kind, f"{kind.removesuffix('Stmt')} statement")

