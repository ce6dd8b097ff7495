"""The lean extraction helper: calls, typed errors, warnings, and nothing left running."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qualcoop.errors import EmptyDocumentError
from qualcoop.exec.helper import LeanHelper, available

pytestmark = pytest.mark.skipif(not available(), reason="needs os.fork")


def _children() -> set[int]:
    me = str(os.getpid())
    out = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[1] == me:
                out.add(int(pid))
    return out


def test_calls_errors_and_close(tmp_path: Path):
    from qualcoop.extract import extract_file

    (tmp_path / "a.txt").write_text("Some text.\n", encoding="utf-8")
    (tmp_path / "e.txt").write_bytes(b"")
    h = LeanHelper()
    assert h.pid in _children()
    assert h.call(divmod, 7, 2) == (3, 1)
    doc = h.call(extract_file, str(tmp_path / "a.txt"))
    assert doc.text == "Some text.\n" and doc == extract_file(tmp_path / "a.txt")
    with pytest.raises(EmptyDocumentError):
        h.call(extract_file, str(tmp_path / "e.txt"))
    h.close()
    assert h.pid not in _children()


def test_a_run_extracts_through_a_helper_and_leaves_no_child(tmp_path: Path, shared: Path):
    import shutil

    from qualcoop.run import resolve_settings, run
    from qualcoop.run import tasks

    # PDFium cannot open this one; pdfplumber can: a warning raised inside the helper
    shutil.copy(shared / "pdfs" / "pypdf_sample_files" / "017-unreadable-meta-data__unreadablemetadata.pdf",
                tmp_path / "a.pdf")
    before = _children()
    s = resolve_settings([tmp_path], codebook="international_cooperation")
    summary = run(s)
    assert summary.documents == 1
    assert any("pdfplumber" in w for w in summary.warnings), summary.warnings  # back from the helper
    assert tasks._HELPER is None and _children() <= before
