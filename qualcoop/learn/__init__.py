"""Learn from the team's own codings: a trained coder beside the rules (issue 12).

- :func:`train` (codings tables, codebook) -> a fitted :class:`CodeLearner` with grouped-CV figures
- :func:`save_model` / :func:`load_model`: the safe model file (JSON + NumPy arrays, no pickle)
- :class:`CodeLearner`: the scikit-learn-style estimator (one calibrated logistic regression per code)
- :func:`suggest`: terms that would catch what people coded and the rules missed; rules to review

Heavy imports (scikit-learn, NumPy, pandas) happen inside the functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..model import Codebook, Document
from .estimator import CodeLearner, prf
from .features import FEATURE_FAMILIES, Unit, data_hash, units_from_table
from .modelfile import load_model, save_model
from .suggest import SUGGESTION_COLUMNS, Suggestion, suggest

__all__ = ["FEATURE_FAMILIES", "SUGGESTION_COLUMNS", "CodeLearner", "Suggestion", "Unit", "data_hash", "load_model",
           "prf", "read_units", "save_model", "suggest", "train"]


def read_units(tables: Sequence[Any] | Any, *, codebook: Codebook,
               documents: Iterable[Document] | Mapping[str, Document] = (), lang: str | None = None,
               coders: Sequence[str] | None = None) -> list[Unit]:
    """The units of one or more codings tables (paths, DataFrames or CodingSets), validated against the
    codebook (and the documents, when given), with the codes people gave them (see
    :func:`qualcoop.learn.features.units_from_table`)."""
    from ..analysis.codings_table import concat_codings

    docs = documents if isinstance(documents, Mapping) else {d.id: d for d in documents}
    frame = concat_codings(tables, documents=docs, codebook=codebook)
    name = ", ".join(str(t) for t in tables) if isinstance(tables, (list, tuple)) else str(tables)
    return units_from_table(frame, documents=docs, lang=lang, coders=coders, name=name if len(name) < 300 else "tables")


def train(tables: Sequence[Any] | Any, *, codebook: Codebook,
          documents: Iterable[Document] | Mapping[str, Document] = (), lang: str | None = None,
          coders: Sequence[str] | None = None, **params: Any) -> CodeLearner:
    """Train a :class:`CodeLearner` on codings tables; ``params`` go to the learner.

    Examples
    --------
    >>> from qualcoop.codebook import load_codebook                 # doctest: +SKIP
    >>> learner = train(["team.csv"], codebook=load_codebook("international_cooperation"))  # doctest: +SKIP
    >>> learner.cv_summary()["rules+model"]["micro_f1"]              # doctest: +SKIP
    """
    units = read_units(tables, codebook=codebook, documents=documents, lang=lang, coders=coders)
    return CodeLearner(codebook, lang=lang, **params).fit(units)
