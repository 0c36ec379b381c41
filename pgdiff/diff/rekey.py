"""Re-keys a whole model for one rename, as PostgreSQL carries a rename along.

PostgreSQL's objects point at each other by id, so `ALTER TABLE flows RENAME TO workflows` leaves every
trigger, policy, index, constraint, statistics object, comment, grant, owner, owned sequence, partition,
inheritance child, view and SQL-standard function where it was, now naming `workflows`. The current model
must say the same before it is compared, or the diff drops and creates them under the new name. A
`Rekeying` says what one rename does to each kind of name (relations, columns, constraints, indexes,
sequences, function signatures, SQL text); `rekey_model` passes every object of the model through it, so
each kind of rename reaches every kind of object.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pglast import ast, parse_sql
from pglast.parser import ParseError

from pgdiff.diff.sql_names import (
    column_replacer,
    identifier_value,
    keyword_index,
    relation_replacer,
    rewrite,
    tokens_of,
)
from pgdiff.model import (
    Column,
    CompositeType,
    Constraint,
    Domain,
    Function,
    FunctionKey,
    Index,
    KindKey,
    Model,
    ObjectRef,
    Policy,
    QualifiedName,
    RangeType,
    RowSecurity,
    Sequence,
    Statistics,
    Table,
    Trigger,
    View,
    statistics_columns_by_name,
)
from pgdiff.quoting import ident

# Kinds whose identity is a relation's (schema, name); and kinds keyed (schema, table, name) on a table.
RELATION_KINDS = ("table", "row_security")
ON_TABLE_KINDS = ("column", "default", "constraint", "trigger", "policy")


@dataclass(frozen=True)
class Rekeying:
    """One rename: `kind` ("table", "column", "constraint", "index", "sequence") from `old_key` to
    `new_key`. `tables` are the tables a column rename reaches (the table and the tables inheriting the
    column from it); `schemas` the model's schema names (a qualifier that is a schema is not a table)."""

    kind: str
    old_key: tuple[str, ...]
    new_key: tuple[str, ...]
    tables: frozenset[QualifiedName] = frozenset()
    schemas: frozenset[str] = frozenset()
    backing_index: str | None = None  # a renamed key constraint's index, which RENAME CONSTRAINT renames too

    @property
    def old_name(self) -> str:
        return self.old_key[-1]

    @property
    def new_name(self) -> str:
        return self.new_key[-1]

    # -- names --------------------------------------------------------------------------

    def relation(self, key: QualifiedName) -> QualifiedName:
        if self.kind in ("table", "sequence") and key == self.old_key:
            return (key[0], self.new_name)
        return key

    def column(self, table: QualifiedName, name: str) -> str:
        """The new name of `table`'s column `name` (`table` as it was before the rename)."""
        return self.new_name if self.kind == "column" and name == self.old_name and table in self.tables else name

    def named(self, kind: str, key: tuple[str, ...]) -> str:
        """The new last part of a constraint's, index's or sequence's `key`."""
        if kind == self.kind and key == self.old_key:
            return self.new_name
        if kind == "index" and self.backing_index is not None and key == (self.old_key[0], self.backing_index):
            return self.new_name
        return key[-1]

    def function(self, key: FunctionKey) -> FunctionKey:
        """A signature spelling the renamed table's row type changes with it."""
        return (key[0], key[1], self.text(key[2]))

    def kind_key(self, ref: KindKey) -> KindKey:
        """A `Model.dependencies` end, renamed."""
        kind, key = ref
        if kind == "function":
            return (kind, self.function(key))
        if kind in RELATION_KINDS:
            return (kind, self.relation(key))
        if kind in ("index", "sequence"):
            return (kind, (key[0], self.named(kind, key)))
        if kind in ON_TABLE_KINDS:
            table = (key[0], key[1])
            name = self.column(table, key[2]) if kind in ("column", "default") else self.named(kind, key)
            return (kind, (*self.relation(table), name))
        return ref

    # -- SQL text -----------------------------------------------------------------------

    def text(self, text: str | None, table: QualifiedName | None = None) -> str | None:
        """`text` as PostgreSQL prints it after the rename. Bare column names in it are `table`'s (None:
        the text has no such scope, column renames are left to `query_text`)."""
        if not text:
            return text
        if self.kind in ("table", "sequence"):
            schema, old = self.old_key
            bare = self.kind == "table" and old not in self.schemas
            return rewrite(text, relation_replacer(text, schema, old, self.new_name, bare_qualifier=bare))
        if self.kind == "column" and table in self.tables:
            return rewrite(text, column_replacer(text, self.old_name, self.new_name, self.schemas))
        return text

    def text_between(self, text: str, table: QualifiedName, after: str, before: str | None) -> str:
        """Column renames only in the tokens after the keyword `after` and before the last `before`: the
        part of a statement's text that names `table`'s columns (the rest holds other names)."""
        if self.kind != "column" or table not in self.tables:
            return self.text(text) or text
        tokens = tokens_of(text)
        first = keyword_index(text, tokens, after)
        last = keyword_index(text, tokens, before, last=True) if before else None
        if first is None:
            return text
        return rewrite(text, column_replacer(text, self.old_name, self.new_name, self.schemas), first + 1, last)

    def query_text(self, text: str, reads_column: bool) -> str:
        """A view's query or a SQL-standard function body: relations renamed as anywhere; a renamed column it
        reads (pg_depend says so) renamed, and a view's output column keeps its name (PostgreSQL prints
        `title AS name`)."""
        if self.kind != "column":
            return self.text(text) or text
        if not reads_column:
            return text
        return _rename_reading(text, self.old_name, self.new_name, self.schemas)


def _rename_reading(text: str, old: str, new: str, schemas: frozenset[str]) -> str:
    aliased = _aliased_output_columns(text, old)
    return rewrite(aliased, column_replacer(aliased, old, new, schemas))


def _aliased_output_columns(query: str, column: str) -> str:
    """`query` with `AS column` after each top-level output column that is a bare reference to `column`, so
    the output column keeps its name once the reference is renamed."""
    try:
        statement = parse_sql(query)[0].stmt
    except ParseError:
        return query
    if not isinstance(statement, ast.SelectStmt) or statement.targetList is None:
        return query
    tokens = tokens_of(query)
    ends = []
    for target in statement.targetList:
        value = target.val
        if target.name is not None or not isinstance(value, ast.ColumnRef):
            continue
        last_field = value.fields[-1]
        if not isinstance(last_field, ast.String) or last_field.sval != column:
            continue
        start = next(i for i, token in enumerate(tokens) if token.start == value.location)
        end = start + 2 * (len(value.fields) - 1)  # name ( . name )*
        if identifier_value(query, tokens, end) == column:
            ends.append(tokens[end].end + 1)
    for position in reversed(ends):
        query = f"{query[:position]} AS {ident(column)}{query[position:]}"
    return query


# -- objects ------------------------------------------------------------------------------------


def rekey_model(model: Model, rekeying: Rekeying) -> Model:
    """`model` as it is once the rename is done; every dictionary keyed again by its objects' new keys."""

    def keyed(objects: dict, rekey: Any) -> dict:
        return {value.key: value for value in (rekey(rekeying, obj) for obj in objects.values())}

    def rekey_with_model(rekeying: Rekeying, view: View) -> View:
        return _view(rekeying, view, model)

    def rekey_function(rekeying: Rekeying, function: Function) -> Function:
        return _function(rekeying, function, model)

    return replace(
        model,
        tables=keyed(model.tables, _table),
        constraints=keyed(model.constraints, _constraint),
        indexes=keyed(model.indexes, _index),
        sequences=keyed(model.sequences, _sequence),
        composites=keyed(model.composites, _composite),
        domains=keyed(model.domains, _domain),
        ranges=keyed(model.ranges, _range),
        functions=keyed(model.functions, rekey_function),
        triggers=keyed(model.triggers, _trigger),
        views=keyed(model.views, rekey_with_model),
        row_security=keyed(model.row_security, _row_security),
        statistics=keyed(model.statistics, _statistics),
        policies=keyed(model.policies, _policy),
        comments=keyed(model.comments, _object_ref),
        grants=keyed(model.grants, _object_ref),
        owners=keyed(model.owners, _object_ref),
        dependencies=frozenset((rekeying.kind_key(a), rekeying.kind_key(b)) for a, b in model.dependencies),
    )


def _table(r: Rekeying, table: Table) -> Table:
    key = table.key
    return replace(
        table,
        name=r.relation(key)[1],
        columns=tuple(_column(r, key, column) for column in table.columns),
        partition_key=r.text(table.partition_key, key),
        parent=r.relation(table.parent) if table.parent else None,
        inherits=tuple(r.relation(parent) for parent in table.inherits),
        replica_index=r.named("index", (table.schema, table.replica_index)) if table.replica_index else None,
        own_not_nulls=tuple((r.column(key, column), name) for column, name in table.own_not_nulls),
        column_settings=tuple(
            sorted(
                (replace(settings, column=r.column(key, settings.column)) for settings in table.column_settings),
                key=lambda settings: settings.column,
            )
        ),
    )


def _column(r: Rekeying, table: QualifiedName, column: Column) -> Column:
    sequence = column.identity_sequence
    return replace(
        column,
        name=r.column(table, column.name),
        type=r.text(column.type) or "",
        default=r.text(column.default, table),
        identity_sequence=r.named("sequence", (table[0], sequence)) if sequence else None,
    )


def _constraint(r: Rekeying, constraint: Constraint) -> Constraint:
    table = constraint.table_key
    head, references, tail = constraint.definition.partition(" REFERENCES ")
    definition = r.text(head, table) or ""
    if references:  # the referenced columns are the referenced table's
        definition += r.text(references + tail, constraint.ref_table) or ""
    ref_index = constraint.ref_index
    new_name = r.named("constraint", constraint.key)
    return replace(
        constraint,
        table=r.relation(table)[1],
        name=r.named("constraint", constraint.key),
        definition=definition,
        columns=tuple(r.column(table, column) for column in constraint.columns),
        ref_table=r.relation(constraint.ref_table) if constraint.ref_table else None,
        ref_index=(ref_index[0], r.named("index", ref_index)) if ref_index else None,
        index_name=r.named("index", (constraint.schema, constraint.index_name)) if constraint.index_name else None,
        # Clones' names are PostgreSQL's, never renamed by a directive: only their tables and the root's name.
        partition_keys=tuple(
            (schema, r.relation((schema, table_name))[1], name, new_name if parent == constraint.name else parent)
            for schema, table_name, name, parent in constraint.partition_keys
        ),
    )


def _index(r: Rekeying, index: Index) -> Index:
    table = index.table_key
    return replace(
        index,
        name=r.named("index", index.key),
        table=r.relation(table)[1],
        body=r.text(index.body, table) or "",
        keys=tuple(r.text(key, table) or "" for key in index.keys),
        predicate=r.text(index.predicate, table),
        partition_indexes=tuple(
            (
                schema,
                r.relation((schema, table_name))[1],
                r.named("index", (schema, name)),
                r.named("index", (schema, parent)),
            )
            for schema, table_name, name, parent in index.partition_indexes
        ),
    )


def _sequence(r: Rekeying, sequence: Sequence) -> Sequence:
    owned_by = sequence.owned_by
    if owned_by is not None:
        table = (owned_by[0], owned_by[1])
        owned_by = (*r.relation(table), r.column(table, owned_by[2]))
    return replace(sequence, name=r.named("sequence", sequence.key), owned_by=owned_by)


def _composite(r: Rekeying, composite: CompositeType) -> CompositeType:
    attributes = tuple((name, r.text(type_) or "", collation) for name, type_, collation in composite.attributes)
    return replace(composite, attributes=attributes)


def _domain(r: Rekeying, domain: Domain) -> Domain:
    checks = tuple(replace(check, definition=r.text(check.definition) or "") for check in domain.checks)
    return replace(domain, base_type=r.text(domain.base_type) or "", default=r.text(domain.default), checks=checks)


def _range(r: Rekeying, range_type: RangeType) -> RangeType:
    return replace(range_type, subtype=r.text(range_type.subtype) or "")


def _function(r: Rekeying, function: Function, model: Model) -> Function:
    reads = any(
        ref[0] == "column" and r.column((ref[1][0], ref[1][1]), ref[1][2]) != ref[1][2]
        for ref in model.uses_index.get(("function", function.key), ())
    )
    return replace(
        function,
        identity_arguments=r.function(function.key)[2],
        definition=_function_definition(r, function.definition, reads),
        arguments=r.text(function.arguments) or "",
        result=r.text(function.result),
    )


def _function_definition(r: Rekeying, definition: str, reads_column: bool) -> str:
    """Relations anywhere (the signature's row types, a SQL-standard body; a quoted body is a literal and
    stays); columns only in a SQL-standard body (`BEGIN ATOMIC ... END` or `RETURN ...`)."""
    if r.kind != "column":
        return r.text(definition) or definition
    tokens = tokens_of(definition)
    body = keyword_index(definition, tokens, "ATOMIC")
    if body is None:
        body = keyword_index(definition, tokens, "RETURN")
    if not reads_column or body is None:
        return definition
    return definition[: tokens[body].end + 1] + r.query_text(definition[tokens[body].end + 1 :], True)


def _trigger(r: Rekeying, trigger: Trigger) -> Trigger:
    table = trigger.table_key
    definition = r.text(trigger.definition) or ""
    if r.kind == "column":
        # The columns are in UPDATE OF (before ON) and in WHEN (before EXECUTE): not in the trigger's name,
        # its table or its function.
        head, when = _split_trigger(definition)
        definition = r.text_between(head, table, "OF", "ON") + r.text_between(when, table, "WHEN", "EXECUTE")
    return replace(
        trigger,
        table=r.relation(table)[1],
        definition=definition,
        function=r.function(trigger.function) if trigger.function else None,
        columns=tuple(r.column(table, column) for column in trigger.columns),
    )


def _split_trigger(definition: str) -> tuple[str, str]:
    """The definition cut before its FOR EACH (what names the table and events; the rest)."""
    tokens = tokens_of(definition)
    cut = keyword_index(definition, tokens, "FOR")
    if cut is None:
        return definition, ""
    return definition[: tokens[cut].start], definition[tokens[cut].start :]


def _view(r: Rekeying, view: View, model: Model) -> View:
    reads_column = any(
        column and r.column((schema, relation), column) != column for schema, relation, column in view.uses_relations
    )
    return replace(
        view,
        definition=r.query_text(view.definition, reads_column),
        columns=tuple((name, r.text(type_) or "") for name, type_ in view.columns),
        uses_relations=tuple(
            (*r.relation((schema, relation)), r.column((schema, relation), column) if column else column)
            for schema, relation, column in view.uses_relations
        ),
        uses_functions=tuple(r.function(function) for function in view.uses_functions),
    )


def _row_security(r: Rekeying, row_security: RowSecurity) -> RowSecurity:
    return replace(row_security, table=r.relation(row_security.key)[1])


def _statistics(r: Rekeying, statistics: Statistics) -> Statistics:
    table = statistics.table_key
    definition = r.text(statistics.definition) or ""
    if r.kind == "column":
        definition = statistics_columns_by_name(r.text_between(definition, table, "ON", "FROM"))
    return replace(statistics, table=r.relation(table)[1], definition=definition)


def _policy(r: Rekeying, policy: Policy) -> Policy:
    table = policy.table_key
    return replace(
        policy,
        table=r.relation(table)[1],
        using=_expression_on(r, policy.using, table),
        check=_expression_on(r, policy.check, table),
        columns=tuple(r.column(table, column) for column in policy.columns),
    )


def _expression_on(r: Rekeying, text: str | None, table: QualifiedName) -> str | None:
    """An expression on `table` that may hold subqueries: relations renamed anywhere, and its columns."""
    return r.text(r.text(text), table) if r.kind == "column" else r.text(text)


def _object_ref(r: Rekeying, ref: ObjectRef) -> ObjectRef:
    """Comments, grants and owners name their object: a relation, something on a table, or by name."""
    if ref.kind == "function" or ref.kind == "procedure":
        return replace(ref, arguments=r.text(ref.arguments))
    if ref.table is not None:
        table = (ref.schema, ref.table)
        name = r.column(table, ref.name) if ref.kind == "column" else r.named(ref.kind, (*table, ref.name))
        return replace(ref, table=r.relation(table)[1], name=name)
    if ref.kind in ("index", "sequence"):
        return replace(ref, name=r.named(ref.kind, (ref.schema, ref.name)))
    if ref.kind == "table":
        return replace(ref, name=r.relation((ref.schema, ref.name))[1])
    return ref
