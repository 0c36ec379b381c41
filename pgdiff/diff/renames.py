"""Applies the files' rename directives to the current model before it is compared.

A renamed object is moved to its new identity in the current model together with everything PostgreSQL
carries along with it (`rekey.py`: triggers, policies, statistics, comments, grants, owners, indexes,
constraints, foreign keys, sequences, children, views and functions that name it), and one `rename` change
is recorded for it. The names PostgreSQL derived from the old one (`flows_pkey`, `flows_id_seq`,
`flows_name_idx`) are renamed too when the desired state has the same name derived from the new one. The
ordinary diff then compares what remains, so a renamed column whose type also changed gets a rename and an
alter, never a drop and an add; and a trigger on a renamed table is left alone.
"""

from __future__ import annotations

import re

from pgdiff.diff.changes import Change
from pgdiff.diff.rekey import Rekeying, rekey_model
from pgdiff.errors import SourceError
from pgdiff.model import Model, QualifiedName
from pgdiff.source.directives import Rename

RENAME_ORDER = {"table": 0, "column": 1, "constraint": 2, "index": 3}
# Kinds whose names PostgreSQL derives from their table's and columns' names when the files give none.
DERIVED_NAME_KINDS = ("constraint", "index", "sequence")


def apply_renames(
    current: Model, renames: list[Rename] | tuple[Rename, ...], desired: Model | None = None
) -> tuple[Model, list[Change]]:
    """The current model as it will be after the renames that apply to it, and those renames as changes.
    With `desired`, also the renames of the names derived from a renamed table or column."""
    changes: list[Change] = []
    for rename in sorted(renames, key=lambda r: (RENAME_ORDER[r.kind], r.new_key)):
        objects = objects_of_kind(current, rename.kind)
        old_key, new_key = rename.old_key, rename.new_key
        if old_key not in objects:
            continue  # already renamed, or new: nothing to do, the directive may stay in the files
        if new_key in objects:
            raise SourceError(
                f"{rename.where}: cannot rename {rename.kind} {'.'.join(old_key)} to {new_key[-1]}: "
                "both exist in the database"
            )
        changes.append(Change(rename.kind, "rename", new_key, current=objects[old_key], desired=rename.old_name))
        current = rekey_model(current, _rekeying(current, rename.kind, old_key, new_key))
    if desired is not None:
        for kind, old_key, new_key in derived_renames(current, desired, changes):
            changes.append(
                Change(kind, "rename", new_key, current=objects_of_kind(current, kind)[old_key], desired=old_key[-1])
            )
            current = rekey_model(current, _rekeying(current, kind, old_key, new_key))
    return current, changes


def _rekeying(model: Model, kind: str, old_key: tuple[str, ...], new_key: tuple[str, ...]) -> Rekeying:
    tables = frozenset(_inheriting(model, (old_key[0], old_key[1]))) if kind == "column" else frozenset()
    backing = model.constraints[old_key].index_name if kind == "constraint" else None
    return Rekeying(kind, old_key, new_key, tables=tables, schemas=frozenset(model.schemas), backing_index=backing)


def _inheriting(model: Model, table: QualifiedName) -> set[QualifiedName]:
    """`table` and the tables that get its columns: partitions and inheritance children, at every level
    (PostgreSQL renames a column in all of them)."""
    found, pending = set(), [table]
    while pending:
        key = pending.pop()
        if key in found:
            continue
        found.add(key)
        pending += [t.key for t in model.tables.values() if t.parent == key or key in t.inherits]
    return found


def objects_of_kind(model: Model, kind: str) -> dict:
    if kind == "table":
        return model.tables
    if kind == "column":
        return {(*table.key, column.name): column for table in model.tables.values() for column in table.columns}
    if kind == "constraint":
        return model.constraints
    if kind == "sequence":  # with identity columns' sequences, which are their columns'
        identities = {
            (table.schema, column.identity_sequence): column
            for table in model.tables.values()
            for column in table.columns
            if column.identity_sequence
        }
        return identities | model.sequences
    return model.indexes


def derived_renames(
    current: Model, desired: Model, renames: list[Change]
) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(kind, old key, new key) of the constraints, indexes and sequences on a renamed table, or on a table
    with renamed columns, whose name PostgreSQL derived from the old names (`flows_pkey`, `t_name_key`), gone
    from the desired state, which has the name derived from the new ones and the current model has not:
    PostgreSQL keeps such names on a rename, the files' CREATE gives the new ones."""
    old_names: dict[QualifiedName, str] = {}  # renamed tables: new key -> old name
    columns: dict[QualifiedName, dict[str, str]] = {}  # tables reached by column renames: old -> new
    for change in renames:
        table = (change.key[0], change.key[1])
        if change.kind == "table":
            old_names[table] = change.desired
        elif change.kind == "column":
            for reached in _inheriting(current, table):
                columns.setdefault(reached, {})[change.desired] = change.key[2]
    found = []
    for table in sorted(old_names.keys() | columns.keys()):
        for kind, key in _named_on(current, table):
            new_name = _derived_name(key[-1], old_names.get(table, table[1]), table[1], columns.get(table, {}))
            new_key = (*key[:-1], new_name) if new_name else None
            if new_key and _is_free_rename(current, desired, kind, key, new_key):
                found.append((kind, key, new_key))
    return found


def _named_on(model: Model, table: QualifiedName) -> list[tuple[str, tuple[str, ...]]]:
    """Constraints and indexes on `table`, and the sequences its columns own (identities' too)."""
    named: list[tuple[str, tuple[str, ...]]] = []
    named += [("constraint", key) for key, c in sorted(model.constraints.items()) if c.table_key == table]
    named += [("index", key) for key, i in sorted(model.indexes.items()) if i.table_key == table]
    named += [
        ("sequence", key)
        for key, s in sorted(model.sequences.items())
        if s.owned_by is not None and s.owned_by[:2] == table
    ]
    columns = model.tables[table].columns if table in model.tables else ()
    named += [("sequence", (table[0], c.identity_sequence)) for c in columns if c.identity_sequence]
    return named


def _derived_name(name: str, old_table: str, new_table: str, columns: dict[str, str]) -> str | None:
    """`name`, derived as `<table>_<column>..._<suffix>` from the old names, derived from the new ones."""
    if not name.startswith(f"{old_table}_"):
        return None
    words = name[len(old_table) + 1 :]
    if columns:  # whole words only ("t_name_key" has "name", "t_rename_key" has not), all in one pass
        spelled = "|".join(re.escape(old) for old in sorted(columns, key=len, reverse=True))
        words = re.sub(rf"(?<![^_])({spelled})(?![^_])", lambda match: columns[match.group(1)], words)
    derived = f"{new_table}_{words}"
    return derived if derived != name else None


def _is_free_rename(current: Model, desired: Model, kind: str, old: tuple[str, ...], new: tuple[str, ...]) -> bool:
    """The old name is going and the new one coming: turning the drop and the create into a rename."""
    current_objects, desired_objects = objects_of_kind(current, kind), objects_of_kind(desired, kind)
    return old not in desired_objects and new in desired_objects and new not in current_objects
