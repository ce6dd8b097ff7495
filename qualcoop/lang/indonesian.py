"""Indonesian roots, per token: lookup, then the Sastrawi stemmer, with an override table.

:func:`stem` maps one token to its root (*kata dasar*): ``"Dipekerjakan"`` -> ``"kerja"``,
``"pelatih-pelatih"`` -> ``"latih"``, ``"gajinya"`` -> ``"gaji"``. It never sees more than one
token, so it cannot move an offset: callers keep their tokens' ``(start, end)`` and only
add the root next to them. (Sastrawi's own ``stem(text)`` lower-cases the whole text and
strips punctuation; it is never called on text here.)

How a root is found, in order:

1. the token is lower-cased; tokens that are not words (digits, punctuation, mixed
   symbols) are returned lower-cased and unchanged;
2. the override table ``qualcoop/lang/data/id_overrides.tsv`` (known errors: "tahu" is
   not "beri");
3. spaCy's Indonesian lookup lemma table (``spacy-lookups-data``), looked up in lower
   case (the table is case-sensitive: "Berdasarkan" at a sentence start was missed);
   multi-word values ("tenaga kerja") are ignored; overrides apply to the value too;
4. the Sastrawi stemmer (PySastrawi, MIT; its root dictionary ships inside the package,
   so it works offline) on the result, with a few bogus dictionary entries removed
   (``qualcoop/lang/data/id_not_roots.txt``); a root the override table maps again
   (``sesuai`` -> ``suai``) is mapped.

Measured on ``tests/data/lang/indonesian_roots.tsv`` (468 forms): Sastrawi alone 95.5 %,
lookup then Sastrawi 97.2 %, with the overrides and dictionary fixes 100 % (tuned on it);
on the held-out list ``indonesian_roots_holdout.tsv`` (125 forms, never tuned on) see
``docs/languages.md``.

The *literal guarantee* (used by the rule engine's Aho-Corasick prefilter): for every
token ``t`` whose root ``r = stem(t)`` is not listed in :func:`irregular_forms`,
``r[1:]`` occurs in ``t.lower()[1:]``. :func:`stem_literals` turns a root into the set
of lower-case strings one of which every token with that root contains.

Examples
--------
>>> [stem(w) for w in ("Berdasarkan", "dipekerjakan", "majikannya", "gajinya", "tahu")]
['dasar', 'kerja', 'majikan', 'gaji', 'tahu']
>>> [stem(w) for w in ("pelatihan", "dilatih", "melatih", "pelatih-pelatih", "Rp1.500.000")]
['latih', 'latih', 'latih', 'latih', 'rp1.500.000']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from importlib import resources

__all__ = ["affix_forms", "boilerplate_words", "irregular_forms", "is_known_word", "lemma", "overrides", "stem",
           "stem_literals", "stems", "stop_words"]

#: a word the stemmer may see: letters, optionally joined by hyphens (reduplication, -nya)
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
_MAX_WORD = 64  # longer "words" are returned as they are (Sastrawi's regexes are not made for them)
_CACHE = 1 << 16


def _data_lines(name: str) -> list[list[str]]:
    text = (resources.files("qualcoop.lang") / "data" / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.lru_cache(maxsize=1)
def overrides() -> dict[str, str]:
    """The override table: lower-case form -> root (``qualcoop/lang/data/id_overrides.tsv``)."""
    return {row[0].strip(): row[1].strip() for row in _data_lines("id_overrides.tsv")}


@functools.lru_cache(maxsize=1)
def _not_roots() -> frozenset[str]:
    return frozenset(row[0].strip() for row in _data_lines("id_not_roots.txt"))


@functools.lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    """spaCy's id lemma lookup table, single-word values only (empty without spacy-lookups-data)."""
    import gzip
    import json

    try:
        path = resources.files("spacy_lookups_data") / "data" / "id_lemma_lookup.json.gz"
        with path.open("rb") as fh:
            data = json.loads(gzip.decompress(fh.read()).decode("utf-8"))
    except (ModuleNotFoundError, FileNotFoundError, OSError):  # pragma: no cover - optional data
        return {}
    out: dict[str, str] = {}
    for k, v in data.items():
        if isinstance(k, str) and isinstance(v, str) and " " not in v and _WORD.fullmatch(v.lower()):
            out.setdefault(k.lower(), v.lower())
    return out


@functools.lru_cache(maxsize=1)
def _stemmer():
    """A Sastrawi stemmer without result cache (we cache ourselves, bounded)."""
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    bad = _not_roots()
    words = [w for w in StemmerFactory().get_words() if w and w not in bad]
    return Stemmer(ArrayDictionary(words))


def _sastrawi(word: str) -> str:
    """Sastrawi's root of one lower-case word, kept only when it keeps the literal guarantee."""
    root = _stemmer().stem_word(word)
    if not root or not _WORD.fullmatch(root) or root[1:] not in word[1:]:
        return word
    return root


@functools.lru_cache(maxsize=_CACHE)
def stem(token: str) -> str:
    """The root of one Indonesian token (lower case); non-words come back lower-cased.

    Parameters
    ----------
    token : str
        One token's text, as the tokenizer gave it (any case).

    Returns
    -------
    str
        The root, e.g. ``"kerja"`` for ``"Dipekerjakan"``. Deterministic; cached.

    Examples
    --------
    >>> stem("PERSETUJUAN"), stem("ketenagakerjaan"), stem("2025")
    ('tuju', 'ketenagakerjaan', '2025')
    """
    low = token.lower()
    if len(low) > _MAX_WORD or not _WORD.fullmatch(low):
        return low
    table = overrides()
    hit = table.get(low)
    if hit is not None:
        return hit
    base = _lookup().get(low, low)
    hit = table.get(base)
    if hit is not None:
        return hit
    root = _sastrawi(base)
    root = table.get(root, root)  # overrides name canonical roots too (sesuai -> suai)
    if base != low and root[1:] not in low[1:]:
        # the lookup value is not spelled inside the form: keep the form's own parse
        # (this is what makes the literal guarantee hold for every non-override form)
        root = _sastrawi(low)
        root = table.get(root, root)
        if root[1:] not in low[1:]:
            root = low
    return root


_REDUP = re.compile(r"(?:se|ber|ter|di|ke|me|pe)?([a-z]{2,})-\1(nya|an|kan|i|lah|kah|ku|mu)?")
#: reduplications that are words of their own (not plurals): their lemma is themselves
LEXICAL_REDUPLICATIONS = frozenset({
    "undang-undang", "laki-laki", "kupu-kupu", "masing-masing", "tiap-tiap", "sama-sama", "hati-hati",
    "mata-mata", "lain-lain", "oleh-oleh", "kira-kira", "pura-pura", "sia-sia", "rata-rata", "kanak-kanak",
    "biri-biri", "paru-paru", "ubun-ubun", "cumi-cumi", "gado-gado", "alun-alun", "kura-kura"})
_CLITIC = re.compile(r"(.{3,}?)(nya|lah|kah|pun|tah|ku|mu)")


def is_known_word(word: str) -> bool:
    """Whether ``word`` (lower case) is a root in Sastrawi's dictionary or a form in the lookup table."""
    return word in _lookup() or _is_root(word)


def _is_root(word: str) -> bool:
    return word not in _not_roots() and _stemmer().dictionary.contains(word)


@functools.lru_cache(maxsize=_CACHE)
def lemma(token: str) -> str:
    """The token without clitics and reduplication, derivation kept: the Indonesian *lemma*.

    ``"pekerjanya"`` -> ``"pekerja"`` (a root would be ``"kerja"``, which also covers
    "bekerja" and "pekerjaan"), ``"perusahaan-perusahaan"`` -> ``"perusahaan"``. A clitic
    (-nya, -lah, -kah, -pun, -tah, -ku, -mu) is removed only when the word is not itself a
    root and what remains is a known word ("masalah" stays, "gajinya" -> "gaji").

    Examples
    --------
    >>> [lemma(w) for w in ("Pekerjanya", "pelatih-pelatih", "anggota-anggotanya", "masalah", "hanya")]
    ['pekerja', 'pelatih', 'anggota', 'masalah', 'hanya']
    """
    low = token.lower()
    if len(low) > _MAX_WORD or not _WORD.fullmatch(low):
        return low
    if low in LEXICAL_REDUPLICATIONS:
        return low
    m = _REDUP.fullmatch(low)
    if m is not None and not _is_root(low):
        whole = low[:low.index("-")]
        low = whole if is_known_word(whole) else m.group(1)
    if not _is_root(low):
        m2 = _CLITIC.fullmatch(low)
        if m2 is not None and is_known_word(m2.group(1)):
            return m2.group(1)
    return low


def stems(tokens: Iterable[str]) -> list[str]:
    """:func:`stem` of each token, in order (one list item per token: offsets stay the caller's)."""
    return [stem(t) for t in tokens]


@functools.lru_cache(maxsize=1)
def irregular_forms() -> dict[str, frozenset[str]]:
    """Root -> override forms that do not spell ``root[1:]`` (the only exceptions to the guarantee)."""
    out: dict[str, set[str]] = {}
    for form, root in overrides().items():
        if root[1:] not in form[1:]:
            out.setdefault(root, set()).add(form)
    return {k: frozenset(v) for k, v in out.items()}


def stem_literals(root: str) -> frozenset[str] | None:
    """Lower-case strings one of which every token whose :func:`stem` is ``root`` contains.

    ``None`` when no useful literal exists (roots of one character). The rule engine's
    prefilter uses this to skip segments where a stem rule cannot match.

    Examples
    --------
    >>> sorted(stem_literals("latih"))
    ['atih']
    >>> stem_literals("a") is None
    True
    """
    root = root.lower()
    if len(root) < 2:
        return None
    return frozenset({root[1:]} | irregular_forms().get(root, frozenset()))


# --------------------------------------------------------------------------- affixed forms

_VOWELS = frozenset("aeiou")


def _nasal(root: str, *, prefix: str) -> str:
    """``meN-``/``peN-`` + root with the standard allomorphs (``prefix`` is ``"me"`` or ``"pe"``)."""
    first = root[0]
    cluster = len(root) > 1 and root[1] not in _VOWELS
    if len(re.findall(r"[aeiou]+", root)) == 1:
        return prefix + "nge" + root  # monosyllables: mengecek, pengecek
    if first in "lmnrwy" or root.startswith(("ng", "ny")):
        return prefix + root
    if first in "bfv":
        return prefix + "m" + root
    if first == "p":
        return prefix + "m" + (root if cluster else root[1:])
    if first in "cdjz":
        return prefix + "n" + root
    if first == "t":
        return prefix + "n" + (root if cluster else root[1:])
    if first == "s":
        return prefix + ("n" + root if cluster else "ny" + root[1:])
    if first == "k":
        return prefix + "ng" + (root if cluster else root[1:])
    return prefix + "ng" + root  # vowels, g, h


def _ber(root: str) -> str:
    if root.startswith("r") or re.match(r"[^aeiou]er", root):
        return "be" + root  # berencana, bekerja
    if root == "ajar":
        return "belajar"
    return "ber" + root


def affix_forms(root: str) -> tuple[str, ...]:
    """Common affixed forms of an Indonesian root, with the ``meN-``/``peN-`` allomorphs.

    A generator for documentation, tests and term lists: it does not know which forms
    are real words (``"latih"`` gives ``"pelatihan"``, ``"dilatih"``, ``"melatih"``,
    ``"pelatih-pelatih"``, ... and also forms nobody uses).

    Examples
    --------
    >>> forms = affix_forms("latih")
    >>> {"pelatihan", "dilatih", "melatih", "pelatih-pelatih", "terlatih"} <= set(forms)
    True
    >>> "menulis" in affix_forms("tulis") and "mengirim" in affix_forms("kirim")
    True
    """
    r = root.lower()
    if not _WORD.fullmatch(r):
        return ()
    me, pe = _nasal(r, prefix="me"), _nasal(r, prefix="pe")
    forms = [
        r, r + "nya", r + "-" + r, r + "an", r + "kan", r + "i",
        "di" + r, "di" + r + "kan", "di" + r + "i", "di" + r + "nya",
        me, me + "kan", me + "i",
        _ber(r), _ber(r) + "an", "ter" + r, "ter" + r + "kan",
        pe, pe + "-" + pe, pe + "an", pe + "annya", "per" + r + "an", "ke" + r + "an", "se" + r + "nya",
        "pe" + r, "pe" + r + "an",  # the pe- paired with ber-: pekerja/pekerjaan, petani, pedagang
    ]
    return tuple(dict.fromkeys(forms))


# --------------------------------------------------------------------------- stop words

#: words of Indonesian regulations and reports that carry no topic (on top of the stop words)
_BOILERPLATE = frozenset({
    "pasal", "ayat", "huruf", "angka", "bab", "bagian", "paragraf", "nomor", "tahun", "tanggal", "tentang",
    "peraturan", "menteri", "republik", "indonesia", "sebagaimana", "dimaksud", "tersebut", "dalam",
    "ditetapkan", "diundangkan", "berlaku", "ketentuan", "lembaran", "negara", "tambahan", "berita",
    "salinan", "sesuai", "yaitu", "yakni", "dan/atau", "hlm", "dkk", "dll", "dsb", "dst", "tgl",
})


@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's Indonesian stop words (lower case; ~750 function words)."""
    from spacy.lang.id.stop_words import STOP_WORDS

    return frozenset(w.lower() for w in STOP_WORDS)


def boilerplate_words() -> frozenset[str]:
    """Legal and report boilerplate ("pasal", "ayat", "huruf", ...) worth dropping in topic models."""
    return _BOILERPLATE
