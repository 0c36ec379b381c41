"""The order of the objects a plan creates and drops, across kinds, from what stands on what.

Phases put each kind's creates and drops where most of its objects belong (types before functions before
tables before views; views dropped before tables, types last). Objects of different kinds can stand on each
other against that order: a domain whose CHECK calls a function, a function returning a view's row type, a
domain over a table's row type, an extension requiring another. This pass reads the models' dependencies
(pg_depend, and the extensions' `requires`) and moves what must wait: a created object into the phase of
the latest created object it stands on (never earlier than its own), a dropped object into the phase of
the latest dropped object standing on it; within a phase, those objects take their dependency order, in
the places their statements held. A cycle changes nothing: the phases' order stands.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable

from pgdiff.model import KindKey, Model
from pgdiff.plan.dependencies import reachable_among
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Statement

Emitted = tuple[Phase, int, Statement]
StatementKey = tuple[str, str]  # (Statement.kind, Statement.object)


def order_objects(emitted: list[Emitted], current: Model, desired: Model) -> list[Emitted]:
    """`emitted` (sorted by phase and emission) with cross-kind creates and drops moved where they can run."""
    placed = list(emitted)
    created = _blocks(placed, desired, creates=True)
    if created:
        placed = _place(placed, created, _uses(desired), waits_for_uses=True)
    dropped = _blocks(placed, current, creates=False)  # positions in the list as the creates left it
    if dropped:
        placed = _place(placed, dropped, _uses(current), waits_for_uses=False)
    return placed


def _blocks(emitted: list[Emitted], model: Model, *, creates: bool) -> dict[int, KindKey]:
    """Positions in `emitted` of the statements creating (or dropping) a model object, by the object: its
    CREATE and the statements on that object that follow it in the same phase (a domain's NOT VALID checks),
    or its DROP alone. A drop before the create of the same object (made again) stays where it is."""
    names = _statement_names(model)
    starts: dict[tuple[Phase, StatementKey], KindKey] = {}
    found: dict[int, KindKey] = {}
    for position, (phase, _, statement) in enumerate(emitted):
        if phase is Phase.RECREATE_TABLE:
            continue  # one transaction in an order of its own: lock, move aside, create, copy, drop
        name = (statement.kind, statement.object)
        ref = names.get(name)
        if ref is None:
            continue
        if not creates:
            if _is_drop(statement.sql):
                found[position] = ref
            continue
        if creates_object(statement.sql):
            starts.setdefault((phase, name), ref)
        if (phase, name) in starts and not _is_drop(statement.sql):
            found[position] = starts[(phase, name)]
    return found


# What a statement's SQL starts with when it brings a new object into being (not CREATE OR REPLACE).
_CREATES = re.compile(r"(SET LOCAL [^;]*;\s*)*CREATE (?!OR REPLACE )")


def creates_object(sql: str) -> bool:
    return _CREATES.match(sql) is not None


def _is_drop(sql: str) -> bool:
    return sql.startswith("DROP ")


def _statement_names(model: Model) -> dict[StatementKey, KindKey]:
    """What the planner's statements call each movable object (`Statement.kind`, `Statement.object`)."""
    names: dict[StatementKey, KindKey] = {}
    for key in model.tables:
        names[("table", ".".join(key))] = ("table", key)
    for key, view in model.views.items():
        names[(view.kind_name, ".".join(key))] = ("view", key)
    for key, function in model.functions.items():
        names[(function.kind_name, f"{key[0]}.{key[1]}({key[2]})")] = ("function", key)
    for kind, types in (("enum", model.enums), ("composite", model.composites), ("domain", model.domains)):
        for key in types:
            names[(kind, ".".join(key))] = (kind, key)
    for key in model.ranges:
        names[("range", ".".join(key))] = ("range", key)
    for name in model.extensions:
        names[("extension", name)] = ("extension", (name,))
    return names


def _uses(model: Model) -> dict[KindKey, set[KindKey]]:
    """What each object stands on, with the parts a CREATE TABLE writes (columns, defaults, constraints
    other than foreign keys) folded into their table, and extensions on the extensions they require."""
    uses: dict[KindKey, set[KindKey]] = {}
    for dependent, referenced in model.dependencies:
        a, b = _folded(model, dependent), _folded(model, referenced)
        if a != b:
            uses.setdefault(a, set()).add(b)
    for extension in model.extensions.values():
        for required in extension.requires:
            uses.setdefault(("extension", (extension.name,)), set()).add(("extension", (required,)))
    return uses


def _folded(model: Model, ref: KindKey) -> KindKey:
    kind, key = ref
    table = (key[0], key[1]) if kind in ("column", "default", "constraint") else None
    if table is None or table not in model.tables:
        return ref
    if kind == "constraint" and (key not in model.constraints or model.constraints[key].kind == "f"):
        return ref
    return ("table", table)


def _place(
    emitted: list[Emitted], blocks: dict[int, KindKey], uses: dict[KindKey, set[KindKey]], *, waits_for_uses: bool
) -> list[Emitted]:
    refs = list(dict.fromkeys(blocks.values()))
    needs = {ref: reachable_among(uses, ref, set(refs)) for ref in refs}
    if not waits_for_uses:  # a drop waits for what stands on it
        needs = _inverted(needs)
    order = _topological(refs, needs)
    if order is None:
        return emitted
    phase_of: dict[KindKey, Phase] = {}
    for ref in order:
        own = max(emitted[p][0] for p, r in blocks.items() if r == ref)
        phase_of[ref] = max([own, *(phase_of[other] for other in needs[ref])])
    moved = [
        (phase_of[blocks[p]], index, statement) if p in blocks else (phase, index, statement)
        for p, (phase, index, statement) in enumerate(emitted)
    ]
    moved.sort(key=lambda item: item[0])  # stable: within a phase, the order an earlier pass gave stands
    return _in_dependency_order(moved, {item[1]: blocks[p] for p, item in enumerate(emitted) if p in blocks}, needs)


def _in_dependency_order(
    emitted: list[Emitted], ref_of: dict[int, KindKey], needs: dict[KindKey, set[KindKey]]
) -> list[Emitted]:
    """Within each phase, a statement of a moved object waits for the first statement (the CREATE, or the
    DROP) of each object it needs there, and a block's later statements wait for its first; everything else
    keeps its place. Only what must wait moves: a partition's ATTACH stays after the index copies emitted
    before it. A cycle leaves the phase as it was."""
    result: list[Emitted] = []
    start = 0
    while start < len(emitted):
        end = start
        while end < len(emitted) and emitted[end][0] == emitted[start][0]:
            end += 1
        result.extend(_stable_topological(emitted[start:end], ref_of, needs))
        start = end
    return result


def _stable_topological(
    items: list[Emitted], ref_of: dict[int, KindKey], needs: dict[KindKey, set[KindKey]]
) -> list[Emitted]:
    """`items` (one phase), each after what it waits for, otherwise in their order; unchanged for a cycle."""
    first_of: dict[KindKey, int] = {}
    for position, (_, index, _) in enumerate(items):
        if index in ref_of:
            first_of.setdefault(ref_of[index], position)
    waits: dict[int, set[int]] = {}
    for position, (_, index, _) in enumerate(items):
        ref = ref_of.get(index)
        if ref is None:
            continue
        before = {first_of[other] for other in needs[ref] if other in first_of}
        if first_of[ref] != position:
            before.add(first_of[ref])
        before.discard(position)
        if before:
            waits[position] = before
    if not waits:
        return items
    waited_by: dict[int, list[int]] = {}
    for position, before in waits.items():
        for other in before:
            waited_by.setdefault(other, []).append(position)
    pending = {position: len(before) for position, before in waits.items()}
    ready = [position for position in range(len(items)) if position not in pending]
    heapq.heapify(ready)
    ordered: list[Emitted] = []
    while ready:
        position = heapq.heappop(ready)
        ordered.append(items[position])
        for other in waited_by.get(position, ()):
            pending[other] -= 1
            if pending[other] == 0:
                heapq.heappush(ready, other)
    return ordered if len(ordered) == len(items) else items


def _inverted(needs: dict[KindKey, set[KindKey]]) -> dict[KindKey, set[KindKey]]:
    inverted: dict[KindKey, set[KindKey]] = {ref: set() for ref in needs}
    for ref, others in needs.items():
        for other in others:
            inverted[other].add(ref)
    return inverted


def _topological(refs: Iterable[KindKey], needs: dict[KindKey, set[KindKey]]) -> list[KindKey] | None:
    """`refs`, each after what it needs, otherwise in the order given; None for a cycle."""
    given = list(refs)
    position = {ref: index for index, ref in enumerate(given)}
    ordered: list[KindKey] = []
    state: dict[KindKey, bool] = {}  # False while visiting, True once placed
    for start in given:
        if start in state:
            continue
        stack: list[tuple[KindKey, list[KindKey]]] = [(start, sorted(needs[start], key=position.__getitem__))]
        state[start] = False
        while stack:
            ref, pending = stack[-1]
            if not pending:
                stack.pop()
                state[ref] = True
                ordered.append(ref)
                continue
            other = pending.pop(0)
            if other not in state:
                state[other] = False
                stack.append((other, sorted(needs[other], key=position.__getitem__)))
            elif not state[other]:
                return None
    return ordered
