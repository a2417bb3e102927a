"""Values the pages keep are computed with Python's cycle collector held off, and it is on again afterwards,
however the computations overlap or fail."""

from __future__ import annotations

import gc
import threading

import pytest

from dunbar.web.pages.memo import collector_paused


def test_the_collector_is_off_while_computing_and_on_again_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "an inner computation's end does not end the outer one's pause"
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_overlapping_computations_in_threads_leave_the_collector_on() -> None:
    inside, release = threading.Barrier(3), threading.Event()

    def compute() -> None:
        with collector_paused():
            inside.wait(timeout=10)
            release.wait(timeout=10)

    threads = [threading.Thread(target=compute) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait(timeout=10)
    assert not gc.isenabled()
    release.set()
    for t in threads:
        t.join(timeout=10)
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
