"""The reference path's view of a segment: a spaCy ``Doc`` of its white-space-collapsed text."""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .matchers import LangMatchers

__all__ = ["TokenView"]

#: white-space runs other than a single " " (the only ones collapsing changes)
_ODD_RUN = re.compile(r"\s{2,}|[^\S ]")


class _Lowers:
    """Lazy lower-cased token strings of a Doc (for negation look-behind)."""

    __slots__ = ("doc",)

    def __init__(self, doc) -> None:
        self.doc = doc

    def __len__(self) -> int:
        return len(self.doc)

    def __getitem__(self, i: int) -> str:
        return self.doc[i].lower_


class TokenView:
    """The tokens of one segment: a spaCy Doc of the text with white-space runs collapsed.

    Collapsing (``"capacity\\nbuilding"`` -> ``"capacity building"``) only feeds the
    tokenizer; offsets are mapped back to the untouched segment text.
    """

    __slots__ = ("doc", "base", "_cpos", "_cum", "_runs", "_starts")

    def __init__(self, lm: LangMatchers, text: str) -> None:
        lead = len(text) - len(text.lstrip())
        body = text.strip()
        self.base = lead
        self._cpos = [0]
        self._cum = [0]
        self._runs: list[tuple[int, int]] = []  # collapsed runs (start, end) in body offsets
        if _ODD_RUN.search(body):
            shift = 0
            for m in _ODD_RUN.finditer(body):
                shift += (m.end() - m.start()) - 1
                self._cpos.append(m.end() - shift)
                self._cum.append(shift)
                self._runs.append((m.start(), m.end()))
            body = _ODD_RUN.sub(" ", body)
        self.doc = lm.tokenizer(body)
        self._starts: list[int] | None = None

    def to_text(self, c: int) -> int:
        """Segment offset of collapsed offset ``c``."""
        k = bisect.bisect_right(self._cpos, c) - 1
        return self.base + c + self._cum[k]

    def from_text(self, o: int) -> int:
        """Collapsed offset of segment offset ``o`` (inside a collapsed run: its end)."""
        o -= self.base
        if o <= 0:
            return 0
        k = bisect.bisect_right(self._runs, (o, o)) - 1  # last run starting at or before o
        if k >= 0 and o < self._runs[k][1]:
            return self._cpos[k + 1]
        return o - self._cum[k + 1]

    def char_span(self, ts: int, te: int) -> tuple[int, int, int]:
        first, last = self.doc[ts], self.doc[te - 1]
        return self.to_text(first.idx), self.to_text(last.idx + len(last) - 1) + 1, ts

    def token_at(self, offset: int) -> int:
        """Index of the token holding segment offset ``offset`` (or the next one)."""
        if self._starts is None:
            self._starts = [t.idx for t in self.doc]
        c = self.from_text(offset)
        i = bisect.bisect_right(self._starts, c) - 1
        if i >= 0 and c < self._starts[i] + len(self.doc[i]):
            return i
        return i + 1
