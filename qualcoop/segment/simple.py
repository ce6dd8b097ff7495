"""The whole document as one segment (leading and trailing white space left out)."""

from __future__ import annotations

from ..model import Document, Segment


def segment_document(doc: Document) -> tuple[Segment, ...]:
    text = doc.text
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if end <= start:
        return ()
    return (Segment(doc_id=doc.id, start=start, end=end, kind="document", index=0),)
