"""Seeded LDA: topics anchored on a codebook's rule terms, plus free topics.

Each chosen code gets one topic. Its seed words (the code's rule terms, normalised like
the text) get a large prior in that topic through gensim's ``eta`` matrix:

    eta[k, w] = base + seed_weight * (occurrences of w in the training corpus)

so the prior scales with the data (a fixed boost that works on 300 documents is
swamped on 20,000; see ``/work/shared/design/PERFORMANCE.md``), and the topic gathers
the words that co-occur with its seeds. ``n_free_topics`` more topics, without seeds,
take what the codebook does not cover. Seeded topics come first (``0 .. n_codes-1``,
in codebook order) and carry their code id in ``topic_codes_``.

Which rule terms seed a code: the words each rule's kind contributes (``terms(rule)`` of
:mod:`qualcoop.kinds`: the ``terms`` of ``keyword``, ``phrase``, ``lemma``, ``stem`` and
``glob`` rules, the ``groups`` of ``near`` rules, a plugin kind's own), also inside
``all``/``any`` rules; never under a silent kind (``exclude``, ``not``), and none from
``regex`` or ``pattern`` rules. A rule with a
``lang`` seeds only in that language. A multi-word term seeds through its learned
phrase (``"vocational training"`` -> ``vocational_training``) when the vocabulary holds
it, and is skipped otherwise; a glob (``cooperat*``) seeds every vocabulary term it
matches. Codes left with no seed word in the vocabulary are dropped (listed in
``dropped_codes_``, and in one :class:`~qualcoop.errors.TopicWarning`).
"""

from __future__ import annotations

import fnmatch
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import TopicModelError, TopicWarning
from ..model import Codebook, Rule
from .lda import LDA
from .preprocess import Preprocessor, Vocabulary

__all__ = ["SeededLDA", "WEAK_SEED_SHARE", "codebook_seed_terms", "resolve_seeds"]

#: a seeded topic whose seed words carry less than this share of its word weight is weak
WEAK_SEED_SHARE = 0.05
#: ... and so is one with no seed word among its top terms
WEAK_TOP_N = 10



def codebook_seed_terms(codebook: Codebook, *, codes: Sequence[str] | None = None,
                        ) -> dict[str, tuple[tuple[str, str | None], ...]]:
    """The seedable rule terms of each code, as ``(term, lang or None)`` pairs, in codebook order.

    Parameters
    ----------
    codebook : Codebook
    codes : sequence of str, optional
        Code ids to take (default: every code with at least one seedable term).

    Raises
    ------
    TopicModelError
        When ``codes`` names a code the codebook does not have.
    """
    if codes is not None:
        unknown = [c for c in codes if c not in codebook]
        if unknown:
            raise TopicModelError(f"codebook {codebook.name!r} has no code(s) {', '.join(map(repr, unknown))}")
        wanted = list(dict.fromkeys(codes))
    else:
        wanted = [c.id for c in codebook.codes]
    out: dict[str, tuple[tuple[str, str | None], ...]] = {}
    for cid in wanted:
        terms: dict[tuple[str, str | None], None] = {}
        for rule in codebook.get(cid).rules:
            _collect(rule, None, terms)
        if terms or codes is not None:
            out[cid] = tuple(terms)
    return out


def _collect(rule: Rule, lang: str | None, into: dict) -> None:
    from ..kinds import contributed_terms  # each kind says which words it contributes

    for _, t, lg in contributed_terms(rule, lang):
        into[(t, lg)] = None


def resolve_seeds(seeds: Mapping[str, Sequence[Any]], vocabulary: Vocabulary, preprocessor: Preprocessor,
                  *, langs: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Map each seed term to vocabulary terms; returns code -> sorted vocabulary terms (maybe empty).

    A seed is a string or a ``(term, lang)`` pair; a string without a language is normalised
    in each of ``langs``. A term already in the vocabulary is taken as it is.
    """
    terms = vocabulary.terms
    out: dict[str, tuple[str, ...]] = {}
    for code, items in seeds.items():
        found: set[str] = set()
        for item in items:
            term, lang = (item, None) if isinstance(item, str) else (item[0], item[1])
            if term in vocabulary:
                found.add(term)
                continue
            if any(ch in term for ch in "*?["):
                pat = term.lower()
                found.update(t for t in terms if fnmatch.fnmatchcase(t, pat))
                continue
            for lg in ([lang] if lang else langs):
                words = preprocessor.term_tokens(term, lg)
                if not words:
                    continue
                cand = vocabulary.delimiter.join(words) if len(words) > 1 else words[0]
                if cand in vocabulary:
                    found.add(cand)
        out[str(code)] = tuple(sorted(found))
    return out


class SeededLDA(LDA):
    """LDA whose first topics are seeded from a codebook (or a mapping of seed words).

    Parameters
    ----------
    seeds : Codebook or mapping of str to sequence of str
        The codebook whose codes' rule terms become seeds, or ``{label: [terms]}``.
    codes : sequence of str, optional
        With a codebook: the codes to seed (default: every code with seedable terms).
    n_free_topics : int
        Topics without seeds, after the seeded ones.
    seed_weight : float
        Prior pseudo-counts per corpus occurrence of a seed word in its topic (see module notes).
    seed_langs : sequence of str, optional
        Languages in which seed terms without a language are normalised (default: the
        preprocessor's ``lang``; :func:`qualcoop.topics.fit_topics` passes the corpus's languages).
    alpha, eta, passes, iterations, chunksize, decay, offset, gamma_threshold, random_state, preprocessor
        As for :class:`LDA`.

    Attributes
    ----------
    seed_words_ : dict of str to tuple of str
        The vocabulary terms seeding each kept code.
    dropped_codes_ : tuple of str
        Codes with no seed word in the vocabulary (no topic).
    topic_codes_ : tuple of (str or None)
        The code id of each topic (``None`` for free topics).
    eta_ : ndarray of shape (n_topics, n_terms)
        The prior given to gensim.
    seed_share_ : tuple of (float or None)
        The share of each seeded topic's word weight carried by its seed words (``None`` for
        free topics). A seeded topic below :data:`WEAK_SEED_SHARE`, or with none of its seed
        words among its :data:`WEAK_TOP_N` top terms, is *weak*: its label says
        ``"<code> (weak)"``, because the seeds did not gather it (on a small or mixed corpus
        a seeded topic can be all noise: "gitu kayak tuh udah banget" labelled trade).
    weak_codes_ : tuple of str
        The codes of the weak seeded topics.

    Examples
    --------
    >>> docs = [["labour", "training", "worker"], ["trade", "tariff", "export"]] * 10
    >>> pre = Preprocessor(min_df=1, max_df=1.0, normalise="lower")
    >>> m = SeededLDA({"trade": ["tariff"]}, n_free_topics=1, passes=5, preprocessor=pre).fit(docs)
    >>> m.topic_codes_
    ('trade', None)
    """

    registry_name = "seeded_lda.gensim.v1"

    def __init__(
        self,
        seeds: Codebook | Mapping[str, Sequence[str]] | None = None,
        *,
        codes: Sequence[str] | None = None,
        n_free_topics: int = 5,
        seed_weight: float = 0.1,
        seed_init: float = 1.0,
        seed_langs: Sequence[str] | None = None,
        alpha: Any = "symmetric",
        eta: float | None = None,
        passes: int = 10,
        iterations: int = 50,
        chunksize: int = 2000,
        decay: float = 0.5,
        offset: float = 1.0,
        gamma_threshold: float = 0.001,
        random_state: int | None = 0,
        preprocessor: Preprocessor | None = None,
    ) -> None:
        self.seeds = seeds
        self.codes = codes
        self.n_free_topics = n_free_topics
        self.seed_weight = seed_weight
        self.seed_init = seed_init
        self.seed_langs = seed_langs
        self.alpha = alpha
        self.eta = eta
        self.passes = passes
        self.iterations = iterations
        self.chunksize = chunksize
        self.decay = decay
        self.offset = offset
        self.gamma_threshold = gamma_threshold
        self.random_state = random_state
        self.preprocessor = preprocessor

    def _seed_terms(self) -> Mapping[str, Sequence[Any]]:
        if self.seeds is None:
            raise TopicModelError("SeededLDA: no seeds given (a Codebook or a mapping of label -> terms)")
        if isinstance(self.seeds, Codebook):
            return codebook_seed_terms(self.seeds, codes=self.codes)
        if self.codes is not None:
            missing = [c for c in self.codes if c not in self.seeds]
            if missing:
                raise TopicModelError(f"SeededLDA: codes {missing!r} are not among the seeds")
            return {c: self.seeds[c] for c in self.codes}
        return self.seeds

    def _fit_bows(self, bows: list, tokens: list) -> None:
        if self.n_free_topics < 0:
            raise TopicModelError(f"SeededLDA: n_free_topics must be >= 0, got {self.n_free_topics}")
        pre = self._preprocessor()
        langs = tuple(self.seed_langs) if self.seed_langs else (pre.lang,)
        resolved = resolve_seeds(self._seed_terms(), self.vocabulary_, pre, langs=langs)
        self.seed_words_ = {c: w for c, w in resolved.items() if w}
        self.dropped_codes_ = tuple(c for c, w in resolved.items() if not w)
        if self.dropped_codes_:
            warnings.warn(
                f"SeededLDA: {len(self.dropped_codes_)} code(s) have no seed word in the vocabulary and get "
                f"no topic: {', '.join(self.dropped_codes_)}", TopicWarning, stacklevel=3)
        if not self.seed_words_ and self.n_free_topics == 0:
            raise TopicModelError("SeededLDA: no seed word is in the vocabulary and there are no free topics")
        self.topic_codes_ = (*self.seed_words_, *([None] * int(self.n_free_topics)))
        super()._fit_bows(bows, tokens)
        self.eta_ = np.asarray(self.gensim_model_.eta)

    def _k(self) -> int:
        return len(self.seed_words_) + int(self.n_free_topics)

    def _seed_cells(self, bows: list):
        """(topic, column, corpus count) for every seed word."""
        counts = np.zeros(len(self.vocabulary_), dtype=np.float64)
        for b in bows:
            for j, c in b:
                counts[j] += c
        index = self.vocabulary_.index
        for t, code in enumerate(self.seed_words_):
            for w in self.seed_words_[code]:
                j = index[w]
                yield t, j, max(counts[j], 1.0)

    def _eta_prior(self, bows: list, k: int) -> Any:
        base = float(self.eta) if self.eta is not None else 1.0 / k
        eta = np.full((k, len(self.vocabulary_)), base, dtype=np.float64)
        for t, j, n in self._seed_cells(bows):
            eta[t, j] = base + float(self.seed_weight) * n
        return eta.astype(np.float32)

    def _init_state(self, model: Any, bows: list) -> None:
        """Start each seeded topic with its seed words' counts (times ``seed_init``), not at random."""
        if not self.seed_init:
            return
        from gensim.matutils import dirichlet_expectation

        sstats = model.state.sstats
        for t, j, n in self._seed_cells(bows):
            sstats[t, j] += float(self.seed_init) * n
        model.expElogbeta = np.exp(dirichlet_expectation(sstats))

    def _topic_codes(self) -> tuple:
        return tuple(self.topic_codes_)

    def _set_labels(self) -> None:
        super()._set_labels()
        phi = self._topic_word()
        index = self.vocabulary_.index
        shares: list[float | None] = []
        for t, code in enumerate(self.topic_codes_):
            words = self.seed_words_.get(code, ()) if code else ()
            shares.append(round(float(sum(phi[t, index[w]] for w in words if w in index)), 4) if code else None)
        self.seed_share_ = tuple(shares)
        top = self.topic_words(WEAK_TOP_N)
        self.weak_codes_ = tuple(
            code for code, share, words in zip(self.topic_codes_, shares, top)
            if code and share is not None
            and (share < WEAK_SEED_SHARE or not set(words) & set(self.seed_words_.get(code, ()))))
        weak = set(self.weak_codes_)
        self.topic_labels_ = tuple(
            label.replace(f"{code}: ", f"{code} (weak): ", 1) if code in weak else label
            for code, label in zip(self.topic_codes_, self.topic_labels_))
        if self.weak_codes_:
            warnings.warn(
                f"SeededLDA: {len(self.weak_codes_)} seeded topic(s) are weak (their seed words carry under "
                f"{WEAK_SEED_SHARE:.0%} of the topic's weight or none is among its top {WEAK_TOP_N} terms; "
                f"the topic is mostly other words and its code label is doubtful): "
                f"{', '.join(self.weak_codes_)}", TopicWarning, stacklevel=3)

    def _state_json(self) -> dict[str, Any]:
        return {"seed_words": {c: list(w) for c, w in self.seed_words_.items()},
                "dropped_codes": list(self.dropped_codes_),
                "topic_codes": list(self.topic_codes_),
                "seed_share": list(self.seed_share_), "weak_codes": list(self.weak_codes_)}

    def _restore(self, arrays: dict[str, np.ndarray], state: dict[str, Any]) -> None:
        self.seed_words_ = {c: tuple(w) for c, w in state["seed_words"].items()}
        self.dropped_codes_ = tuple(state.get("dropped_codes", ()))
        self.topic_codes_ = tuple(state["topic_codes"])
        self.seed_share_ = tuple(state.get("seed_share", (None,) * len(self.topic_codes_)))
        self.weak_codes_ = tuple(state.get("weak_codes", ()))
        super()._restore(arrays, state)
        self.eta_ = np.asarray(self.gensim_model_.eta)
