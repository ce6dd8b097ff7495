"""A lean helper process: forked while this process is still small, it runs calls for it.

Extraction forks a sandbox child per file (:mod:`qualcoop.extract.sandbox`); a fork costs in
proportion to the parent's size, and a worker that has loaded spaCy and compiled a codebook is several
times larger than one that has not (about 15 ms vs 35 ms per text file here). A worker therefore forks
one :class:`LeanHelper` before it loads spaCy and extracts through it: the sandboxes fork from the
small helper. Calls and results travel pickled over a pipe; the helper ends when the pipe closes
(its parent ended or called :meth:`LeanHelper.close`) and, on Linux, when its parent dies.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
from collections.abc import Callable
from typing import Any

from ..extract.sandbox import die_with_parent, signal_name

__all__ = ["HelperDiedError", "LeanHelper", "available", "describe_status"]

_LEN = struct.Struct("!Q")


def available() -> bool:
    return hasattr(os, "fork") and hasattr(os, "waitpid")


def _write(fd: int, data: bytes) -> None:
    view = memoryview(_LEN.pack(len(data)) + data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read(fd: int) -> bytes | None:
    head = _read_exact(fd, _LEN.size)
    if head is None:
        return None
    body = _read_exact(fd, _LEN.unpack(head)[0])
    if body is None:
        raise EOFError("the helper pipe closed in the middle of a message")
    return body


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        part = os.read(fd, min(n - got, 1 << 20))
        if not part:
            return None
        chunks.append(part)
        got += len(part)
    return b"".join(chunks)


def _serve(rfd: int, wfd: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    die_with_parent()  # a helper never outlives a killed worker
    while True:
        msg = _read(rfd)
        if msg is None:
            return
        fn, args = pickle.loads(msg)
        try:
            reply = pickle.dumps((True, fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as e:  # noqa: BLE001 - every failure goes back to the caller
            try:
                reply = pickle.dumps((False, e), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                reply = pickle.dumps((False, RuntimeError(f"{type(e).__name__}: {e}")))
        try:
            _write(wfd, reply)
        except (BrokenPipeError, OSError):
            return


class HelperDiedError(RuntimeError):
    """The helper process ended while a call was outstanding (killed, out of memory, crashed)."""


#: pipe ends held by this process for its helpers (or, in a helper, to its own parent): a child
#: forked later closes them all, so that only the intended processes hold each pipe open and
#: closing one end is seen as end of file by the other
_HELD: set[int] = set()


class LeanHelper:
    """A helper child forked now; :meth:`call` runs ``fn(*args)`` in it (both must pickle).

    :meth:`send` and :meth:`receive` split a call, so that several helpers can work at once
    (:class:`qualcoop.exec.process.ProcessExecutor` is a pool of them); :meth:`fileno` is the end
    to wait on for a reply.
    """

    def __init__(self) -> None:
        to_child_r, to_child_w = os.pipe()
        to_parent_r, to_parent_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 0
            try:
                for fd in (*_HELD, to_child_w, to_parent_r):
                    try:
                        os.close(fd)
                    except OSError:
                        pass
                _HELD.clear()
                _HELD.update((to_child_r, to_parent_w))
                _serve(to_child_r, to_parent_w)
            except BaseException:  # noqa: BLE001
                code = 1
            finally:
                os._exit(code)
        os.close(to_child_r)
        os.close(to_parent_w)
        _HELD.update((to_child_w, to_parent_r))
        self.pid = pid
        self.owner = os.getpid()
        self._w: int | None = to_child_w
        self._r: int | None = to_parent_r
        self.status: int | None = None  # the wait status, once reaped

    @property
    def alive(self) -> bool:
        return self._w is not None

    def fileno(self) -> int:
        if self._r is None:
            raise RuntimeError("the helper is closed")
        return self._r

    def send(self, fn: Callable[..., Any], *args: Any) -> None:
        """Ask for ``fn(*args)``; the reply is read by :meth:`receive` (requests queue in order)."""
        if self._w is None:
            raise RuntimeError("the helper is closed")
        try:
            _write(self._w, pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL))
        except BaseException:
            self.kill()  # a half-sent message: this helper cannot be trusted again
            raise

    def receive(self) -> Any:
        """The next reply: the value returned, or the exception raised in the helper re-raised here."""
        if self._r is None:
            raise RuntimeError("the helper is closed")
        try:
            reply = _read(self._r)
        except BaseException:
            self.kill()  # a half-read message: this helper cannot be trusted again
            raise
        if reply is None:
            self.close()
            raise HelperDiedError(f"the helper process ended unexpectedly ({describe_status(self.status)})")
        ok, value = pickle.loads(reply)
        if ok:
            return value
        raise value

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.send(fn, *args)
        return self.receive()

    def kill(self) -> None:
        """End the helper now (SIGKILL) and reap it."""
        if os.getpid() == self.owner and self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.close()

    def close(self) -> None:
        """End the helper and reap it (idempotent; only its owner process does anything)."""
        if os.getpid() != self.owner:
            return
        for name in ("_w", "_r"):
            fd = getattr(self, name)
            if fd is not None:
                setattr(self, name, None)
                _HELD.discard(fd)
                try:
                    os.close(fd)
                except OSError:
                    pass
        if self.status is None:
            try:
                self.status = os.waitpid(self.pid, 0)[1]
            except ChildProcessError:
                self.status = 0


def describe_status(status: int | None) -> str:
    """``killed by SIGKILL``, ``exit code 1``... for a wait status."""
    if status is None:
        return "still running"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"killed by {signal_name(sig)}" + (" - out of memory?" if sig == signal.SIGKILL else "")
    return f"exit code {os.waitstatus_to_exitcode(status)}"
