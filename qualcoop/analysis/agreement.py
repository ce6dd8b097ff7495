"""Intercoder agreement per code: percent agreement, Cohen's kappa, Fleiss' kappa, Krippendorff's alpha.

The coefficients come from the maintained libraries and are not re-implemented here:
Cohen's kappa from scikit-learn (``sklearn.metrics.cohen_kappa_score``), Fleiss' kappa from
statsmodels (``statsmodels.stats.inter_rater.fleiss_kappa``), Krippendorff's alpha (nominal) from
``krippendorff.alpha``. This module only builds the reliability data they take.

Segment level (``level="segment"``)
    A unit is ``(doc_id, start, end)``. For each code, a coder's value on a unit is 1 if they
    applied the code, 0 if they have any row for that unit without it (a row with an empty
    ``code_id`` says "read, no code"), and missing if they have no row for the unit.
Span level (``level="span"``)
    For free-form spans. In each document the spans of all coders are joined into units: two spans
    belong to one unit when their overlap, ``len(intersection) / len(union)``, is at least
    ``overlap`` (default 0.5; MAXQDA calls this the minimum overlap rate and defaults to 90%),
    and joining is transitive. A unit runs from its first start to its last end. A coder who has
    any row in a document is taken to have read all of it: on a unit where they coded nothing
    their value is 0 for every code. Then the segment-level measures apply.

Which units each measure uses
    ``krippendorff_alpha`` uses every unit at least two coders coded, with the others missing.
    ``percent_agreement`` is the share of those units on which every coder who coded it gave the
    same value. ``cohen_kappa`` (exactly two coders) and ``fleiss_kappa`` use only the units
    every compared coder coded. ``n_units`` counts the units at least two coders coded.
The overall row (``code_id == "overall"``)
    pools every (unit, code) pair as one binary item and applies the same measures.
Degenerate cases
    (one coder, no unit two coders share, only one category in the data) give an empty value and
    the reason in ``note``, never a bare NaN.
Bootstrap (``bootstrap=N``)
    ``alpha_ci_low``/``alpha_ci_high`` are the 2.5 and 97.5 percentiles of alpha over N resamples of
    the units (with replacement); the generator is seeded from ``seed`` and the code id, so the same
    inputs give the same interval. Resamples with one category only are left out (``note`` says
    how many).
"""

from __future__ import annotations

import zlib
from collections.abc import Hashable, Sequence
from typing import Any

from ..errors import AnalysisError
from ..model import Codebook
from ._common import code_order

__all__ = ["AGREEMENT_COLUMNS", "OVERALL", "agreement", "reliability", "span_units"]

AGREEMENT_COLUMNS = ("code_id", "n_units", "n_coders", "percent_agreement", "cohen_kappa", "fleiss_kappa",
                     "krippendorff_alpha", "alpha_ci_low", "alpha_ci_high", "note")
#: the code_id of the pooled row
OVERALL = "overall"
LEVELS = ("segment", "span")


def agreement(tables: Any, *, coders: Sequence[str] | None = None, codes: Sequence[str] | None = None,
              level: str = "segment", overlap: float = 0.5, bootstrap: int = 0, seed: int = 0,
              documents: Any = (), codebook: Codebook | None = None):
    """Agreement between coders, one row per code plus an ``overall`` row.

    Parameters
    ----------
    tables : path, DataFrame, CodingSet or a sequence of them
        Codings tables (see :mod:`qualcoop.analysis.codings_table`); they are validated and joined.
    coders : sequence of str, optional
        The coders to compare (default: every coder in the tables, sorted).
    codes : sequence of str, optional
        The codes to report (default: every code applied, in codebook order when a codebook is
        given, else sorted).
    level : {"segment", "span"}
        See the module docstring.
    overlap : float
        Span level: the minimum ``intersection / union`` for two spans to form one unit (0 < x <= 1).
    bootstrap : int
        Number of bootstrap resamples for the alpha interval (0: no interval).
    seed : int
        Seed of the bootstrap.
    documents, codebook
        Passed to the table validation (offsets and code ids are then checked).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`AGREEMENT_COLUMNS`.

    Examples
    --------
    >>> from qualcoop.analysis import agreement
    >>> agreement(["ana.csv", "budi.csv"], bootstrap=1000, seed=1)   # doctest: +SKIP
    """
    import numpy as np
    import pandas as pd

    from .codings_table import concat_codings

    if level not in LEVELS:
        raise AnalysisError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    if not 0 < overlap <= 1:
        raise AnalysisError(f"overlap must be in (0, 1], got {overlap}")
    if bootstrap < 0:
        raise AnalysisError(f"bootstrap must be >= 0, got {bootstrap}")
    frame = concat_codings(tables, documents=documents, codebook=codebook)
    present = sorted(set(frame["coder"]))
    if coders:
        unknown = [c for c in coders if c not in present]
        if unknown:
            raise AnalysisError(f"coder(s) {', '.join(unknown)} not in the tables; coders: {', '.join(present)}")
        frame = frame[frame["coder"].isin(list(coders))]
        names = list(dict.fromkeys(coders))
    else:
        names = present
    if level == "span":
        frame = span_units(frame, overlap=overlap)
    applied_codes = set(frame["code_id"]) - {""}
    if codes and codebook is not None:
        unknown = [c for c in codes if c not in codebook]
        if unknown:
            raise AnalysisError(f"unknown code(s) {', '.join(unknown)} (not in codebook {codebook.name})")
    code_list = code_order(codes, codebook, applied_codes)
    units = sorted(set(zip(frame["doc_id"], frame["start"], frame["end"])))
    index = {u: i for i, u in enumerate(units)}
    seen = np.zeros((len(names), len(units)), dtype=bool)
    row_of = {n: k for k, n in enumerate(names)}
    applied: dict[str, np.ndarray] = {c: np.zeros((len(names), len(units)), dtype=bool) for c in code_list}
    for doc_id, start, end, code_id, coder in zip(frame["doc_id"], frame["start"], frame["end"],
                                                  frame["code_id"], frame["coder"]):
        k, u = row_of[coder], index[(doc_id, start, end)]
        seen[k, u] = True
        if code_id in applied:
            applied[code_id][k, u] = True
    rows = []
    blocks = []
    for code_id in code_list:
        matrix = np.where(seen, applied[code_id].astype(float), np.nan)
        blocks.append(matrix)
        rows.append({"code_id": code_id, **reliability(matrix, bootstrap=bootstrap, seed=_seed(seed, code_id))})
    pooled = np.hstack(blocks) if blocks else np.full((len(names), 0), np.nan)
    overall = reliability(pooled, bootstrap=bootstrap, seed=_seed(seed, OVERALL))
    if not code_list:
        overall["note"] = "no code was applied"
    rows.append({"code_id": OVERALL, **overall})
    return pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))


def _seed(seed: int, code_id: str) -> list[int]:
    return [int(seed), zlib.crc32(code_id.encode("utf-8"))]


def reliability(data: Any, *, bootstrap: int = 0, seed: int | Sequence[int] = 0) -> dict[str, Any]:
    """The agreement measures for one reliability-data matrix (coders x units, nominal values).

    Parameters
    ----------
    data : array-like, shape (n_coders, n_units)
        Category labels (any hashable values); ``None`` or NaN = missing.
    bootstrap, seed
        See :func:`agreement`.

    Returns
    -------
    dict
        ``n_units, n_coders, percent_agreement, cohen_kappa, fleiss_kappa, krippendorff_alpha,
        alpha_ci_low, alpha_ci_high, note``; a measure that is undefined is ``None`` and ``note``
        says why.
    """
    import numpy as np

    matrix = _encode(data)  # float, NaN = missing, categories 0..k-1
    notes: list[str] = []
    out: dict[str, Any] = {"n_units": 0, "n_coders": 0, "percent_agreement": None, "cohen_kappa": None,
                           "fleiss_kappa": None, "krippendorff_alpha": None, "alpha_ci_low": None,
                           "alpha_ci_high": None, "note": ""}
    present = ~np.isnan(matrix)
    pairable = present.sum(axis=0) >= 2
    matrix, present = matrix[:, pairable], present[:, pairable]
    active = present.any(axis=1)
    matrix, present = matrix[active], present[active]
    out["n_units"] = int(matrix.shape[1])
    out["n_coders"] = int(matrix.shape[0])
    if out["n_coders"] < 2:
        out["note"] = "fewer than two coders coded a shared unit" if out["n_coders"] else \
            "no unit was coded by two coders"
        return out
    with np.errstate(all="ignore"):
        agree = np.nanmax(matrix, axis=0) == np.nanmin(matrix, axis=0)  # every pairable unit has values
    out["percent_agreement"] = float(np.mean(agree))
    values = set(np.unique(matrix[present]).tolist())
    complete = present.all(axis=0)
    full = matrix[:, complete].astype(int)
    if len(values) < 2:
        notes.append("one category only: kappa and alpha are undefined")
    else:
        out["krippendorff_alpha"] = _alpha(matrix)
        if bootstrap:
            low, high, skipped = _bootstrap(matrix, bootstrap, seed)
            out["alpha_ci_low"], out["alpha_ci_high"] = low, high
            if skipped:
                notes.append(f"{skipped} of {bootstrap} bootstrap resamples had one category only and were left out")
        if not complete.any():
            notes.append("no unit coded by every coder: Cohen and Fleiss kappa undefined")
        elif len(set(full.ravel().tolist())) < 2:
            notes.append("one category only on the units every coder coded: Cohen and Fleiss kappa undefined")
        else:
            out["fleiss_kappa"] = _fleiss(full)
            if out["n_coders"] == 2:
                out["cohen_kappa"] = _cohen(full)
    out["note"] = "; ".join(notes)
    return out


def _encode(data: Any):
    """Labels -> float categories 0..k-1 (sorted by their string form), NaN for missing."""
    import numpy as np

    if isinstance(data, np.ndarray) and data.ndim == 2 and data.dtype.kind == "f":
        labels = np.unique(data[~np.isnan(data)])  # sorted; NaN stays NaN
        out = np.full(data.shape, np.nan)
        known = ~np.isnan(data)
        out[known] = np.searchsorted(labels, data[known])
        return out
    rows = [list(r) for r in data]
    width = max((len(r) for r in rows), default=0)
    if any(len(r) != width for r in rows):
        raise AnalysisError("reliability data must have one value (or missing) per coder and unit")

    def missing(v: Hashable) -> bool:
        return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and v == "")

    labels = sorted({v for r in rows for v in r if not missing(v)}, key=lambda v: (str(type(v)), v))
    code = {v: float(i) for i, v in enumerate(labels)}
    return np.array([[np.nan if missing(v) else code[v] for v in r] for r in rows], dtype=float).reshape(
        len(rows), width)


def _alpha(matrix) -> float | None:
    import krippendorff

    try:
        value = float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))
    except ValueError:
        return None
    return None if value != value else value


def _bootstrap(matrix, n: int, seed) -> tuple[float | None, float | None, int]:
    import numpy as np

    rng = np.random.default_rng(seed)
    n_units = matrix.shape[1]
    values = []
    skipped = 0
    for _ in range(n):
        sample = matrix[:, rng.integers(0, n_units, n_units)]
        if len(set(sample[~np.isnan(sample)].tolist())) < 2:
            skipped += 1
            continue
        value = _alpha(sample)
        if value is None:
            skipped += 1
        else:
            values.append(value)
    if not values:
        return None, None, skipped
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high), skipped


def _fleiss(full) -> float | None:
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    table, _ = aggregate_raters(full.T)  # subjects x raters -> subjects x categories
    value = float(fleiss_kappa(table, method="fleiss"))
    return None if value != value else value


def _cohen(full) -> float | None:
    import warnings

    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(cohen_kappa_score(full[0], full[1]))
    return None if value != value else value


def span_units(frame, *, overlap: float = 0.5):
    """Rewrite free-form spans to shared units (see the module docstring, "Span level").

    Parameters
    ----------
    frame : pandas.DataFrame
        A validated codings table.
    overlap : float
        Minimum ``intersection / union`` of two spans that form one unit.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, start, end, code_id, coder``: one row per coder, unit and code applied,
        and an empty-``code_id`` row for each unit a coder of that document left uncoded.
    """
    import pandas as pd

    records: set[tuple] = set()
    for doc_id, group in frame.groupby("doc_id", sort=True):
        spans = sorted(zip(group["start"], group["end"], group["code_id"], group["coder"]))
        parent = list(range(len(spans)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, (s1, e1, _, _) in enumerate(spans):
            for j in range(i + 1, len(spans)):
                s2, e2 = spans[j][0], spans[j][1]
                if s2 >= e1:
                    break
                inter = min(e1, e2) - s2
                union = max(e1, e2) - s1
                if inter > 0 and inter / union >= overlap:
                    parent[find(j)] = find(i)
        groups: dict[int, list[int]] = {}
        for i in range(len(spans)):
            groups.setdefault(find(i), []).append(i)
        doc_coders = {c for _, _, _, c in spans}
        for members in groups.values():
            start = min(spans[i][0] for i in members)
            end = max(spans[i][1] for i in members)
            coded = set()
            for i in members:
                _, _, code_id, coder = spans[i]
                records.add((doc_id, start, end, code_id, coder))
                coded.add(coder)
            for coder in doc_coders - coded:
                records.add((doc_id, start, end, "", coder))
    out = pd.DataFrame(sorted(records), columns=["doc_id", "start", "end", "code_id", "coder"])
    return out.astype({"start": "int64", "end": "int64"})
