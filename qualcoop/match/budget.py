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

__all__ = ["reroute_regex", "TokenRegexes", "REGEX_ATTRS", "rule_allowed", "count_timeout", "SharedTimeouts",
           "share_timeouts"]


def rule_allowed(cc, qid: str) -> bool:
    """Whether the regex of rule ``qid`` may still run in this run (``cc``: the compiled codebook).

    A rule is off after ``cc.max_timeouts`` time-outs; once the run's time-outs over every rule
    reach :data:`qualcoop.limits.MAX_RUN_TIMEOUTS`, every rule that has timed out at all is off
    (50 bad rules cannot each spend their own budget). With :func:`share_timeouts` the counts are
    those of every process forked from the driver (``--workers N``), not of this worker alone.
    """
    shared = getattr(cc, "shared_timeouts", None)
    if shared is not None and qid in shared:
        n, total = shared.get(qid), shared.total()
    else:
        n, total = cc.timeouts.get(qid, 0), sum(cc.timeouts.values())
    if n >= cc.max_timeouts:
        return False
    return not n or total < limits.current("MAX_RUN_TIMEOUTS")


def count_timeout(cc, qid: str) -> None:
    cc.timeouts[qid] += 1
    shared = getattr(cc, "shared_timeouts", None)
    if shared is not None and qid in shared:
        shared.add(qid)


class SharedTimeouts:
    """Regex time-out counts per rule of one run, in shared memory: the driver makes it before it
    forks the worker pool, so every worker reads and adds to the same counts and a rule is off
    after ``max_timeouts`` time-outs in the run, not in each worker.

    Reads take no lock (a stale read lets at most one more time-out per other worker through);
    additions do. Pickled (e.g. to a Dask worker) it becomes a private copy of the counts.
    """

    def __init__(self, qids, *, start: dict[str, int] | None = None, ctx=None) -> None:
        import multiprocessing

        self._slot = {q: i for i, q in enumerate(sorted(set(qids)))}
        ctx = ctx or multiprocessing.get_context("fork")
        self._counts = ctx.RawArray("q", len(self._slot) + 1)  # the last slot: the run's total
        self._lock = ctx.Lock()
        for q, n in (start or {}).items():
            if q in self._slot:
                self._counts[self._slot[q]] += n
                self._counts[-1] += n

    def __contains__(self, qid: str) -> bool:
        return qid in self._slot

    def get(self, qid: str) -> int:
        return self._counts[self._slot[qid]]

    def total(self) -> int:
        return self._counts[-1]

    def add(self, qid: str) -> None:
        with self._lock:
            self._counts[self._slot[qid]] += 1
            self._counts[-1] += 1

    def __reduce__(self):
        return (_private_copy, ({q: self.get(q) for q in self._slot},))


def _private_copy(counts: dict[str, int]) -> SharedTimeouts:
    import multiprocessing

    return SharedTimeouts(counts, start=counts, ctx=multiprocessing.get_context("spawn"))


def share_timeouts(cc) -> None:
    """Give compiled codebook ``cc`` time-out counts shared with the processes it is forked into
    (call in the driver before the pool forks; counts so far carry over). No-op without ``fork``."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - spawn platforms
        return
    cc.shared_timeouts = SharedTimeouts(cc.kind_names, start=dict(cc.timeouts))


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
