"""LDA on gensim (qualcoop's default topic model).

Deterministic: gensim's single-process ``LdaModel`` with a fixed ``random_state``; the
random starting point of document inference in :meth:`LDA.transform` is reset from
``random_state`` on every call, so the same documents always get the same weights, in
a fitted model and in one loaded from disk.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import TopicModelError
from .base import TopicModel, normalise_rows
from .preprocess import Preprocessor

__all__ = ["LDA"]


class LDA(TopicModel):
    """Latent Dirichlet allocation with gensim's online variational Bayes (``LdaModel``).

    Parameters
    ----------
    n_topics : int
        Number of topics.
    alpha : str, float or array
        Document-topic prior, as gensim's ``alpha`` (``"symmetric"``, ``"asymmetric"``, a number
        or one value per topic). ``"auto"`` is not allowed (it is learned and breaks the
        fixed-parameter contract).
    eta : float, optional
        Topic-word prior (symmetric); ``None`` means ``1 / n_topics``.
    passes, iterations, chunksize, decay, offset, gamma_threshold
        gensim's training settings (``passes`` over the corpus, E-step ``iterations`` per document).
    random_state : int or None
        Seed; an int makes fitting and transforming reproducible.
    preprocessor : Preprocessor, optional
        Tokenisation of string documents and the vocabulary limits; ``None`` means
        ``Preprocessor()`` (English, lemmas, spaCy stop words, ``min_df=2``, ``max_df=0.5``).

    Attributes
    ----------
    vocabulary_ : Vocabulary
    components_ : ndarray of shape (n_topics, n_terms)
        Topic-word probabilities.
    gensim_model_ : gensim.models.LdaModel
    n_topics_ : int
    topic_labels_ : tuple of str
    topic_codes_ : tuple of (str or None)

    Examples
    --------
    >>> docs = [["labour", "training", "worker"], ["trade", "tariff", "export"]] * 10
    >>> model = LDA(2, passes=5, preprocessor=Preprocessor(min_df=1, max_df=1.0)).fit(docs)
    >>> model.transform([["trade", "export"]]).shape
    (1, 2)
    """

    registry_name = "lda.gensim.v1"
    has_perplexity = True

    def __init__(
        self,
        n_topics: int = 10,
        *,
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
        self.n_topics = n_topics
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

    # ------------------------------------------------------------------ hooks
    def _k(self) -> int:
        return int(self.n_topics)

    def _eta_prior(self, bows: list, k: int) -> Any:
        """The ``eta`` given to gensim (a number here; seeded models build a matrix)."""
        return float(self.eta) if self.eta is not None else None

    def _init_state(self, model: Any, bows: list) -> None:
        """Adjust the random starting topics before training (seeded models do)."""

    def _alpha_prior(self) -> Any:
        if isinstance(self.alpha, str) and self.alpha == "auto":
            raise TopicModelError(f"{type(self).__name__}: alpha='auto' is not supported (it is learned); "
                                  "use 'symmetric', 'asymmetric' or numbers")
        return self.alpha

    # ------------------------------------------------------------------ fitting
    def _fit_bows(self, bows: list, tokens: list) -> None:
        from gensim.models import LdaModel

        k = self._k()
        if k < 1:
            raise TopicModelError(f"{type(self).__name__}: the number of topics must be at least 1, got {k}")
        id2word = dict(enumerate(self.vocabulary_.terms))
        # built empty, then trained: what LdaModel(corpus=...) does, with a hook in between
        model = LdaModel(
            corpus=None, id2word=id2word, num_topics=k, alpha=self._alpha_prior(),
            eta=self._eta_prior(bows, k), passes=self.passes, iterations=self.iterations,
            chunksize=self.chunksize, decay=self.decay, offset=self.offset,
            gamma_threshold=self.gamma_threshold, eval_every=None, update_every=1,
            random_state=self.random_state,
        )
        self._init_state(model, bows)
        model.update(bows)
        self.gensim_model_ = model
        self.components_ = model.get_topics().astype(np.float64)

    def _transform_bows(self, bows: list) -> np.ndarray:
        model = self.gensim_model_
        self._reset_rng()
        out = np.zeros((len(bows), self.n_topics_), dtype=np.float64)
        idx = [i for i, b in enumerate(bows) if b]
        step = max(int(self.chunksize), 1)
        for s in range(0, len(idx), step):
            part = idx[s:s + step]
            gamma, _ = model.inference([bows[i] for i in part])
            out[part] = gamma
        return normalise_rows(out)

    def _reset_rng(self) -> None:
        seed = self.random_state if isinstance(self.random_state, (int, np.integer)) else 0
        self.gensim_model_.random_state = np.random.RandomState(int(seed))

    # ------------------------------------------------------------------ persistence
    def _state_arrays(self) -> dict[str, np.ndarray]:
        m = self.gensim_model_
        return {"sstats": np.asarray(m.state.sstats), "eta": np.asarray(m.eta), "alpha": np.asarray(m.alpha)}

    def _restore(self, arrays: dict[str, np.ndarray], state: dict[str, Any]) -> None:
        from gensim.models import LdaModel

        sstats, eta, alpha = arrays["sstats"], arrays["eta"], arrays["alpha"]
        k = int(sstats.shape[0])
        model = LdaModel(id2word=dict(enumerate(self.vocabulary_.terms)), num_topics=k, alpha=alpha,
                         eta=eta, random_state=0, dtype=sstats.dtype, eval_every=None)
        model.state.sstats = sstats.copy()
        model.sync_state()
        self.gensim_model_ = model
        self.components_ = model.get_topics().astype(np.float64)
