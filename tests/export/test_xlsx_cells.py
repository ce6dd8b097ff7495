"""XLSX keeps every character: control characters and texts past Excel's cell limit (issues 13.1, 15.10)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from qualcoop.analysis.tables import read_coded_table
from qualcoop.export import write_table
from qualcoop.model.cells import XLSX_CELL_LIMIT, escape_cell, split_cell, unescape_cell

TRICKY = st.text(alphabet=st.sampled_from(list("_xX05Fc0Aa19 \f\r\n\t\x00\x0b\x1f\ufffeé😀")), max_size=40)


@given(TRICKY)
def test_escape_is_reversible_and_xml_safe(text):
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert not any(ch in escaped for ch in "\x00\x0b\x0c\r\x1f\ufffe")
    assert "x005F_" not in escaped  # openpyxl deletes that sequence on reading


@given(TRICKY, st.integers(min_value=8, max_value=30))
def test_split_never_cuts_an_escape(text, limit):
    escaped = escape_cell(text * 5)
    parts = split_cell(escaped, limit=limit)
    assert "".join(parts) == escaped
    assert all(len(p.encode("utf-16-le")) // 2 <= limit for p in parts)
    assert "".join(unescape_cell(p) for p in parts) == text * 5  # each part unescapes on its own


def _record(doc_id: str, text: str) -> dict:
    return {"doc_id": doc_id, "start": 0, "end": len(text), "code_id": "c", "code_name": "C",
            "text": text, "negated": False}


def test_form_feed_and_long_text_survive_xlsx(tmp_path):
    page = "Page text with a grant_x0041_ literal.\r\n" * 500
    long_text = "\f".join([page] * 4) + " 😀" * 10  # 4 PDF pages, ~80k characters
    short = "a\fb"
    assert len(long_text) > 2 * XLSX_CELL_LIMIT
    path = write_table([_record("long", long_text), _record("short", short)], tmp_path / "c.xlsx")
    raw = pd.read_excel(path, dtype=str, keep_default_na=False)
    assert all(raw[c].str.len().max() <= XLSX_CELL_LIMIT for c in raw.columns)
    assert "text (part 2)" in raw.columns and "text (part 3)" in raw.columns
    cs = read_coded_table(path)
    for doc_id, text in (("long", long_text), ("short", short)):
        doc = cs.documents[doc_id]
        (c,) = [c for c in cs if c.doc_id == doc_id]
        assert doc.text[c.start:c.end] == text  # offsets slice the written text again


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qualcoop", *args], capture_output=True, text=True, timeout=300)


def test_report_and_stats_read_a_long_document_xlsx(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    para = "The grant funded a training workshop for cooperatives in Bali. " * 60
    (docs / "report.txt").write_text("\n\n".join([para] * 12), encoding="utf-8")  # ~45k characters
    out = tmp_path / "coded.xlsx"
    got = run("code", str(docs), "--codebook", "international_cooperation", "--unit", "document", "-o", str(out))
    assert got.returncode == 0, got.stderr
    got = run("report", str(out), "-o", str(tmp_path / "r.html"))
    assert got.returncode == 0, got.stdout + got.stderr
    got = run("stats", str(out))
    assert got.returncode == 0, got.stdout + got.stderr


def test_single_cell_writer_refuses_rather_than_cuts():
    import pytest

    from qualcoop.export.tables import TableFormatError, _xlsx_value

    assert _xlsx_value("a\fb") == "a_x000C_b"
    with pytest.raises(TableFormatError, match="does not fit an XLSX cell"):
        _xlsx_value("x" * (XLSX_CELL_LIMIT + 1))
