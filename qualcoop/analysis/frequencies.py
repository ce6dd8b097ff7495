"""Code frequencies: codings, segments, documents and words per code, rolled up, split by attribute."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..model import CodingSet
from ._common import (WordIndex, as_names, check_attributes, code_infos, group_documents, select_negated,
                      tally)

__all__ = ["FREQUENCY_COLUMNS", "code_frequencies"]

#: the columns of :func:`code_frequencies` after the ``by`` attribute columns, in order
FREQUENCY_COLUMNS = (
    "code_id", "code_name", "parent_id", "depth", "codings", "segments", "documents", "words",
    "segment_share", "document_share", "word_share",
    "negated_codings", "per_1000_words", "share_of_all_segments",
)


def code_frequencies(codings: CodingSet, *, by: str | Sequence[str] | None = None, rollup: bool = True,
                     include_empty: bool = True, negated: str = "exclude",
                     total_segments: Mapping[str, int] | None = None):
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
    negated : {"exclude", "include", "only"}
        Negated codings (every match in a negation scope: "No problem.", "training never
        happened") are not counted by default; ``include`` counts them with the positive ones,
        ``only`` counts nothing else. The ``negated_codings`` column always says how many there were.
    total_segments : mapping, optional
        Doc id -> number of segments of the document (coded or not), for ``share_of_all_segments``.

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
        - ``negated_codings``: negated codings of the code (rolled up like ``codings``), whatever
          ``negated`` says; they are never in the other counts unless ``negated="include"``
        - ``per_1000_words``: ``codings`` per 1,000 words of the group's documents (all their text,
          coded or not), to compare groups of different size; ``<NA>`` when a document's full text
          is unknown (a table read back without its source files)
        - ``share_of_all_segments``: ``segments`` / every segment of the group's documents (needs
          ``total_segments``; else ``<NA>``)

    Examples
    --------
    >>> freq = code_frequencies(codings, by="type")                     # doctest: +SKIP
    >>> freq.query("depth == 0")[["type", "code_id", "segments"]]       # doctest: +SKIP
    """
    import pandas as pd

    names = as_names(by)
    check_attributes(codings, names)
    infos = code_infos(codings)
    neg_cells, _ = tally(select_negated(codings, "only"), names, rollup=rollup, infos=infos)
    all_docs = group_documents(codings, names, tally(codings, names, rollup=False, infos=infos)[1])
    codings = select_negated(codings, negated)
    cells, groups = tally(codings, names, rollup=rollup, infos=infos)
    group_docs = all_docs  # group sizes do not depend on which codings are counted
    words = WordIndex(codings.documents)
    all_groups = sorted(set(groups) | (set(group_docs) if include_empty else set()))
    rows = []
    for group in all_groups:
        total = groups.get(group)
        n_segs = len(total.segments) if total else 0
        group_words = _words(words, total.segments) if total else 0
        n_docs = len(group_docs.get(group, ()))
        doc_words = _document_words(codings, words, group_docs.get(group, ()))
        all_segs = (sum(total_segments.get(d, 0) for d in group_docs.get(group, ()))
                    if total_segments is not None else None)
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
                "negated_codings": neg_cells[(group, cid)].codings if (group, cid) in neg_cells else 0,
                "per_1000_words": ((cell.codings if cell else 0) * 1000 / doc_words if doc_words else 0.0)
                if doc_words is not None else None,
                "share_of_all_segments": (len(segs) / all_segs if all_segs else 0.0)
                if all_segs is not None else None,
            })
    frame = pd.DataFrame(rows, columns=[*names, *FREQUENCY_COLUMNS])
    frame["words"] = frame["words"].astype("Int64")
    frame["word_share"] = frame["word_share"].astype("Float64")
    frame["per_1000_words"] = frame["per_1000_words"].astype("Float64")
    frame["share_of_all_segments"] = frame["share_of_all_segments"].astype("Float64")
    for col in ("codings", "segments", "documents", "depth", "negated_codings"):
        frame[col] = frame[col].astype("int64")
    return frame


def _words(index: WordIndex, segments) -> int | None:
    by_doc: dict[str, list[tuple[int, int]]] = {}
    for doc_id, s, e in segments:
        by_doc.setdefault(doc_id, []).append((s, e))
    if any(not index.known(d) for d in by_doc):
        return None
    return sum(index.count_spans(d, spans) for d, spans in by_doc.items())


def _document_words(codings: CodingSet, index: WordIndex, doc_ids) -> int | None:
    """Words of whole documents; None when one is unknown or rebuilt from its coded passages only."""
    total = 0
    for d in doc_ids:
        doc = codings.documents.get(d)
        if doc is None or (doc.source is not None and doc.source.details.get("reconstructed")):
            return None
        total += len(index.starts(d))
    return total
