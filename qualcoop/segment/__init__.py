"""Document -> segments: views ``[start, end)`` into the untouched text.

Units: ``document``, ``turn``, ``paragraph``, ``sentence``, ``article`` (alias
``section``) and ``window``. Each is a registered segmenter
(:data:`qualcoop.registry.segmenters`, ``"<unit>.v1"``) returning a tuple of
:class:`~qualcoop.model.Segment` ordered by start, non-overlapping, in bounds.
"""

from __future__ import annotations

from typing import Any

from ..model import Document, Segment
from ..registry import segmenters

__all__ = ["UNITS", "segment"]

UNITS = ("document", "turn", "paragraph", "sentence", "article", "window")
_ALIASES = {"section": "article", "doc": "document", "turns": "turn", "paragraphs": "paragraph",
            "sentences": "sentence", "articles": "article", "sections": "article", "windows": "window"}


def segment(doc: Document, unit: str = "paragraph", *, keep_furniture: bool = False,
            **options: Any) -> tuple[Segment, ...]:
    """Split ``doc`` into segments of ``unit``.

    Options are passed to the unit's segmenter (e.g. ``size=``/``step=`` for windows);
    an option the segmenter does not take raises ``TypeError``. Page furniture (regions of
    kind ``header``/``footer``: running headers, footers, page numbers) is left out of the
    segments unless ``keep_furniture`` (see :mod:`qualcoop.segment.furniture`).

    Examples
    --------
    >>> from qualcoop.model import Document
    >>> doc = Document(id="d", text="One.\\n\\nTwo.")
    >>> [doc.text[s.start:s.end] for s in segment(doc, "paragraph")]
    ['One.', 'Two.']
    """
    unit = _ALIASES.get(unit, unit)
    segs = segmenters.resolve(unit)[1](doc, **options)  # "unit" or "unit.vN"; plugins' units too
    if keep_furniture:
        return segs
    from .furniture import drop_furniture

    return drop_furniture(doc, segs)
