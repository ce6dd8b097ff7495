"""extract -> segment -> code, as plain functions the CLI (and notebooks) drive.

Nothing here prints: progress is reported through an optional callback and
failures come back as :class:`~qualcoop.errors.Failure` records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .corpus import Corpus
from .errors import Failure
from .extract.base import ExtractOptions
from .model import Document, Segment
from .segment import segment

__all__ = ["SEGMENT_COLUMNS", "iter_segmented", "segment_records", "document_record"]

#: fixed columns of a segment table (document attributes follow, by name)
SEGMENT_COLUMNS = (
    "doc_id", "source", "sha256", "media_type", "extractor", "lang", "unit", "index", "start", "end",
    "page", "speaker", "section", "start_time", "end_time", "text",
)

#: names an attribute may not take in a segment row (it is written as ``attr_<name>`` instead)
_RESERVED = frozenset({*SEGMENT_COLUMNS, "record"})

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
            yield result, segment(result, unit)
        if progress is not None:
            progress(str(path))


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
