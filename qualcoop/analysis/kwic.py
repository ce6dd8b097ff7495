"""Keyword in context: a term (or a rule's matches) with the words around it, as a table."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

from ..errors import AnalysisError
from ..model import CodingSet, Document
from ._common import WORD_RE

__all__ = ["KWIC_COLUMNS", "kwic", "kwic_evidence", "term_pattern"]

#: the columns of :func:`kwic` and :func:`kwic_evidence`, in order
KWIC_COLUMNS = (
    "doc_id", "start", "end", "left", "keyword", "right", "context_start", "context_end",
    "term", "code_id", "rule_id", "negated",
)


def term_pattern(term: str, *, case_sensitive: bool = False) -> re.Pattern[str]:
    """The regular expression :func:`kwic` uses for a plain term.

    Whole words only; white space in the term matches any run of white space (so a phrase is found
    across line breaks); a trailing ``*`` matches any word ending (``koperasi*``, ``train*``).
    """
    words = term.split()
    if not words:
        raise AnalysisError("a KWIC term must not be empty")
    parts = []
    for w in words:
        if w.endswith("*") and len(w) > 1:
            parts.append(re.escape(w[:-1]) + r"[\w'\u2019-]*")
        else:
            parts.append(re.escape(w))
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", flags)


def kwic(documents: Iterable[Document] | CodingSet, terms: str | Sequence[str], *, window: int = 5,
         regex: bool = False, case_sensitive: bool = False):
    """Every occurrence of ``terms`` with ``window`` words of context on each side.

    Parameters
    ----------
    documents : iterable of Document, or CodingSet
        The texts to search (a CodingSet's ``documents``).
    terms : str or sequence of str
        Terms (see :func:`term_pattern`), or regular expressions with ``regex=True``.
    window : int
        Words of context on each side (a word as in :func:`~qualcoop.analysis.code_frequencies`).
    regex : bool
        Treat ``terms`` as Python regular expressions.
    case_sensitive : bool
        Match case exactly (default: ignore case).

    Returns
    -------
    pandas.DataFrame
        One row per match, by document (in the order given) then offset. Columns:
        ``doc_id``; ``start``, ``end``: the match, ``doc.text[start:end] == keyword``;
        ``left``, ``keyword``, ``right``: the raw text (never re-spaced), with
        ``left == doc.text[context_start:start]`` and ``right == doc.text[end:context_end]``;
        ``term``: the term that matched; ``code_id``, ``rule_id``, ``negated``: empty here
        (filled by :func:`kwic_evidence`).

    Examples
    --------
    >>> kwic(docs, "kerja sama", window=4)[["left", "keyword", "right"]]   # doctest: +SKIP
    """
    docs = list(documents.documents.values()) if isinstance(documents, CodingSet) else list(documents)
    terms = (terms,) if isinstance(terms, str) else tuple(terms)
    _check_window(window)
    patterns = []
    for t in terms:
        if regex:
            try:
                patterns.append((t, re.compile(t, 0 if case_sensitive else re.IGNORECASE)))
            except re.error as e:
                raise AnalysisError(f"KWIC pattern {t!r} is not a valid regular expression: {e}") from e
        else:
            patterns.append((t, term_pattern(t, case_sensitive=case_sensitive)))
    rows = []
    for doc in docs:
        words = _words(doc.text)
        hits = sorted({(m.start(), m.end(), t) for t, p in patterns for m in p.finditer(doc.text)
                       if m.end() > m.start()})
        for s, e, t in hits:
            rows.append(_row(doc, words, s, e, window, term=t))
    return _frame(rows)


def kwic_evidence(codings: CodingSet, *, code_id: str | None = None, rule_id: str | None = None,
                  window: int = 5, rollup: bool = False):
    """The words each rule matched (a coding's evidence) in context: what the rules actually found.

    Parameters
    ----------
    codings : CodingSet
        Codings whose documents are known.
    code_id : str, optional
        Only this code's evidence (with ``rollup``, also its descendants').
    rule_id : str, optional
        Only this rule (qualified ``"<code>/<rule>"`` or the bare rule id).
    window : int
        Words of context on each side.
    rollup : bool
        With ``code_id``, include evidence of the code's descendants.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`kwic`, with ``term`` the matched text, ``code_id``, ``rule_id`` and
        ``negated`` from the evidence. Evidence of a document that is not known is skipped.
    """
    _check_window(window)
    wanted = None
    if code_id is not None:
        wanted = {code_id}
        if rollup and codings.codebook is not None and code_id in codings.codebook:
            wanted.update(codings.codebook.descendants(code_id))
    words_cache: dict[str, tuple[list[int], list[int]]] = {}
    rows = []
    seen = set()
    for c in codings:
        if wanted is not None and c.code_id not in wanted:
            continue
        doc = codings.documents.get(c.doc_id)
        if doc is None:
            continue
        words = words_cache.get(doc.id)
        if words is None:
            words = words_cache[doc.id] = _words(doc.text)
        for ev in c.evidence:
            if rule_id is not None and rule_id not in (ev.rule_id, ev.rule_id.split("/", 1)[-1]):
                continue
            key = (doc.id, ev.start, ev.end, c.code_id, ev.rule_id)
            if key in seen:
                continue
            seen.add(key)
            rows.append(_row(doc, words, ev.start, ev.end, window, term=ev.text, code_id=c.code_id,
                             rule_id=ev.rule_id, negated=ev.negated))
    return _frame(rows)


def _check_window(window: int) -> None:
    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        raise AnalysisError(f"window must be a non-negative number of words (got {window!r})")


def _words(text: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of the words of ``text``."""
    spans = [(m.start(), m.end()) for m in WORD_RE.finditer(text)]
    return [a for a, _ in spans], [b for _, b in spans]


def _row(doc: Document, words: tuple[list[int], list[int]], s: int, e: int, window: int, *, term: str,
         code_id: str | None = None, rule_id: str | None = None, negated: bool | None = None) -> dict:
    starts, ends = words
    i = bisect.bisect_right(ends, s)  # words[:i] end at or before s: the left context
    cs = starts[max(0, i - window)] if window and i > 0 else s
    j = bisect.bisect_left(starts, e)  # words[j:] start at or after e: the right context
    ce = ends[min(len(starts), j + window) - 1] if window and j < len(starts) else e
    text = doc.text
    return {"doc_id": doc.id, "start": s, "end": e, "left": text[cs:s], "keyword": text[s:e],
            "right": text[e:ce], "context_start": cs, "context_end": ce, "term": term,
            "code_id": code_id, "rule_id": rule_id, "negated": negated}


def _frame(rows):
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(KWIC_COLUMNS))
    for col in ("start", "end", "context_start", "context_end"):
        frame[col] = frame[col].astype("int64")
    return frame
