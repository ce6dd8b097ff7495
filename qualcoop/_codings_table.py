"""Codings tables into a project: :func:`qualcoop.analysis.read_codings`'s validation, plus the checks only
a project can make (every document must be in it), then plain :class:`~qualcoop.model.Coding` values.

A codings table (CSV, XLSX, Parquet or JSONL, by suffix) has the columns ``doc_id, start, end, code_id,
coder`` and optionally ``text, segment_index, unit, source, lang, memo``; other columns are kept as
attributes (in each coding's ``provenance.details``). An empty ``code_id`` records that the coder read
the unit and applied no code. Every problem is reported with file and row number and nothing is
imported when there is one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AnalysisError, CodingsTableError, Problem
from .model import Codebook, Coding, FrozenMap, Provenance

if TYPE_CHECKING:
    from .project import Project

_OWN = ("doc_id", "start", "end", "code_id", "coder", "text", "segment_index", "unit", "method")


def read_codings_table(path: str | os.PathLike[str], *, project: Project, known_documents: Any,
                       codebook: Codebook | None = None, coder: str | None = None) -> list[Coding]:
    """Codings from a table, checked against the project's documents (and ``codebook`` when given).

    ``coder`` (when given) is the coder of every row, whatever the table's ``coder`` column says.
    """
    from .analysis.codings_table import as_codings
    from .analysis.tables import _read

    path = Path(path)
    name = str(path)
    try:
        frame = _read(path)
    except AnalysisError as e:
        raise CodingsTableError(path, [Problem(name, e.message)]) from e
    if coder:
        frame = frame.assign(coder=coder)
    first_row = 1 if path.suffix.lower() in (".jsonl", ".parquet") else 2
    unknown: list[Problem] = []
    wanted: set[str] = set()
    if "doc_id" in frame.columns:
        for i, value in enumerate(frame["doc_id"].tolist()):
            doc_id = "" if value is None else str(value).strip()
            if doc_id and doc_id not in known_documents:
                unknown.append(Problem(name, f"document {doc_id!r} is not in the project", line=i + first_row))
            elif doc_id:
                wanted.add(doc_id)
    documents = {d.id: d for d in project.store.documents(wanted)}
    try:
        table = as_codings(frame, name=name, documents=documents, codebook=codebook, first_row=first_row)
    except CodingsTableError as e:
        problems = sorted([*unknown, *e.problems], key=lambda p: (getattr(p, "line", None) or 0))
        raise CodingsTableError(path, problems) from None
    if unknown:
        raise CodingsTableError(path, unknown)
    extra = [c for c in table.columns if c not in _OWN]
    codings = []
    for rec in table.to_dict("records"):
        details = {c: rec[c] for c in extra if rec[c] not in (None, "")}
        details["imported_from"] = path.name
        seg = str(rec.get("segment_index") or "")
        codings.append(Coding(
            doc_id=rec["doc_id"], start=int(rec["start"]), end=int(rec["end"]), code_id=rec["code_id"],
            provenance=Provenance(method="manual" if rec.get("method") == "manual" else "import",
                                  coder=rec["coder"], details=FrozenMap(details)),
            segment_index=int(seg) if seg.lstrip("-").isdigit() else None, unit=rec.get("unit") or None))
    return codings


def problem_line(p: Problem | str) -> str:
    """``row N: message`` (what the CLI prints for each problem)."""
    if isinstance(p, Problem):
        return f"row {p.line}: {p.message}" if p.line is not None else p.message
    return str(p)
