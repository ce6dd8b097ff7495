"""A minimal codings-table reader for ``Project.add_codings_table`` (validates against a project).

A codings table (CSV, XLSX, Parquet or JSONL, by suffix) has the columns ``doc_id, start, end, code_id,
coder`` and optionally ``text, segment_index, unit, source, lang, memo``; other columns are kept as
attributes (in each coding's ``provenance.details``). An empty ``code_id`` records that the coder read
the unit and applied no code. Every problem is reported with file and row number and nothing is
imported when there is one.

(The team branch's ``qualcoop.analysis`` codings-table reader is the general one; this one only feeds
the store.)
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CodingsTableError
from .model import Codebook, Coding, FrozenMap, Provenance

if TYPE_CHECKING:
    from .project import Project

REQUIRED = ("doc_id", "start", "end", "code_id", "coder")
KNOWN = (*REQUIRED, "text", "segment_index", "unit", "source", "lang", "memo", "method")
_SUFFIXES = (".csv", ".xlsx", ".parquet", ".jsonl")


def _frame(path: Path):
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise CodingsTableError(path, [f"unknown table format {suffix or '(none)'!r}; use {', '.join(_SUFFIXES)}"])
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8"), 2
        if suffix == ".xlsx":
            return pd.read_excel(path, dtype=str, keep_default_na=False), 2
        if suffix == ".parquet":
            return pd.read_parquet(path), 1
        return pd.read_json(path, lines=True, dtype=False), 1
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise CodingsTableError(path, [f"cannot read the table ({e})"]) from e


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_codings_table(path: str | os.PathLike[str], *, project: Project, known_documents: dict[str, Any],
                       codebook: Codebook | None = None, coder: str | None = None) -> list[Coding]:
    """Codings from a table, checked against the project's documents (and ``codebook`` when given)."""
    path = Path(path)
    frame, first_row = _frame(path)
    missing = [c for c in REQUIRED if c not in frame.columns and not (c == "coder" and coder)]
    if missing:
        raise CodingsTableError(path, [f"missing column(s): {', '.join(missing)} "
                                       f"(a codings table has {', '.join(REQUIRED)})"])
    problems: list[str] = []
    texts: dict[str, str] = {}
    seen: dict[tuple, int] = {}
    codings: list[Coding] = []
    extra = [c for c in frame.columns if c not in KNOWN]
    for i, rec in enumerate(frame.to_dict("records")):
        row = i + first_row
        where = f"row {row}"
        doc_id = _cell(rec.get("doc_id"))
        who = coder or _cell(rec.get("coder"))
        code_id = _cell(rec.get("code_id"))
        try:
            start, end = int(_cell(rec.get("start"))), int(_cell(rec.get("end")))
        except ValueError:
            problems.append(f"{where}: start/end must be whole numbers "
                            f"(got {_cell(rec.get('start'))!r}, {_cell(rec.get('end'))!r})")
            continue
        if not who:
            problems.append(f"{where}: empty coder")
        if doc_id not in known_documents:
            problems.append(f"{where}: document {doc_id!r} is not in the project")
            continue
        if start < 0 or start >= end:
            problems.append(f"{where}: start {start} must be >= 0 and < end {end}")
            continue
        if doc_id not in texts:
            doc = project.store.document(doc_id)
            texts[doc_id] = doc.text if doc is not None else ""
        text = texts[doc_id]
        if end > len(text):
            problems.append(f"{where}: end {end} is past the end of document {doc_id!r} (length {len(text)})")
            continue
        given = _cell(rec.get("text")) if "text" in frame.columns else ""
        if given and given != text[start:end]:
            problems.append(f"{where}: text does not match document {doc_id!r} at [{start}, {end}) "
                            f"(the document changed, or the offsets are wrong)")
        if code_id and codebook is not None and code_id not in codebook:
            problems.append(f"{where}: unknown code {code_id!r} (not in codebook {codebook.name})")
        key = (doc_id, start, end, code_id, who)
        if key in seen:
            problems.append(f"{where}: duplicate of row {seen[key]}")
        seen.setdefault(key, row)
        details = {c: _cell(rec.get(c)) for c in (*extra, "memo", "source", "lang") if _cell(rec.get(c))}
        details["imported_from"] = path.name
        seg = _cell(rec.get("segment_index"))
        method = _cell(rec.get("method")) or "import"
        codings.append(Coding(doc_id=doc_id, start=start, end=end, code_id=code_id,
                              provenance=Provenance(method="manual" if method == "manual" else "import",
                                                    coder=who, details=FrozenMap(details)),
                              segment_index=int(seg) if seg.lstrip("-").isdigit() else None,
                              unit=_cell(rec.get("unit")) or None))
    if problems:
        raise CodingsTableError(path, problems)
    return codings
