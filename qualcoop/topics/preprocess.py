"""Text -> terms for topic models: tokens, normalisation, stop words, phrases, vocabulary.

Two steps, both deterministic:

1. :meth:`Preprocessor.tokens` turns one text into normalised word tokens: spaCy's
   tokenizer of the language profile (:func:`qualcoop.lang.pipelines.get_nlp`), words only
   (letters, optionally hyphen-joined like ``negara-negara``), lower-cased, passed through
   the language's *token normaliser* (``"lemma"``: spaCy's lookup lemmas, the tables the
   rule engine uses; ``"lower"``: none), minus stop words (spaCy's English/Indonesian lists
   plus a small domain list). Normalisers are registered in :data:`token_normalisers`,
   so a stemmer profile (e.g. Indonesian stemming) plugs in under a name.
2. :meth:`Preprocessor.fit_vocabulary` learns, over a corpus of token lists, the
   two-word phrases (gensim ``Phrases``; applied greedily left to right as ``a_b``) and
   the vocabulary (minimum/maximum document frequency, optional size cap). The result,
   a :class:`Vocabulary`, is a plain value that saves as JSON.

Texts are never changed: tokens are new strings, segments stay views into the document.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import TopicModelError
from ..model import FrozenMap
from ..registry import Registry

__all__ = ["COLLOQUIAL_EN_STOP_WORDS", "COLLOQUIAL_ID_STOP_WORDS", "DOMAIN_STOP_WORDS", "Preprocessor", "Vocabulary", "stop_words", "token_normalisers"]

#: token normaliser factories: ``name -> (lang) -> (lower-cased word) -> normalised word``
token_normalisers: Registry[Callable[[str], Callable[[str], str]]] = Registry("token normaliser")

#: boilerplate of legal texts, UN speeches and interviews, added to spaCy's stop words
DOMAIN_STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({
        "shall", "hereby", "herein", "hereinafter", "thereof", "therein", "pursuant", "article",
        "paragraph", "mr", "mrs", "ms", "dr", "also", "would", "could", "must", "like", "wish",
        "let", "etc", "ie", "eg", "yes", "okay", "ok", "um", "uh", "yeah",
    }),
    "id": frozenset({
        "pasal", "ayat", "huruf", "angka", "bab", "sebagaimana", "dimaksud", "tersebut", "yaitu",
        "adalah", "nomor", "dll", "dsb", "dst", "ya", "nggak", "gak", "enggak", "sih", "kok", "deh",
        "pak", "bu", "bapak", "ibu",
    }),
}

#: colloquial Indonesian (spoken, chat, podcasts): particles, fillers and short forms that
#: carry no topic ("gitu kayak tuh udah banget" was labelled trade and investment). They are
#: stop words in both languages, since code-switched talk is often tokenised as English.
COLLOQUIAL_ID_STOP_WORDS: frozenset[str] = frozenset("""
    gitu gini begitu begini kayak kaya kayaknya kek tuh nih tu ni udah udh dah sudah banget bgt
    nggak ngga nggk gak ga gk enggak engga ndak tak tdk sih kok deh dong lho loh lah kan kah yah
    ya yaa iya iyah yup aja saja doang cuma cuman emang memang emangnya terus trus terusan
    pokoknya kalo kalau klo kl gimana bagaimana gmn kenapa knp apa apanya mah eh ah oh hmm hm em
    eee ehm anu tadi nanti ntar gue gua gw lu lo elo elu aku kamu dia kita kami mereka bener
    beneran sama juga jg lagi lg mau pengen pingin bisa dapet dapat ada gak-gak nah wah wow ayo
    yuk dulu aja-aja sebenernya sebenarnya kayanya soalnya makanya gimanapun semacam macam
""".split())

#: spoken English fillers (interviews, podcasts)
COLLOQUIAL_EN_STOP_WORDS: frozenset[str] = frozenset("""
    yeah yep yup nope um umm uh uhm hmm mhm er erm ah oh gonna wanna gotta kinda sorta okay ok
    like actually basically literally really right guess stuff thing things lot lots
""".split())

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
#: small words that may sit inside a multi-word name
_NAME_JOINERS = frozenset({"of", "for", "and", "the", "de", "van", "dan", "untuk"})


@token_normalisers.register("lower")
def _lower_factory(lang: str) -> Callable[[str], str]:
    """No normalisation beyond lower-casing."""
    return str


@token_normalisers.register("lemma")
def _lemma_factory(lang: str) -> Callable[[str], str]:
    """spaCy's lookup lemma of the lower-cased word (the table of the language profile)."""
    from ..lang.pipelines import get_nlp

    nlp = get_nlp(lang, lemmas=True)
    try:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    except (KeyError, ValueError) as e:  # no table for this language: lower-case only
        del e
        return str

    def lemma(word: str) -> str:
        got = table.get(word, word)
        return got.lower() if isinstance(got, str) else word

    return lemma


@functools.lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for ``lang`` plus :data:`DOMAIN_STOP_WORDS` and the colloquial
    Indonesian and English fillers (:data:`COLLOQUIAL_ID_STOP_WORDS`, in every language), lower-case."""
    from ..lang.pipelines import normalise_lang_code

    code = normalise_lang_code(lang)
    if code == "en":
        from spacy.lang.en.stop_words import STOP_WORDS
    else:
        from spacy.lang.id.stop_words import STOP_WORDS
    return (frozenset(w.lower() for w in STOP_WORDS) | DOMAIN_STOP_WORDS.get(code, frozenset())
            | COLLOQUIAL_ID_STOP_WORDS | COLLOQUIAL_EN_STOP_WORDS)


@dataclass(frozen=True)
class Vocabulary:
    """The terms a topic model knows, with the phrases learned with them.

    Parameters
    ----------
    terms : tuple of str
        Sorted terms; a term's index is its column in the model's matrices.
    doc_freq : tuple of int
        Number of training documents holding each term.
    term_freq : tuple of int
        Number of occurrences of each term in the training documents.
    phrases : tuple of str
        Two-word phrases (``"united_nations"``) joined wherever their words meet.
    n_docs : int
        Number of training documents.
    """

    terms: tuple[str, ...]
    doc_freq: tuple[int, ...]
    term_freq: tuple[int, ...]
    phrases: tuple[str, ...] = ()
    n_docs: int = 0
    delimiter: str = "_"

    def __post_init__(self) -> None:
        for name in ("terms", "doc_freq", "term_freq", "phrases"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "_index", {t: i for i, t in enumerate(self.terms)})
        object.__setattr__(self, "_phrase_set", frozenset(self.phrases))

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, term: object) -> bool:
        return term in self._index  # type: ignore[attr-defined]

    @property
    def index(self) -> Mapping[str, int]:
        """term -> column."""
        return self._index  # type: ignore[attr-defined]

    def join_phrases(self, tokens: Sequence[str]) -> list[str]:
        """Join known two-word phrases, greedily from the left (``a b c`` with ``a_b`` -> ``a_b c``)."""
        known = self._phrase_set  # type: ignore[attr-defined]
        if not known:
            return list(tokens)
        out: list[str] = []
        i, n, d = 0, len(tokens), self.delimiter
        while i < n:
            if i + 1 < n and f"{tokens[i]}{d}{tokens[i + 1]}" in known:
                out.append(f"{tokens[i]}{d}{tokens[i + 1]}")
                i += 2
            else:
                out.append(tokens[i])
                i += 1
        return out

    def apply(self, tokens: Sequence[str]) -> list[str]:
        """Phrases joined, then only the known terms, in order."""
        index = self._index  # type: ignore[attr-defined]
        return [t for t in self.join_phrases(tokens) if t in index]

    def bow(self, tokens: Sequence[str]) -> list[tuple[int, int]]:
        """A bag of words ``[(column, count), ...]`` sorted by column (gensim's corpus format)."""
        index = self._index  # type: ignore[attr-defined]
        counts = Counter(index[t] for t in self.join_phrases(tokens) if t in index)
        return sorted(counts.items())

    def to_dict(self) -> dict[str, Any]:
        return {"terms": list(self.terms), "doc_freq": list(self.doc_freq), "term_freq": list(self.term_freq),
                "phrases": list(self.phrases), "n_docs": self.n_docs, "delimiter": self.delimiter}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Vocabulary:
        return cls(terms=tuple(d["terms"]), doc_freq=tuple(d["doc_freq"]), term_freq=tuple(d["term_freq"]),
                   phrases=tuple(d.get("phrases", ())), n_docs=int(d.get("n_docs", 0)),
                   delimiter=d.get("delimiter", "_"))


@dataclass(frozen=True)
class Preprocessor:
    """How texts become the terms a topic model counts.

    Parameters
    ----------
    lang : str
        Language of texts given without one (``"en"`` or ``"id"``).
    normalise : str
        Name of the token normaliser in :data:`token_normalisers` (``"lemma"``, ``"lower"``,
        or one registered by a language profile, e.g. a stemmer).
    normalise_by_lang : mapping of str to str, optional
        Per-language normaliser names overriding ``normalise`` (e.g. ``{"id": "stem"}``).
    stop_words : bool
        Drop spaCy's stop words for the text's language plus :data:`DOMAIN_STOP_WORDS`.
    extra_stop_words : tuple of str
        More words to drop (compared lower-cased, before and after normalisation).
    min_length : int
        Shortest word kept (in characters).
    phrases : bool
        Learn two-word phrases (gensim ``Phrases``) in :meth:`fit_vocabulary`.
    phrase_min_count, phrase_threshold : int, float
        ``Phrases(min_count=..., threshold=...)``.
    min_df : int or float
        Minimum document frequency: a count (int) or a share of documents (float < 1).
    max_df : int or float
        Maximum document frequency: a count (int) or a share of documents (float <= 1).
    max_features : int, optional
        Keep only the most frequent terms (ties broken alphabetically).

    Examples
    --------
    >>> pre = Preprocessor(lang="en")
    >>> pre.tokens("The Parties shall cooperate in vocational training programmes.")
    ['party', 'cooperate', 'vocational', 'train', 'programme']
    """

    lang: str = "en"
    normalise: str = "lemma"
    normalise_by_lang: FrozenMap = field(default_factory=FrozenMap)
    stop_words: bool = True
    extra_stop_words: tuple[str, ...] = ()
    min_length: int = 2
    phrases: bool = False
    phrase_min_count: int = 5
    phrase_threshold: float = 10.0
    min_df: int | float = 2
    max_df: int | float = 0.5
    max_features: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "normalise_by_lang", FrozenMap(dict(self.normalise_by_lang or {})))
        object.__setattr__(self, "extra_stop_words", tuple(sorted({w.lower() for w in self.extra_stop_words})))
        for name in (self.normalise, *self.normalise_by_lang.values()):
            if name not in token_normalisers:
                raise TopicModelError(f"no token normaliser named {name!r}; known: "
                                      f"{', '.join(token_normalisers.names())}")
        if self.min_length < 1:
            raise TopicModelError(f"min_length must be at least 1, got {self.min_length}")

    # ------------------------------------------------------------------ per text
    def tokens(self, text: str, lang: str | None = None) -> list[str]:
        """The normalised, stop-word-free word tokens of ``text`` in ``lang`` (default :attr:`lang`)."""
        from ..lang.pipelines import get_nlp, normalise_lang_code

        code = normalise_lang_code(lang or self.lang)
        words = _word_cache(self, code)
        toks = [tok.text for tok in get_nlp(code).tokenizer(text)]
        names = self._name_positions(toks, code)
        out: list[str] = []
        for i, t in enumerate(toks):
            if i in names:
                got = self._normalise_word(t, code, keep_form=True)
            else:
                got = words.get(t)
                if got is None:
                    got = words[t] = self._normalise_word(t, code)
            if got:
                out.append(got)
        return out

    def _name_positions(self, toks: Sequence[str], lang: str) -> set[int]:
        """Positions of the words of multi-word names: runs of two or more capitalised words
        that are not stop words ("United Nations", "International Labour Organization").
        Their words are lower-cased but not lemmatised or stemmed, so "United Nations" becomes
        ``united nations`` (and the phrase ``united_nations``), never ``unite_nation``."""
        if self.normalise == "lower" and not self.normalise_by_lang:
            return set()
        stops = stop_words(lang) if self.stop_words else frozenset()
        out: set[int] = set()
        run: list[int] = []
        for i, t in enumerate([*toks, ""]):
            if t[:1].isupper() and _WORD.fullmatch(t) and not t.isupper():
                run.append(i)
                continue
            if t.lower() in _NAME_JOINERS and run:
                continue  # "Ministry of Manpower": "of" may sit inside a name
            content = [j for j in run if toks[j].lower() not in stops]
            if len(content) >= 2:
                out.update(content)
            run = []
        return out

    def term_tokens(self, term: str, lang: str | None = None) -> list[str]:
        """A codebook term normalised like text, stop words kept (``"the Parties"`` -> ``['the', 'party']``)."""
        from ..lang.pipelines import get_nlp, normalise_lang_code

        code = normalise_lang_code(lang or self.lang)
        norm = _normaliser(self.normaliser_name(code), code)
        toks = [tok.text for tok in get_nlp(code).tokenizer(term)]
        names = self._name_positions(toks, code)  # a name written as one ("United Nations") keeps its form
        out = []
        for i, t in enumerate(toks):
            low = t.lower()
            if _WORD.fullmatch(low):
                out.append(low if i in names else norm(low))
        return out

    def normaliser_name(self, lang: str) -> str:
        return self.normalise_by_lang.get(lang, self.normalise)

    def _normalise_word(self, word: str, lang: str, *, keep_form: bool = False) -> str:
        low = word.lower()
        if len(low) < self.min_length or not _WORD.fullmatch(low):
            return ""
        stops = stop_words(lang) if self.stop_words else frozenset()
        extra = self.extra_stop_words
        if low in stops or low in extra:
            return ""
        norm = low if keep_form else _normaliser(self.normaliser_name(lang), lang)(low)
        if len(norm) < self.min_length or norm in stops or norm in extra:
            return ""
        return norm

    # ------------------------------------------------------------------ per corpus
    def fit_vocabulary(self, token_lists: Sequence[Sequence[str]]) -> Vocabulary:
        """Learn phrases and the vocabulary from tokenised documents.

        Raises
        ------
        TopicModelError
            When no term is left after the document-frequency limits.
        """
        docs = [list(t) for t in token_lists]
        phrases: tuple[str, ...] = ()
        if self.phrases and docs:
            phrases = _learn_phrases(docs, min_count=self.phrase_min_count, threshold=self.phrase_threshold)
        probe = Vocabulary((), (), (), phrases=phrases)
        joined = [probe.join_phrases(d) for d in docs] if phrases else docs
        n = len(joined)
        df: Counter[str] = Counter()
        tf: Counter[str] = Counter()
        for d in joined:
            tf.update(d)
            df.update(set(d))
        lo = self.min_df if isinstance(self.min_df, int) else self.min_df * n
        hi = self.max_df if isinstance(self.max_df, int) else self.max_df * n
        kept = [t for t in df if lo <= df[t] <= hi]
        if self.max_features is not None:
            kept = sorted(kept, key=lambda t: (-tf[t], t))[: self.max_features]
        kept.sort()
        if not kept:
            raise TopicModelError(
                f"no terms left: {len(df)} distinct terms in {n} documents, none with document frequency "
                f"between min_df={self.min_df} and max_df={self.max_df}")
        used = set(kept)
        return Vocabulary(terms=tuple(kept), doc_freq=tuple(df[t] for t in kept),
                          term_freq=tuple(tf[t] for t in kept),
                          phrases=tuple(p for p in phrases if p in used), n_docs=n)

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        return {"lang": self.lang, "normalise": self.normalise,
                "normalise_by_lang": self.normalise_by_lang.to_dict(), "stop_words": self.stop_words,
                "extra_stop_words": list(self.extra_stop_words), "min_length": self.min_length,
                "phrases": self.phrases, "phrase_min_count": self.phrase_min_count,
                "phrase_threshold": self.phrase_threshold, "min_df": self.min_df, "max_df": self.max_df,
                "max_features": self.max_features}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Preprocessor:
        kw = dict(d)
        kw["normalise_by_lang"] = FrozenMap(kw.get("normalise_by_lang") or {})
        kw["extra_stop_words"] = tuple(kw.get("extra_stop_words") or ())
        return cls(**kw)


@functools.lru_cache(maxsize=None)
def _normaliser(name: str, lang: str) -> Callable[[str], str]:
    return token_normalisers.get(name)(lang)


@functools.lru_cache(maxsize=64)
def _word_cache(pre: Preprocessor, lang: str) -> dict[str, str]:
    """surface word -> normalised term ('' for dropped), per preprocessor and language."""
    return {}


def _learn_phrases(docs: Iterable[list[str]], *, min_count: int, threshold: float) -> tuple[str, ...]:
    from gensim.models.phrases import Phrases

    model = Phrases(docs, min_count=min_count, threshold=threshold, delimiter="_")
    frozen = model.freeze()
    return tuple(sorted(p for p in frozen.phrasegrams if p.count("_") == 1))
