"""The shared base of qualcoop's topic models (scikit-learn estimator contract).

Input ``X`` of ``fit``/``transform`` is a sequence of documents, each either

- a list of tokens (already normalised, e.g. by :meth:`Preprocessor.tokens`), or
- a string, tokenised with the estimator's ``preprocessor`` in its ``lang``.

``fit`` learns the vocabulary (phrases, document-frequency limits) with the
``preprocessor`` (a default :class:`Preprocessor` when it is ``None``), then the model.
``transform`` returns an ``(n_documents, n_topics)`` array whose rows sum to 1 (a
document with no known term gets a row of zeros).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ..errors import TopicModelError
from .preprocess import Preprocessor, Vocabulary

__all__ = ["TopicModel", "label_from_terms"]


def label_from_terms(terms: Sequence[str], n: int = 3) -> str:
    """A short label from a topic's top terms: ``"labour / training / worker"``."""
    return " / ".join(terms[:n])


class TopicModel(TransformerMixin, BaseEstimator):
    """Base class: vocabulary handling, labels, top terms; subclasses fit the model itself.

    Learned attributes (after ``fit``): ``vocabulary_`` (:class:`Vocabulary`), ``components_``
    (``(n_topics, n_terms)``; rows are topic-word probabilities for LDA models),
    ``n_topics_``, ``topic_labels_`` (tuple of str), ``topic_codes_`` (tuple of code id or
    ``None`` per topic; only seeded models set code ids).
    """

    #: registered name (``qualcoop.topics.topic_models``), written to saved models
    registry_name = ""
    #: whether the model is a probabilistic one with a perplexity
    has_perplexity = False

    # ------------------------------------------------------------------ input handling
    def _preprocessor(self) -> Preprocessor:
        pre = getattr(self, "preprocessor", None)
        if pre is None:
            return Preprocessor()
        if not isinstance(pre, Preprocessor):
            raise TopicModelError(f"{type(self).__name__}: preprocessor must be a Preprocessor, "
                                  f"got {type(pre).__name__}")
        return pre

    def _tokens(self, X: Any) -> list[list[str]]:
        if isinstance(X, (str, bytes)):
            raise TopicModelError(f"{type(self).__name__}: X must be a sequence of documents, not one string")
        pre = None
        out: list[list[str]] = []
        for i, doc in enumerate(X):
            if isinstance(doc, str):
                pre = pre or self._preprocessor()
                out.append(pre.tokens(doc))
            elif isinstance(doc, (list, tuple)):
                out.append([str(t) for t in doc])
            else:
                raise TopicModelError(f"{type(self).__name__}: document {i} is a {type(doc).__name__}; "
                                      "give strings or lists of tokens")
        return out

    def _bows(self, tokens: Sequence[Sequence[str]]) -> list[list[tuple[int, int]]]:
        vocab: Vocabulary = self.vocabulary_
        return [vocab.bow(t) for t in tokens]

    def _csr(self, bows: Sequence[Sequence[tuple[int, int]]]):
        from scipy.sparse import csr_matrix

        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for b in bows:
            for j, c in b:
                indices.append(j)
                data.append(float(c))
            indptr.append(len(indices))
        return csr_matrix((np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64),
                           np.asarray(indptr, dtype=np.int64)), shape=(len(bows), len(self.vocabulary_)))

    # ------------------------------------------------------------------ the contract
    def fit(self, X: Any, y: Any = None) -> TopicModel:
        """Learn the vocabulary and the topics from documents ``X``; returns ``self``."""
        tokens = self._tokens(X)
        if not tokens:
            raise TopicModelError(f"{type(self).__name__}: no documents to fit")
        self.vocabulary_ = self._preprocessor().fit_vocabulary(tokens)
        bows = self._bows(tokens)
        self._fit_bows(bows, tokens)
        self.n_topics_ = int(self.components_.shape[0])
        self._set_labels()
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Topic weights per document, ``(n_documents, n_topics)``, rows summing to 1 (or all 0)."""
        self._check_fitted()
        return self._transform_bows(self._bows(self._tokens(X)))

    def transform_tokens(self, tokens: Sequence[Sequence[str]]) -> np.ndarray:
        """:meth:`transform` for documents already tokenised (same as passing token lists)."""
        self._check_fitted()
        return self._transform_bows(self._bows(tokens))

    # ------------------------------------------------------------------ results
    def top_terms(self, top_n: int = 10) -> list[list[tuple[str, float]]]:
        """Per topic, the ``top_n`` terms with their weights (ties broken alphabetically)."""
        self._check_fitted()
        terms = self.vocabulary_.terms
        out = []
        for row in self._topic_word():
            order = sorted(range(len(row)), key=lambda j: (-float(row[j]), terms[j]))[:top_n]
            out.append([(terms[j], float(row[j])) for j in order])
        return out

    def topic_words(self, top_n: int = 10) -> list[list[str]]:
        """Per topic, its ``top_n`` terms."""
        return [[t for t, _ in topic] for topic in self.top_terms(top_n)]

    def perplexity(self, X: Any) -> float:
        """Perplexity of documents ``X`` (lower is better); NaN for models without one (NMF).

        ``exp(-sum log p(w | d) / N)`` over the words of ``X`` known to the model, with
        ``p(w | d)`` from the document's topic weights and the topics' word probabilities.
        """
        self._check_fitted()
        if not self.has_perplexity:
            return float("nan")
        return self._perplexity_bows(self._bows(self._tokens(X)))

    # ------------------------------------------------------------------ persistence
    def to_disk(self, path: Any) -> None:
        """Save the fitted model as JSON + ``.npy`` arrays (no pickle); see :mod:`qualcoop.topics.persist`."""
        from .persist import save_model

        save_model(self, path)

    # ------------------------------------------------------------------ for subclasses
    def _topic_word(self) -> np.ndarray:
        comp = np.asarray(self.components_, dtype=np.float64)
        sums = comp.sum(axis=1, keepdims=True)
        sums[sums == 0] = 1.0
        return comp / sums

    def _set_labels(self) -> None:
        words = self.topic_words(3)
        codes = self._topic_codes()
        self.topic_codes_ = tuple(codes)
        self.topic_labels_ = tuple(
            f"{code}: {label_from_terms(w)}" if code else label_from_terms(w) for code, w in zip(codes, words))

    def _topic_codes(self) -> tuple:
        return (None,) * self.n_topics_

    def _check_fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise TopicModelError(f"{type(self).__name__} is not fitted yet: call fit first")

    def _fit_bows(self, bows: list, tokens: list) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _transform_bows(self, bows: list) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _perplexity_bows(self, bows: list) -> float:
        """exp(-mean log p(w | d)) with p(w | d) = theta_d . phi_w (theta from transform, phi the topics).

        The same plug-in estimate for every probabilistic model (gensim's variational bound is
        dominated by the prior in a seeded model, so it is not used).
        """
        bows = [b for b in bows if b]
        if not bows:
            return float("nan")
        theta = self._transform_bows(bows)
        phi = self._topic_word()
        ll = 0.0
        n = 0.0
        for i, b in enumerate(bows):
            ids = np.fromiter((j for j, _ in b), dtype=np.int64, count=len(b))
            cnt = np.fromiter((c for _, c in b), dtype=np.float64, count=len(b))
            p = theta[i] @ phi[:, ids]
            ll += float((cnt * np.log(np.maximum(p, 1e-300))).sum())
            n += float(cnt.sum())
        return float(np.exp(-ll / n))

    # arrays and extra JSON state for persistence
    def _state_arrays(self) -> dict[str, np.ndarray]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _restore(self, arrays: dict[str, np.ndarray], state: dict[str, Any]) -> None:  # pragma: no cover
        raise NotImplementedError

    def _state_json(self) -> dict[str, Any]:
        return {}


def normalise_rows(m: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; all-zero rows stay zero."""
    m = np.asarray(m, dtype=np.float64)
    sums = m.sum(axis=1, keepdims=True)
    safe = np.where(sums > 0, sums, 1.0)
    return np.where(sums > 0, m / safe, 0.0)
