"""Speaker turns (``"turn"``): one segment per ``Region(kind="turn")`` of the document.

``speaker`` is the region's label and the turn's start/end times are copied. Turn
regions that overlap are clipped (a turn starts no earlier than the previous one ends),
white space at either end is left out, and empty turns are dropped. Text outside every
turn (a transcript's header) belongs to no turn segment.

A document with no turn regions (a policy PDF in a mixed batch run with ``--unit turn``)
does not fail: by default it falls back to paragraphs, whose segments say so with kind
``"paragraph"``. ``fallback="document"`` gives the whole document as one segment
(kind ``"document"``) and ``fallback="error"`` raises
:class:`~qualcoop.errors.SegmentationError`.
"""

from __future__ import annotations

from ..errors import SegmentationError
from ..model import Document, Segment
from .paragraphs import segment_paragraphs, strip_span, turn_ranges

__all__ = ["segment_turns", "FALLBACKS"]

#: what to do with a document that has no turn regions
FALLBACKS = ("paragraph", "document", "error")


def segment_turns(doc: Document, *, fallback: str = "paragraph") -> tuple[Segment, ...]:
    """Split ``doc`` into its speaker turns.

    Parameters
    ----------
    doc : Document
        The document (turns come from its ``Region(kind="turn")`` regions).
    fallback : {"paragraph", "document", "error"}
        What a document without turn regions gives: its paragraphs (default), one
        document segment, or a :class:`~qualcoop.errors.SegmentationError`.

    Returns
    -------
    tuple of Segment
        Kind ``"turn"`` (or the fallback's kind), ordered, non-overlapping, stripped.

    Raises
    ------
    SegmentationError
        With ``fallback="error"`` for a document without turns, or an unknown ``fallback``.

    Examples
    --------
    >>> from qualcoop.model import Document, Region
    >>> doc = Document(id="d", text="A: hello there\\nB: hi", regions=(
    ...     Region("turn", 3, 15, "A"), Region("turn", 18, 20, "B")))
    >>> [(s.speaker, doc.text[s.start:s.end]) for s in segment_turns(doc)]
    [('A', 'hello there'), ('B', 'hi')]
    """
    if fallback not in FALLBACKS:
        raise SegmentationError(f"unknown turn fallback {fallback!r}; expected one of {', '.join(FALLBACKS)}")
    spans = turn_ranges(doc, include_gaps=False)
    if not spans:
        if fallback == "paragraph":
            return segment_paragraphs(doc)
        if fallback == "document":
            from .simple import segment_document

            return segment_document(doc)
        raise SegmentationError(f"document {doc.id!r} has no speaker turns (no turn regions); "
                                f"use another unit or fallback='paragraph'")
    text = doc.text
    out: list[Segment] = []
    for span in spans:
        s, e = strip_span(text, span.start, span.end)
        if e > s:
            out.append(Segment(doc_id=doc.id, start=s, end=e, kind="turn", index=len(out),
                               speaker=span.speaker, start_time=span.start_time, end_time=span.end_time))
    return tuple(out)
