"""Executors: the only place with threads, processes and Dask.

An executor maps a picklable task function over items and yields the results **in input
order**, streaming (only a bounded window of items is in flight, so memory does not grow
with the number of items). Every executor takes the same arguments and gives the same
results; only where the work runs differs.

``fn(context, item)`` is called for each item. ``context`` is sent to each worker once (a
process pool installs it when the worker starts, Dask scatters it to every worker), not with
every item. Workers may cache what they build from it (a compiled codebook) in a module global.

>>> from qualcoop.exec import make_executor
>>> with make_executor("serial") as ex:
...     list(ex.map(pow, [1, 2, 3], context=2))
[2, 4, 8]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import EXECUTORS, Executor, ExecutorError, SerialExecutor

__all__ = ["EXECUTORS", "Executor", "ExecutorError", "SerialExecutor", "make_executor"]


def make_executor(name: str = "serial", *, workers: int = 1, scheduler: str | None = None,
                  prepare: Callable[[Any], None] | None = None) -> Executor:
    """The executor called ``name`` (``serial``, ``process`` or ``dask``).

    Parameters
    ----------
    workers : int
        Worker processes (``process``; ``dask`` without ``scheduler`` starts a ``LocalCluster``
        with this many worker processes). ``serial`` ignores it.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); only for ``dask``.
    prepare : callable, optional
        ``prepare(context)`` runs in the driver before any worker starts (a process pool forks
        after it, so what it caches is inherited; e.g. compiling the codebook once).
    """
    if name not in EXECUTORS:
        raise ExecutorError(f"unknown executor {name!r}; use one of {', '.join(EXECUTORS)}")
    if scheduler is not None and name != "dask":
        raise ExecutorError("--scheduler needs the dask executor")
    if not isinstance(workers, int) or workers < 1:
        raise ExecutorError(f"workers must be a whole number >= 1, not {workers!r}")
    if name == "serial":
        return SerialExecutor(prepare=prepare)
    if name == "process":
        from .process import ProcessExecutor

        return ProcessExecutor(workers=workers, prepare=prepare)
    from .dask_executor import DaskExecutor

    return DaskExecutor(workers=workers, scheduler=scheduler)

