"""Incremental table writers: same content as write_table, deterministic bytes, constant memory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.export import write_table
from qualcoop.export.stream import SpooledTable, TableWriter

COLS = ("doc_id", "start", "negated", "text")
TYPES = {"start": "int", "negated": "bool"}

rows_st = st.lists(st.fixed_dictionaries({
    "doc_id": st.sampled_from(["a-1", "b-2", "ü-3"]),
    "start": st.integers(0, 10**9),
    "negated": st.booleans(),
    "text": st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
}), max_size=30)


def _write(rows, path: Path, batch: int = 3) -> None:
    w = TableWriter(path, COLS, types=TYPES, batch=batch)
    for r in rows:
        w.write(r)
    w.close()


@settings(max_examples=30, deadline=None)
@given(rows_st)
def test_csv_and_jsonl_bytes_equal_write_table(tmp_path_factory, rows):
    d = tmp_path_factory.mktemp("t")
    for suffix in (".csv", ".jsonl"):
        _write(rows, d / f"s{suffix}")
        write_table(rows, d / f"w{suffix}", columns=COLS)
        assert (d / f"s{suffix}").read_bytes() == (d / f"w{suffix}").read_bytes()


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_binary_formats_read_back_and_are_deterministic(tmp_path: Path, suffix: str):
    rows = [{"doc_id": f"d{i % 7}", "start": i, "negated": i % 3 == 0, "text": f"=cmd {i}" if i == 5 else f"t{i}"}
            for i in range(2500)]
    _write(rows, tmp_path / f"a{suffix}", batch=1000)
    _write(rows, tmp_path / f"b{suffix}", batch=1000)
    assert (tmp_path / f"a{suffix}").read_bytes() == (tmp_path / f"b{suffix}").read_bytes()
    got = pd.read_parquet(tmp_path / f"a{suffix}") if suffix == ".parquet" else pd.read_excel(tmp_path / f"a{suffix}")
    assert list(got.columns) == list(COLS) and len(got) == 2500
    assert got["start"].tolist() == list(range(2500))
    assert got["text"].iloc[5] == "=cmd 5"  # text, never a formula
    assert got["negated"].tolist() == [r["negated"] for r in rows]


def test_empty_parquet_has_the_columns(tmp_path: Path):
    _write([], tmp_path / "e.parquet")
    assert list(pd.read_parquet(tmp_path / "e.parquet").columns) == list(COLS)


def test_spooled_table_learns_columns_at_the_end(tmp_path: Path):
    t = SpooledTable(tmp_path / "s.csv", ("doc_id",))
    t.write({"doc_id": "a", "zeta": 1})
    t.write({"doc_id": "b", "alpha": "x"})
    t.close()
    assert (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines() == ["doc_id,alpha,zeta", "a,,1", "b,x,"]
    assert not (tmp_path / "s.csv.spool").exists()
