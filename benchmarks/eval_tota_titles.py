"""Evaluate the default codebook on ToTA treaty articles labelled by their titles.

Gold: ``tests/data/gold/tota_title_codes.tsv`` maps article titles to the code the article is
about (written from the codebook's definitions before any rule was run on these treaties). Each
labelled article of the English ToTA treaties in shared data (``policy_docs/tota``) is coded as
its own document (unit ``document``, language ``en``); a code counts as found when the engine
returns a coding for it, negated or not.

Two figures per code (issue 13 item 11):

- *title recall*: of the articles titled for the code, the share where the code is found
  (goal >= 85% overall);
- *fires on others*: of the labelled articles titled for other codes only, the share where the
  code is found (goal <= 15%; presence coding means some of these are right: a dispute article
  may well mention trade).

Treaties are split by a hash of their file name: ``held-out`` (one third, never looked at while
changing rules) and ``tune``. Run:

    python benchmarks/eval_tota_titles.py [--part tune|held-out|all] [--errors CODE] [--fires CODE] [--sample]

``--sample`` scores ``tests/data/gold/tota_sample_coded.jsonl``: 30 paragraphs of the held-out
treaties coded by hand for all 23 leaf codes (presence), as ``eval_codebook.py`` does.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "tests" / "data" / "gold" / "tota_title_codes.tsv"
CODEBOOK = REPO / "codebooks" / "international_cooperation.yaml"


def shared_tota() -> Path:
    import os

    env = os.environ.get("QUALCOOP_SHARED_DATA")
    for base in ([Path(env)] if env else []) + [REPO.parent / "shared" / "data", Path("/work/shared/data")]:
        if (base / "policy_docs" / "tota").is_dir():
            return base / "policy_docs" / "tota"
    raise SystemExit("ToTA data not found (set QUALCOOP_SHARED_DATA)")


@dataclass(frozen=True)
class TitleRule:
    code: str
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None


def title_rules(path: Path = GOLD) -> list[TitleRule]:
    rules = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, pattern, unless, _note = (line.split("\t") + ["", "", "", ""])[:4]
        rules.append(TitleRule(code, re.compile(pattern, re.I), re.compile(unless, re.I) if unless else None))
    return rules


def title_codes(title: str, rules: list[TitleRule]) -> frozenset[str]:
    return frozenset(r.code for r in rules if r.pattern.search(title) and not (r.unless and r.unless.search(title)))


def part_of(treaty: str) -> str:
    return "held-out" if int(hashlib.sha256(treaty.encode()).hexdigest()[:8], 16) % 3 == 0 else "tune"


@dataclass(frozen=True)
class Article:
    treaty: str
    ident: str
    title: str
    text: str
    codes: frozenset[str]


def articles(part: str = "all") -> list[Article]:
    from lxml import etree

    tota = shared_tota()
    rules = title_rules()
    titles: dict[tuple[str, str], str] = {}
    with open(tota / "tota_article_labels.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            titles[(row["file"], row["article_identifier"])] = row["article_name"].strip()
    out = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    for path in sorted((tota / "xml").glob("pta_*.xml")):
        treaty = path.stem
        if part != "all" and part_of(treaty) != part:
            continue
        root = etree.parse(str(path), parser).getroot()
        if (root.findtext("meta/language") or "en").strip() != "en":
            continue
        for art in root.iter("article"):
            ident = art.get("article_identifier") or ""
            title = titles.get((treaty, ident), "")
            codes = title_codes(title, rules) if title else frozenset()
            text = "".join(art.itertext()).strip()
            if codes and text:
                out.append(Article(treaty, ident, title, text, codes))
    return out


def predict(arts: list[Article]) -> list[frozenset[str]]:
    from qualcoop.codebook import load_codebook
    from qualcoop.match import apply_codebook, compile_codebook
    from qualcoop.model import Document

    compiled = compile_codebook(load_codebook(CODEBOOK))
    docs = [Document(f"{a.treaty}-{a.ident}", a.text, lang="en") for a in arts]
    coded = apply_codebook(docs, compiled, unit="document", check_language=False)
    found: dict[str, set[str]] = defaultdict(set)
    for c in coded:
        found[c.doc_id].add(c.code_id)
    return [frozenset(found.get(d.id, ())) for d in docs]


def scores(arts: list[Article], preds: list[frozenset[str]]) -> dict[str, tuple[int, int, int, int]]:
    """code -> (titled, found on titled, other-titled, fired on other-titled)."""
    codes = sorted({c for a in arts for c in a.codes})
    out = {}
    for code in codes:
        titled = [p for a, p in zip(arts, preds) if code in a.codes]
        others = [p for a, p in zip(arts, preds) if code not in a.codes]
        out[code] = (len(titled), sum(code in p for p in titled), len(others), sum(code in p for p in others))
    return out


def report(part: str) -> dict[str, float]:
    arts = articles(part)
    preds = predict(arts)
    per = scores(arts, preds)
    n_lab = sum(len(a.codes) for a in arts)
    found = sum(len(a.codes & p) for a, p in zip(arts, preds))
    print(f"\n## {part}: {len(arts)} labelled articles of {len({a.treaty for a in arts})} treaties")
    print(f"{'code':36} {'titled':>6} {'recall':>7} {'others':>6} {'fires':>6}")
    for code, (n, hit, m, fire) in per.items():
        print(f"{code:36} {n:6d} {hit / n:7.0%} {m:6d} {fire / m if m else 0:6.0%}")
    fires = [fire / m for _n, _h, m, fire in per.values() if m]
    recall = found / n_lab if n_lab else 0.0
    mean_fires = sum(fires) / len(fires) if fires else 0.0
    print(f"{'overall (recall pooled, fires mean over codes)':36} {n_lab:6d} {recall:7.1%} {'':6} {mean_fires:6.1%}")
    return {"recall": recall, "fires": mean_fires, "articles": len(arts)}


def sample_report(path: Path = GOLD.parent / "tota_sample_coded.jsonl") -> dict[str, float]:
    """Precision and recall on the hand-coded paragraph sample of the held-out treaties."""
    import json

    from qualcoop.codebook import load_codebook
    from qualcoop.match import apply_codebook, compile_codebook
    from qualcoop.model import Document

    gold = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    compiled = compile_codebook(load_codebook(CODEBOOK))
    docs = [Document(g["id"], g["text"], lang=g.get("lang", "en")) for g in gold]
    found: dict[str, set[str]] = defaultdict(set)
    for c in apply_codebook(docs, compiled, unit="document", check_language=False):
        found[c.doc_id].add(c.code_id)
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for g in gold:
        want, got = set(g["codes"]), found.get(g["id"], set())
        for code in want | got:
            per[code][0 if code in want and code in got else 1 if code in got else 2] += 1
    tp, fp, fn = (sum(v[i] for v in per.values()) for i in range(3))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"\n## hand-coded sample of held-out treaties: {len(gold)} paragraphs, {tp + fn} gold codings")
    print(f"{'code':36} {'tp':>3} {'fp':>3} {'fn':>3}")
    for code, (a, b, c) in sorted(per.items()):
        print(f"{code:36} {a:3d} {b:3d} {c:3d}")
    print(f"micro precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    for g in gold:
        want, got = set(g["codes"]), found.get(g["id"], set())
        if want != got:
            print(f"  {g['id']}: missed {sorted(want - got)} extra {sorted(got - want)}")
    return {"precision": p, "recall": r, "f1": f}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--part", default="all", choices=["tune", "held-out", "all"])
    ap.add_argument("--errors", help="list titled articles where this code is missed")
    ap.add_argument("--fires", help="list other-titled articles where this code fires")
    ap.add_argument("--sample", action="store_true", help="score the hand-coded paragraph sample only")
    args = ap.parse_args(argv)
    if args.sample:
        sample_report()
        return 0
    if args.errors or args.fires:
        arts = articles(args.part)
        preds = predict(arts)
        for a, p in zip(arts, preds):
            if args.errors and args.errors in a.codes and args.errors not in p:
                print(f"MISS {a.treaty} {a.ident} [{a.title}] {a.text[:300]!r}")
            if args.fires and args.fires in p and args.fires not in a.codes:
                print(f"FIRE {a.treaty} {a.ident} [{a.title}] {a.text[:300]!r}")
        return 0
    parts = ["tune", "held-out"] if args.part == "all" else [args.part]
    for part in parts:
        report(part)
    if args.part == "all":
        sample_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
