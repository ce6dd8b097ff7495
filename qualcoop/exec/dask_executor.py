"""Dask (``dask.distributed``): the executor for more than one machine.

With a scheduler address the run uses that cluster (every worker needs qualcoop installed);
without one it starts a ``LocalCluster`` of ``workers`` single-threaded worker processes and
closes it at the end. The context is scattered to every worker once; each worker builds what it
needs from it (spaCy pipelines, the compiled codebook) on its first item and keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .base import Executor, ExecutorError, in_order, window_size


class DaskExecutor(Executor):
    name = "dask"

    def __init__(self, *, workers: int = 2, scheduler: str | None = None) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError as e:
            raise ExecutorError("the dask executor needs dask[distributed] "
                                "(pip install 'qualcoop[dask]')") from e
        self.workers = workers
        self.scheduler = scheduler
        self._client: Any = None
        self._cluster: Any = None

    def _connect(self) -> Any:
        from distributed import Client, LocalCluster

        if self._client is not None:
            return self._client
        try:
            if self.scheduler:
                self._client = Client(self.scheduler, timeout="20s")
            else:
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None, silence_logs=50)
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as e:
            self.close()
            raise ExecutorError(f"cannot reach the Dask scheduler {self.scheduler or '(local)'}: {e}") from e
        return self._client

    def map(self, fn: Callable[[Any, Any], Any], items: Iterable[Any], *, context: Any = None) -> Iterator[Any]:
        client = self._connect()
        n = max(1, len(client.scheduler_info().get("workers", {})) or self.workers)
        ctx = client.scatter(context, broadcast=True)
        try:
            yield from in_order(lambda item: client.submit(fn, ctx, item, pure=False, retries=0), items,
                                window_size(n))
        finally:
            self.close()

    def close(self) -> None:
        client, self._client = self._client, None
        cluster, self._cluster = self._cluster, None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
