"""Documents coded in one language that look like another: warnings, once per document.

The language a document is coded in is the user's setting (its ``languages``/``lang``
attribute, ``Document.lang``, the run's ``--lang``, the codebook's first language); the
offline detector (:mod:`qualcoop.lang.detect`) never changes it. When the detector is
*confident* that a document is in a language other than all of the ones it is coded in,
the run says so, naming the file and the fix (``--lang`` or a ``lang:`` metadata entry).
Coding Indonesian news with English rules gave 29 codings instead of 167, silently.

:func:`language_mismatch` checks one document; :func:`mismatch_messages` turns the
mismatches of a run into warning lines, one per (coded, detected) pair, each naming every
file. The library returns these lines (``CodingSet.warnings``); only the CLI prints them.

Examples
--------
>>> from qualcoop.model import Document
>>> text = "Kerja sama antara Indonesia dengan ILO yang telah berjalan sejak tahun itu. " * 4
>>> m = language_mismatch(Document("berita", text), ("en",))
>>> (m.coded, m.detected)
('en', 'id')
>>> print(mismatch_messages([m])[0])  # doctest: +ELLIPSIS
1 document(s) coded as en look id (detector confidence >= 0.8): berita; pass `--lang id` ...
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Document

__all__ = ["LanguageMismatch", "language_mismatch", "mismatch_messages", "MIN_CONFIDENCE", "MIN_MARKERS"]

#: detector confidence from which a mismatch is reported
MIN_CONFIDENCE = 0.6
#: marker words a text needs before the detector is trusted at all
MIN_MARKERS = 12
#: the detector reads at most this many characters of a document (speed; enough to be sure)
_SAMPLE = 200_000

_NAMES = {"en": "English", "id": "Indonesian"}


@dataclass(frozen=True)
class LanguageMismatch:
    """A document coded as ``coded`` that the detector reads as ``detected``."""

    doc_id: str
    path: str | None
    coded: str
    detected: str
    confidence: float

    @property
    def name(self) -> str:
        """The file name (or the document id) shown to the user."""
        if self.path:
            return self.path.replace("\\", "/").rsplit("/", 1)[-1]
        return self.doc_id


def language_mismatch(doc: Document, coded: Sequence[str], *, min_confidence: float = MIN_CONFIDENCE
                      ) -> LanguageMismatch | None:
    """A :class:`LanguageMismatch` when ``doc`` confidently looks like none of ``coded``, else ``None``.

    Parameters
    ----------
    doc : Document
        The document.
    coded : sequence of str
        The languages it is coded in, primary first.
    min_confidence : float
        Detector confidence needed (see :func:`qualcoop.lang.detect.detect_language`).
    """
    from .detect import MARKERS, _counts, decide

    counts = _counts(doc.text[:_SAMPLE])
    detected, confidence = decide(counts)
    if detected is None or detected in coded or not coded or confidence < min_confidence:
        return None
    if detected not in MARKERS or sum(counts.values()) < MIN_MARKERS:
        return None
    path = doc.source.path if doc.source is not None else None
    return LanguageMismatch(doc.id, path, coded[0], detected, confidence)


def mismatch_messages(mismatches: Iterable[LanguageMismatch | None]) -> list[str]:
    """One warning line per (coded, detected) pair naming every file and the fix; ordered.

    A document appears once however often it was checked.
    """
    groups: dict[tuple[str, str], dict[str, LanguageMismatch]] = {}
    for m in mismatches:
        if m is not None:
            groups.setdefault((m.coded, m.detected), {}).setdefault(m.doc_id, m)
    out = []
    for (coded, detected), docs in sorted(groups.items()):
        items = sorted(docs.values(), key=lambda m: (m.name, m.doc_id))
        low = min(m.confidence for m in items)
        names = ", ".join(m.name for m in items)
        out.append(
            f"{len(items)} document(s) coded as {coded} look {detected} (detector confidence >= "
            f"{low:.1f}): {names}; pass `--lang {detected}` (for documents without a language) or "
            f"set `lang: {detected}` in their metadata ({_NAMES.get(detected, detected)} rules and "
            f"sentence splitting are used only then)")
    return out
