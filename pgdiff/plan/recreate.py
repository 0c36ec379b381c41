"""Tables PostgreSQL cannot change in place: made again under the same name, their rows copied.

A plain table becoming partitioned (or back), a new partition key or strategy, and a new set of HASH
partitions (another modulus) all need every row moved. Such a table is *recreated*, in one transaction:

1. `LOCK TABLE t IN ACCESS EXCLUSIVE MODE` (its partitions too): nobody writes, or reads, until commit;
2. what stands on the table from outside (views, functions, triggers, policies, constraints such as foreign
   keys of other tables pointing at it) is dropped, dependents first; serial sequences its columns own are
   disowned, so that they and their current value stay;
3. the old table and each of its partitions move to the schema `pgdiff_recreate` (`ALTER TABLE ... SET
   SCHEMA`, which takes their indexes, constraints and identity sequences along), which frees every name;
4. the desired table (and its partitions, `PARTITION OF` it) is created under the real names;
5. `INSERT INTO t (...) SELECT ... FROM pgdiff_recreate.t`: the rows, routed to the new partitions;
6. each identity column's sequence is set to where the old one was;
7. the old table (with its partitions) and the schema are dropped.

The rest is what a new table gets from the ordinary planning, in the later phases of the same plan: the
indexes and foreign keys of the new table, the triggers, policies and row security, statistics, replica
identity, comments, grants and owners, the sequences' OWNED BY, and the objects of step 2 made again from
the desired state (views in dependency order; other tables' foreign keys NOT VALID, then validated).

The planner gets there by planning from the current model *without* the recreated tables and everything
on them (`without_recreated`): the diff then asks to create all of it, as for a new table.

Why one transaction: a copy committed apart from the swap would let writes land in the old table after the
copy, and be lost. So no intermediate state is ever visible: a kill before the commit rolls everything
back (the next plan is the same plan), after it the table is recreated and the next plan only adds what
the later phases did not get to. The schema `pgdiff_recreate` exists only inside that transaction; a plan
refuses to run if a database holds one (it is no schema of pgdiff's making then).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from pgdiff.diff import Change
from pgdiff.errors import PgdiffError
from pgdiff.model import Column, KindKey, Model, QualifiedName, Sequence, Table
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.dependencies import dependency_order, dependents_of, describe
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Hazard, Statement
from pgdiff.quoting import ident, literal, qualified

ASIDE_SCHEMA = "pgdiff_recreate"

# Kinds of objects outside a recreated table that may stand on it, and are dropped and made again.
_DEPENDENT_KINDS = ("view", "function", "trigger", "policy", "constraint", "index", "statistics")
# The model's dictionaries holding what belongs to a table, by the kind name `Model.dependencies` uses.
_TABLE_PARTS = {
    "constraint": "constraints",
    "index": "indexes",
    "trigger": "triggers",
    "policy": "policies",
    "statistics": "statistics",
}


@dataclass(frozen=True)
class Recreation:
    """One table made again: its partition trees before and after, and what stands on it from outside."""

    top: QualifiedName
    old_tree: tuple[QualifiedName, ...]  # the current table and its partitions at every level, parents first
    new_tree: tuple[QualifiedName, ...]  # the desired ones
    dependents: frozenset[KindKey]  # outside the tree, dropped first and made again from the desired state
    # The current model with the old tree in it (the planner plans from one without).
    original: Model = field(compare=False, repr=False)

    def reason(self, current: Model, desired: Model) -> str:
        old, new = current.tables[self.top], desired.tables[self.top]
        if old.partition_key and new.partition_key and old.partition_key != new.partition_key:
            return f"its partitioning changes from {old.partition_key} to {new.partition_key}"
        if new.partition_key and not old.partition_key:
            return f"it becomes partitioned by {new.partition_key}"
        if old.partition_key and not new.partition_key:
            return "it stops being partitioned"
        return f"its HASH partitions change (rows move between them): {_hash_bounds(desired, self.top)}"


# -- which tables, and the model planned from ---------------------------------------------------------


def _children(model: Model, parent: QualifiedName) -> list[Table]:
    return sorted((t for t in model.tables.values() if t.parent == parent), key=lambda t: t.key)


def _tree(model: Model, top: QualifiedName) -> tuple[QualifiedName, ...]:
    """`top` and its partitions at every level, each after its parent."""
    found, pending = [], [top]
    while pending:
        key = pending.pop(0)
        found.append(key)
        pending += [child.key for child in _children(model, key)]
    return tuple(found)


def _hash_bounds(model: Model, parent: QualifiedName) -> tuple[tuple[str, str | None], ...]:
    return tuple((child.name, child.bound) for child in _children(model, parent))


def needs_recreation(old: Table, new: Table, current: Model, desired: Model) -> bool:
    """Whether the rows of `old` must move to become `new`: other partitioning, or other HASH partitions."""
    if old.partition_key != new.partition_key:
        return True
    # A HASH partition's bound cannot change in place: the rows it holds would belong elsewhere.
    return bool(
        old.partition_key
        and old.partition_key.startswith("HASH")
        and _hash_bounds(current, old.key) != _hash_bounds(desired, new.key)
    )


def find_recreations(current: Model, desired: Model) -> list[Recreation]:
    """The tables of both models that can only be recreated, with what that involves."""
    tops = [
        key
        for key in sorted(current.tables.keys() & desired.tables.keys())
        if needs_recreation(current.tables[key], desired.tables[key], current, desired)
    ]
    if not tops:
        return []
    if ASIDE_SCHEMA in current.schemas:
        raise PgdiffError(
            f"schema {ASIDE_SCHEMA} exists in the target: pgdiff moves tables it recreates there inside one "
            "transaction and never leaves it behind, so it is not pgdiff's; rename or drop it first"
        )
    recreations = []
    for top in tops:
        _refuse_unsupported(top, current, desired)
        old_tree, new_tree = _tree(current, top), _tree(desired, top)
        _refuse_taken_names(top, old_tree, new_tree, current)
        dependents = _outside_dependents(current, old_tree)
        recreations.append(Recreation(top, old_tree, new_tree, frozenset(dependents), current))
    return recreations


def _refuse_unsupported(top: QualifiedName, current: Model, desired: Model) -> None:
    old, new = current.tables[top], desired.tables[top]
    name = dotted(top)
    if old.parent is not None or new.parent is not None:
        raise PgdiffError(
            f"table {name}: a partition whose own partitioning changes cannot be recreated yet; detach it "
            "(declare it a table of its own), then change it"
        )
    children = [t for t in current.tables.values() if top in t.inherits]
    if old.inherits or new.inherits or children:
        raise PgdiffError(f"table {name}: a table in a legacy inheritance tree (INHERITS) cannot be recreated")


def _refuse_taken_names(
    top: QualifiedName, old_tree: tuple[QualifiedName, ...], new_tree: tuple[QualifiedName, ...], current: Model
) -> None:
    """A partition the files give the recreated table must not be another table of the target now."""
    for key in new_tree:
        if key in current.tables and key not in old_tree:
            raise PgdiffError(
                f"table {dotted(top)} is recreated with partition {dotted(key)}, which is a table outside "
                f"{dotted(top)} in the target: drop or rename it first"
            )


def _tree_parts(model: Model, tree: tuple[QualifiedName, ...]) -> set[KindKey]:
    """The tables of `tree` and everything that belongs to them, as `Model.dependencies` names them."""
    tables = set(tree)
    parts: set[KindKey] = {("table", key) for key in tree}
    for key in tree:
        for column in model.tables[key].columns:
            parts |= {("column", (*key, column.name)), ("default", (*key, column.name))}
    for kind, attribute in _TABLE_PARTS.items():
        for obj in getattr(model, attribute).values():
            if obj.table_key in tables:
                parts.add((kind, obj.key))
    return parts


def _outside_dependents(current: Model, old_tree: tuple[QualifiedName, ...]) -> set[KindKey]:
    """What stands on the tree from outside it: views, functions, other tables' constraints, ..."""
    own = _tree_parts(current, old_tree)
    found = set()
    for ref in dependents_of(current, own) - own:
        if ref[0] == "sequence":
            continue  # a serial column's sequence: disowned, it stays (see `_disown_sequences`)
        if ref[0] == "column" and (ref[1][0], ref[1][1]) in current.views:
            continue  # a view's column goes with its view
        if ref[0] not in _DEPENDENT_KINDS:
            raise PgdiffError(
                f"table {dotted(old_tree[0])} must be recreated, but {describe(ref)} stands on it and pgdiff "
                "cannot drop and make that again; change it in a separate step"
            )
        found.add(ref)
    return found


def removed_refs(current: Model, recreations: list[Recreation]) -> set[KindKey]:
    """What planning leaves out of the current model: the old trees with everything on them, the objects
    standing on them, and the foreign keys pointing at them."""
    removed: set[KindKey] = set()
    for recreation in recreations:
        removed |= _tree_parts(current, recreation.old_tree) | recreation.dependents
        tree = set(recreation.old_tree)
        removed |= {("constraint", c.key) for c in current.constraints.values() if c.ref_table in tree}
    return removed


def without_recreated(current: Model, recreations: list[Recreation]) -> Model:
    """The current model as if the recreated tables, and what stands on them, were not there: planning from
    it creates them as new. The sequences their columns own are taken to be owned by nothing."""
    removed = removed_refs(current, recreations)
    tables = {key for kind, key in removed if kind == "table"}

    def kept(kind: str, objects: dict) -> dict:
        return {key: obj for key, obj in objects.items() if (kind, key) not in removed}

    sequences = {
        key: replace(seq, owned_by=None) if _owner_table(seq) in tables else seq
        for key, seq in current.sequences.items()
    }
    return replace(
        current,
        tables={key: t for key, t in current.tables.items() if key not in tables},
        constraints=kept("constraint", current.constraints),
        indexes=kept("index", current.indexes),
        triggers=kept("trigger", current.triggers),
        policies=kept("policy", current.policies),
        row_security={key: rs for key, rs in current.row_security.items() if key not in tables},
        statistics=kept("statistics", current.statistics),
        views=kept("view", current.views),
        functions=kept("function", current.functions),
        sequences=sequences,
    )


def _owner_table(sequence: Sequence) -> QualifiedName | None:
    return (sequence.owned_by[0], sequence.owned_by[1]) if sequence.owned_by else None


def _table_of(change: Change) -> QualifiedName | None:
    """The table a change of a table-bound object is about (None for other kinds)."""
    if change.kind in ("table", "row_security"):
        return (change.key[0], change.key[1])
    if change.kind in ("column", "constraint", "trigger", "policy"):
        return (change.key[0], change.key[1])
    if change.kind in ("index", "statistics"):
        obj = change.desired if change.desired is not None else change.current
        return obj.table_key
    return None


def changes_without_recreated(
    changes: list[Change], current: Model, planned_from: Model, desired: Model, recreations: list[Recreation]
) -> list[Change]:
    """`changes` (made against the real current model) as they are against `planned_from`: what concerns the
    recreated tables, old and new, and what stands on them comes from diffing `planned_from` (all creates);
    every other change is kept as it was (renames, and the expressions the diff settled as equal)."""
    from pgdiff.diff import diff

    removed = removed_refs(current, recreations)
    trees = {key for r in recreations for key in (*r.old_tree, *r.new_tree)}
    owned = {key for key, seq in current.sequences.items() if _owner_table(seq) in trees}

    def concerned(change: Change) -> bool:
        if change.action == "rename":
            return False
        if change.kind == "sequence":
            return change.key in owned
        return (change.kind, change.key) in removed or _table_of(change) in trees

    kept = [c for c in changes if not concerned(c)]
    return kept + [c for c in diff(planned_from, desired) if concerned(c)]


# -- the plan -----------------------------------------------------------------------------------------


def _copied_columns(old: Table, new: Table) -> list[tuple[Column, Column]]:
    """(old, new) of the columns whose values are copied: in both, and not generated in the new table."""
    pairs = []
    for column in new.columns:
        previous = old.column(column.name)
        if previous is not None and not column.generated:
            pairs.append((previous, column))
    return pairs


def copy_rows_sql(old: Table, new: Table) -> str:
    pairs = _copied_columns(old, new)
    targets = ", ".join(ident(new_column.name) for _, new_column in pairs)
    values = ", ".join(ident(o.name) if o.type == n.type else f"CAST({ident(o.name)} AS {n.type})" for o, n in pairs)
    overriding = " OVERRIDING SYSTEM VALUE" if any(n.identity == "always" for _, n in pairs) else ""
    source = qualified(ASIDE_SCHEMA, old.name)
    return f"INSERT INTO {qualified(*new.key)} ({targets}){overriding}\nSELECT {values} FROM {source}"


def identity_value_sql(new: Table, column: str) -> str:
    """The new identity sequence goes on from the old one's last value (none if it never gave one)."""
    new_sequence = f"pg_get_serial_sequence({literal(qualified(*new.key))}, {literal(column)})"
    old_sequence = f"pg_get_serial_sequence({literal(qualified(ASIDE_SCHEMA, new.name))}, {literal(column)})"
    return (
        f"SELECT setval({new_sequence}, last_value)\n"
        f"FROM pg_sequence_last_value({old_sequence}::regclass) AS last_value WHERE last_value IS NOT NULL"
    )


class RecreatePlanner(PlannerBase):
    """Plans the recreation of tables (see the module docstring); the rest comes from planning them as new."""

    def plan_recreations(self) -> None:
        self._already_recreated: set[QualifiedName] = set()
        for recreation in self.recreations:
            self._recreate(recreation)
            self._already_recreated |= set(recreation.old_tree)

    def _recreate_statement(self, recreation: Recreation, sql: str, kind: str, obj: str, *hazards: Hazard):
        statement = Statement(sql, kind, "alter", obj, table=dotted(recreation.top), hazards=hazards)
        self.emit(Phase.RECREATE_TABLE, statement)

    def _recreate(self, recreation: Recreation) -> None:
        old = recreation.original.tables[recreation.top]
        new = self.desired.tables[recreation.top]
        name = dotted(recreation.top)
        why = recreation.reason(recreation.original, self.desired)
        locked = hz.table_recreate(name, why)
        lock = f"LOCK TABLE {qualified(*old.key)} IN ACCESS EXCLUSIVE MODE"
        self._recreate_statement(recreation, lock, "table", name, *locked)
        self._drop_dependents(recreation)
        self._disown_sequences(recreation)
        self._recreate_statement(recreation, ddl.create_schema(ASIDE_SCHEMA), "schema", ASIDE_SCHEMA)
        for key in recreation.old_tree:
            sql = ddl.alter_table(*key, f"SET SCHEMA {ident(ASIDE_SCHEMA)}")
            self._recreate_statement(recreation, sql, "table", dotted(key))
        for key in recreation.new_tree:
            table = self.desired.tables[key]
            sql = ddl.create_table(table, self._inline_constraints(table))
            self._recreate_statement(recreation, sql, "table", dotted(key))
        lost = [c.name for c in old.columns if new.column(c.name) is None]
        hazards = locked + tuple(
            hz.data_loss(f"column {name}.{column} is dropped with its data: the new table has no such column")
            for column in lost
        )
        self._recreate_statement(recreation, copy_rows_sql(old, new), "table", name, *hazards)
        for previous, column in _copied_columns(old, new):
            if previous.identity and column.identity:
                sql = identity_value_sql(new, column.name)
                self._recreate_statement(recreation, sql, "column", f"{name}.{column.name}")
        self._recreate_statement(recreation, f"DROP TABLE {qualified(ASIDE_SCHEMA, old.name)}", "table", name)
        self._recreate_statement(recreation, ddl.drop_schema(ASIDE_SCHEMA), "schema", ASIDE_SCHEMA)
        for key in recreation.new_tree:
            table = self.desired.tables[key]
            if table.replica_identity != "d":
                self.set_replica_identity(table, "alter")

    def _drop_dependents(self, recreation: Recreation) -> None:
        """Dependents first; what goes with a dropped view (its indexes and triggers) is not dropped apart."""
        views = {key for kind, key in recreation.dependents if kind == "view"}
        original = recreation.original
        for kind, key in reversed(dependency_order(original, recreation.dependents)):
            obj = _object(original, kind, key)
            if kind in ("index", "trigger") and obj.table_key in views:
                continue
            if getattr(obj, "table_key", None) in self._already_recreated:
                continue  # on a table recreated before this one: gone with the old table
            sql = _drop_sql(kind, obj)
            hazards = () if self.desired.holds((kind, key)) else (hz.breaking(f"{describe((kind, key))} is dropped"),)
            self._recreate_statement(recreation, sql, kind, dotted(key), *hazards)

    def _disown_sequences(self, recreation: Recreation) -> None:
        tree = set(recreation.old_tree)
        for sequence in sorted(recreation.original.sequences.values(), key=lambda s: s.key):
            if _owner_table(sequence) in tree:
                sql = ddl.alter_sequence(sequence, ddl.sequence_owner(None))
                self._recreate_statement(recreation, sql, "sequence", dotted(sequence.key))


def _object(model: Model, kind: str, key: tuple[str, ...]) -> Any:
    attribute = {"policy": "policies", "statistics": "statistics", "index": "indexes"}.get(kind, kind + "s")
    return getattr(model, attribute)[key]


def _drop_sql(kind: str, obj: Any) -> str:
    if kind == "view":
        return ddl.drop_view(obj)
    if kind == "function":
        return ddl.drop_function(obj)
    if kind == "trigger":
        return ddl.drop_trigger(obj)
    if kind == "policy":
        return ddl.drop_policy(obj)
    if kind == "constraint":
        return ddl.drop_constraint(obj)
    if kind == "index":
        return ddl.drop_index(obj)
    return ddl.drop_statistics(obj)
