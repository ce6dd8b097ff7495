"""Negation cues and scope for English and Indonesian (see ``docs/codebook.md``, "Negation").

A match is *negated* when a negation cue stands before it in the same sentence,
within a window of 4 tokens, or when a post-cue ("never", "no longer", "tidak pernah")
follows it within 3 tokens ("training never happened"). The scope ends at punctuation (``, ; : . ! ?``) and
at contrastive words ("but", "tetapi", "namun"). "not only" (and its Indonesian
equivalents "tidak hanya", "bukan hanya", ...) does not negate.

Everything here works on lower-cased token strings, so it can be used on spaCy
tokens (``[t.lower_ for t in doc]``) or any other tokenisation. White-space tokens
(spaCy's ``"\\n"`` or ``"  "`` tokens) are skipped and do not count towards the window.

Examples
--------
>>> is_negated(["there", "was", "no", "training", "at", "all"], 3, lang="en")
True
>>> is_negated(["not", "only", "training"], 2, lang="en")
False
>>> is_negated(["no", "money", ",", "but", "training"], 4, lang="en")
False
>>> is_negated(["pelatihan", "belum", "ada"], 0, lang="id")
False
>>> is_negated(["belum", "ada", "pelatihan"], 2, lang="id")
True
>>> is_negated(["the", "training", "never", "happened"], 1, lang="en")
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["NegationProfile", "AFTER_WINDOW", "DEFAULT_WINDOW", "cues", "is_negated", "profile"]

#: how many tokens before a match a cue may stand
DEFAULT_WINDOW = 4
#: how many tokens after a match's first token a post-cue may start ("training never happened")
AFTER_WINDOW = 3

#: characters whose tokens end a negation scope
_PUNCT = frozenset(",;:.!?")


@dataclass(frozen=True)
class NegationProfile:
    """The cues of one language.

    ``single`` are one-token cues, ``multi`` are cue sequences (e.g. ``("lack", "of")``),
    ``hedged`` the subset of cues that only weaken (still treated as negation),
    ``not_only`` maps a cue to the next words that cancel it ("not only"),
    ``contrast`` the words that end a scope.
    """

    lang: str
    single: frozenset[str]
    multi: tuple[tuple[str, ...], ...] = ()
    hedged: frozenset[str] = frozenset()
    not_only: frozenset[str] = frozenset()
    contrast: frozenset[str] = frozenset()
    after: tuple[tuple[str, ...], ...] = ()


_PROFILES = {
    "en": NegationProfile(
        lang="en",
        single=frozenset({"no", "not", "n't", "without", "never", "neither", "nor", "none", "nothing"}),
        multi=(("lack", "of"), ("absence", "of"), ("no", "longer"), ("none", "of")),
        after=(("never",), ("no", "longer")),
        # "not only", "not just" do not negate (the spec names "not only")
        not_only=frozenset({"only"}),
        contrast=frozenset({"but"}),
    ),
    "id": NegationProfile(
        lang="id",
        single=frozenset({"tidak", "tak", "bukan", "belum", "tanpa", "tiada", "jangan", "kurang", "jarang"}),
        multi=(("tidak", "pernah"), ("tak", "pernah")),
        after=(("tidak", "pernah"), ("tak", "pernah"), ("belum", "pernah")),
        hedged=frozenset({"kurang", "jarang"}),
        # "tidak hanya" / "bukan hanya" / "tidak saja" = "not only"
        not_only=frozenset({"hanya", "saja"}),
        contrast=frozenset({"tetapi", "namun", "tapi"}),
    ),
}


def profile(lang: str | None) -> NegationProfile | None:
    """The negation profile of ``lang`` (``None`` for languages without cues)."""
    return _PROFILES.get(lang or "")


def cues(lang: str | None) -> frozenset[str]:
    """Every cue word of ``lang`` (multi-word cues joined by a space)."""
    p = profile(lang)
    if p is None:
        return frozenset()
    return p.single | frozenset(" ".join(m) for m in p.multi)


def _is_boundary(word: str, contrast: frozenset[str]) -> bool:
    return word in contrast or (bool(word) and all(ch in _PUNCT for ch in word))


def is_negated(
    tokens: Sequence[str],
    start: int,
    *,
    lang: str | None,
    window: int = DEFAULT_WINDOW,
) -> bool:
    """Whether the match beginning at token ``start`` lies in a negation scope.

    Parameters
    ----------
    tokens : sequence of str
        Lower-cased token strings of the segment (white-space tokens allowed; skipped).
    start : int
        Index of the first token of the match.
    lang : str or None
        Language of the tokens; languages without a profile are never negated.
    window : int
        How many (non-space) tokens before the match a cue may stand.

    Returns
    -------
    bool
        True when a cue stands within ``window`` tokens before ``start`` with no
        punctuation or contrastive word in between, and it is not "not only".
    """
    p = _PROFILES.get(lang or "")
    if p is None:
        return False
    if p.after and _cue_after(tokens, start, p):
        return True
    if start <= 0:
        return False
    seen = 0
    j = start - 1
    while j >= 0 and seen < window:
        word = tokens[j]
        if not word or word.isspace():
            j -= 1
            continue
        if _is_boundary(word, p.contrast):
            return False
        seen += 1
        if word in p.single:
            nxt = _next_word(tokens, j + 1)
            if nxt is None or nxt not in p.not_only:
                return True
        for cue in p.multi:
            n = len(cue)
            if word == cue[-1] and _words_before(tokens, j, n - 1) == cue[:-1]:
                return True
        j -= 1
    return False


def _cue_after(tokens: Sequence[str], start: int, p: NegationProfile) -> bool:
    """A post-cue within :data:`AFTER_WINDOW` words after the match's first token, same clause."""
    words: list[str] = []
    i, n = start + 1, len(tokens)
    while i < n and len(words) < AFTER_WINDOW + 1:
        w = tokens[i]
        i += 1
        if not w or w.isspace():
            continue
        if _is_boundary(w, p.contrast):
            break
        words.append(w)
    for k in range(min(AFTER_WINDOW, len(words))):
        for cue in p.after:
            if tuple(words[k:k + len(cue)]) == cue:
                return True
    return False


def _next_word(tokens: Sequence[str], i: int) -> str | None:
    """The next non-space token at or after ``i`` (the match itself included)."""
    n = len(tokens)
    while i < n:
        w = tokens[i]
        if w and not w.isspace():
            return w
        i += 1
    return None


def _words_before(tokens: Sequence[str], j: int, n: int) -> tuple[str, ...]:
    out: list[str] = []
    i = j - 1
    while i >= 0 and len(out) < n:
        w = tokens[i]
        if w and not w.isspace():
            out.append(w)
        i -= 1
    return tuple(reversed(out))
