"""Languages of a segment: the canonical language key, and negation across several languages.

A segment is coded in one language or, for code-switched documents, in several (primary
first, :func:`lang_key`). The primary language tokenises; the negation cues of every language
count and the contrastive words of every language end a scope (:func:`negated_in`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from ..errors import LanguageError
from ..lang.negation import is_negated

__all__ = ["lang_key", "negated_in", "negation_triggers", "profile_of"]


def profile_of(lang: str):
    """The language profile of ``lang`` (:mod:`qualcoop.lang.profile`); raises LanguageError."""
    from ..lang.profile import get_profile

    return get_profile(lang)


def lang_key(lang: str | Sequence[str]) -> tuple[str, ...]:
    """The languages a segment is coded in as a canonical tuple: the primary language first,
    the others sorted (their order does not change any result)."""
    if isinstance(lang, str):
        return (lang,)
    langs = tuple(lang)
    if not langs or not all(isinstance(x, str) and x for x in langs):
        raise LanguageError(f"expected a language code or a non-empty list of them, got {lang!r}")
    return (langs[0], *sorted(set(langs[1:]) - {langs[0]}))


@functools.lru_cache(maxsize=None)
def negation_triggers(langs: tuple[str, ...]) -> tuple[frozenset[str], int] | None:
    """Words one of which stands among the tokens ``start - reach .. start + AFTER_WINDOW`` whenever the
    match at token ``start`` is negated (fast tokens: no white space), and ``reach``; ``None``: never negated.

    The words are the single cues and the *first* word of every multi-word cue and post-cue, of every
    language; ``reach`` is the cue window plus the longest multi-word cue less one, so a multi-word cue
    whose last word is in the window has its first word in reach. (The last word of "lack of" is "of":
    a prefilter on it would send nearly every match to the full check.)
    """
    from ..lang.negation import DEFAULT_WINDOW, profile

    out: set[str] = set()
    longest = 1
    for lang in langs:
        p = profile(lang)
        if p is not None:
            out |= p.single | frozenset(m[0] for m in p.multi) | frozenset(m[0] for m in p.after)
            longest = max([longest, *(len(m) for m in p.multi)])
    return (frozenset(out), DEFAULT_WINDOW + longest - 1) if out else None


@functools.lru_cache(maxsize=None)
def _foreign_contrast(langs: tuple[str, ...]) -> tuple[tuple[str, frozenset[str]], ...]:
    """For each language of a code-switched segment (with a negation profile): the contrastive
    words of the *other* languages, which end its negation scopes too ("tidak ... but training")."""
    from ..lang.negation import profile

    profs = [p for p in (profile(lang) for lang in langs) if p is not None]
    every = frozenset().union(*(p.contrast for p in profs)) if profs else frozenset()
    return tuple((p.lang, every - p.contrast) for p in profs)


class _Bounded:
    """Lower-cased tokens with the given words read as "," (a scope boundary)."""

    __slots__ = ("tokens", "words")

    def __init__(self, tokens, words: frozenset[str]) -> None:
        self.tokens = tokens
        self.words = words

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, i: int) -> str:
        w = self.tokens[i]
        return "," if w in self.words else w


def negated_in(tokens, start: int, langs: tuple[str, ...]) -> bool:
    """Whether the match at token ``start`` is negated in a segment coded in ``langs``.

    One language: :func:`qualcoop.lang.negation.is_negated`. Several (code-switching): the cues of
    every language count, and the contrastive words of every language end a scope.
    """
    if len(langs) == 1:
        return is_negated(tokens, start, lang=langs[0])
    for lang, foreign in _foreign_contrast(langs):
        if is_negated(_Bounded(tokens, foreign) if foreign else tokens, start, lang=lang):
            return True
    return False
