"""A batch over broken inputs finishes: one typed error record per bad file, every good file coded,
no process left behind (issue 10 item 10)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest

from qualcoop.errors import ERROR_TYPES

REPO = Path(__file__).resolve().parents[2]
MOU = REPO / "corpora" / "score_bali" / "mou_kemnaker_ilo_score.pdf"

CATASTROPHIC = """\
name: hostile
version: "1"
languages: [en]
codes:
  - id: training
    name: Training
    rules:
      - {id: t, kind: phrase, lang: en, terms: [training, workshop]}
  - id: slow
    name: Slow
    rules:
      - {id: r, kind: regex, pattern: '(a+)+$'}
"""

#: real files from ../shared/data/pdfs and the type each must fail with
REAL_BAD = {
    "pdfminer_six/encryption__aes-128.pdf": "encrypted",
    "pdfminer_six/encryption__rc4-40.pdf": "encrypted",
    "pdfplumber/password-example.pdf": "encrypted",
    "pdfplumber/empty.pdf": "no_text",
}
REAL_GOOD = ["pdfplumber/malformed-from-issue-932.pdf", "pypdf_sample_files/001-trivial__minimal-document.pdf"]


def _zip_bomb(path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<" + b"a" * (300 * 1024 * 1024) + b">")
    path.write_bytes(buf.getvalue())


def _children_with(marker: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in env:
            found.append(int(pid))
    return found


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_over_broken_inputs(tmp_path: Path, shared: Path, workers: int):
    pdfs = shared / "pdfs"
    docs = tmp_path / "in"
    docs.mkdir()
    expected: dict[str, str] = {}
    for rel, kind in REAL_BAD.items():
        shutil.copy(pdfs / rel, docs / Path(rel).name)
        expected[Path(rel).name] = kind
    for rel in REAL_GOOD:
        shutil.copy(pdfs / rel, docs / Path(rel).name)
    data = MOU.read_bytes()
    (docs / "truncated.pdf").write_bytes(data[: len(data) // 3])
    flipped = bytearray(data)
    for i in range(0, len(flipped), 97):
        flipped[i] ^= 0xFF
    (docs / "flipped.pdf").write_bytes(bytes(flipped))
    (docs / "empty.txt").write_bytes(b"")
    expected["empty.txt"] = "no_text"
    _zip_bomb(docs / "bomb.docx")
    expected["bomb.docx"] = "memory"
    (docs / "undecodable.txt").write_bytes(b"\xff\xfe\x00\xd8" * 3 + b"\x81\x8d\x8f\x90\x9d" * 50)
    (docs / "good.txt").write_text("The ILO ran a training workshop. " + "a" * 3000 + "!\n", encoding="utf-8")
    shutil.copy(MOU, docs / "mou.pdf")
    cb = tmp_path / "hostile.yaml"
    cb.write_text(CATASTROPHIC, encoding="utf-8")
    out, errs = tmp_path / "coded.csv", tmp_path / "errors.csv"
    marker = f"QUALCOOP_FAULT_TEST_{uuid.uuid4().hex}"
    env = {**os.environ, marker: "1"}
    got = subprocess.run([sys.executable, "-m", "qualcoop", "batch", str(docs), "-c", str(cb), "-o", str(out),
                          "--errors", str(errs), "--workers", str(workers), "--timeout", "30"],
                         capture_output=True, text=True, timeout=600, env=env)
    assert got.returncode == 1, got.stderr
    with errs.open(encoding="utf-8") as fh:
        records = {Path(r["path"]).name: r for r in csv.DictReader(fh)}
    for name, kind in expected.items():
        assert records[name]["type"] == kind, records[name]
    assert all(r["type"] in ERROR_TYPES and r["message"] for r in records.values())
    # the truncated and byte-flipped PDFs fail typed (or extract what survives), never crash the batch
    for name in ("truncated.pdf", "flipped.pdf", "undecodable.txt"):
        if name in records:
            assert records[name]["type"] in {"malformed", "decode", "no_text"}, records[name]
    with out.open(encoding="utf-8") as fh:
        coded = list(csv.DictReader(fh))
    sources = {Path(r["source"]).name for r in coded}
    assert {"good.txt", "mou.pdf"} <= sources  # the good files are coded
    assert not sources & set(records)  # a failed file has no codings
    assert "ran out of its" in got.stderr  # the catastrophic regex was stopped and reported
    assert _children_with(marker) == []  # no process left behind


def test_ctrl_c_keeps_the_previous_output_and_leaves_no_process(tmp_path: Path):
    import signal
    import time

    docs = tmp_path / "docs"
    docs.mkdir()
    para = "The ILO ran a training workshop with funding from the donor. " * 20
    for i in range(300):
        (docs / f"d{i:03d}.txt").write_text((para + "\n\n") * 20, encoding="utf-8")
    out = tmp_path / "coded.csv"
    out.write_text("previous results\n", encoding="utf-8")
    marker = f"QUALCOOP_INT_TEST_{uuid.uuid4().hex}"
    p = subprocess.Popen([sys.executable, "-m", "qualcoop", "code", str(docs), "-c", "international_cooperation",
                          "-o", str(out), "--workers", "2"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         text=True, start_new_session=True, env={**os.environ, marker: "1"},
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    partial = out.with_name("coded.csv.partial")
    deadline = time.time() + 120
    while not (partial.exists() and partial.stat().st_size > 2000) and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert out.read_text(encoding="utf-8") == "previous results\n"
    assert partial.exists() and str(partial) in err.replace("\n", "")
    time.sleep(0.5)
    assert _children_with(marker) == []
