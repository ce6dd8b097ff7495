"""The fork sandbox: results come back, failures come back typed, the parent survives.

Uses deliberately hanging, memory-hungry and crashing functions (not only PDFs).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.errors import (
    CorruptDocumentError,
    EncryptedDocumentError,
    ExtractionError,
    ExtractionTimeoutError,
    ResourceLimitError,
)
from qualcoop.extract.sandbox import SANDBOXED, run_sandboxed

pytestmark = pytest.mark.skipif(not SANDBOXED, reason="needs os.fork")

PATH = "some/file.pdf"
MiB = 1024 * 1024


def _run(func, *args, timeout=30.0, memory_limit_mb=256):
    return run_sandboxed(func, *args, timeout=timeout, memory_limit_mb=memory_limit_mb, path=PATH)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# --------------------------------------------------------------------------- results


def test_returns_the_result_of_the_function():
    assert _run(sum, [1, 2, 3, 4]) == 10
    assert _run(divmod, 17, 5) == (3, 2)


def test_runs_in_another_process():
    assert _run(os.getpid) != os.getpid()


def test_child_cannot_change_the_parent():
    box = {"n": 1}

    def mutate():
        box["n"] = 99
        return box["n"]

    assert _run(mutate) == 99
    assert box == {"n": 1}


def test_closures_need_not_be_picklable():
    secret = "kept in the closure"
    func = lambda: secret.upper()  # noqa: E731 - a lambda cannot be pickled; fork needs not
    with pytest.raises(Exception):
        pickle.dumps(func)
    assert _run(func) == "KEPT IN THE CLOSURE"


def test_a_large_result_crosses_the_pipe_intact():
    # far beyond a pipe buffer (64 KiB): the length prefix must be honoured
    text = _run(lambda: "".join(chr(0x41 + i % 26) for i in range(3_000_000)))
    assert len(text) == 3_000_000
    assert text[:3] == "ABC" and text[-1] == chr(0x41 + 2_999_999 % 26)


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    | st.tuples(inner, inner),
    max_leaves=20,
)


@settings(max_examples=30, deadline=None)
@given(json_like)
def test_plain_data_round_trips(value):
    assert _run(lambda: value) == value


# --------------------------------------------------------------------------- errors


def test_typed_error_is_reraised_as_the_same_class():
    def fail():
        raise EncryptedDocumentError("x.pdf", "needs a password")

    with pytest.raises(EncryptedDocumentError) as info:
        _run(fail)
    assert info.value.path == "x.pdf"
    assert info.value.detail == "needs a password"
    assert info.value.code == "Q104"


def test_other_exceptions_become_extraction_errors_naming_the_file():
    def fail():
        raise KeyError("/Root")

    with pytest.raises(ExtractionError) as info:
        _run(fail)
    assert type(info.value) is ExtractionError
    assert info.value.path == PATH
    assert "KeyError" in info.value.detail and "/Root" in info.value.detail


def test_deep_recursion_is_a_corrupt_document():
    def recurse(n=0):
        return recurse(n + 1)

    with pytest.raises(CorruptDocumentError, match="nesting too deep"):
        _run(recurse)


def test_unpicklable_result_is_a_typed_error():
    with pytest.raises(ExtractionError, match="could not be passed back"):
        _run(lambda: (lambda: None))


def test_non_positive_timeout_is_refused():
    with pytest.raises(ValueError, match="timeout"):
        _run(sum, [1], timeout=0)


# --------------------------------------------------------------------------- limits


def test_hanging_function_times_out_and_its_process_is_killed(tmp_path):
    pid_file = tmp_path / "pid"

    def hang():
        pid_file.write_text(str(os.getpid()))
        time.sleep(600)

    with pytest.raises(ExtractionTimeoutError) as info:
        _run(hang, timeout=0.5)
    assert info.value.path == PATH
    assert "0.5 s" in info.value.detail and "killed" in info.value.detail
    child = int(pid_file.read_text())
    assert child != os.getpid()
    assert not _alive(child)  # killed and reaped, not a zombie
    assert _run(sum, [2, 3]) == 5  # the parent goes on


def test_busy_loop_times_out():
    def spin():
        while True:
            pass

    with pytest.raises(ExtractionTimeoutError):
        _run(spin, timeout=0.3)


def test_one_huge_allocation_is_a_resource_limit_error():
    with pytest.raises(ResourceLimitError) as info:
        _run(lambda: bytearray(4096 * MiB), memory_limit_mb=100)
    assert info.value.path == PATH
    assert "100 MB" in info.value.detail


def test_growing_memory_is_stopped_at_the_cap():
    def eat():
        hoard = []
        while True:
            hoard.append(bytearray(8 * MiB))

    with pytest.raises(ResourceLimitError):
        _run(eat, memory_limit_mb=150)
    assert _run(len, "still alive") == 11


def test_allocation_under_the_cap_succeeds():
    # the cap is on top of the inherited address space, so a modest allocation fits
    assert _run(lambda: len(bytearray(40 * MiB)), memory_limit_mb=150) == 40 * MiB


def test_no_cap_when_memory_limit_is_none():
    assert _run(lambda: len(bytearray(300 * MiB)), memory_limit_mb=None) == 300 * MiB


def test_crash_in_the_child_is_a_corrupt_document():
    def segfault():
        os.kill(os.getpid(), signal.SIGSEGV)

    with pytest.raises(CorruptDocumentError, match="SIGSEGV"):
        _run(segfault, memory_limit_mb=None)


def test_abort_under_a_memory_cap_is_a_resource_limit():
    with pytest.raises(ResourceLimitError, match="SIGABRT"):
        _run(os.abort, memory_limit_mb=64)


def test_abort_without_a_cap_is_a_crash():
    with pytest.raises(CorruptDocumentError, match="SIGABRT"):
        _run(os.abort, memory_limit_mb=None)


def test_killed_child_is_a_resource_limit_error():
    def killed():
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(ResourceLimitError, match="SIGKILL"):
        _run(killed)


def test_exit_without_result_is_an_extraction_error():
    with pytest.raises(ExtractionError, match="status 7"):
        _run(os._exit, 7)


def test_sys_exit_in_the_child_does_not_escape():
    with pytest.raises(ExtractionError, match="SystemExit"):
        _run(sys.exit, 3)


def test_wrapped_memory_error_is_a_resource_limit_error():
    def fail():
        try:
            raise MemoryError
        except MemoryError as e:
            raise RuntimeError("a library wrapped it") from e

    with pytest.raises(ResourceLimitError):
        _run(fail)
