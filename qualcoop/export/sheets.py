"""Blinded coding sheets for human coders: export, and import with validation.

A coding sheet has one row per segment (unit ``paragraph``, ``turn``, ...) and **no codings**:
no machine codings, no other coder's codings. Columns:

``segment_key``  ``"<doc_id>:<start>-<end>"``, the unit's identity (do not edit)
``doc_id``, ``document`` (file name), ``unit``, ``segment_index``, ``speaker``
``context_before``, ``text``, ``context_after``  the previous and next segment of the same document
one column per code (``layout="columns"``, the default): enter ``1`` where the code applies and ``0``
    (or leave empty) where it does not; the XLSX allows only ``1``/``0`` (a list validation)
or one ``codes`` column (``layout="list"``): the code ids that apply, separated by ``;``, or ``-``
    for "none applies"

A row left completely empty is a segment the coder did not get to (missing, not "no"); a row with any
mark is a segment the coder read, and its empty code cells mean "does not apply". The XLSX has a
second sheet ``codes`` with each code's name, definition, inclusion and exclusion criteria.

Importing checks every row and lists every problem with its row number (unknown segment, text that
no longer matches the document, unknown code column or code id, a cell that is not 1/0; and an XLSX
exported for another coder) in one
:class:`~qualcoop.errors.CodingsTableError`; nothing is imported then. The result is a codings table
(:mod:`qualcoop.analysis.codings_table`) for the coder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..analysis.codings_table import check_xlsx, comparable, unit_key
from ..errors import AnalysisError, CodingsTableError, Problem
from ..model import Codebook, Document
from .tables import write_table
from .workbook import Sheet, write_workbook

__all__ = ["LAYOUTS", "SHEET_COLUMNS", "coding_sheet", "read_coding_sheet", "write_coding_sheet"]

SHEET_COLUMNS = ("segment_key", "doc_id", "document", "unit", "segment_index", "speaker",
                 "context_before", "text", "context_after")
LAYOUTS = ("columns", "list")
CONTEXT_CHARS = 300
YES = {"1", "1.0", "x", "yes", "y", "true"}
NO = {"0", "0.0", "no", "n", "false", "-"}
_KEY = re.compile(r"^(?P<doc>.+):(?P<start>\d+)-(?P<end>\d+)$")


def _codes(codebook: Codebook | None, codes: Sequence[str] | None) -> list[str]:
    if codebook is None:
        if not codes:
            raise AnalysisError("a coding sheet needs a codebook or a list of codes")
        return list(dict.fromkeys(codes))
    if not codes:
        return [c.id for _, c in codebook.walk()]
    unknown = [c for c in codes if c not in codebook]
    if unknown:
        raise AnalysisError(f"unknown code(s) {', '.join(unknown)} (not in codebook {codebook.name})")
    return list(dict.fromkeys(codes))


def coding_sheet(documents: Iterable[Document], *, unit: str = "paragraph", codebook: Codebook | None = None,
                 codes: Sequence[str] | None = None, layout: str = "columns") -> list[dict[str, Any]]:
    """The rows of a blinded coding sheet (see the module docstring).

    Parameters
    ----------
    documents : iterable of Document
    unit : str
        Segment unit (``qualcoop.segment.UNITS``).
    codebook : Codebook, optional
        Gives the code columns (all codes, or ``codes``) and their definitions.
    codes : sequence of str, optional
        Only these codes.
    layout : {"columns", "list"}

    Returns
    -------
    list of dict
        One record per segment, documents in id order, segments in text order.
    """
    from ..segment import segment

    if layout not in LAYOUTS:
        raise AnalysisError(f"unknown sheet layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    code_list = _codes(codebook, codes)
    rows = []
    for doc in sorted(documents, key=lambda d: d.id):
        segs = segment(doc, unit)
        for k, seg in enumerate(segs):
            before = segs[k - 1].text_in(doc) if k else ""
            after = segs[k + 1].text_in(doc) if k + 1 < len(segs) else ""
            row = {"segment_key": unit_key(doc.id, seg.start, seg.end), "doc_id": doc.id,
                   "document": Path(doc.source.path).name if doc.source and doc.source.path else doc.id,
                   "unit": unit, "segment_index": seg.index, "speaker": seg.speaker or "",
                   "context_before": _clip(before, left=True), "text": seg.text_in(doc),
                   "context_after": _clip(after, left=False)}
            if layout == "columns":
                row.update({c: "" for c in code_list})
            else:
                row["codes"] = ""
            rows.append(row)
    return rows


def _clip(text: str, *, left: bool) -> str:
    if len(text) <= CONTEXT_CHARS:
        return text
    return "..." + text[-CONTEXT_CHARS:] if left else text[:CONTEXT_CHARS] + "..."


def write_coding_sheet(rows: Sequence[dict[str, Any]], path: str | Path, *, codebook: Codebook | None = None,
                       codes: Sequence[str] | None = None, layout: str = "columns", coder: str = "") -> Path:
    """Write a coding sheet: ``.xlsx`` (code definitions on a second sheet, 1/0 validation) or ``.csv``."""
    path = Path(path)
    code_list = _codes(codebook, codes)
    cols = [*SHEET_COLUMNS, *(code_list if layout == "columns" else ["codes"])]
    if path.suffix.lower() != ".xlsx":
        return write_table(rows, path, columns=cols)
    defs = []
    for cid in code_list:
        code = codebook.get(cid) if codebook is not None and cid in codebook else None
        defs.append({"code_id": cid, "name": code.name if code else cid,
                     "definition": code.definition if code else "",
                     "inclusion": getattr(code, "inclusion", "") or "" if code else "",
                     "exclusion": getattr(code, "exclusion", "") or "" if code else ""})
    about = [{"item": "coder", "value": coder},
             {"item": "how to code", "value": "Enter 1 where a code applies and 0 or nothing where it does not. "
                                               "Leave a row completely empty only if you did not read it. "
                                               "Do not edit segment_key or text." if layout == "columns" else
              "List the code ids that apply, separated by ';', or '-' if none applies. "
              "Leave empty only if you did not read the row. Do not edit segment_key or text."},
             {"item": "codebook", "value": f"{codebook.name} {codebook.version}" if codebook else ""}]
    choices = {c: ("1", "0") for c in code_list} if layout == "columns" else {}
    return write_workbook(path, [
        Sheet("coding", cols, rows, choices=choices, wide=("text", "context_before", "context_after")),
        Sheet("codes", ("code_id", "name", "definition", "inclusion", "exclusion"), defs,
              wide=("definition", "inclusion", "exclusion")),
        Sheet("about", ("item", "value"), about, wide=("value",)),
    ])


def _exported_for(path: Path) -> str:
    """The coder an XLSX sheet was exported for (its ``about`` sheet), or ``""``."""
    if path.suffix.lower() != ".xlsx":
        return ""
    import pandas as pd

    try:
        about = pd.read_excel(path, sheet_name="about", dtype=str, keep_default_na=False)
    except (ValueError, KeyError):
        return ""
    if not {"item", "value"} <= set(about.columns):
        return ""
    values = about.loc[about["item"] == "coder", "value"]
    return str(values.iloc[0]).strip() if len(values) else ""


def read_coding_sheet(path: str | Path, *, coder: str, documents: Iterable[Document] | Mapping[str, Document] = (),
                      codebook: Codebook | None = None):
    """Import a filled coding sheet as a codings table for ``coder``.

    Parameters
    ----------
    path : path-like
        The filled ``.xlsx`` (its first sheet) or ``.csv``.
    coder : str
        Whose codings these are.
    documents : iterable or mapping of Document
        The coded documents: each ``segment_key`` must be a segment of its document at the sheet's
        unit and the ``text`` must still match.
    codebook : Codebook, optional
        When given, every code column / code id must be one of its codes.

    Returns
    -------
    pandas.DataFrame
        A codings table (``doc_id, start, end, code_id, coder, text, segment_index, unit, memo``): one
        row per code marked 1, and one row with an empty ``code_id`` for a segment read with no code.

    Raises
    ------
    CodingsTableError
        Every problem with its row number; nothing is imported.
    """
    import pandas as pd

    from ..analysis.codings_table import as_codings
    from ..segment import segment

    path = Path(path)
    name = str(path)
    if not coder or not coder.strip():
        raise AnalysisError("a coder name is needed to import a coding sheet")
    check_xlsx(path)
    try:
        if path.suffix.lower() == ".xlsx":
            from ..analysis.tables import _from_xlsx  # control characters and long texts (model/cells.py)

            frame = _from_xlsx(pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False))
        elif path.suffix.lower() == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        else:
            raise AnalysisError(f"{path}: a coding sheet is .xlsx or .csv")
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise AnalysisError(f"{path}: cannot read the coding sheet ({e})") from e
    docs = dict(documents) if isinstance(documents, Mapping) else {d.id: d for d in documents}
    problems: list[Problem] = []
    exported_for = _exported_for(path)
    if exported_for and exported_for != coder.strip():
        problems.append(Problem(name, f"the sheet was exported for coder {exported_for!r} (its 'about' sheet), "
                                      f"not {coder!r}: import it with --coder {exported_for}, or correct the "
                                      "'about' sheet if the coder changed"))
    if "segment_key" not in frame.columns:
        raise CodingsTableError(name, [Problem(name, "no segment_key column: not a qualcoop coding sheet", line=1)])
    layout = "list" if "codes" in frame.columns else "columns"
    known = {c.id for c in codebook.codes} if codebook is not None else None
    code_cols = [c for c in frame.columns if c not in SHEET_COLUMNS and c not in ("codes", "memo")]
    if layout == "columns":
        for c in code_cols:
            if c.startswith("Unnamed:"):
                problems.append(Problem(name, f"a column without a header ({c})", line=1))
            elif known is not None and c not in known:
                problems.append(Problem(name, f"unknown code column {c!r} (not in codebook {codebook.name})", line=1))
    segments: dict[tuple[str, str], set[tuple[int, int]]] = {}
    records = []
    for i, row in enumerate(frame.to_dict("records")):
        line = i + 2
        bad = lambda message: problems.append(Problem(name, message, line=line))  # noqa: E731
        key = str(row.get("segment_key", "")).strip()
        m = _KEY.match(key)
        if not m:
            bad(f"segment_key {key!r} is not '<doc_id>:<start>-<end>'")
            continue
        doc_id, start, end = m["doc"], int(m["start"]), int(m["end"])
        unit = str(row.get("unit", "") or "paragraph").strip()
        text = str(row.get("text", ""))
        doc = docs.get(doc_id)
        if docs:
            if doc is None:
                bad(f"unknown segment {key!r}: no document {doc_id!r}")
                continue
            spans = segments.get((doc_id, unit))
            if spans is None:
                try:
                    spans = {(s.start, s.end) for s in segment(doc, unit)}
                except (KeyError, TypeError, ValueError) as e:
                    bad(f"unknown unit {unit!r} ({e})")
                    continue
                segments[(doc_id, unit)] = spans
            if (start, end) not in spans:
                bad(f"unknown segment {key!r}: not a {unit} of document {doc_id!r}")
                continue
            if "text" in frame.columns and comparable(doc.text[start:end]) != comparable(text):
                bad(f"text of segment {key!r} was changed (the document has "
                    f"{doc.text[start:end][:40]!r}...)")
                continue
            text = doc.text[start:end]
        applied, read = [], False
        if layout == "columns":
            for c in code_cols:
                v = str(row.get(c, "")).strip().lower()
                if not v:
                    continue
                read = True
                if v in YES:
                    applied.append(c)
                elif v not in NO:
                    bad(f"code {c!r}: {row.get(c)!r} is not 1 or 0")
        else:
            v = str(row.get("codes", "")).strip()
            if v:
                read = True
                for cid in (x.strip() for x in v.split(";")):
                    if not cid or cid == "-":
                        continue
                    if known is not None and cid not in known:
                        bad(f"unknown code id {cid!r} (not in codebook {codebook.name})")
                    else:
                        applied.append(cid)
        if not read:
            continue
        memo = str(row.get("memo", "") or "")
        base = {"doc_id": doc_id, "start": start, "end": end, "coder": coder, "text": text,
                "segment_index": str(row.get("segment_index", "")), "unit": unit, "memo": memo}
        for cid in (applied or [""]):
            records.append({**base, "code_id": cid})
    if problems:
        raise CodingsTableError(name, problems)
    cols = ["doc_id", "start", "end", "code_id", "coder", "text", "segment_index", "unit", "memo"]
    return as_codings(pd.DataFrame(records, columns=cols), name=name, codebook=codebook)
