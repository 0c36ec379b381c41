"""Orders desired statements by what they define and reference, so files load in any order.

pglast gives each statement's parse tree: what it creates (a table, view, type, function, sequence,
schema) and every relation, type and function it names. A statement moves after the statements that
define what it names; otherwise file order is kept. Names are matched without their schema (the
search_path decides which schema an unqualified name means), which can only add orderings, not lose
them. A file that sets search_path, the role or the session user is loaded exactly in file order, since
moving statements across such a SET would change what they mean; so is a cycle.

ALTER DEFAULT PRIVILEGES applies to what is created after it: an object it would grant on stays on the side
of it where the SQL files put it (in the load order of the files), whatever else moves. YAML is declarative:
its `default_privileges:` apply to every object the files create, so they load before all of them.
Extensions bring types, functions and operators no parse tree can attribute, so everything but the schemas
they are created in loads after them.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from typing import Any

import pglast
from pglast import ast, enums

from pgdiff.source.sql import SqlStatement
from pgdiff.source.yaml_files import YAML_SUFFIXES

Name = tuple[str, str]  # (namespace kind, name): ("relation", "users"), ("function", "touch"), ...


def order_by_dependencies(statements: list[SqlStatement]) -> list[SqlStatement]:
    trees = [s.tree for s in statements]
    if any(isinstance(tree, ast.VariableSetStmt) and tree.name in _ORDER_SETTINGS for tree in trees):
        return list(statements)
    defined = [_defines(tree) for tree in trees]
    definers: dict[Name, list[int]] = {}
    for index, names in enumerate(defined):
        for name in names:
            definers.setdefault(name, []).append(index)
    after: list[set[int]] = []
    for index, tree in enumerate(trees):
        needed = {d for name in _references(tree) - defined[index] for d in definers.get(name, []) if d != index}
        after.append(needed)
    declarative = [s.file.suffix in YAML_SUFFIXES for s in statements]
    _keep_sides_of_default_privileges(trees, declarative, after)
    return [statements[i] for i in _stable_topological_order(after)]


# Settings that change what a later statement means (which schema a name is in, who owns what is created
# and so which default privileges apply to it).
_ORDER_SETTINGS = ("search_path", "role", "session_authorization")


def _keep_sides_of_default_privileges(trees: list[ast.Node], declarative: list[bool], after: list[set[int]]) -> None:
    """Each ALTER DEFAULT PRIVILEGES of an SQL file follows the objects it could grant on that come before
    it in the files, and precedes those after it: it gives grants only to what is created later. One from
    YAML (`declarative`) precedes them all."""
    for position, tree in enumerate(trees):
        if not isinstance(tree, ast.AlterDefaultPrivilegesStmt):
            continue
        for other, created in enumerate(trees):
            if other == position or not _default_privileges_apply(tree, created):
                continue
            if other < position and not declarative[position]:
                after[position].add(other)
            else:
                after[other].add(position)


# What ALTER DEFAULT PRIVILEGES ... ON <kind> gives grants on, by parse node: `ON TABLES` covers views and
# materialized views; a table's serial or identity column creates a sequence.
_DEFAULT_PRIVILEGE_TARGETS: dict[enums.ObjectType, tuple[type, ...]] = {
    enums.ObjectType.OBJECT_TABLE: (ast.CreateStmt, ast.ViewStmt, ast.CreateTableAsStmt, ast.CreateSeqStmt),
    enums.ObjectType.OBJECT_SEQUENCE: (ast.CreateSeqStmt, ast.CreateStmt),
    enums.ObjectType.OBJECT_FUNCTION: (ast.CreateFunctionStmt,),
    enums.ObjectType.OBJECT_ROUTINE: (ast.CreateFunctionStmt,),
    enums.ObjectType.OBJECT_PROCEDURE: (ast.CreateFunctionStmt,),
    enums.ObjectType.OBJECT_TYPE: (
        ast.CompositeTypeStmt,
        ast.CreateEnumStmt,
        ast.CreateRangeStmt,
        ast.CreateDomainStmt,
    ),
    enums.ObjectType.OBJECT_SCHEMA: (ast.CreateSchemaStmt,),
}


def _default_privileges_apply(defaults: ast.AlterDefaultPrivilegesStmt, tree: ast.Node) -> bool:
    """Whether the object `tree` creates could get grants from `defaults`: its kind matches, and its schema
    is one the defaults name (an unqualified name may be in any of them)."""
    if not isinstance(tree, _DEFAULT_PRIVILEGE_TARGETS.get(defaults.action.objtype, ())):
        return False
    in_schemas = (option.arg for option in defaults.options or () if option.defname == "schemas")
    schemas = {name for names in in_schemas for name in _names_in(names)}
    if not schemas:
        return True
    schema = _created_schema(tree)
    return schema is None or schema in schemas


def _created_schema(tree: ast.Node) -> str | None:
    """The schema the statement creates its object in, when the statement names it."""
    if isinstance(tree, ast.CreateStmt | ast.CreateSeqStmt):
        relation = tree.relation if isinstance(tree, ast.CreateStmt) else tree.sequence
        return relation.schemaname
    if isinstance(tree, ast.ViewStmt):
        return tree.view.schemaname
    if isinstance(tree, ast.CreateTableAsStmt):
        return tree.into.rel.schemaname
    if isinstance(tree, ast.CompositeTypeStmt):
        return tree.typevar.schemaname
    names = {
        ast.CreateFunctionStmt: "funcname",
        ast.CreateEnumStmt: "typeName",
        ast.CreateRangeStmt: "typeName",
        ast.CreateDomainStmt: "domainname",
    }
    qualified_name = getattr(tree, names.get(type(tree), ""), None) or ()
    return qualified_name[0].sval if len(qualified_name) > 1 else None


def names_used_not_defined(statements: list[SqlStatement] | tuple[SqlStatement, ...]) -> set[Name]:
    """(kind, bare name) of what the statements name but none of them defines: objects that must exist
    already, such as a table another team owns that a foreign key references."""
    trees = [s.tree for s in statements]
    defined = {name for tree in trees for name in _defines(tree)}
    used = {name for tree in trees for name in _references(tree)}
    return {name for name in used - defined if name[1] != "*"}


def _stable_topological_order(after: list[set[int]]) -> list[int]:
    """Kahn's algorithm taking the earliest ready statement first; a cycle is broken at its earliest member."""
    waiting = {i: set(deps) for i, deps in enumerate(after)}
    dependants: dict[int, set[int]] = {}
    for i, deps in waiting.items():
        for d in deps:
            dependants.setdefault(d, set()).add(i)
    ready = [i for i, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    order: list[int] = []
    while waiting:
        if not ready:
            heapq.heappush(ready, min(waiting))  # a cycle: file order decides
        index = heapq.heappop(ready)
        if index not in waiting:
            continue
        del waiting[index]
        order.append(index)
        for dependant in dependants.get(index, ()):
            if dependant in waiting:
                waiting[dependant].discard(index)
                if not waiting[dependant]:
                    heapq.heappush(ready, dependant)
    return order


def _defines(tree: ast.Node) -> set[Name]:
    if isinstance(tree, ast.CreateStmt):
        # A table is also a type (its row type) that columns and functions may name.
        elements = tree.tableElts or ()
        constraints = {("constraint", c.conname) for c in elements if isinstance(c, ast.Constraint) and c.conname}
        return {("relation", tree.relation.relname), ("type", tree.relation.relname)} | constraints
    if isinstance(tree, ast.ViewStmt):
        return {("relation", tree.view.relname), ("type", tree.view.relname)}
    if isinstance(tree, ast.CreateTableAsStmt):
        return {("relation", tree.into.rel.relname)}
    if isinstance(tree, ast.IndexStmt) and tree.idxname:
        # ALTER INDEX ... ATTACH PARTITION names both indexes.
        return {("relation", tree.idxname)}
    if isinstance(tree, ast.CreateSeqStmt):
        return {("relation", tree.sequence.relname)}
    if isinstance(tree, ast.CreateSchemaStmt):
        return {("schema", tree.schemaname)}
    if isinstance(tree, ast.CreateFunctionStmt):
        return {("function", _last(tree.funcname))}
    if isinstance(tree, ast.CompositeTypeStmt):
        return {("type", tree.typevar.relname)}
    if isinstance(tree, ast.CreateEnumStmt | ast.CreateRangeStmt):
        return {("type", _last(tree.typeName))}
    if isinstance(tree, ast.CreateDomainStmt):
        return {("type", _last(tree.domainname))}
    if isinstance(tree, ast.CreateExtensionStmt):
        return {("extension", "*"), ("extension", tree.extname)}
    if isinstance(tree, ast.DefineStmt) and tree.kind == enums.ObjectType.OBJECT_COLLATION:
        return {("collation", _last(tree.defnames))}
    if isinstance(tree, ast.CreateStatsStmt):
        return {("statistics", _last(tree.defnames))}
    if isinstance(tree, ast.CreateTrigStmt):
        return {("trigger", tree.trigname)}
    if isinstance(tree, ast.CreatePolicyStmt):
        return {("policy", tree.policy_name)}
    if _attaches_partition(tree, enums.ObjectType.OBJECT_TABLE):
        return {("attached partition", "*")}
    if isinstance(tree, ast.AlterTableStmt):
        added = (cmd.def_ for cmd in tree.cmds or () if cmd.subtype == enums.AlterTableType.AT_AddConstraint)
        return {("constraint", c.conname) for c in added if isinstance(c, ast.Constraint) and c.conname}
    return set()


def _attaches_partition(tree: ast.Node, objtype: enums.ObjectType) -> bool:
    """ALTER TABLE/INDEX ... ATTACH PARTITION."""
    return (
        isinstance(tree, ast.AlterTableStmt)
        and tree.objtype == objtype
        and any(cmd.subtype == enums.AlterTableType.AT_AttachPartition for cmd in tree.cmds or ())
    )


def _last(names: tuple[ast.String, ...] | None) -> str:
    return names[-1].sval if names else ""


def _names_in(node: object) -> set[str]:
    if isinstance(node, ast.String):
        return {node.sval}
    if isinstance(node, tuple | list):
        return {name for item in node for name in _names_in(item)}
    if isinstance(node, ast.ObjectWithArgs):
        return _names_in(node.objname)
    if isinstance(node, ast.TypeName):
        return _names_in(node.names)
    return set()


def _references(tree: ast.Node) -> set[Name]:
    collector = _References()
    collector.collect(tree)
    found = collector.found
    if isinstance(tree, ast.CreateTrigStmt) and tree.funcname:
        found.add(("function", _last(tree.funcname)))
    if isinstance(tree, ast.CreateFunctionStmt):
        found |= _sql_body_references(tree)
    if isinstance(tree, ast.CreateExtensionStmt):
        # WITH SCHEMA: the schema must exist before the extension is created in it.
        found |= {("schema", option.arg.sval) for option in tree.options or () if option.defname == "schema"}
    if isinstance(tree, ast.AlterDefaultPrivilegesStmt):
        for option in tree.options or ():
            if option.defname == "schemas":
                found |= {("schema", name) for name in _names_in(option.arg)}
    # Statements naming their object by a list of bare names (no RangeVar or TypeName to visit): they
    # must still follow its CREATE, which may wait for ALTER DEFAULT PRIVILEGES.
    if isinstance(tree, ast.AlterStatsStmt):
        found.add(("statistics", _last(tree.defnames)))
    if isinstance(tree, ast.AlterDomainStmt):
        found.add(("type", _last(tree.typeName)))
    if isinstance(tree, ast.AlterTableStmt):
        found |= {("trigger", cmd.name) for cmd in tree.cmds or () if cmd.subtype in _TRIGGER_SWITCHES and cmd.name}
    if isinstance(tree, ast.CommentStmt | ast.GrantStmt):
        # The object is a list of bare names: load after whatever defines any of them.
        for name in _names_in(tree.object if isinstance(tree, ast.CommentStmt) else tree.objects):
            found |= {(kind, name) for kind in _COMMENTED_KINDS}
    if _attaches_partition(tree, enums.ObjectType.OBJECT_INDEX):
        # An index attaches to a partitioned index only once its table is a partition: nothing names that.
        found.add(("attached partition", "*"))
    if not isinstance(tree, ast.CreateExtensionStmt) and not _bare_schema(tree):
        # Extensions bring types, functions and operators no parse tree can attribute: they load first,
        # after the schemas (with nothing inside) they may be created in.
        found.add(("extension", "*"))
    return found


def _bare_schema(tree: ast.Node) -> bool:
    return isinstance(tree, ast.CreateSchemaStmt) and not tree.schemaElts


def _sql_body_references(tree: ast.CreateFunctionStmt) -> set[Name]:
    """What the string body of a LANGUAGE sql function names: PostgreSQL checks that body when the function
    is created (check_function_bodies), so it must load after the tables and functions it uses."""
    options = {option.defname: option.arg for option in tree.options or ()}
    language = options.get("language")
    if not isinstance(language, ast.String) or language.sval.lower() != "sql" or "as" not in options:
        return set()
    body = options["as"]
    texts = [item.sval for item in body if isinstance(item, ast.String)] if isinstance(body, tuple) else []
    found: set[Name] = set()
    for text in texts[:1]:
        try:
            parsed = pglast.parse_sql(text)
        except pglast.parser.ParseError:
            continue  # PostgreSQL reports it, with the function's file and line, when the shadow loads it
        for raw in parsed:
            collector = _References()
            collector.collect(raw.stmt)
            found |= collector.found
    return found


_SEQUENCE_FUNCTIONS = ("nextval", "currval", "setval")
_COMMENTED_KINDS = (
    "relation",
    "type",
    "function",
    "schema",
    "collation",
    "statistics",
    "trigger",
    "policy",
    "constraint",
)
_TRIGGER_SWITCHES = (
    enums.AlterTableType.AT_EnableTrig,
    enums.AlterTableType.AT_EnableAlwaysTrig,
    enums.AlterTableType.AT_EnableReplicaTrig,
    enums.AlterTableType.AT_DisableTrig,
)


def _nodes(tree: ast.Node) -> Iterator[ast.Node]:
    """Every node of `tree`, itself included. pglast's Visitor does the same with ancestors, replacement
    and a method look-up per call: a second of a cold plan over 4,000 statements."""
    pending: list[object] = [tree]
    while pending:
        item = pending.pop()
        if isinstance(item, ast.Node):
            yield item
            pending.extend(getattr(item, name) for name in item)
        elif isinstance(item, tuple):
            pending.extend(item)


class _References:
    """The names a statement references, from the nodes that name something (`visit_<node class>`)."""

    def __init__(self) -> None:
        self.found: set[Name] = set()

    def collect(self, tree: ast.Node) -> None:
        for node in _nodes(tree):
            visit = _VISITS.get(type(node))
            if visit is not None:
                visit(self, node)

    def visit_RangeVar(self, node: ast.RangeVar) -> None:
        self.found.add(("relation", node.relname))
        if node.schemaname:
            self.found.add(("schema", node.schemaname))

    def visit_TypeName(self, node: ast.TypeName) -> None:
        if node.names:
            self.found.add(("type", node.names[-1].sval))
            if len(node.names) > 1 and node.names[0].sval != "pg_catalog":
                self.found.add(("schema", node.names[0].sval))

    def visit_CollateClause(self, node: ast.CollateClause) -> None:
        self.found.add(("collation", _last(node.collname)))

    def visit_FuncCall(self, node: ast.FuncCall) -> None:
        self.found.add(("function", _last(node.funcname)))
        if _last(node.funcname) in _SEQUENCE_FUNCTIONS and node.args:
            # nextval('app.orders_seq'): a default names its sequence only inside a string literal.
            argument = node.args[0]
            if isinstance(argument, ast.TypeCast):
                argument = argument.arg
            if isinstance(argument, ast.A_Const) and isinstance(argument.val, ast.String):
                self.found.add(("relation", argument.val.sval.rsplit(".", 1)[-1].strip('"')))
        if node.funcname and len(node.funcname) > 1:
            self.found.add(("schema", node.funcname[0].sval))


_VISITS: dict[type, Callable[[_References, Any], None]] = {
    getattr(ast, name.removeprefix("visit_")): method
    for name, method in vars(_References).items()
    if name.startswith("visit_")
}
