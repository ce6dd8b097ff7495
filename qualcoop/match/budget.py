"""spaCy ``REGEX`` token attributes inside ``pattern`` rules, run within the regex budget.

spaCy's ``Matcher`` runs ``{"TEXT": {"REGEX": ...}}`` with Python ``re`` and no time limit:
``^(a+)+$`` against a 34-character token runs for minutes. :func:`reroute_regex` takes every
``REGEX`` predicate out of a token pattern and puts a custom token flag in its place
(``{"_": {"qc_rx_<hash>": True}}``); before the ``Matcher`` runs, :class:`TokenRegexes` sets
that flag on each token whose attribute the regular expression matches, with the ``regex``
module, the compiled codebook's per-segment time budget and its per-run time-out count (a
token whose test times out does not match; after ``max_timeouts`` time-outs the rule's regexes
are no longer run). The pattern itself is checked like every user regex
(:func:`qualcoop.patterns.check_regex`). ``FUZZY`` predicates stay with spaCy: they compare
with a bounded edit distance, polynomial in the token length.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from .. import limits
from ..patterns import compile_regex

__all__ = ["reroute_regex", "TokenRegexes", "REGEX_ATTRS", "rule_allowed", "count_timeout"]


def rule_allowed(cc, qid: str) -> bool:
    """Whether the regex of rule ``qid`` may still run in this run (``cc``: the compiled codebook).

    A rule is off after ``cc.max_timeouts`` time-outs; once the run's time-outs over every rule
    reach :data:`qualcoop.limits.MAX_RUN_TIMEOUTS`, every rule that has timed out at all is off
    (50 bad rules cannot each spend their own budget).
    """
    n = cc.timeouts.get(qid, 0)
    if n >= cc.max_timeouts:
        return False
    return not n or sum(cc.timeouts.values()) < limits.current("MAX_RUN_TIMEOUTS")


def count_timeout(cc, qid: str) -> None:
    cc.timeouts[qid] += 1

#: token attributes a REGEX predicate may test, and how to read them from a spaCy token
REGEX_ATTRS = {
    "ORTH": "text", "TEXT": "text", "LOWER": "lower_", "NORM": "norm_", "LEMMA": "lemma_",
    "SHAPE": "shape_", "PREFIX": "prefix_", "SUFFIX": "suffix_",
}


def _ext_name(attr: str, pattern: str) -> str:
    h = hashlib.sha1(f"{attr}\0{pattern}".encode()).hexdigest()[:16]
    return f"qc_rx_{h}"


def reroute_regex(patterns: list[list[dict]]) -> tuple[list[list[dict]], tuple[tuple[str, str, Any], ...]]:
    """Token patterns with each ``REGEX`` predicate replaced by a custom token flag.

    Returns the new patterns and ``(flag name, attribute, compiled regex)`` for each flag.

    Raises
    ------
    PatternLimitError
        A regular expression is too expensive to compile.
    ValueError
        A ``REGEX`` value is not a valid regular expression or tests an unsupported attribute.
    """
    import regex

    out: list[list[dict]] = []
    found: dict[str, tuple[str, str, Any]] = {}
    for pat in patterns:
        new_pat = []
        for spec in pat:
            if not isinstance(spec, dict) or not any(isinstance(v, dict) and "REGEX" in v for v in spec.values()):
                new_pat.append(spec)
                continue
            spec = copy.deepcopy(spec)
            flags: dict[str, bool] = {}
            for key in list(spec):
                value = spec[key]
                if key == "_" or not isinstance(value, dict) or "REGEX" not in value:
                    continue
                attr = key.upper()
                if attr not in REGEX_ATTRS:
                    raise ValueError(f"REGEX on token attribute {key!r} is not supported "
                                     f"(use one of {', '.join(sorted(REGEX_ATTRS))})")
                rx = value["REGEX"]
                if not isinstance(rx, str):
                    raise ValueError(f"REGEX value {rx!r} is not a string")
                try:
                    compiled = compile_regex(rx)
                except (regex.error, TypeError) as e:
                    raise ValueError(f"REGEX {rx!r} is not a valid regular expression: {e}") from e
                name = _ext_name(attr, rx)
                found[name] = (name, attr, compiled)
                flags[name] = True
                rest = {k: v for k, v in value.items() if k != "REGEX"}
                if rest:
                    spec[key] = rest
                else:
                    del spec[key]
            ext = spec.get("_")
            spec["_"] = {**(ext if isinstance(ext, dict) else {}), **flags}
            new_pat.append(spec)
        out.append(new_pat)
    return out, tuple(found.values())


class TokenRegexes:
    """The rerouted ``REGEX`` predicates of one language's matcher, with a verdict cache."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[str, Any, list[str]]] = {}  # name -> (token attribute, regex, qids)
        self._cache: dict[tuple[str, str], bool] = {}

    def add(self, regexes, qid: str) -> None:
        if not regexes:
            return
        from spacy.tokens import Token

        for name, attr, compiled in regexes:
            if not Token.has_extension(name):
                Token.set_extension(name, default=False)
            held = self.items.get(name)
            if held is None:
                self.items[name] = (REGEX_ATTRS[attr], compiled, [qid])
            elif qid not in held[2]:
                held[2].append(qid)

    def __bool__(self) -> bool:
        return bool(self.items)

    def set_flags(self, doc, cc) -> None:
        """Set each flag on the tokens of ``doc`` the regex matches (within ``cc``'s budget)."""
        if not self.items:
            return
        if len(self._cache) > 200_000:
            self._cache.clear()
        timeout = cc.regex_timeout if cc is not None else None
        for name, (getter, compiled, qids) in self.items.items():
            if cc is not None and not any(rule_allowed(cc, q) for q in qids):
                continue  # every rule using it is out of time-outs for this run
            for t in doc:
                value = getattr(t, getter)
                key = (name, value)
                hit = self._cache.get(key)
                if hit is None:
                    try:
                        hit = compiled.search(value, timeout=timeout) is not None
                    except TimeoutError:
                        if cc is not None:
                            for q in qids:
                                count_timeout(cc, q)
                        hit = False  # a token the regex cannot decide in time does not match
                    self._cache[key] = hit
                if hit:
                    t._.set(name, True)
