"""Fuzzing through the real CLI entry point (``python -m qualcoop``), issue 15.

Property, for every round: hostile and mutated files sit beside good ones, hostile codebooks
code good files, and

- the exit status is 0, 1 or 2;
- nothing prints a traceback;
- each failed file is reported on exactly one line, with its typed error;
- peak memory (the CLI process and every child it waited for) stays under the cap;
- the run takes time within a linear budget (a constant plus so much per file);
- every good file's output is byte-for-byte what it is without the hostile files beside it.

Profiles: ``QUALCOOP_FUZZ=ci`` (default; one round, small sizes: part of ``make test``) and
``QUALCOOP_FUZZ=long`` (``make fuzz``: ``QUALCOOP_FUZZ_ROUNDS`` rounds, default 10, larger sizes).
``QUALCOOP_FUZZ_SEED`` picks the first seed (default 0). Everything is generated here
(:mod:`generators`); nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generators as G  # noqa: E402

PROFILE = os.environ.get("QUALCOOP_FUZZ", "ci")
ROUNDS = int(os.environ.get("QUALCOOP_FUZZ_ROUNDS", "10")) if PROFILE == "long" else 1
SCALE = 3 if PROFILE == "long" else 1
SEED = int(os.environ.get("QUALCOOP_FUZZ_SEED", "0"))
#: the extraction child's memory allowance for the fuzz runs (MiB over its size at the fork)
MEMORY_MB = 400
#: peak RSS any process of one CLI run may reach (the parent holds spaCy; the children the cap)
PEAK_MB = 1600
#: the whole run's address space (a safety net for the machine, far above PEAK_MB)
AS_CAP = 6 << 30
#: linear time budget: seconds for start-up plus seconds per input file
BUDGET_BASE, BUDGET_PER_FILE = 60.0, 4.0
#: "  <path>: <type> (<ErrorClass>) <message>" (the run report) or "  <path>: <ErrorClass> <message>"
FAILED_LINE = re.compile(r"^  (.+?): (?:\w+ \((\w+Error)\)|(\w+Error)) (.*)$")

pytestmark = pytest.mark.fuzz


def _cli(*args: str, env: dict | None = None, timeout: float = 600) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run the CLI; return (completed process, seconds, peak RSS in MB of it and the children it reaped)."""
    import tempfile

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (AS_CAP, resource.RLIM_INFINITY))

    full_env = {**os.environ, "QUALCOOP_EXTRACT_MEMORY_MB": str(MEMORY_MB), **(env or {})}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as fo, tempfile.TemporaryFile("w+", encoding="utf-8") as fe:
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "qualcoop", *args], stdout=fo, stderr=fe, text=True,
                                env=full_env, preexec_fn=limits)
        while True:  # wait4: the exit status and the rusage of this one process tree
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                fe.seek(0)
                pytest.fail(f"qualcoop {' '.join(args)} ran past {timeout} s\n{fe.read()[-3000:]}")
            time.sleep(0.05)
        elapsed = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    # Linux reports the larger of the process's own peak and that of the children it waited for
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), elapsed, usage.ru_maxrss / 1024


def _check_common(got: subprocess.CompletedProcess, elapsed: float, peak: float, n_files: int) -> None:
    assert got.returncode in (0, 1, 2), got.stderr[-3000:]
    assert "Traceback" not in got.stderr and "Traceback" not in got.stdout, got.stderr[-5000:]
    assert "internal error" not in got.stderr, got.stderr[-3000:]
    assert elapsed < BUDGET_BASE + BUDGET_PER_FILE * n_files, f"{elapsed:.1f} s for {n_files} files"
    assert peak < PEAK_MB, f"peak RSS {peak:.0f} MB"


def _failed_lines(stderr: str) -> dict[str, str]:
    """Failed file -> error type, from the end-of-run report (one line each)."""
    lines = stderr.splitlines()
    out: dict[str, str] = {}
    for i, ln in enumerate(lines):
        m = re.match(r"^(\d+) file\(s\) failed:", ln)
        if m:
            body = lines[i + 1:i + 1 + int(m.group(1))]
            for b in body:
                fm = FAILED_LINE.match(b)
                assert fm, f"not a typed failure line: {b!r}"
                assert fm.group(1) not in out, f"{fm.group(1)} reported twice"
                out[fm.group(1)] = fm.group(2) or fm.group(3)
            assert len(out) == int(m.group(1))
    return out


def _good_files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(G.GOOD_TEXTS):
        p = folder / f"good{i}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    p = folder / "good_doc.docx"
    p.write_bytes(G.docx(["Training for labour inspectors.", "Funding from the ILO for capacity building."]))
    paths.append(p)
    p = folder / "good_sub.vtt"
    p.write_text(G.vtt(["The project funds training.", "Experts were exchanged."]), encoding="utf-8")
    paths.append(p)
    return paths


def _records_by_doc(path: Path) -> dict[str, list[str]]:
    """JSONL records per document id, as written (source paths removed: the folders differ)."""
    out: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        doc_id = rec.get("id") if rec.get("record") == "document" else rec.get("doc_id")
        rec.pop("source", None)
        if isinstance(rec.get("source"), dict):
            rec["source"].pop("path", None)
        out.setdefault(doc_id, []).append(json.dumps(rec, sort_keys=True))
    return out


@pytest.mark.parametrize("seed", range(SEED, SEED + ROUNDS))
def test_hostile_files_beside_good_ones(tmp_path, seed):
    rng = random.Random(seed)
    good = _good_files(tmp_path / "good")
    mixed = tmp_path / "mixed"
    _good_files(mixed)
    hostile = G.hostile_files(rng, scale=SCALE)
    for name, data in hostile.items():
        (mixed / name).parent.mkdir(parents=True, exist_ok=True)
        (mixed / name).write_bytes(data)
    ref_out, mix_out = tmp_path / "ref.jsonl", tmp_path / "mix.jsonl"

    got, elapsed, peak = _cli("extract", str(tmp_path / "good"), "-o", str(ref_out), "--timeout", "30")
    _check_common(got, elapsed, peak, len(good))
    assert got.returncode == 0, got.stderr
    got, elapsed, peak = _cli("extract", str(mixed), "-o", str(mix_out), "--timeout", "30")
    _check_common(got, elapsed, peak, len(good) + len(hostile))
    assert "x[/bad].txt" in got.stderr  # a closing markup tag in a path is printed as it is
    failed = _failed_lines(got.stderr)
    assert got.returncode == (1 if failed else 0)
    assert not any(Path(f).name.startswith("good") for f in failed), failed
    # the files meant to fail do fail (typed), whatever else the mutations did
    for name in ("fm_bomb.md", "xxe.docx", "binary.txt", "empty.txt", "bad].txt"):
        assert any(Path(f).name == name for f in failed), (name, failed)
    ref, mix = _records_by_doc(ref_out), _records_by_doc(mix_out)
    assert ref and all(mix.get(doc_id) == recs for doc_id, recs in ref.items())


@pytest.mark.parametrize("seed", range(SEED, SEED + ROUNDS))
def test_hostile_codebooks_on_good_files(tmp_path, seed):
    rng = random.Random(seed)
    docs = tmp_path / "docs"
    _good_files(docs)
    (docs / "tokens.txt").write_text(" ".join("a" * rng.randint(30, 60) + rng.choice("b!") for _ in range(5))
                                     + "\n", encoding="utf-8")
    n_files = len(list(docs.iterdir()))
    for name, text in G.hostile_codebooks(rng).items():
        cb = tmp_path / f"{name}.yaml"
        cb.write_text(text, encoding="utf-8")
        got, elapsed, peak = _cli("code", str(docs), "--codebook", str(cb), "-o", str(tmp_path / f"{name}.csv"))
        _check_common(got, elapsed, peak, n_files)
        if got.returncode == 2:  # refused up front: the codebook is named with the reason
            assert "problem(s)" in got.stderr or "error:" in got.stderr, got.stderr
        else:
            assert got.returncode == 0, (name, got.stderr[-2000:])
            assert (tmp_path / f"{name}.csv").exists()
