"""`qualcoop batch PATHS --codebook CB --project P` (issue 10 item 6): resumable batches into a project store.

Documents already coded with the same content hash, codebook version and settings are skipped; a re-run
after completion does nothing; after SIGKILL a re-run completes only what is missing and ends with exactly
the codings of an uninterrupted run; failures are error records (file, type, message) of the run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcoop.cli.app import app
from qualcoop.errors import ERROR_TYPES
from qualcoop.project import Project

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpora" / "ungd_indonesia"
ENV = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.service)]


@pytest.fixture(params=BACKENDS)
def project_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "new" / "folder" / "batch.db")   # does not exist yet: batch creates it
    return request.getfixturevalue("pg_server").new_database()


def run(*args):
    r = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    return r.exit_code, " ".join(r.stderr.split())


def _content(url: str) -> list[tuple]:
    with Project.open(url) as p:
        return sorted((c.doc_id, c.start, c.end, c.code_id, c.provenance.coder, c.provenance.run_id,
                       c.segment_index, tuple((e.start, e.end, e.rule_id, e.negated) for e in c.evidence))
                      for c in p.codings())


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("IDN_40_1985.txt", "IDN_60_2005.txt", "IDN_70_2015.txt"):
        (folder / name).write_bytes((CORPUS / name).read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj<<>>garbage")
    return folder


def test_batch_into_a_project_is_resumable_and_records_failures(project_url, inputs, tmp_path):
    code, err = run("batch", inputs, "--codebook", "international_cooperation", "--project", project_url, "-q")
    assert code == 1, err
    assert "3 document(s) coded" in err and "0 already coded, 2 failed" in err
    with Project.open(project_url, create=False) as p:
        runs = p.runs()
        assert [r["command"] for r in runs] == ["batch"] and runs[0]["stats"]["coded"] == 3
        errors = {Path(e.path).name: e.type for e in p.run_errors(runs[0]["id"])}
        assert errors == {"empty.txt": "no_text", "broken.pdf": "malformed"}
        assert set(errors.values()) <= set(ERROR_TYPES)
        n = len(p.codings())
        assert n > 0
    first = _content(project_url)
    code, err = run("batch", inputs, "--codebook", "international_cooperation", "--project", project_url, "-q")
    assert code == 1 and "0 document(s) coded (0 coding(s)), 3 already coded, 2 failed" in err
    assert _content(project_url) == first
    # another unit is another key: coded again, alongside
    code, err = run("batch", inputs, "--codebook", "international_cooperation", "--unit", "document",
                    "--project", project_url, "-q")
    assert "3 document(s) coded" in err
    # usage errors exit 2 before any work
    assert run("batch", inputs, "--codebook", "international_cooperation", "--project", project_url,
               "-o", tmp_path / "x.csv")[0] == 2
    assert run("batch", inputs, "--codebook", "international_cooperation", "--unit", "sentense",
               "--project", project_url)[0] == 2


@pytest.mark.parametrize("executor", ["process", pytest.param("dask", marks=pytest.mark.slow)])
def test_workers_give_the_codings_of_a_serial_run(inputs, tmp_path, executor):
    if executor == "dask":
        pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    serial, parallel = str(tmp_path / "serial.db"), str(tmp_path / "parallel.db")
    assert run("batch", inputs, "-c", "international_cooperation", "--project", serial, "-q")[0] == 1
    assert run("batch", inputs, "-c", "international_cooperation", "--project", parallel, "-q",
               "--workers", "2", "--executor", executor)[0] == 1
    assert _content(serial) == _content(parallel) != []
    with Project.open(parallel) as p:
        assert p.runs()[0]["settings"]["unit"] == "paragraph" and len(p.run_errors()) == 2


@pytest.mark.slow
def test_sigkill_then_rerun_equals_an_uninterrupted_batch(project_url, tmp_path, request):
    cmd = [sys.executable, "-m", "qualcoop", "batch", str(CORPUS), "-c", "international_cooperation",
           "--project", project_url, "-q"]
    proc = subprocess.Popen(cmd, env=ENV, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 240
    done = 0
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            try:
                with Project.open(project_url, create=False) as p:
                    done = len(p.store.coded_hashes(p.runs()[0]["key"])) if p.runs() else 0
            except Exception:  # noqa: BLE001 - not created yet
                continue
            if done >= 5:
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    with Project.open(project_url, create=False) as p:
        assert p.store.integrity_check() == "ok"
        key = p.runs()[0]["key"]
        done = len(p.store.coded_hashes(key))
    total = len(list(CORPUS.glob("*.txt")))  # README.txt is not a document: one fewer is coded
    assert 0 < done < total, f"killed at {done} of {total}"
    resumed = subprocess.run(cmd, env=ENV, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    said = " ".join(resumed.stderr.split())
    assert f"{done} already coded, 0 failed" in said and f" {total - done - 1} document(s) coded" in said
    other = str(tmp_path / "uninterrupted.db") if "sqlite" in request.node.callspec.id \
        else request.getfixturevalue("pg_server").new_database()
    assert run("batch", CORPUS, "-c", "international_cooperation", "--project", other, "-q")[0] == 0
    assert _content(project_url) == _content(other)
