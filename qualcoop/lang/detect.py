"""Language detection as a *hint*: ``detect_language(text) -> (lang, confidence)``.

qualcoop never lets a detector choose a document's language: the language comes from the
document's attributes or the project setting (:func:`qualcoop.lang.profile.document_languages`).
This module only says what the text looks like, so the CLI can show a hint ("this document
set as en looks id (0.91)") and a user can fix the attribute.

The method is small and offline: counts of frequent function words that belong to one
language only (English "the", "of", "which"; Indonesian "yang", "dengan", "tidak") and of
the Indonesian clitic "-nya". Offline detectors confuse Indonesian and Malay; this one knows
only English and Indonesian, so Malay text comes out as ``"id"``: one more reason it only
hints.

``confidence`` is ``(winner - runner_up) / (hits + 2)``: 0 without evidence, near 1 for a
long text in one language, lower for short or code-switched text.

Examples
--------
>>> detect_language("The parties shall cooperate in the field of labour.")
('en', 0.667)
>>> detect_language("Kerja sama antara Indonesia dengan ILO yang telah berjalan.")
('id', 0.714)
>>> detect_language("12345")
(None, 0.0)
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["MARKERS", "decide", "detect_language", "language_shares"]

#: frequent function words of one language only (none is a word of the other)
MARKERS: dict[str, frozenset[str]] = {
    "en": frozenset("""
        the of and to is are was were be been being that this these those which who whom whose
        with for from by on at as it its into than then there their they them we our you your he she
        his her not no shall will would should could can may might must have has had do does did
        an or if but also such other all any each under between within without upon about
        """.split()),
    "id": frozenset("""
        yang dan di ke dari ini itu dengan untuk dalam pada tidak adalah akan atau oleh juga
        sebagai kami saya kita mereka ada sudah bisa karena tersebut bahwa telah belum bukan
        harus dapat serta antara secara atas bagi namun tetapi tapi jika apabila sehingga agar
        kepada terhadap setiap lebih sangat masih hanya sama lain para nya saja kalau jadi
        """.split()),
}

_WORDS = re.compile(r"[^\W\d_]+")
# a word of two or more letters ending in the enclitic -nya: found as "nya" at a word's end with two
# letters before it (the same count as ``[^\W\d_]{2,}nya\b``, without trying that at every letter)
_NYA_END = re.compile(r"nya\b", re.IGNORECASE)
_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")


def _nya_words(text: str) -> int:
    return sum(1 for m in _NYA_END.finditer(text)
               if m.start() >= 2 and _TWO_LETTERS.fullmatch(text, m.start() - 2, m.start()))


_MARKER_BYTES = {lang: tuple(w.encode("ascii") for w in sorted(m)) for lang, m in MARKERS.items()}
_ALL_MARKERS = frozenset().union(*MARKERS.values())


#: bytes -> ASCII letters and non-ASCII bytes kept, every other ASCII byte (white space, punctuation,
#: digits, ``_``: what ends a word of ``_WORDS``) a space
_ASCII_SEPARATORS = bytes(b if (65 <= b <= 90 or 97 <= b <= 122 or b >= 128) else 32 for b in range(256))


def _counts(text: str) -> dict[str, int]:
    # the words of ``_WORDS.findall(text.lower())``, counted faster: the lower-cased text as UTF-8 with
    # every ASCII byte that ends a word turned into a space, split at spaces (all in C). A token of ASCII
    # letters only is one such word; a token holding non-ASCII characters is decoded and split by the
    # pattern, once per distinct token (a word never spans a separator, so the counts are the same).
    # Every marker is ASCII.
    low = text.lower()
    tokens = Counter(low.encode("utf-8", "surrogatepass").translate(_ASCII_SEPARATORS).split())
    words: Counter[str] = Counter()
    for tok, n in tokens.items():
        if not tok.isalpha():  # bytes.isalpha: ASCII letters only
            for w in _WORDS.findall(tok.decode("utf-8", "surrogatepass")):
                if w in _ALL_MARKERS:
                    words[w] += n
    counts = {lang: sum(tokens[b] for b in _MARKER_BYTES[lang]) + sum(words[w] for w in markers if w in words)
              for lang, markers in MARKERS.items()}
    if "nya" in low:  # only n, N, y, Y, a, A match "nya" ignoring case (checked over every code point)
        counts["id"] += _nya_words(text)
    return counts


def language_shares(text: str) -> dict[str, float]:
    """The share of each language's marker words among all marker words found (sums to 1, or all 0).

    A hint for code-switched text: an interview turn with both English and Indonesian
    markers has two non-zero shares.

    Examples
    --------
    >>> language_shares("Kami ikut training-nya ILO, and the trainer was good.")
    {'en': 0.6, 'id': 0.4}
    """
    counts = _counts(text)
    total = sum(counts.values())
    return {k: (v / total if total else 0.0) for k, v in sorted(counts.items())}


def detect_language(text: str) -> tuple[str | None, float]:
    """Which of English and Indonesian ``text`` looks like, and how sure: a hint only.

    Parameters
    ----------
    text : str
        Any text (only letters are read).

    Returns
    -------
    (str or None, float)
        ``("en" | "id", confidence in [0, 1))``, or ``(None, 0.0)`` when the text has no
        marker words or both languages tie. Deterministic.
    """
    return decide(_counts(text))


def decide(counts: dict[str, int]) -> tuple[str | None, float]:
    """:func:`detect_language`'s answer from the marker counts of a text (``_counts``)."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    (best, n1), (_, n2) = ranked[0], ranked[1]
    if n1 == n2:
        return None, 0.0
    total = sum(counts.values())
    return best, round((n1 - n2) / (total + 2), 3)
