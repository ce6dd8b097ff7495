"""Which segments to code next (``qualcoop sheets export --select``).

- ``uncertain``: the segments where the trained coder is least sure: smallest distance between a
  modelled code's probability and its threshold (a threshold of "never" counts as 0.5).
- ``disagree``: the segments where rules and model disagree on the most codes (ties: least sure first).
- ``random``: a seeded random sample, for **honest validation**. Segments chosen by the model are
  the hard ones: figures measured on them say little about the whole corpus, and a model tested on
  segments it chose is tested where it is weakest *and* against a biased sample. Keep a random sample
  aside to estimate precision and recall.

Chosen rows keep the sheet's order (documents, then text order). Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import AnalysisError
from ..model import Document
from .features import Unit

__all__ = ["SELECTIONS", "select_rows"]

SELECTIONS = ("uncertain", "disagree", "random")


def select_rows(rows: Sequence[dict[str, Any]], *, how: str, n: int, documents: Mapping[str, Document] = {},
                model: Any = None, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` rows of a coding sheet chosen by ``how`` (see the module docstring).

    Raises
    ------
    AnalysisError
        An unknown selection, ``n < 1``, or ``uncertain``/``disagree`` without a model.
    """
    import numpy as np

    if how not in SELECTIONS:
        raise AnalysisError(f"unknown selection {how!r}; use one of {', '.join(SELECTIONS)}")
    if n < 1:
        raise AnalysisError(f"--n must be at least 1, not {n}")
    if how != "random" and model is None:
        raise AnalysisError(f"--select {how} needs a trained model (--model, from `qualcoop learn`)")
    rows = list(rows)
    if len(rows) <= n:
        return rows
    if how == "random":
        chosen = sorted(random.Random(seed).sample(range(len(rows)), n))
        return [rows[i] for i in chosen]
    units = []
    for r in rows:
        doc = documents.get(r["doc_id"])
        units.append(Unit(r["doc_id"], 0, len(r["text"]), r["text"], doc.lang if doc is not None else None))
    analysed = model._analysed(units)
    prob = model.predict_proba(analysed)
    t = np.where(model.thresholds_ > 1.0, 0.5, model.thresholds_)
    margin = np.abs(prob - t).min(axis=1) if len(model.codes_) else np.ones(len(rows))
    if how == "uncertain":
        order = sorted(range(len(rows)), key=lambda i: (round(float(margin[i]), 12), i))
    else:
        index = {c: j for j, c in enumerate(model.codes_)}
        dis = []
        for i, a in enumerate(analysed):
            by_model = {c for c, j in index.items() if prob[i, j] >= t[j]}
            by_rules = {c for c in a.rule_codes if c in index}
            dis.append(len(by_model ^ by_rules))
        order = sorted(range(len(rows)), key=lambda i: (-dis[i], round(float(margin[i]), 12), i))
    return [rows[i] for i in sorted(order[:n])]
