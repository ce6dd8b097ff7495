"""Serial, process-pool and Dask executors give identical output (issue 10 items 5 and 7).

The Dask test starts a real ``LocalCluster`` with two worker processes. Without dask it is skipped
with the reason; under ``QUALCOOP_REQUIRE_SERVICES=1`` a missing dask fails instead.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from qualcoop.exec import make_executor
from qualcoop.run import CodingTable, SegmentTable, resolve_settings, run

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpora" / "score_bali"


def _slow_square(context, x):
    time.sleep(0.02 * ((7 - x) % 4))  # later items often finish first
    return context * x * x


def _require_dask():
    try:
        import distributed  # noqa: F401
    except ImportError:
        if os.environ.get("QUALCOOP_REQUIRE_SERVICES") == "1":
            pytest.fail("dask[distributed] is not installed (QUALCOOP_REQUIRE_SERVICES=1)")
        pytest.skip("dask[distributed] is not installed (pip install 'qualcoop[dask]')")


@pytest.mark.parametrize("name", ["serial", "process"])
def test_results_come_back_in_input_order(name):
    with make_executor(name, workers=2) as ex:
        assert list(ex.map(_slow_square, range(20), context=3)) == [3 * x * x for x in range(20)]


def _die_on_five(context, x):
    if x == 5:
        os.kill(os.getpid(), 9)  # as the kernel's out-of-memory killer would
    return x


def _raise_on_three(context, x):
    if x == 3:
        raise ValueError(f"item {x} is bad")
    time.sleep(0.01)
    return x


def _children() -> set[int]:
    me = os.getpid()
    kids = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                kids.add(int(d.name))
    return kids


def _results_until(error: type[BaseException], match: str, fn, n: int) -> list:
    """What a 2-worker pool yields for ``fn`` over ``range(n)`` before it raises ``error`` (checked)."""
    got = []
    with make_executor("process", workers=2) as ex:
        with pytest.raises(error, match=match):
            for v in ex.map(fn, range(n), context=None):
                got.append(v)
    return got


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to list child processes")
def test_a_worker_killed_stops_the_run_with_a_named_error_and_no_process_left():
    from qualcoop.exec import ExecutorError

    before = _children()
    got = _results_until(ExecutorError, "worker process died while working on 5.*SIGKILL", _die_on_five, 20)
    assert got == [0, 1, 2, 3, 4]  # everything before the dead item came back, in order
    assert _children() - before == set()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to list child processes")
def test_an_error_in_a_worker_is_raised_in_input_order_and_early_stop_leaves_no_process():
    before = _children()
    assert _results_until(ValueError, "item 3 is bad", _raise_on_three, 50) == [0, 1, 2]
    assert _children() - before == set()
    with make_executor("process", workers=2) as ex:  # the caller stops reading: workers are stopped
        it = ex.map(_slow_square, range(100), context=1)
        assert [next(it) for _ in range(3)] == [0, 1, 4]
        it.close()
    assert _children() - before == set()


def _code(tmp: Path, name: str, **kw) -> bytes:
    out = tmp / f"{name}.csv"
    s = resolve_settings([CORPUS], codebook="international_cooperation", output=out, **kw)
    summary = run(s, sinks=[CodingTable(out)])
    assert summary.documents == 9 and not summary.failures
    return out.read_bytes()


def test_process_pool_output_is_byte_identical_to_serial(tmp_path: Path):
    serial = _code(tmp_path, "serial")
    assert serial.count(b"\n") > 100
    assert _code(tmp_path, "process", workers=2) == serial
    # extraction tables too
    for suffix in (".jsonl", ".csv"):
        outs = []
        for w in (1, 2):
            out = tmp_path / f"seg{w}{suffix}"
            s = resolve_settings([CORPUS], output=out, workers=w)
            run(s, sinks=[SegmentTable(out)], segments=True, documents=suffix == ".jsonl", codings=False)
            outs.append(out.read_bytes())
        assert outs[0] == outs[1]


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_output(tmp_path: Path):
    _require_dask()
    serial = _code(tmp_path, "serial")
    assert _code(tmp_path, "dask", workers=2, executor="dask") == serial

