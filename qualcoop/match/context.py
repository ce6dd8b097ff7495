"""What rules see while one segment is coded: :class:`SegmentContext` (created per segment, then dropped).

Leaves ask it for their token hits (:meth:`SegmentContext.token_hits`, by channel and key),
whether a span is negated, and whether a regex may still run; combinators ask their
children. It tokenises the segment once, on the fast path (chunk cache, no spaCy ``Doc``)
or on the reference path (a spaCy ``Doc``), and runs each hit channel at most once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..lang.negation import AFTER_WINDOW as NEG_AFTER
from ..model import Document, Segment
from .budget import count_timeout, rule_allowed
from .docview import TokenView, _Lowers
from .fast import FastView
from .languages import negated_in, negation_triggers
from .matchers import CHANNELS, LangMatchers

if TYPE_CHECKING:  # pragma: no cover
    from collections import Counter

__all__ = ["RegexBudget", "SegmentContext"]


class RegexBudget(Protocol):
    """Who counts regex time-outs (the compiled codebook): ``timeouts`` and ``max_timeouts``."""

    timeouts: Counter[str]
    max_timeouts: int
    regex_timeout: float

    def owner_of(self, key: int) -> int: ...


class SegmentContext:
    """What rules see while one segment is coded.

    Parameters
    ----------
    cc : CompiledCodebook
        The compiled codebook: which leaf owns a matcher key (``owner_of``), regex time-outs.
    lm : LangMatchers
        The matchers of the segment's languages.
    document, segment, text
        The segment and its text (``document.text[segment.start:segment.end]``).
    lang : str
        The primary language.
    active : frozenset of int or None
        Leaf keys the prefilter finds possible here (``None``: every leaf).
    fast : bool
        Tokens from the chunk cache and matching in Python (no spaCy Doc); only used when no
        leaf that needs a Doc (``fast_path = False``) can match here.
    """

    __slots__ = ("cc", "lm", "document", "segment", "text", "lang", "langs", "active", "veto", "fast", "found",
                 "_view", "_hits", "_negated", "_folded")

    def __init__(self, cc: RegexBudget, lm: LangMatchers, document: Document, segment: Segment,
                 text: str, lang: str, active: frozenset[int] | None, *, fast: bool = False) -> None:
        self.cc = cc
        self.lm = lm
        self.document = document
        self.segment = segment
        self.text = text
        #: the primary language (it tokenises) and every language the segment is coded in
        self.lang = lang
        self.langs = lm.langs
        self.active = active  # None: every leaf may match
        self.veto: list[tuple[int, int]] = []
        self.fast = fast
        self._view: TokenView | FastView | None = None
        self._hits: dict[str, dict[int, list[tuple[int, int]]]] = {}
        self._negated: dict[int, bool] = {}
        #: leaf keys with at least one token hit, once every token matcher has run (else None)
        self.found: frozenset[int] | None = None
        self._folded: str | None = None

    @property
    def folded(self) -> str:
        """The text folded for regex rules' literal prefilter (:func:`qualcoop.patterns.fold_for_literals`)."""
        if self._folded is None:
            from ..patterns import fold_for_literals

            self._folded = fold_for_literals(self.text)
        return self._folded

    def found_keys(self) -> frozenset[int]:
        """Leaf keys with at least one token match in this segment (runs every channel)."""
        owner = self.cc.owner_of
        keys: set[int] = set()
        for channel in CHANNELS:
            keys.update(owner(k) for k in self._channel(channel))
        return frozenset(keys)

    def _channel(self, channel: str) -> dict[int, list[tuple[int, int]]]:
        hits = self._hits.get(channel)
        if hits is None:
            hits = self._hits[channel] = self.lm.hits(channel, self.view, self.cc)
        return hits

    @property
    def view(self) -> TokenView | FastView:
        """The segment's tokens: a fast view, or a spaCy ``Doc`` view on the reference path."""
        if self._view is None:
            if self.fast:  # new chunks of the text after the segment are tokenised with its own
                self._view = self.lm.fast_view(self.text, (self.document.text, self.segment.end))
            else:
                self._view = TokenView(self.lm, self.text)
        return self._view

    def token_spans(self, channel: str, key: int, *, gate: int | None = None) -> list[tuple[int, int]]:
        """Token spans found for ``key``; empty without tokenising when the prefilter ruled
        out the leaf ``gate`` (default: ``key`` itself)."""
        if self.active is not None and (key if gate is None else gate) not in self.active:
            return []
        return self._channel(channel).get(key, [])

    def token_hits(self, channel: str, key: int) -> list[tuple[int, int, int | None]]:
        """Character spans ``(start, end, first token)`` of ``key``'s token hits."""
        spans = self.token_spans(channel, key)
        if not spans:
            return []
        cs = self.view.char_span
        return [cs(s, e) for s, e in spans]

    def char_span(self, ts: int, te: int) -> tuple[int, int, int]:
        return self.view.char_span(ts, te)

    def is_negated(self, start: int, token: int | None) -> bool:
        """Whether the span starting at ``start`` (token ``token``) lies in a negation scope."""
        view = self.view
        if token is None:
            token = view.token_at(start)
        neg = self._negated.get(token)
        if neg is None:
            if self.fast:
                # fast tokens hold no white space, so the cue window is the tokens right before
                lows = view.lows
                triggers = negation_triggers(self.langs)
                if triggers is None or triggers[0].isdisjoint(lows[max(0, token - triggers[1]):token + NEG_AFTER + 1]):
                    neg = False
                else:
                    neg = negated_in(lows, token, self.langs)
            else:
                neg = negated_in(_Lowers(view.doc), token, self.langs)
            self._negated[token] = neg
        return neg

    def regex_allowed(self, qid: str) -> bool:
        return rule_allowed(self.cc, qid)

    def regex_timed_out(self, qid: str) -> None:
        count_timeout(self.cc, qid)
