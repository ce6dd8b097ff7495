"""Run one risky extraction in a child process with a time limit and a memory cap.

Parsers of complex formats (PDF above all) can hang or grow without bound on a
malformed file. :func:`run_sandboxed` runs ``func(*args)`` in a forked child
process so that such a file fails alone, as a typed error, and the calling
process goes on:

- the child gets ``timeout`` seconds of wall-clock time; after that it is killed
  (``SIGKILL``) and :class:`~qualcoop.errors.ExtractionTimeoutError` is raised;
- the child's address space may grow by at most ``memory_limit_mb`` MiB over
  what it inherited at the fork (``resource.setrlimit(RLIMIT_AS)`` in the
  child); a :class:`MemoryError` there comes back as
  :class:`~qualcoop.errors.ResourceLimitError`;
- a :class:`~qualcoop.errors.QualcoopError` raised by ``func`` is re-raised in
  the parent as the same typed error; any other exception becomes an
  :class:`~qualcoop.errors.ExtractionError` naming its type and message;
- a child that dies without answering (a crash in C code) becomes
  :class:`~qualcoop.errors.CorruptDocumentError`, or ``ResourceLimitError`` when it
  was killed by ``SIGKILL`` from outside (the kernel's OOM killer) or aborted
  (``SIGABRT``) under a memory cap: C libraries such as PDFium ``abort()`` when an
  allocation fails, so that is by far the likelier cause.

Why ``fork`` and not a pool: the child inherits the already imported parser
libraries and the file's bytes, so nothing is imported or copied per file; the
whole round trip costs about a millisecond (see ``benchmarks/bench_pdf.py``).
``func`` needs not be picklable; its *result* must be (plain data or frozen
dataclasses). Import the parser library in the parent before calling, or every
child pays for the import again.

Caveats
-------
- ``fork`` in a process that runs other threads is only safe when those
  threads hold no locks the child needs; extraction code here touches none
  (``logging`` re-initialises its locks after a fork).
- Where ``os.fork`` does not exist (Windows) ``func`` runs in-process, without
  the limits; :data:`SANDBOXED` tells which.
- The result is unpickled in the parent. It comes from our own code in the
  child, not from the file, but a memory-corruption exploit in a C parser could
  forge it; the time and memory limits are robustness measures, not a security
  boundary.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import select
import signal
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..limits import limit_message

try:  # imported here, not in the child: a per-child import costs milliseconds
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

from ..errors import (
    CorruptDocumentError,
    ExtractionError,
    ExtractionTimeoutError,
    QualcoopError,
    ResourceLimitError,
)

__all__ = ["run_sandboxed", "caused_by", "die_with_parent", "signal_name", "SANDBOXED"]

T = TypeVar("T")

#: ``True`` where extraction really runs in a child process (POSIX with ``fork``)
SANDBOXED: bool = hasattr(os, "fork") and hasattr(os, "waitpid")

_OK = 0
_ERR = 1
_CHUNK = 1 << 16
_HEADER = struct.Struct("<Q")  # payload length


def run_sandboxed(
    func: Callable[..., T],
    /,
    *args: Any,
    timeout: float,
    memory_limit_mb: int | None,
    path: str | Path,
) -> T:
    """Call ``func(*args)`` in a forked child process with a time limit and a memory cap.

    Parameters
    ----------
    func : callable
        The work to do. Its return value must be picklable.
    *args
        Positional arguments for ``func`` (inherited by the child, not pickled).
    timeout : float
        Wall-clock seconds the child may take; then it is killed.
    memory_limit_mb : int or None
        How many MiB of address space the child may add to what it inherited
        (``RLIMIT_AS``). ``None`` or ``0`` means no cap.
    path : path-like
        The file being worked on; every error raised names it.

    Returns
    -------
    object
        What ``func`` returned, unpickled in the parent.

    Raises
    ------
    ExtractionTimeoutError
        The child ran past ``timeout`` (it has been killed).
    ResourceLimitError
        The child ran out of its memory allowance (or was killed from outside).
    ExtractionError
        Whatever typed error ``func`` raised, re-raised as the same class; other
        exceptions as a plain ``ExtractionError`` naming their type.

    Examples
    --------
    >>> run_sandboxed(sum, [1, 2, 3], timeout=5, memory_limit_mb=256, path="x.pdf")
    6
    """
    if timeout is None or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
    if not SANDBOXED:  # pragma: no cover - Windows
        return _call_inline(func, args, path, memory_limit_mb)

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # ---------------------------------------------------------------- child
        code = 3
        try:
            os.close(read_fd)
            die_with_parent()
            _quiet_crashes()
            payload = _run_child(func, args, path, memory_limit_mb)
            _write_all(write_fd, payload)
            code = 0
        except BaseException:  # noqa: BLE001 - the child must never run the parent's code
            code = 4
        finally:
            os._exit(code)  # no atexit handlers, no flushing of buffers copied from the parent

    # ------------------------------------------------------------------------------ parent
    os.close(write_fd)
    deadline = time.monotonic() + timeout
    try:
        data = _read_message(read_fd, deadline)
    except _Timeout:
        _kill(pid)
        raise ExtractionTimeoutError(path, limit_message(
            "EXTRACT_TIMEOUT", f"{timeout:g} s", f"no result after {timeout:g} s; the extraction process was killed")
        ) from None
    except BaseException:  # KeyboardInterrupt and the like: do not leave the child running
        _kill(pid)
        raise
    finally:
        os.close(read_fd)
    status = _reap(pid)

    if not data:
        raise _death_error(path, status, memory_limit_mb)
    try:
        kind, value = pickle.loads(data)
    except Exception as e:  # truncated by a crash while writing
        raise _death_error(path, status, memory_limit_mb) from e
    if kind == _OK:
        return value
    raise value


# --------------------------------------------------------------------------- child side


def _run_child(func: Callable[..., Any], args: tuple, path: str | Path,
               memory_limit_mb: int | None) -> bytes:
    """Run ``func`` under the memory cap and pickle ``(status, value)``.

    The cap is lifted again (only the soft limit was lowered) before the outcome is
    pickled, so that reporting a :class:`MemoryError` cannot itself run out of memory.
    """
    restore = _limit_memory(memory_limit_mb)
    failure: BaseException | None = None
    try:
        result = func(*args)
    except BaseException as e:  # noqa: BLE001 - every failure goes back as a typed error
        failure, result = e, None
    finally:
        restore()
    if failure is not None:
        err = _as_typed(failure, path, memory_limit_mb)
        failure = None
        return pickle.dumps((_ERR, err), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        return pickle.dumps((_OK, result), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        err: QualcoopError = ResourceLimitError(
            path, f"the result did not fit in the memory limit of {memory_limit_mb} MB")
    except Exception as e:  # noqa: BLE001
        err = ExtractionError(path, f"the result could not be passed back: {type(e).__name__}: {e}")
    return pickle.dumps((_ERR, err), protocol=pickle.HIGHEST_PROTOCOL)


def _prctl() -> Any:
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (ImportError, OSError, AttributeError):  # not Linux: the pipe's end of file ends a child
        return None


_PRCTL = _prctl() if SANDBOXED else None


def die_with_parent() -> None:
    """Linux: this (forked) process gets SIGKILL when its parent dies, so none outlives a killed run."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _quiet_crashes() -> None:
    """A crash of the child is reported as a typed error, not as a traceback on stderr."""
    if faulthandler.is_enabled():  # e.g. under pytest, inherited from the parent
        faulthandler.disable()


def caused_by(e: BaseException, kinds: type[BaseException] | tuple[type[BaseException], ...]
              ) -> BaseException | None:
    """The first exception of ``kinds`` in ``e``'s chain (``e``, its cause, context, wrapped args).

    Libraries wrap what went wrong (pdfplumber's ``PdfminerException(MemoryError())``) and
    running out of memory cascades; this finds the root that decides the error type.
    """
    seen: set[int] = set()
    todo = [e]
    while todo:
        cur = todo.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, kinds):
            return cur
        todo.extend(x for x in (cur.__cause__, cur.__context__, *getattr(cur, "args", ()))
                    if isinstance(x, BaseException))
    return None


def _same_type(e: QualcoopError) -> QualcoopError | None:
    """``e`` rebuilt from the class of the same name in the loaded :mod:`qualcoop.errors`.

    An error whose class is no longer the module's (the module was imported a second time, as a
    test or a plugin loader can do) does not pickle; rebuilt from its own ``__reduce__`` arguments it
    keeps its type (``CorruptDocumentError`` stays one) instead of becoming a generic error.
    """
    from .. import errors as errors_module

    cls = getattr(errors_module, type(e).__name__, None)
    try:
        reduced = e.__reduce__()
        if not isinstance(cls, type) or not issubclass(cls, QualcoopError) or len(reduced) < 2:
            return None
        rebuilt = cls(*reduced[1])
        pickle.dumps(rebuilt)
        return rebuilt
    except Exception:  # noqa: BLE001 - not rebuildable: the caller keeps the message
        return None


def _as_typed(e: BaseException, path: str | Path, memory_limit_mb: int | None) -> QualcoopError:
    if not isinstance(e, QualcoopError) and caused_by(e, MemoryError) is not None:
        e = MemoryError()
    if isinstance(e, QualcoopError):
        try:
            pickle.dumps(e)
            return e
        except Exception:  # noqa: BLE001 - an unpicklable custom error: keep its type if we can, else its message
            return _same_type(e) or ExtractionError(path, str(e))
    if isinstance(e, MemoryError):
        limit = f"{memory_limit_mb} MB" if memory_limit_mb else "the available memory"
        return ResourceLimitError(path, limit_message("EXTRACT_MEMORY_MB", limit, "ran out of memory over the "
                                                                                 "process size"))
    if isinstance(e, RecursionError):
        return CorruptDocumentError(path, f"nesting too deep to parse: {e}")
    return ExtractionError(path, f"{type(e).__name__}: {e}")


def _limit_memory(memory_limit_mb: int | None) -> Callable[[], None]:
    """Lower the soft ``RLIMIT_AS`` to the current size plus the allowance; return an undo."""
    if not memory_limit_mb or memory_limit_mb <= 0 or resource is None:
        return lambda: None
    current = _address_space_bytes()
    limit = current + int(memory_limit_mb) * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space_bytes() -> int:
    """The process's current virtual size (Linux ``/proc``; 0 where unknown)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            pages = int(f.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _write_all(fd: int, data: bytes) -> None:
    for part in (_HEADER.pack(len(data)), data):
        view = memoryview(part)
        while view:
            n = os.write(fd, view[:_CHUNK])
            view = view[n:]
    os.close(fd)


# --------------------------------------------------------------------------- parent side


class _Timeout(Exception):
    pass


def _read_message(fd: int, deadline: float) -> bytes:
    """Read one length-prefixed message; ``b""`` if the child closed the pipe before finishing.

    The length prefix (not EOF) ends the message, so a copy of the pipe inherited by another
    child forked meanwhile (from another thread) cannot keep the parent waiting.
    """
    buf = bytearray()
    need = _HEADER.size
    header_done = False
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while len(buf) < need:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Timeout
        if not poller.poll(max(1, int(remaining * 1000) + 1)):
            continue
        chunk = os.read(fd, max(_CHUNK, need - len(buf)))
        if not chunk:
            return b""
        buf += chunk
        if not header_done and len(buf) >= _HEADER.size:
            need = _HEADER.size + _HEADER.unpack_from(buf)[0]
            header_done = True
    return bytes(buf[_HEADER.size:need])


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _reap(pid)


def _reap(pid: int) -> int:
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            return status
        except ChildProcessError:
            return 0
        except InterruptedError:  # pragma: no cover - PEP 475 retries already
            continue


def signal_name(sig: int) -> str:
    """``SIGKILL`` for 9; the number for a signal Python does not name."""
    try:
        return signal.Signals(sig).name
    except ValueError:
        return str(sig)


def _death_error(path: str | Path, status: int, memory_limit_mb: int | None) -> ExtractionError:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal_name(sig)
        if sig == signal.SIGKILL:
            return ResourceLimitError(path, f"the extraction process was killed ({name}), "
                                            "probably for using too much memory")
        if sig == signal.SIGABRT and memory_limit_mb:
            # C libraries (PDFium among them) abort() when an allocation fails
            return ResourceLimitError(path, f"the extraction process aborted ({name}), most likely "
                                            f"on reaching the memory limit of {memory_limit_mb} MB")
        hint = (f"; it may have hit the memory limit of {memory_limit_mb} MB"
                if memory_limit_mb and sig in (signal.SIGSEGV, signal.SIGBUS) else "")
        return CorruptDocumentError(path, f"the extraction process crashed ({name}){hint}")
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    return ExtractionError(path, f"the extraction process exited with status {code} "
                                 "without a result")


def _call_inline(func: Callable[..., T], args: tuple, path: str | Path,
                 memory_limit_mb: int | None) -> T:  # pragma: no cover - Windows
    try:
        return func(*args)
    except QualcoopError:
        raise
    except Exception as e:  # noqa: BLE001
        raise _as_typed(e, path, memory_limit_mb) from e
