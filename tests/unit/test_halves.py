"""halves.in_two: the same results as a plain loop, with the second half from another process."""

from __future__ import annotations

import os

import pytest

from build_scripts import halves


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_the_second_half_is_computed_by_another_process(two_cores) -> None:
    here = os.getpid()
    results = halves.in_two(lambda item: (item * item, os.getpid()), list(range(9)), min_items=0)
    assert [square for square, _ in results] == [item * item for item in range(9)]
    pids = [pid for _, pid in results]
    assert pids[:4] == [here] * 4
    assert here not in pids[4:] and len(set(pids[4:])) == 1


def test_results_come_back_in_order_however_large(two_cores) -> None:
    items = [f"article {number} " * 50 for number in range(3000)]  # far more than a pipe holds
    assert halves.in_two(str.upper, items) == [item.upper() for item in items]


def test_a_failing_forked_process_leaves_the_work_to_this_one(two_cores) -> None:
    here = os.getpid()

    def work(item: int) -> int:
        if os.getpid() != here:
            raise RuntimeError("the forked process fails")
        return item + 1

    assert halves.in_two(work, list(range(10)), min_items=0) == list(range(1, 11))


def test_a_forked_process_that_dies_leaves_the_work_to_this_one(two_cores) -> None:
    here = os.getpid()

    def work(item: int) -> int:
        if os.getpid() != here:
            os._exit(3)
        return -item

    assert halves.in_two(work, list(range(10)), min_items=0) == [-item for item in range(10)]


def test_an_error_here_is_raised_as_in_a_plain_loop(two_cores) -> None:
    def work(item: int) -> int:
        if item == 1:
            raise ValueError("bad item")
        return item

    with pytest.raises(ValueError, match="bad item"):
        halves.in_two(work, list(range(10)), min_items=0)


@pytest.mark.parametrize("cores", [1, None])
def test_one_core_or_few_items_stay_in_this_process(monkeypatch, cores) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    here = os.getpid()
    assert halves.in_two(lambda _: os.getpid(), list(range(500))) == [here] * 500
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert halves.in_two(lambda _: os.getpid(), list(range(10))) == [here] * 10
