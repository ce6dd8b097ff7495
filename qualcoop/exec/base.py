"""The executor contract and the serial executor."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..errors import ExecutorError

__all__ = ["EXECUTORS", "Executor", "ExecutorError", "SerialExecutor", "in_order", "window_size"]

#: registered executor names
EXECUTORS = ("serial", "process", "dask")


class Executor:
    """Maps ``fn(context, item)`` over items; results in input order, streaming.

    Subclasses implement :meth:`map`; :meth:`close` releases workers (also on ``with`` exit).
    """

    name = "base"
    workers = 1

    def map(self, fn: Callable[[Any, Any], Any], items: Iterable[Any], *, context: Any = None) -> Iterator[Any]:
        raise NotImplementedError

    def close(self) -> None:
        """Stop the workers this executor started (idempotent)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialExecutor(Executor):
    """Everything in this process, one item after the other."""

    name = "serial"

    def __init__(self, *, prepare: Callable[[Any], None] | None = None) -> None:
        self._prepare = prepare

    def map(self, fn: Callable[[Any, Any], Any], items: Iterable[Any], *, context: Any = None) -> Iterator[Any]:
        if self._prepare is not None:
            self._prepare(context)
        for item in items:
            yield fn(context, item)


def window_size(workers: int) -> int:
    """Items in flight at once: enough to keep every worker busy, few enough to bound memory."""
    return max(2, 4 * workers)


def in_order(submit: Callable[[Any], Any], items: Iterable[Any], limit: int) -> Iterator[Any]:
    """Results of ``submit(item)`` futures in input order, with at most ``limit`` in flight.

    What is still pending when the caller stops (or a result raises) is cancelled.
    """
    pending: deque = deque()
    try:
        for item in items:
            pending.append(submit(item))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for f in pending:
            f.cancel()
