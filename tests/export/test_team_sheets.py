"""Blinded coding sheets: what goes out (XLSX validation, definitions, no codings) and what comes back."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from qualcoop.errors import CodingsTableError
from qualcoop.export.sheets import SHEET_COLUMNS, coding_sheet, read_coding_sheet, write_coding_sheet
from qualcoop.model import Code, Codebook, Document

TEXT = "Training for workers.\n\nFunding from donors.\n\nNothing here.\n\n=SUM(A1) is text."
DOC = Document(id="d1", text=TEXT)
CB = Codebook(name="mini", version="1", codes=(
    Code(id="train", name="Training", definition="Courses and workshops."),
    Code(id="fund", name="Funding", definition="Money given.", inclusion="grants", exclusion="loans"),
))


def test_xlsx_sheet_has_validation_definitions_and_no_codings(tmp_path: Path):
    rows = coding_sheet([DOC], unit="paragraph", codebook=CB)
    assert [r["text"] for r in rows] == ["Training for workers.", "Funding from donors.", "Nothing here.",
                                         "=SUM(A1) is text."]
    assert rows[1]["context_before"] == "Training for workers." and rows[1]["context_after"] == "Nothing here."
    assert all(r["train"] == "" and r["fund"] == "" for r in rows)  # blinded: nothing pre-filled
    path = write_coding_sheet(rows, tmp_path / "s.xlsx", codebook=CB, coder="ana")
    wb = load_workbook(path)
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    assert header == [*SHEET_COLUMNS, "train", "fund"]
    assert ws.cell(row=5, column=header.index("text") + 1).data_type == "s"  # never a formula
    validations = ws.data_validations.dataValidation
    assert {str(v.sqref) for v in validations} == {"J2:J5", "K2:K5"}
    assert all(v.formula1 == '"1,0"' for v in validations)
    defs = list(wb["codes"].values)
    assert defs[0] == ("code_id", "name", "definition", "inclusion", "exclusion")
    assert defs[2] == ("fund", "Funding", "Money given.", "grants", "loans")
    # reproducible bytes
    again = write_coding_sheet(rows, tmp_path / "t.xlsx", codebook=CB, coder="ana")
    assert path.read_bytes() == again.read_bytes()
    with zipfile.ZipFile(path) as z:
        assert "2000-01-01" in z.read("docProps/core.xml").decode()


def _filled(tmp_path: Path, marks: list[dict], suffix=".xlsx") -> Path:
    rows = coding_sheet([DOC], unit="paragraph", codebook=CB)
    for r, m in zip(rows, marks):
        r.update(m)
    return write_coding_sheet(rows, tmp_path / f"filled{suffix}", codebook=CB)


def test_import_turns_marks_into_codings(tmp_path: Path):
    path = _filled(tmp_path, [{"train": "1"}, {"fund": 1, "train": 0}, {"train": "0"}, {}])
    frame = read_coding_sheet(path, coder="ana", documents=[DOC], codebook=CB)
    got = frame[["start", "end", "code_id", "coder"]].values.tolist()
    assert got == [[0, 21, "train", "ana"], [23, 43, "fund", "ana"], [45, 58, "", "ana"]]  # row 4 unread
    assert frame["text"].tolist()[0] == "Training for workers."


def test_list_layout_round_trip(tmp_path: Path):
    rows = coding_sheet([DOC], unit="paragraph", codebook=CB, layout="list")
    rows[0]["codes"] = "train; fund"
    rows[1]["codes"] = "-"
    path = write_coding_sheet(rows, tmp_path / "l.csv", codebook=CB, layout="list")
    frame = read_coding_sheet(path, coder="budi", documents=[DOC], codebook=CB)
    assert frame[["start", "code_id"]].values.tolist() == [[0, "train"], [0, "fund"], [23, ""]]


def test_import_lists_every_problem_with_its_row(tmp_path: Path):
    rows = coding_sheet([DOC], unit="paragraph", codebook=CB)
    rows[0]["train"] = "maybe"                       # row 2: bad cell
    rows[1]["text"] = "Funding from the donors."      # row 3: changed text
    rows[2]["segment_key"] = "d1:44-58"               # row 4: not a segment
    rows[3]["segment_key"] = "zz:0-3"                 # row 5: unknown document
    path = write_coding_sheet(rows, tmp_path / "bad.csv", codebook=CB)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).rename(columns={"fund": "fnd"})
    frame.to_csv(path, index=False)                   # row 1: unknown code column
    with pytest.raises(CodingsTableError) as info:
        read_coding_sheet(path, coder="ana", documents=[DOC], codebook=CB)
    assert [p.line for p in info.value.problems] == [1, 2, 3, 4, 5]
    text = str(info.value)
    assert "unknown code column 'fnd'" in text and "'maybe' is not 1 or 0" in text
    assert "was changed" in text and "not a paragraph" in text and "no document 'zz'" in text


def test_a_sheet_exported_for_one_coder_is_not_imported_as_another(tmp_path: Path):
    rows = coding_sheet([DOC], unit="paragraph", codebook=CB)
    rows[0]["train"] = "1"
    path = write_coding_sheet(rows, tmp_path / "ana.xlsx", codebook=CB, coder="ana")
    with pytest.raises(CodingsTableError, match="exported for coder 'ana'"):
        read_coding_sheet(path, coder="budi", documents=[DOC], codebook=CB)
    assert len(read_coding_sheet(path, coder="ana", documents=[DOC], codebook=CB)) == 1
