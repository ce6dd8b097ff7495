"""A pool of worker processes on this machine.

Workers are forked once, after ``prepare(context)`` ran in the driver (so a codebook compiled
there is inherited, not rebuilt), and live for the whole run. Items are submitted in a bounded
window and results are yielded in input order. Where ``fork`` is missing the pool spawns
workers, which run ``prepare`` themselves when they start.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from .base import Executor, in_order, window_size

_CONTEXT: Any = None
_FN: Any = None


def _install(fn: Callable, context: Any, prepare: Callable | None) -> None:
    global _CONTEXT, _FN
    _CONTEXT, _FN = context, fn
    if prepare is not None:
        prepare(context)


def _call(item: Any) -> Any:
    return _FN(_CONTEXT, item)


class ProcessExecutor(Executor):
    """``workers`` processes; ``fn`` and ``context`` are installed in each once."""

    name = "process"

    def __init__(self, *, workers: int = 2, prepare: Callable[[Any], None] | None = None) -> None:
        self.workers = workers
        self._prepare = prepare
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[Any, Any], Any], items: Iterable[Any], *, context: Any = None) -> Iterator[Any]:
        methods = multiprocessing.get_all_start_methods()
        if "fork" in methods:
            if self._prepare is not None:
                self._prepare(context)  # inherited by the forked workers
            _install(fn, context, None)  # so is this
            mp = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=mp)
        else:  # pragma: no cover - Windows / macOS spawn
            mp = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=mp, initializer=_install,
                                             initargs=(fn, context, self._prepare))
        pool = self._pool
        try:
            yield from in_order(lambda item: pool.submit(_call, item), items, window_size(self.workers))
        finally:
            self.close()

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
