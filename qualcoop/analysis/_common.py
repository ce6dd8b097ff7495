"""Shared helpers for the analysis functions: segment ids, attributes, code order, word counts.

Internal: the public functions document what they compute; this module keeps them consistent.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import AnalysisError
from ..model import Codebook, Coding, CodingSet, Document

#: the value used for a coding whose document has no such attribute (or no document is known)
MISSING = "(none)"

#: a word: letters/digits, with inner hyphens or apostrophes (``kerja-sama``, ``don't``)
WORD_RE = re.compile(r"\w+(?:[-'\u2019]\w+)*")

#: attributes that are not document attributes but come from the coding or the document itself
PSEUDO_ATTRIBUTES = ("doc_id", "document", "speaker", "unit", "lang", "year", "code_id")


#: how the tables treat negated codings ("No problem.", "training never happened"): ``exclude``
#: (the default: a negated coding is not evidence that the code applies), ``include`` (count them
#: with the positive ones, as before) or ``only`` (the negated codings on their own)
NEGATED_CHOICES = ("exclude", "include", "only")


def select_negated(codings: CodingSet, negated: str) -> CodingSet:
    """The codings a table counts under the ``negated`` policy (see :data:`NEGATED_CHOICES`).

    A coding is negated when every match behind it lies in a negation scope (``Coding.negated``).
    Documents and codebook are kept, so group sizes do not change.
    """
    if negated not in NEGATED_CHOICES:
        raise AnalysisError(f"negated must be one of {', '.join(NEGATED_CHOICES)} (got {negated!r})")
    if negated == "include":
        return codings
    keep = [c for c in codings if c.negated == (negated == "only")]
    return CodingSet(keep, documents=codings.documents, codebook=codings.codebook, warnings=codings.warnings)


def segment_id(doc_id: str, start: int, end: int) -> str:
    """The id of a coded segment: ``"<doc_id>:<start>-<end>"`` (offsets into ``Document.text``)."""
    return f"{doc_id}:{start}-{end}"


def as_names(by: str | Sequence[str] | None) -> tuple[str, ...]:
    if by is None:
        return ()
    if isinstance(by, str):
        return (by,)
    return tuple(by)


def attribute_value(coding: Coding, doc: Document | None, name: str) -> str:
    """The value of attribute ``name`` for a coding (see :data:`PSEUDO_ATTRIBUTES`)."""
    if name in ("doc_id", "document"):
        return coding.doc_id
    if name == "speaker":
        return coding.speaker or MISSING
    if name == "unit":
        return coding.unit or MISSING
    if name == "code_id":
        return coding.code_id
    if doc is None:
        return MISSING
    if name == "lang":
        value = doc.lang or doc.attributes.get("language")
        return str(value) if value not in (None, "") else MISSING
    value = doc.attributes.get(name)
    if value in (None, "") and name == "year":
        date = doc.attributes.get("date")
        value = str(date)[:4] if date not in (None, "") and str(date)[:4].isdigit() else None
    if value is None or value == "":
        return MISSING
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return str(value)


def check_attributes(codings: CodingSet, names: Sequence[str]) -> None:
    """Raise :class:`AnalysisError` for an attribute no document has (a misspelt ``by=``)."""
    known = set(PSEUDO_ATTRIBUTES)
    for doc in codings.documents.values():
        known.update(doc.attributes)
    for name in names:
        if name not in known:
            raise AnalysisError(
                f"no document has the attribute {name!r}; known attributes: {', '.join(sorted(known))}")


@dataclass(frozen=True)
class CodeInfo:
    id: str
    name: str
    parent: str | None
    depth: int
    ancestors: tuple[str, ...]


def code_infos(codings: CodingSet, extra: Iterable[str] = ()) -> dict[str, CodeInfo]:
    """Every code in the codebook (walk order) and then codes only seen in codings (sorted)."""
    cb = codings.codebook
    out: dict[str, CodeInfo] = {}
    if cb is not None:
        for depth, code in cb.walk():
            out[code.id] = CodeInfo(code.id, code.name, code.parent, depth, cb.ancestors(code.id))
        for code in cb.codes:  # codes in a cycle are not reached by walk()
            if code.id not in out:
                out[code.id] = CodeInfo(code.id, code.name, code.parent, 0, cb.ancestors(code.id))
    unknown = sorted({c.code_id for c in codings if c.code_id not in out} | (set(extra) - set(out)))
    for cid in unknown:
        out[cid] = CodeInfo(cid, cid, None, 0, ())
    return out


def children_of(infos: Mapping[str, CodeInfo]) -> dict[str, list[str]]:
    kids: dict[str, list[str]] = {cid: [] for cid in infos}
    for info in infos.values():
        if info.parent in kids:
            kids[info.parent].append(info.id)
    return kids


class WordIndex:
    """Start offsets of the words of each document, to count words in spans in O(log n)."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self._docs = documents
        self._starts: dict[str, list[int]] = {}

    def known(self, doc_id: str) -> bool:
        return doc_id in self._docs

    def starts(self, doc_id: str) -> list[int]:
        s = self._starts.get(doc_id)
        if s is None:
            s = [m.start() for m in WORD_RE.finditer(self._docs[doc_id].text)]
            self._starts[doc_id] = s
        return s

    def count(self, doc_id: str, start: int, end: int) -> int:
        """Words that start inside ``[start, end)``."""
        s = self.starts(doc_id)
        return bisect.bisect_left(s, end) - bisect.bisect_left(s, start)

    def count_spans(self, doc_id: str, spans: Iterable[tuple[int, int]]) -> int:
        """Words in the union of ``spans`` (overlaps counted once)."""
        return sum(self.count(doc_id, s, e) for s, e in merge_spans(spans))


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


@dataclass
class Cell:
    """What one (group, code) tally holds."""

    codings: int = 0
    segments: set[tuple[str, int, int]] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)


def tally(codings: CodingSet, names: Sequence[str], *, rollup: bool,
          infos: Mapping[str, CodeInfo]) -> tuple[dict[tuple[tuple[str, ...], str], Cell],
                                                   dict[tuple[str, ...], Cell]]:
    """Per (group, code) tallies, and per-group totals (every coded segment of the group).

    With ``rollup`` each coding also counts for every ancestor of its code.
    """
    docs = codings.documents
    cells: dict[tuple[tuple[str, ...], str], Cell] = {}
    groups: dict[tuple[str, ...], Cell] = {}
    for c in codings:
        doc = docs.get(c.doc_id)
        group = tuple(attribute_value(c, doc, n) for n in names)
        seg = (c.doc_id, c.start, c.end)
        total = groups.get(group)
        if total is None:
            total = groups[group] = Cell()
        total.codings += 1
        total.segments.add(seg)
        total.documents.add(c.doc_id)
        targets = (c.code_id, *infos[c.code_id].ancestors) if rollup else (c.code_id,)
        for cid in targets:
            cell = cells.get((group, cid))
            if cell is None:
                cell = cells[(group, cid)] = Cell()
            cell.codings += 1
            cell.segments.add(seg)
            cell.documents.add(c.doc_id)
    return cells, groups


def group_documents(codings: CodingSet, names: Sequence[str],
                    groups: Mapping[tuple[str, ...], Cell]) -> dict[tuple[str, ...], set[str]]:
    """Documents in each group: for document attributes, every known document with those values
    (also documents without codings); for coding attributes (speaker, unit), documents with codings
    in the group."""
    per_coding = {"speaker", "unit", "code_id"}
    out = {g: set(cell.documents) for g, cell in groups.items()}
    if names and not per_coding.intersection(names):
        from ..model import Provenance

        probe = Provenance(method="manual", coder="")
        for doc in codings.documents.values():
            fake = Coding(doc.id, 0, 0, "", probe)
            g = tuple(attribute_value(fake, doc, n) for n in names)
            out.setdefault(g, set()).add(doc.id)
    elif not names:
        out.setdefault((), set()).update(codings.documents)
    return out


def code_order(codes: Sequence[str] | None, codebook: Codebook | None, present: Iterable[str]) -> list[str]:
    """The codes a table reports on, in order: ``codes`` as given; else the ``present`` ones in codebook
    order, then those the codebook lacks, sorted; without a codebook, sorted."""
    if codes:
        return list(dict.fromkeys(codes))
    present = set(present)
    if codebook is None:
        return sorted(present)
    order = [c.id for _, c in codebook.walk() if c.id in present]
    return order + sorted(present - set(order))
