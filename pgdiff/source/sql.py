"""Splits SQL files into statements with their file and line, using PostgreSQL's own parser (pglast)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
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

    @cached_property
    def tree(self) -> ast.Node:
        """The statement's parse tree; parsed once, however many passes read it (checks, order, renames)."""
        return pglast.parse_sql(self.text)[0].stmt

    def __getstate__(self) -> dict[str, object]:
        # The parse tree is not stored with a cached statement: it is large, and parsed again if ever needed.
        return {name: value for name, value in self.__dict__.items() if name != "tree"}

    def location(self, offset: int = 0) -> str:
        """`file:line` of a 0-based character offset inside the statement."""
        return f"{self.file}:{self.line + self.text.count(chr(10), 0, max(offset, 0))}"


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def split_sql(text: str, path: Path, *, checked: bool = True) -> list[SqlStatement]:
    """The statements of `text`; with `checked`, each one pgdiff does not manage is refused."""
    try:
        slices = pglast.parser.split(text, with_parser=True, only_slices=True)
    except ParseError as error:
        message, offset = error.args[0], error.args[1] if len(error.args) > 1 else 0
        raise SourceError(f"{path}:{line_of(text, offset)}: {message}") from None
    statements = []
    previous_end, previous_end_line = 0, 1
    for piece in slices:
        # Lines counted piece by piece: counting from the file's start each time is quadratic in its size.
        leading = text[previous_end : piece.start]
        line = previous_end_line + leading.count("\n")
        statements.append(SqlStatement(text[piece], path, line, leading, previous_end_line))
        previous_end, previous_end_line = piece.stop, line + text.count("\n", piece.start, piece.stop)
    if checked:
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
    "CreatePolicyStmt": "CREATE POLICY",
    "AlterPolicyStmt": "ALTER POLICY",
    "CreateStatsStmt": "CREATE STATISTICS",
    "CommentStmt": "COMMENT ON",
    "GrantStmt": "GRANT/REVOKE",
    "AlterOwnerStmt": "ALTER ... OWNER TO",
    "AlterDefaultPrivilegesStmt": "ALTER DEFAULT PRIVILEGES",
    "AlterStatsStmt": "ALTER STATISTICS",
    "DefineStmt": "CREATE COLLATION",  # other DefineStmt kinds (aggregates, operators...) are refused below
}


_OBJECT = enums.ObjectType
# COMMENT ON the kinds pgdiff manages; others would load and then be silently ignored.
COMMENTED_KINDS = {
    _OBJECT.OBJECT_TABLE,
    _OBJECT.OBJECT_COLUMN,
    _OBJECT.OBJECT_TABCONSTRAINT,
    _OBJECT.OBJECT_INDEX,
    _OBJECT.OBJECT_VIEW,
    _OBJECT.OBJECT_MATVIEW,
    _OBJECT.OBJECT_SEQUENCE,
    _OBJECT.OBJECT_TYPE,
    _OBJECT.OBJECT_DOMAIN,
    _OBJECT.OBJECT_FUNCTION,
    _OBJECT.OBJECT_PROCEDURE,
    _OBJECT.OBJECT_TRIGGER,
    _OBJECT.OBJECT_POLICY,
    _OBJECT.OBJECT_SCHEMA,
    _OBJECT.OBJECT_COLLATION,
    _OBJECT.OBJECT_STATISTIC_EXT,
}


# GRANT/REVOKE ON the kinds pgdiff manages privileges of (columns are GRANT ... (column) ON TABLE).
GRANTED_KINDS = {
    _OBJECT.OBJECT_TABLE,
    _OBJECT.OBJECT_SEQUENCE,
    _OBJECT.OBJECT_FUNCTION,
    _OBJECT.OBJECT_PROCEDURE,
    _OBJECT.OBJECT_ROUTINE,
    _OBJECT.OBJECT_TYPE,
    _OBJECT.OBJECT_DOMAIN,
    _OBJECT.OBJECT_SCHEMA,
}


# ALTER ... OWNER TO on these (tables, views and sequences change owner with ALTER TABLE).
OWNED_KINDS = {
    _OBJECT.OBJECT_FUNCTION,
    _OBJECT.OBJECT_PROCEDURE,
    _OBJECT.OBJECT_ROUTINE,
    _OBJECT.OBJECT_TYPE,
    _OBJECT.OBJECT_DOMAIN,
    _OBJECT.OBJECT_SCHEMA,
}


def check_supported(statement: SqlStatement) -> None:
    """Refuse what pgdiff cannot manage yet, naming the statement and where it is."""
    node = statement.tree
    kind = type(node).__name__
    where = statement.location()
    if kind in NOT_SCHEMA:
        raise SourceError(f"{where}: {_describe(node)} is not schema: {NOT_SCHEMA[kind]}")
    if kind == "SelectStmt":
        raise SourceError(f"{where}: {_describe_select(statement.text)}")
    if kind in OUT_OF_SCOPE:
        words, why = OUT_OF_SCOPE[kind]
        raise SourceError(f"{where}: {words} is outside what pgdiff manages: {why}")
    if kind not in SUPPORTED_STATEMENTS:
        raise SourceError(f"{where}: {_describe(node)} is not supported by pgdiff yet; move it out of the schema files")
    if isinstance(node, ast.CommentStmt) and node.objtype not in COMMENTED_KINDS:
        what = node.objtype.name.removeprefix("OBJECT_").replace("_", " ")
        raise SourceError(f"{where}: COMMENT ON {what} is not managed by pgdiff; move it out of the schema files")
    if isinstance(node, ast.AlterOwnerStmt) and node.objectType not in OWNED_KINDS:
        what = node.objectType.name.removeprefix("OBJECT_").replace("_", " ")
        raise SourceError(f"{where}: the owner of a {what} is not managed by pgdiff; move it out of the schema files")
    if isinstance(node, ast.GrantStmt) and node.objtype not in GRANTED_KINDS:
        what = node.objtype.name.removeprefix("OBJECT_").replace("_", " ")
        raise SourceError(f"{where}: privileges ON {what} are not managed by pgdiff; move them out of the schema files")
    if isinstance(node, ast.DefineStmt) and node.kind != enums.ObjectType.OBJECT_COLLATION:
        what = node.kind.name.removeprefix("OBJECT_").replace("_", " ")
        raise SourceError(f"{where}: CREATE {what} is not supported by pgdiff yet; move it out of the schema files")
    if isinstance(node, ast.AlterTableStmt):
        _check_alter_table(node, where)
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
    "AlterOwnerStmt": "ALTER ... OWNER TO",
    "AlterDefaultPrivilegesStmt": "ALTER DEFAULT PRIVILEGES",
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
    "VacuumStmt": "VACUUM/ANALYZE",
    "ReindexStmt": "REINDEX",
    "ClusterStmt": "CLUSTER",
    "ExplainStmt": "EXPLAIN",
    "AlterSystemStmt": "ALTER SYSTEM",
    "CreatedbStmt": "CREATE DATABASE",
    "DropdbStmt": "DROP DATABASE",
    "RefreshMatViewStmt": "REFRESH MATERIALIZED VIEW",
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
    "ReindexStmt": "it is maintenance; run it from a job, not from the schema files",
    "ClusterStmt": "it is maintenance; run it from a job, not from the schema files",
    "ExplainStmt": "it shows a query plan; run it in psql",
    "AlterSystemStmt": "it configures the server; set it in postgresql.conf or your provider's console",
    "CreatedbStmt": "pgdiff manages the objects inside one database; create the database before running pgdiff",
    "DropdbStmt": "pgdiff manages the objects inside one database",
    "RenameStmt": (
        "the desired state holds each object under its new name; to keep the data, write the new name and mark it "
        "with `-- pgdiff: renamed from <old name>` (see the README's Renames)"
    ),
}


_CLUSTER_WIDE = "roles are shared by every database of a server and differ between environments; create them first"
_REPLICATION = "replication is set up per server and environment, not with the schema"
OUT_OF_SCOPE = {
    "CreateRoleStmt": ("CREATE ROLE", _CLUSTER_WIDE),
    "AlterRoleStmt": ("ALTER ROLE", _CLUSTER_WIDE),
    "DropRoleStmt": ("DROP ROLE", _CLUSTER_WIDE),
    "GrantRoleStmt": ("GRANT role", _CLUSTER_WIDE),
    "CreateTableSpaceStmt": ("CREATE TABLESPACE", "tablespaces are directories of a server, not schema"),
    "CreatePublicationStmt": ("CREATE PUBLICATION", _REPLICATION),
    "AlterPublicationStmt": ("ALTER PUBLICATION", _REPLICATION),
    "CreateSubscriptionStmt": ("CREATE SUBSCRIPTION", _REPLICATION),
}


def _describe_select(text: str) -> str:
    """SELECT in schema files either calls something for its effect (cron.schedule) or is a query."""
    called = [".".join(name.sval for name in node.funcname) for node in _function_calls(text)]
    select = pglast.parse_sql(text)[0].stmt
    is_query = bool(getattr(select, "fromClause", None)) or select.op != enums.SetOperation.SETOP_NONE
    if called and not is_query:
        return (
            f"SELECT {called[0]}(...) runs code or reads data when the files load, and is not schema; "
            "schedule jobs (cron.schedule) and run one-off calls from a deploy step, not from the desired state"
        )
    return (
        "SELECT reads data when the files load, and is not schema; keep queries in a script, "
        "or write CREATE VIEW to keep one in the schema"
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



_AT = enums.AlterTableType
# What ALTER TABLE may do in the files: each changes something the catalog reader reads back (a column, a
# constraint, storage parameters, persistence, row security, a trigger's state, membership, ...).
_TABLE_COMMANDS = frozenset({
    _AT.AT_AddColumn, _AT.AT_ColumnDefault, _AT.AT_DropNotNull, _AT.AT_SetNotNull, _AT.AT_SetExpression,
    _AT.AT_DropExpression, _AT.AT_SetStatistics, _AT.AT_SetOptions, _AT.AT_ResetOptions, _AT.AT_SetStorage,
    _AT.AT_SetCompression, _AT.AT_DropColumn, _AT.AT_AddConstraint, _AT.AT_AlterConstraint,
    _AT.AT_ValidateConstraint, _AT.AT_AddIndexConstraint, _AT.AT_DropConstraint, _AT.AT_AlterColumnType,
    _AT.AT_ChangeOwner, _AT.AT_SetLogged, _AT.AT_SetUnLogged, _AT.AT_SetRelOptions, _AT.AT_ResetRelOptions,
    _AT.AT_EnableTrig, _AT.AT_EnableAlwaysTrig, _AT.AT_EnableReplicaTrig, _AT.AT_DisableTrig,
    _AT.AT_EnableTrigUser, _AT.AT_DisableTrigUser, _AT.AT_AddInherit, _AT.AT_DropInherit, _AT.AT_ReplicaIdentity,
    _AT.AT_EnableRowSecurity, _AT.AT_DisableRowSecurity, _AT.AT_ForceRowSecurity, _AT.AT_NoForceRowSecurity,
    _AT.AT_AttachPartition, _AT.AT_DetachPartition, _AT.AT_DetachPartitionFinalize, _AT.AT_AddIdentity,
    _AT.AT_SetIdentity, _AT.AT_DropIdentity,
})  # fmt: skip
# ALTER INDEX: attached to its parent's index, storage parameters (part of the index's definition).
_INDEX_COMMANDS = frozenset({_AT.AT_AttachPartition, _AT.AT_SetRelOptions, _AT.AT_ResetRelOptions})
# ALTER VIEW / MATERIALIZED VIEW / SEQUENCE: the owner, and a view's options (check_option, security_barrier).
_RELATION_COMMANDS = frozenset({_AT.AT_ChangeOwner, _AT.AT_SetRelOptions, _AT.AT_ResetRelOptions})
_MANAGED_COMMANDS = {
    _OBJECT.OBJECT_TABLE: _TABLE_COMMANDS,
    _OBJECT.OBJECT_INDEX: _INDEX_COMMANDS,
    _OBJECT.OBJECT_VIEW: _RELATION_COMMANDS,
    _OBJECT.OBJECT_MATVIEW: frozenset({_AT.AT_ChangeOwner}),
    _OBJECT.OBJECT_SEQUENCE: frozenset({_AT.AT_ChangeOwner}),
}
# How to say the commands refused most often, as the user wrote them.
_COMMAND_WORDS = {
    _AT.AT_ClusterOn: "CLUSTER ON {}",
    _AT.AT_DropCluster: "SET WITHOUT CLUSTER",
    _AT.AT_SetTableSpace: "SET TABLESPACE {}",
    _AT.AT_SetAccessMethod: "SET ACCESS METHOD",
    _AT.AT_EnableTrigAll: "ENABLE TRIGGER ALL",
    _AT.AT_DisableTrigAll: "DISABLE TRIGGER ALL",
    _AT.AT_EnableRule: "ENABLE RULE {}",
    _AT.AT_EnableAlwaysRule: "ENABLE ALWAYS RULE {}",
    _AT.AT_EnableReplicaRule: "ENABLE REPLICA RULE {}",
    _AT.AT_DisableRule: "DISABLE RULE {}",
    _AT.AT_AddOf: "OF type",
    _AT.AT_DropOf: "NOT OF",
    _AT.AT_GenericOptions: "OPTIONS (...)",
    _AT.AT_AlterColumnGenericOptions: "ALTER COLUMN {} OPTIONS (...)",
    _AT.AT_SetStatistics: "ALTER COLUMN {} SET STATISTICS",
    _AT.AT_ColumnDefault: "ALTER COLUMN {} SET DEFAULT",
    _AT.AT_SetStorage: "ALTER COLUMN {} SET STORAGE",
    _AT.AT_SetOptions: "ALTER COLUMN {} SET (...)",
    _AT.AT_SetRelOptions: "SET (...)",
}


def _check_alter_table(node: ast.AlterTableStmt, where: str) -> None:
    """Refuse an ALTER that would change what pgdiff does not read back: it would load, plan nothing, and be
    lost from every database pgdiff builds. One error names every such command of the statement."""
    managed = _MANAGED_COMMANDS.get(node.objtype, frozenset())
    refused = [command for command in node.cmds or () if command.subtype not in managed]
    if not refused:
        return
    what = node.objtype.name.removeprefix("OBJECT_").replace("_", " ").replace("MATVIEW", "MATERIALIZED VIEW")
    words = ", ".join(dict.fromkeys(_command_words(command) for command in refused))
    raise SourceError(
        f"{where}: ALTER {what} {_relation_name(node.relation)} {words} is not managed by pgdiff yet "
        "(it would be lost from the plan); "
        "move it out of the schema files"
    )


def _command_words(command: ast.AlterTableCmd) -> str:
    words = _COMMAND_WORDS.get(command.subtype) or command.subtype.name.removeprefix("AT_")
    name = command.name if command.name is not None else (command.num or "")
    return words.replace("{}", str(name)).replace("  ", " ")


def _relation_name(relation: ast.RangeVar) -> str:
    return ".".join(part for part in (relation.schemaname, relation.relname) if part)
