"""Matrix coding: codes x attribute values, with the segments behind each cell."""

from __future__ import annotations

from ..errors import AnalysisError
from ..model import CodingSet
from ._common import WordIndex, check_attributes, code_infos, group_documents, segment_id, select_negated, tally

__all__ = ["MATRIX_COLUMNS", "matrix_coding", "matrix_table"]

#: the columns of :func:`matrix_coding`, in order
MATRIX_COLUMNS = (
    "code_id", "code_name", "parent_id", "depth", "attribute", "value",
    "codings", "segments", "documents", "words", "segment_share", "segment_ids",
)


def matrix_coding(codings: CodingSet, by: str, *, rollup: bool = True, include_empty: bool = True,
                  negated: str = "exclude"):
    """Codes x values of one attribute (like NVivo's matrix coding query), drillable to segments.

    Parameters
    ----------
    codings : CodingSet
        Codings with their documents and codebook.
    by : str
        A document attribute (``type``, ``interviewee_role``, ``year``...) or a pseudo-attribute
        (``speaker``, ``unit``, ``lang``, ``doc_id``). Missing values are ``"(none)"``.
    rollup : bool
        A parent's cell covers its subtree.
    include_empty : bool
        Keep empty cells (every code x every value), with zeros and no segment ids.
    negated : {"exclude", "include", "only"}
        Negated codings are left out by default (see :func:`~qualcoop.analysis.code_frequencies`).

    Returns
    -------
    pandas.DataFrame
        One row per (code, value); codes in codebook order, values sorted. Columns:
        ``code_id``, ``code_name``, ``parent_id``, ``depth``, ``attribute`` (= ``by``), ``value``,
        ``codings``, ``segments``, ``documents``, ``words`` (as in
        :func:`~qualcoop.analysis.code_frequencies`), ``segment_share`` (``segments`` / the value's
        coded segments) and ``segment_ids``: a tuple of the ids (``"<doc_id>:<start>-<end>"``) of
        the segments behind the cell, in document order, to drill into.

    Examples
    --------
    >>> m = matrix_coding(codings, "type")                             # doctest: +SKIP
    >>> matrix_table(m)                                                # doctest: +SKIP
    """
    import pandas as pd

    if not isinstance(by, str):
        raise AnalysisError(f"matrix coding takes one attribute (got {by!r})")
    check_attributes(codings, (by,))
    infos = code_infos(codings)
    all_groups = tally(codings, (by,), rollup=False, infos=infos)[1]
    values = set(all_groups) | (set(group_documents(codings, (by,), all_groups)) if include_empty else set())
    codings = select_negated(codings, negated)
    cells, groups = tally(codings, (by,), rollup=rollup, infos=infos)
    words = WordIndex(codings.documents)
    rows = []
    for cid, info in infos.items():
        for group in sorted(values):
            cell = cells.get((group, cid))
            if cell is None and not include_empty:
                continue
            segs = sorted(cell.segments) if cell else []
            total = groups.get(group)
            n_total = len(total.segments) if total else 0
            known = all(words.known(d) for d, _, _ in segs)
            rows.append({
                "code_id": cid, "code_name": info.name, "parent_id": info.parent, "depth": info.depth,
                "attribute": by, "value": group[0],
                "codings": cell.codings if cell else 0,
                "segments": len(segs),
                "documents": len(cell.documents) if cell else 0,
                "words": sum(words.count_spans(d, [(s, e) for dd, s, e in segs if dd == d])
                             for d in sorted({d for d, _, _ in segs})) if known else None,
                "segment_share": len(segs) / n_total if n_total else 0.0,
                "segment_ids": tuple(segment_id(*s) for s in segs),
            })
    frame = pd.DataFrame(rows, columns=list(MATRIX_COLUMNS))
    for col in ("codings", "segments", "documents", "depth"):
        frame[col] = frame[col].astype("int64")
    frame["words"] = frame["words"].astype("Int64")
    return frame


def matrix_table(frame, *, value: str = "segments"):
    """Pivot a :func:`matrix_coding` table to wide form: one row per code, one column per value.

    Parameters
    ----------
    frame : pandas.DataFrame
        The output of :func:`matrix_coding`.
    value : str
        The cell column: ``segments``, ``codings``, ``documents``, ``words`` or ``segment_share``.

    Returns
    -------
    pandas.DataFrame
        Index ``code_id`` (codebook order), columns the attribute values (sorted).
    """
    if value not in ("segments", "codings", "documents", "words", "segment_share"):
        raise AnalysisError(f"cannot pivot matrix column {value!r}")
    codes = list(dict.fromkeys(frame["code_id"]))
    values = sorted(dict.fromkeys(frame["value"]))
    wide = frame.pivot(index="code_id", columns="value", values=value).reindex(index=codes, columns=values)
    wide.columns.name = frame["attribute"].iloc[0] if len(frame) else None
    return wide
