"""Topic models on scikit-learn: LDA (``LatentDirichletAllocation``) and NMF.

Both work on the document-term matrix of the shared vocabulary; NMF on its TF-IDF
weighting by default. Both are deterministic for a fixed ``random_state``, and their
``transform`` is deterministic in itself (no random start).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import TopicModelError
from .base import TopicModel, normalise_rows
from .preprocess import Preprocessor

__all__ = ["NMF", "SklearnLDA"]


class SklearnLDA(TopicModel):
    """LDA with scikit-learn's ``LatentDirichletAllocation`` (variational Bayes).

    Parameters
    ----------
    n_topics : int
    doc_topic_prior, topic_word_prior : float, optional
        Dirichlet priors (``None``: ``1 / n_topics``).
    learning_method : {"batch", "online"}
    max_iter : int
        Passes over the corpus.
    random_state : int or None
    preprocessor : Preprocessor, optional

    Attributes
    ----------
    vocabulary_, components_, n_topics_, topic_labels_, topic_codes_
        As for :class:`~qualcoop.topics.LDA`; ``components_`` holds topic-word probabilities.
    sklearn_model_ : sklearn.decomposition.LatentDirichletAllocation
    """

    registry_name = "lda.sklearn.v1"
    has_perplexity = True

    def __init__(
        self,
        n_topics: int = 10,
        *,
        doc_topic_prior: float | None = None,
        topic_word_prior: float | None = None,
        learning_method: str = "batch",
        max_iter: int = 10,
        random_state: int | None = 0,
        preprocessor: Preprocessor | None = None,
    ) -> None:
        self.n_topics = n_topics
        self.doc_topic_prior = doc_topic_prior
        self.topic_word_prior = topic_word_prior
        self.learning_method = learning_method
        self.max_iter = max_iter
        self.random_state = random_state
        self.preprocessor = preprocessor

    def _make(self):
        from sklearn.decomposition import LatentDirichletAllocation

        return LatentDirichletAllocation(
            n_components=int(self.n_topics), doc_topic_prior=self.doc_topic_prior,
            topic_word_prior=self.topic_word_prior, learning_method=self.learning_method,
            max_iter=self.max_iter, random_state=self.random_state, n_jobs=1)

    def _fit_bows(self, bows: list, tokens: list) -> None:
        if int(self.n_topics) < 1:
            raise TopicModelError(f"SklearnLDA: the number of topics must be at least 1, got {self.n_topics}")
        model = self._make()
        try:
            model.fit(self._csr(bows))
        except ValueError as e:
            raise TopicModelError(f"SklearnLDA: {e}") from e
        self.sklearn_model_ = model
        self.components_ = normalise_rows(model.components_)

    def _transform_bows(self, bows: list) -> np.ndarray:
        X = self._csr(bows)
        out = self.sklearn_model_.transform(X)
        empty = np.asarray(X.sum(axis=1)).ravel() == 0
        out[empty] = 0.0
        return normalise_rows(out)

    def _state_arrays(self) -> dict[str, np.ndarray]:
        m = self.sklearn_model_
        return {"components": m.components_, "exp_dirichlet_component": m.exp_dirichlet_component_}

    def _state_json(self) -> dict[str, Any]:
        m = self.sklearn_model_
        return {"doc_topic_prior": float(m.doc_topic_prior_), "topic_word_prior": float(m.topic_word_prior_),
                "n_iter": int(m.n_iter_), "n_batch_iter": int(m.n_batch_iter_), "bound": float(m.bound_)}

    def _restore(self, arrays: dict[str, np.ndarray], state: dict[str, Any]) -> None:
        m = self._make()
        m.components_ = arrays["components"]
        m.exp_dirichlet_component_ = arrays["exp_dirichlet_component"]
        m.doc_topic_prior_ = state["doc_topic_prior"]
        m.topic_word_prior_ = state["topic_word_prior"]
        m.n_iter_ = state["n_iter"]
        m.n_batch_iter_ = state["n_batch_iter"]
        m.bound_ = state["bound"]
        m.n_features_in_ = int(arrays["components"].shape[1])
        self.sklearn_model_ = m
        self.components_ = normalise_rows(m.components_)


class NMF(TopicModel):
    """Non-negative matrix factorisation (scikit-learn ``NMF``) of the (TF-IDF) document-term matrix.

    Parameters
    ----------
    n_topics : int
    tfidf : bool
        Factorise TF-IDF weights (smoothed idf, l2-normalised rows) instead of raw counts.
    init : str
        scikit-learn's initialisation (``"nndsvda"`` is deterministic).
    max_iter : int
    alpha_W, alpha_H, l1_ratio : float
        Regularisation, as in scikit-learn.
    random_state : int or None
    preprocessor : Preprocessor, optional

    Attributes
    ----------
    components_ : ndarray of shape (n_topics, n_terms)
        The factor ``H`` (not probabilities; :meth:`top_terms` reports row-normalised weights).
    sklearn_model_ : sklearn.decomposition.NMF
    idf_ : ndarray or None

    Notes
    -----
    :meth:`transform` returns each document's weights scaled to sum to 1, so that
    thresholds mean the same for every model; NMF has no perplexity (NaN).
    """

    registry_name = "nmf.sklearn.v1"

    def __init__(
        self,
        n_topics: int = 10,
        *,
        tfidf: bool = True,
        init: str = "nndsvda",
        max_iter: int = 400,
        alpha_W: float = 0.0,
        alpha_H: float | str = "same",
        l1_ratio: float = 0.0,
        random_state: int | None = 0,
        preprocessor: Preprocessor | None = None,
    ) -> None:
        self.n_topics = n_topics
        self.tfidf = tfidf
        self.init = init
        self.max_iter = max_iter
        self.alpha_W = alpha_W
        self.alpha_H = alpha_H
        self.l1_ratio = l1_ratio
        self.random_state = random_state
        self.preprocessor = preprocessor

    def _make(self):
        from sklearn.decomposition import NMF as _NMF

        return _NMF(n_components=int(self.n_topics), init=self.init, max_iter=self.max_iter,
                    alpha_W=self.alpha_W, alpha_H=self.alpha_H, l1_ratio=self.l1_ratio,
                    random_state=self.random_state)

    def _weigh(self, X):
        if self.idf_ is None:
            return X
        from sklearn.preprocessing import normalize

        return normalize(X.multiply(self.idf_).tocsr(), norm="l2")

    def _fit_bows(self, bows: list, tokens: list) -> None:
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        if int(self.n_topics) < 1:
            raise TopicModelError(f"NMF: the number of topics must be at least 1, got {self.n_topics}")
        X = self._csr(bows)
        if self.tfidf:
            n = X.shape[0]
            df = np.bincount(X.indices, minlength=X.shape[1]).astype(np.float64)
            self.idf_ = np.log((1.0 + n) / (1.0 + df)) + 1.0
        else:
            self.idf_ = None
        model = self._make()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            try:
                model.fit(self._weigh(X))
            except ValueError as e:
                raise TopicModelError(f"NMF: {e}") from e
        self.converged_ = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        self.sklearn_model_ = model
        self.components_ = np.asarray(model.components_, dtype=np.float64)

    def _transform_bows(self, bows: list) -> np.ndarray:
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            W = self.sklearn_model_.transform(self._weigh(self._csr(bows)))
        return normalise_rows(W)

    def _state_arrays(self) -> dict[str, np.ndarray]:
        out = {"components": np.asarray(self.sklearn_model_.components_)}
        if self.idf_ is not None:
            out["idf"] = self.idf_
        return out

    def _state_json(self) -> dict[str, Any]:
        m = self.sklearn_model_
        return {"n_iter": int(m.n_iter_), "reconstruction_err": float(m.reconstruction_err_),
                "converged": bool(self.converged_)}

    def _restore(self, arrays: dict[str, np.ndarray], state: dict[str, Any]) -> None:
        m = self._make()
        comp = arrays["components"]
        m.components_ = comp
        m.n_components_ = int(comp.shape[0])
        m.n_features_in_ = int(comp.shape[1])
        m.n_iter_ = state["n_iter"]
        m.reconstruction_err_ = state["reconstruction_err"]
        self.idf_ = arrays.get("idf")
        self.converged_ = state.get("converged", True)
        self.sklearn_model_ = m
        self.components_ = np.asarray(comp, dtype=np.float64)
