"""The spaCy reference path: ``PhraseMatcher``/``Matcher`` over a spaCy ``Doc``, and the language
resources both paths share (the blank pipeline that defines tokens, the lookup lemma table).

``compile_codebook(prefilter=False)`` codes every segment this way; the fast token path
(:mod:`qualcoop.match.fast`) must give identical codings, and falls back to this path for a
segment where a leaf that needs a ``Doc`` (a spaCy token pattern) may match.
"""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources
from typing import Any

from ..errors import LanguageError
from .budget import TokenRegexes

__all__ = ["SpacyMatchers", "lemma_table", "nlp_for"]


def nlp_for(lang: str):
    """The (cached) blank pipeline whose tokenizer defines tokens for ``lang``."""
    try:
        from ..lang.pipelines import get_nlp
    except ImportError:  # pragma: no cover - until the pipelines module lands
        return _blank(lang)
    return get_nlp(lang)


@functools.lru_cache(maxsize=None)
def _blank(lang: str):  # pragma: no cover - fallback only
    import spacy

    try:
        return spacy.blank(lang)
    except Exception as e:
        raise LanguageError(f"no spaCy tokenizer for language {lang!r}: {e}") from e


@functools.lru_cache(maxsize=None)
def lemma_table(lang: str) -> dict[str, str]:
    """spaCy's lookup lemma table for ``lang`` (surface form -> lemma), empty if there is none.

    Read from ``spacy-lookups-data`` directly so the engine can also list every surface
    form of a lemma (for the prefilter); the entries are those spaCy's lookup
    lemmatizer uses.
    """
    try:
        base = resources.files("spacy_lookups_data") / "data" / f"{lang}_lemma_lookup.json.gz"
        with base.open("rb") as fh:
            data = json.loads(gzip.decompress(fh.read()).decode("utf-8"))
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


class SpacyMatchers:
    """spaCy's ``PhraseMatcher`` (one per case sensitivity) and ``Matcher`` for one pipeline.

    Parameters
    ----------
    nlp : spacy.Language
        The blank pipeline of the primary language (its vocabulary and tokenizer).
    lemma : callable
        ``lower-cased token -> lookup lemma``, set on tokens for ``LEMMA`` patterns.
    """

    def __init__(self, nlp: Any, lemma) -> None:
        from spacy.attrs import LOWER, ORTH

        self.vocab = nlp.vocab
        self.tokenizer = nlp.tokenizer
        self.LOWER, self.ORTH = LOWER, ORTH
        self._lemma = lemma
        self._phrase: dict[bool, Any] = {}  # case_sensitive -> PhraseMatcher
        self._phrase_keys: dict[int, int] = {}  # matcher key hash -> leaf key
        self._matcher = None
        self._pattern_keys: dict[int, int] = {}
        self._needs_lemma = False
        self.token_regexes = TokenRegexes()  # REGEX token attributes, run within the regex budget

    def add_phrase(self, key: int, words: list[str], *, case_sensitive: bool) -> tuple[str, ...]:
        """Look for the token sequence ``words``; returns its tokens as compared (lower-cased or not)."""
        from spacy.matcher import PhraseMatcher

        pm = self._phrase.get(case_sensitive)
        if pm is None:
            pm = self._phrase[case_sensitive] = PhraseMatcher(self.vocab, attr="ORTH" if case_sensitive else "LOWER")
        name = f"k{key}"
        self._phrase_keys[self.vocab.strings.add(name)] = key
        pattern = self.tokenizer(" ".join(words))
        pm.add(name, [pattern])
        return tuple(t.text if case_sensitive else t.lower_ for t in pattern)

    def add_token_pattern(self, key: int, patterns: list, *, needs_lemma: bool, regexes=(),
                          qid: str = "") -> None:
        """Look for spaCy ``Matcher`` token patterns (``regexes``: their rerouted ``REGEX`` attributes)."""
        from spacy.matcher import Matcher

        if self._matcher is None:
            self._matcher = Matcher(self.vocab)
        if regexes:
            self.token_regexes.add(regexes, qid)
        name = f"k{key}"
        self._pattern_keys[self.vocab.strings.add(name)] = key
        self._matcher.add(name, patterns)
        self._needs_lemma = self._needs_lemma or needs_lemma

    def run_phrases(self, doc) -> dict[int, list[tuple[int, int]]]:
        """Phrase hits ``key -> [(start token, end token)]``."""
        hits: dict[int, list[tuple[int, int]]] = {}
        for pm in self._phrase.values():
            for mid, s, e in pm(doc):
                hits.setdefault(self._phrase_keys[mid], []).append((s, e))
        return hits

    def run_patterns(self, doc, budget=None) -> dict[int, list[tuple[int, int]]]:
        """Token-pattern hits ``key -> [(start token, end token)]`` (``budget``: who counts regex
        time-outs, the compiled codebook)."""
        hits: dict[int, list[tuple[int, int]]] = {}
        if self._matcher is None:
            return hits
        if self._needs_lemma:
            for t in doc:
                t.lemma_ = self._lemma(t.lower_)
        if self.token_regexes:
            self.token_regexes.set_flags(doc, budget)  # REGEX predicates, within the regex budget
        for mid, s, e in self._matcher(doc):
            hits.setdefault(self._pattern_keys[mid], []).append((s, e))
        return hits
