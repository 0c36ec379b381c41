"""Applies the files' rename directives to the current model before it is compared.

A renamed object is moved to its new identity in the current model (with every
reference to it: a column in expressions and key lists, a table in foreign keys
and in the indexes and constraints that sit on it), and one `rename` change is
recorded for it. The ordinary diff then compares what remains, so a renamed
column whose type also changed gets a rename and an alter, never a drop and an add.
"""

from __future__ import annotations

from dataclasses import replace

from pglast.parser import ParseError, scan

from pgdiff.diff.changes import Change
from pgdiff.errors import SourceError
from pgdiff.model import Column, Constraint, Index, Model, Table
from pgdiff.quoting import ident
from pgdiff.source.directives import Rename

RENAME_ORDER = {"table": 0, "column": 1, "constraint": 2, "index": 3}


def apply_renames(current: Model, renames: list[Rename] | tuple[Rename, ...]) -> tuple[Model, list[Change]]:
    """The current model as it will be after the renames that apply to it, and those renames as changes."""
    changes: list[Change] = []
    for rename in sorted(renames, key=lambda r: (RENAME_ORDER[r.kind], r.new_key)):
        objects = _objects_of_kind(current, rename.kind)
        old_key, new_key = rename.old_key, rename.new_key
        if old_key not in objects:
            continue  # already renamed, or new: nothing to do, the directive may stay in the files
        if new_key in objects:
            raise SourceError(
                f"{rename.where}: cannot rename {rename.kind} {'.'.join(old_key)} to {new_key[-1]}: "
                "both exist in the database"
            )
        changes.append(Change(rename.kind, "rename", new_key, current=objects[old_key], desired=rename.old_name))
        current = _RENAMERS[rename.kind](current, old_key, new_key)
    return current, changes


def _objects_of_kind(model: Model, kind: str) -> dict:
    if kind == "table":
        return model.tables
    if kind == "column":
        return {(*table.key, column.name): column for table in model.tables.values() for column in table.columns}
    if kind == "constraint":
        return model.constraints
    return model.indexes


def rename_identifier(text: str, old: str, new: str) -> str:
    """Replace identifier tokens spelling `old` (never string literals) with `new`, quoted as needed."""
    try:
        tokens = scan(text)
    except ParseError:  # unparsable text stays as it is; the diff then replaces the object
        return text
    pieces: list[str] = []
    position = 0
    for token in tokens:
        if token.name != "IDENT" and token.kind == "NO_KEYWORD":
            continue
        spelled = text[token.start : token.end + 1]
        if _identifier_value(spelled) != old:
            continue
        pieces += [text[position : token.start], ident(new)]
        position = token.end + 1
    pieces.append(text[position:])
    return "".join(pieces)


def _identifier_value(spelled: str) -> str:
    if spelled.startswith('"'):
        return spelled[1:-1].replace('""', '"')
    return spelled.lower()


def _rename_table(model: Model, old_key: tuple[str, ...], new_key: tuple[str, ...]) -> Model:
    schema, old_name = old_key
    new_name = new_key[1]
    tables = {(key if key != old_key else new_key): _retable(t, old_key, new_name) for key, t in model.tables.items()}
    constraints = {}
    for constraint in model.constraints.values():
        if constraint.table_key == old_key:
            constraint = replace(constraint, table=new_name)
        if constraint.ref_table == old_key:
            constraint = replace(
                constraint,
                ref_table=(schema, new_name),
                definition=rename_identifier(constraint.definition, old_name, new_name),
            )
        constraints[constraint.key] = constraint
    indexes = {
        key: replace(index, table=new_name) if index.table_key == old_key else index
        for key, index in model.indexes.items()
    }
    return replace(model, tables=tables, constraints=constraints, indexes=indexes)


def _retable(table: Table, old_key: tuple[str, ...], new_name: str) -> Table:
    return replace(table, name=new_name) if table.key == old_key else table


def _rename_column(model: Model, old_key: tuple[str, ...], new_key: tuple[str, ...]) -> Model:
    schema, table_name, old = old_key
    new = new_key[2]
    table_key = (schema, table_name)
    table = model.tables[table_key]
    columns = tuple(_recolumn(c, old, new) for c in table.columns)
    tables = {**model.tables, table_key: replace(table, columns=columns)}
    constraints = {key: _constraint_with_column(c, table_key, old, new) for key, c in model.constraints.items()}
    indexes = {key: _index_with_column(i, table_key, old, new) for key, i in model.indexes.items()}
    return replace(model, tables=tables, constraints=constraints, indexes=indexes)


def _recolumn(column: Column, old: str, new: str) -> Column:
    if column.name == old:
        column = replace(column, name=new)
    if column.default is not None:
        column = replace(column, default=rename_identifier(column.default, old, new))
    return column


def _constraint_with_column(constraint: Constraint, table_key: tuple[str, str], old: str, new: str) -> Constraint:
    on_table = constraint.table_key == table_key
    references_table = constraint.ref_table == table_key
    if not (on_table or references_table):
        return constraint
    columns = tuple(new if c == old and on_table else c for c in constraint.columns)
    if on_table and references_table:
        definition = rename_identifier(constraint.definition, old, new)
    elif on_table:
        head, sep, tail = constraint.definition.partition(" REFERENCES ")
        definition = rename_identifier(head, old, new) + sep + tail
    else:
        head, sep, tail = constraint.definition.partition(" REFERENCES ")
        definition = head + sep + rename_identifier(tail, old, new)
    return replace(constraint, columns=columns, definition=definition)


def _index_with_column(index: Index, table_key: tuple[str, str], old: str, new: str) -> Index:
    if index.table_key != table_key:
        return index
    return replace(
        index,
        body=rename_identifier(index.body, old, new),
        keys=tuple(rename_identifier(k, old, new) for k in index.keys),
        predicate=rename_identifier(index.predicate, old, new) if index.predicate else None,
    )


def _rename_constraint(model: Model, old_key: tuple[str, ...], new_key: tuple[str, ...]) -> Model:
    constraints = {
        (key if key != old_key else new_key): (replace(c, name=new_key[2]) if key == old_key else c)
        for key, c in model.constraints.items()
    }
    return replace(model, constraints=constraints)


def _rename_index(model: Model, old_key: tuple[str, ...], new_key: tuple[str, ...]) -> Model:
    indexes = {
        (key if key != old_key else new_key): (replace(i, name=new_key[1]) if key == old_key else i)
        for key, i in model.indexes.items()
    }
    return replace(model, indexes=indexes)


_RENAMERS = {
    "table": _rename_table,
    "column": _rename_column,
    "constraint": _rename_constraint,
    "index": _rename_index,
}
