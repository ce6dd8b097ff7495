"""The trained coder: one calibrated linear classifier per code, beside the codebook's rules.

:class:`CodeLearner` follows the scikit-learn contract (``get_params``/``set_params``, ``fit``,
``decision_function``, ``predict_proba``, ``predict``); ``X`` is a sequence of
:class:`~qualcoop.learn.features.Unit` and ``y`` (optional) a sequence of code sets (default: the
units' own ``codes``).

Training, per code with enough positives (``min_positives`` units and positives in at least two
groups; the others are named in ``skipped_`` and left to the rules):

1. **Grouped cross-validation** (``GroupKFold`` by document, so segments of one document never sit on
   both sides): each fold builds the vocabulary and fits an L2 logistic regression (``liblinear``,
   ``class_weight="balanced"``, ``random_state``) on the other folds; the held-out decisions are kept.
2. **Calibration**: Platt scaling fitted on all held-out decisions (``confidence`` = that probability).
3. **Threshold policy** (``threshold_policy="pooled"``, the default): one probability threshold for
   every modelled code, the one at which *rules + model* (a unit is coded when the rules or the model
   say so) reach their **best micro-F1 over all codes without their macro-F1 falling below the rules'**
   on the held-out units; "no model" (threshold above 1) always qualifies, so on those units rules +
   model is never worse than the rules. (``"per-code"``: per code, the best F1 without the code's
   precision falling below the rules' precision; on a handful of positives per code that choice is
   noise, and its floor is far stricter than F1 needs, see ``benchmarks/eval_learn.py``.) The reported
   CV figures are honest about this choice: for each fold the threshold is chosen on the *other*
   folds' held-out decisions (cross-fitting).
4. The final classifier is fitted on all units.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..errors import AnalysisError
from ..model import Codebook
from .features import FEATURE_FAMILIES, Analysed, Analyser, Unit, data_hash

__all__ = ["CodeLearner", "prf"]

NO_MODEL = 2.0  # a probability threshold no model reaches


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _counts(pred, gold) -> tuple[int, int, int]:
    import numpy as np

    pred = np.asarray(pred, bool)
    gold = np.asarray(gold, bool)
    return int((pred & gold).sum()), int((pred & ~gold).sum()), int((~pred & gold).sum())


def _sigmoid(z):
    import numpy as np

    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


def _pooled_threshold(P, Y, R, Ys=None, Rs=None) -> float:
    """One probability threshold for every modelled code: the one at which rules + model reach their best
    **micro-F1 over all codes** without their **macro-F1 falling below the rules'** (``NO_MODEL`` when no
    threshold does better than the rules alone); ties go to the higher threshold.

    ``P``, ``Y``, ``R``: probabilities, people's codes and rule codes (units x modelled codes); ``Ys``,
    ``Rs``: people's and rule codes of the codes left to the rules (they count as the rules code them).
    Probabilities are calibrated per code, so one threshold means the same for every code, and choosing
    it on all codes' held-out units together is far less noisy than choosing one per code on a handful
    of positives (measured in ``benchmarks/eval_learn.py``).
    """
    import numpy as np

    tp = (R & Y).sum(axis=0).astype(float)
    fp = (R & ~Y).sum(axis=0).astype(float)
    fn = (~R & Y).sum(axis=0).astype(float)
    if Ys is not None and Ys.size:
        fixed_tp, fixed_fp, fixed_fn = ((Rs & Ys).sum(), (Rs & ~Ys).sum(), (~Rs & Ys).sum())
        fixed_f1 = sum(prf(int(a), int(b), int(c))[2] for a, b, c in
                       zip((Rs & Ys).sum(axis=0), (Rs & ~Ys).sum(axis=0), (~Rs & Ys).sum(axis=0)))
        n_fixed = Ys.shape[1]
    else:
        fixed_tp = fixed_fp = fixed_fn = fixed_f1 = 0
        n_fixed = 0
    n_codes = Y.shape[1] + n_fixed
    if n_codes == 0 or Y.shape[1] == 0:
        return NO_MODEL

    def f1(a, b, c):
        return 2 * a / (2 * a + b + c) if a else 0.0

    per = [f1(tp[j], fp[j], fn[j]) for j in range(Y.shape[1])]
    sum_f1 = sum(per) + fixed_f1
    TP, FP, FN = tp.sum() + fixed_tp, fp.sum() + fixed_fp, fn.sum() + fixed_fn
    rules_macro = sum_f1 / n_codes
    best_micro, best_t = f1(TP, FP, FN), NO_MODEL
    rows, cols = np.nonzero(~R)
    probs = np.round(P[rows, cols], 12)
    order = np.lexsort((cols, rows, -probs))
    i = 0
    while i < len(order):
        t = probs[order[i]]
        while i < len(order) and probs[order[i]] == t:  # every entry at this probability joins at once
            r, j = rows[order[i]], cols[order[i]]
            if Y[r, j]:
                tp[j] += 1
                fn[j] -= 1
                TP, FN = TP + 1, FN - 1
            else:
                fp[j] += 1
                FP += 1
            new = f1(tp[j], fp[j], fn[j])
            sum_f1 += new - per[j]
            per[j] = new
            i += 1
        micro = f1(TP, FP, FN)
        if micro > best_micro + 1e-12 and sum_f1 / n_codes + 1e-12 >= rules_macro:
            best_micro, best_t = micro, float(t)
    return best_t


class CodeLearner:
    """One calibrated logistic regression per code, trained from people's codings (see module doc).

    Parameters
    ----------
    codebook : Codebook
        The codebook whose rules give the ``rules`` features and the rules' own codings.
    features : tuple of str
        Feature families: ``"terms"`` and/or ``"rules"`` (:mod:`qualcoop.learn.features`).
    min_positives : int
        Codes with fewer positive units are not modelled (left to the rules).
    C : float
        Inverse regularisation strength of the logistic regressions.
    n_splits : int
        Folds of the grouped cross-validation (at most the number of groups).
    min_df : int
        A term must occur in this many training units to enter the vocabulary.
    random_state : int
        Seed of the solver (training is deterministic).
    lang : str, optional
        Language of units without one (default: the codebook's first language).
    threshold_policy : {"pooled", "per-code"}
        ``"pooled"`` (default): one probability threshold for every modelled code, the one at which
        rules + model reach their best micro-F1 over all codes without their macro-F1 falling below the
        rules' (:func:`_pooled_threshold`). ``"per-code"``: per code, the best F1 without the code's
        precision falling below the rules' precision (stricter; the first policy, kept to compare).
    """

    def __init__(self, codebook: Codebook | None = None, *, features: tuple[str, ...] = FEATURE_FAMILIES,
                 min_positives: int = 8, C: float = 1.0, n_splits: int = 5, min_df: int = 2,
                 random_state: int = 0, lang: str | None = None, threshold_policy: str = "pooled") -> None:
        self.codebook = codebook
        self.features = features
        self.min_positives = min_positives
        self.C = C
        self.n_splits = n_splits
        self.min_df = min_df
        self.random_state = random_state
        self.lang = lang
        self.threshold_policy = threshold_policy

    # ----------------------------------------------------------------- scikit-learn contract
    _PARAMS = ("codebook", "features", "min_positives", "C", "n_splits", "min_df", "random_state", "lang",
               "threshold_policy")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self._PARAMS}

    def set_params(self, **params: Any) -> CodeLearner:
        for k, v in params.items():
            if k not in self._PARAMS:
                raise ValueError(f"unknown parameter {k!r}")
            setattr(self, k, v)
        return self

    # ----------------------------------------------------------------- features
    def _analyser(self) -> Analyser:
        if getattr(self, "_an", None) is None:
            if self.codebook is None:
                raise AnalysisError("CodeLearner needs a codebook")
            self._an = Analyser(self.codebook, lang=self.lang)
        return self._an

    def _names(self, a: Analysed) -> tuple[tuple[str, ...], tuple[str, ...]]:
        terms = a.terms if "terms" in self.features else ()
        rules = a.rules if "rules" in self.features else ()
        return terms, rules

    def _vocabulary(self, analysed: Sequence[Analysed]) -> list[str]:
        from collections import Counter

        df: Counter = Counter()
        rules: set[str] = set()
        for a in analysed:
            terms, r = self._names(a)
            df.update(terms)
            rules.update(r)
        return sorted([t for t, n in df.items() if n >= self.min_df] + sorted(rules))

    @staticmethod
    def _matrix(analysed: Sequence[Analysed], vocabulary: Sequence[str], features: tuple[str, ...]):
        import numpy as np

        index = {f: i for i, f in enumerate(vocabulary)}
        X = np.zeros((len(analysed), len(vocabulary)), dtype=np.float64)
        is_term = np.array([f.startswith("t:") for f in vocabulary], dtype=bool)
        for row, a in enumerate(analysed):
            names = (a.terms if "terms" in features else ()) + (a.rules if "rules" in features else ())
            for f in names:
                j = index.get(f)
                if j is not None:
                    X[row, j] = 1.0
        if is_term.any():
            norms = np.sqrt(X[:, is_term].sum(axis=1, keepdims=True))
            norms[norms == 0] = 1.0
            X[:, is_term] = X[:, is_term] / norms
        return X

    def _fit_one(self, X, y):
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear",
                                 random_state=self.random_state, max_iter=1000)
        clf.fit(X, y)
        return clf.coef_[0].copy(), float(clf.intercept_[0])

    # ----------------------------------------------------------------- fit
    def fit(self, X: Sequence[Unit], y: Sequence[Sequence[str]] | None = None,
            groups: Sequence[str] | None = None) -> CodeLearner:
        """Train on units ``X`` (codes ``y``, default the units' codes), grouped by ``groups``
        (default the units' documents). Sets ``codes_``, ``skipped_``, ``vocabulary_``, ``coef_``,
        ``intercept_``, ``platt_``, ``thresholds_``, ``cv_``, ``data_hash_``, and for diagnostics
        ``oof_decision_`` (held-out decision values, units x codes) and ``oof_fold_`` (each unit's fold)."""
        import numpy as np
        from sklearn.model_selection import GroupKFold

        if self.threshold_policy not in ("pooled", "per-code"):
            raise AnalysisError(f"threshold_policy must be 'pooled' or 'per-code', not {self.threshold_policy!r}")
        units = list(X)
        if not units:
            raise AnalysisError("no units to learn from")
        labels = [frozenset(s) for s in y] if y is not None else [u.codes for u in units]
        if y is not None:
            units = [Unit(u.doc_id, u.start, u.end, u.text, u.lang, c) for u, c in zip(units, labels)]
        groups = list(groups) if groups is not None else [u.doc_id for u in units]
        known = {c.id for c in self.codebook.codes} if self.codebook is not None else set()
        unknown = sorted({c for s in labels for c in s} - known)
        if unknown:
            raise AnalysisError(f"codes not in codebook {self.codebook.name}: {', '.join(unknown[:10])}")
        analysed = self._analyser().analyse_all(units)
        n_groups = len(set(groups))
        if n_groups < 2:
            raise AnalysisError("learning needs units from at least two documents (cross-validation is "
                                "grouped by document)")
        splits = list(GroupKFold(n_splits=min(self.n_splits, n_groups)).split(np.zeros(len(units)), groups=groups))
        fold_of = np.zeros(len(units), dtype=int)
        for k, (_, test) in enumerate(splits):
            fold_of[test] = k
        coded = sorted({c for s in labels for c in s})
        self.codes_: list[str] = []
        self.skipped_: dict[str, str] = {}
        for code in coded:
            ys = np.array([code in s for s in labels])
            pos_groups = {g for g, v in zip(groups, ys) if v}
            if ys.sum() < self.min_positives:
                self.skipped_[code] = f"{int(ys.sum())} positive unit(s), fewer than {self.min_positives}"
            elif len(pos_groups) < 2:
                self.skipped_[code] = "positives in one document only"
            elif ys.all():
                self.skipped_[code] = "every unit is positive"
            else:
                self.codes_.append(code)
        Y = np.array([[c in s for c in self.codes_] for s in labels], dtype=bool).reshape(len(units), -1)
        R = np.array([[c in a.rule_codes for c in self.codes_] for a in analysed], dtype=bool).reshape(len(units), -1)
        # 1. grouped CV: held-out decisions
        oof = np.zeros(Y.shape, dtype=np.float64)
        for train, test in splits:
            vocab = self._vocabulary([analysed[i] for i in train])
            Xtr = self._matrix([analysed[i] for i in train], vocab, self.features)
            Xte = self._matrix([analysed[i] for i in test], vocab, self.features)
            for j in range(len(self.codes_)):
                if Y[train, j].all() or not Y[train, j].any():
                    oof[test, j] = 1e3 if Y[train, j].all() else -1e3
                    continue
                w, b = self._fit_one(Xtr, Y[train, j])
                oof[test, j] = Xte @ w + b
        self.oof_decision_ = oof  # held-out decision values (for diagnostics)
        self.oof_fold_ = fold_of
        # 2.-3. calibration, thresholds, cross-fitted CV figures
        self.platt_ = np.zeros((len(self.codes_), 2))
        self.thresholds_ = np.zeros(len(self.codes_))
        self.cv_: dict[str, dict] = {}
        P = np.zeros(Y.shape, dtype=np.float64)
        for j in range(len(self.codes_)):
            a, b = self._platt(oof[:, j], Y[:, j])
            self.platt_[j] = (a, b)
            P[:, j] = _sigmoid(a * oof[:, j] + b)
        # the codes left to the rules count in the pooled objective as the rules code them
        Ys = np.array([[c in s for c in self.skipped_] for s in labels], dtype=bool).reshape(len(units), -1)
        Rs = np.array([[c in a.rule_codes for c in self.skipped_] for a in analysed], dtype=bool).reshape(len(units), -1)
        pooled = self.threshold_policy == "pooled"
        if pooled:
            self.thresholds_[:] = _pooled_threshold(P, Y, R, Ys, Rs)
        both = np.zeros(Y.shape, bool)
        model_pred = np.zeros(Y.shape, bool)
        for k in range(len(splits)):
            rest, here = fold_of != k, fold_of == k
            if pooled:
                t_union = np.full(len(self.codes_), _pooled_threshold(P[rest], Y[rest], R[rest], Ys[rest], Rs[rest]))
            else:
                t_union = np.array([self._threshold(P[rest, j], Y[rest, j], R[rest, j]) for j in range(len(self.codes_))])
            both[here] = R[here] | (P[here] >= t_union)
            for j in range(len(self.codes_)):
                t_model = self._threshold(P[rest, j], Y[rest, j], np.zeros(int(rest.sum()), bool))
                model_pred[here, j] = P[here, j] >= t_model
        for j, code in enumerate(self.codes_):
            if not pooled:
                self.thresholds_[j] = self._threshold(P[:, j], Y[:, j], R[:, j])
            self.cv_[code] = {"positives": int(Y[:, j].sum()),
                              "rules": _counts(R[:, j], Y[:, j]),
                              "model": _counts(model_pred[:, j], Y[:, j]),
                              "rules+model": _counts(both[:, j], Y[:, j])}
        # rules alone on the skipped codes, for the record
        for code in self.skipped_:
            ys = np.array([code in s for s in labels])
            rs = np.array([code in a.rule_codes for a in analysed])
            self.cv_[code] = {"positives": int(ys.sum()), "rules": _counts(rs, ys), "model": None,
                              "rules+model": _counts(rs, ys)}
        # 4. final fit
        self.vocabulary_ = self._vocabulary(analysed)
        Xall = self._matrix(analysed, self.vocabulary_, self.features)
        self.coef_ = np.zeros((len(self.codes_), len(self.vocabulary_)))
        self.intercept_ = np.zeros(len(self.codes_))
        for j in range(len(self.codes_)):
            self.coef_[j], self.intercept_[j] = self._fit_one(Xall, Y[:, j])
        self.n_units_ = len(units)
        self.n_groups_ = n_groups
        self.n_splits_ = len(splits)
        self.data_hash_ = data_hash(units)
        return self

    def _platt(self, d, y) -> tuple[float, float]:
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        if y.all() or not y.any():
            return 0.0, (10.0 if y.all() else -10.0)
        clf = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
        clf.fit(np.clip(d, -50, 50).reshape(-1, 1), y)
        return float(clf.coef_[0, 0]), float(clf.intercept_[0])

    @staticmethod
    def _threshold(prob, y, rules) -> float:
        """The policy: best F1 of (rules or prob >= t) whose precision is not below the rules' own
        (``NO_MODEL`` = the rules alone always qualifies); ties go to the higher threshold."""
        import numpy as np

        floor = prf(*_counts(rules, y))[0] if rules.any() else 0.0
        best_f, best_t = prf(*_counts(rules, y))[2], NO_MODEL
        for t in sorted(set(np.round(prob, 12).tolist()), reverse=True):
            p, _, f = prf(*_counts(rules | (prob >= t), y))
            if p + 1e-12 >= floor and f > best_f + 1e-12:
                best_f, best_t = f, float(t)
        return best_t

    # ----------------------------------------------------------------- prediction
    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise AnalysisError("this CodeLearner is not fitted (call fit or load a model)")

    def _analysed(self, X) -> list[Analysed]:
        return [x if isinstance(x, Analysed) else self._analyser().analyse(x) for x in X]

    def decision_function(self, X: Sequence[Unit]):
        self._check_fitted()
        Xm = self._matrix(self._analysed(X), self.vocabulary_, self.features)
        return Xm @ self.coef_.T + self.intercept_

    def predict_proba(self, X: Sequence[Unit]):
        """Calibrated probabilities, one column per code of ``codes_``."""
        d = self.decision_function(X)
        return _sigmoid(self.platt_[:, 0] * d + self.platt_[:, 1])

    def predict(self, X: Sequence[Unit], *, threshold: float | None = None) -> list[frozenset[str]]:
        """The codes the model alone gives each unit (at the learned thresholds, or ``threshold``)."""
        p = self.predict_proba(X)
        t = self.thresholds_ if threshold is None else threshold
        return [frozenset(c for c, hit in zip(self.codes_, row) if hit) for row in (p >= t)]

    def code_units(self, X: Sequence[Unit], *, threshold: float | None = None, top: int = 3) -> list[list[dict]]:
        """Rule and model codings of each unit: dicts with ``code_id``, ``method`` (``rule``, ``model``,
        ``rule+model``), ``confidence`` (the model's probability; ``None`` for codes it does not model)
        and ``features`` (the ``top`` features that weighed most for a model coding)."""
        import numpy as np

        self._check_fitted()
        analysed = self._analysed(X)
        Xm = self._matrix(analysed, self.vocabulary_, self.features)
        prob = _sigmoid(self.platt_[:, 0] * (Xm @ self.coef_.T + self.intercept_) + self.platt_[:, 1])
        t = self.thresholds_ if threshold is None else np.full(len(self.codes_), threshold)
        out = []
        index = {c: j for j, c in enumerate(self.codes_)}
        for i, a in enumerate(analysed):
            rows = []
            for code in sorted(set(a.rule_codes) | {c for j, c in enumerate(self.codes_) if prob[i, j] >= t[j]}):
                j = index.get(code)
                conf = float(prob[i, j]) if j is not None else None
                by_model = j is not None and prob[i, j] >= t[j]
                method = "rule+model" if by_model and code in a.rule_codes else ("model" if by_model else "rule")
                feats: list[str] = []
                if by_model:
                    contrib = Xm[i] * self.coef_[j]
                    order = sorted((k for k in np.nonzero(contrib > 0)[0]), key=lambda k: (-contrib[k], k))
                    feats = [self.vocabulary_[k] for k in order[:top]]
                rows.append({"code_id": code, "method": method, "confidence": conf, "features": feats})
            out.append(rows)
        return out

    def code_document(self, document, segments, rule_codings, *, lang, provenance, threshold: float | None = None,
                      top: int = 3) -> list:
        """Rule codings of one document merged with the model's (:class:`~qualcoop.model.Coding` list).

        A rule coding the model agrees with gets provenance method ``rule+model``; a model coding with no
        rule behind it gets ``model``, no evidence spans, and its top features in
        ``provenance.details["features"]``; every coding of a modelled code gets the model's ``confidence``.
        """
        from dataclasses import replace

        from ..model import Coding, FrozenMap

        self._check_fitted()
        primary = lang if isinstance(lang, str) else tuple(lang)[0]
        by_seg: dict[tuple[int, int], list] = {}
        for c in rule_codings:
            by_seg.setdefault((c.start, c.end), []).append(c)
        out = []
        for seg in segments:
            mine = by_seg.pop((seg.start, seg.end), [])
            text = document.text[seg.start:seg.end]
            a = self._analyser().from_codings(text, primary, mine)
            [rows] = self.code_units([a], threshold=threshold, top=top)
            rule_by_code = {c.code_id: c for c in mine}
            for r in rows:
                base = rule_by_code.get(r["code_id"])
                if base is not None:
                    prov = replace(base.provenance, method=r["method"])
                    out.append(replace(base, provenance=prov, confidence=r["confidence"]))
                else:
                    template = provenance
                    prov = replace(template, method="model",
                                   details=FrozenMap({"features": ";".join(r["features"])}))
                    out.append(Coding(doc_id=document.id, start=seg.start, end=seg.end, code_id=r["code_id"],
                                      provenance=prov, segment_index=seg.index, unit=seg.kind, speaker=seg.speaker,
                                      confidence=r["confidence"]))
        for rest in by_seg.values():  # rule codings of spans that are not among ``segments``: unchanged
            out.extend(rest)
        return out

    def fingerprint(self) -> str:
        """sha256 of what decides the model's codings (codebook, features, vocabulary, weights,
        calibration, thresholds): two models with the same fingerprint code alike. A project run's key
        includes it, so a run with another model is another run."""
        import hashlib

        import numpy as np

        self._check_fitted()
        cb = self.codebook
        head = json.dumps({"codebook": cb.fingerprint() if cb is not None else None, "features": list(self.features),
                           "lang": self.lang, "codes": list(self.codes_), "vocabulary": list(self.vocabulary_)},
                          sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        h = hashlib.sha256(head.encode("utf-8", "surrogatepass"))
        for arr in (self.coef_, self.intercept_, self.platt_, self.thresholds_):
            h.update(np.ascontiguousarray(arr, dtype="<f8").tobytes())
        return h.hexdigest()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_an", None)  # the compiled codebook is rebuilt in each process
        return state

    # ----------------------------------------------------------------- figures
    def cv_table(self) -> list[dict]:
        """Per code: positives and CV precision/recall/F1 of rules, model and rules + model."""
        self._check_fitted()
        rows = []
        for code in sorted(self.cv_):
            e = self.cv_[code]
            row: dict[str, Any] = {"code_id": code, "positives": e["positives"],
                                   "modelled": code in self.codes_,
                                   "note": self.skipped_.get(code, "")}
            for m in ("rules", "model", "rules+model"):
                p, r, f = prf(*e[m]) if e[m] is not None else (None, None, None)
                row.update({f"{m}_precision": p, f"{m}_recall": r, f"{m}_f1": f})
            rows.append(row)
        return rows

    def cv_summary(self) -> dict[str, dict[str, float]]:
        """Micro and macro P/R/F1 over all coded codes for rules, model (rules where not modelled)
        and rules + model."""
        self._check_fitted()
        out: dict[str, dict[str, float]] = {}
        for m in ("rules", "model", "rules+model"):
            counts = [self.cv_[c][m] if self.cv_[c][m] is not None else self.cv_[c]["rules"] for c in sorted(self.cv_)]
            tp, fp, fn = (sum(x[i] for x in counts) for i in range(3))
            p, r, f = prf(tp, fp, fn)
            macro = [prf(*x)[2] for x in counts]
            out[m] = {"micro_precision": p, "micro_recall": r, "micro_f1": f,
                      "macro_f1": sum(macro) / len(macro) if macro else 0.0}
        return out
