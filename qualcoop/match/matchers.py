"""Per-language matchers of a compiled codebook: what rule leaves register, and the hits of a segment.

:class:`LangMatchers` is the interface between rule kinds and the two matching paths. A leaf's
``register(lm)`` calls the *building* methods (:meth:`~LangMatchers.add_phrase`,
:meth:`~LangMatchers.add_sequence`, :meth:`~LangMatchers.add_token_pattern`, with
:meth:`~LangMatchers.tokenize`, :meth:`~LangMatchers.lemma`, :meth:`~LangMatchers.norm`,
:meth:`~LangMatchers.surface_forms` to build them); the segment context asks
:meth:`~LangMatchers.hits` for one channel (``phrase``, ``seq``, ``pattern``) on a view. Behind it:

- :class:`~qualcoop.match.tokenindex.TokenIndex`: token tests and sequences (glob, lemma, stem, near);
- :class:`~qualcoop.match.reference.SpacyMatchers`: spaCy's ``PhraseMatcher``/``Matcher`` on a ``Doc``;
- the fast path's phrase index by token (:meth:`~LangMatchers.token_info`) and chunk cache;
- the :class:`~qualcoop.match.prefilter.Prefilter` of literals every leaf's matches contain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .fast import FastView, InfoCache, TokenInfo, chunk_cache
from .languages import lang_key
from .prefilter import Prefilter
from .reference import SpacyMatchers, lemma_table, nlp_for
from .tokenindex import TokenIndex

if TYPE_CHECKING:  # pragma: no cover
    from .docview import TokenView
    from .rules import Leaf

__all__ = ["CHANNELS", "LangMatchers"]

#: the hit channels of a segment: phrase leaves, token sequences, spaCy token patterns
CHANNELS = ("phrase", "seq", "pattern")

_SPACE_RUN = re.compile(r"\s+")


class LangMatchers:
    """Every matcher of a compiled codebook for one language, or for one primary language
    plus the other languages of code-switched documents (built on first use).

    ``langs[0]`` tokenises; rules whose ``lang`` is any of ``langs`` (or unset) are registered.
    """

    def __init__(self, langs: str | Sequence[str], leaves: Sequence[Leaf]) -> None:
        self.langs = lang_key(langs)
        self.lang = lang = self.langs[0]
        self.nlp = nlp_for(lang)
        self.vocab = self.nlp.vocab
        self.tokenizer = self.nlp.tokenizer
        self._table = lemma_table(lang)
        self._surface: dict[str, set[str]] | None = None
        self.tokens = TokenIndex(self.lemma)
        self.reference = SpacyMatchers(self.nlp, self.lemma)
        # fast path: phrase sequences by their anchor token (LOWER / ORTH)
        self._fast_phrases: dict[bool, dict[str, set[tuple[int, tuple[str, ...], int]]]] = {False: {}, True: {}}
        self._chunks: InfoCache | None = None
        groups: dict[int, list[set[str] | None]] = {}
        self.token_leaves: set[int] = set()
        slow: set[int] = set()
        for leaf in leaves:
            g = leaf.register(self)
            if leaf.token_based:
                self.token_leaves.add(leaf.key)
                groups[leaf.key] = g
                if not leaf.fast_path:
                    slow.add(leaf.key)
        #: token-based leaves the fast path cannot evaluate (spaCy token patterns): a segment
        #: where the prefilter finds one of them possible is coded on a spaCy Doc
        self.slow_leaves = frozenset(slow)
        self.tokens.freeze()
        self.prefilter = Prefilter(groups)

    # ----------------------------------------------------------------- building (used by leaves)
    def tokenize(self, text: str) -> list[str]:
        """The token strings of ``text`` as the primary language tokenises it (white space collapsed)."""
        return [t.text for t in self.tokenizer(_SPACE_RUN.sub(" ", text).strip()) if not t.is_space]

    def lemma(self, lower: str) -> str:
        """The lookup lemma of a lower-cased token (itself when the table does not know it)."""
        return self._table.get(lower, lower)

    def norm(self, lang: str, token: str) -> str:
        """The normal form of ``token`` in ``lang``'s profile (root in Indonesian, lookup lemma in English)."""
        return self.tokens.norm(lang, token)

    def norm_literals(self, lang: str, norm: str) -> frozenset[str] | None:
        """Strings one of which every token with normal form ``norm`` in ``lang`` contains (or None)."""
        return self.tokens.norm_literals(lang, norm)

    def surface_forms(self, lemma: str) -> set[str]:
        """Every lower-case form whose lookup lemma is ``lemma``."""
        if self._surface is None:
            inv: dict[str, set[str]] = {}
            for k, v in self._table.items():
                inv.setdefault(v, set()).add(k)
            self._surface = inv
        forms = set(self._surface.get(lemma, ()))
        if lemma not in self._table:
            forms.add(lemma)
        return {f.lower() for f in forms if f.lower() == f}

    def add_phrase(self, key: int, term: str, *, case_sensitive: bool) -> list[str]:
        """Look for ``term`` as a token sequence (both paths); returns its tokens (empty: none)."""
        words = self.tokenize(term)
        if not words:
            return words
        seq = self.reference.add_phrase(key, words, case_sensitive=case_sensitive)
        # anchored on its longest token (the first of the longest), the rarest one as a rule
        j = max(range(len(seq)), key=lambda k: (len(seq[k]), -k))
        self._fast_phrases[case_sensitive].setdefault(seq[j], set()).add((key, seq, j))
        return words

    def add_sequence(self, key: int, specs: Sequence[tuple]) -> None:
        """Look for a sequence of token tests (see :mod:`qualcoop.match.tokenindex`), both paths."""
        self.tokens.add_sequence(key, specs)

    def add_token_pattern(self, key: int, patterns: list, *, needs_lemma: bool, regexes=(),
                          qid: str = "") -> None:
        """Look for spaCy ``Matcher`` patterns (reference path only: the leaf sets ``fast_path = False``)."""
        self.reference.add_token_pattern(key, patterns, needs_lemma=needs_lemma, regexes=regexes, qid=qid)

    # ----------------------------------------------------------------- matching
    def hits(self, channel: str, view: TokenView | FastView, budget=None) -> dict[int, list[tuple[int, int]]]:
        """Token hits ``key -> [(start token, end token)]`` of one channel on a segment's view
        (``budget``: who counts regex time-outs, the compiled codebook)."""
        if isinstance(view, FastView):
            if channel == "phrase":
                return view.phrase_hits()
            if channel == "seq":
                return view.sequence_hits()
            return {}  # fast only where the prefilter ruled out every Doc-only leaf
        doc = view.doc
        if channel == "phrase":
            return self.reference.run_phrases(doc)
        if channel == "seq":
            return self.tokens.run(doc, lower_attr=self.reference.LOWER, orth_attr=self.reference.ORTH)
        return self.reference.run_patterns(doc, budget)

    # ----------------------------------------------------------------- fast path
    @property
    def chunks(self) -> InfoCache:
        """The chunk -> tokens (with token infos) cache of the fast path (created on first use)."""
        if self._chunks is None:
            self._chunks = InfoCache(chunk_cache(self.tokenizer), self.token_info)
        return self._chunks

    def token_info(self, orth: str) -> TokenInfo | None:
        """What the codebook knows about the token ``orth`` (``None``: nothing)."""
        low = orth.lower()
        single: set[int] = set()
        multi: dict[bool, list] = {False: [], True: []}
        for cs, s in ((False, low), (True, orth)):
            for key, seq, j in self._fast_phrases[cs].get(s, ()):
                if len(seq) == 1:
                    single.add(key)
                else:
                    multi[cs].append((key, seq, j, len(seq)))
        pids = self.tokens.token_pids(low, orth) if self.tokens else frozenset()
        if not single and not multi[False] and not multi[True] and not pids:
            return None
        starting = self.tokens.starting
        starts = tuple(s for pid in pids for s in starting.get(pid, ()))
        return TokenInfo(tuple(sorted(single)), tuple(sorted(multi[False])), tuple(sorted(multi[True])), pids,
                         starts)

    def fast_view(self, text: str, ahead: tuple[str, int] | None = None) -> FastView:
        """The fast path's token view of a segment's text (``ahead``: see :meth:`InfoCache.tokens`)."""
        return FastView(self.chunks, text, ahead)
