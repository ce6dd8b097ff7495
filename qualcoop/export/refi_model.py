"""The in-memory project that REFI-QDA ``.qdpx`` files are read into and written from.

A :class:`QdaProject` is plain values: qualcoop's own :class:`~qualcoop.model.Document`,
:class:`~qualcoop.model.Codebook` and :class:`~qualcoop.model.Coding`, plus what REFI-QDA adds
(users, notes, sets) and the report of what an import could not carry over. It is what a project
store imports and exports; the store decides nothing about the format.

Offsets are the usual half-open Python ``str`` indices into ``Document.text``; REFI-QDA
positions (code points, or UTF-16 code units as NVivo writes them) are converted at the edge by
:func:`utf16_to_index` / :func:`index_to_utf16`.
"""

from __future__ import annotations

import bisect
import re
import uuid
from dataclasses import dataclass, field

from ..codebook.qdc import QUALCOOP_GUID_NAMESPACE
from ..model import Codebook, Coding, CodingSet, Document

__all__ = ["QdaProject", "QdaNote", "QdaSet", "guid_for", "utf16_to_index", "index_to_utf16",
           "utf16_length"]


def guid_for(*parts: str) -> str:
    """A deterministic GUID (upper-case uuid5 in qualcoop's namespace) for the joined ``parts``."""
    return str(uuid.uuid5(QUALCOOP_GUID_NAMESPACE, "/".join(parts))).upper()


@dataclass(frozen=True)
class QdaNote:
    """A memo. ``target`` says what it is about: ``("project",)``, ``("document", doc_id)``,
    ``("code", code_id)`` or ``("selection", doc_id, start, end)``."""

    name: str
    text: str
    target: tuple = ("project",)
    author: str | None = None
    created: str | None = None


@dataclass(frozen=True)
class QdaSet:
    """A named group of documents and/or codes."""

    name: str
    description: str = ""
    doc_ids: tuple[str, ...] = ()
    code_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class QdaProject:
    """A coded project as REFI-QDA sees it.

    Attributes
    ----------
    name : str
    codebook : Codebook
    documents : tuple of Document
        Texts with their attributes (variables, and ``case`` for the case(s) a document is in).
    codings : tuple of Coding
        ``provenance.coder`` is the user's name; ``provenance.details["created"]`` the date.
    users : tuple of str
        Coder names, in file order.
    notes, sets : tuple
    origin : str
        The tool that wrote the file (``"NVivo for Windows 12.6"``).
    report : tuple of str
        What an import could not carry over or had to repair (empty for a clean file).
    """

    name: str
    codebook: Codebook
    documents: tuple[Document, ...] = ()
    codings: tuple[Coding, ...] = ()
    users: tuple[str, ...] = ()
    notes: tuple[QdaNote, ...] = ()
    sets: tuple[QdaSet, ...] = ()
    origin: str = ""
    report: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        for name in ("documents", "codings", "users", "notes", "sets", "report"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def document(self, doc_id: str) -> Document:
        for d in self.documents:
            if d.id == doc_id:
                return d
        raise KeyError(f"project {self.name!r} has no document {doc_id!r}")

    def coding_set(self) -> CodingSet:
        """The codings as a :class:`~qualcoop.model.CodingSet` (for the analysis functions)."""
        return CodingSet(self.codings, documents={d.id: d for d in self.documents}, codebook=self.codebook,
                         warnings=self.report)


# --------------------------------------------------------------------------- offsets


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def _utf16_prefix(text: str) -> list[int]:
    """Code-point indices of the characters outside the BMP (each counts 2 UTF-16 units)."""
    return [m.start() for m in _ASTRAL.finditer(text)]


def utf16_length(text: str) -> int:
    """The length of ``text`` in UTF-16 code units."""
    return len(text) + sum(1 for _ in _ASTRAL.finditer(text))


def utf16_to_index(text: str, positions: list[int]) -> list[int | None]:
    """UTF-16 code-unit positions -> ``str`` indices (``None`` for a position inside a surrogate
    pair or past the end)."""
    astral = _utf16_prefix(text)
    # unit position of astral char k is astral[k] + k; a position p maps to index p - (#astral before)
    units = [a + k for k, a in enumerate(astral)]
    total = len(text) + len(astral)
    out: list[int | None] = []
    for p in positions:
        if p < 0 or p > total:
            out.append(None)
            continue
        before = bisect.bisect_right(units, p - 2)  # astral characters that end at or before p
        if before < len(units) and units[before] == p - 1:
            out.append(None)  # between the two halves of a surrogate pair
            continue
        out.append(p - before)
    return out


def index_to_utf16(text: str, indices: list[int]) -> list[int]:
    """``str`` indices -> UTF-16 code-unit positions."""
    astral = _utf16_prefix(text)
    return [i + bisect.bisect_left(astral, i) for i in indices]
