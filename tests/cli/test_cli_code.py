"""`qualcoop code` and `qualcoop codebook` as a coding team runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from qualcoop.model import CODING_COLUMNS

CODEBOOK = """\
name: mini
version: "0.1"
languages: [en, id]
codes:
  - id: mechanism
    name: Mechanisms
  - id: mechanism.training
    parent: mechanism
    name: Training
    rules:
      - {id: en, kind: phrase, lang: en, terms: [training, workshop]}
      - {id: id, kind: phrase, lang: id, terms: [pelatihan]}
  - id: mechanism.funding
    parent: mechanism
    name: Funding
    rules:
      - {id: en, kind: phrase, lang: en, terms: [funding, grant]}
"""


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qualcoop", *args], capture_output=True, text=True, timeout=300)


def test_code_writes_one_row_per_coded_segment(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("The ILO ran a training workshop.\n\nThere was no funding.\n\nNothing else.\n",
                                encoding="utf-8")
    (docs / "b.txt").write_text("Pelatihan untuk UMKM.\n", encoding="utf-8")
    (docs / "metadata.csv").write_text("file,language\na.txt,en\nb.txt,id\n", encoding="utf-8")
    cb = tmp_path / "mini.yaml"
    cb.write_text(CODEBOOK, encoding="utf-8")
    out = tmp_path / "coded.csv"
    got = run("code", str(docs), "--codebook", str(cb), "-o", str(out))
    assert got.returncode == 0, got.stderr
    df = pd.read_csv(out, keep_default_na=False)
    assert list(df.columns) == list(CODING_COLUMNS)
    rows = {(r.text, r.code_id): r for r in df.itertuples()}
    assert set(rows) == {("The ILO ran a training workshop.", "mechanism.training"),
                         ("There was no funding.", "mechanism.funding"),
                         ("Pelatihan untuk UMKM.", "mechanism.training")}
    tr = rows[("The ILO ran a training workshop.", "mechanism.training")]
    assert tr.matched_terms == "training;workshop" and tr.rule_ids == "mechanism.training/en"
    assert tr.parent_id == "mechanism" and tr.codebook == "mini" and str(tr.codebook_version) == "0.1"
    assert bool(rows[("There was no funding.", "mechanism.funding")].negated) is True
    assert "mechanism.training" in got.stdout and "Code frequencies" in got.stdout
    # byte-identical on a second run
    out2 = tmp_path / "coded2.csv"
    assert run("code", str(docs), "--codebook", str(cb), "-o", str(out2)).returncode == 0
    assert out.read_bytes() == out2.read_bytes()


def test_bad_codebook_lists_every_problem_and_exits_2(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nversion: '1'\ncodes:\n  - id: a\n    name: A\n    parent: nowhere\n"
                   "  - id: a\n    name: A again\n    rules:\n      - {id: r, kind: regx, pattern: 'x'}\n",
                   encoding="utf-8")
    got = run("codebook", "check", str(bad))
    assert got.returncode == 2
    assert "nowhere" in got.stderr and "regx" in got.stderr and "duplicate" in got.stderr.lower()
    (tmp_path / "d.txt").write_text("text\n", encoding="utf-8")
    got = run("code", str(tmp_path / "d.txt"), "--codebook", str(bad))
    assert got.returncode == 2 and "problem(s)" in got.stderr


def test_shipped_codebook_checks_and_shows():
    got = run("codebook", "check", "international_cooperation")
    assert got.returncode == 0, got.stderr
    assert "OK" in got.stdout
    got = run("codebook", "show", "international_cooperation")
    assert got.returncode == 0
    for cid in ("actor.international_org", "mechanism.training", "outcome.challenge"):
        assert cid in got.stdout


def test_a_document_that_cannot_be_coded_fails_alone(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "en.txt").write_text("A training workshop.\n", encoding="utf-8")
    (docs / "fr.txt").write_text("Une formation.\n", encoding="utf-8")
    (docs / "metadata.csv").write_text("file,language\nen.txt,en\nfr.txt,fr\n", encoding="utf-8")
    cb = tmp_path / "mini.yaml"
    cb.write_text(CODEBOOK, encoding="utf-8")
    out = tmp_path / "coded.csv"
    got = run("code", str(docs), "--codebook", str(cb), "--unit", "sentence", "-o", str(out))
    assert got.returncode == 1
    assert "fr.txt" in got.stderr and "LanguageError" in got.stderr
    df = pd.read_csv(out)
    assert list(df["text"]) == ["A training workshop."]
