"""The `qualcoop extract` command as a coding team uses it: real files, real process, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qualcoop", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "mou.md").write_text("# MoU\n\nArticle 1\n\nThe Parties shall cooperate.\n\nArticle 2\n\n"
                              "The ILO shall provide training.\n", encoding="utf-8")
    (d / "catatan.txt").write_bytes("Pelatihan UMKM di Bali.\r\n\r\nKerja sama dengan ILO.\r\n".encode("utf-8"))
    (d / "empty.txt").write_bytes(b"")
    (d / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    (d / "metadata.csv").write_text("file,type,language,country\nmou.md,mou,en,Indonesia\n"
                                    "catatan.txt,report,id,Indonesia\n", encoding="utf-8")
    return d


def test_extract_writes_successes_then_reports_failures(folder: Path, tmp_path: Path):
    out = tmp_path / "seg.jsonl"
    got = run("extract", str(folder), "--unit", "paragraph", "-o", str(out))
    assert got.returncode == 1, got.stderr
    assert "2 file(s) failed" in got.stderr
    assert "empty.txt" in got.stderr and "EmptyDocumentError" in got.stderr
    assert "broken.pdf" in got.stderr and "CorruptDocumentError" in got.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    docs = {r["id"]: r for r in lines if r["record"] == "document"}
    segs = [r for r in lines if r["record"] == "segment"]
    assert len(docs) == 2
    for s in segs:
        assert docs[s["doc_id"]]["text"][s["start"]:s["end"]] == s["text"]
    by_lang = {d["lang"] for d in docs.values()}
    assert by_lang == {"en", "id"}
    catatan = next(d for d in docs.values() if d["source"]["path"].endswith("catatan.txt"))
    assert "\r" not in catatan["text"]
    assert [s["text"] for s in segs if s["doc_id"] == catatan["id"]] == [
        "Pelatihan UMKM di Bali.", "Kerja sama dengan ILO."]


def test_extract_csv_has_attributes_and_is_reproducible(folder: Path, tmp_path: Path):
    (folder / "empty.txt").unlink()
    (folder / "broken.pdf").unlink()
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for p in (a, b):
        got = run("extract", str(folder), "-o", str(p))
        assert got.returncode == 0, got.stderr
    assert a.read_bytes() == b.read_bytes()
    df = pd.read_csv(a)
    assert set(df["country"]) == {"Indonesia"}
    assert set(df["type"]) == {"mou", "report"}
    assert (df["unit"] == "paragraph").all()


def test_no_input_is_a_usage_error(tmp_path: Path):
    got = run("extract", str(tmp_path), "-o", str(tmp_path / "x.jsonl"))
    assert got.returncode == 2
    assert "no input files" in got.stderr


def test_version():
    got = run("--version")
    assert got.returncode == 0 and got.stdout.startswith("qualcoop ")
