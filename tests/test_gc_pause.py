"""Pausing the cycle collector: it comes back when the last pause ends, in whichever thread."""

from __future__ import annotations

import gc
import threading

import pytest

from pgdiff.gc_pause import gc_paused


@pytest.fixture
def collector_enabled():
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


def test_pause_and_resume(collector_enabled):
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause is still on
    assert gc.isenabled()


def test_overlapping_pauses_in_two_threads(collector_enabled):
    """Thread A pauses, B pauses, A ends first: B's block must still run without the collector, and the
    collector must be back once B ends."""
    a_paused, a_done, b_paused = threading.Event(), threading.Event(), threading.Event()
    seen_in_b: list[bool] = []

    def thread_b() -> None:
        a_paused.wait()
        with gc_paused():
            b_paused.set()
            a_done.wait()
            seen_in_b.append(gc.isenabled())

    b = threading.Thread(target=thread_b)
    b.start()
    with gc_paused():
        a_paused.set()
        b_paused.wait()
    a_done.set()
    b.join()
    assert seen_in_b == [False]
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled(collector_enabled):
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()
