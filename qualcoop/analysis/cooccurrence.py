"""Co-occurrence of codes within a segment or a window of segments."""

from __future__ import annotations

import bisect
import math
from collections import Counter

from ..errors import AnalysisError
from ..model import CodingSet
from ._common import code_infos

__all__ = ["COOCCURRENCE_COLUMNS", "code_cooccurrence", "cooccurrence_matrix"]

#: the columns of :func:`code_cooccurrence`, in order
COOCCURRENCE_COLUMNS = (
    "code_a", "code_b", "name_a", "name_b", "n_a", "n_b", "n_ab", "n_units",
    "jaccard", "lift", "chi2", "p_value",
)


def code_cooccurrence(codings: CodingSet, *, window: int = 0, rollup: bool = False):
    """How often pairs of codes occur together, with Jaccard, lift and a chi-square test.

    The unit of analysis is the coded segment (a distinct ``(doc_id, start, end)`` span). A code is
    *present* in unit ``u`` when it codes ``u`` or, with ``window=w``, any coded segment of the same
    document whose position is at most ``w`` away (position: ``segment_index`` when every coding of
    the document has one, otherwise the rank of the segment by start). ``window=0`` is
    co-occurrence within one segment; ``window=1`` adds the segments just before and after.

    Parameters
    ----------
    codings : CodingSet
        Codings (one unit such as paragraphs; mixing units makes positions meaningless).
    window : int
        Segments on each side that count as "together" (>= 0).
    rollup : bool
        A code is also present wherever one of its descendants is.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair ``(code_a, code_b)`` of codes present in at least one unit,
        including ``a == b`` (so the table pivots into a full symmetric matrix); codes in codebook
        order. Columns:

        - ``code_a``, ``code_b``, ``name_a``, ``name_b``
        - ``n_a``, ``n_b``: units where each code is present; ``n_ab``: units where both are;
          ``n_units``: all units (coded segments)
        - ``jaccard``: ``n_ab / (n_a + n_b - n_ab)``
        - ``lift``: ``n_ab * n_units / (n_a * n_b)`` (1 = as often as chance; > 1 attraction)
        - ``chi2``: Pearson's chi-square of the 2x2 table of presence (no continuity correction;
          0 when a margin is empty) and ``p_value`` (1 degree of freedom)

    Examples
    --------
    >>> co = code_cooccurrence(codings)                                # doctest: +SKIP
    >>> co.sort_values("lift", ascending=False).head()                 # doctest: +SKIP
    """
    import pandas as pd

    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        raise AnalysisError(f"window must be a non-negative integer (got {window!r})")
    infos = code_infos(codings)
    units = _units(codings, rollup=rollup, infos=infos)
    present = _present(units, window)
    n_units = len(present)
    single: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for codes in present:
        for a in codes:
            single[a] += 1
            for b in codes:
                pairs[(a, b)] += 1
    order = [cid for cid in infos if single[cid]]
    rows = []
    for a in order:
        for b in order:
            n_a, n_b, n_ab = single[a], single[b], pairs[(a, b)]
            chi2 = _chi2(n_ab, n_a, n_b, n_units)
            rows.append({
                "code_a": a, "code_b": b, "name_a": infos[a].name, "name_b": infos[b].name,
                "n_a": n_a, "n_b": n_b, "n_ab": n_ab, "n_units": n_units,
                "jaccard": n_ab / (n_a + n_b - n_ab),
                "lift": n_ab * n_units / (n_a * n_b),
                "chi2": chi2,
                "p_value": math.erfc(math.sqrt(chi2 / 2)),
            })
    frame = pd.DataFrame(rows, columns=list(COOCCURRENCE_COLUMNS))
    for col in ("n_a", "n_b", "n_ab", "n_units"):
        frame[col] = frame[col].astype("int64")
    for col in ("jaccard", "lift", "chi2", "p_value"):
        frame[col] = frame[col].astype("float64")
    return frame


def cooccurrence_matrix(frame, *, value: str = "n_ab"):
    """Pivot a :func:`code_cooccurrence` table into a square code x code DataFrame.

    Parameters
    ----------
    frame : pandas.DataFrame
        The output of :func:`code_cooccurrence`.
    value : str
        The column to put in the cells (``n_ab``, ``jaccard``, ``lift``, ``chi2``, ``p_value``).

    Returns
    -------
    pandas.DataFrame
        Index and columns are the code ids in the table's order; symmetric.
    """
    if value not in frame.columns:
        raise AnalysisError(f"no column {value!r} in the co-occurrence table; "
                            f"use one of {', '.join(COOCCURRENCE_COLUMNS[4:])}")
    order = list(dict.fromkeys(frame["code_a"]))
    matrix = frame.pivot(index="code_a", columns="code_b", values=value)
    matrix = matrix.reindex(index=order, columns=order)
    matrix.index.name = "code"
    matrix.columns.name = None
    return matrix


def _units(codings: CodingSet, *, rollup: bool, infos) -> dict[str, list[tuple[int, frozenset[str]]]]:
    """Per document: (position, codes) of each coded segment, ordered by position."""
    segs: dict[str, dict[tuple[int, int], set[str]]] = {}
    index: dict[str, dict[tuple[int, int], int | None]] = {}
    for c in codings:
        key = (c.start, c.end)
        codes = segs.setdefault(c.doc_id, {}).setdefault(key, set())
        codes.add(c.code_id)
        if rollup:
            codes.update(infos[c.code_id].ancestors)
        idx = index.setdefault(c.doc_id, {})
        if key not in idx or idx[key] is None:
            idx[key] = c.segment_index
    out: dict[str, list[tuple[int, frozenset[str]]]] = {}
    for doc_id in sorted(segs):
        keys = sorted(segs[doc_id])
        use_index = all(index[doc_id][k] is not None for k in keys)
        out[doc_id] = sorted(
            (((index[doc_id][k] if use_index else rank), frozenset(segs[doc_id][k]))
             for rank, k in enumerate(keys)), key=lambda t: (t[0], sorted(t[1])))
    return out


def _present(units, window: int) -> list[frozenset[str]]:
    if window == 0:
        return [codes for doc in units.values() for _, codes in doc]
    out = []
    for doc in units.values():
        positions = [p for p, _ in doc]
        for p, _ in doc:
            lo = bisect.bisect_left(positions, p - window)
            hi = bisect.bisect_right(positions, p + window)
            merged: set[str] = set()
            for _, codes in doc[lo:hi]:
                merged |= codes
            out.append(frozenset(merged))
    return out


def _chi2(n_ab: int, n_a: int, n_b: int, n: int) -> float:
    a, b, c = n_ab, n_a - n_ab, n_b - n_ab
    d = n - n_a - n_b + n_ab
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    if denom == 0:
        return 0.0
    return n * (a * d - b * c) ** 2 / denom
