"""Units and features for the trained coder.

A **unit** is one coded span (``doc_id``, ``start``, ``end``) with its text, its language and the codes
people gave it. Its features come in two families (``benchmarks/eval_learn.py`` measures each):

``terms``
    word 1- and 2-grams over the language profile's **normal forms** (English lookup lemmas,
    Indonesian roots, see :mod:`qualcoop.lang.profile`), stop words left out, written ``t:<norm>`` and
    ``t:<norm> <norm>``. Presence (0/1), the term part of each unit scaled to unit length.
``rules``
    what the codebook's rules say about the unit: ``r:<rule id>`` for a rule that fired,
    ``r:<rule id>:neg`` when its match lay in a negation scope, and ``c:<code id>`` for each code the
    rules gave (1 each).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import CodingsTableError, Problem
from ..model import Codebook, Document, Segment

__all__ = ["FEATURE_FAMILIES", "Analysed", "Unit", "Analyser", "data_hash", "units_from_table"]

#: the feature families a model may use
FEATURE_FAMILIES = ("terms", "rules")
#: the coder name of machine codings (``qualcoop code``), left out of training data by default
MACHINE_CODERS = frozenset({"qualcoop"})


@dataclass(frozen=True)
class Unit:
    """One unit to learn from or to code: its place, text, language and (for training) codes."""

    doc_id: str
    start: int
    end: int
    text: str
    lang: str | None = None
    codes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Analysed:
    """What the features are made of: a unit's term n-grams, rule features and rule-given codes."""

    terms: tuple[str, ...]
    rules: tuple[str, ...]
    rule_codes: frozenset[str]


def data_hash(units: Sequence[Unit]) -> str:
    """sha256 of the training data (places, texts, languages and codes, in a canonical order)."""
    rows = sorted([u.doc_id, u.start, u.end, u.text, u.lang or "", sorted(u.codes)] for u in units)
    blob = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


class Analyser:
    """Turns units into :class:`Analysed` (tokenising with the language profiles, running the rules)."""

    def __init__(self, codebook: Codebook, *, lang: str | None = None, ngram: int = 2) -> None:
        from ..match import compile_codebook

        self.codebook = codebook
        self.lang = lang
        self.ngram = ngram
        self._compiled = compile_codebook(codebook)

    def language(self, unit: Unit) -> str:
        return unit.lang or self.lang or (self.codebook.languages or ("en",))[0]

    def terms(self, text: str, lang: str) -> tuple[str, ...]:
        from ..lang.profile import get_profile

        profile = get_profile(lang)
        words = []
        for t in profile.analyse(text):
            norm = t.norm.lower().strip("-'")  # clitics split off as tokens ("-nya") are not terms
            if t.text.startswith("-") or t.is_stop or profile.is_stop(norm):
                continue
            if len(norm) > 1 and norm[0].isalpha():
                words.append(norm)
        grams = [f"t:{w}" for w in words]
        if self.ngram >= 2:
            grams += [f"t:{a} {b}" for a, b in zip(words, words[1:])]
        return tuple(sorted(set(grams)))

    def analyse(self, unit: Unit) -> Analysed:
        lang = self.language(unit)
        doc = Document(id=unit.doc_id or "unit", text=unit.text, lang=lang)
        seg = Segment(doc.id, 0, len(unit.text), "unit", 0)
        rules: set[str] = set()
        codes: set[str] = set()
        for m in self._compiled.code_segment(doc, seg, lang, text=unit.text):
            codes.add(m.code_id)
            rules.add(f"c:{m.code_id}")
            for e in m.evidence:
                rules.add(f"r:{e.rule_id}:neg" if e.negated else f"r:{e.rule_id}")
        return Analysed(self.terms(unit.text, lang), tuple(sorted(rules)), frozenset(codes))

    def from_codings(self, text: str, lang: str, codings) -> Analysed:
        """What :meth:`analyse` gives, from rule codings already made for this text (no second rule run)."""
        rules: set[str] = set()
        codes: set[str] = set()
        for c in codings:
            codes.add(c.code_id)
            rules.add(f"c:{c.code_id}")
            for e in c.evidence:
                rules.add(f"r:{e.rule_id}:neg" if e.negated else f"r:{e.rule_id}")
        return Analysed(self.terms(text, lang), tuple(sorted(rules)), frozenset(codes))

    def analyse_all(self, units: Iterable[Unit]) -> list[Analysed]:
        return [self.analyse(u) for u in units]


def units_from_table(frame, *, documents: Mapping[str, Document] | None = None, lang: str | None = None,
                     coders: Sequence[str] | None = None, name: str = "codings table") -> list[Unit]:
    """The units of a validated codings-table DataFrame, with the codes people gave them.

    - Rows of machine coders (``qualcoop``, what ``qualcoop code`` writes) are left out unless
      ``coders`` names them; with ``coders`` only those coders count (a coder with no rows is an error).
    - A code is positive for a unit when at least half of the unit's coders applied it (one coder:
      what that coder said; two who disagree: positive). A unit read and left uncoded (empty
      ``code_id``) is a negative for every code.
    - Text: the ``text`` column, else the documents' text at ``[start, end)``.
    - Language: the ``lang`` column, else the document's ``lang``, else ``lang``.

    Raises
    ------
    CodingsTableError
        A unit with no text (no ``text`` column and no document), naming the row; a coder of
        ``coders`` with no rows in the table.
    """
    documents = documents or {}
    wanted = set(coders) if coders else None
    by_unit: dict[tuple[str, int, int], dict] = {}
    problems: list[Problem] = []
    has_text = "text" in frame.columns
    has_lang = "lang" in frame.columns
    for i, row in enumerate(frame.to_dict("records")):
        coder = str(row["coder"])
        if (wanted is not None and coder not in wanted) or (wanted is None and coder in MACHINE_CODERS):
            continue
        key = (str(row["doc_id"]), int(row["start"]), int(row["end"]))
        entry = by_unit.get(key)
        if entry is None:
            text = str(row.get("text") or "") if has_text else ""
            doc = documents.get(key[0])
            if not text and doc is not None:
                text = doc.text[key[1]:key[2]]
            if not text.strip():
                problems.append(Problem(name, f"unit {key[0]}:{key[1]}-{key[2]} has no text: give a `text` "
                                              "column or the documents (--corpus / --project)", line=i + 2))
                continue
            ulang = (str(row.get("lang") or "") if has_lang else "") or (doc.lang if doc is not None else None) or lang
            entry = by_unit[key] = {"text": text, "lang": ulang or None, "coders": set(), "votes": {}}
        entry["coders"].add(coder)
        code = str(row["code_id"] or "")
        if code:
            entry["votes"].setdefault(code, set()).add(coder)
    if wanted is not None:
        seen = {str(c) for c in frame["coder"]} if len(frame) else set()
        missing = sorted(wanted - seen)
        if missing:
            problems.append(Problem(name, f"no codings by coder(s) {', '.join(missing)} (coders here: "
                                          f"{', '.join(sorted(seen)) or 'none'})"))
    if problems:
        raise CodingsTableError(name, problems)
    units = []
    for (doc_id, start, end), e in sorted(by_unit.items()):
        n = len(e["coders"])
        codes = frozenset(c for c, who in e["votes"].items() if 2 * len(who) >= n)
        units.append(Unit(doc_id, start, end, e["text"], e["lang"], codes))
    return units
