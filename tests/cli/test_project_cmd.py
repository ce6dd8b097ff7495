"""`qualcoop project init/add/code/export/add-codings/status` as a coding team runs them (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from qualcoop.cli.app import app
from qualcoop.model import CODING_COLUMNS

CODEBOOK = """\
name: mini
version: "0.1"
languages: [en]
codes:
  - id: training
    name: Training
    rules:
      - {id: en, kind: phrase, lang: en, terms: [training, workshop]}
  - id: funding
    name: Funding
    rules:
      - {id: en, kind: phrase, lang: en, terms: [funding, grant]}
"""

class Ran:
    """A CLI result with rich's line wrapping undone (messages are compared as one line)."""

    def __init__(self, result) -> None:
        self.exit_code = result.exit_code
        self.stdout = " ".join(result.stdout.split())
        self.stderr = " ".join(result.stderr.split())


def run(*args: str) -> Ran:
    return Ran(CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False))


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("A training workshop for SMEs.\n\nThe grant paid for it.\n", encoding="utf-8")
    (docs / "b.txt").write_text("Nothing to code here.\n\nFunding came later.\n", encoding="utf-8")
    (docs / "empty.txt").write_bytes(b"")
    cb = tmp_path / "mini.yaml"
    cb.write_text(CODEBOOK, encoding="utf-8")
    return docs, cb


def test_the_project_loop(project_url, inputs, tmp_path):
    docs, cb = inputs
    r = run("project", "add", project_url, docs)
    assert r.exit_code == 2 and "create it with `qualcoop project init`" in r.stderr  # a typo makes no project
    r = run("project", "init", project_url)
    assert r.exit_code == 0 and "schema 0003" in r.stdout
    r = run("project", "add", project_url, docs)
    assert r.exit_code == 1 and "2 new document(s)" in r.stderr and "empty.txt" in r.stderr
    r = run("project", "code", project_url, "--codebook", cb, "--unit", "sentense")
    assert r.exit_code == 2 and "sentense" in r.stderr
    r = run("project", "code", project_url, "--codebook", cb)
    assert r.exit_code == 0, r.stderr
    assert "2 document(s) coded (3 coding(s)), 0 already coded, 0 failed" in r.stderr
    r = run("project", "code", project_url, "--codebook", cb)
    assert r.exit_code == 0 and "0 document(s) coded (0 coding(s)), 2 already coded" in r.stderr

    out = tmp_path / "codings.csv"
    r = run("project", "export", project_url, out)
    assert r.exit_code == 0 and "3 coding(s)" in r.stderr
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == list(CODING_COLUMNS)
    assert sorted(table["code_id"]) == ["funding", "funding", "training"]
    assert set(table["coder"]) == {"qualcoop"}

    # a second coder's work comes in as a codings table; a bad table imports nothing
    human = table[["doc_id", "start", "end", "code_id", "text"]].assign(coder="ana")
    human.loc[0, "code_id"] = "training.typo"
    bad = tmp_path / "ana_bad.csv"
    human.to_csv(bad, index=False)
    r = run("project", "add-codings", project_url, bad, "--codebook", cb)
    assert r.exit_code == 2 and "row 2: unknown code id 'training.typo'" in r.stderr and "nothing was imported" in r.stderr
    human.loc[0, "code_id"] = ""  # "read it, no code"
    good = tmp_path / "ana.xlsx"
    human.to_excel(good, index=False)
    r = run("project", "add-codings", project_url, good, "--codebook", cb)
    assert r.exit_code == 0 and "3 coding(s) added" in r.stderr

    only_ana = tmp_path / "ana_out.jsonl"
    assert run("project", "export", project_url, only_ana, "--coder", "ana").exit_code == 0
    rows = pd.read_json(only_ana, lines=True, dtype=False)
    assert sorted(rows["code_id"]) == ["", "funding", "funding"] and set(rows["coder"]) == {"ana"}
    r = run("project", "status", project_url)
    assert r.exit_code == 0 and "2 document(s), 6 current coding(s)" in r.stdout
    assert run("project", "export", project_url, tmp_path / "x.txt").exit_code == 2


def test_code_files_is_a_resumable_batch_with_error_records(project_url, inputs):
    docs, cb = inputs
    assert run("project", "init", project_url).exit_code == 0
    r = run("project", "code", project_url, "--codebook", cb, docs)
    assert r.exit_code == 1, r.stderr
    assert "2 document(s) coded (3 coding(s)), 0 already coded, 1 failed" in r.stderr
    assert "empty.txt: no_text" in r.stderr
    r = run("project", "code", project_url, "--codebook", cb, docs)
    assert r.exit_code == 1 and "0 document(s) coded (0 coding(s)), 2 already coded, 1 failed" in r.stderr
    r = run("project", "status", project_url)
    assert "no_text" in r.stderr
