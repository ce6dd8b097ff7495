"""Codings for the analysis commands (``report``, ``stats``, ``kwic``), built by the library.

- :func:`load_coded` reads a coded table back (``qualcoop code -o coded.csv``). The table holds each
  coded segment's text and offsets, not the full documents: with ``full_text`` each document is
  re-extracted from its ``source`` path (as written, else relative to the table's folder) or from the
  ``corpus`` paths, and the coded text is checked to be still at the same offsets; a document whose
  file is missing or changed is rebuilt from its coded segments (a report then shows only those
  passages) and a warning says so. Without ``full_text`` (``stats``) every document is rebuilt and
  its attributes read from the metadata sidecar next to its source file.
- :func:`code_to_codings` codes files with the streaming run (:func:`qualcoop.run.run`, any
  executor) and returns the codings with their documents, for ``report PATHS``.

Both never print: what a user should know is in ``CodingSet.warnings``.
"""

from __future__ import annotations

import dataclasses
import time
import warnings as _warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import QualcoopError
from ..model import Codebook, CodingSet
from .driver import Progress, run
from .settings import RunSettings

__all__ = ["code_to_codings", "load_coded"]


def _codebook_for(frame, codebook: Codebook | str | None, notes: list[str]) -> Codebook | None:
    """The codebook given, else the shipped one the table names (same version), else None."""
    from ..codebook import load_codebook

    if isinstance(codebook, Codebook):
        return codebook
    if codebook:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            return load_codebook(codebook)
    if "codebook" not in frame.columns or not len(frame):
        return None
    name = str(frame["codebook"].iloc[0] or "")
    if not name:
        return None
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            cb = load_codebook(name)
    except QualcoopError:
        return None
    version = str(frame["codebook_version"].iloc[0]) if "codebook_version" in frame.columns else ""
    if version and cb.version != version:
        notes.append(f"the table was coded with {name} {version}; using the shipped {cb.version} for "
                     "definitions and rules")
    return cb


def _source_paths(frame, table: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    if "source" not in frame.columns:
        return out
    for doc_id, src in frame[["doc_id", "source"]].drop_duplicates("doc_id").itertuples(index=False):
        if not src or str(src) == "nan":
            continue
        for cand in (Path(str(src)), table.parent / str(src)):
            if cand.is_file():
                out[str(doc_id)] = cand
                break
    return out


def load_coded(table: str | Path, *, corpus: Sequence[str | Path] | None = None,
               codebook: Codebook | str | None = None, full_text: bool = True,
               progress: Callable[[Progress], None] | None = None) -> CodingSet:
    """Read a coded table into a :class:`CodingSet` with its documents (see the module docstring).

    Parameters
    ----------
    table : path
        A table written by ``qualcoop code -o`` (.csv, .parquet, .jsonl, .xlsx).
    corpus : paths, optional
        Files or folders holding the coded documents (default: the table's ``source`` paths).
    codebook : Codebook or str, optional
        The codebook (or a file/shipped name); default: the shipped one the table names (a warning
        when its version differs), else the one rebuilt from the table.
    full_text : bool
        Re-extract the full documents (for a report); else rebuild them from their coded segments.
    progress : callable, optional
        Called with a :class:`Progress` after each document re-extracted.

    Returns
    -------
    CodingSet
        With ``warnings``: missing or changed source files, extraction failures, codebook version.
    """
    from ..analysis import codings_from_frame
    from ..analysis.tables import _read, mismatched_documents
    from ..corpus import Corpus
    from ..extract.metadata import attributes_for

    table = Path(table)
    notes: list[str] = []
    frame = _read(table)
    cb = _codebook_for(frame, codebook, notes)
    sources = _source_paths(frame, table)
    ids = {str(d) for d in frame["doc_id"].unique()} if "doc_id" in frame.columns else set()
    docs = {}
    if full_text:
        paths = list(corpus) if corpus else sorted(set(sources.values()))
        if paths:
            c = Corpus.from_paths(paths)
            t0, total = time.perf_counter(), len(c)
            for n, d in enumerate(c, 1):
                if d.id in ids:
                    docs[d.id] = d
                if progress is not None:
                    progress(Progress(n, max(total, n), 0, 0, len(c.failures), time.perf_counter() - t0,
                                      str(d.source.path if d.source is not None else d.id)))
            notes.extend(f"{f.path}: {f.error.message}" for f in c.failures)
        bad = mismatched_documents(frame, docs)
        for doc_id, why in sorted(bad.items()):
            notes.append(f"{doc_id} changed since it was coded ({why}); showing only its coded passages")
            docs.pop(doc_id)
        missing = sorted(ids - set(docs))
        if missing:
            notes.append(f"{len(missing)} document(s) without their source file (give --corpus): only coded "
                         f"passages shown for {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else ""))
    elif ids - set(sources):
        lost = sorted(ids - set(sources))
        notes.append(f"the source files of {len(lost)} document(s) were not found (run where you coded, or "
                     "give --corpus): their attributes are unknown")
    codings = codings_from_frame(frame, documents=docs, codebook=cb, name=str(table))
    # rebuilt documents: attributes from the sidecar next to their source file
    fixed = {}
    for doc_id, doc in codings.documents.items():
        if doc_id in docs or doc_id not in sources:
            continue
        attrs = attributes_for(sources[doc_id])
        if attrs:
            lang = attrs.get("language") or attrs.get("lang")
            fixed[doc_id] = dataclasses.replace(doc, attributes=attrs, lang=str(lang) if lang else None)
    return CodingSet(codings, documents={**codings.documents, **fixed}, codebook=codings.codebook,
                     warnings=(*codings.warnings, *notes))


class _Collect:
    """A sink keeping every document and coding row of a run in memory (a report needs them all)."""

    def __init__(self) -> None:
        self.documents: list[dict[str, Any]] = []
        self.rows: list[dict[str, Any]] = []
        self.failures: list[str] = []

    def accept(self, result) -> None:
        if result.error is not None:
            self.failures.append(result.error.message)
            return
        if result.document is not None:
            self.documents.append(result.document)
        self.rows.extend(result.codings)

    def commit(self) -> None:
        pass

    def abort(self) -> None:
        pass


def code_to_codings(settings: RunSettings, *, executor: Any = None,
                    progress: Callable[[Progress], None] | None = None) -> CodingSet:
    """Code the files of ``settings`` with the streaming run and return the codings with their documents.

    Failed files are left out, each named in ``warnings`` (with the run's own warnings). Raises
    :class:`qualcoop.errors.ExtractionError` when no file could be read.
    """
    import pandas as pd

    from ..analysis import codings_from_frame
    from ..errors import ExtractionError
    from ..model import CODING_COLUMNS, Document

    if settings.codebook is None:
        raise QualcoopError("code_to_codings needs run settings with a codebook")
    sink = _Collect()
    summary = run(settings, sinks=[sink], documents=True, codings=True, executor=executor, progress=progress)
    if not sink.documents:
        raise ExtractionError("no documents could be read" + (f": {sink.failures[0]}" if sink.failures else ""))
    docs = [Document.from_dict({k: v for k, v in d.items() if k != "record"}) for d in sink.documents]
    frame = pd.DataFrame(sink.rows, columns=list(CODING_COLUMNS))
    codings = codings_from_frame(frame, documents=docs, codebook=settings.codebook, name="run")
    return CodingSet(codings, documents={d.id: d for d in docs}, codebook=settings.codebook,
                     warnings=(*sink.failures, *summary.warnings))
