"""Codings tables: one schema for people and the machine.

A **codings table** (CSV, XLSX, Parquet or JSONL, chosen by suffix) has the columns

========================  =================================================================
``doc_id``                the document (required)
``start``, ``end``        the unit ``[start, end)``: ``str`` offsets into ``Document.text`` (required)
``code_id``               the code applied; **empty** = the coder read this unit and applied no
                          code (this is how "no" is said) (required column)
``coder``                 who coded (required)
``text``, ``segment_index``, ``unit``, ``source``, ``lang``, ``memo``   optional
anything else             kept as attributes (e.g. ``rule_ids``, ``matched_terms`` from ``qualcoop code``)
========================  =================================================================

One row is one code applied by one coder to one unit. The coded-segments output of
``qualcoop code -o coded.csv`` is a codings table (coder ``qualcoop``).

Reading one validates it and lists **every** problem with its file and row number (row numbers as a
spreadsheet shows them: the header is row 1, so the first record is row 2; for JSONL the line number):
a missing column, a start or end that is not a whole number, ``start >= end``, an unknown code id
(when a codebook is given), an offset past the document's end and a ``text`` that is no longer what
the document holds at ``[start, end)`` (when documents are given; compared as spreadsheets keep text,
see :func:`comparable`), a missing coder, duplicate rows.
Any problem raises :class:`~qualcoop.errors.CodingsTableError` and nothing is returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import AnalysisError, CodingsTableError, Problem
from ..model import Codebook, CodingSet, Document

__all__ = ["CODINGS_OPTIONAL", "CODINGS_REQUIRED", "as_codings", "check_codings", "check_xlsx", "codings_from_any",
           "read_codings", "unit_key"]

#: the columns every codings table has
CODINGS_REQUIRED = ("doc_id", "start", "end", "code_id", "coder")
#: columns with a meaning when present; others are kept as attributes
CODINGS_OPTIONAL = ("text", "segment_index", "unit", "source", "lang", "memo")

Source = Any  # path, DataFrame or CodingSet


def unit_key(doc_id: str, start: int, end: int) -> str:
    """The key of a unit: ``"<doc_id>:<start>-<end>"`` (same as :func:`qualcoop.analysis.segment_id`)."""
    return f"{doc_id}:{start}-{end}"


def read_codings(path: str | Path, *, documents: Iterable[Document] | Mapping[str, Document] = (),
                 codebook: Codebook | None = None):
    """Read and validate a codings table.

    Parameters
    ----------
    path : path-like
        ``.csv``, ``.xlsx``, ``.parquet`` or ``.jsonl``.
    documents : iterable or mapping of Document
        When given, offsets and ``text`` are checked against the documents with these ids.
    codebook : Codebook, optional
        When given, every non-empty ``code_id`` must be one of its codes.

    Returns
    -------
    pandas.DataFrame
        The required columns first (``start``/``end`` as int, ``code_id`` ``""`` for "no code"), then
        the optional and attribute columns as strings, in file order.

    Raises
    ------
    CodingsTableError
        Every problem found, each with file and row number.

    Examples
    --------
    >>> from qualcoop.analysis import read_codings
    >>> table = read_codings("coded.csv")            # doctest: +SKIP
    """
    from .tables import _read

    path = Path(path)
    check_xlsx(path)
    frame = _read(path)
    first_row = 1 if path.suffix.lower() in (".jsonl", ".parquet") else 2
    return as_codings(frame, name=str(path), documents=documents, codebook=codebook, first_row=first_row)


def check_xlsx(path: str | Path) -> None:
    """Refuse an ``.xlsx`` whose zip would inflate past the office-zip limits of :mod:`qualcoop.limits`
    (members, total uncompressed bytes, compression ratio) before a spreadsheet reader opens it.

    Raises
    ------
    LimitError
        Naming the limit and the file.
    """
    import zipfile

    from .. import limits
    from ..errors import LimitError

    path = Path(path)
    if path.suffix.lower() != ".xlsx" or not path.is_file():
        return
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise AnalysisError(f"{path}: not a readable .xlsx file ({e})") from e
    members = limits.current("MAX_ZIP_MEMBERS")
    if len(infos) > members:
        raise LimitError("MAX_ZIP_MEMBERS", members, f"{path}: {len(infos)} zip members")
    total = sum(i.file_size for i in infos)
    budget = limits.current("MAX_ZIP_UNCOMPRESSED")
    if total > budget:
        raise LimitError("MAX_ZIP_UNCOMPRESSED", budget, f"{path}: inflates to {total} bytes")
    ratio = limits.current("MAX_ZIP_RATIO")
    for i in infos:
        if i.file_size > 1 << 20 and i.file_size > ratio * max(i.compress_size, 1):
            raise LimitError("MAX_ZIP_RATIO", ratio,
                             f"{path}: member {i.filename} inflates {i.file_size // max(i.compress_size, 1)} times")


def as_codings(frame, *, name: str = "codings table",
               documents: Iterable[Document] | Mapping[str, Document] = (),
               codebook: Codebook | None = None, first_row: int = 2):
    """Validate and normalise a DataFrame as a codings table (see :func:`read_codings`).

    ``first_row`` is the row number reported for the frame's first record.
    """
    problems, out = _check(frame, name=name, documents=documents, codebook=codebook, first_row=first_row)
    if problems:
        raise CodingsTableError(name, problems)
    return out


def check_codings(frame, *, name: str = "codings table",
                  documents: Iterable[Document] | Mapping[str, Document] = (),
                  codebook: Codebook | None = None, first_row: int = 2) -> list[Problem]:
    """Every problem of a codings-table DataFrame (empty list: valid). Never raises for bad rows."""
    return _check(frame, name=name, documents=documents, codebook=codebook, first_row=first_row)[0]


def codings_from_any(source: Source, *, documents: Iterable[Document] | Mapping[str, Document] = (),
                     codebook: Codebook | None = None, name: str | None = None):
    """A validated codings DataFrame from a path, a DataFrame or a :class:`CodingSet`."""
    import pandas as pd

    if isinstance(source, CodingSet):
        frame = source.to_frame()
        frame = frame.assign(text=frame["text"].fillna(""))
        return as_codings(frame, name=name or "CodingSet", documents=documents, codebook=codebook)
    if isinstance(source, pd.DataFrame):
        return as_codings(source, name=name or "DataFrame", documents=documents, codebook=codebook)
    if isinstance(source, (str, Path)):
        return read_codings(source, documents=documents, codebook=codebook)
    raise AnalysisError(f"not a codings table: {type(source).__name__} (give a path, DataFrame or CodingSet)")


def concat_codings(sources: Sequence[Source] | Source, *,
                   documents: Iterable[Document] | Mapping[str, Document] = (),
                   codebook: Codebook | None = None):
    """Several codings tables as one validated DataFrame (duplicates across tables are problems too)."""
    import pandas as pd

    if isinstance(sources, (str, Path, pd.DataFrame, CodingSet)):
        sources = [sources]
    frames = [codings_from_any(s, documents=documents, codebook=codebook) for s in sources]
    if not frames:
        raise AnalysisError("no codings table given")
    if len(frames) == 1:
        return frames[0]
    names = [str(s) if isinstance(s, (str, Path)) else f"table {i + 1}" for i, s in enumerate(sources)]
    frame = pd.concat(frames, ignore_index=True, sort=False).fillna("")
    seen: dict[tuple, str] = {}
    problems = []
    for source, name, f in zip(sources, names, frames):
        first = 1 if isinstance(source, (str, Path)) and Path(source).suffix.lower() in (".jsonl", ".parquet") else 2
        for i, key in enumerate(zip(f["doc_id"], f["start"], f["end"], f["code_id"], f["coder"])):
            if key in seen and seen[key] != name:
                problems.append(Problem(name, f"duplicate of a row in {seen[key]} "
                                              f"({_describe(key)})", line=i + first))
            seen.setdefault(key, name)
    if problems:
        raise CodingsTableError(", ".join(names), problems)
    return frame


def _describe(key: tuple) -> str:
    doc_id, start, end, code_id, coder = key
    return f"{coder} {code_id or '(no code)'} on {unit_key(doc_id, start, end)}"


def _s(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v != v:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _whole(s: str) -> int | None:
    s = s.strip()
    try:
        return int(s)
    except ValueError:
        try:
            f = float(s)
        except ValueError:
            return None
        return int(f) if f.is_integer() else None


def _check(frame, *, name: str, documents, codebook: Codebook | None, first_row: int):
    import pandas as pd

    missing = [c for c in CODINGS_REQUIRED if c not in frame.columns]
    if missing:
        return [Problem(name, f"missing column(s) {', '.join(missing)}; a codings table has "
                              f"{', '.join(CODINGS_REQUIRED)}", line=1 if first_row == 2 else None)], None
    docs = dict(documents) if isinstance(documents, Mapping) else {d.id: d for d in documents}
    codes = {c.id for c in codebook.codes} if codebook is not None else None
    cols = [*CODINGS_REQUIRED, *[c for c in frame.columns if c not in CODINGS_REQUIRED]]
    data = {c: [_s(v) for v in frame[c].tolist()] for c in cols}
    problems: list[Problem] = []
    starts: list[int] = []
    ends: list[int] = []
    seen: dict[tuple, int] = {}
    has_text = "text" in frame.columns
    for i in range(len(frame)):
        row = i + first_row
        bad = lambda message: problems.append(Problem(name, message, line=row))  # noqa: E731
        doc_id, code_id, coder = data["doc_id"][i].strip(), data["code_id"][i].strip(), data["coder"][i].strip()
        start, end = _whole(data["start"][i]), _whole(data["end"][i])
        if not doc_id:
            bad("empty doc_id")
        if not coder:
            bad("empty coder")
        if start is None:
            bad(f"start is not a whole number ({data['start'][i]!r})")
        if end is None:
            bad(f"end is not a whole number ({data['end'][i]!r})")
        starts.append(start if start is not None else -1)
        ends.append(end if end is not None else -1)
        if start is not None and end is not None:
            if start < 0:
                bad(f"start {start} is negative")
            if start >= end:
                bad(f"start {start} >= end {end}")
        if codes is not None and code_id and code_id not in codes:
            bad(f"unknown code id {code_id!r} (not in codebook {codebook.name})")
        doc = docs.get(doc_id)
        if doc is not None and start is not None and end is not None and 0 <= start < end:
            if end > len(doc.text):
                bad(f"end {end} is past the end of document {doc_id!r} ({len(doc.text)} characters)")
            elif has_text and data["text"][i] and comparable(doc.text[start:end]) != comparable(data["text"][i]):
                bad(f"text no longer matches document {doc_id!r} at {start}-{end} "
                    f"(the table says {_short(data['text'][i])}, the document has {_short(doc.text[start:end])})")
        key = (doc_id, start, end, code_id, coder)
        if key in seen:
            bad(f"duplicate of row {seen[key]} ({_describe(key)})")
        else:
            seen[key] = row
        data["doc_id"][i], data["code_id"][i], data["coder"][i] = doc_id, code_id, coder
    if problems:
        return problems, None
    out = pd.DataFrame({c: data[c] for c in cols}, columns=cols)
    out["start"] = pd.Series(starts, dtype="int64")
    out["end"] = pd.Series(ends, dtype="int64")
    return [], out


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def comparable(text: str) -> str:
    """A segment text as spreadsheets keep it: control characters XLSX cannot hold dropped, line
    ends as ``\n``. The ``text`` check compares these forms, so a table that went through Excel does
    not fail on characters no spreadsheet can store."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _short(text: str, n: int = 40) -> str:
    return repr(text if len(text) <= n else text[:n] + "...")
