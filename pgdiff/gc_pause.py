"""Pausing Python's cycle collector through the allocation-heavy phases (reading a catalog, parsing files).

Those phases create hundreds of thousands of small acyclic objects (rows, parse-tree nodes, frozen
dataclasses); each batch of allocations would otherwise trigger a collection that walks the whole, ever
larger heap, which on a 10,000-table schema costs more than the work itself. Nothing they create is
cyclic garbage, so nothing is lost by collecting later.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0  # blocks running now, in any thread (two inspections may run side by side)
_enable_after = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No collection during the block; afterwards, what exists is moved out of the collector's sight
    (`gc.freeze`). The models built live as long as the command, and walking their millions of objects at
    every later collection (planning allocates a lot too) would cost as much as building them again.
    Frozen objects are still freed by reference counting; only a cycle among them would outlive its use.
    Blocks may overlap across threads: the collector comes back when the last one ends."""
    global _pauses, _enable_after
    with _lock:
        if _pauses == 0:
            _enable_after = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            gc.freeze()
            if _pauses == 0 and _enable_after:
                gc.enable()
