"""Input discovery: nothing skipped in silence (issue 13.2), symlinks and special files (issue 15.12)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qualcoop.corpus import Corpus, discover_files


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    (root / "_drafts").mkdir(parents=True)
    (root / ".cache").mkdir()
    (root / "sub").mkdir()
    (root / "a.txt").write_text("Training for cooperatives.\n", encoding="utf-8")
    (root / "notes.xml").write_text("<x/>", encoding="utf-8")
    (root / "old.rtf").write_text("{\\rtf1}", encoding="utf-8")
    (root / "readme.txt").write_text("About this folder.\n", encoding="utf-8")
    (root / ".hidden.txt").write_text("hidden\n", encoding="utf-8")
    (root / "_drafts" / "d.txt").write_text("A draft on funding.\n", encoding="utf-8")
    (root / ".cache" / "c.txt").write_text("cached\n", encoding="utf-8")
    (root / "metadata.csv").write_text("file,type\na.txt,report\n", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the input folder\n", encoding="utf-8")
    (root / "sub" / "passwd.txt").symlink_to(secret)
    (root / "sub" / "again.txt").symlink_to(root / "a.txt")
    (root / "sub" / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(root / "pipe.txt")
    return root


def test_every_skipped_path_has_a_reason(tmp_path):
    root = _tree(tmp_path)
    found = discover_files([root])
    assert [p.name for p in found.files] == ["a.txt"]
    reasons = {Path(s.path).relative_to(root).as_posix(): s.reason for s in found.skipped}
    assert reasons["_drafts"] == "folder starting with '_'"
    assert reasons[".cache"] == "hidden folder"
    assert reasons[".hidden.txt"] == "hidden file"
    assert reasons["notes.xml"] == "unsupported type '.xml'"
    assert reasons["old.rtf"] == "unsupported type '.rtf'"
    assert reasons["readme.txt"] == "readme or licence"
    assert reasons["pipe.txt"] == "special file (FIFO)"
    assert reasons["sub/passwd.txt"].startswith("symbolic link to ") and "outside the input folder" in \
        reasons["sub/passwd.txt"]
    assert reasons["sub/dangling.txt"] == "broken symbolic link"
    assert reasons["sub/again.txt"].startswith("the same file as ")
    assert "metadata.csv" not in reasons  # read as metadata, not skipped


def test_include_exclude_and_follow_symlinks(tmp_path):
    root = _tree(tmp_path)
    found = discover_files([root], include=["_drafts/*", "readme.txt"], exclude=["a.txt"], follow_symlinks=True)
    names = sorted(p.relative_to(root).as_posix() for p in found.files)
    assert names == ["_drafts/d.txt", "readme.txt", "sub/again.txt", "sub/passwd.txt"]
    assert any(s.reason == "excluded by --exclude 'a.txt'" for s in found.skipped)


def test_a_fifo_given_explicitly_is_skipped_not_read(tmp_path):
    fifo = tmp_path / "p.txt"
    os.mkfifo(fifo)
    corpus = Corpus.from_paths([fifo])
    assert corpus.paths == [] and corpus.skipped[0].reason == "special file (FIFO)"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_reported(tmp_path):
    f = tmp_path / "locked.txt"
    f.write_text("x", encoding="utf-8")
    f.chmod(0)
    try:
        assert discover_files([tmp_path]).skipped[0].reason == "unreadable (permission denied)"
    finally:
        f.chmod(0o600)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qualcoop", *args], capture_output=True, text=True, timeout=300)


def test_cli_summary_lists_skipped_paths_and_does_not_follow_links_out(tmp_path):
    root = _tree(tmp_path)
    out = tmp_path / "seg.jsonl"
    got = run("extract", str(root), "-o", str(out))
    assert got.returncode == 0, got.stderr
    assert "outside the input folder" not in out.read_text(encoding="utf-8")
    lines = got.stderr.splitlines()
    assert any(ln.strip().endswith("notes.xml: unsupported type '.xml'") for ln in lines), got.stderr
    assert any("passwd.txt: symbolic link to" in ln for ln in lines)
    assert any("pipe.txt: special file (FIFO)" in ln for ln in lines)
    only_skipped = tmp_path / "nothing"
    only_skipped.mkdir()
    (only_skipped / "page.rtf").write_text("x", encoding="utf-8")
    got = run("extract", str(only_skipped), "-o", str(out))
    assert got.returncode == 2 and "page.rtf: unsupported type '.rtf'" in got.stderr
    got = run("extract", str(root), "-o", str(out), "--follow-symlinks", "--include", "_drafts/*")
    assert got.returncode == 0, got.stderr
    text = out.read_text(encoding="utf-8")
    assert "outside the input folder" in text and "A draft on funding." in text
