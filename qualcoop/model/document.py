"""Documents, their provenance and the segment views over them.

The one rule: ``Document.text`` is final once extracted, and every offset is a
half-open ``str`` index into it, so ``doc.text[seg.start:seg.end]`` is always the
segment's text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


class FrozenMap(Mapping[str, Any]):
    """A small immutable, hashable, picklable mapping (for attributes and options)."""

    __slots__ = ("_d", "_h")

    def __init__(self, data: Mapping[str, Any] | None = None, /, **kw: Any) -> None:
        d = dict(data or {})
        d.update(kw)
        self._d = {k: d[k] for k in sorted(d)}
        self._h: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self._d[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __hash__(self) -> int:
        if self._h is None:
            self._h = hash(tuple((k, _hashable(v)) for k, v in self._d.items()))
        return self._h

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._d) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._d!r})"

    def __reduce__(self):
        return (FrozenMap, (self._d,))

    def to_dict(self) -> dict[str, Any]:
        return dict(self._d)


def _hashable(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _hashable(x)) for k, x in v.items()))
    return v


def freeze(mapping: Mapping[str, Any] | None) -> FrozenMap:
    return mapping if isinstance(mapping, FrozenMap) else FrozenMap(mapping or {})


@dataclass(frozen=True)
class Region:
    """A structural span an extractor knows about, with offsets into ``Document.text``.

    ``kind`` is one of ``"turn"`` (a speaker turn; ``label`` is the speaker),
    ``"cue"`` (one subtitle cue), ``"heading"`` (``label`` is the heading level, e.g. ``"1"``),
    ``"page"``, ``"table"``, ``"footnote"``, ``"endnote"``, ``"textbox"``, ``"header"`` / ``"footer"``
    (page furniture: a running header, footer or page number line; segments leave it out), and from web
    pages ``"paragraph"``, ``"list"``, ``"list_item"``. (Markdown front matter is
    not text: the document text starts after it, at ``source.details["body_offset"]`` in the file.)
    Times are in seconds, where the source has them.
    """

    kind: str
    start: int
    end: int
    label: str | None = None
    start_time: float | None = None
    end_time: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("kind", "start", "end", "label", "start_time", "end_time")}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Region:
        return cls(**{k: d.get(k) for k in ("kind", "start", "end", "label", "start_time", "end_time")})


@dataclass(frozen=True)
class Source:
    """Where a document's text came from and how it was extracted."""

    path: str
    sha256: str
    media_type: str
    extractor: str
    extractor_version: str
    size: int = 0
    page_starts: tuple[int, ...] = ()
    details: FrozenMap = field(default_factory=FrozenMap)  # e.g. encoding, confidence, engine

    def __post_init__(self) -> None:
        object.__setattr__(self, "page_starts", tuple(self.page_starts))
        object.__setattr__(self, "details", freeze(self.details))

    def page_of(self, offset: int) -> int | None:
        """1-based page number holding ``offset`` (``None`` for sources without pages)."""
        if not self.page_starts:
            return None
        import bisect

        return bisect.bisect_right(self.page_starts, offset)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "media_type": self.media_type,
            "extractor": self.extractor,
            "extractor_version": self.extractor_version,
            "size": self.size,
            "page_starts": list(self.page_starts),
            "details": self.details.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Source:
        return cls(
            path=d["path"],
            sha256=d["sha256"],
            media_type=d["media_type"],
            extractor=d["extractor"],
            extractor_version=d["extractor_version"],
            size=d.get("size", 0),
            page_starts=tuple(d.get("page_starts", ())),
            details=FrozenMap(d.get("details") or {}),
        )


@dataclass(frozen=True)
class Document:
    """Extracted text with its attributes, provenance and known structure."""

    id: str
    text: str
    lang: str | None = None
    attributes: FrozenMap = field(default_factory=FrozenMap)
    source: Source | None = None
    regions: tuple[Region, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "attributes", freeze(self.attributes))
        object.__setattr__(self, "regions", tuple(self.regions))
        n = len(self.text)
        for r in self.regions:
            if not (0 <= r.start <= r.end <= n):
                raise ValueError(f"document {self.id!r}: region {r} is outside the text (length {n})")

    def regions_of(self, kind: str) -> tuple[Region, ...]:
        return tuple(r for r in self.regions if r.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lang": self.lang,
            "attributes": self.attributes.to_dict(),
            "source": self.source.to_dict() if self.source else None,
            "regions": [r.to_dict() for r in self.regions],
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Document:
        return cls(
            id=d["id"],
            text=d["text"],
            lang=d.get("lang"),
            attributes=FrozenMap(d.get("attributes") or {}),
            source=Source.from_dict(d["source"]) if d.get("source") else None,
            regions=tuple(Region.from_dict(r) for r in d.get("regions") or ()),
        )


@dataclass(frozen=True)
class Segment:
    """A view ``[start, end)`` into one document's text; never a copy of it."""

    doc_id: str
    start: int
    end: int
    kind: str
    index: int
    speaker: str | None = None
    section: str | None = None
    start_time: float | None = None
    end_time: float | None = None

    def text_in(self, doc: Document) -> str:
        if doc.id != self.doc_id:
            raise ValueError(f"segment of {self.doc_id!r} asked for text of {doc.id!r}")
        return doc.text[self.start : self.end]

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "index": self.index,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "section": self.section,
            "start_time": self.start_time,
            "end_time": self.end_time,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Segment:
        return cls(**{k: d.get(k) for k in (
            "doc_id", "start", "end", "kind", "index", "speaker", "section", "start_time", "end_time")})
