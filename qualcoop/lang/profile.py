"""Language profiles: what the rule engine, the segmenters and the topic models need per language.

A :class:`LanguageProfile` bundles, for one language,

- the tokenizer and sentence pipeline (:func:`qualcoop.lang.pipelines.get_nlp`);
- ``norm(token)``: the token's normal form, compared by ``stem`` rules and used by topic
  models: the lookup lemma in English (``"agreements"`` -> ``"agreement"``), the root in
  Indonesian (``"pelatihan"`` -> ``"latih"``, :mod:`qualcoop.lang.indonesian`);
- ``norm_literals(norm)``: strings one of which every token with that normal form contains
  (the rule engine's prefilter uses them, so a ``stem`` rule never misses a match);
- stop words, and the negation and hedging cues of :mod:`qualcoop.lang.negation`.

``norm`` works on one token at a time and returns a new string: it never touches the text
or any offset. :meth:`LanguageProfile.analyse` returns tokens with their ``(start, end)``
offsets into the text it was given and their normal forms.

Which languages a document (or segment) is in comes from the user, never from a detector:
:func:`document_languages` reads the ``languages`` attribute ("en,id"), then ``lang`` /
``language`` ("mixed" means the codebook's languages), then ``Document.lang``, then the
project setting. :mod:`qualcoop.lang.detect` only gives a hint.

Examples
--------
>>> idp = get_profile("id")
>>> [t.norm for t in idp.analyse("Pelatih-pelatih melatih pekerja.")]
['latih', 'latih', 'kerja', '.']
>>> get_profile("en").norm("Agreements")
'agreement'
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import LanguageError
from . import SUPPORTED_LANGS

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from ..model import Document

__all__ = ["LanguageProfile", "MIXED_VALUES", "TokenInfo", "document_languages", "get_profile",
           "lookup_table", "resolve_languages"]

#: attribute values meaning "this document mixes the codebook's languages" (code-switching)
MIXED_VALUES = frozenset({"mixed", "campuran", "code-switching", "code switching", "codeswitching", "multi",
                          "multilingual", "bilingual"})


@dataclass(frozen=True)
class TokenInfo:
    """One token: offsets into the analysed text, its text, normal form and stop-word flag."""

    start: int
    end: int
    text: str
    norm: str
    is_stop: bool


@dataclass(frozen=True)
class LanguageProfile:
    """Everything language-specific qualcoop needs for one language (see the module docstring).

    Build profiles with :func:`get_profile`; the callables are module-level functions, so a
    profile pickles to worker processes.
    """

    lang: str
    name: str
    #: what :meth:`norm` gives: ``"lemma"`` (English lookup lemma) or ``"root"`` (Indonesian)
    norm_kind: str
    norm_fn: Callable[[str], str] = field(repr=False)
    literals_fn: Callable[[str], frozenset[str] | None] = field(repr=False)
    stop_words_fn: Callable[[], frozenset[str]] = field(repr=False)
    extra_stop_words_fn: Callable[[], frozenset[str]] = field(repr=False)
    lemma_fn: Callable[[str], str] = field(repr=False)

    # ----------------------------------------------------------------- pipeline
    def nlp(self, *, lemmas: bool = False) -> Language:
        """The shared blank spaCy pipeline (:func:`qualcoop.lang.pipelines.get_nlp`)."""
        from .pipelines import get_nlp

        return get_nlp(self.lang, lemmas=lemmas)

    @property
    def tokenizer(self) -> Any:
        """The pipeline's tokenizer (what the rule engine tokenises with)."""
        return self.nlp().tokenizer

    # ----------------------------------------------------------------- normal forms
    def norm(self, token: str) -> str:
        """The normal form of one token (lower case). Never sees more than one token.

        Examples
        --------
        >>> get_profile("id").norm("Dipekerjakan"), get_profile("en").norm("Policies")
        ('kerja', 'policy')
        """
        return self.norm_fn(token)

    def lemma(self, token: str) -> str:
        """The inflection-free form (lower case): English lookup lemma; Indonesian without clitics
        and reduplication, derivation kept (``"pekerjanya"`` -> ``"pekerja"``, whose root is ``"kerja"``).

        Examples
        --------
        >>> get_profile("id").lemma("Perusahaan-perusahaan"), get_profile("id").norm("Perusahaan-perusahaan")
        ('perusahaan', 'usaha')
        """
        return self.lemma_fn(token)

    def norms(self, tokens: Iterable[str]) -> list[str]:
        """:meth:`norm` of each token, in order."""
        f = self.norm_fn
        return [f(t) for t in tokens]

    def norm_literals(self, norm: str) -> frozenset[str] | None:
        """Lower-case strings one of which every token with normal form ``norm`` contains.

        ``None`` when there is no useful literal (the prefilter then always runs the rule).

        Examples
        --------
        >>> sorted(get_profile("id").norm_literals("latih"))
        ['atih']
        >>> sorted(get_profile("en").norm_literals("agreement"))
        ['agreement', 'agreements']
        """
        return self.literals_fn(norm.lower())

    # ----------------------------------------------------------------- stop words and cues
    def stop_words(self, *, extra: bool = False) -> frozenset[str]:
        """Stop words (lower case); with ``extra`` also boilerplate of regulations and reports."""
        words = self.stop_words_fn()
        return words | self.extra_stop_words_fn() if extra else words

    def is_stop(self, token: str) -> bool:
        return token.lower() in self.stop_words_fn()

    @property
    def negation_cues(self) -> frozenset[str]:
        """Negation cues (multi-word cues joined by a space), hedging cues included."""
        from .negation import cues

        return cues(self.lang)

    @property
    def hedging_cues(self) -> frozenset[str]:
        """The cues that only weaken ("kurang", "jarang"); they still count as negation."""
        from .negation import profile

        p = profile(self.lang)
        return p.hedged if p is not None else frozenset()

    # ----------------------------------------------------------------- analysis
    def analyse(self, text: str) -> tuple[TokenInfo, ...]:
        """Tokens of ``text`` (white space skipped) with offsets into ``text`` and normal forms.

        ``text[t.start:t.end] == t.text`` for every token; ``text`` itself is not changed.
        Tokens come from the full pipeline, so "Rp 1.500.000" is one Indonesian token here.
        """
        doc = self.nlp()(text)
        f = self.norm_fn
        stop = self.stop_words_fn()
        return tuple(TokenInfo(t.idx, t.idx + len(t.text), t.text, f(t.text), t.lower_ in stop)
                     for t in doc if not t.is_space)


# --------------------------------------------------------------------------- English


@functools.lru_cache(maxsize=None)
def lookup_table(lang: str) -> dict[str, str]:
    """spaCy's lookup lemma table for ``lang`` with lower-case keys (empty without spacy-lookups-data).

    Where the table holds both "Policies" and "policies", the lower-case key's value wins.
    """
    import gzip
    import json
    from importlib import resources

    try:
        path = resources.files("spacy_lookups_data") / "data" / f"{lang}_lemma_lookup.json.gz"
        with path.open("rb") as fh:
            data = json.loads(gzip.decompress(fh.read()).decode("utf-8"))
    except (ModuleNotFoundError, FileNotFoundError, OSError):  # pragma: no cover - optional data
        return {}
    out: dict[str, str] = {}
    for k, v in sorted(data.items(), key=lambda kv: kv[0] != kv[0].lower()):
        if isinstance(k, str) and isinstance(v, str):
            out.setdefault(k.lower(), v.lower())
    return out


@functools.lru_cache(maxsize=1 << 16)
def _en_norm(token: str) -> str:
    low = token.lower()
    return lookup_table("en").get(low, low)


@functools.lru_cache(maxsize=1)
def _en_inverse() -> dict[str, frozenset[str]]:
    inv: dict[str, set[str]] = {}
    for k, v in lookup_table("en").items():
        inv.setdefault(v, set()).add(k)
    return {k: frozenset(v) for k, v in inv.items()}


def _en_literals(norm: str) -> frozenset[str] | None:
    if not norm:
        return None
    forms = set(_en_inverse().get(norm, ()))
    if norm not in lookup_table("en"):
        forms.add(norm)
    return frozenset(forms) if forms else None


def _en_stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(w.lower() for w in STOP_WORDS)


_EN_BOILERPLATE = frozenset({"article", "paragraph", "shall", "party", "parties", "hereby", "thereof",
                             "herein", "pursuant", "provided", "accordance", "present", "agreement"})


def _en_extra() -> frozenset[str]:
    return _EN_BOILERPLATE


# --------------------------------------------------------------------------- Indonesian


def _id_norm(token: str) -> str:
    from .indonesian import stem

    return stem(token)


def _id_lemma(token: str) -> str:
    from .indonesian import lemma

    return lemma(token)


def _id_literals(norm: str) -> frozenset[str] | None:
    from .indonesian import stem_literals

    return stem_literals(norm)


def _id_stop_words() -> frozenset[str]:
    from .indonesian import stop_words

    return stop_words()


def _id_extra() -> frozenset[str]:
    from .indonesian import boilerplate_words

    return boilerplate_words()


_PROFILES: dict[str, LanguageProfile] = {
    "en": LanguageProfile("en", "English", "lemma", _en_norm, _en_literals, _en_stop_words, _en_extra,
                          _en_norm),
    "id": LanguageProfile("id", "Indonesian", "root", _id_norm, _id_literals, _id_stop_words, _id_extra,
                          _id_lemma),
}
assert set(_PROFILES) == set(SUPPORTED_LANGS)


def get_profile(lang: str) -> LanguageProfile:
    """The profile of ``lang`` (``"en"``, ``"id"``, or an alias such as ``"id-ID"``, ``"Indonesian"``).

    Raises
    ------
    LanguageError
        For a language without a profile.
    """
    prof = _PROFILES.get(lang)
    if prof is not None:
        return prof
    from .pipelines import normalise_lang_code

    return _PROFILES[normalise_lang_code(lang)]


# --------------------------------------------------------------------------- languages of a document


def _split_langs(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.replace("+", ",").replace(";", ",").replace("/", ",").split(",")
    elif isinstance(value, (list, tuple, set, frozenset)):
        parts = [str(v) for v in value]
    else:
        parts = [str(value)]
    return [p.strip() for p in parts if p.strip()]


def resolve_languages(value: object, *, default: Sequence[str] = ()) -> tuple[str, ...]:
    """Language codes named by an attribute value, primary first, without repeats.

    ``"en,id"``, ``"id+en"``, ``["Indonesian", "English"]`` name languages in order;
    :data:`MIXED_VALUES` ("mixed", ...) mean ``default`` (the codebook's languages).
    Unsupported names raise.

    Raises
    ------
    LanguageError
        Naming the value, for a language without a profile.

    Examples
    --------
    >>> resolve_languages("id+en"), resolve_languages("mixed", default=("en", "id"))
    (('id', 'en'), ('en', 'id'))
    """
    from .pipelines import normalise_lang_code

    out: list[str] = []
    for part in _split_langs(value):
        codes: Sequence[str]
        if part.lower() in MIXED_VALUES:
            codes = tuple(default)
        else:
            try:
                codes = (normalise_lang_code(part),)
            except LanguageError as e:
                raise LanguageError(f"language attribute {value!r}: {e.message}") from e
        for c in codes:
            if c not in out:
                out.append(c)
    return tuple(out)


def document_languages(doc: Document, *, lang: str | None = None,
                       codebook_languages: Sequence[str] = ("en",)) -> tuple[str, ...]:
    """The languages a document is coded in, primary first (the primary one tokenises).

    Order of authority: the ``languages`` attribute ("en,id"), the ``lang``/``language``
    attribute ("mixed" = the codebook's languages), ``doc.lang``, ``lang`` (the project
    setting), the codebook's first language. A language detector is never consulted.
    For a mixed document without a list, the primary language is ``lang`` when given,
    else the codebook's first language.

    Examples
    --------
    >>> from qualcoop.model import Document
    >>> document_languages(Document("d", "Kami ikut training-nya ILO.", attributes={"languages": "id,en"}))
    ('id', 'en')
    >>> document_languages(Document("d", "x", lang="mixed"), lang="id", codebook_languages=("en", "id"))
    ('id', 'en')
    """
    attrs: Mapping[str, Any] = doc.attributes or {}
    default = tuple(codebook_languages) or ("en",)
    for value in (attrs.get("languages"), attrs.get("lang") or attrs.get("language"), doc.lang):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        mixed_default = default
        if lang:
            from .pipelines import normalise_lang_code

            primary = normalise_lang_code(lang)
            mixed_default = (primary, *[c for c in default if c != primary])
        langs = resolve_languages(value, default=mixed_default)
        if langs:
            return langs
    if lang:
        from .pipelines import normalise_lang_code

        return (normalise_lang_code(lang),)
    return default[:1]
