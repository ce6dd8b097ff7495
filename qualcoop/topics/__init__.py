"""Topic models that speak the codebook's language.

Estimators (scikit-learn contract: parameters in ``__init__``, ``fit`` returns self,
learned attributes end in ``_``, ``random_state``):

- :class:`LDA`: gensim ``LdaModel`` (the default);
- :class:`SeededLDA`: gensim LDA whose first topics are seeded with a codebook's rule
  terms (through the ``eta`` prior), plus free topics;
- :class:`SklearnLDA` and :class:`NMF`: scikit-learn's ``LatentDirichletAllocation`` and ``NMF``.

They share :class:`Preprocessor` (tokens, lemmas/stems, en/id stop words, phrases,
document-frequency limits). :func:`fit_topics` fits a model on documents' segments
and returns a :class:`TopicResult` (tables, topic codings, agreement with rule codings);
:func:`coherence`, :func:`sweep` and :func:`stability` measure model quality;
:func:`load_model` reads a model saved with ``model.to_disk(folder)`` (no pickle).

Models are registered in :data:`topic_models` under versioned names. Nothing heavy is
imported until a name below is used. User guide: ``docs/topics.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..registry import topic_models  # topic model classes by versioned name

_LAZY = {
    "LDA": "qualcoop.topics.lda",
    "SeededLDA": "qualcoop.topics.seeded",
    "SklearnLDA": "qualcoop.topics.sklearn_models",
    "NMF": "qualcoop.topics.sklearn_models",
    "TopicModel": "qualcoop.topics.base",
    "Preprocessor": "qualcoop.topics.preprocess",
    "Vocabulary": "qualcoop.topics.preprocess",
    "token_normalisers": "qualcoop.topics.preprocess",
    "stop_words": "qualcoop.topics.preprocess",
    "codebook_seed_terms": "qualcoop.topics.seeded",
    "fit_topics": "qualcoop.topics.results",
    "TopicResult": "qualcoop.topics.results",
    "topic_code_id": "qualcoop.topics.results",
    "coherence": "qualcoop.topics.quality",
    "sweep": "qualcoop.topics.quality",
    "stability": "qualcoop.topics.quality",
    "match_topics": "qualcoop.topics.quality",
    "save_model": "qualcoop.topics.persist",
    "load_model": "qualcoop.topics.persist",
}

__all__ = sorted([*_LAZY, "topic_models"])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qualcoop.topics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
