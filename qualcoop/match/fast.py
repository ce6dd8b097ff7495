"""The fast token path: cached chunk tokenisation and term matching in Python.

spaCy's tokenizer splits text at white space first and tokenises each white-space
free *chunk* on its own (its own cache is keyed by the chunk), so the tokens of a
chunk never depend on the text around it. :class:`ChunkCache` keeps, per chunk
string, its tokens (offsets inside the chunk, text, lower-cased text) and what the
compiled codebook knows about each token; a segment's tokens are the
concatenation of its chunks' tokens, found by one scan for white-space runs.
Real text is Zipfian, so after a few pages nearly every chunk is a cache hit and
the tokenizer only sees new chunks (many at once, joined by single spaces).

Phrase terms (``PhraseMatcher`` semantics on ``LOWER`` or ``ORTH``: every
occurrence of the term's token sequence) and lemma/glob/near sequences are then
matched over those token strings only where a token can start a match. The
reference path (``prefilter=False``) tokenises every segment into a spaCy ``Doc``
and runs spaCy's matchers; both give identical codings (tests and
``benchmarks/bench_coding.py`` check it on real data).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from itertools import accumulate, chain, compress
from operator import add, itemgetter
from typing import Any

__all__ = ["ChunkCache", "FastView", "InfoCache", "TokenInfo", "chunk_cache"]

#: one chunk: a maximal run of non-white-space characters (``\s`` is ``str.isspace``,
#: the test spaCy's tokenizer uses)
_CHUNK = re.compile(r"\S+")


class TokenInfo:
    """What the compiled codebook knows about one token string (``None`` when nothing)."""

    __slots__ = ("single", "lower_multi", "orth_multi", "pids", "starts", "hot")

    def __init__(self, single: tuple[int, ...], lower_multi: tuple, orth_multi: tuple,
                 pids: frozenset[int], starts: tuple = ()) -> None:
        #: keys of the one-token phrases this token is (LOWER or ORTH)
        self.single = single
        #: (phrase key, full LOWER sequence, index of this token in it, length) of the longer
        #: lower-case phrases anchored on this token (a phrase is anchored on its longest token)
        self.lower_multi = lower_multi
        #: the same for case-sensitive phrases (ORTH sequences)
        self.orth_multi = orth_multi
        #: token-sequence ids (glob, lemma, literal) this token matches
        self.pids = pids
        #: (sequence key, the other pids, length) of the sequences that start with one of ``pids``
        #: (:attr:`qualcoop.match.tokenindex.TokenIndex.starting`, in the order of ``pids``)
        self.starts = starts
        #: a match can start or be anchored here; a token whose pids only continue sequences
        #: ("the" of "the Parties") is looked at only from the token that starts them
        self.hot = bool(single or lower_multi or orth_multi or starts)


#: a token: (start in chunk, end in chunk, text, lower-cased text[, TokenInfo or False, hot])
Token = tuple

_ORTH = itemgetter(2)
_LOW = itemgetter(3)
_HOT = itemgetter(5)
#: a white-space run
_SPACE = re.compile(r"\s+")
_PLUS_ONE = (1).__add__

#: chunk caches by tokenizer: tokens depend only on the tokenizer, so every compiled
#: codebook of a process shares them, as spaCy's tokenizer shares its own cache
_CACHES: dict[int, tuple[Any, ChunkCache]] = {}


def chunk_cache(tokenizer: Any) -> ChunkCache:
    """The process-wide :class:`ChunkCache` of ``tokenizer``."""
    entry = _CACHES.get(id(tokenizer))
    if entry is None or entry[0] is not tokenizer:
        entry = _CACHES[id(tokenizer)] = (tokenizer, ChunkCache(tokenizer))
    return entry[1]


class ChunkCache:
    """Chunk string -> its tokens, filled by the spaCy tokenizer on unseen chunks only.

    Parameters
    ----------
    tokenizer : callable
        ``nlp.tokenizer`` of the language; a copy of it on an empty vocabulary tokenises
        (:func:`qualcoop.lang.tokenizer.boundary_copy`: the same boundaries, no lexical attributes
        computed for new words).
    max_size : int
        The cache is emptied when it holds more chunks (results never depend on it).
    """

    __slots__ = ("tokenizer", "max_size", "chunks", "_attrs")

    def __init__(self, tokenizer: Any, *, max_size: int = 2_000_000) -> None:
        from spacy.attrs import IDX, LENGTH

        from ..lang.tokenizer import boundary_copy

        self.tokenizer = boundary_copy(tokenizer)
        self.max_size = max_size
        self.chunks: dict[str, tuple[Token, ...]] = {}
        self._attrs = [IDX, LENGTH]

    def fill(self, chunks: list[str]) -> None:
        """Tokenise ``chunks`` (unique, not cached, white-space free) in one tokenizer call."""
        if len(self.chunks) + len(chunks) > self.max_size:
            self.chunks.clear()
        joined = " ".join(chunks)
        spans = self.tokenizer(joined).to_array(self._attrs).tolist()
        store = self.chunks
        it = iter(chunks)
        cur: list[Token] = []
        chunk = next(it)
        cstart, cend = 0, len(chunk)
        for i, n in spans:
            while i >= cend:
                store[chunk] = tuple(cur)
                cur = []
                chunk = next(it)
                cstart, cend = cend + 1, cend + 1 + len(chunk)
            orth = joined[i:i + n]
            cur.append((i - cstart, i - cstart + n, orth, orth.lower()))
        store[chunk] = tuple(cur)
        for rest in it:  # pragma: no cover - every chunk has at least one token
            store[rest] = ()

    def tokens(self, found: list[str]) -> list[tuple[Token, ...]]:
        """The cached tokens of each chunk in ``found`` (tokenising the unseen ones)."""
        entries = list(map(self.chunks.get, found))
        if not all(entries):  # a chunk's tokens are a non-empty tuple; None: not cached
            self.fill(list(dict.fromkeys(c for c, e in zip(found, entries) if e is None)))
            entries = list(map(self.chunks.__getitem__, found))
        return entries


#: characters of the following text whose new chunks are tokenised with a segment's (see InfoCache.tokens)
AHEAD = 32_768


class InfoCache:
    """Chunk string -> its tokens with what one compiled codebook knows about each.

    Built over the shared :class:`ChunkCache` (tokenisation does not depend on the
    codebook); the token tuples carry two more items, the :class:`TokenInfo` or ``False``, and
    whether a match can start or be anchored at the token (:attr:`TokenInfo.hot`).
    """

    __slots__ = ("shared", "info", "chunks", "_infos", "max_size")

    def __init__(self, shared: ChunkCache, info: Callable[[str], TokenInfo | None], *,
                 max_size: int = 1_000_000) -> None:
        self.shared = shared
        self.info = info
        self.max_size = max_size
        self.chunks: dict[str, tuple[Token, ...]] = {}
        self._infos: dict[str, TokenInfo | bool] = {}

    def tokens(self, found: list[str], ahead: tuple[str, int] | None = None) -> list[tuple[Token, ...]]:
        """The tokens (with infos) of each chunk in ``found``.

        ``ahead``: ``(text, offset)`` of the text that follows (the rest of the document): when a chunk of
        ``found`` is new, the new chunks of the next :data:`AHEAD` characters are tokenised in the same
        spaCy call, so new text costs one call per stretch rather than one per segment. (A chunk cut at the
        stretch's edges is cached as the string it is: a wasted entry, never a wrong one.)"""
        entries = list(map(self.chunks.get, found))
        if not all(entries):
            missing = [c for c, e in zip(found, entries) if e is None]
            if ahead is not None:
                text, pos = ahead
                get = self.chunks.get
                missing += [c for c in text[pos:pos + AHEAD].split() if get(c) is None]
            self._add(list(dict.fromkeys(missing)))
            entries = list(map(self.chunks.__getitem__, found))
        return entries

    def _add(self, missing: list[str]) -> None:
        if len(self.chunks) > self.max_size:
            self.chunks.clear()
            self._infos.clear()
        infos, info = self._infos, self.info
        for chunk, toks in zip(missing, self.shared.tokens(missing)):
            out = []
            for t in toks:
                inf = infos.get(t[2])
                if inf is None:
                    inf = infos[t[2]] = info(t[2]) or False
                out.append((*t, inf, inf and inf.hot))
            self.chunks[chunk] = tuple(out)


class FastView:
    """The tokens of one segment from the chunk cache (offsets relative to the segment).

    It offers what :class:`qualcoop.match.compile.TokenView` offers (``char_span``,
    ``token_at``, lower-cased token strings for negation) without a spaCy ``Doc``.
    Building it is a handful of passes in C (split, dict look-ups, flattening); token
    offsets are computed only for the tokens that are asked for.

    Parameters
    ----------
    cache : InfoCache
    text : str
        The segment text.
    """

    __slots__ = ("text", "found", "entries", "toks", "hot", "_lows", "_orths", "_tcum", "_cstart", "_starts")

    def __init__(self, cache: InfoCache, text: str, ahead: tuple[str, int] | None = None) -> None:
        self.text = text
        self.found = found = text.split()
        self.entries = entries = cache.tokens(found, ahead)
        self.toks: list[Token] = list(chain.from_iterable(entries))
        #: indices of the tokens where a phrase or sequence match can start or is anchored
        self.hot: list[int] = list(compress(range(len(self.toks)), map(_HOT, self.toks)))
        self._tcum: list[int] | None = None
        self._cstart: list[int] | None = None
        self._lows: list[str] | None = None
        self._orths: list[str] | None = None
        self._starts: list[int] | None = None

    def __len__(self) -> int:
        return len(self.toks)

    @property
    def lows(self) -> list[str]:
        """Lower-cased token strings."""
        if self._lows is None:
            self._lows = list(map(_LOW, self.toks))
        return self._lows

    @property
    def orths(self) -> list[str]:
        """Token strings."""
        if self._orths is None:
            self._orths = list(map(_ORTH, self.toks))
        return self._orths

    def _chunk_starts(self) -> tuple[list[int], list[int]]:
        """Segment offset of each chunk, and the number of tokens up to and including each."""
        cs = self._cstart
        if cs is None:
            # chunk k starts after chunks 0..k-1 and the white-space runs before each
            found = self.found
            lens = list(map(len, found))
            if len(self.text) == sum(lens) + len(lens) - 1:
                # one white-space character between chunks, none around them (most text): no scan
                cs = self._cstart = list(accumulate(map(_PLUS_ONE, lens[:-1]), initial=0))
            else:
                runs = _SPACE.findall(self.text)
                lead = 0
                if runs and self.text[0].isspace():
                    lead = len(runs[0])
                    runs = runs[1:]
                cs = self._cstart = list(accumulate(map(add, lens[:-1], map(len, runs)), initial=lead))
            self._tcum = list(accumulate(map(len, self.entries)))
        return cs, self._tcum  # type: ignore[return-value]

    def start(self, i: int) -> int:
        """Segment offset where token ``i`` starts."""
        cs, tcum = self._chunk_starts()
        return cs[bisect.bisect_right(tcum, i)] + self.toks[i][0]

    def end(self, i: int) -> int:
        """Segment offset where token ``i`` ends."""
        cs, tcum = self._chunk_starts()
        return cs[bisect.bisect_right(tcum, i)] + self.toks[i][1]

    def char_span(self, ts: int, te: int) -> tuple[int, int, int]:
        cs, tcum = self._chunk_starts()
        toks = self.toks
        return (cs[bisect.bisect_right(tcum, ts)] + toks[ts][0],
                cs[bisect.bisect_right(tcum, te - 1)] + toks[te - 1][1], ts)

    def token_at(self, offset: int) -> int:
        """Index of the token holding segment offset ``offset`` (or the next one)."""
        if self._starts is None:
            self._starts = [self.start(i) for i in range(len(self.toks))]
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self.end(i):
            return i
        return i + 1

    # ----------------------------------------------------------------- matching
    def phrase_hits(self) -> dict[int, list[tuple[int, int]]]:
        """PhraseMatcher semantics: every occurrence of every term's token sequence."""
        hits: dict[int, set[tuple[int, int]]] = {}
        get = hits.get
        toks = self.toks
        n = len(toks)
        for i in self.hot:
            inf = toks[i][4]
            for key in inf.single:  # (setdefault would build a set for every hit)
                h = get(key)
                if h is None:
                    hits[key] = {(i, i + 1)}
                else:
                    h.add((i, i + 1))
            if inf.lower_multi:
                for key, seq, j, m in inf.lower_multi:
                    s = i - j
                    if s >= 0 and s + m <= n and tuple(map(_LOW, toks[s:s + m])) == seq:
                        hits.setdefault(key, set()).add((s, s + m))
            if inf.orth_multi:
                for key, seq, j, m in inf.orth_multi:
                    s = i - j
                    if s >= 0 and s + m <= n and tuple(map(_ORTH, toks[s:s + m])) == seq:
                        hits.setdefault(key, set()).add((s, s + m))
        return {k: sorted(v) for k, v in hits.items()}

    def sequence_hits(self) -> dict[int, list[tuple[int, int]]]:
        """Token-sequence matches (glob, lemma, near groups) as ``TokenIndex.run`` finds them on a
        ``Doc``: from each token that starts a sequence (:attr:`TokenInfo.starts`)."""
        hits: dict[int, list[tuple[int, int]]] = {}
        toks = self.toks
        n = len(toks)
        for i in self.hot:
            starts = toks[i][4].starts
            if not starts:
                continue
            for key, rest, m in starts:
                if not rest:  # one token (most lemma and glob terms)
                    hits.setdefault(key, []).append((i, i + 1))
                elif i + m <= n and all(toks[i + k][4] and rest[k - 1] in toks[i + k][4].pids
                                        for k in range(1, m)):
                    hits.setdefault(key, []).append((i, i + m))
        return hits
