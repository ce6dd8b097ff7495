"""Page furniture (running headers, footers, page numbers) left out of segments.

PDF extraction marks text repeated at the top or bottom of most pages as
``Region(kind="header")`` / ``Region(kind="footer")`` (:mod:`qualcoop.extract.furniture`).
The text stays where it is (offsets never change); it is just no segment: every segmenter's
output goes through :func:`drop_furniture` unless ``keep_furniture=True``. A segment that
holds furniture at its start or end is shrunk to the rest; one that is all furniture is
dropped; furniture inside a longer segment (a whole document, an article) stays inside it,
and coding ignores evidence found there (:func:`qualcoop.match.apply_codebook`).
"""

from __future__ import annotations

import bisect
import dataclasses

from ..model import Document, Segment
from .paragraphs import strip_span

__all__ = ["FURNITURE_KINDS", "drop_furniture", "furniture_spans", "inside"]

#: region kinds that are page furniture
FURNITURE_KINDS = frozenset({"header", "footer"})


def furniture_spans(doc: Document) -> tuple[tuple[int, int], ...]:
    """Sorted, merged ``(start, end)`` spans of the document's header and footer regions."""
    spans = sorted((r.start, r.end) for r in doc.regions if r.kind in FURNITURE_KINDS and r.end > r.start)
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return tuple((s, e) for s, e in merged)


def inside(spans: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies within one of ``spans`` (sorted, merged)."""
    i = bisect.bisect_right(spans, (start, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= start and end <= spans[i][1]


def _pieces(text: str, spans, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` minus the spans, each piece stripped of white space, empty ones left out."""
    out = []
    pos = start
    for s, e in spans:
        if e <= pos or s >= end:
            continue
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if pos < end:
        out.append((pos, end))
    stripped = [strip_span(text, a, b) for a, b in out]
    return [(a, b) for a, b in stripped if b > a]


def drop_furniture(doc: Document, segments: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """``segments`` without the document's page furniture, re-indexed from 0.

    Examples
    --------
    >>> from qualcoop.model import Document, Region, Segment
    >>> doc = Document("d", "Annual Report 3\\nBody text.", regions=(Region("header", 0, 15),))
    >>> [doc.text[s.start:s.end] for s in drop_furniture(doc, (Segment("d", 0, 26, "paragraph", 0),))]
    ['Body text.']
    """
    spans = furniture_spans(doc)
    if not spans:
        return segments
    out: list[Segment] = []
    for seg in segments:
        pieces = _pieces(doc.text, spans, seg.start, seg.end)
        if not pieces:
            continue
        start, end = pieces[0][0], pieces[-1][1]
        out.append(dataclasses.replace(seg, start=start, end=end, index=len(out)))
    return tuple(out)
