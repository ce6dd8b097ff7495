"""Validation of machine codings against people: precision, recall and F1 per code, and the errors.

Units are the gold table's: every ``(doc_id, start, end)`` the gold coder has a row for (a row with
an empty ``code_id`` is a unit they read and left uncoded). A predicted coding counts for a gold
unit when it lies inside it (``unit.start <= pred.start`` and ``pred.end <= unit.end``, same
document); predictions outside every gold unit are not scored. For each code and gold unit:

- true positive: the gold coder applied the code and some prediction inside the unit has it;
- false positive: a prediction inside the unit has it, the gold coder did not apply it;
- false negative: the gold coder applied it, no prediction inside the unit has it.

Precision is ``tp / (tp + fp)``, recall ``tp / (tp + fn)``, F1 ``2 tp / (2 tp + fp + fn)`` (the
definitions of scikit-learn's ``precision_recall_fscore_support``); a score with a zero denominator
is empty. The ``micro`` row scores the summed counts, the ``macro`` row averages the defined per-code
scores. The ``micro`` and ``macro`` rows carry the total ``support``, ``tp``, ``fp`` and ``fn``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from ..errors import AnalysisError
from ..model import Codebook
from ._common import code_order

__all__ = ["ERROR_COLUMNS", "VALIDATION_COLUMNS", "ValidationReport", "validate"]

VALIDATION_COLUMNS = ("code_id", "precision", "recall", "f1", "support", "tp", "fp", "fn")
ERROR_COLUMNS = ("code_id", "error", "rule_ids", "matched_terms", "doc_id", "start", "end", "text",
                 "gold_codes", "pred_codes")


@dataclass(frozen=True)
class ValidationReport:
    """The result of :func:`validate`.

    Attributes
    ----------
    scores : pandas.DataFrame
        Columns :data:`VALIDATION_COLUMNS`: one row per code, then ``micro`` and ``macro``.
    errors : pandas.DataFrame
        Columns :data:`ERROR_COLUMNS`: every false positive (``error == "fp"``) and false negative
        (``"fn"``) with the unit's text, the words the rules matched and the rules that fired for
        that code inside the unit (empty for a false negative), and the codes each side gave the
        unit. Sorted by code (table order), false positives first, then by rule, matched words,
        document and offset, so the rows one rule got wrong stand together.
    """

    scores: Any
    errors: Any


def validate(gold: Any, pred: Any, *, codes: Any = None, gold_coder: str | None = None,
             pred_coder: str | None = None, documents: Any = (), codebook: Codebook | None = None
             ) -> ValidationReport:
    """Score predicted codings (e.g. ``qualcoop code -o coded.csv``) against gold codings.

    Parameters
    ----------
    gold, pred : path, DataFrame or CodingSet
        Codings tables (see :mod:`qualcoop.analysis.codings_table`).
    codes : sequence of str, optional
        Codes to score (default: the codes the gold table applies, in codebook order when a codebook
        is given, else sorted). Name them when the gold coder was asked about codes they never
        applied, or when the prediction's other codes should count as false positives.
    gold_coder, pred_coder : str, optional
        Needed when a table holds several coders.
    documents, codebook
        Passed to the table validation; documents also give the unit text when gold has no ``text``.

    Returns
    -------
    ValidationReport

    Examples
    --------
    >>> from qualcoop.analysis import validate
    >>> report = validate("ana.csv", "coded.csv")          # doctest: +SKIP
    >>> report.scores.set_index("code_id").loc["micro", "f1"]   # doctest: +SKIP
    """
    import numpy as np
    import pandas as pd

    from .codings_table import codings_from_any

    g = _one_coder(codings_from_any(gold, documents=documents, codebook=codebook, name="gold"), gold_coder, "gold")
    p = _one_coder(codings_from_any(pred, documents=documents, codebook=codebook, name="pred"), pred_coder, "pred")
    docs = dict(documents) if isinstance(documents, dict) else {d.id: d for d in documents}
    units = sorted(set(zip(g["doc_id"], g["start"], g["end"])))
    gold_codes: dict[tuple, set[str]] = {u: set() for u in units}
    texts: dict[tuple, str] = {}
    g_text = g["text"] if "text" in g.columns else [""] * len(g)
    for doc_id, start, end, code_id, text in zip(g["doc_id"], g["start"], g["end"], g["code_id"], g_text):
        if code_id:
            gold_codes[(doc_id, start, end)].add(code_id)
        if text:
            texts.setdefault((doc_id, start, end), text)
    by_doc: dict[str, list[tuple[int, int, str, str, str]]] = {}
    p_rules = p["rule_ids"] if "rule_ids" in p.columns else [""] * len(p)
    p_terms = p["matched_terms"] if "matched_terms" in p.columns else [""] * len(p)
    for doc_id, start, end, code_id, rules, terms in zip(p["doc_id"], p["start"], p["end"], p["code_id"],
                                                         p_rules, p_terms):
        if code_id:
            by_doc.setdefault(doc_id, []).append((start, end, code_id, rules, terms))
    for rows in by_doc.values():
        rows.sort()
    pred_codes: dict[tuple, dict[str, tuple[list[str], list[str]]]] = {}
    for u in units:
        doc_id, us, ue = u
        rows = by_doc.get(doc_id, [])
        found: dict[str, tuple[list[str], list[str]]] = {}
        for start, end, code_id, rules, terms in rows[bisect.bisect_left(rows, (us,)):]:
            if start >= ue:
                break
            if end <= ue:
                rl, tl = found.setdefault(code_id, ([], []))
                rl.extend(x for x in rules.split(";") if x and x not in rl)
                tl.extend(x for x in terms.split(";") if x and x not in tl)
        pred_codes[u] = found
    named = set().union(*gold_codes.values()) if units else set()
    code_list = code_order(codes, codebook, named)
    if not units:
        raise AnalysisError("the gold table has no units")
    y_true = np.array([[c in gold_codes[u] for c in code_list] for u in units], dtype=int).reshape(
        len(units), len(code_list))
    y_pred = np.array([[c in pred_codes[u] for c in code_list] for u in units], dtype=int).reshape(
        len(units), len(code_list))
    tp = (y_true & y_pred).sum(axis=0)
    fp = ((1 - y_true) & y_pred).sum(axis=0)
    fn = (y_true & (1 - y_pred)).sum(axis=0)
    rows = []
    per_code = []
    for k, code_id in enumerate(code_list):
        prec, rec, f1 = _prf(int(tp[k]), int(fp[k]), int(fn[k]))
        per_code.append((prec, rec, f1))
        rows.append({"code_id": code_id, "precision": prec, "recall": rec, "f1": f1,
                     "support": int(tp[k] + fn[k]), "tp": int(tp[k]), "fp": int(fp[k]), "fn": int(fn[k])})
    if code_list:
        totals = {"support": int(tp.sum() + fn.sum()), "tp": int(tp.sum()), "fp": int(fp.sum()), "fn": int(fn.sum())}
        prec, rec, f1 = _prf(totals["tp"], totals["fp"], totals["fn"])
        rows.append({"code_id": "micro", "precision": prec, "recall": rec, "f1": f1, **totals})
        macro = [_mean([m[i] for m in per_code]) for i in range(3)]
        rows.append({"code_id": "macro", "precision": macro[0], "recall": macro[1], "f1": macro[2], **totals})
    scores = pd.DataFrame(rows, columns=list(VALIDATION_COLUMNS))
    order = {c: i for i, c in enumerate(code_list)}
    errors = []
    for u in units:
        doc_id, start, end = u
        text = texts.get(u) or (docs[doc_id].text[start:end] if doc_id in docs else "")
        gc, pc = gold_codes[u], pred_codes[u]
        for code_id in code_list:
            kind = "fp" if code_id in pc and code_id not in gc else "fn" if code_id in gc and code_id not in pc else ""
            if not kind:
                continue
            rules, terms = pc.get(code_id, ([], []))
            errors.append({"code_id": code_id, "error": kind, "rule_ids": ";".join(rules),
                           "matched_terms": ";".join(terms), "doc_id": doc_id, "start": start, "end": end,
                           "text": text, "gold_codes": ";".join(sorted(gc)), "pred_codes": ";".join(sorted(pc))})
    errors.sort(key=lambda r: (order[r["code_id"]], r["error"] != "fp", r["rule_ids"], r["matched_terms"],
                               r["doc_id"], r["start"], r["end"]))
    return ValidationReport(scores=scores, errors=pd.DataFrame(errors, columns=list(ERROR_COLUMNS)))


def _prf(tp: int, fp: int, fn: int) -> tuple[float | None, float | None, float | None]:
    """Precision, recall and F1; None where the denominator is zero."""
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return precision, recall, f1


def _mean(values: list[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def _one_coder(frame, coder: str | None, side: str):
    coders = sorted(set(frame["coder"]))
    if coder is not None:
        if coder not in coders:
            raise AnalysisError(f"{side}: no coder {coder!r}; coders: {', '.join(coders)}")
        return frame[frame["coder"] == coder]
    if len(coders) > 1:
        raise AnalysisError(f"{side}: the table holds several coders ({', '.join(coders)}); "
                            f"choose one (--{side}-coder / {side}_coder=)")
    return frame
