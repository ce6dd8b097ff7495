"""Table writers: every format reads back to the same values, and writes the same bytes twice."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.export import write_table
from qualcoop.export.tables import TableFormatError

RECORDS = [
    {"doc_id": "a-1", "start": 0, "end": 5, "text": "=SUM(A1)", "speaker": None},
    {"doc_id": "b-2", "start": 3, "end": 9, "text": "Pelatihan UMKM, \"kerja sama\"\nbaris 2 😀", "speaker": "Narasumber"},
]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".xlsx"])
def test_round_trip_and_byte_identical(tmp_path, suffix):
    p1 = write_table(RECORDS, tmp_path / f"a{suffix}")
    p2 = write_table(RECORDS, tmp_path / f"b{suffix}")
    assert p1.read_bytes() == p2.read_bytes()
    if suffix == ".csv":
        df = pd.read_csv(p1, keep_default_na=False)
    elif suffix == ".jsonl":
        df = pd.DataFrame([json.loads(line) for line in p1.read_text(encoding="utf-8").splitlines()])
    elif suffix == ".parquet":
        df = pd.read_parquet(p1)
    else:
        df = pd.read_excel(p1)
    assert list(df.columns) == ["doc_id", "start", "end", "text", "speaker"]
    assert list(df["text"]) == [r["text"] for r in RECORDS]  # formula-like text stays text
    assert [int(x) for x in df["end"]] == [5, 9]


def test_unknown_suffix_is_a_typed_error(tmp_path):
    with pytest.raises(TableFormatError, match="unknown table format"):
        write_table(RECORDS, tmp_path / "x.docx")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30), max_size=8))
def test_csv_preserves_any_text(tmp_path_factory, texts):
    recs = [{"i": i, "text": t} for i, t in enumerate(texts)]
    p = write_table(recs, tmp_path_factory.mktemp("csv") / "t.csv")
    import csv

    with p.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["text"] for r in rows] == texts
