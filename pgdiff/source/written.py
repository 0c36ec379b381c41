"""The files' own text of what pgdiff creates: CHECKs, indexes, policies, defaults, view queries, exclusion
constraints' predicates and triggers' WHEN conditions.

PostgreSQL stores an expression as a tree and prints it back (`pg_get_constraintdef`, `pg_get_indexdef`) in a
form that, parsed again, is not always the same tree: `status IN ('new', 'done')` on a varchar column prints as
`(status)::text = ANY ((ARRAY['new'::character varying, ...])::text[])`, which executed again prints as
`ARRAY[('new'::character varying)::text, ...]`. A database migrated with the printed text would then differ,
in `pg_dump`, from one built by running the files through psql. So an object the files create is created
from the files' own parse tree, printed by pglast, with every name the shadow's print qualifies qualified the
same way (the plan may run under another search_path than the files were loaded with).

Each expression of the files is paired with the catalog object it made: by name where the files name it, and
otherwise, among the unnamed ones on the same table, by the shape of its tree with casts and the spelling of
`IN`/`= ANY` set aside. What cannot be paired with certainty keeps the printed text, as before.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import pglast
from pglast import ast, enums

from pgdiff.model import Column, Constraint, Domain, Index, Model, Policy, Trigger, View
from pgdiff.source.printing import IndentedStream, RawStream
from pgdiff.source.sql import SqlStatement

TableName = tuple[str | None, str]  # (schema as written, or None; table)


@dataclass(frozen=True)
class _Fragment:
    table: TableName
    # "check" | "index" | "policy" | "default" (named by its column) | "domain check" (on a domain) | "view"
    # | "exclusion" | "trigger"
    kind: str
    name: str | None  # as the files name it, None when PostgreSQL chose it
    # The CHECK's expression, the whole IndexStmt, a policy's (USING, WITH CHECK), a view's query, an
    # exclusion constraint's WHERE, a trigger's WHEN (None where they have none).
    node: Any


def with_written_texts(model: Model, statements: Sequence[SqlStatement]) -> Model:
    """`model` (loaded from `statements`) with the files' own text on its CHECK constraints and indexes."""
    fragments = _Fragments(_fragments(statements))
    if not fragments.by_table:
        return model
    constraints = dict(model.constraints)
    for key, constraint in model.constraints.items():
        written = None
        if constraint.kind == "c":
            written = fragments.check_text(constraint)
        elif constraint.kind == "x":
            written = fragments.exclusion_text(constraint)
        if written is not None:
            constraints[key] = replace(constraint, written=written)
    indexes = dict(model.indexes)
    for key, index in model.indexes.items():
        written = fragments.index_body(index)
        if written is not None:
            indexes[key] = replace(index, written=written)
    policies = dict(model.policies)
    for key, policy in model.policies.items():
        texts = fragments.policy_texts(policy)
        if texts is not None:
            policies[key] = replace(policy, written_using=texts[0], written_check=texts[1])
    tables = {key: _with_written_defaults(table, fragments) for key, table in model.tables.items()}
    domains = {key: _with_written_checks(domain, fragments) for key, domain in model.domains.items()}
    views = {key: _with_written_query(view, fragments) for key, view in model.views.items()}
    triggers = {key: _with_written_condition(trigger, fragments) for key, trigger in model.triggers.items()}
    return replace(
        model,
        triggers=triggers,
        constraints=constraints,
        indexes=indexes,
        policies=policies,
        tables=tables,
        domains=domains,
        views=views,
    )


def _with_written_condition(trigger: Trigger, fragments: _Fragments) -> Trigger:
    written = fragments.trigger_text(trigger)
    return trigger if written is None else replace(trigger, written=written)


def _with_written_query(view: View, fragments: _Fragments) -> View:
    written = fragments.view_query(view)
    return view if written is None else replace(view, written=written)


def _with_written_defaults(table: Any, fragments: _Fragments) -> Any:
    columns = tuple(_with_written_default(table.schema, table.name, column, fragments) for column in table.columns)
    return table if columns == table.columns and all(c.written_default is None for c in columns) else replace(
        table, columns=columns
    )


def _with_written_default(schema: str, table: str, column: Column, fragments: _Fragments) -> Column:
    if column.default is None:
        return column
    written = fragments.default_text(schema, table, column)
    return column if written is None else replace(column, written_default=written)


def _with_written_checks(domain: Domain, fragments: _Fragments) -> Domain:
    checks = tuple(fragments.domain_check(domain, check) for check in domain.checks)
    return domain if all(c.written is None for c in checks) else replace(domain, checks=checks)


# -- collecting the files' expressions ------------------------------------------------------------


def _fragments(statements: Sequence[SqlStatement]) -> Iterator[_Fragment]:
    default_schema: str | None = None  # the first schema of a SET search_path in the files
    for statement in statements:
        if not _may_hold_fragments(statement.text):
            continue
        tree = statement.tree
        if isinstance(tree, ast.VariableSetStmt) and tree.name == "search_path":
            default_schema = _first_schema(tree)
        elif isinstance(tree, ast.CreateStmt):
            yield from _create_table_fragments(tree, default_schema)
        elif isinstance(tree, ast.AlterTableStmt):
            yield from _alter_table_fragments(tree, default_schema)
        elif isinstance(tree, ast.IndexStmt):
            yield _Fragment(_table_of(tree.relation, default_schema), "index", tree.idxname, tree)
        elif isinstance(tree, (ast.CreateDomainStmt, ast.AlterDomainStmt)):
            yield from _domain_fragments(tree, default_schema)
        elif isinstance(tree, (ast.CreatePolicyStmt, ast.AlterPolicyStmt)):
            table = _table_of(tree.table, default_schema)
            yield _Fragment(table, "policy", tree.policy_name, (tree.qual, tree.with_check))
        elif isinstance(tree, ast.CreateTrigStmt) and tree.whenClause is not None:
            yield _Fragment(_table_of(tree.relation, default_schema), "trigger", tree.trigname, tree.whenClause)
        elif isinstance(tree, ast.ViewStmt):
            yield _Fragment(_table_of(tree.view, default_schema), "view", tree.view.relname, tree.query)
        elif isinstance(tree, ast.CreateTableAsStmt) and tree.objtype == enums.ObjectType.OBJECT_MATVIEW:
            relation = tree.into.rel
            yield _Fragment(_table_of(relation, default_schema), "view", relation.relname, tree.query)


def _may_hold_fragments(text: str) -> bool:
    upper = text[:200].upper()
    whole = text.upper()
    return any(word in whole for word in ("CHECK", "DEFAULT", "GENERATED", "EXPRESSION", "EXCLUDE")) or any(
        word in upper for word in ("INDEX", "SEARCH_PATH", "POLICY", "VIEW", "TRIGGER")
    )


def _first_schema(tree: ast.VariableSetStmt) -> str | None:
    for arg in tree.args or ():
        value = getattr(arg, "val", None)
        name = getattr(value, "sval", None)
        if name and name != "$user":
            return name
    return None


def _table_of(relation: ast.RangeVar, default_schema: str | None) -> TableName:
    return (relation.schemaname or default_schema, relation.relname)


def _create_table_fragments(tree: ast.CreateStmt, default_schema: str | None) -> Iterator[_Fragment]:
    table = _table_of(tree.relation, default_schema)
    for element in tree.tableElts or ():
        if isinstance(element, ast.ColumnDef):
            yield from _checks(table, element.constraints)
            yield from _defaults(table, element)
        elif isinstance(element, ast.Constraint):
            yield from _checks(table, (element,))


def _alter_table_fragments(tree: ast.AlterTableStmt, default_schema: str | None) -> Iterator[_Fragment]:
    table = _table_of(tree.relation, default_schema)
    for command in tree.cmds or ():
        definition = getattr(command, "def_", None)
        if command.subtype == enums.AlterTableType.AT_AddConstraint and isinstance(definition, ast.Constraint):
            yield from _checks(table, (definition,))
        elif command.subtype == enums.AlterTableType.AT_AddColumn and isinstance(definition, ast.ColumnDef):
            yield from _checks(table, definition.constraints)
            yield from _defaults(table, definition)
        elif command.subtype in (enums.AlterTableType.AT_ColumnDefault, enums.AlterTableType.AT_SetExpression):
            yield _Fragment(table, "default", command.name, definition)


def _checks(table: TableName, constraints: Iterable[Any] | None) -> Iterator[_Fragment]:
    """CHECKs, and exclusion constraints' predicates (an element list has no expression that prints apart)."""
    for constraint in constraints or ():
        if isinstance(constraint, ast.Constraint) and constraint.contype == enums.ConstrType.CONSTR_CHECK:
            yield _Fragment(table, "check", constraint.conname, constraint.raw_expr)
        elif isinstance(constraint, ast.Constraint) and constraint.contype == enums.ConstrType.CONSTR_EXCLUSION:
            yield _Fragment(table, "exclusion", constraint.conname, constraint.where_clause)


def _defaults(table: TableName, column: ast.ColumnDef) -> Iterator[_Fragment]:
    for constraint in column.constraints or ():
        if isinstance(constraint, ast.Constraint) and constraint.contype in (
            enums.ConstrType.CONSTR_DEFAULT,
            enums.ConstrType.CONSTR_GENERATED,
        ):
            yield _Fragment(table, "default", column.colname, constraint.raw_expr)


def _domain_fragments(tree: Any, default_schema: str | None) -> Iterator[_Fragment]:
    typename = tree.domainname if isinstance(tree, ast.CreateDomainStmt) else tree.typeName
    names = [name.sval for name in typename if isinstance(name, ast.String)]
    domain: TableName = (names[-2] if len(names) > 1 else default_schema, names[-1])
    if isinstance(tree, ast.CreateDomainStmt):
        constraints = tree.constraints or ()
    else:
        constraints = (tree.def_,) if tree.subtype == "C" else ()
    for fragment in _checks(domain, constraints):
        yield replace(fragment, kind="domain check")


class _Fragments:
    def __init__(self, fragments: Iterable[_Fragment]) -> None:
        self.by_table: dict[str, list[_Fragment]] = {}
        for fragment in fragments:
            self.by_table.setdefault(fragment.table[1], []).append(fragment)

    def _candidates(self, schema: str, table: str, kind: str) -> list[_Fragment]:
        found = [f for f in self.by_table.get(table, ()) if f.kind == kind and f.table[0] in (schema, None)]
        exact = [f for f in found if f.table[0] == schema]
        return exact or found

    def _pick(self, candidates: list[_Fragment], name: str, shape: Any, shape_of: Any) -> _Fragment | None:
        named = [f for f in candidates if f.name == name]
        if named:
            return named[-1]  # the files' last word on that name
        alike = [f for f in candidates if f.name is None and shape_of(f) == shape]
        return alike[0] if alike and all(_same(f.node, alike[0].node) for f in alike) else None

    def check_text(self, constraint: Constraint) -> str | None:
        """The files' text of the CHECK `constraint`, in `pg_get_constraintdef`'s form."""
        candidates = self._candidates(constraint.schema, constraint.table, "check")
        if not candidates:
            return None
        printed = _parse_expression(_check_expression(constraint.definition))
        if printed is None:
            return None
        fragment = self._pick(candidates, constraint.name, _shape(printed), lambda f: _shape(f.node))
        if fragment is None:
            return None
        expression = _qualified_like(fragment.node, printed)
        if expression is None:
            return None
        tail = " NO INHERIT" if constraint.definition.endswith(" NO INHERIT") else ""
        return f"CHECK ({RawStream()(expression)}){tail}"

    def index_body(self, index: Index) -> str | None:
        """The files' text of `index` after `USING <method> `, in `pg_get_indexdef`'s form."""
        candidates = self._candidates(index.schema, index.table, "index")
        if not candidates:
            return None
        printed = _parse_index(index)
        if printed is None:
            return None
        fragment = self._pick(candidates, index.name, _index_shape(printed), lambda f: _index_shape(f.node))
        if fragment is None or fragment.node.accessMethod != index.method:
            return None
        statement = _qualified_like(fragment.node, printed)
        if statement is None:
            return None
        return _index_body(statement)


    def default_text(self, schema: str, table: str, column: Column) -> str | None:
        """The files' last text of `column`'s default or generation expression, where it has the printed
        one's shape (a default PostgreSQL evaluated when the files ran, `'now'` or `nextval('seq')`, has not)."""
        found = [f for f in self._candidates(schema, table, "default") if f.name == column.name]
        if not found or found[-1].node is None or column.default is None:
            return None
        printed = _parse_expression(column.default)
        if printed is None or _shape(printed) != _shape(found[-1].node):
            return None
        text = _expression_text(found[-1].node, column.default)
        if text is None or column.generated:  # GENERATED ALWAYS AS (...) has its own parentheses
            return text
        return _as_default_operand(found[-1].node, text)

    def domain_check(self, domain: Domain, check: Any) -> Any:
        """`check` of `domain` with the files' text, where it can be paired with it."""
        candidates = self._candidates(domain.schema, domain.name, "domain check")
        printed = _parse_expression(_check_expression(check.definition)) if candidates else None
        if printed is None:
            return check
        fragment = self._pick(candidates, check.name, _shape(printed), lambda f: _shape(f.node))
        if fragment is None or _shape(fragment.node) != _shape(printed):
            return check
        expression = _qualified_like(fragment.node, printed)
        return check if expression is None else replace(check, written=f"CHECK ({RawStream()(expression)})")

    def policy_texts(self, policy: Policy) -> tuple[str | None, str | None] | None:
        """The files' text of `policy`'s USING and WITH CHECK, each where the printed one has it."""
        using: Any = None
        check: Any = None
        for fragment in self._candidates(policy.schema, policy.table, "policy"):
            if fragment.name == policy.name:  # CREATE, then each ALTER POLICY that gives a clause
                using = fragment.node[0] if fragment.node[0] is not None else using
                check = fragment.node[1] if fragment.node[1] is not None else check
        texts = (_expression_text(using, policy.using), _expression_text(check, policy.check))
        return None if texts == (None, None) else texts


    def exclusion_text(self, constraint: Constraint) -> str | None:
        """`constraint`'s printed definition with the files' own WHERE predicate."""
        candidates = self._candidates(constraint.schema, constraint.table, "exclusion")
        return self._spliced(candidates, constraint.name, constraint.definition, " WHERE (")

    def trigger_text(self, trigger: Trigger) -> str | None:
        """`trigger`'s printed CREATE TRIGGER with the files' own WHEN condition."""
        candidates = [f for f in self._candidates(trigger.schema, trigger.table, "trigger") if f.name == trigger.name]
        return self._spliced(candidates, trigger.name, trigger.definition, " WHEN (")

    def _spliced(self, candidates: list[_Fragment], name: str, printed_text: str, keyword: str) -> str | None:
        """`printed_text` with the expression after `keyword` replaced by the files' one of the same shape."""
        span = _clause(printed_text, keyword) if candidates else None
        if span is None:
            return None
        inside = printed_text[span[0] + len(keyword) - 1 : span[1]]  # the parenthesized expression
        printed = _parse_expression(inside)
        if printed is None:
            return None
        fragment = self._pick(candidates, name, _shape(printed), lambda f: _shape(f.node))
        if fragment is None or fragment.node is None or _shape(fragment.node) != _shape(printed):
            return None
        text = _expression_text(fragment.node, inside)
        if text is None:
            return None
        return f"{printed_text[: span[0]]}{keyword}{text}){printed_text[span[1] :]}"

    def view_query(self, view: View) -> str | None:
        """The files' last query of `view`, where it has the printed query's shape (a `SELECT *` has not:
        PostgreSQL expanded it when the files ran, and the table may have gained columns since)."""
        found = [f for f in self._candidates(view.schema, view.name, "view") if f.name == view.name]
        printed = _parse_query(view.definition) if found else None
        if printed is None or not isinstance(found[-1].node, ast.SelectStmt):
            return None
        query = _qualified_like(copy.deepcopy(found[-1].node), printed)  # its column names are set below
        if query is None or not _name_columns_like(query, printed):
            return None
        if _query_shape(query) != _query_shape(printed):
            return None
        text = IndentedStream(comma_at_eoln=True)(query)
        reread = _parse_query(text)
        if reread is None or _shape(reread) != _shape(query):  # the layout must not change what it says
            text = RawStream()(query)
        return text


def _name_columns_like(query: ast.SelectStmt, printed: ast.SelectStmt) -> bool:
    """Give `query`'s output columns the names `printed` gives them (a view's column list, `CREATE VIEW v
    (a, b)`, is printed as `AS a, ... AS b`); False when the two do not have the same columns."""
    written, stored = _leftmost(query), _leftmost(printed)
    targets, names = written.targetList or (), stored.targetList or ()
    if len(targets) != len(names):
        return False
    for target, name in zip(targets, names, strict=True):
        target.name = name.name
    return True


def _leftmost(query: ast.SelectStmt) -> ast.SelectStmt:
    """The SELECT of a UNION/INTERSECT/EXCEPT whose target list names the columns."""
    while query.op != enums.SetOperation.SETOP_NONE and query.larg is not None:
        query = query.larg
    return query


def _query_shape(query: ast.SelectStmt) -> Any:
    """A query's shape, the names of output columns set aside (printing adds `AS count` where the files
    let PostgreSQL choose the name)."""
    unnamed = copy.deepcopy(query)
    for target in _targets(unnamed):
        target.name = None
    return _shape(unnamed)


def _targets(node: Any) -> Iterator[ast.ResTarget]:
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _targets(item)
    elif isinstance(node, ast.ResTarget):
        yield node
        yield from _targets(node.val)
    elif isinstance(node, ast.Node):
        for slot in node:
            yield from _targets(getattr(node, slot))


def _expression_text(node: Any, printed_text: str | None) -> str | None:
    """`node` printed, qualified as `printed_text` is; None where either is missing."""
    if node is None or printed_text is None:
        return None
    printed = _parse_expression(printed_text)
    qualified = _qualified_like(node, printed) if printed is not None else None
    return RawStream()(qualified) if qualified is not None else None


_ATOMIC = (ast.A_Const, ast.ColumnRef, ast.TypeCast, ast.SQLValueFunction, ast.A_ArrayExpr, ast.ParamRef)


def _as_default_operand(node: Any, text: str) -> str:
    """`text` as DEFAULT takes it: the grammar's b_expr has no AT TIME ZONE, IS, LIKE, IN, AND, ...; such an
    expression goes in parentheses (as PostgreSQL prints it)."""
    plain_call = isinstance(node, ast.FuncCall) and node.funcformat != enums.CoercionForm.COERCE_SQL_SYNTAX
    return text if plain_call or isinstance(node, _ATOMIC) else f"({text})"


def _clause(text: str, keyword: str) -> tuple[int, int] | None:
    """Where `keyword` (ending in its opening parenthesis) starts outside parentheses and quotes, and where
    its closing parenthesis ends; None when it is not there."""
    depth = 0
    for index, char in _unquoted(text):
        if depth == 0 and text.startswith(keyword, index):
            end = _closing(text, index + len(keyword) - 1)
            return None if end is None else (index, end + 1)
        depth += {"(": 1, ")": -1}.get(char, 0)
    return None


def _closing(text: str, opening: int) -> int | None:
    """The index of the parenthesis that closes the one at `opening`."""
    depth = 0
    for index, char in _unquoted(text, opening):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index
    return None


def _unquoted(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """Each character of `text` from `start` that is outside string literals and quoted names."""
    quote, index = "", start
    while index < len(text):
        char = text[index]
        if quote and char == quote:
            if text[index + 1 : index + 2] == quote:
                index += 1  # a doubled quote stays inside
            else:
                quote = ""
        elif not quote and char in "'\"":
            quote = char
        elif not quote:
            yield index, char
        index += 1


def _same(a: Any, b: Any) -> bool:
    return RawStream()(a) == RawStream()(b)


# -- reading the printed definitions ----------------------------------------------------------------


def _check_expression(definition: str) -> str:
    text = definition.removesuffix(" NO INHERIT")
    return text.removeprefix("CHECK ")


@lru_cache(maxsize=8192)
def _parse_expression(text: str) -> Any | None:
    """A printed expression's tree, only ever read (a schema's defaults and checks repeat a few texts)."""
    try:
        return pglast.parse_sql(f"SELECT {text}")[0].stmt.targetList[0].val
    except pglast.parser.ParseError:
        return None


def _parse_query(text: str) -> ast.SelectStmt | None:
    try:
        statements = pglast.parse_sql(text)
    except pglast.parser.ParseError:
        return None
    if len(statements) != 1 or not isinstance(statements[0].stmt, ast.SelectStmt):
        return None
    return statements[0].stmt


def _parse_index(index: Index) -> ast.IndexStmt | None:
    try:
        tree = pglast.parse_sql(f"CREATE INDEX pgdiff_printed ON pgdiff_printed USING {index.method} {index.body}")
    except pglast.parser.ParseError:
        return None
    return tree[0].stmt


_PLACEHOLDER = "pgdiff_written"


def _index_body(statement: ast.IndexStmt) -> str | None:
    """What `pg_get_indexdef` prints after `USING <method> `, from the files' statement."""
    node = copy.copy(statement)  # only its own fields are set below: its elements stay shared
    node.idxname = _PLACEHOLDER
    node.relation = ast.RangeVar(relname=_PLACEHOLDER, inh=True, relpersistence="p")
    node.accessMethod = "btree"  # the default, which pglast leaves out
    node.concurrent = False
    node.if_not_exists = False
    node.tableSpace = None
    node.unique = False
    text = RawStream()(node)
    prefix = f"CREATE INDEX {_PLACEHOLDER} ON {_PLACEHOLDER} "
    return text[len(prefix) :] if text.startswith(prefix) else None


# -- the shape two texts of one expression share ---------------------------------------------------

_IGNORED_SLOTS = {"location", "rexpr_list_start", "rexpr_list_end", "funcformat", "list_start", "list_end"}
_POSITIVE = {"=": "any", "<>": "all"}


def _shape(node: Any) -> Any:
    """The tree without what printing adds or respells: casts, `IN (...)` against `= ANY (ARRAY[...])`,
    schema qualifications, and the type of a constant (`'10'` and `10`)."""
    if isinstance(node, (list, tuple)):
        return tuple(_shape(item) for item in node)
    if isinstance(node, ast.TypeCast):
        return _shape(node.arg)
    if isinstance(node, ast.A_Const):
        return ("const", None if node.isnull else _value(node.val))
    if isinstance(node, (ast.String, ast.Integer, ast.Float, ast.Boolean, ast.BitString)):
        return ("const", _value(node))
    if isinstance(node, ast.ColumnRef):
        return ("column", _value(node.fields[-1]))
    if isinstance(node, ast.A_Expr):
        return _expression_shape(node)
    if isinstance(node, ast.CaseExpr) and node.defresult is None:  # printed with its implicit ELSE NULL
        return _shape(_with_else_null(node))
    if isinstance(node, ast.Node):
        parts: list[Any] = [type(node).__name__]
        for slot in node:
            if slot in _IGNORED_SLOTS:
                continue
            value = getattr(node, slot)
            if slot in ("funcname", "names", "opclass", "collname", "collation", "name") and isinstance(value, tuple):
                value = value[-1:]
            parts.append((slot, _shape(value)))
        return tuple(parts)
    return node.value if hasattr(node, "value") else node


def _with_else_null(node: ast.CaseExpr) -> ast.CaseExpr:
    explicit = copy.copy(node)
    explicit.defresult = ast.A_Const(isnull=True)
    return explicit


def _expression_shape(node: ast.A_Expr) -> Any:
    operator = _value(node.name[-1]) if node.name else None
    kind = node.kind
    if kind == enums.A_Expr_Kind.AEXPR_IN and len(node.rexpr) == 1:  # `x IN (a)` is parsed as `x = a`
        return ("expr", int(enums.A_Expr_Kind.AEXPR_OP), operator, _shape(node.lexpr), _shape(node.rexpr[0]))
    if kind == enums.A_Expr_Kind.AEXPR_IN:
        return (_POSITIVE.get(operator, operator), operator, _shape(node.lexpr), _shape(node.rexpr))
    if kind in (enums.A_Expr_Kind.AEXPR_OP_ANY, enums.A_Expr_Kind.AEXPR_OP_ALL):
        right = node.rexpr
        while isinstance(right, ast.TypeCast):
            right = right.arg
        items = _shape(right.elements) if isinstance(right, ast.A_ArrayExpr) else _shape(right)
        quantifier = "any" if kind == enums.A_Expr_Kind.AEXPR_OP_ANY else "all"
        return (quantifier, operator, _shape(node.lexpr), items)
    if kind in (enums.A_Expr_Kind.AEXPR_LIKE, enums.A_Expr_Kind.AEXPR_ILIKE):
        kind = enums.A_Expr_Kind.AEXPR_OP  # `LIKE` prints as `~~`
    return ("expr", int(kind), operator, _shape(node.lexpr), _shape(node.rexpr))


def _value(node: Any) -> str:
    for attribute in ("sval", "ival", "fval", "boolval", "bsval"):
        if hasattr(node, attribute):
            return str(getattr(node, attribute))
    return str(node)


def _index_shape(node: ast.IndexStmt) -> Any:
    return (_shape(node.indexParams), _shape(node.indexIncludingParams), _shape(node.whereClause))


# -- qualifying the files' names as the printed text does --------------------------------------------

# Where a name sits in a tree, by node and slot: functions, types, operators, collations, operator classes.
_NAME_SLOTS = {
    ast.FuncCall: ("funcname",),
    ast.TypeName: ("names",),
    ast.A_Expr: ("name",),
    ast.CollateClause: ("collname",),
    ast.IndexElem: ("opclass", "collation"),
}


def _qualified_like(node: Any, printed: Any) -> Any | None:
    """`node` with each bare name that `printed` qualifies qualified the same way (a copy where one is; `node`
    itself where none is, which most expressions are: copying every one cost seconds on a 500-table schema);
    None when one bare name stands for two qualified ones (which one the files meant cannot be told)."""
    qualified: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for kind, slot, names in _names(printed):
        if len(names) > 1:
            bare = (kind, slot, names[-1])
            if qualified.setdefault(bare, names) != names:
                return None
    relations: dict[str, str] = {}
    for relation in _relations(printed):
        if relations.setdefault(relation.relname, relation.schemaname) != relation.schemaname:
            return None
    bare_relations = any(r.schemaname is None and relations.get(r.relname) for r in _relations(node))
    bare_names = any(
        len(names) == 1 and (type(owner).__name__, slot, names[0]) in qualified
        for owner, slot, names in _name_owners(node)
    )
    if not bare_relations and not bare_names:
        return node
    result = copy.deepcopy(node)
    for relation in _relations(result):
        if relation.schemaname is None and relation.relname in relations:
            relation.schemaname = relations[relation.relname]
    for owner, slot, names in _name_owners(result):
        key = (type(owner).__name__, slot, names[-1])
        if len(names) == 1 and key in qualified:
            setattr(owner, slot, tuple(ast.String(sval=part) for part in qualified[key]))
    return result


def _names(node: Any) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    for owner, slot, names in _name_owners(node):
        yield type(owner).__name__, slot, names


def _name_owners(node: Any) -> Iterator[tuple[Any, str, tuple[str, ...]]]:
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _name_owners(item)
        return
    if not isinstance(node, ast.Node):
        return
    slots = _NAME_SLOTS.get(type(node), ())
    for slot in node:
        value = getattr(node, slot)
        if slot in slots and isinstance(value, tuple) and value and all(isinstance(v, ast.String) for v in value):
            yield node, slot, tuple(v.sval for v in value)
        elif isinstance(value, (ast.Node, list, tuple)):
            yield from _name_owners(value)


def _relations(node: Any) -> Iterator[ast.RangeVar]:
    """The relations a tree names (a policy's subqueries)."""
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _relations(item)
    elif isinstance(node, ast.RangeVar):
        yield node
    elif isinstance(node, ast.Node):
        for slot in node:
            yield from _relations(getattr(node, slot))
