"""Small plain-text files are read in this process; everything else still goes through the sandbox."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qualcoop.extract import extract_file, runs_inline
from qualcoop.extract.base import INLINE_TEXT_BYTES


def test_only_small_files_of_linear_parsers_run_inline(tmp_path: Path):
    small = tmp_path / "small.txt"
    small.write_text("The ILO and the ministry agreed.\n", encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * (INLINE_TEXT_BYTES // 5 + 10))
    vtt = tmp_path / "cues.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n", encoding="utf-8")
    docx = tmp_path / "x.docx"
    docx.write_bytes(b"PK\x03\x04 not really")
    assert runs_inline(small) and runs_inline(vtt)
    assert not runs_inline(big)  # over the limit: the sandbox's memory cap and time-out apply
    assert not runs_inline(docx)  # office XML always runs in the sandbox
    assert not runs_inline(tmp_path / "missing.txt") and not runs_inline(tmp_path / "x.xyz")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the sandbox needs fork")
def test_inline_and_sandboxed_extraction_give_the_same_document(tmp_path: Path):
    import qualcoop.extract.text as text

    body = "Interviewer: How did the training go?\n\nRespondent: The ILO funded it.\n"
    small = tmp_path / "t.txt"
    small.write_text(body, encoding="utf-8")
    inline = extract_file(small)
    old = text.TextExtractor.inline_max_bytes
    text.TextExtractor.inline_max_bytes = 0  # force the sandbox
    try:
        assert not runs_inline(small)
        boxed = extract_file(small)
    finally:
        text.TextExtractor.inline_max_bytes = old
    assert inline == boxed and inline.text == body
