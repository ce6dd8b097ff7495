"""Codebooks: hierarchical codes with definitions and transparent rules.

These are plain values. Reading, writing and validating files lives in
:mod:`qualcoop.codebook`; compiling rules into matchers lives in
:mod:`qualcoop.match`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .document import FrozenMap, freeze

#: Languages qualcoop has profiles for; codebooks may only name these.
SUPPORTED_LANGS = ("en", "id")

#: What happens to a match inside a negation scope: ``flag`` (counts, marked negated;
#: the default), ``skip`` (does not count), ``off`` (negation is not looked for).
NEGATION_POLICIES = ("flag", "skip", "off")


@dataclass(frozen=True)
class Scope:
    """Where a rule or code applies. Empty fields mean "no restriction".

    ``speakers``/``exclude_speakers`` are matched case-insensitively against the
    segment's speaker; ``units`` against the segment kind; ``sections`` are glob
    patterns against the segment's section label; ``attributes`` maps a document
    attribute name to the allowed values.
    """

    speakers: tuple[str, ...] = ()
    exclude_speakers: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    attributes: FrozenMap = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        for name in ("speakers", "exclude_speakers", "units", "sections"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(
            self, "attributes", FrozenMap({k: tuple(v) for k, v in dict(self.attributes).items()})
        )

    def is_empty(self) -> bool:
        return not (self.speakers or self.exclude_speakers or self.units or self.sections or self.attributes)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for name in ("speakers", "exclude_speakers", "units", "sections"):
            if getattr(self, name):
                d[name] = list(getattr(self, name))
        if self.attributes:
            d["attributes"] = {k: list(v) for k, v in self.attributes.items()}
        return d


@dataclass(frozen=True)
class Rule:
    """One transparent rule. Which fields matter depends on ``kind``:

    - ``keyword``/``phrase``/``lemma``/``glob``: ``terms``
    - ``regex``: ``pattern`` (a string)
    - ``pattern``: ``pattern`` (a spaCy token pattern, or a list of them, as JSON-like data)
    - ``all``/``any``: ``rules``; ``not``: ``rules`` (exactly one)
    - ``near``: ``terms`` as groups (``groups``) within ``window`` tokens, ``ordered`` or not, in one
      sentence unless ``cross_sentences``
    - ``exclude``: ``terms`` or ``rules``; vetoes the code's matches it overlaps
      (or the whole segment with ``veto="segment"``)

    ``id`` is unique within its code; ``qualified_id`` is ``"<code id>/<rule id>"``.
    ``line`` is the line in the codebook file the rule came from, for error messages.
    """

    id: str
    kind: str
    terms: tuple[str, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()
    pattern: Any = None
    rules: tuple[Rule, ...] = ()
    window: int | None = None
    ordered: bool = False
    lang: str | None = None
    case_sensitive: bool = False
    negation: str | None = None
    veto: str = "span"
    scope: Scope | None = None
    code_id: str | None = None
    line: int | None = None
    cross_sentences: bool = False  # near: may the terms stand in different sentences? (trust)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", tuple(self.terms))
        object.__setattr__(self, "groups", tuple(tuple(g) for g in self.groups))
        object.__setattr__(self, "rules", tuple(self.rules))
        object.__setattr__(self, "pattern", _freeze_json(self.pattern))

    @property
    def qualified_id(self) -> str:
        return f"{self.code_id}/{self.id}" if self.code_id else self.id

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "kind": self.kind}
        if self.terms:
            d["terms"] = list(self.terms)
        if self.groups:
            d["groups"] = [list(g) for g in self.groups]
        if self.pattern is not None:
            d["pattern"] = _thaw_json(self.pattern)
        if self.rules:
            d["rules"] = [r.to_dict() for r in self.rules]
        if self.window is not None:
            d["window"] = self.window
        if self.ordered:
            d["ordered"] = True
        if self.cross_sentences:
            d["cross_sentences"] = True
        if self.lang:
            d["lang"] = self.lang
        if self.case_sensitive:
            d["case_sensitive"] = True
        if self.negation:
            d["negation"] = self.negation
        if self.veto != "span":
            d["veto"] = self.veto
        if self.scope and not self.scope.is_empty():
            d["scope"] = self.scope.to_dict()
        return d


@dataclass(frozen=True)
class Example:
    text: str
    lang: str | None = None


@dataclass(frozen=True)
class Code:
    """A concept in a codebook."""

    id: str
    name: str
    parent: str | None = None
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    examples: tuple[Example, ...] = ()
    labels: FrozenMap = field(default_factory=FrozenMap)  # lang -> display name
    color: str | None = None
    rules: tuple[Rule, ...] = ()
    scope: Scope | None = None
    negation: str = "flag"
    line: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "examples", tuple(self.examples))
        object.__setattr__(self, "labels", freeze(self.labels))
        object.__setattr__(self, "rules", tuple(self.rules))

    def label(self, lang: str | None = None) -> str:
        return self.labels.get(lang, self.name) if lang else self.name

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.parent:
            d["parent"] = self.parent
        for k in ("definition", "inclusion", "exclusion"):
            if getattr(self, k):
                d[k] = getattr(self, k)
        if self.labels:
            d["labels"] = self.labels.to_dict()
        if self.examples:
            d["examples"] = [
                {"text": e.text, "lang": e.lang} if e.lang else {"text": e.text} for e in self.examples
            ]
        if self.color:
            d["color"] = self.color
        if self.scope and not self.scope.is_empty():
            d["scope"] = self.scope.to_dict()
        if self.negation != "flag":
            d["negation"] = self.negation
        if self.rules:
            d["rules"] = [r.to_dict() for r in self.rules]
        return d


@dataclass(frozen=True)
class Codebook:
    """A named, versioned set of codes forming a forest (explicit ``parent`` links)."""

    name: str
    version: str
    codes: tuple[Code, ...]
    languages: tuple[str, ...] = ("en",)
    description: str = ""
    path: str | None = None
    #: the overlap policy within one code (a registered name: ``longest``, ``all``, ``leftmost``,
    #: ``rule_order``, or a plugin's; see :mod:`qualcoop.match.overlaps`)
    overlaps: str = "longest"

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", tuple(self.codes))
        object.__setattr__(self, "languages", tuple(self.languages))
        object.__setattr__(self, "_by_id", {c.id: c for c in self.codes})

    # ---------------------------------------------------------------- tree queries
    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._by_id  # type: ignore[attr-defined]

    def get(self, code_id: str) -> Code:
        try:
            return self._by_id[code_id]  # type: ignore[attr-defined]
        except KeyError:
            raise KeyError(f"codebook {self.name!r} has no code {code_id!r}") from None

    def roots(self) -> tuple[Code, ...]:
        return tuple(c for c in self.codes if not c.parent)

    def children(self, code_id: str) -> tuple[Code, ...]:
        return tuple(c for c in self.codes if c.parent == code_id)

    def ancestors(self, code_id: str) -> tuple[str, ...]:
        """Ids from the parent up to the root (cycle-safe)."""
        out: list[str] = []
        seen = {code_id}
        parent = self.get(code_id).parent
        while parent and parent not in seen and parent in self:
            out.append(parent)
            seen.add(parent)
            parent = self.get(parent).parent
        return tuple(out)

    def descendants(self, code_id: str) -> tuple[str, ...]:
        out: list[str] = []
        stack = [c.id for c in reversed(self.children(code_id))]
        while stack:
            cid = stack.pop()
            if cid in out:
                continue
            out.append(cid)
            stack.extend(c.id for c in reversed(self.children(cid)))
        return tuple(out)

    def depth(self, code_id: str) -> int:
        return len(self.ancestors(code_id))

    def walk(self) -> Iterator[tuple[int, Code]]:
        """Depth-first (depth, code) pairs in file order, roots first."""
        for root in self.roots():
            yield 0, root
            for cid in self.descendants(root.id):
                yield self.depth(cid), self.get(cid)

    # ---------------------------------------------------------------- identity
    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "languages": list(self.languages),
            "description": self.description,
        }
        if self.overlaps != "longest":  # the default is left out (fingerprints of older codebooks hold)
            d["overlaps"] = self.overlaps
        d["codes"] = [c.to_dict() for c in self.codes]
        return d

    def _repr_html_(self) -> str:
        """Jupyter view: the code tree with names, definitions and rule counts, escaped."""
        from .html import codebook_html

        return codebook_html(self)

    def fingerprint(self) -> str:
        """sha256 of the canonical JSON form: equal codebooks have equal fingerprints."""
        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _freeze_json(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_freeze_json(x) for x in v)
    if isinstance(v, dict):
        return FrozenMap({k: _freeze_json(x) for k, x in v.items()})
    return v


def _thaw_json(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_thaw_json(x) for x in v]
    if isinstance(v, Mapping):
        return {k: _thaw_json(x) for k, x in v.items()}
    return v


thaw_json = _thaw_json
