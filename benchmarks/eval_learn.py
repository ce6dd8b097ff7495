"""Does a coder trained on people's codings help the rules? Grouped CV on the developers' gold.

Units: every paragraph of tests/data/gold (dev + test + holdout, one coder, see its README), grouped
by source document so that paragraphs of one document never sit on both sides of a fold. For each
feature family (terms, rules, terms+rules) :class:`qualcoop.learn.CodeLearner` is trained with its
grouped cross-validation, and the held-out figures of rules alone, model alone and rules + model are
printed per code and as micro/macro. Thresholds are chosen on the other folds (cross-fitted).

Caveat: the shipped rules were written by the person who coded this gold while reading most of it,
so "rules alone" is optimistic here and there is little left for a model to add; a team's own
codings of new material are where the model earns its place (see README "Learning from your codings").

Run:  .venv/bin/python benchmarks/eval_learn.py [--families terms,rules terms rules] [--per-code]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
GOLD = REPO / "tests" / "data" / "gold"
CODEBOOK = REPO / "codebooks" / "international_cooperation.yaml"


def gold_units(parts=("dev", "test", "holdout")):
    from qualcoop.learn import Unit

    rows = []
    for name in parts:
        rows += [json.loads(line) for line in (GOLD / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return [Unit(r["source_file"], r["start"], r["end"], r["text"], r["lang"], frozenset(r["codes"])) for r in rows]


def main(argv: list[str] | None = None) -> int:
    from qualcoop.codebook import load_codebook
    from qualcoop.learn import CodeLearner

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", nargs="+", default=["terms,rules", "terms", "rules"])
    ap.add_argument("--per-code", action="store_true", help="per-code table for the first family")
    ap.add_argument("--min-positives", type=int, default=8)
    ap.add_argument("--holdout", action="store_true",
                    help="also: train on dev+test, code the fresh holdout (drawn after the rules were written)")
    ns = ap.parse_args(argv)
    cb = load_codebook(CODEBOOK)
    if ns.holdout:
        holdout(cb, ns.min_positives)
    units = gold_units()
    print(f"{len(units)} gold units, {len({u.doc_id for u in units})} documents, codebook {cb.name} {cb.version}")
    for i, fam in enumerate(ns.families):
        t0 = time.perf_counter()
        learner = CodeLearner(cb, features=tuple(fam.split(",")), min_positives=ns.min_positives).fit(units)
        s = learner.cv_summary()
        print(f"\nfeatures {fam}: {learner.n_splits_}-fold grouped CV, {len(learner.codes_)} codes modelled, "
              f"{len(learner.skipped_)} left to the rules ({time.perf_counter() - t0:.0f} s)")
        for m in ("rules", "model", "rules+model"):
            print(f"  {m:12s} micro P {s[m]['micro_precision']:.3f} R {s[m]['micro_recall']:.3f} "
                  f"F1 {s[m]['micro_f1']:.3f}  macro F1 {s[m]['macro_f1']:.3f}")
        if ns.per_code and i == 0:
            print(f"  {'code':34s} {'pos':>4s} {'rules F1':>9s} {'model F1':>9s} {'both F1':>8s}")
            for r in learner.cv_table():
                mf = "-" if r["model_f1"] is None else f"{r['model_f1']:.2f}"
                print(f"  {r['code_id']:34s} {r['positives']:>4d} {r['rules_f1']:>9.2f} {mf:>9s} "
                      f"{r['rules+model_f1']:>8.2f}")
    return 0


def holdout(cb, min_positives: int) -> None:
    """Train on dev+test, apply rules and rules + model to holdout.jsonl; micro/macro over its codes."""
    from qualcoop.learn import CodeLearner, prf

    learner = CodeLearner(cb, min_positives=min_positives).fit(gold_units(("dev", "test")))
    units = gold_units(("holdout",))
    coded = learner.code_units(units)
    codes = sorted({c for u in units for c in u.codes} | {r["code_id"] for rows in coded for r in rows
                                                           if r["code_id"] in {c.id for c in cb.codes if c.parent}})
    for name, keep in (("rules", lambda r: r["method"] != "model"), ("rules+model", lambda r: True)):
        per = {c: [0, 0, 0] for c in codes}
        for u, rows in zip(units, coded):
            pred = {r["code_id"] for r in rows if keep(r)} & set(codes)
            for c in codes:
                g, p = c in u.codes, c in pred
                per[c][0] += g and p
                per[c][1] += p and not g
                per[c][2] += g and not p
        tp, fp, fn = (sum(v[i] for v in per.values()) for i in range(3))
        mp, mr, mf = prf(tp, fp, fn)
        macro = sum(prf(*v)[2] for v in per.values()) / len(per)
        print(f"holdout ({len(units)} units) {name:12s} micro P {mp:.3f} R {mr:.3f} F1 {mf:.3f}  macro F1 {macro:.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
