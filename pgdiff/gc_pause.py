"""Pausing Python's cycle collector through the allocation-heavy phases (reading a catalog, parsing files).

Those phases create hundreds of thousands of small acyclic objects (rows, parse-tree nodes, frozen
dataclasses); each batch of allocations would otherwise trigger a collection that walks the whole, ever
larger heap, which on a 10,000-table schema costs more than the work itself. Nothing they create is
cyclic garbage, so nothing is lost by collecting later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No collection during the block; afterwards, what exists is moved out of the collector's sight
    (`gc.freeze`). The models built live as long as the command, and walking their millions of objects at
    every later collection (planning allocates a lot too) would cost as much as building them again.
    Frozen objects are still freed by reference counting; only a cycle among them would outlive its use."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
