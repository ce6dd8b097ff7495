"""extract -> segment -> code, as plain functions the CLI (and notebooks) drive.

Nothing here prints: progress is reported through an optional callback and
failures come back as :class:`~qualcoop.errors.Failure` records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .corpus import Corpus
from .errors import Failure, QualcoopError
from .extract.base import ExtractOptions
from .model import Document, Segment
from .model.schema import SEGMENT_COLUMNS, SEGMENT_RESERVED
from .segment import segment

__all__ = ["SEGMENT_COLUMNS", "code_documents", "iter_segmented", "segment_records", "document_record"]

# the columns live in the one schema module; re-exported here (``from qualcoop.pipeline import SEGMENT_COLUMNS``)
_RESERVED = SEGMENT_RESERVED

Progress = Callable[[str], None]


def iter_segmented(
    paths: Iterable[str | Path],
    *,
    unit: str = "paragraph",
    recursive: bool = True,
    options: ExtractOptions | None = None,
    progress: Progress | None = None,
) -> Iterator[tuple[Document, tuple[Segment, ...]] | Failure]:
    """Extract and segment every file under ``paths``, one at a time.

    Yields ``(document, segments)`` for files that work and a :class:`Failure` for those
    that do not (the run goes on). ``progress`` is called with each path when it is done.
    """
    corpus = Corpus.from_paths(paths, recursive=recursive, options=options)
    for path, result in zip(corpus.paths, corpus.iter_results()):
        if isinstance(result, Failure):
            yield result
        else:
            try:
                yield result, segment(result, unit)
            except QualcoopError as e:  # e.g. sentences of a language without a profile
                yield Failure(str(path), e)
        if progress is not None:
            progress(str(path))


def code_documents(documents: Iterable[Document], codebook: Any, *, unit: str = "paragraph",
                   lang: str | None = None, coder: str = "qualcoop") -> tuple[Any, list[Failure]]:
    """Code documents one at a time so that one bad document fails alone.

    Returns the :class:`~qualcoop.model.CodingSet` of every document that could be coded
    (one deterministic run id for the whole batch) and a :class:`Failure` for each that
    could not (for example a language with no profile). ``codebook`` may be compiled.
    """
    import warnings as _warnings

    from .match import CompiledCodebook, apply_codebook, compile_codebook, make_run_id
    from .model import CodingSet

    compiled = codebook if isinstance(codebook, CompiledCodebook) else compile_codebook(codebook)
    docs = list(documents)
    run_id = make_run_id(compiled.codebook, docs, unit=unit, lang=lang)
    codings: list = []
    kept: dict[str, Document] = {}
    failures: list[Failure] = []
    messages: list[str] = []
    for doc in docs:
        with _warnings.catch_warnings(record=True):
            _warnings.simplefilter("ignore")  # collected below, once per run, from the coding sets
            try:
                part = apply_codebook([doc], compiled, unit=unit, lang=lang, coder=coder, run_id=run_id)
            except QualcoopError as e:
                failures.append(Failure(doc.source.path if doc.source else doc.id, e))
                continue
        codings.extend(part)
        kept[doc.id] = doc
        messages.extend(m for m in part.warnings if m not in messages)
    return CodingSet(codings, documents=kept, codebook=compiled.codebook, warnings=messages), failures


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
