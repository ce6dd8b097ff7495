"""Evaluate the default codebook against the hand-coded gold set (tests/data/gold/).

Each gold line is one paragraph with the codes a human coder gave it. The engine codes each
paragraph's text as its own Document (unit ``"document"``, ``lang`` from the gold line). A code
counts as predicted when the engine returns a coding for it, negated or not. Scores are per code
(precision, recall, F1), micro-F1 (pooled over all code decisions) and macro-F1 (the mean of
per-code F1 over the codes that occur in the gold set or the predictions of that part).

Run:  .venv/bin/python benchmarks/eval_codebook.py [--part dev|test|all] [--errors CODE]
The functions are importable (tests/test_default_codebook.py uses :func:`evaluate`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "tests" / "data" / "gold"
CODEBOOK = REPO / "codebooks" / "international_cooperation.yaml"


@dataclass(frozen=True)
class Scores:
    """Per-code counts and the derived figures for one part of the gold set."""

    n: int
    per_code: dict[str, tuple[int, int, int]]  # code -> (tp, fp, fn)

    @staticmethod
    def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def code(self, code_id: str) -> tuple[float, float, float]:
        return self._prf(*self.per_code.get(code_id, (0, 0, 0)))

    @property
    def micro(self) -> tuple[float, float, float]:
        tp = sum(v[0] for v in self.per_code.values())
        fp = sum(v[1] for v in self.per_code.values())
        fn = sum(v[2] for v in self.per_code.values())
        return self._prf(tp, fp, fn)

    @property
    def macro_f1(self) -> float:
        codes = [c for c, (tp, fp, fn) in self.per_code.items() if tp + fp + fn]
        return sum(self.code(c)[2] for c in codes) / len(codes) if codes else 0.0


def load_gold(part: str) -> list[dict]:
    """Gold lines of ``part`` ("dev", "test", "holdout" or "all"), in file order."""
    names = ("dev", "test", "holdout") if part == "all" else (part,)
    rows: list[dict] = []
    for name in names:
        path = GOLD / f"{name}.jsonl"
        rows.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return rows


def predict(rows: Sequence[dict], codebook=None) -> list[set[str]]:
    """The codes the engine gives each gold line's text (one Document per line)."""
    from qualcoop.codebook import load_codebook
    from qualcoop.match import apply_codebook, compile_codebook
    from qualcoop.model import Document

    cb = codebook if codebook is not None else load_codebook(CODEBOOK)
    compiled = compile_codebook(cb)
    out: list[set[str]] = []
    for r in rows:
        doc = Document(id=r["id"], text=r["text"], lang=r["lang"])
        cs = apply_codebook([doc], compiled, unit="document", lang=r["lang"])
        out.append({c.code_id for c in cs})
    return out


def score(rows: Sequence[dict], predicted: Sequence[set[str]], codes: Iterable[str]) -> Scores:
    """Count tp/fp/fn per code over ``rows`` (only the given leaf ``codes`` are scored)."""
    per: dict[str, list[int]] = {c: [0, 0, 0] for c in codes}
    for r, pred in zip(rows, predicted, strict=True):
        gold = set(r["codes"])
        for c in per:
            if c in gold and c in pred:
                per[c][0] += 1
            elif c in pred:
                per[c][1] += 1
            elif c in gold:
                per[c][2] += 1
    return Scores(n=len(rows), per_code={c: (v[0], v[1], v[2]) for c, v in per.items()})


def leaf_codes(codebook) -> list[str]:
    """Codes with a parent and no children: the codes the gold set uses."""
    parents = {c.parent for c in codebook.codes if c.parent}
    return [c.id for c in codebook.codes if c.parent and c.id not in parents]


def evaluate(part: str = "test", *, lang: str | None = None) -> Scores:
    """Scores of the shipped codebook on one part of the gold set (optionally one language)."""
    from qualcoop.codebook import load_codebook

    cb = load_codebook(CODEBOOK)
    rows = [r for r in load_gold(part) if lang is None or r["lang"] == lang]
    return score(rows, predict(rows, cb), leaf_codes(cb))


def _table(title: str, s: Scores, codes: Sequence[str]) -> list[str]:
    p, r, f = s.micro
    lines = [f"== {title}: {s.n} segments   micro P {p:.3f} R {r:.3f} F1 {f:.3f}   macro-F1 {s.macro_f1:.3f}",
             f"{'code':34} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}"]
    for c in codes:
        tp, fp, fn = s.per_code[c]
        if tp + fp + fn == 0:
            continue
        cp, cr, cf = s.code(c)
        lines.append(f"{c:34} {tp:4d} {fp:4d} {fn:4d} {cp:6.3f} {cr:6.3f} {cf:6.3f}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("dev", "test", "holdout", "all"), default=None,
                    help="one part only (default: dev, test and holdout, each overall and per language)")
    ap.add_argument("--errors", metavar="CODE", default=None,
                    help="list the false positives and negatives of CODE (on --part, default dev)")
    ns = ap.parse_args(argv)
    from qualcoop.codebook import load_codebook

    cb = load_codebook(CODEBOOK)
    codes = leaf_codes(cb)
    parts = (ns.part,) if ns.part else ("dev", "test", "holdout")
    if ns.errors:
        rows = load_gold(ns.part or "dev")
        for r, pred in zip(rows, predict(rows, cb), strict=True):
            g, pr = ns.errors in r["codes"], ns.errors in pred
            if g != pr:
                kind = "FN" if g else "FP"
                print(f"{kind} {r['id']} [{r['lang']}] {r['text'][:300]!r}")
        return 0
    summary = []
    for part in parts:
        rows = load_gold(part)
        pred = predict(rows, cb)
        for lang in (None, "en", "id"):
            idx = [i for i, r in enumerate(rows) if lang is None or r["lang"] == lang]
            s = score([rows[i] for i in idx], [pred[i] for i in idx], codes)
            title = f"{part} / {lang or 'all'}"
            print("\n".join(_table(title, s, codes)))
            print()
            summary.append((title, s.n, s.micro[2], s.macro_f1))
    print(f"{'part':14} {'n':>4} {'micro-F1':>9} {'macro-F1':>9}")
    for title, n, mi, ma in summary:
        print(f"{title:14} {n:4d} {mi:9.3f} {ma:9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
