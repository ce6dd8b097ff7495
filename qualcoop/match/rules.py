"""Rule kinds: compiled forms of :class:`qualcoop.model.Rule`.

Each class here is one rule kind, registered in :data:`qualcoop.registry.rule_kinds` as
``"<kind>.v1"``, implementing the protocol of :mod:`qualcoop.kinds`: ``fields`` (with
defaults), ``check(rule)`` (the only validation of the kind), ``terms(rule)``, ``silent``
and ``compile(rule, builder, *, qid, negation)`` returning a node with
``evaluate(ctx) -> (fired, matches)``. Semantics follow ``docs/codebook.md``.

A *match* is a tuple ``(start, end, order, rule_id, negated)`` with character
offsets relative to the segment; ``order`` is the rule's position in file order
(used to break ties when overlapping matches are resolved).

Token-based leaves (phrase, lemma, glob, near, pattern) register what they need in
per-language matchers (:class:`qualcoop.match.matchers.LangMatchers`) and read their
hits from the segment context; regex leaves run on the raw segment text.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import PatternLimitError, RuleError
from ..kinds import KindProblem
from ..model import NEGATION_POLICIES, Rule, Scope
from ..model.codebook import thaw_json
from ..patterns import Glob, compile_regex, holds_literal, required_literals
from .tokenpatterns import check_token_patterns, pattern_literals

if TYPE_CHECKING:  # pragma: no cover
    from .compile import Builder
    from .context import SegmentContext
    from .matchers import LangMatchers

__all__ = [
    "AllRule", "AnyRule", "ExcludeRule", "GlobRule", "KeywordRule", "LemmaRule", "NearRule",
    "NotRule", "PatternRule", "RegexRule", "StemRule", "check_token_patterns", "glob_regex", "glob_literal",
    "scope_allows",
]

#: placeholders standing for glob wildcards while a glob term is tokenised (rare Latin
#: letters that spaCy's character classes count as alphabetic, so the tokenizer treats
#: them like the letters they stand for: "Atlantic-*" splits at the hyphen like "Atlantic-Ocean")
STAR = "\ua74f"  # LATIN SMALL LETTER OO
QMARK = "\ua733"  # LATIN SMALL LETTER AA

# --------------------------------------------------------------------------- glob helpers


def glob_regex(token_pattern: str, *, case_sensitive: bool) -> Glob:
    """A matcher whose ``fullmatch(text)`` tells whether one glob token matches all of ``text``.

    ``*`` is any run of characters (also none), ``?`` exactly one; every other
    character is literal (regex metacharacters too). Matched without backtracking
    (:class:`qualcoop.patterns.Glob`): time linear in the token, whatever the glob.

    Examples
    --------
    >>> bool(glob_regex("capacit*", case_sensitive=False).fullmatch("capacities"))
    True
    >>> bool(glob_regex("*.aaa", case_sensitive=False).fullmatch("bbbxaaa"))
    False
    """
    return _glob(token_pattern, case_sensitive)


@functools.lru_cache(maxsize=4096)
def _glob(token_pattern: str, case_sensitive: bool) -> Glob:
    return Glob(token_pattern, case_sensitive=case_sensitive)


def glob_literal(token_pattern: str) -> str:
    """The longest wildcard-free piece of a glob token ("" when it is all wildcards)."""
    pieces = re.split(r"[*?]+", token_pattern)
    return max(pieces, key=len) if pieces else ""


def has_wildcard(s: str) -> bool:
    return "*" in s or "?" in s


def split_glob_term(term: str, tokenize) -> list[str]:
    """Token patterns of a glob term: white-space separated pieces, each tokenised like text.

    Wildcards are replaced by placeholder letters while the piece is tokenised, so
    ``"co-operat*"`` becomes ``["co", "-", "operat*"]`` just as "co-operation" is
    tokenised into "co", "-", "operation".
    """
    out: list[str] = []
    for piece in term.split():
        masked = piece.replace("*", STAR).replace("?", QMARK)
        toks = tokenize(masked) or [masked]
        out.extend(t.replace(STAR, "*").replace(QMARK, "?") for t in toks)
    return out


# --------------------------------------------------------------------------- scope


def _fold(s: object) -> str:
    return str(s).casefold()


def scope_allows(scope: Scope | None, ctx: SegmentContext) -> bool:
    """Whether a segment (with its document) lies inside ``scope``; all conditions must hold."""
    if scope is None:
        return True
    seg = ctx.segment
    if scope.speakers:
        if seg.speaker is None or _fold(seg.speaker) not in {_fold(s) for s in scope.speakers}:
            return False
    if scope.exclude_speakers and seg.speaker is not None:
        if _fold(seg.speaker) in {_fold(s) for s in scope.exclude_speakers}:
            return False
    if scope.units and _fold(seg.kind) not in {_fold(u) for u in scope.units}:
        return False
    if scope.sections:
        if seg.section is None:
            return False
        if not any(glob_regex(p, case_sensitive=False).fullmatch(seg.section) for p in scope.sections):
            return False
    for name, allowed in scope.attributes.items():
        value = ctx.document.attributes.get(name)
        if value is None:
            return False
        values = value if isinstance(value, (list, tuple)) else (value,)
        wanted = {_fold(a) for a in allowed}
        if not any(_fold(v) in wanted for v in values):
            return False
    return True


# --------------------------------------------------------------------------- base


class Node:
    """A compiled rule: ``evaluate(ctx) -> (fired, matches)``; the class is the rule kind.

    The protocol (:mod:`qualcoop.kinds`): ``fields``, ``check``, ``terms``, ``silent``, ``compile``.
    """

    token_based = False
    #: the Rule fields this kind reads, with their defaults; others given are warned about
    fields: dict[str, Any] = {}
    #: never produces evidence of its own (``not``, ``exclude``)
    silent = False
    #: each of its ``terms`` alone makes the rule fire (False for ``near``: validation warns
    #: about a term listed in two codes only where it does)
    terms_fire_alone = True
    #: sample rules (``Rule`` fields; sub-rules as dicts) for docs and the fast/reference equivalence tests
    examples: tuple[dict[str, Any], ...] = ()

    @classmethod
    def check(cls, rule: Rule) -> list[KindProblem]:
        """Every problem of ``rule``'s kind-specific fields (the only validation of the kind)."""
        return []

    @classmethod
    def terms(cls, rule: Rule) -> tuple[str, ...]:
        """The words ``rule`` contributes (coverage, shared terms, seeded topics, suggestions)."""
        return ()

    def __init__(self, rule: Rule, builder: Builder, *, qid: str, negation: str) -> None:
        self.rule = rule
        self.qid = qid
        self.code_id = builder.code.id
        self.lang = rule.lang
        self.scope = rule.scope if rule.scope is not None and not rule.scope.is_empty() else None
        self.negation = negation
        self.order = builder.next_order()

    @classmethod
    def compile(cls, rule: Rule, builder: Builder, *, qid: str, negation: str) -> Node:
        """The compiled node of ``rule`` (the registered entry point of every rule kind)."""
        return cls(rule, builder, qid=qid, negation=negation)

    def applies(self, ctx: SegmentContext) -> bool:
        if self.lang is not None and self.lang not in ctx.langs:
            return False
        return self.scope is None or scope_allows(self.scope, ctx)

    def leaves(self) -> list[Leaf]:
        return []

    def error(self, detail: str) -> RuleError:
        return RuleError(self.code_id, self.qid.partition("/")[2] or self.qid, detail)

    def evaluate(self, ctx: SegmentContext) -> tuple[bool, list[tuple]]:  # pragma: no cover
        raise NotImplementedError


class Leaf(Node):
    """A rule that finds spans itself. ``key`` indexes it in the compiled codebook.

    ``fast_path``: a token-based leaf whose hits the fast token path computes (phrase and
    token-sequence hits from cached chunk tokens). Other token-based leaves need a spaCy
    ``Doc``: segments where the prefilter finds them possible are coded on one.
    """

    fast_path = False

    def __init__(self, rule: Rule, builder: Builder, *, qid: str, negation: str) -> None:
        super().__init__(rule, builder, qid=qid, negation=negation)
        self.key = builder.add_leaf(self)

    def leaves(self) -> list[Leaf]:
        return [self]

    # per language: register patterns and return literal groups for the prefilter.
    # A group is a set of lower-cased strings one of which every match must contain, or
    # None (cannot tell); a leaf can fire only when every group has a literal in the text.
    def register(self, lm: LangMatchers) -> list[set[str] | None]:  # pragma: no cover
        raise NotImplementedError

    def find(self, ctx: SegmentContext) -> list[tuple[int, int, int | None]]:  # pragma: no cover
        """Raw spans ``(start, end, start_token)`` relative to the segment."""
        raise NotImplementedError

    def evaluate(self, ctx: SegmentContext) -> tuple[bool, list[tuple]]:
        found = ctx.found
        if found is not None and self.token_based and self.key not in found:
            return False, []  # no token matcher found anything for this leaf
        if not self.applies(ctx):
            return False, []
        raw = self.find(ctx)
        if not raw:
            return False, []
        out = []
        veto = ctx.veto
        policy = self.negation
        for cs, ce, ts in raw:
            if veto and any(cs < ve and vs < ce for vs, ve in veto):
                continue
            neg = False
            if policy != "off":
                neg = ctx.is_negated(cs, ts)
                if neg and policy == "skip":
                    continue
            out.append((cs, ce, self.order, self.qid, neg))
        return bool(out), out


# --------------------------------------------------------------------------- leaves


def _terms(rule: Rule, node: Node | None = None) -> tuple[str, ...]:
    """The stripped terms of a rule its kind's ``check`` accepted."""
    return tuple(t.strip() for t in rule.terms)


def check_terms(terms: Sequence[Any], what: str = "terms") -> list[KindProblem]:
    """Entries of a term list that are not text or are empty."""
    out = []
    for t in terms:
        if not isinstance(t, str):
            out.append(KindProblem(f"{what} entry {t!r} is not text", what))
        elif not t.strip():
            out.append(KindProblem(f"empty or whitespace-only entry {t!r} in `{what}`", what))
    return out


def _check_term_rule(rule: Rule, *, literal: bool) -> list[KindProblem]:
    out = []
    if not rule.terms:
        out.append(KindProblem(f"rule kind {rule.kind!r} needs a non-empty `terms` list", "terms"))
    out.extend(check_terms(rule.terms))
    wild = [t for t in rule.terms if isinstance(t, str) and "*" in t]
    if literal and wild:
        out.append(KindProblem(f"terms {', '.join(map(repr, wild))} contain '*', which kind {rule.kind!r} "
                               "matches literally (use kind 'glob' for wildcards)", "terms", "warning"))
    return out


class _Terms:
    """Kinds whose ``terms`` are their words."""

    fields: dict[str, Any] = {"terms": ()}
    literal = True  # '*' in a term is matched as itself (warned about)

    @classmethod
    def check(cls, rule: Rule) -> list[KindProblem]:
        return _check_term_rule(rule, literal=cls.literal)

    @classmethod
    def terms(cls, rule: Rule) -> tuple[str, ...]:
        return tuple(t for t in rule.terms if isinstance(t, str))


class KeywordRule(_Terms, Leaf):
    """``keyword``/``phrase``: each term as a token sequence (PhraseMatcher on LOWER or ORTH)."""

    examples = ({"terms": ["capacity building", "co-operation", "kerja sama", "workers' organisations"]},
                {"terms": ["ILO", "State"], "case_sensitive": True})

    token_based = True
    fast_path = True

    def __init__(self, rule: Rule, builder: Builder, *, qid: str, negation: str,
                 terms: Sequence[str] | None = None) -> None:
        super().__init__(rule, builder, qid=qid, negation=negation)
        self.terms = tuple(terms) if terms is not None else _terms(rule, self)
        self.case_sensitive = rule.case_sensitive

    def register(self, lm: LangMatchers) -> list[set[str] | None]:
        literals: set[str] = set()
        for term in self.terms:
            words = lm.add_phrase(self.key, term, case_sensitive=self.case_sensitive)
            if not words:
                raise self.error(f"term {term!r} has no tokens")
            literals.add(max(words, key=len).lower())
        return [literals]

    def find(self, ctx: SegmentContext) -> list[tuple[int, int, int | None]]:
        return ctx.token_hits("phrase", self.key)


class _TermLeaf(_Terms, Leaf):
    """A token-based leaf over a list of ``terms``, matched on the fast token path."""

    token_based = True
    fast_path = True

    def __init__(self, rule: Rule, builder: Builder, *, qid: str, negation: str) -> None:
        super().__init__(rule, builder, qid=qid, negation=negation)
        self.terms = _terms(rule, self)
        self.case_sensitive = rule.case_sensitive


class LemmaRule(_TermLeaf):
    """``lemma``: tokens whose lookup lemma (of the lower-cased token) equals a term token's."""

    examples = ({"terms": ["agreement", "train", "sign agreement"], "lang": "en"},)

    def register(self, lm: LangMatchers) -> list[set[str] | None]:
        literals: set[str] = set()
        for term in self.terms:
            lemmas = [lm.lemma(w.lower()) for w in lm.tokenize(term)]
            if not lemmas:
                raise self.error(f"term {term!r} has no tokens")
            lm.add_sequence(self.key, [("lemma", lem) for lem in lemmas])
            # any one token's surface forms will do: take the lemma with the fewest
            literals |= min((lm.surface_forms(lem) for lem in lemmas), key=len)
        return [literals]

    def find(self, ctx: SegmentContext) -> list[tuple[int, int, int | None]]:
        return ctx.token_hits("seq", self.key)


class StemRule(_TermLeaf):
    """``stem``: tokens whose normal form equals a term token's, affixes and inflection aside.

    The normal form is the language profile's :meth:`~qualcoop.lang.profile.LanguageProfile.norm`
    of the lower-cased token: the root in Indonesian (``latih`` finds "pelatihan", "dilatih",
    "melatih", "pelatih-pelatih"), the lookup lemma in English (``agreement`` finds
    "agreements"). A rule with ``lang`` compares in that language; a rule without ``lang``
    compares in every language the segment is coded in (a token matches when its normal form
    in one of them equals the term's normal form in the same language). Multi-word terms match
    sequences of normal forms. The prefilter's literals come from ``profile.norm_literals``;
    a term none of whose tokens has one makes the rule run on every segment.
    """

    examples = ({"terms": ["latih", "kerja sama", "dana"], "lang": "id"}, {"terms": ["policy", "biaya"]})

    def register(self, lm: LangMatchers) -> list[set[str] | None]:
        literals: set[str] | None = set()
        seen: set[tuple] = set()
        for term in self.terms:
            words = lm.tokenize(term)
            if not words:
                raise self.error(f"term {term!r} has no tokens")
            for lang in (self.lang,) if self.lang is not None else lm.langs:
                norms = [lm.norm(lang, w) for w in words]
                specs = tuple(("norm", lang, n) for n in norms)
                if specs in seen:
                    continue
                seen.add(specs)
                lm.add_sequence(self.key, specs)
                # every match holds every token: the token with the most selective literals will do
                best: frozenset[str] | None = None
                for n in norms:
                    lits = lm.norm_literals(lang, n)
                    if lits and all(lits) and (best is None or len(min(lits, key=len)) > len(min(best, key=len))):
                        best = lits
                if best is None:
                    literals = None
                elif literals is not None:
                    literals |= best
        return [literals]

    def find(self, ctx: SegmentContext) -> list[tuple[int, int, int | None]]:
        # a token can match in two languages at once: one span each
        spans = sorted(set(ctx.token_spans("seq", self.key)))
        if not spans:
            return []
        cs = ctx.char_span
        return [cs(s, e) for s, e in spans]


def _glob_token_specs(term: str, lm: LangMatchers, case_sensitive: bool) -> tuple[list[tuple], str]:
    specs: list[tuple] = []
    best = ""
    for tok in split_glob_term(term, lm.tokenize):
        if has_wildcard(tok):
            specs.append(("glob", tok, case_sensitive))
            lit = glob_literal(tok)
        else:
            specs.append(("lit", tok if case_sensitive else tok.lower(), case_sensitive))
            lit = tok
        if len(lit) > len(best):
            best = lit
    return specs, best.lower()


class GlobRule(_TermLeaf):
    """``glob``: per-token ``*``/``?`` patterns, multi-word terms as token sequences."""

    literal = False
    examples = ({"terms": ["develop*", "co-operat*", "?LO", "capacit* build*"]},
                {"terms": ["Govern*"], "case_sensitive": True})

    def register(self, lm: LangMatchers) -> list[set[str] | None]:
        literals: set[str] | None = set()
        for term in self.terms:
            specs, lit = _glob_token_specs(term, lm, self.case_sensitive)
            if not specs:
                raise self.error(f"term {term!r} has no tokens")
            lm.add_sequence(self.key, specs)
            if not lit:
                literals = None
            elif literals is not None:
                literals.add(lit)
        return [literals]

    def find(self, ctx: SegmentContext) -> list[tuple[int, int, int | None]]:
        return ctx.token_hits("seq", self.key)


class RegexRule(Leaf):
    """``regex``: a pattern over the raw segment text (``regex`` module, time budget per segment)."""

    fields = {"pattern": None}
    examples = ({"pattern": r"\b(19|20)\d\d\b"},)

    @classmethod
    def check(cls, rule: Rule) -> list[KindProblem]:
        if not isinstance(rule.pattern, str) or not rule.pattern:
            return [KindProblem("rule kind 'regex' needs `pattern`, a non-empty string", "pattern")]
        try:
            cls._compile(rule)
        except PatternLimitError as e:  # too expensive to compile: refused before it eats memory
            return [KindProblem(e.message, "pattern")]
        except Exception as e:  # regex.error, ValueError, TypeError
            return [KindProblem(f"bad regular expression {rule.pattern!r}: {e}", "pattern")]
        return []

    @staticmethod
    def _compile(rule: Rule):
        import regex

        flags = regex.V0 if rule.case_sensitive else regex.V0 | regex.IGNORECASE
        return compile_regex(rule.pattern, flags)

    def __init__(self, rule: Rule, builder: Builder, *, qid: str, negation: str) -> None:
        super().__init__(rule, builder, qid=qid, negation=negation)
        self.compiled = self._compile(rule)
        self.timeout = builder.regex_timeout
        flags = self.compiled.flags
        #: words every match contains (folded): segments without any are not searched
        self.needles = required_literals(rule.pattern, flags)

    def register(self, lm: LangMatchers) -> list[set[str] | None]:
        return []  # not token-based: always runs on the raw text

    def find(self, ctx: SegmentContext) -> list[tuple[int, int, int | None]]:
        if not ctx.regex_allowed(self.qid):
            return []
        if self.needles is not None and not holds_literal(ctx.folded, self.needles):
            return []
        try:
            return [(m.start(), m.end(), None)
                    for m in self.compiled.finditer(ctx.text, timeout=self.timeout) if m.end() > m.start()]
        except TimeoutError:
            ctx.regex_timed_out(self.qid)
            return []


class PatternRule(Leaf):
    """``pattern``: a spaCy ``Matcher`` token pattern, or a list of them."""

    token_based = True
    fields = {"pattern": None}
    examples = ({"pattern": [{"LOWER": "labour"}, {"IS_ALPHA": True}]},)

    @classmethod
    def check(cls, rule: Rule) -> list[KindProblem]:
        return [KindProblem(m, "pattern") for m in check_token_patterns(rule.pattern)]

    def __init__(self, rule: Rule, builder: Builder, *, qid: str, negation: str) -> None:
        super().__init__(rule, builder, qid=qid, negation=negation)
        raw = thaw_json(rule.pattern)
        if isinstance(raw, list) and raw and all(isinstance(t, dict) for t in raw):
            raw = [raw]
        from .budget import reroute_regex

        try:  # REGEX token attributes run within the regex budget (check() reported what is wrong)
            raw, self.regexes = reroute_regex(raw)
        except PatternLimitError as e:
            raise self.error(e.message) from e
        except ValueError as e:
            raise self.error(f"invalid token pattern: {e}") from e
        self.patterns = raw
        self.needs_lemma = any(k.upper() == "LEMMA" for p in raw for spec in p for k in spec) or any(
            attr == "LEMMA" for _, attr, _ in self.regexes)

    def register(self, lm: LangMatchers) -> list[set[str] | None]:
        lm.add_token_pattern(self.key, self.patterns, needs_lemma=self.needs_lemma, regexes=self.regexes,
                             qid=self.qid)
        literals: set[str] | None = set()
        for p in self.patterns:
            lits = pattern_literals(p)
            if lits is None:
                return [None]
            literals |= lits
        return [literals]

    def find(self, ctx: SegmentContext) -> list[tuple[int, int, int | None]]:
        return ctx.token_hits("pattern", self.key)


#: a sentence ends between two near terms: ``.``/``!``/``?`` after a word of 4+ letters (not "Mr.",
#: "No.", "tgl.") and before white space, or a blank line
_SENTENCE_END = re.compile(r"(?:\w{4,}|[)\]\"'\u201d])[.!?\u2026]+[\"'\u201d)\]]*\s|\n[^\S\n]*\n")


class NearRule(Leaf):
    """``near``: one term (glob syntax) from each group within ``window`` tokens of each other.

    "Within ``window`` tokens" means fewer than ``window`` tokens stand between two
    participating spans (``window=1``: adjacent), in the same sentence unless the rule says
    ``cross_sentences: true`` (a full stop, question or exclamation mark after a word, or a blank
    line, between two spans ends the combination). With ``ordered`` the spans follow
    the group order. Spans from different groups never overlap. Evidence is every
    span that takes part in at least one such combination.
    """

    token_based = True
    fast_path = True
    max_combinations = 10_000
    fields = {"groups": (), "window": 10, "ordered": False, "cross_sentences": False}
    examples = ({"groups": [["training", "pelatihan"], ["expert*", "hibah"]], "window": 4},
                {"groups": [["labour"], ["inspection"]], "window": 2, "ordered": True})

    @classmethod
    def check(cls, rule: Rule) -> list[KindProblem]:
        out = []
        if len(rule.groups) < 2:
            out.append(KindProblem(f"rule kind 'near' needs `groups` with at least two term lists (has "
                                   f"{len(rule.groups)})", "groups"))
        for n, group in enumerate(rule.groups, 1):
            if not group:
                out.append(KindProblem(f"group {n} of `groups` is empty", "groups"))
            out.extend(check_terms(group, "groups"))
        w = rule.window
        if w is not None and (isinstance(w, bool) or not isinstance(w, int) or w <= 0):
            out.append(KindProblem(f"`window` must be a positive integer (got {w!r})", "window"))
        return out

    #: a term alone does not make the rule fire (a term in two codes' near rules is no conflict)
    terms_fire_alone = False

    @classmethod
    def terms(cls, rule: Rule) -> tuple[str, ...]:
        return tuple(t for g in rule.groups for t in g if isinstance(t, str))

    def __init__(self, rule: Rule, builder: Builder, *, qid: str, negation: str) -> None:
        super().__init__(rule, builder, qid=qid, negation=negation)
        self.groups = tuple(tuple(t.strip() for t in g) for g in rule.groups)
        self.window = self.fields["window"] if rule.window is None else rule.window
        self.ordered = rule.ordered
        self.case_sensitive = rule.case_sensitive
        self.subkeys = [builder.add_subkey(owner=self.key) for _ in self.groups]

    def register(self, lm: LangMatchers) -> list[set[str] | None]:
        out: list[set[str] | None] = []
        for sub, group in zip(self.subkeys, self.groups, strict=True):
            literals: set[str] | None = set()
            for term in group:
                specs, lit = _glob_token_specs(term, lm, self.case_sensitive)
                if not specs:
                    raise self.error(f"term {term!r} has no tokens")
                lm.add_sequence(sub, specs)
                if not lit:
                    literals = None
                elif literals is not None:
                    literals.add(lit)
            out.append(literals)
        return out

    def find(self, ctx: SegmentContext) -> list[tuple[int, int, int | None]]:
        per_group = [ctx.token_spans("seq", sub, gate=self.key) for sub in self.subkeys]
        if any(not g for g in per_group):
            return []
        keep: set[tuple[int, int]] = set()
        budget = [self.max_combinations]
        window, ordered = self.window, self.ordered
        one_sentence = not self.rule.cross_sentences

        def ok(a: tuple[int, int], b: tuple[int, int]) -> bool:
            if a[0] < b[1] and b[0] < a[1]:
                return False  # overlap
            gap = b[0] - a[1] if a[1] <= b[0] else a[0] - b[1]
            if gap >= window:
                return False
            if one_sentence:
                first, second = (a, b) if a[1] <= b[0] else (b, a)
                between = ctx.text[ctx.char_span(*first)[0]:ctx.char_span(*second)[0]]
                return _SENTENCE_END.search(between) is None
            return True

        # candidates near the first chosen span only (spans sorted by start: a bisect, not a scan of
        # the whole segment, so a long unbroken segment stays linear); the skipped spans fail `ok`
        starts = [[sp[0] for sp in g] for g in per_group]
        longest = [max((sp[1] - sp[0] for sp in g), default=0) for g in per_group]
        is_sorted = [all(a <= b for a, b in zip(st, st[1:])) for st in starts]

        def candidates(i: int, chosen: list[tuple[int, int]]) -> list[tuple[int, int]]:
            group = per_group[i]
            if not chosen or not is_sorted[i]:
                return group
            a = chosen[0]
            lo = bisect.bisect_left(starts[i], a[0] - window - longest[i])
            hi = bisect.bisect_right(starts[i], a[1] + window)
            return group[lo:hi]

        def walk(i: int, chosen: list[tuple[int, int]]) -> bool:
            if budget[0] <= 0:
                return False
            if i == len(per_group):
                budget[0] -= 1
                keep.update(chosen)
                return True
            found = False
            for span in candidates(i, chosen):
                if ordered and chosen and span[0] < chosen[-1][1]:
                    continue
                if all(ok(c, span) for c in chosen):
                    chosen.append(span)
                    found = walk(i + 1, chosen) or found
                    chosen.pop()
            return found

        walk(0, [])
        return [ctx.char_span(ts, te) for ts, te in sorted(keep)]


# --------------------------------------------------------------------------- combinators


def _subrules(rule: Rule, node: Node, builder: Builder) -> list[Node]:
    out = []
    for n, sub in enumerate(rule.rules, start=1):
        sub_id = sub.id or f"{rule.id}.{n}"
        out.append(builder.compile_rule(sub, rule_id=sub_id, parent_negation=node.negation))
    return out


class AllRule(Node):
    """``all``: every sub-rule matches somewhere in the segment; evidence is the union."""

    fields = {"rules": ()}
    examples = ({"rules": [{"kind": "phrase", "terms": ["experts"]}, {"kind": "glob", "terms": ["train*"]}]},)

    @classmethod
    def check(cls, rule: Rule) -> list[KindProblem]:
        if not rule.rules:
            return [KindProblem(f"rule kind {rule.kind!r} needs a non-empty `rules` list")]
        return []

    def __init__(self, rule: Rule, builder: Builder, *, qid: str, negation: str) -> None:
        super().__init__(rule, builder, qid=qid, negation=negation)
        self.children = _subrules(rule, self, builder)

    def leaves(self) -> list[Leaf]:
        return [leaf for c in self.children for leaf in c.leaves()]

    def evaluate(self, ctx: SegmentContext) -> tuple[bool, list[tuple]]:
        if not self.applies(ctx):
            return False, []
        out: list[tuple] = []
        for c in self.children:
            fired, ms = c.evaluate(ctx)
            if not fired:
                return False, []
            out.extend(ms)
        return True, out


class AnyRule(AllRule):
    """``any``: at least one sub-rule matches; evidence is every firing sub-rule's spans."""

    examples = ({"rules": [{"kind": "phrase", "terms": ["funding"]}, {"kind": "lemma", "terms": ["worker"]}]},)

    def evaluate(self, ctx: SegmentContext) -> tuple[bool, list[tuple]]:
        if not self.applies(ctx):
            return False, []
        fired_any = False
        out: list[tuple] = []
        for c in self.children:
            fired, ms = c.evaluate(ctx)
            if fired:
                fired_any = True
                out.extend(ms)
        return fired_any, out


class NotRule(AllRule):
    """``not``: fires (with no evidence) when its one sub-rule does not match."""

    silent = True
    examples = ({"rules": [{"kind": "phrase", "terms": ["employers"]}]},)

    @classmethod
    def check(cls, rule: Rule) -> list[KindProblem]:
        if len(rule.rules) != 1:
            return [KindProblem(f"rule kind 'not' needs exactly one sub-rule in `rules` (has "
                                f"{len(rule.rules)})", "rules")]
        return []

    def evaluate(self, ctx: SegmentContext) -> tuple[bool, list[tuple]]:
        if not self.applies(ctx):
            return False, []
        fired, _ = self.children[0].evaluate(ctx)
        return (not fired), []


class ExcludeRule(AllRule):
    """``exclude``: vetoes the code's overlapping matches (``veto: span``) or the segment.

    Its terms use phrase semantics; its sub-rules count when any of them matches.
    Negation is not looked for in exclude matches.
    """

    silent = True
    fields = {"terms": (), "rules": (), "veto": "span"}
    vetoes = ("span", "segment")
    examples = ({"terms": ["international cooperation"]}, {"terms": ["forced labour"], "veto": "segment"})

    @classmethod
    def check(cls, rule: Rule) -> list[KindProblem]:
        from ..codebook.validate import suggest

        out = []
        if not rule.terms and not rule.rules:
            out.append(KindProblem("rule kind 'exclude' needs `terms` or `rules`"))
        out.extend(check_terms(rule.terms))
        if rule.veto not in cls.vetoes:
            out.append(KindProblem(f"invalid veto {rule.veto!r} (valid: span, segment)"
                                   f"{suggest(str(rule.veto), cls.vetoes)}", "veto"))
        return out

    @classmethod
    def terms(cls, rule: Rule) -> tuple[str, ...]:
        return tuple(t for t in rule.terms if isinstance(t, str))

    def __init__(self, rule: Rule, builder: Builder, *, qid: str, negation: str) -> None:
        Node.__init__(self, rule, builder, qid=qid, negation="off")
        self.veto_kind = rule.veto
        self.children: list[Node] = []
        if rule.terms:
            self.children.append(KeywordRule(rule, builder, qid=qid, negation="off",
                                             terms=_terms(rule)))
        for n, sub in enumerate(rule.rules, start=1):
            sub_id = sub.id or f"{rule.id}.{n}"
            self.children.append(builder.compile_rule(sub, rule_id=sub_id, parent_negation="off"))

    def evaluate(self, ctx: SegmentContext) -> tuple[bool, list[tuple]]:
        return AnyRule.evaluate(self, ctx)


def check_negation(value: Any, node_error) -> str | None:
    if value is None:
        return None
    if value not in NEGATION_POLICIES:
        raise node_error(f"`negation` must be one of {', '.join(NEGATION_POLICIES)}, got {value!r}")
    return value
