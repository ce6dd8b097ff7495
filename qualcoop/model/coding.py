"""Codings (a code applied to a span of a document) with their evidence and provenance."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .codebook import Codebook
from .document import Document, FrozenMap
from .schema import CODING_COLUMNS  # the one schema module of table columns; re-exported here

#: How a coding was made.
METHODS = ("rule", "manual", "topic", "import", "model", "rule+model")


@dataclass(frozen=True, order=True)
class Evidence:
    """One matched span that supports a coding: which rule fired on which words."""

    start: int
    end: int
    text: str
    rule_id: str
    negated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text,
                "rule_id": self.rule_id, "negated": self.negated}


@dataclass(frozen=True)
class Provenance:
    """Who or what made a coding, with which codebook and tool version, in which run."""

    method: str
    coder: str
    codebook: str | None = None
    codebook_version: str | None = None
    tool_version: str | None = None
    run_id: str | None = None
    details: FrozenMap = field(default_factory=FrozenMap)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "coder": self.coder, "codebook": self.codebook,
                "codebook_version": self.codebook_version, "tool_version": self.tool_version,
                "run_id": self.run_id, "details": self.details.to_dict()}


@dataclass(frozen=True)
class Coding:
    """A code applied to ``[start, end)`` of a document (usually one segment)."""

    doc_id: str
    start: int
    end: int
    code_id: str
    provenance: Provenance
    segment_index: int | None = None
    unit: str | None = None
    speaker: str | None = None
    evidence: tuple[Evidence, ...] = ()
    confidence: float | None = None

    def __post_init__(self) -> None:
        ev = tuple(self.evidence)
        object.__setattr__(self, "evidence", tuple(sorted(ev)) if len(ev) > 1 else ev)

    @property
    def negated(self) -> bool:
        """True when every piece of evidence lies in a negation scope."""
        return bool(self.evidence) and all(e.negated for e in self.evidence)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(sorted({e.rule_id for e in self.evidence}))

    def sort_key(self) -> tuple:
        return (self.doc_id, self.start, self.end, self.code_id, self.provenance.coder)

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "start": self.start, "end": self.end, "code_id": self.code_id,
                "segment_index": self.segment_index, "unit": self.unit, "speaker": self.speaker,
                "evidence": [e.to_dict() for e in self.evidence], "confidence": self.confidence,
                "provenance": self.provenance.to_dict()}


def evidence_json(evidence: Iterable[Evidence]) -> str:
    """Evidence as a compact JSON list ``[[start, end, rule_id, negated], ...]`` (document offsets),
    so a coded table read back knows exactly which rule matched which words."""
    # the text json.dumps([[start, end, rule_id, negated], ...], ensure_ascii=False, separators=(",", ":"))
    # gives, built from parts (a coding table writes one per row)
    return "[" + ",".join(f"[{e.start},{e.end},{_json_str(e.rule_id)},{'true' if e.negated else 'false'}]"
                          for e in evidence) + "]"


@functools.lru_cache(maxsize=4096)
def _json_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def evidence_from_json(value: str, text: str) -> tuple[Evidence, ...]:
    """The inverse of :func:`evidence_json`; ``text`` is the document text the offsets point into."""
    return tuple(Evidence(int(s), int(e), text[int(s):int(e)], str(r), bool(n))
                 for s, e, r, n in json.loads(value or "[]"))


class CodingSet:
    """An immutable, ordered set of codings, with the documents and codebook they refer to.

    Iteration order is deterministic: by document, start, end, code, coder.
    """

    __slots__ = ("_codings", "documents", "codebook", "warnings")

    def __init__(
        self,
        codings: Iterable[Coding] = (),
        *,
        documents: Mapping[str, Document] | None = None,
        codebook: Codebook | None = None,
        warnings: Iterable[str] = (),
    ) -> None:
        unique = {(c.sort_key(), c.provenance.method): c for c in codings}
        self._codings: tuple[Coding, ...] = tuple(unique[k] for k in sorted(unique))
        self.documents: Mapping[str, Document] = dict(documents or {})
        self.codebook = codebook
        self.warnings: tuple[str, ...] = tuple(warnings)

    def __len__(self) -> int:
        return len(self._codings)

    def __iter__(self) -> Iterator[Coding]:
        return iter(self._codings)

    def __getitem__(self, i: int) -> Coding:
        return self._codings[i]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CodingSet) and self._codings == other._codings

    def __repr__(self) -> str:
        return f"CodingSet({len(self)} codings, {len({c.doc_id for c in self})} documents)"

    def _repr_html_(self) -> str:
        """Jupyter view: counts and the first codings, every user string escaped."""
        from .html import codingset_html

        return codingset_html(self)

    def filter(self, *, code_id: str | None = None, doc_id: str | None = None) -> CodingSet:
        keep = [c for c in self._codings
                if (code_id is None or c.code_id == code_id) and (doc_id is None or c.doc_id == doc_id)]
        return CodingSet(keep, documents=self.documents, codebook=self.codebook)

    def union(self, other: CodingSet) -> CodingSet:
        docs = {**self.documents, **other.documents}
        return CodingSet((*self, *other), documents=docs, codebook=self.codebook or other.codebook)

    def to_records(self) -> list[dict[str, Any]]:
        """One flat record per coding, with the columns in :data:`CODING_COLUMNS`."""
        rows = []
        codes: dict[str, Any] = {}  # code id -> code (or None), looked up once per call
        for c in self._codings:
            doc = self.documents.get(c.doc_id)
            code = codes.get(c.code_id, False)
            if code is False:
                code = codes[c.code_id] = (self.codebook.get(c.code_id)
                                           if self.codebook and c.code_id in self.codebook else None)
            p = c.provenance
            rows.append({
                "doc_id": c.doc_id,
                "source": doc.source.path if doc is not None and doc.source else None,
                "unit": c.unit,
                "segment_index": c.segment_index,
                "start": c.start,
                "end": c.end,
                "speaker": c.speaker,
                "code_id": c.code_id,
                "code_name": code.name if code else None,
                "parent_id": code.parent if code else None,
                "rule_ids": ";".join(c.rule_ids),
                "matched_terms": ";".join(e.text for e in c.evidence),
                "negated": c.negated,
                "text": doc.text[c.start:c.end] if doc is not None else None,
                "coder": p.coder,
                "method": p.method,
                "codebook": p.codebook,
                "codebook_version": p.codebook_version,
                "qualcoop_version": p.tool_version,
                "run_id": p.run_id,
                "evidence": evidence_json(c.evidence),
            })
        return rows

    def to_frame(self):
        """A pandas DataFrame with the columns in :data:`CODING_COLUMNS`."""
        import pandas as pd

        return pd.DataFrame(self.to_records(), columns=list(CODING_COLUMNS))
