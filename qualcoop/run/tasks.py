"""The per-file task a worker runs: extract -> segment -> code, returning plain records.

:func:`process_file` is a top-level function (picklable by reference) that every executor runs.
It never raises for a bad file: a failure becomes an :class:`ErrorRecord` (file, a type from the
closed set :data:`qualcoop.errors.ERROR_TYPES`, the error code and message) and the run goes on.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import QualcoopError, error_type
from ..model import Document, Segment
from ..model.schema import CODING_COLUMNS, SEGMENT_COLUMNS, SEGMENT_RESERVED  # the one schema module of table columns

__all__ = ["SEGMENT_COLUMNS", "ErrorRecord", "FileResult", "FileTask", "RunContext", "compiled_codebook",
           "document_record", "process_file", "segment_records"]

#: fixed columns of a segment table (document attributes follow, by name)
SEGMENT_TYPES = {"index": "int", "start": "int", "end": "int", "page": "int", "start_time": "float",
                 "end_time": "float"}

#: names an attribute may not take in a segment row (it is written as ``attr_<name>`` instead)
_RESERVED = SEGMENT_RESERVED


@dataclass(frozen=True)
class FileTask:
    """One input file of a run: its position, path and the document id the driver gave it."""

    index: int
    path: str
    doc_id: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class RunContext:
    """What every worker needs, sent to each worker once (settings + run id + what to return)."""

    settings: Any  # RunSettings
    run_id: str | None = None
    segments: bool = False    # return segment rows (extraction tables)
    documents: bool = False   # return the document (``Document.to_dict()``, with its text)
    codings: bool = True      # code the document (needs ``settings.codebook``)
    #: the columns of the run's one coding table when it is a CSV and nothing else reads the codings: the
    #: worker then returns the table's lines (``FileResult.rendered``) and only ``code_id``/``negated`` per
    #: coding (see ``driver.run``), made without a record dict per row for the standard columns
    csv_columns: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ErrorRecord:
    """A file that failed: its path, a type from :data:`qualcoop.errors.ERROR_TYPES`, code and message."""

    path: str
    type: str
    code: str
    message: str
    error: str = ""  # the exception's class name (e.g. ``EncryptedDocumentError``)

    @classmethod
    def from_exception(cls, path: str, e: BaseException) -> ErrorRecord:
        if isinstance(e, QualcoopError):
            return cls(path, error_type(e), e.code, e.message, type(e).__name__)
        return cls(path, error_type(e), "Q999", f"{path}: {type(e).__name__}: {e}", type(e).__name__)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "type": self.type, "code": self.code, "error": self.error,
                "message": self.message}


@dataclass(frozen=True)
class FileResult:
    """What a worker returns for one file: plain, picklable records, in the run's input order.

    ``codings`` are flat rows with the columns of :data:`qualcoop.model.CODING_COLUMNS` (sorted by
    position, code), or, when the context gave ``csv_columns``, rows of ``code_id`` and ``negated`` only,
    the CSV lines of the full rows being in ``rendered``; ``segments`` are segment-table rows
    (:data:`SEGMENT_COLUMNS` + attributes);
    ``document`` is ``Document.to_dict()`` (only when the run asked for documents).
    """

    index: int
    path: str
    doc_id: str | None = None
    sha256: str | None = None
    document: dict[str, Any] | None = None
    segments: tuple[dict[str, Any], ...] = ()
    codings: tuple[dict[str, Any], ...] = ()
    n_segments: int = 0
    error: ErrorRecord | None = None
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    lang: str | None = field(default=None)
    #: regex time-outs per qualified rule id in this file (summed over the run by RunSummary)
    timeouts: dict[str, int] = field(default_factory=dict)
    language_mismatch: Any = None  # qualcoop.lang.mismatch.LanguageMismatch, summed up once per run
    rendered: str | None = None  # the codings as CSV lines (RunContext.csv_columns), else None

    @property
    def ok(self) -> bool:
        return self.error is None


def document_record(doc: Document) -> dict[str, Any]:
    """A JSON-ready record of a document (with its text, provenance and regions)."""
    return {"record": "document", **doc.to_dict()}


def segment_records(doc: Document, segments: Iterable[Segment]) -> list[dict[str, Any]]:
    """Flat rows for a segment table: :data:`SEGMENT_COLUMNS`, then the document's attributes.

    An attribute whose name collides with a fixed column (or ``record``) is written as ``attr_<name>``.
    """
    src = doc.source
    attrs = {(f"attr_{k}" if k in _RESERVED else k): v for k, v in doc.attributes.items()}
    rows = []
    for s in segments:
        rows.append({
            "doc_id": doc.id,
            "source": src.path if src else None,
            "sha256": src.sha256 if src else None,
            "media_type": src.media_type if src else None,
            "extractor": src.extractor if src else None,
            "lang": doc.lang,
            "unit": s.kind,
            "index": s.index,
            "start": s.start,
            "end": s.end,
            "page": src.page_of(s.start) if src else None,
            "speaker": s.speaker,
            "section": s.section,
            "start_time": s.start_time,
            "end_time": s.end_time,
            "text": doc.text[s.start:s.end],
            **attrs,
        })
    return rows


#: (codebook object, (fingerprint, prefilter), compiled codebook) of the last call: the same object is a
#: hit without hashing; an equal one (a Dask worker unpickles a copy per task) is a hit by fingerprint
_COMPILED: tuple[Any, Any, Any] = (None, None, None)


def compiled_codebook(settings: Any) -> Any:
    """The settings' codebook compiled once per process (cached; forked workers inherit it)."""
    global _COMPILED
    cb, key, compiled = _COMPILED
    if cb is not None and cb is settings.codebook and key[1] == settings.prefilter:
        return compiled
    new_key = (settings.codebook.fingerprint(), settings.prefilter)
    if new_key != key:
        from ..match import compile_codebook

        compiled = compile_codebook(settings.codebook, prefilter=settings.prefilter)
    _COMPILED = (settings.codebook, new_key, compiled)
    return compiled


_HELPER: Any = None


def _extract_collect(path: str, options: Any, doc_id: str | None) -> tuple[Document, list]:
    """Runs in the lean helper: the document and the warnings extraction gave (message, category)."""
    from ..extract import extract_file

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        doc = extract_file(path, options=options, doc_id=doc_id)
    return doc, [(str(w.message), w.category) for w in caught]


def _extract(path: str, options: Any, doc_id: str | None) -> Document:
    """Extract through a lean helper forked before this process loaded spaCy (see
    :mod:`qualcoop.exec.helper`); in-process when there is none (no ``fork``, or spaCy came first)."""
    global _HELPER
    from ..exec.helper import LeanHelper, available
    from ..extract import extract_file, runs_inline

    if runs_inline(path, options):  # a small text file: no sandbox, so no helper either
        return extract_file(path, options=options, doc_id=doc_id)
    helper = _HELPER
    if helper is not None and (helper.owner != os.getpid() or not helper.alive):
        helper = _HELPER = None  # inherited from a parent, or broken: never shared
    if helper is None and available() and "spacy" not in sys.modules:
        helper = _HELPER = LeanHelper()
        if os.environ.get("QUALCOOP_NO_HELPER") == "1":  # pragma: no cover - for comparisons
            helper.close()
            helper = _HELPER = None
        else:
            import atexit
            from multiprocessing import util

            atexit.register(helper.close)
            util.Finalize(helper, helper.close, exitpriority=10)  # pool workers skip atexit
    if helper is None:
        return extract_file(path, options=options, doc_id=doc_id)
    doc, caught = helper.call(_extract_collect, path, options, doc_id)
    for message, category in caught:
        warnings.warn(message, category, stacklevel=2)
    return doc


def close_helper() -> None:
    """End this process's extraction helper (the driver calls it at the end of a run)."""
    global _HELPER
    helper, _HELPER = _HELPER, None
    if helper is not None:
        helper.close()


def process_file(context: RunContext, task: FileTask) -> FileResult:
    """Extract, segment and (if asked) code one file; never raises for a bad file."""
    from ..segment import segment

    settings = context.settings
    t0 = time.perf_counter()
    doc: Document | None = None
    sha = task.sha256
    out: dict[str, Any] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            doc = _extract(task.path, settings.options, task.doc_id)
            sha = doc.source.sha256 if doc.source else sha
            segs = _segment(doc, settings, segment)
            out["n_segments"] = len(segs)
            if context.segments:
                out["segments"] = tuple(segment_records(doc, segs))
            if context.documents:
                out["document"] = doc.to_dict()
            if context.codings and settings.codebook is not None:
                out["codings"] = tuple(_code(context, doc, segs, out))
        except Exception as e:  # per-file isolation: every failure is a record
            return FileResult(task.index, task.path, doc.id if doc else task.doc_id, sha,
                              error=ErrorRecord.from_exception(task.path, e),
                              warnings=_messages(caught), seconds=time.perf_counter() - t0)
    return FileResult(task.index, task.path, doc.id, sha, lang=doc.lang, warnings=_messages(caught),
                      seconds=time.perf_counter() - t0, **out)


def _segment(doc: Document, settings: Any, segment: Any) -> tuple[Segment, ...]:
    """Segments without page furniture (unless ``keep_furniture``); sentences split in the document's
    language, or the run's for documents without one."""
    kw: dict[str, Any] = {}
    if settings.unit == "sentence":
        from ..lang.profile import document_languages

        cb = settings.codebook
        langs = cb.languages if cb is not None and cb.languages else ("en",)
        kw["lang"] = document_languages(doc, lang=settings.lang, codebook_languages=langs)[0]
    return segment(doc, settings.unit, keep_furniture=getattr(settings, "keep_furniture", False), **kw)


def _messages(caught: list) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for w in caught:
        if issubclass(w.category, DeprecationWarning):
            continue
        seen.setdefault(str(w.message), None)
    return tuple(seen)


def _code(context: RunContext, doc: Document, segs: tuple[Segment, ...], out: dict) -> list[dict[str, Any]]:
    from .. import __version__
    from ..match import document_languages
    from ..model import CodingSet, Provenance

    settings = context.settings
    compiled = compiled_codebook(settings)
    cb = compiled.codebook
    prov = Provenance(method="rule", coder=settings.coder, codebook=cb.name, codebook_version=cb.version,
                      tool_version=__version__, run_id=context.run_id)
    from ..lang.mismatch import language_mismatch
    from ..match.apply import _off_furniture

    langs = document_languages(doc, cb, settings.lang)
    codings = compiled.code_document(doc, segs, lang=langs, provenance=prov)
    if not getattr(settings, "keep_furniture", False):
        codings = _off_furniture(doc, codings)
    out["language_mismatch"] = language_mismatch(doc, langs)
    out["timeouts"] = compiled.take_timeouts()  # counts: the run's summary sums them into one warning per rule
    if settings.model is not None:  # branch learn: the trained coder's codings join the rules'
        codings = settings.model.code_document(doc, segs, codings, lang=langs, provenance=prov,
                                               threshold=settings.model_threshold)
        rows = _with_model_columns(CodingSet(codings, documents={doc.id: doc}, codebook=cb).to_records(), codings)
        return _rendered(context, rows, out)
    coded = CodingSet(codings, documents={doc.id: doc}, codebook=cb)
    if context.csv_columns == CODING_COLUMNS:
        from ..export.coding_lines import coding_csv_lines

        out["rendered"] = coding_csv_lines(coded)
        return [{"code_id": c.code_id, "negated": c.negated} for c in coded]
    return _rendered(context, coded.to_records(), out)


def _rendered(context: RunContext, rows: list[dict[str, Any]], out: dict) -> list[dict[str, Any]]:
    """``rows``, or, when the context asks for CSV lines, the lines in ``out["rendered"]`` and the rows
    cut to ``code_id``, ``negated`` and ``method`` (what the run's summary counts)."""
    if context.csv_columns is None:
        return rows
    from ..export.tables import csv_lines

    out["rendered"] = csv_lines(rows, context.csv_columns)
    return [{"code_id": r["code_id"], "negated": r["negated"], "method": r.get("method")} for r in rows]


#: decimals of a trained coder's confidence in tables and in a project (both hold the same value)
CONFIDENCE_DIGITS = 4


def model_columns(c: Any) -> dict[str, Any]:
    """``confidence`` and ``model_features`` (the top-weighted features of a model coding) of coding ``c``
    (``None``: a row without one), as a table written with a trained coder holds them."""
    conf = None if c is None else c.confidence
    return {"confidence": None if conf is None else round(conf, CONFIDENCE_DIGITS),
            "model_features": (c.provenance.details.get("features", "") if c is not None else "") or ""}


def _with_model_columns(records: list[dict[str, Any]], codings: list) -> list[dict[str, Any]]:
    """Add :func:`model_columns` to each record."""
    extra = {(c.doc_id, c.start, c.end, c.code_id): c for c in codings}
    for r in records:
        r.update(model_columns(extra.get((r["doc_id"], r["start"], r["end"], r["code_id"]))))
    return records
