"""What stands on what, from a model's pg_depend pairs: dependents of an object, and dependency order.

Pure functions over `Model.dependencies`. The planner uses them to drop, before an object is dropped
and created again, everything that stands on it (dependents first), and to make those again afterwards
from the desired model (in its dependency order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pgdiff.errors import PgdiffError
from pgdiff.model import KindKey, Model

# Converted in place (ALTER COLUMN ... TYPE) rather than dropped: what stands on a column is not followed.
_NOT_FOLLOWED = frozenset({"column"})


def describe(ref: KindKey) -> str:
    """`view public.a`, `function public.f(x integer)`, `default public.t.c`."""
    kind, key = ref
    if kind == "function":
        return f"function {key[0]}.{key[1]}({key[2]})"
    return f"{kind} {'.'.join(key)}"


def dependents_index(model: Model) -> dict[KindKey, set[KindKey]]:
    """For each object, the objects that depend on it directly."""
    return model.used_by_index


def dependents_of(
    model: Model, roots: Iterable[KindKey], stop: Iterable[KindKey] = ()
) -> set[KindKey]:
    """Everything that stands on `roots`, directly or through other objects (not the roots themselves).

    Columns, and the objects of `stop`, are reported but not followed: a column is converted to a new
    type, not dropped, and what reads it is PostgreSQL's to keep (indexes) or the planner's column rules'
    (views, generated columns); a `stop` object is changed in place.
    """
    start = set(roots)
    if not start:  # the common case (nothing replaced): no need to index the model's pairs
        return set()
    kept = set(stop)
    index = dependents_index(model)
    seen: set[KindKey] = set()
    pending = list(start)
    while pending:
        ref = pending.pop()
        for dependent in index.get(ref, ()):
            if dependent in seen or dependent in start:
                continue
            seen.add(dependent)
            if dependent[0] not in _NOT_FOLLOWED and dependent not in kept:
                pending.append(dependent)
    return seen


def reachable_among(uses: Mapping[KindKey, Iterable[KindKey]], ref: KindKey, wanted: set[KindKey]) -> set[KindKey]:
    """What `ref` stands on among `wanted` (through `uses`, object -> what it uses), looking through objects
    outside `wanted`."""
    found: set[KindKey] = set()
    seen, stack = {ref}, list(uses.get(ref, ()))
    while stack:
        other = stack.pop()
        if other in seen:
            continue
        seen.add(other)
        if other in wanted:
            found.add(other)
        else:
            stack.extend(uses.get(other, ()))
    return found


def dependency_order(model: Model, refs: Iterable[KindKey]) -> list[KindKey]:
    """`refs` with each after those of `refs` it depends on (directly or through others), otherwise in
    the order given (sorted, for a set).

    A cycle cannot be ordered: it is refused, naming its objects.
    """
    given = sorted(refs) if isinstance(refs, (set, frozenset)) else list(dict.fromkeys(refs))
    if not given:
        return []
    position = {ref: index for index, ref in enumerate(given)}
    wanted = set(given)
    uses = model.uses_index
    ordered: list[KindKey] = []
    done: set[KindKey] = set()
    path: list[KindKey] = []

    def reachable_wanted(ref: KindKey) -> list[KindKey]:
        return sorted(reachable_among(uses, ref, wanted), key=position.__getitem__)

    def visit(ref: KindKey) -> None:
        if ref in done:
            return
        if ref in path:
            cycle = [*path[path.index(ref) :], ref]
            raise PgdiffError("dependency cycle: " + " -> ".join(describe(r) for r in cycle))
        path.append(ref)
        for other in reachable_wanted(ref):
            visit(other)
        path.pop()
        done.add(ref)
        ordered.append(ref)

    for ref in given:
        visit(ref)
    return ordered
