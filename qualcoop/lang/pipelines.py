"""Per-language spaCy pipelines: blank tokenizers, a sentencizer and lookup lemmas.

:func:`get_nlp` builds each pipeline once per process and hands out the same
object afterwards. Everything is offline: ``spacy.blank`` plus the tables of
``spacy-lookups-data``; no trained model is ever loaded or downloaded.

What the pipelines add to spaCy's blank ones:

- tokenizer special cases so that abbreviations common in cooperation documents
  ("Art.", "No.", "para.", "e.g.", "U.S."; Indonesian "tgl.", "dkk.", "Kab.", "Jl.",
  "S.H.", ...) are one token and so never end a sentence;
- a ``sentencizer`` (punctuation-based sentence boundaries);
- ``qualcoop_sentence_end_abbrev``: after "etc.", "dll.", "dsb." (abbreviations that
  often end a sentence) a new sentence starts when the next token begins with a
  capital letter; "No." is an abbreviation only before a number, so the interview
  answer "No. I think ..." is two sentences while "No. 3 of the Agreement" is not;
- with ``lemmas=True``, spaCy's lookup lemmatizer whose lookup falls back to the
  lower-cased form ("Policies" -> "policy"), since the tables are case-sensitive.

Indonesian tokenisation on top of that (issue 4):

- reduplications are one token: "pekerja-pekerja", "Prinsip-prinsip", "sebaik-baiknya",
  "anggota-anggotanya" (spaCy knows ~16,000 of them as exceptions; any word repeated
  around a hyphen, with an optional prefix se-/ber-/ter-/di-/ke-/me-/pe- and suffix
  -nya/-an/-kan/-i/-lah/-kah/-ku/-mu, is now one token too);
- amounts of rupiah are one token: "Rp1.500.000", "Rp.1.500.000,00" by the tokenizer;
  "Rp 1.500.000" and "Rp. 1.500.000" (a space inside) are merged into one token by the
  ``qualcoop_merge_amounts`` pipeline component (the bare tokenizer, which the rule engine
  uses, keeps them as two tokens; a spaCy token cannot hold a space otherwise);
- "Rp.", "Psl.", "NO." are abbreviations; "dkk." ("et al.") is an abbreviation that may
  end a sentence, like "dll.";
- "huruf b." at the end of a sentence of a regulation ("... ayat (2) huruf b.\nPermohonan
  ...") ends the sentence when a capitalised word follows ("a." is otherwise one token,
  an initial, and never ends a sentence).

"Ibu" is deliberately *not* an abbreviation: it is an ordinary word ("mother",
"Mrs") that often ends a sentence ("... bertemu Ibu.").
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

from ..errors import LanguageError
from . import SUPPORTED_LANGS

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["ABBREVIATIONS", "NUMBER_ABBREVIATIONS", "SENTENCE_FINAL_ABBREVIATIONS", "get_nlp", "normalise_lang_code",
           "clear_cache"]

#: abbreviations kept as one token (so their period never ends a sentence), by language
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "No.", "Nos.", "Art.", "Arts.", "para.", "paras.", "Para.", "Paras.", "e.g.", "i.e.", "etc.",
        "cf.", "viz.", "vs.", "approx.", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "St.", "Jr.", "Sr.",
        "Gov.", "Govt.", "Dept.", "Inc.", "Ltd.", "Co.", "Corp.", "Vol.", "Fig.", "p.", "pp.",
        "ibid.", "al.", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.",
        "Oct.", "Nov.", "Dec.", "U.S.", "U.K.", "U.N.", "E.U.", "Rev.", "Sec.", "Ch.",
    ),
    "id": (
        "No.", "Art.", "tgl.", "Tgl.", "dkk.", "hlm.", "Hlm.", "Bpk.", "Sdr.", "Sdri.", "Kab.",
        "Kec.", "Kel.", "Prov.", "Jl.", "Jln.", "dll.", "dsb.", "dst.", "yth.", "Yth.", "a.n.",
        "u.p.", "s.d.", "S.H.", "M.H.", "M.Si.", "S.E.", "M.Sc.", "Ph.D.", "Prof.", "Dr.", "Ir.",
        "Drs.", "Dra.", "Hj.", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Agt.", "Agu.",
        "Sep.", "Okt.", "Nov.", "Des.", "e.g.", "i.e.", "U.S.", "Rp.", "Psl.", "NO.", "Ltd.", "Co.",
        "Inc.", "Tbk.",
    ),
}

#: abbreviations after which a capitalised word still starts a new sentence
SENTENCE_FINAL_ABBREVIATIONS = frozenset({"etc.", "dll.", "dsb.", "dst.", "dkk."})

#: words before a list letter ("huruf b."): the letter with its period may end a sentence
LETTER_REFERENCE_WORDS = frozenset({"huruf", "butir"})

#: one token (Indonesian): reduplications ("pekerja-pekerja", "sebaik-baiknya") and rupiah
#: amounts written without a space ("Rp1.500.000", "Rp.1.500.000,00"). Linear time: the
#: repeated part can only end right before the hyphen.
ID_TOKEN_MATCH = re.compile(
    r"(?i)(?:(?:se|ber|ter|di|ke|me|pe)?([^\W\d_]{2,})-\1(?:nya|an|kan|i|lah|kah|ku|mu)?"
    r"|rp\.?\d+(?:[.,]\d+)*)\Z")
_AMOUNT = re.compile(r"\d+(?:[.,]\d+)*")

#: abbreviations only when a number follows ("No. 3"); "No. I think ..." is the answer "No."
NUMBER_ABBREVIATIONS = frozenset({"No.", "Nos.", "NO."})

_ROMAN = re.compile(r"[IVXLC]{2,}")
_lock = threading.Lock()
_base: dict[str, Language] = {}
_cache: dict[tuple[str, bool], Language] = {}
_by_name: dict[tuple[str, bool], Language] = {}
_COMPONENT = "qualcoop_sentence_end_abbrev"
_MERGE = "qualcoop_merge_amounts"
_MAX_LENGTH = 100_000_000  # blank pipelines hold no parser, so long texts are cheap


def normalise_lang_code(lang: str) -> str:
    """``"EN"``, ``"en-US"``, ``"id_ID"``, ``"Indonesian"`` -> ``"en"``/``"id"`` (unsupported ones raise).

    Names and aliases come from the one table, :func:`qualcoop.model.langs.language_code`.

    Raises
    ------
    LanguageError
        When the language is not one of :data:`qualcoop.lang.SUPPORTED_LANGS`.
    """
    if not isinstance(lang, str) or not lang.strip():
        raise LanguageError(f"language {lang!r} is not supported; supported: {', '.join(SUPPORTED_LANGS)}")
    from ..model.langs import language_code

    key = language_code(lang)
    if key not in SUPPORTED_LANGS:
        raise LanguageError(f"language {lang!r} is not supported; supported: {', '.join(SUPPORTED_LANGS)}")
    return key


def get_nlp(lang: str, *, lemmas: bool = False) -> Language:
    """The shared blank spaCy pipeline for ``lang``, built once per process.

    Parameters
    ----------
    lang : str
        ``"en"`` or ``"id"`` (region suffixes such as ``"en-GB"`` are accepted).
    lemmas : bool
        Add the lookup lemmatizer (``token.lemma_``). Tokenisation is identical with and
        without it: both pipelines share one tokenizer and vocabulary.

    Returns
    -------
    spacy.language.Language
        Components ``sentencizer`` and ``qualcoop_sentence_end_abbrev``, plus ``lemmatizer``
        when ``lemmas`` is true. Treat it as read-only: it is shared by every caller.
        Building is guarded by a lock; running it from several threads is what spaCy's
        tokenizer allows (it is used read-only apart from its internal cache).

    Raises
    ------
    LanguageError
        For a language without a profile.

    Notes
    -----
    Measured on the project machine: the English pipeline builds in about 0.15 s; the
    Indonesian one in about 2-3 s (spaCy loads some 16,000 tokenizer exceptions for
    Indonesian reduplicated words), once per process. The lemma variant adds ~0.1 s.

    Examples
    --------
    >>> nlp = get_nlp("en")
    >>> [s.text for s in nlp("See Art. 5 and No. 3 of the Agreement. It holds.").sents]
    ['See Art. 5 and No. 3 of the Agreement.', 'It holds.']
    """
    nlp = _by_name.get((lang, bool(lemmas)))  # fast path: the exact spelling seen before
    if nlp is not None:
        return nlp
    code = normalise_lang_code(lang)
    key = (code, bool(lemmas))
    nlp = _cache.get(key)
    if nlp is None:
        with _lock:
            nlp = _cache.get(key)
            if nlp is None:
                nlp = _build(code, lemmas=bool(lemmas))
                _cache[key] = nlp
    _by_name[(lang, bool(lemmas))] = nlp
    return nlp


def clear_cache() -> None:
    """Forget the built pipelines (tests and long-running servers that reload settings)."""
    with _lock:
        _by_name.clear()
        _cache.clear()
        _base.clear()


# --------------------------------------------------------------------------- building


def _build(code: str, *, lemmas: bool) -> Language:
    base = _base.get(code)
    if base is None:
        base = _build_base(code)
        _base[code] = base
    if not lemmas:
        return base
    from spacy.util import get_lang_class

    tokenizer = base.tokenizer
    nlp = get_lang_class(code)(vocab=base.vocab, create_tokenizer=lambda _nlp: tokenizer)
    nlp.max_length = _MAX_LENGTH
    _add_sentence_components(nlp)
    _register_lemmatizer()
    lemmatizer = nlp.add_pipe("qualcoop_lookup_lemmatizer", name="lemmatizer")
    try:
        lemmatizer.initialize()
    except Exception as e:  # missing spacy-lookups-data tables: typed, named
        raise LanguageError(f"lookup lemmatizer for {code!r} could not load its tables "
                            f"(is spacy-lookups-data installed?): {e}") from e
    return nlp


def _build_base(code: str) -> Language:
    import spacy
    from spacy.symbols import ORTH

    # spaCy's blank pipeline with the tokenizer built once, final (see qualcoop.lang.tokenizer)
    nlp = spacy.blank(code, config={"nlp": {"tokenizer": {"@tokenizers": _register_tokenizer(code)}}})
    nlp.max_length = _MAX_LENGTH
    specials: set[str] = set()
    for abbrev in ABBREVIATIONS[code]:
        specials.add(abbrev)
        if abbrev[0].islower():
            specials.add(abbrev[0].upper() + abbrev[1:])
    for abbrev in sorted(specials):
        nlp.tokenizer.add_special_case(abbrev, [{ORTH: abbrev}])
    _add_sentence_components(nlp)
    return nlp


def _without_rupiah(prefixes: list) -> list:
    # "Rp" is a currency prefix in spaCy's id punctuation: split off, "Rp1.500.000" became two tokens
    return [p for p in prefixes if p not in ("Rp", "Rp\\.")]


def _register_tokenizer(code: str) -> str:
    """Register (once per process) and name the tokenizer factory of ``code``: spaCy's default one,
    and for Indonesian reduplications and rupiah amounts as one token (see the module docstring)."""
    from spacy import registry

    from .tokenizer import make_tokenizer

    name = "qualcoop.indonesian_tokenizer.v1" if code == "id" else "qualcoop.tokenizer.v1"
    if name not in registry.tokenizers:
        if code == "id":
            registry.tokenizers.register(name, func=lambda: make_tokenizer(prefixes=_without_rupiah,
                                                                           token_match=ID_TOKEN_MATCH.match))
        else:
            registry.tokenizers.register(name, func=make_tokenizer)
    return name


def _add_sentence_components(nlp: Language) -> None:
    _register_components()
    if nlp.lang == "id":
        nlp.add_pipe(_MERGE)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(_COMPONENT)


_registered = False


def _register_components() -> None:
    """Register the custom components with spaCy (idempotent; runs in every process that builds)."""
    global _registered
    if _registered:
        return
    from spacy.language import Language

    if not Language.has_factory(_COMPONENT):
        Language.component(_COMPONENT, func=_sentence_end_abbrev)
    if not Language.has_factory(_MERGE):
        Language.component(_MERGE, func=_merge_amounts)
    _registered = True


def _merge_amounts(doc: Any) -> Any:
    """Merge "Rp"/"Rp." and the number after it (one space between) into one token."""
    spans = []
    n = len(doc)
    i = 0
    while i < n - 1:
        tok = doc[i]
        if tok.text in ("Rp", "Rp.", "RP", "RP.") and tok.whitespace_ == " " and _AMOUNT.fullmatch(doc[i + 1].text):
            spans.append(doc[i:i + 2])
            i += 2
            continue
        i += 1
    if spans:
        with doc.retokenize() as retok:
            for span in spans:
                retok.merge(span)
    return doc


def _is_letter_reference(doc: Any, i: int) -> bool:
    """``doc[i]`` is a list letter with its period ("b.") after "huruf"/"butir"."""
    text = doc[i].text
    if len(text) != 2 or text[1] != "." or not text[0].islower():
        return False
    j = i - 1
    while j >= 0 and doc[j].is_space:
        j -= 1
    return j >= 0 and doc[j].lower_ in LETTER_REFERENCE_WORDS


def _sentence_end_abbrev(doc: Any) -> Any:
    """Start a sentence after "etc."/"dll."/"huruf b." (or "No." not followed by a number) before a capital."""
    for i in range(len(doc) - 1):
        text = doc[i].text
        if text in SENTENCE_FINAL_ABBREVIATIONS or text in NUMBER_ABBREVIATIONS or _is_letter_reference(doc, i):
            j = i + 1
            while j < len(doc) and doc[j].is_space:
                j += 1
            if j == len(doc):
                continue
            nxt = doc[j]
            if text in NUMBER_ABBREVIATIONS and _ROMAN.fullmatch(nxt.text):
                continue  # "No. IV"; a lone "I" stays the pronoun ("No. I think")
            if nxt.text[:1].isupper() and not nxt.is_sent_start:
                nxt.is_sent_start = True
    return doc


_lemmatizer_registered = False


def _register_lemmatizer() -> None:
    global _lemmatizer_registered
    if _lemmatizer_registered:
        return
    from spacy.language import Language
    from spacy.pipeline import Lemmatizer

    class LowercaseFallbackLemmatizer(Lemmatizer):
        """spaCy's lookup lemmatizer, trying the lower-cased form when the exact form is unknown."""

        def lookup_lemmatize(self, token: Any) -> list[str]:
            table = self.lookups.get_table("lemma_lookup", {})
            text = token.text
            result = table.get(text)
            if result is None:
                lower = token.lower_
                result = table.get(lower, text) if lower != text else text
            return [result] if isinstance(result, str) else list(result)

    if not Language.has_factory("qualcoop_lookup_lemmatizer"):

        def make(nlp: Any, name: str) -> LowercaseFallbackLemmatizer:
            return LowercaseFallbackLemmatizer(nlp.vocab, None, name, mode="lookup", overwrite=False)

        Language.factory("qualcoop_lookup_lemmatizer", func=make)
    _lemmatizer_registered = True
