"""The coding paths of the analysis commands live in the library (issue 10 item 2): ``load_coded``
reads a coded table back and ``code_to_codings`` codes files through the streaming run, neither
printing; ``report`` and ``topics`` show progress like ``code`` (plain lines off a terminal,
nothing with --quiet)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qualcoop.run import resolve_settings
from qualcoop.run.coded import code_to_codings, load_coded

TEXTS = {"a.txt": "The ILO ran a training workshop.\n\nFunding came from donors.\n",
         "b.txt": "The ministry agreed on capacity building.\n\nNothing else.\n"}


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _key(codings):
    return sorted((c.doc_id, c.start, c.end, c.code_id) for c in codings)


def test_code_to_codings_is_the_run_and_matches_apply_codebook(tmp_path: Path, capsys):
    from qualcoop.corpus import Corpus
    from qualcoop.match import apply_codebook

    folder = _folder(tmp_path)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    s = resolve_settings([folder], codebook="international_cooperation")
    seen = []
    got = code_to_codings(s, progress=seen.append)
    assert [p.files_done for p in seen] == [1, 2, 3]
    direct = apply_codebook([d for d in Corpus.from_paths([folder])], s.codebook, unit="paragraph")
    assert _key(got) == _key(direct) and len(got) > 0
    assert sorted(d.id.split("-")[0] for d in got.documents.values()) == ["a", "b"]
    assert sorted(d.text for d in got.documents.values()) == sorted(TEXTS.values())
    assert any("broken.pdf" in w for w in got.warnings)  # the failed file is named, not printed
    assert capsys.readouterr() == ("", "")


def test_load_coded_reads_back_the_run_output(tmp_path: Path, capsys):
    from qualcoop.run import CodingTable, run

    folder = _folder(tmp_path)
    table = tmp_path / "coded.csv"
    s = resolve_settings([folder], codebook="international_cooperation", output=table)
    run(s, sinks=[CodingTable(table)])
    direct = code_to_codings(s)
    seen = []
    back = load_coded(table, progress=seen.append)
    assert _key(back) == _key(direct)
    assert sorted(d.text for d in back.documents.values()) == sorted(TEXTS.values())  # re-extracted in full
    assert seen and seen[-1].files_done == seen[-1].files_total == 2
    (folder / "b.txt").write_text("Changed.\n", encoding="utf-8")
    changed = load_coded(table)
    assert any("b-" in w and ("changed since" in w or "without their source" in w) for w in changed.warnings)
    assert capsys.readouterr() == ("", "")


def test_report_progress_lines_and_quiet(tmp_path: Path):
    folder = _folder(tmp_path)
    base = [sys.executable, "-m", "qualcoop", "report", str(folder), "-o", str(tmp_path / "r.html")]
    loud = subprocess.run(base, capture_output=True, text=True, timeout=300)
    assert loud.returncode == 0, loud.stderr
    assert "2/2 files (100%)" in loud.stderr  # coding, through the run
    assert "2/2 documents rendered (100%)" in loud.stderr and "\x1b[" not in loud.stderr
    assert '"per_page":20' in (tmp_path / "r.html").read_text(encoding="utf-8")
    quiet = subprocess.run([*base, "--quiet", "--docs-per-page", "1"], capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0, quiet.stderr
    assert '"per_page":1' in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "files/s" not in quiet.stderr and "documents/s" not in quiet.stderr
    assert "2 document(s)" in quiet.stderr  # the summary stays


def test_topics_progress_lines_and_quiet(tmp_path: Path):
    folder = _folder(tmp_path)
    base = [sys.executable, "-m", "qualcoop", "topics", str(folder), "--sweep", "2:3", "--passes", "2",
            "--min-df", "1", "--max-df", "1.0", "--no-phrases", "-o", str(tmp_path / "sweep")]
    loud = subprocess.run(base, capture_output=True, text=True, timeout=300)
    assert loud.returncode == 0, loud.stderr
    assert "2/2 files read (100%)" in loud.stderr and "2/2 models fitted (100%)" in loud.stderr
    assert "\x1b[" not in loud.stderr
    quiet = subprocess.run([*base, "--quiet"], capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0, quiet.stderr
    assert "files read" not in quiet.stderr and "models fitted" not in quiet.stderr
    assert "sweep over 2 value(s)" in quiet.stderr  # the summary stays
