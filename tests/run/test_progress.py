"""Progress on stderr: plain periodic lines when stderr is not a terminal, nothing with --quiet,
and a summary at the end either way (issue 10 item 8)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_plain_progress_lines_and_quiet(tmp_path: Path):
    for i in range(3):
        (tmp_path / f"d{i}.txt").write_text(f"Training workshop number {i}.\n", encoding="utf-8")
    base = [sys.executable, "-m", "qualcoop", "code", str(tmp_path), "-c", "international_cooperation"]
    loud = subprocess.run(base, capture_output=True, text=True, timeout=300)
    assert loud.returncode == 0, loud.stderr
    assert "3/3 files (100%)" in loud.stderr and "files/s" in loud.stderr and "\x1b[" not in loud.stderr
    quiet = subprocess.run([*base, "--quiet"], capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0
    assert "files/s" not in quiet.stderr
    assert "3 document(s)" in quiet.stderr  # the summary stays


def test_progress_callback_counts(tmp_path: Path):
    from qualcoop.run import resolve_settings, run

    (tmp_path / "a.txt").write_text("Training.\n\nFunding.\n", encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4 broken")
    seen = []
    s = resolve_settings([tmp_path], codebook="international_cooperation")
    summary = run(s, progress=seen.append)
    assert [p.files_done for p in seen] == [1, 2] and seen[-1].files_total == 2
    assert seen[-1].failures == 1 and seen[-1].segments == summary.segments == 2
    assert summary.failures[0].type == "malformed"
