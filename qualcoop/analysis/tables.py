"""A coded-segment table (``qualcoop code -o coded.csv``) back into a :class:`CodingSet`.

The table has each coding's offsets, code, rules, matched words and segment text, but not the full
document texts nor the exact evidence offsets. So:

- documents you pass (e.g. re-extracted from the ``source`` paths, or from a corpus folder) are used
  as they are, after checking that ``doc.text[start:end]`` is the table's ``text`` for every row;
- a document you do not pass is *reconstructed* from its coded segments: a text of the same
  length in which every coded span holds its text and everything else is spaces, so all offsets
  stay valid; its ``source.details["reconstructed"]`` is ``True`` (the HTML report then shows only
  its coded passages);
- evidence is found again by looking for each matched word, in order, inside the segment; when a
  coding has several rules, the evidence's ``rule_id`` is the ``;``-joined list (the table does
  not say which rule matched which word).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import AnalysisError
from ..model import (Code, Codebook, Coding, CodingSet, Document, Evidence, Provenance, Source,
                     evidence_from_json)
from ..model.schema import CODING_REQUIRED

__all__ = ["codings_from_frame", "mismatched_documents", "read_coded_table"]

REQUIRED = CODING_REQUIRED


def read_coded_table(path: str | Path, *, documents: Iterable[Document] | Mapping[str, Document] = (),
                     codebook: Codebook | None = None) -> CodingSet:
    """Read a coded-segment table (.csv, .parquet, .jsonl, .xlsx, or a plugin table format) into a CodingSet.

    Parameters
    ----------
    path : path-like
        A table with the columns of :data:`qualcoop.model.CODING_COLUMNS` (at least ``doc_id``,
        ``start``, ``end``, ``code_id``; ``text`` to reconstruct documents not given).
    documents : iterable or mapping of Document
        Full documents to use (see the module docstring).
    codebook : Codebook, optional
        The codebook; default: a minimal one rebuilt from ``code_id``/``code_name``/``parent_id``.

    Returns
    -------
    CodingSet

    Raises
    ------
    AnalysisError
        The file cannot be read, lacks a required column, has a bad offset, or a given
        document's text does not match the table (the file changed since it was coded).
    """
    return codings_from_frame(_read(Path(path)), documents=documents, codebook=codebook, name=str(path))


def _read(path: Path):
    """The table as a DataFrame, read by the registered table format of its suffix."""
    from ..registry import by_suffix, table_formats

    names = by_suffix(table_formats, path.suffix.lower()) if path.suffix else []
    if not names:
        known = sorted({x for _, f in table_formats.items() for x in getattr(f, "suffixes", ())})
        raise AnalysisError(f"{path}: not a coded-segment table (use {', '.join(known)})")
    try:
        return table_formats.get(names[0])().read(path)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise AnalysisError(f"{path}: cannot read the coded-segment table ({e})") from e


def _from_xlsx(frame):
    """Undo the XLSX cell codec: join continuation columns, unescape control characters."""
    from ..model.cells import join_continuations, unescape_cell

    for base, parts in join_continuations(list(frame.columns)).items():
        frame[base] = frame[[base, *parts]].astype(str).agg("".join, axis=1)
        frame = frame.drop(columns=parts)
    for col in frame.columns:
        frame[col] = frame[col].map(lambda v: unescape_cell(v) if isinstance(v, str) else v)
    return frame


def _s(v) -> str:
    if v is None:
        return ""
    try:
        import math

        if isinstance(v, float) and math.isnan(v):
            return ""
    except TypeError:
        pass
    return str(v)


def _int(v, what: str, where: str) -> int | None:
    s = _s(v).strip()
    if not s:
        return None
    try:
        return int(float(s)) if "." in s else int(s)
    except ValueError as e:
        raise AnalysisError(f"{where}: {what} is not a whole number ({s!r})") from e


def mismatched_documents(frame, documents: Mapping[str, Document]) -> dict[str, str]:
    """Documents whose text does not hold the table's ``text`` at the table's offsets.

    Returns
    -------
    dict
        doc id -> a description of the first mismatch (empty when everything matches).
    """
    out: dict[str, str] = {}
    if "text" not in frame.columns:
        return out
    for i, row in enumerate(frame.itertuples(index=False)):
        doc = documents.get(_s(row.doc_id))
        if doc is None or doc.id in out:
            continue
        s, e = _int(row.start, "start", f"row {i + 2}"), _int(row.end, "end", f"row {i + 2}")
        if s is None or e is None:
            continue
        if doc.text[s:e] != _s(row.text):
            out[doc.id] = f"row {i + 2}: text at {s}-{e} differs from the table"
    return out


def codings_from_frame(frame, *, documents: Iterable[Document] | Mapping[str, Document] = (),
                       codebook: Codebook | None = None, name: str = "coded table") -> CodingSet:
    """A CodingSet from a coded-segment DataFrame (see :func:`read_coded_table`).

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns of :data:`qualcoop.model.CODING_COLUMNS` (at least ``doc_id``, ``start``, ``end``,
        ``code_id``).
    documents : iterable or mapping of Document
        Full documents to use; others are reconstructed from ``text``.
    codebook : Codebook, optional
        Default: rebuilt from the table.
    name : str
        Used in error messages.

    Returns
    -------
    CodingSet
    """
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise AnalysisError(f"{name}: missing column(s) {', '.join(missing)}; "
                            "expected a table written by `qualcoop code -o`")
    docs = dict(documents) if isinstance(documents, Mapping) else {d.id: d for d in documents}
    bad = mismatched_documents(frame, docs)
    if bad:
        lines = "; ".join(f"{d}: {m}" for d, m in sorted(bad.items()))
        raise AnalysisError(f"{name}: {len(bad)} document(s) differ from the coded table "
                            f"(changed since coding?): {lines}")
    get = (lambda row, col: getattr(row, col) if col in frame.columns else None)
    codings = []
    pieces: dict[str, dict[tuple[int, int], str]] = {}
    sources: dict[str, str] = {}
    codes: dict[str, tuple[str, str]] = {}
    for i, row in enumerate(frame.itertuples(index=False)):
        where = f"{name} row {i + 2}"
        doc_id, code_id = _s(row.doc_id), _s(row.code_id)
        start, end = _int(row.start, "start", where), _int(row.end, "end", where)
        if not doc_id or not code_id or start is None or end is None or not 0 <= start <= end:
            raise AnalysisError(f"{where}: needs doc_id, code_id and offsets 0 <= start <= end")
        text = _s(get(row, "text"))
        if doc_id not in docs:
            if len(text) != end - start:
                raise AnalysisError(f"{where}: text has {len(text)} characters but the span {start}-{end} "
                                    f"has {end - start}; cannot reconstruct document {doc_id!r}")
            pieces.setdefault(doc_id, {})[(start, end)] = text
            if _s(get(row, "source")):
                sources.setdefault(doc_id, _s(get(row, "source")))
        codes.setdefault(code_id, (_s(get(row, "code_name")) or code_id, _s(get(row, "parent_id"))))
        method = _s(get(row, "method")) or "import"
        prov = Provenance(method=method, coder=_s(get(row, "coder")) or "unknown",
                          codebook=_s(get(row, "codebook")) or None,
                          codebook_version=_s(get(row, "codebook_version")) or None,
                          tool_version=_s(get(row, "qualcoop_version")) or None,
                          run_id=_s(get(row, "run_id")) or None)
        negated = _s(get(row, "negated")).strip().lower() in ("true", "1", "yes")
        codings.append((doc_id, start, end, code_id, prov, _int(get(row, "segment_index"), "segment_index", where),
                        _s(get(row, "unit")) or None, _s(get(row, "speaker")) or None,
                        _s(get(row, "rule_ids")), _s(get(row, "matched_terms")), negated, text,
                        _s(get(row, "evidence")), where))
    for doc_id, spans in pieces.items():
        docs[doc_id] = _reconstruct(doc_id, spans, sources.get(doc_id), name)
    out = []
    for doc_id, start, end, code_id, prov, idx, unit, speaker, rule_ids, terms, negated, _, ev, where in codings:
        if ev:  # exact: tables written by `qualcoop code` carry every matched span as JSON
            evidence = _checked_evidence(ev, docs[doc_id].text, start, end, where)
        else:  # older or hand-made tables: find the matched terms again in the segment
            seg_text = docs[doc_id].text[start:end]
            rid = ";".join(r for r in rule_ids.split(";") if r)
            evidence = _evidence(seg_text, start, [t for t in terms.split(";") if t], rid, negated)
        out.append(Coding(doc_id, start, end, code_id, prov, segment_index=idx, unit=unit, speaker=speaker,
                          evidence=evidence))
    cb = codebook if codebook is not None else _codebook(codes, frame, get)
    return CodingSet(out, documents=docs, codebook=cb)


def _checked_evidence(value: str, text: str, start: int, end: int, where: str) -> tuple:
    """The ``evidence`` cell of a coded table, checked: JSON ``[[start, end, rule_id, negated], ...]``
    with integer offsets inside the coded segment ``[start, end)``."""
    import json

    try:
        data = json.loads(value)
    except (ValueError, RecursionError) as e:
        raise AnalysisError(f"{where}: `evidence` is not valid JSON ({e})") from None
    if not isinstance(data, list):
        raise AnalysisError(f"{where}: `evidence` must be a JSON list of [start, end, rule_id, negated]")
    for item in data:
        if not (isinstance(item, list) and len(item) == 4 and all(type(x) is int for x in item[:2])
                and isinstance(item[2], str) and isinstance(item[3], bool)):
            raise AnalysisError(f"{where}: `evidence` entry {str(item)[:80]!r} is not "
                                "[start, end, rule_id, negated] with integer offsets")
        if not start <= item[0] <= item[1] <= end:
            raise AnalysisError(f"{where}: `evidence` offsets {item[0]}-{item[1]} lie outside the coded "
                                f"segment {start}-{end}")
    return evidence_from_json(value, text)


def _reconstruct(doc_id: str, spans: Mapping[tuple[int, int], str], source: str | None, name: str) -> Document:
    length = max(e for _, e in spans)
    chars = [" "] * length
    for (s, e), text in sorted(spans.items()):
        for k, ch in enumerate(text):
            if chars[s + k] != " " and chars[s + k] != ch:
                raise AnalysisError(f"{name}: document {doc_id!r} has two different texts at offset {s + k}")
            chars[s + k] = ch
    src = Source(path=source or "", sha256="", media_type="", extractor="coded-table", extractor_version="1",
                 details={"reconstructed": True})
    return Document(id=doc_id, text="".join(chars), source=src)


def _evidence(seg_text: str, base: int, terms: list[str], rule_id: str, negated: bool) -> tuple[Evidence, ...]:
    out = []
    pos = 0
    used: set[tuple[int, str]] = set()
    for term in terms:
        k = seg_text.find(term, pos)
        while k != -1 and (k, term) in used:
            k = seg_text.find(term, k + 1)
        if k == -1:
            continue
        used.add((k, term))
        pos = k
        out.append(Evidence(base + k, base + k + len(term), term, rule_id, negated))
    return tuple(out)


def _codebook(codes: Mapping[str, tuple[str, str]], frame, get) -> Codebook:
    name = version = ""
    if len(frame) and "codebook" in frame.columns:
        name = _s(frame["codebook"].iloc[0])
        version = _s(frame["codebook_version"].iloc[0]) if "codebook_version" in frame.columns else ""
    all_codes: dict[str, Code] = {}
    for cid, (cname, parent) in codes.items():
        all_codes[cid] = Code(id=cid, name=cname, parent=parent or None)
    for cid, (_, parent) in list(codes.items()):
        if parent and parent not in all_codes:
            all_codes[parent] = Code(id=parent, name=parent)
    ordered = sorted(all_codes.values(), key=lambda c: c.id)
    return Codebook(name=name or "codebook", version=version or "", codes=tuple(ordered))
