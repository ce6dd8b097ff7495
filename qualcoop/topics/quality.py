"""Model quality: topic coherence, a sweep over the number of topics, stability across seeds.

All three return pandas DataFrames. Coherence is gensim's ``CoherenceModel`` run in one
process (``c_v``, ``u_mass``, ``c_npmi``, ``c_uci``) on the training texts as the model
sees them (phrases joined, only vocabulary terms). Perplexity in the sweep is on the
training documents (it shows the trend with K; use held-out documents for a fair value).
Stability fits the same estimator with several ``random_state`` values and matches the
topics of each pair of runs by the Hungarian assignment on the Jaccard similarity of
their top terms: 1.0 means the same topics every time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..errors import TopicModelError
from .base import TopicModel

__all__ = ["MEASURES", "coherence", "stability", "sweep"]

#: coherence measures gensim provides
MEASURES = ("c_v", "u_mass", "c_npmi", "c_uci")


def _dictionary(model: TopicModel):
    from gensim.corpora import Dictionary

    vocab = model.vocabulary_
    d = Dictionary()
    d.token2id = dict(vocab.index)
    d.id2token = dict(enumerate(vocab.terms))
    d.dfs = dict(enumerate(vocab.doc_freq))
    d.cfs = dict(enumerate(vocab.term_freq))
    d.num_docs = vocab.n_docs
    d.num_pos = int(sum(vocab.term_freq))
    return d


def coherence(
    model: TopicModel,
    texts: Sequence[Sequence[str]] | Sequence[str],
    *,
    measures: Iterable[str] = ("c_v", "u_mass", "c_npmi"),
    top_n: int = 10,
) -> Any:
    """Coherence of each topic of a fitted model.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    texts : sequence of token lists or of strings
        The reference documents, usually the training ones (strings are tokenised with
        the model's preprocessor).
    measures : iterable of str
        Any of :data:`MEASURES`.
    top_n : int
        Top terms per topic that are scored.

    Returns
    -------
    pandas.DataFrame
        Columns ``topic``, ``label``, ``code_id`` and one per measure (the overall value
        of a measure is the mean of its column, as in gensim).

    Raises
    ------
    TopicModelError
        For an unknown measure or an unfitted model.
    """
    import pandas as pd
    from gensim.models.coherencemodel import CoherenceModel

    model._check_fitted()
    measures = tuple(measures)
    bad = [m for m in measures if m not in MEASURES]
    if bad:
        raise TopicModelError(f"unknown coherence measure(s) {bad!r}; known: {', '.join(MEASURES)}")
    tokens = model._tokens(texts)
    docs = [model.vocabulary_.apply(t) for t in tokens]
    docs = [d for d in docs if d]
    topics = model.topic_words(top_n)
    dictionary = _dictionary(model)
    frame = pd.DataFrame({"topic": range(model.n_topics_), "label": list(model.topic_labels_),
                          "code_id": list(model.topic_codes_)})
    for measure in measures:
        cm = CoherenceModel(topics=topics, texts=docs, dictionary=dictionary, coherence=measure,
                            topn=top_n, processes=1)
        frame[measure] = [float(v) for v in cm.get_coherence_per_topic()]
    return frame


def _fit_clone(estimator: TopicModel, tokens: list[list[str]], **params: Any) -> TopicModel:
    from sklearn.base import clone

    return clone(estimator).set_params(**params).fit(tokens)


def sweep(
    estimator: TopicModel,
    X: Any,
    ks: Iterable[int],
    *,
    param: str | None = None,
    measures: Iterable[str] = ("c_v", "u_mass"),
    top_n: int = 10,
    random_states: Sequence[int | None] | None = None,
    progress: Any = None,
) -> Any:
    """Fit ``estimator`` for each number of topics in ``ks``; report coherence and perplexity.

    Parameters
    ----------
    estimator : TopicModel
        An unfitted template (cloned for every run).
    X : sequence of token lists or strings
    ks : iterable of int
        Values of ``param``.
    param : str, optional
        The parameter swept: ``n_topics`` by default, ``n_free_topics`` for :class:`SeededLDA`.
    measures : iterable of str
        Coherence measures (see :func:`coherence`).
    random_states : sequence, optional
        Seeds; each K is fitted once per seed (default: the estimator's own ``random_state``).
    progress : callable, optional
        Called as ``progress(done, total)`` after each fit (the long part of a sweep).

    Returns
    -------
    pandas.DataFrame
        One row per (K, seed): ``param``, ``value``, ``n_topics``, ``random_state``, ``perplexity``
        (training documents; NaN for NMF), and the mean coherence per measure.
    """
    import pandas as pd

    names = estimator.get_params(deep=False)
    if param is None:
        param = "n_topics" if "n_topics" in names else "n_free_topics"
    if param not in names:
        raise TopicModelError(f"{type(estimator).__name__} has no parameter {param!r}")
    measures = tuple(measures)
    tokens = estimator._tokens(X)
    seeds = list(random_states) if random_states is not None else [names.get("random_state")]
    rows = []
    ks = list(ks)
    for k in ks:
        for seed in seeds:
            model = _fit_clone(estimator, tokens, **{param: int(k), "random_state": seed})
            coh = coherence(model, tokens, measures=measures, top_n=top_n) if measures else None
            row: dict[str, Any] = {"param": param, "value": int(k), "n_topics": model.n_topics_,
                                   "random_state": seed,
                                   "perplexity": model._perplexity_bows(model._bows(tokens))
                                   if model.has_perplexity else math.nan}
            for m in measures:
                row[m] = float(np.nanmean(coh[m].to_numpy())) if len(coh) else math.nan
            rows.append(row)
            if progress is not None:
                progress(len(rows), len(ks) * len(seeds))
    return pd.DataFrame(rows, columns=["param", "value", "n_topics", "random_state", "perplexity", *measures])


def match_topics(a: Sequence[Sequence[str]], b: Sequence[Sequence[str]]) -> list[tuple[int, int, float]]:
    """Match topics of two runs (lists of top terms) by the Hungarian assignment on Jaccard similarity.

    Returns ``(topic in a, topic in b, jaccard)`` triples, ordered by the topic in ``a``.
    """
    from scipy.optimize import linear_sum_assignment

    sa = [set(t) for t in a]
    sb = [set(t) for t in b]
    sim = np.array([[len(x & y) / len(x | y) if x | y else 0.0 for y in sb] for x in sa])
    rows, cols = linear_sum_assignment(-sim)
    return sorted((int(r), int(c), float(sim[r, c])) for r, c in zip(rows, cols))


def stability(
    estimator: TopicModel,
    X: Any,
    *,
    random_states: Sequence[int] = (0, 1, 2),
    top_n: int = 10,
) -> Any:
    """How much the topics change with ``random_state``.

    Fits a clone of ``estimator`` per seed and, for every pair of seeds, matches the topics
    (see :func:`match_topics`).

    Returns
    -------
    pandas.DataFrame
        One row per matched topic pair: ``random_state_a``, ``random_state_b``, ``topic_a``,
        ``topic_b``, ``label_a``, ``label_b``, ``jaccard``. ``frame["jaccard"].mean()`` is the
        overall stability (1.0: identical top terms in every run).
    """
    import pandas as pd

    if len(random_states) < 2:
        raise TopicModelError("stability needs at least two random_state values")
    tokens = estimator._tokens(X)
    fitted = {s: _fit_clone(estimator, tokens, random_state=s) for s in random_states}
    words = {s: m.topic_words(top_n) for s, m in fitted.items()}
    rows = []
    for sa, sb in itertools.combinations(random_states, 2):
        for ta, tb, j in match_topics(words[sa], words[sb]):
            rows.append({"random_state_a": sa, "random_state_b": sb, "topic_a": ta, "topic_b": tb,
                         "label_a": fitted[sa].topic_labels_[ta], "label_b": fitted[sb].topic_labels_[tb],
                         "jaccard": j})
    return pd.DataFrame(rows, columns=["random_state_a", "random_state_b", "topic_a", "topic_b",
                                       "label_a", "label_b", "jaccard"])
