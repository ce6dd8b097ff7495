"""Compile a codebook into matchers: :func:`compile_codebook` -> :class:`CompiledCodebook`.

A compiled codebook is mutable on purpose: it builds per-language matchers lazily
(spaCy ``PhraseMatcher``/``Matcher`` need a language's vocabulary), caches token
look-ups and counts regex time-outs, and is reused across documents (one per
process in a parallel run). Nothing in it holds a spaCy ``Doc`` after a segment
has been coded.

The engine's rooms (each with a public interface to the next):

- :mod:`qualcoop.match.rules`: the rule kinds (one class each) and their compiled nodes;
- :mod:`qualcoop.match.tokenindex`: the token-sequence index (glob, lemma, stem, near terms);
- :mod:`qualcoop.match.reference`: the spaCy reference path (``PhraseMatcher``/``Matcher``);
- :mod:`qualcoop.match.fast`: the fast token path (chunk cache, matching in Python);
- :mod:`qualcoop.match.matchers`: per-language matchers, what leaves register into;
- :mod:`qualcoop.match.context`: what rules see while one segment is coded;
- :mod:`qualcoop.match.overlaps`: the registered overlap policies;
- this module: compiling (:class:`Builder`, :class:`LeafKeys`) and coding (:class:`CompiledCodebook`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .. import kinds, limits
from ..errors import RuleError
from ..model import NEGATION_POLICIES, Code, Codebook, Coding, Document, Evidence, Provenance, Rule, Segment
from ..patterns import holds_literal
from ..registry import RegistryError
from . import rules as R
from .context import SegmentContext
from .docview import TokenView  # noqa: F401  (re-exported: tests and benchmarks import it from here)
from .languages import lang_key
from .matchers import LangMatchers
from .overlaps import longest as resolve_overlaps  # noqa: F401  (the default policy under its old name)
from .reference import lemma_table

__all__ = ["Builder", "CompiledCodebook", "LangMatchers", "LeafKeys", "SegmentContext", "SegmentMatch",
           "compile_codebook", "lemma_table", "timeout_messages"]

#: default time budget of one regex rule on one segment, in seconds
DEFAULT_REGEX_TIMEOUT = limits.REGEX_TIMEOUT
#: after this many time-outs a regex rule is not run again by the same compiled codebook (one run)
DEFAULT_MAX_TIMEOUTS = limits.MAX_TIMEOUTS


@dataclass(frozen=True)
class SegmentMatch:
    """One code found in one segment, with its evidence (document offsets)."""

    code_id: str
    evidence: tuple[Evidence, ...]


# --------------------------------------------------------------------------- compiling


class LeafKeys:
    """The numbering of a compiled codebook: rule order (file order, for overlap ties), leaf keys,
    sub-keys (a near rule's groups) and which leaf each key feeds."""

    def __init__(self) -> None:
        self._order = 0
        self._owner: dict[int, int] = {}
        #: every leaf, in compilation order
        self.leaves: list[R.Leaf] = []

    def next_order(self) -> int:
        self._order += 1
        return self._order

    def add_leaf(self, leaf: R.Leaf) -> int:
        self.leaves.append(leaf)
        return self.add_subkey()

    def add_subkey(self, *, owner: int | None = None) -> int:
        """A new matcher key; ``owner`` is the leaf whose hits it feeds (itself by default)."""
        key = len(self._owner)
        self._owner[key] = key if owner is None else owner
        return key

    def owner_of(self, key: int) -> int:
        """The leaf key whose hits matcher key ``key`` feeds."""
        return self._owner[key]


class Builder:
    """Compiles the rules of one code (passed to each rule kind's ``compile``)."""

    def __init__(self, cc: CompiledCodebook, code: Code) -> None:
        self.cc = cc
        self.code = code
        self.regex_timeout = cc.regex_timeout

    def next_order(self) -> int:
        return self.cc.keys.next_order()

    def add_leaf(self, leaf: R.Leaf) -> int:
        return self.cc.keys.add_leaf(leaf)

    def add_subkey(self, *, owner: int | None = None) -> int:
        """A new matcher key; ``owner`` is the leaf whose hits it feeds (itself by default)."""
        return self.cc.keys.add_subkey(owner=owner)

    def compile_rule(self, rule: Rule, *, rule_id: str | None = None, parent_negation: str) -> R.Node:
        rid = rule_id or rule.id
        code_id = self.code.id

        def err(detail: str) -> RuleError:
            return RuleError(code_id, rid, detail)

        if not isinstance(rule, Rule):
            raise err(f"expected a Rule, got {type(rule).__name__}")
        negation = R.check_negation(rule.negation, err) or parent_negation
        if kinds.versioned_name(rule.kind) is None:
            raise err(f"unknown rule kind {rule.kind!r}; known: {', '.join(kinds.kind_names())}")
        try:
            name, kind = kinds.resolve(rule.kind)
        except RegistryError as e:  # registered by a plugin that fails to import
            raise err(f"rule kind {rule.kind!r} could not be loaded: {e}") from e
        try:
            errors = [p.message for p in kinds.kind_problems(rule) if p.severity == "error"]
        except Exception as e:  # a plugin kind's check crashed
            raise err(f"{type(e).__name__} while checking: {e}") from e
        if errors:  # the kind's own check is the only validation of its fields
            raise err("; ".join(errors))
        self.cc.kind_names[f"{code_id}/{rid}"] = name
        try:
            return kind.compile(rule, self, qid=f"{code_id}/{rid}", negation=negation)
        except RuleError:
            raise
        except Exception as e:  # a rule kind must never crash the engine with a raw exception
            raise err(f"{type(e).__name__}: {e}") from e


class CompiledCode:
    __slots__ = ("code", "scope", "rules", "excludes", "leaf_keys", "langs", "always", "regex_leaves", "gates")

    def __init__(self, code: Code, rules: list[R.Node], excludes: list[R.ExcludeRule]) -> None:
        self.code = code
        self.scope = code.scope if code.scope is not None and not code.scope.is_empty() else None
        self.rules = rules
        self.excludes = excludes
        leaves = [leaf for r in rules for leaf in r.leaves()]
        self.leaf_keys = frozenset(leaf.key for leaf in leaves)
        # regex leaves run on every segment: a code holding one is always evaluated
        self.always = any(not leaf.token_based for leaf in leaves)
        self.langs = {leaf.lang for leaf in leaves}
        #: leaves that are not token-based (regex): they run on the raw text of every segment
        self.regex_leaves = tuple(leaf for leaf in leaves if not leaf.token_based)
        #: per rule, the key of a token-based leaf evaluated as :meth:`Leaf.evaluate` does (it finds
        #: nothing unless its key had a token hit: skipped without the call), else None
        self.gates = tuple(r.key if isinstance(r, R.Leaf) and r.token_based and type(r).evaluate is R.Leaf.evaluate
                           else None for r in rules)


class CompiledCodebook:
    """A codebook compiled into matchers; reusable across documents (not thread-safe).

    Parameters
    ----------
    codebook : Codebook
    prefilter : bool
        ``True`` (default): the fast path. Segments are tokenised from a cache of
        white-space separated chunks (spaCy tokenises each chunk on its own, so a chunk's
        tokens never depend on its neighbours) and phrase, lemma, glob and near terms are
        matched over those token strings in Python (see :mod:`qualcoop.match.fast`); a
        segment where a rule that needs a spaCy ``Doc`` (``pattern``) may match, decided
        by an Aho-Corasick scan for the literals every match contains, is coded on a Doc.
        ``False``: the reference path, a spaCy ``Doc`` and spaCy's ``PhraseMatcher``/
        ``Matcher`` for every segment. Both give identical codings.
    regex_timeout : float
        Time budget in seconds of one regex rule on one segment.
    max_timeouts : int
        After this many time-outs a regex rule is not run again (reported in the warning).
    """

    def __init__(self, codebook: Codebook, *, prefilter: bool = True,
                 regex_timeout: float = DEFAULT_REGEX_TIMEOUT,
                 max_timeouts: int = DEFAULT_MAX_TIMEOUTS) -> None:
        self.codebook = codebook
        #: the codebook's overlap policy (a registered function, see :mod:`qualcoop.match.overlaps`)
        self.overlap_policy = _overlap_policy(codebook)
        self.prefilter = prefilter
        self.regex_timeout = regex_timeout
        self.max_timeouts = max_timeouts
        #: time-outs per qualified rule id over the run (a rule at ``max_timeouts`` stays off)
        #: time-outs per qualified rule id over the compiled codebook's life (one run): a rule
        #: that reached ``max_timeouts`` stays off for the rest of the run
        self.timeouts: Counter[str] = Counter()
        self._taken: Counter[str] = Counter()  # what take_timeouts() has reported so far
        #: qualified rule id -> the versioned kind it compiled with (recorded in provenance)
        self.kind_names: dict[str, str] = {}
        self.keys = LeafKeys()
        self._langs: dict[tuple[str, ...], LangMatchers] = {}
        self.codes: list[CompiledCode] = []
        problems: list[RuleError] = []
        for code in codebook.codes:
            try:
                self.codes.append(self._compile_code(code))
            except RuleError as e:
                problems.append(e)
        #: leaf key -> indices of the codes whose (non-exclude) rules hold it
        self._codes_of_leaf: dict[int, tuple[int, ...]] = {}
        for i, c in enumerate(self.codes):
            for k in c.leaf_keys:
                self._codes_of_leaf[k] = (*self._codes_of_leaf.get(k, ()), i)
        self._always: dict[tuple[str, ...], frozenset[int]] = {}  # langs -> codes with a regex leaf there
        if problems:
            first = problems[0]
            more = "".join(f"; also code {p.code_id!r} rule {p.rule_id!r}: {p.detail}" for p in problems[1:])
            raise RuleError(first.code_id, first.rule_id, first.detail + more) from first

    def _compile_code(self, code: Code) -> CompiledCode:
        if code.negation not in NEGATION_POLICIES:
            raise RuleError(code.id, "(code)", f"`negation` must be one of {', '.join(NEGATION_POLICIES)}, "
                                               f"got {code.negation!r}")
        b = Builder(self, code)
        rules: list[R.Node] = []
        excludes: list[R.ExcludeRule] = []
        for rule in code.rules:
            node = b.compile_rule(rule, parent_negation=code.negation)
            # a node with ``veto_kind`` vetoes its code's matches (the exclude kind)
            (excludes if getattr(node, "veto_kind", None) else rules).append(node)
        return CompiledCode(code, rules, excludes)

    # ----------------------------------------------------------------- per language
    def matchers(self, lang: str | Sequence[str]) -> LangMatchers:
        """The matchers for segments in ``lang``: a language, or several (primary first) for
        code-switched documents, where the rules of every listed language are registered."""
        key = lang if isinstance(lang, tuple) and lang in self._langs else lang_key(lang)
        lm = self._langs.get(key)
        if lm is None:
            langs = set(key)
            leaves = [leaf for leaf in self.keys.leaves if leaf.lang is None or leaf.lang in langs]
            lm = self._langs[key] = LangMatchers(key, leaves)
        return lm

    # ----------------------------------------------------------------- coding
    def owner_of(self, key: int) -> int:
        """The leaf key whose hits matcher key ``key`` feeds (see :class:`LeafKeys`)."""
        return self.keys.owner_of(key)

    def code_segment(self, document: Document, segment: Segment, lang: str | Sequence[str], *,
                     text: str | None = None) -> list[SegmentMatch]:
        """The codes that apply to one segment, each with its evidence (document offsets).

        Parameters
        ----------
        document : Document
        segment : Segment
            A view into ``document``.
        lang : str or sequence of str
            The segment's language (selects tokenizer, rules with ``lang`` and negation cues),
            or its languages, primary first, for code-switched text: the primary one tokenises,
            rules with ``lang`` in any of them apply, and the negation cues of all of them count.
        text : str, optional
            ``document.text[segment.start:segment.end]`` if already at hand.
        """
        lm = self.matchers(lang)
        lang = lm.lang
        if text is None:
            text = document.text[segment.start:segment.end]
        active: frozenset[int] | None = None
        fast = False
        if self.prefilter:
            # fast path unless a leaf that needs a spaCy Doc may match here
            if lm.slow_leaves:
                active = lm.prefilter.active(text)
            fast = active is None or active.isdisjoint(lm.slow_leaves)
            if fast:
                active = None
        ctx = SegmentContext(self, lm, document, segment, text, lang, active, fast=fast)
        # run every token matcher once (the reference path tokenises every segment); a code
        # none of whose leaves found anything, and that holds no regex, cannot apply
        found = ctx.found_keys() if lm.token_leaves and (active is None or active) else frozenset()
        ctx.found = found
        always = self._always.get(lm.langs)
        if always is None:
            always = self._always[lm.langs] = self._regex_candidates(lm.langs)
        # a code with a regex leaf is a candidate unless none of the literals its regexes need is here
        candidates: set[int] = set()
        if always:
            folded = ctx.folded
            for i, needles in always:
                if needles is None or holds_literal(folded, needles):
                    candidates.add(i)
        of_leaf = self._codes_of_leaf
        for k in found:
            candidates.update(of_leaf.get(k, ()))
        out: list[SegmentMatch] = []
        codes = self.codes
        for i in sorted(candidates):  # file order
            cc = codes[i]
            if cc.scope is not None and not R.scope_allows(cc.scope, ctx):
                continue
            evidence = self._code_evidence(cc, ctx)
            if evidence:
                base = segment.start
                dtext = document.text
                # sorted as plain tuples (Evidence orders by the same fields, in Python-level __lt__)
                out.append(SegmentMatch(cc.code.id, tuple(Evidence(*t) for t in sorted(
                    (base + s, base + e, dtext[base + s:base + e], qid, neg)
                    for s, e, _, qid, neg in evidence))))
        return out

    def _regex_candidates(self, langs: tuple[str, ...]) -> tuple[tuple[int, frozenset[str] | None], ...]:
        """Codes with a regex (non-token) leaf running in ``langs``, each with the literals one of which
        a segment must hold for any of those leaves to match (``None``: no such literals known)."""
        out = []
        wanted = {None, *langs}
        for i, c in enumerate(self.codes):
            leaves = [leaf for leaf in c.regex_leaves if leaf.lang in wanted]
            if not leaves:
                continue
            sets = [getattr(leaf, "needles", None) for leaf in leaves]
            out.append((i, None if any(x is None for x in sets) else frozenset().union(*sets)))
        return tuple(out)

    def _code_evidence(self, cc: CompiledCode, ctx: SegmentContext) -> list[tuple]:
        ctx.veto = []
        veto: list[tuple[int, int]] = []
        for ex in cc.excludes:
            fired, ms = ex.evaluate(ctx)
            if fired:
                if ex.veto_kind == "segment":
                    return []
                veto.extend((m[0], m[1]) for m in ms)
        ctx.veto = veto
        found: list[tuple] = []
        hit = ctx.found
        for node, gate in zip(cc.rules, cc.gates):
            if gate is not None and hit is not None and gate not in hit:
                continue
            fired, ms = node.evaluate(ctx)
            if fired:
                found.extend(ms)
        ctx.veto = []
        return self.overlap_policy(found) if len(found) > 1 else found

    def code_document(self, document: Document, segments: Iterable[Segment], *, lang: str | Sequence[str],
                      provenance: Provenance) -> list[Coding]:
        """Codings of every segment of one document (one per code and segment).

        ``lang`` is the document's language or its languages, primary first (see :meth:`code_segment`).
        """
        out: list[Coding] = []
        text = document.text
        lang = lang_key(lang)
        for seg in segments:
            for m in self.code_segment(document, seg, lang, text=text[seg.start:seg.end]):
                out.append(Coding(doc_id=document.id, start=seg.start, end=seg.end, code_id=m.code_id,
                                  provenance=provenance, segment_index=seg.index, unit=seg.kind,
                                  speaker=seg.speaker, evidence=m.evidence))
        return out

    def take_timeouts(self) -> dict[str, int]:
        """Time-out counts per qualified rule id since the last call (``timeouts``, which switches a rule
        off at ``max_timeouts``, is not reset: the budget holds for the whole run)."""
        out = {q: n - self._taken.get(q, 0) for q, n in sorted(self.timeouts.items())
               if n > self._taken.get(q, 0)}
        self._taken = Counter(self.timeouts)
        return out


def _overlap_policy(codebook: Codebook):
    from .overlaps import DEFAULT_POLICY, resolve_with

    name = getattr(codebook, "overlaps", None) or DEFAULT_POLICY
    try:
        return resolve_with(name)
    except RegistryError as e:
        raise RuleError("(codebook)", "overlaps", f"unknown overlap policy {name!r}: {e}") from e


def timeout_messages(counts: dict[str, int], *, max_timeouts: int = DEFAULT_MAX_TIMEOUTS,
                     budget: float = DEFAULT_REGEX_TIMEOUT) -> list[str]:
    """One message per regex rule that ran out of time (for warnings and ``CodingSet.warnings``)."""
    out = []
    for qid, n in sorted(counts.items()):
        msg = (f"regex rule {qid!r} ran out of its {budget:g} s budget on {n} segment(s); "
               "it did not match there")
        if n >= max_timeouts:
            msg += f"; after {max_timeouts} time-outs it was not run on the remaining segments"
        elif sum(counts.values()) >= limits.current("MAX_RUN_TIMEOUTS"):
            msg += "; " + limits.limit_message("MAX_RUN_TIMEOUTS", limits.current("MAX_RUN_TIMEOUTS"),
                                               "the run's time-outs reached the limit: it was switched off")
        out.append(msg)
    return out


def compile_codebook(codebook: Codebook, *, prefilter: bool = True,
                     regex_timeout: float = DEFAULT_REGEX_TIMEOUT,
                     max_timeouts: int = DEFAULT_MAX_TIMEOUTS) -> CompiledCodebook:
    """Compile ``codebook``'s rules into matchers.

    Every rule is checked now (kinds, terms, regexes, token patterns, negation and
    veto values); per-language matchers are built when a language is first used.

    Parameters
    ----------
    codebook : Codebook
    prefilter : bool
        See :class:`CompiledCodebook`.
    regex_timeout : float
        Seconds one regex rule may run on one segment.
    max_timeouts : int
        Time-outs after which a regex rule is no longer run.

    Returns
    -------
    CompiledCodebook

    Raises
    ------
    RuleError
        Naming the code and rule of the first bad rule (and listing the others).

    Examples
    --------
    >>> from qualcoop.model import Code, Codebook, Document, Rule, Segment
    >>> cb = Codebook("demo", "1", [Code("training", "Training",
    ...       rules=[Rule("t", "phrase", terms=["capacity building"])])])
    >>> cc = compile_codebook(cb)
    >>> doc = Document("d", "No capacity\\nbuilding took place.")
    >>> [(m.code_id, m.evidence[0].text, m.evidence[0].negated)
    ...  for m in cc.code_segment(doc, Segment("d", 0, len(doc.text), "paragraph", 0), "en")]
    [('training', 'capacity\\nbuilding', True)]
    """
    return CompiledCodebook(codebook, prefilter=prefilter, regex_timeout=regex_timeout,
                            max_timeouts=max_timeouts)
