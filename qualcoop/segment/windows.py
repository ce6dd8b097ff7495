"""Fixed-size word windows (``"window"``).

A word is a maximal run of non-white-space characters, so windows always start and end
on word boundaries and never cut a word (punctuation stays attached to its word). Window
``i`` holds words ``[i*step, i*step + size)``; the last window may be shorter, and
windowing stops at the first window that reaches the last word. With ``step < size``
windows overlap (by design: rolling windows); with ``step > size`` words between windows
belong to none. ``within="paragraph"`` (or ``"turn"``) restarts the windows in every
paragraph (turn), so no window crosses one, and windows carry its speaker and section.
"""

from __future__ import annotations

import re
from array import array

from ..errors import SegmentationError
from ..model import Document, Segment

__all__ = ["segment_windows", "WITHIN"]

#: the units windows may be confined to
WITHIN = ("document", "paragraph", "turn")

_WORD = re.compile(r"\S+")


def segment_windows(
    doc: Document,
    *,
    size: int = 200,
    step: int | None = None,
    within: str = "document",
) -> tuple[Segment, ...]:
    """Split ``doc`` into windows of ``size`` words, one every ``step`` words.

    Parameters
    ----------
    doc : Document
        The document.
    size : int
        Words per window (at least 1).
    step : int, optional
        Words between window starts (at least 1); default ``size`` (adjacent windows).
    within : {"document", "paragraph", "turn"}
        Restart windows in every paragraph / turn (turns fall back to paragraphs in a
        document without turns), carrying its speaker and section.

    Returns
    -------
    tuple of Segment
        Kind ``"window"``, ordered by start; non-overlapping unless ``step < size``.

    Raises
    ------
    SegmentationError
        For a ``size``/``step`` below 1 or an unknown ``within``.

    Examples
    --------
    >>> from qualcoop.model import Document
    >>> doc = Document(id="d", text="a b c d e")
    >>> [doc.text[s.start:s.end] for s in segment_windows(doc, size=2)]
    ['a b', 'c d', 'e']
    """
    step = size if step is None else step
    for name, value in (("size", size), ("step", step)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SegmentationError(f"window {name} must be a whole number of at least 1, not {value!r}")
    if within not in WITHIN:
        raise SegmentationError(f"unknown window scope within={within!r}; expected one of {', '.join(WITHIN)}")
    text = doc.text
    if within == "document":
        containers = [(0, len(text), None, None)]
    else:
        if within == "paragraph":
            from .paragraphs import segment_paragraphs

            units = segment_paragraphs(doc)
        else:
            from .turns import segment_turns

            units = segment_turns(doc)
        containers = [(u.start, u.end, u.speaker, u.section) for u in units]
    out: list[Segment] = []
    for start, end, speaker, section in containers:
        starts = array("q")
        ends = array("q")
        for m in _WORD.finditer(text, start, end):
            starts.append(m.start())
            ends.append(m.end())
        n = len(starts)
        for first in range(0, n, step):
            last = min(first + size, n) - 1
            out.append(Segment(doc_id=doc.id, start=starts[first], end=ends[last], kind="window",
                               index=len(out), speaker=speaker, section=section))
            if first + size >= n:
                break
    return tuple(out)
