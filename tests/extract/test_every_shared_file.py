"""Every real file under shared/data/{pdfs,docx,transcripts} extracts or fails with a typed, named reason.

This is the foundation issue's "done when": nothing raises a raw exception, nothing hangs past its
timeout, and every document that comes out keeps its offsets in bounds.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from qualcoop.errors import ExtractionError, QualcoopWarning
from qualcoop.extract import extract_file
from qualcoop.extract.base import ExtractOptions

from conftest import SHARED

FOLDERS = ("pdfs", "docx", "transcripts")
FILES = sorted(p for f in FOLDERS for p in (SHARED / f).rglob("*") if p.is_file()) if SHARED.is_dir() else []


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SHARED)) for p in FILES])
def test_extracts_or_fails_typed(path: Path):
    options = ExtractOptions(timeout=60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QualcoopWarning)
        try:
            doc = extract_file(path, options=options)
        except ExtractionError as e:
            assert e.path == str(path)
            assert str(path) in str(e) and e.reason in str(e)
            return
    assert doc.source.path == str(path) and len(doc.source.sha256) == 64
    n = len(doc.text)
    assert all(0 <= r.start <= r.end <= n for r in doc.regions)
    assert list(doc.source.page_starts) == sorted(doc.source.page_starts)
    assert all(0 <= p <= n for p in doc.source.page_starts)
    assert "\r" not in doc.text


def test_the_walk_found_every_kind():
    suffixes = {p.suffix.lower() for p in FILES}
    assert {".pdf", ".docx", ".vtt", ".txt"} <= suffixes
    assert len(FILES) > 90
