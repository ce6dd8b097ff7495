"""Rule suggestions from people's codings (``qualcoop suggest``).

For each code:

- **terms**: normal forms (1- and 2-grams, :mod:`qualcoop.learn.features`) found in units people
  coded and the rules missed, each with the precision/recall/F1 the code's rules would have on the
  table **if a ``stem`` rule for that term were added** (its change against the rules as they are).
  A ``stem`` rule compares normal forms, so Indonesian affixes collapse as they do here.
- **rules**: existing rules that fire mostly where people did not code the rule's code (precision
  below ``max_rule_precision`` on at least ``min_support`` units), with false-positive examples and
  the code's precision/recall/F1 (and their change) if the rule were removed.

Every suggestion carries ready-to-paste YAML. Measured on the table itself (in-sample): a term that
helps here may not help elsewhere; the researcher decides, nothing is added automatically.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Codebook
from .estimator import prf
from .features import Analyser, Unit

__all__ = ["Suggestion", "SUGGESTION_COLUMNS", "suggest"]

SUGGESTION_COLUMNS = ("code_id", "kind", "item", "lang", "support", "precision", "recall", "f1",
                      "delta_precision", "delta_recall", "delta_f1", "examples", "yaml")


@dataclass(frozen=True)
class Suggestion:
    """One suggestion: a term to add (``kind="term"``) or a rule to review (``kind="rule"``)."""

    code_id: str
    kind: str
    item: str
    lang: str
    support: int
    precision: float
    recall: float
    f1: float
    delta_precision: float
    delta_recall: float
    delta_f1: float
    examples: tuple[str, ...]
    yaml: str

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in SUGGESTION_COLUMNS}
        d["examples"] = " | ".join(self.examples)
        for k in ("precision", "recall", "f1", "delta_precision", "delta_recall", "delta_f1"):
            d[k] = round(d[k], 4)
        return d


def _slug(term: str) -> str:
    return "suggested-" + "-".join("".join(ch for ch in w if ch.isalnum()) for w in term.split())


def _short(text: str, n: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def suggest(units: Sequence[Unit], *, codebook: Codebook, lang: str | None = None, top: int = 5,
            min_support: int = 2, max_rule_precision: float = 0.5) -> list[Suggestion]:
    """Term and rule suggestions per code, measured on ``units`` (see the module docstring).

    Deterministic: suggestions are sorted by code, kind, then the F1 change (terms) or precision
    (rules), ties by the item.
    """
    an = Analyser(codebook, lang=lang)
    analysed = an.analyse_all(units)
    langs = [an.language(u) for u in units]
    codes = sorted({c for u in units for c in u.codes})
    out: list[Suggestion] = []
    for code in codes:
        gold = [code in u.codes for u in units]
        rules = [code in a.rule_codes for a in analysed]
        base = [sum(g and r for g, r in zip(gold, rules)), sum(r and not g for g, r in zip(gold, rules)),
                sum(g and not r for g, r in zip(gold, rules))]
        p0, r0, f0 = prf(*base)
        # terms in missed positives
        missed: Counter = Counter()
        term_lang: dict[str, Counter] = defaultdict(Counter)
        for a, g, r, lg in zip(analysed, gold, rules, langs):
            if g and not r:
                for t in a.terms:
                    missed[t] += 1
                    term_lang[t][lg] += 1
        found = []
        for t, n in missed.items():
            if n < min_support:
                continue
            hits = [t in a.terms for a in analysed]
            tp, fp, fn = base
            for h, g, r in zip(hits, gold, rules):
                if h and not r:
                    if g:
                        tp, fn = tp + 1, fn - 1
                    else:
                        fp += 1
            p, rec, f = prf(tp, fp, fn)
            if f > f0 + 1e-12:
                found.append((f - f0, t, p, rec, f, n))
        found.sort(key=lambda x: (-round(x[0], 12), x[1]))
        for df, t, p, rec, f, n in found[:top]:
            term = t[2:]
            lg = sorted(term_lang[t].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            examples = tuple(_short(u.text) for u, a, g, r in zip(units, analysed, gold, rules)
                             if g and not r and t in a.terms)[:2]
            yaml = f"- {{id: {_slug(term)}, kind: stem, lang: {lg}, terms: [\"{term}\"]}}"
            out.append(Suggestion(code, "term", term, lg, n, p, rec, f, p - p0, rec - r0, df, examples, yaml))
        # rules of this code that mostly fire where people did not code it
        fired: dict[str, list[int]] = defaultdict(list)
        for i, a in enumerate(analysed):
            for feat in a.rules:
                if feat.startswith("r:") and not feat.endswith(":neg"):
                    rid = feat[2:]
                    if rid.split("/", 1)[0] == code:
                        fired[rid].append(i)
        bad = []
        for rid, idx in fired.items():
            right = sum(gold[i] for i in idx)
            prec = right / len(idx)
            if len(idx) >= min_support and prec < max_rule_precision:
                bad.append((prec, rid, idx, right))
        bad.sort(key=lambda x: (x[0], x[1]))
        for prec, rid, idx, right in bad:
            # the code's F1 without this rule's firings (units other rules of the code still give stay coded)
            others = [any(f.startswith(f"r:{code}/") and f[2:].split(":")[0] != rid for f in analysed[i].rules)
                      for i in range(len(units))]
            alone = set(idx)
            pred = [r and not (i in alone and not others[i]) for i, r in enumerate(rules)]
            tp = sum(g and q for g, q in zip(gold, pred))
            fp = sum(q and not g for g, q in zip(gold, pred))
            fn = sum(g and not q for g, q in zip(gold, pred))
            p, rec, f = prf(tp, fp, fn)
            examples = tuple(_short(units[i].text) for i in idx if not gold[i])[:2]
            rule_name = rid.split("/", 1)[-1]
            yaml = (f"# rule {rule_name} of {code}: right on {right} of {len(idx)} units; narrow its terms, add an "
                    f"exclude rule, or remove it:\n- {{id: {rule_name}-exclude, kind: exclude, terms: [\"...\"]}}")
            out.append(Suggestion(code, "rule", rid, "", len(idx), p, rec, f, p - p0, rec - r0, f - f0, examples,
                                  yaml))
    return out
