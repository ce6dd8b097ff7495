"""Code frequencies: codings, segments, documents and words per code, rolled up, split by attribute."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import CodingSet
from ._common import WordIndex, as_names, check_attributes, code_infos, group_documents, tally

__all__ = ["FREQUENCY_COLUMNS", "code_frequencies"]

#: the columns of :func:`code_frequencies` after the ``by`` attribute columns, in order
FREQUENCY_COLUMNS = (
    "code_id", "code_name", "parent_id", "depth", "codings", "segments", "documents", "words",
    "segment_share", "document_share", "word_share",
)


def code_frequencies(codings: CodingSet, *, by: str | Sequence[str] | None = None, rollup: bool = True,
                     include_empty: bool = True):
    """How often each code was applied: codings, segments, documents and words, per group.

    Parameters
    ----------
    codings : CodingSet
        Codings with their documents (for attributes and words) and codebook (for the tree).
    by : str or sequence of str, optional
        Document attributes to split by (``type``, ``country``, ``year``, ``interviewee_role``, ...)
        or the pseudo-attributes ``speaker``, ``unit``, ``lang``, ``doc_id``. ``year`` falls back to
        the first four characters of the ``date`` attribute. Missing values are ``"(none)"``.
    rollup : bool
        Count each coding also for every ancestor of its code (a parent's figures cover its subtree).
    include_empty : bool
        Keep a row for every code of the codebook in every group, with zeros.

    Returns
    -------
    pandas.DataFrame
        One row per (group, code), groups sorted, codes in codebook order. Columns: one per ``by``
        attribute, then

        - ``code_id``, ``code_name``, ``parent_id``, ``depth`` (0 for roots)
        - ``codings``: codings of the code (with ``rollup``: of its subtree; additive, so a parent's
          count is its own plus the sum of its children's)
        - ``segments``: distinct coded segments (spans) carrying the code (a union, not a sum)
        - ``documents``: distinct documents with the code
        - ``words``: words in the union of the code's coded spans (a word is ``\\w+`` with inner
          hyphens or apostrophes, counted where it starts); ``<NA>`` when a document's text is unknown
        - ``segment_share``: ``segments`` / the group's distinct coded segments
        - ``document_share``: ``documents`` / the group's documents (for document attributes: every
          known document with those values, coded or not)
        - ``word_share``: ``words`` / the words of all the group's coded segments

    Examples
    --------
    >>> freq = code_frequencies(codings, by="type")                     # doctest: +SKIP
    >>> freq.query("depth == 0")[["type", "code_id", "segments"]]       # doctest: +SKIP
    """
    import pandas as pd

    names = as_names(by)
    check_attributes(codings, names)
    infos = code_infos(codings)
    cells, groups = tally(codings, names, rollup=rollup, infos=infos)
    group_docs = group_documents(codings, names, groups)
    words = WordIndex(codings.documents)
    all_groups = sorted(set(groups) | (set(group_docs) if include_empty else set()))
    rows = []
    for group in all_groups:
        total = groups.get(group)
        n_segs = len(total.segments) if total else 0
        group_words = _words(words, total.segments) if total else 0
        n_docs = len(group_docs.get(group, ()))
        for cid, info in infos.items():
            cell = cells.get((group, cid))
            if cell is None and not include_empty:
                continue
            segs = cell.segments if cell else set()
            w = _words(words, segs)
            rows.append({
                **dict(zip(names, group)),
                "code_id": cid, "code_name": info.name, "parent_id": info.parent, "depth": info.depth,
                "codings": cell.codings if cell else 0,
                "segments": len(segs),
                "documents": len(cell.documents) if cell else 0,
                "words": w,
                "segment_share": len(segs) / n_segs if n_segs else 0.0,
                "document_share": (len(cell.documents) if cell else 0) / n_docs if n_docs else 0.0,
                "word_share": (w / group_words if group_words else 0.0)
                if w is not None and group_words is not None else None,
            })
    frame = pd.DataFrame(rows, columns=[*names, *FREQUENCY_COLUMNS])
    frame["words"] = frame["words"].astype("Int64")
    frame["word_share"] = frame["word_share"].astype("Float64")
    for col in ("codings", "segments", "documents", "depth"):
        frame[col] = frame[col].astype("int64")
    return frame


def _words(index: WordIndex, segments) -> int | None:
    by_doc: dict[str, list[tuple[int, int]]] = {}
    for doc_id, s, e in segments:
        by_doc.setdefault(doc_id, []).append((s, e))
    if any(not index.known(d) for d in by_doc):
        return None
    return sum(index.count_spans(d, spans) for d, spans in by_doc.items())
