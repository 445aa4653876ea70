"""Part of the pipeline: the work done once per article, on two cores.

Loading, validating and finding the mentions of an article need nothing of the other
articles, and at 10,000 articles they are most of the pipeline's time before rendering
(about 5 s of 6 on one core). ``in_two(function, items)`` is ``[function(item) for item in
items]`` with the second half computed by a forked process while this one computes the
first; the forked process sends its results back through a pipe (pickled) and exits.

It only ever saves time: on one core, with fewer than ``MIN_ITEMS`` items, where there is no
``fork``, or when the forked process fails or dies, every item is computed here, so the
results are the same, in the same order, whatever happens. ``function`` must not depend on
what another call did (nothing it changes comes back from the forked process), and the
process calling ``in_two`` must have no other threads running (a fork copies only the
calling one): the pipeline's own processes and the command line's.

Where the two shares cannot be told in advance (rendering: at 1,000 articles the pages other
than articles took twice the time of the articles, at 10,000 about as long), ``Ends`` shares
out numbered pieces of work between two processes as they go: one takes them from the first
on, the other from the last back, until they meet.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a fork costs more than it saves: an article takes about 0.5 ms.
MIN_ITEMS = 200

Each = Callable[[Callable[[T], R], Sequence[T]], list[R]]


class Ends:
    """Pieces ``0 .. count - 1`` shared out between two processes forked after it is made:
    ``front`` takes them from the first on, ``back`` from the last back, each piece once, until
    the two meet."""

    def __init__(self, count: int) -> None:
        import multiprocessing

        self._lock = multiprocessing.Lock()
        self._ends = multiprocessing.RawArray("q", [0, count])  # next front, end of the back

    def front(self) -> int | None:
        """The first piece not taken, or None when none is left."""
        with self._lock:
            first, end = self._ends
            if first >= end:
                return None
            self._ends[0] = first + 1
            return first

    def back(self, floor: int = 0) -> int | None:
        """The last piece not taken, or None when none is left from ``floor`` on."""
        with self._lock:
            first, end = self._ends
            if end - 1 < max(first, floor):
                return None
            self._ends[1] = end - 1
            return end - 1


def serially(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[function(item) for item in items]``: the stages' default."""
    return [function(item) for item in items]


def in_two(function: Callable[[T], R], items: Sequence[T], min_items: int | None = None) -> list[R]:
    """``[function(item) for item in items]``, the second half in a forked process when there
    are ``min_items`` items or more (``MIN_ITEMS``)."""
    least = MIN_ITEMS if min_items is None else min_items
    if len(items) < max(least, 2) or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return serially(function, items)
    middle = len(items) // 2
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the forked process: the second half, then exit without running anything else
        code = 0
        try:
            os.close(read)
            with os.fdopen(write, "wb") as out:
                results = serially(function, items[middle:])
                pickle.dump(results, out, pickle.HIGHEST_PROTOCOL)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    got: dict[str, list[R]] = {}

    def receive() -> None:  # read as it comes, so the forked process never waits for room
        try:
            with os.fdopen(read, "rb") as source:
                got["results"] = pickle.load(source)
        except Exception:  # cut off or failed: computed here instead
            pass

    reader = threading.Thread(target=receive, name="dossier-halves")
    reader.start()
    try:
        first = serially(function, items[:middle])
    finally:
        reader.join()
        os.waitpid(pid, 0)
    second = got.get("results")
    if second is None or len(second) != len(items) - middle:
        second = serially(function, items[middle:])
    return first + second
