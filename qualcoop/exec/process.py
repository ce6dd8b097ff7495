"""A pool of worker processes on this machine.

Workers are forked once, after ``prepare(context)`` ran in the driver (so what it compiled is
inherited, not rebuilt), and live for the whole run. Each worker is a :class:`~.helper.LeanHelper`:
calls and results travel pickled over its own pair of pipes, so the pool has no threads and no
shared queues. The driver keeps at most two items queued per worker, gives the next item to the
least busy worker, and yields results in input order with at most ``window_size(workers)`` items
in flight.

Workers ignore Ctrl-C; the driver alone decides. When the run stops early (Ctrl-C, an error, the
caller closing the iterator) every worker is killed at once, not left to finish what it holds, and
its extraction helper and sandbox die with it (``PR_SET_PDEATHSIG``). A worker that dies by itself
(e.g. killed for memory) stops the run with an :class:`ExecutorError` naming the item it held.
(``concurrent.futures.ProcessPoolExecutor`` was used before: on Python 3.11 a worker killed while
writing its result, or a broken pool whose futures were cancelled, left the driver waiting for
ever.) Where ``fork`` is missing the pool falls back to a spawning ``ProcessPoolExecutor``.
"""

from __future__ import annotations

import selectors
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .base import Executor, ExecutorError, in_order, window_size
from .helper import HelperDiedError, LeanHelper, available, describe_status

_CONTEXT: Any = None
_FN: Any = None
_PER_WORKER = 2  # items queued at one worker: one running, one ready to start


def _install(fn: Callable, context: Any, prepare: Callable | None) -> None:
    global _CONTEXT, _FN
    _CONTEXT, _FN = context, fn
    if prepare is not None:
        prepare(context)


def _call(item: Any) -> Any:
    return _FN(_CONTEXT, item)


def _start_spawned(fn: Callable, context: Any, prepare: Callable | None) -> None:  # pragma: no cover
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _install(fn, context, prepare)


class ProcessExecutor(Executor):
    """``workers`` processes; ``fn`` and ``context`` are installed in each once."""

    name = "process"

    def __init__(self, *, workers: int = 2, prepare: Callable[[Any], None] | None = None) -> None:
        self.workers = workers
        self._prepare = prepare
        self._helpers: list[LeanHelper] = []

    def map(self, fn: Callable[[Any, Any], Any], items: Iterable[Any], *, context: Any = None) -> Iterator[Any]:
        if not available():  # pragma: no cover - Windows / macOS spawn
            yield from self._map_spawned(fn, items, context)
            return
        if self._prepare is not None:
            self._prepare(context)  # inherited by the forked workers
        _install(fn, context, None)  # so is this
        try:
            self._helpers = [LeanHelper() for _ in range(self.workers)]
            yield from self._schedule(items)
        except BaseException:
            self.kill()
            raise
        finally:
            self.close()

    def _schedule(self, items: Iterable[Any]) -> Iterator[Any]:
        helpers = list(self._helpers)
        queued: dict[LeanHelper, deque[tuple[int, Any]]] = {h: deque() for h in helpers}
        done: dict[int, Any] = {}
        failed: dict[int, BaseException] = {}
        limit = window_size(len(helpers))  # >= _PER_WORKER per worker
        todo = iter(items)
        retry: list[Any] = []  # an item whose worker turned out dead when it was sent
        submitted = yielded = 0
        exhausted = False
        with selectors.DefaultSelector() as sel:
            fds = {h: h.fileno() for h in helpers}
            for h, fd in fds.items():
                sel.register(fd, selectors.EVENT_READ, h)

            def bury(h: LeanHelper, status: str) -> None:
                """A worker died: the item it held fails the run when its turn comes; the rest are lost."""
                sel.unregister(fds[h])
                helpers.remove(h)
                for i, (seq, item) in enumerate(queued.pop(h)):
                    failed[seq] = ExecutorError(f"a worker process died while working on {_label(item)}: "
                                                f"{status}") if i == 0 else ExecutorError("a worker process died")

            while True:
                while helpers and (retry or not exhausted) and submitted - yielded < limit + len(retry):
                    h = min(helpers, key=lambda h: len(queued[h]))
                    if len(queued[h]) >= _PER_WORKER:
                        break
                    if retry:
                        seq, item = retry.pop()
                    else:
                        try:
                            item = next(todo)
                        except StopIteration:
                            exhausted = True
                            break
                        seq, submitted = submitted, submitted + 1
                    try:
                        h.send(_call, item)
                    except OSError:  # the worker is gone (the pipe broke); send() reaped it, so its status says why
                        retry.append((seq, item))
                        bury(h, f"the helper process ended unexpectedly ({describe_status(h.status)})")
                        continue
                    queued[h].append((seq, item))
                if yielded in done or yielded in failed:
                    if yielded in failed:
                        raise failed.pop(yielded)
                    value = done.pop(yielded)
                    yielded += 1
                    yield value
                    continue
                if exhausted and not retry and yielded == submitted:
                    return
                if not helpers:
                    raise ExecutorError("every worker process died")
                for key, _ in sel.select():
                    h = key.data
                    seq, item = queued[h][0]
                    try:
                        done[seq] = h.receive()
                    except HelperDiedError as e:
                        bury(h, str(e))
                        continue
                    except Exception as e:  # noqa: BLE001 - raised in the worker; re-raised in input order
                        failed[seq] = e
                    queued[h].popleft()

    def _map_spawned(self, fn: Callable, items: Iterable[Any], context: Any) -> Iterator[Any]:  # pragma: no cover
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_spawned, initargs=(fn, context, self._prepare))
        try:
            yield from in_order(lambda item: pool.submit(_call, item), items, window_size(self.workers))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def kill(self) -> None:
        """Stop every worker now (what they held is abandoned)."""
        helpers, self._helpers = self._helpers, []
        for h in helpers:
            h.kill()

    def close(self) -> None:
        helpers, self._helpers = self._helpers, []
        for h in helpers:
            h.close()


def _label(item: Any) -> str:
    path = getattr(item, "path", None)
    return str(path) if path is not None else repr(item)[:200]
