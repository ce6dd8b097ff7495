"""Compile a codebook into matchers: :func:`compile_codebook` -> :class:`CompiledCodebook`.

A compiled codebook is mutable on purpose: it builds per-language matchers lazily
(spaCy ``PhraseMatcher``/``Matcher`` need a language's vocabulary), caches token
look-ups and counts regex time-outs, and is reused across documents (one per
process in a parallel run). Nothing in it holds a spaCy ``Doc`` after a segment
has been coded.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ..errors import LanguageError, RuleError
from ..lang.negation import DEFAULT_WINDOW as NEG_WINDOW
from ..model import NEGATION_POLICIES, Code, Codebook, Coding, Document, Evidence, Provenance, Rule, Segment
from .. import kinds
from ..registry import RegistryError
from . import rules as R
from .docview import TokenView, _Lowers
from .fast import FastView, InfoCache, TokenInfo, chunk_cache
from .languages import lang_key, negated_in, negation_triggers, profile_of
from .prefilter import Prefilter

__all__ = ["CompiledCodebook", "SegmentMatch", "compile_codebook", "timeout_messages"]

#: default time budget of one regex rule on one segment, in seconds
DEFAULT_REGEX_TIMEOUT = 0.25
#: after this many time-outs a regex rule is not run again by the same compiled codebook
DEFAULT_MAX_TIMEOUTS = 20

_SPACE_RUN = re.compile(r"\s+")


@dataclass(frozen=True)
class SegmentMatch:
    """One code found in one segment, with its evidence (document offsets)."""

    code_id: str
    evidence: tuple[Evidence, ...]


# --------------------------------------------------------------------------- language resources


def _nlp(lang: str):
    """The (cached) blank pipeline whose tokenizer defines tokens for ``lang``."""
    try:
        from ..lang.pipelines import get_nlp
    except ImportError:  # pragma: no cover - until the pipelines module lands
        return _blank(lang)
    return get_nlp(lang)


@functools.lru_cache(maxsize=None)
def _blank(lang: str):  # pragma: no cover - fallback only
    import spacy

    try:
        return spacy.blank(lang)
    except Exception as e:
        raise LanguageError(f"no spaCy tokenizer for language {lang!r}: {e}") from e


@functools.lru_cache(maxsize=None)
def lemma_table(lang: str) -> dict[str, str]:
    """spaCy's lookup lemma table for ``lang`` (surface form -> lemma), empty if there is none.

    Read from ``spacy-lookups-data`` directly so the engine can also list every surface
    form of a lemma (for the prefilter); the entries are those spaCy's lookup
    lemmatizer uses.
    """
    try:
        base = resources.files("spacy_lookups_data") / "data" / f"{lang}_lemma_lookup.json.gz"
        with base.open("rb") as fh:
            data = json.loads(gzip.decompress(fh.read()).decode("utf-8"))
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


# --------------------------------------------------------------------------- per-language matchers


class LangMatchers:
    """Every matcher of a compiled codebook for one language, or for one primary language
    plus the other languages of code-switched documents (built on first use).

    ``langs[0]`` tokenises; rules whose ``lang`` is any of ``langs`` (or unset) are registered.
    """

    def __init__(self, langs: str | Sequence[str], leaves: Sequence[R.Leaf]) -> None:
        from spacy.attrs import LOWER, ORTH

        self.langs = lang_key(langs)
        self.lang = lang = self.langs[0]
        self.nlp = _nlp(lang)
        self.vocab = self.nlp.vocab
        self.tokenizer = self.nlp.tokenizer
        self._LOWER, self._ORTH = LOWER, ORTH
        self._table = lemma_table(lang)
        self._surface: dict[str, set[str]] | None = None
        self.phrase: dict[bool, Any] = {}  # case_sensitive -> PhraseMatcher
        self._phrase_keys: dict[int, int] = {}  # matcher key hash -> leaf key
        self.matcher = None
        self._pattern_keys: dict[int, int] = {}
        self.matcher_needs_lemma = False
        # token-sequence index (glob, lemma, near groups)
        self._tpid: dict[tuple, int] = {}
        self._lit: dict[bool, dict[str, int]] = {False: {}, True: {}}
        self._lemma_pid: dict[str, int] = {}
        #: stem rules: language -> normal form -> pid, and each language's normal-form function
        self._norm_pid: dict[str, dict[str, int]] = {}
        self._norm_fns: dict[str, Any] = {}
        self._globs: dict[bool, list[tuple[int, str, re.Pattern[str]]]] = {False: [], True: []}
        self._seqs: list[tuple[int, tuple[int, ...]]] = []
        self._first: dict[int, list[int]] = {}
        self._cache: dict[bool, dict[int, frozenset[int]]] = {False: {}, True: {}}
        self.needs_orth = False
        # fast path: phrase sequences by their first token (LOWER / ORTH)
        self._fast_phrases: dict[bool, dict[str, set[tuple[int, tuple[str, ...], int]]]] = {False: {}, True: {}}
        self._chunks: InfoCache | None = None
        groups: dict[int, list[set[str] | None]] = {}
        self.token_leaves: set[int] = set()
        #: token-based leaves the fast path cannot evaluate (spaCy token patterns): a segment
        #: where the prefilter finds one of them possible is coded on a spaCy Doc
        self.slow_leaves: frozenset[int] = frozenset()
        slow: set[int] = set()
        for leaf in leaves:
            g = leaf.register(self)
            if leaf.token_based:
                self.token_leaves.add(leaf.key)
                groups[leaf.key] = g
                if not leaf.fast_path:
                    slow.add(leaf.key)
        self.slow_leaves = frozenset(slow)
        #: per language of stem rules: an automaton of the literals one of which every token with a
        #: wanted normal form contains (``norm_literals``), so most tokens are never normalised;
        #: None: some normal form has no literal, every token is normalised
        self._norm_gates: dict[str, Any] = {lang: self._norm_gate(lang) for lang in self._norm_pid}
        self.prefilter = Prefilter(groups)

    # ----------------------------------------------------------------- building
    def tokenize(self, text: str) -> list[str]:
        return [t.text for t in self.tokenizer(_SPACE_RUN.sub(" ", text).strip()) if not t.is_space]

    def lemma(self, lower: str) -> str:
        return self._table.get(lower, lower)

    def norm(self, lang: str, token: str) -> str:
        """The normal form of ``token`` in ``lang``'s profile (root in Indonesian, lookup lemma in English)."""
        fn = self._norm_fns.get(lang)
        if fn is None:
            fn = self._norm_fns[lang] = profile_of(lang).norm
        return fn(token)

    def norm_literals(self, lang: str, norm: str) -> frozenset[str] | None:
        """Strings one of which every token with normal form ``norm`` in ``lang`` contains (or None)."""
        return profile_of(lang).norm_literals(norm)

    def _norm_gate(self, lang: str) -> Any:
        import ahocorasick

        literals: set[str] = set()
        for norm in self._norm_pid[lang]:
            lits = self.norm_literals(lang, norm)
            if not lits or not all(lits):
                return None
            literals |= lits
        auto = ahocorasick.Automaton()
        for lit in sorted(literals):
            auto.add_word(lit, lit)
        auto.make_automaton()
        return auto

    def surface_forms(self, lemma: str) -> set[str]:
        """Every lower-case form whose lookup lemma is ``lemma``."""
        if self._surface is None:
            inv: dict[str, set[str]] = {}
            for k, v in self._table.items():
                inv.setdefault(v, set()).add(k)
            self._surface = inv
        forms = set(self._surface.get(lemma, ()))
        if lemma not in self._table:
            forms.add(lemma)
        return {f.lower() for f in forms if f.lower() == f}

    def add_phrase(self, key: int, term: str, *, case_sensitive: bool) -> list[str]:
        from spacy.matcher import PhraseMatcher

        words = self.tokenize(term)
        if not words:
            return words
        pm = self.phrase.get(case_sensitive)
        if pm is None:
            pm = self.phrase[case_sensitive] = PhraseMatcher(self.vocab, attr="ORTH" if case_sensitive else "LOWER")
        name = f"k{key}"
        self._phrase_keys[self.vocab.strings.add(name)] = key
        pattern = self.tokenizer(" ".join(words))
        pm.add(name, [pattern])
        seq = tuple(t.text if case_sensitive else t.lower_ for t in pattern)
        # anchored on its longest token (the first of the longest), the rarest one as a rule
        j = max(range(len(seq)), key=lambda k: (len(seq[k]), -k))
        self._fast_phrases[case_sensitive].setdefault(seq[j], set()).add((key, seq, j))
        return words

    def _pid(self, spec: tuple) -> int:
        pid = self._tpid.get(spec)
        if pid is None:
            pid = self._tpid[spec] = len(self._tpid)
            if spec[0] == "norm":  # ("norm", language, normal form)
                self._norm_pid.setdefault(spec[1], {})[spec[2]] = pid
                self.norm(spec[1], "")  # resolve the profile now (a bad language fails at build time)
                return pid
            kind, value, cs = spec if len(spec) == 3 else (*spec, False)
            if kind == "lit":
                self._lit[cs][value] = pid
            elif kind == "lemma":
                self._lemma_pid[value] = pid
            else:
                piece = R.glob_literal(value)
                self._globs[cs].append((pid, piece if cs else piece.lower(),
                                        R.glob_regex(value, case_sensitive=cs)))
            if cs:
                self.needs_orth = True
        return pid

    def add_sequence(self, key: int, specs: Sequence[tuple]) -> None:
        pids = tuple(self._pid(s) for s in specs)
        self._first.setdefault(pids[0], []).append(len(self._seqs))
        self._seqs.append((key, pids))

    def add_token_pattern(self, key: int, patterns: list, *, needs_lemma: bool) -> None:
        from spacy.matcher import Matcher

        if self.matcher is None:
            self.matcher = Matcher(self.vocab)
        name = f"k{key}"
        self._pattern_keys[self.vocab.strings.add(name)] = key
        self.matcher.add(name, patterns)
        self.matcher_needs_lemma = self.matcher_needs_lemma or needs_lemma

    # ----------------------------------------------------------------- matching
    def _pids_of(self, h: int, cs: bool) -> frozenset[int]:
        return self._pids_of_str(self.vocab.strings[h], cs)

    def _pids_of_str(self, s: str, cs: bool) -> frozenset[int]:
        if s.isspace():
            return frozenset()
        out = set()
        pid = self._lit[cs].get(s)
        if pid is not None:
            out.add(pid)
        if not cs and self._lemma_pid:
            pid = self._lemma_pid.get(self.lemma(s))
            if pid is not None:
                out.add(pid)
        if not cs and self._norm_pid:
            for lang, table in self._norm_pid.items():
                gate = self._norm_gates.get(lang)
                if gate is not None and next(gate.iter(s), None) is None:
                    continue  # holds no literal of a wanted normal form: cannot have one
                pid = table.get(self.norm(lang, s))
                if pid is not None:
                    out.add(pid)
        for pid, piece, rx in self._globs[cs]:
            if piece in s and rx.fullmatch(s):
                out.add(pid)
        return frozenset(out)

    # ----------------------------------------------------------------- fast path
    @property
    def chunks(self) -> InfoCache:
        """The chunk -> tokens (with token infos) cache of the fast path (created on first use)."""
        if self._chunks is None:
            self._chunks = InfoCache(chunk_cache(self.tokenizer), self.token_info)
        return self._chunks

    def token_info(self, orth: str) -> TokenInfo | None:
        """What the codebook knows about the token ``orth`` (``None``: nothing)."""
        low = orth.lower()
        single: set[int] = set()
        multi: dict[bool, list] = {False: [], True: []}
        for cs, s in ((False, low), (True, orth)):
            for key, seq, j in self._fast_phrases[cs].get(s, ()):
                if len(seq) == 1:
                    single.add(key)
                else:
                    multi[cs].append((key, seq, j, len(seq)))
        pids = frozenset()
        if self._seqs:
            pids = self._pids_of_str(low, False)
            if self.needs_orth:
                pids = pids | self._pids_of_str(orth, True)
        if not single and not multi[False] and not multi[True] and not pids:
            return None
        return TokenInfo(tuple(sorted(single)), tuple(sorted(multi[False])), tuple(sorted(multi[True])), pids)

    def fast_view(self, text: str) -> FastView:
        return FastView(self.chunks, text)

    def run_sequences(self, doc) -> dict[int, list[tuple[int, int]]]:
        hits: dict[int, list[tuple[int, int]]] = {}
        if not self._seqs or not len(doc):
            return hits
        per_tok = self._token_pids(doc, False)
        if self.needs_orth:
            other = self._token_pids(doc, True)
            per_tok = [a | b for a, b in zip(per_tok, other, strict=True)]
        n = len(per_tok)
        first, seqs = self._first, self._seqs
        for i, pids in enumerate(per_tok):
            if not pids:
                continue
            for pid in pids:
                for si in first.get(pid, ()):
                    key, seq = seqs[si]
                    m = len(seq)
                    if i + m <= n and all(seq[k] in per_tok[i + k] for k in range(1, m)):
                        hits.setdefault(key, []).append((i, i + m))
        return hits

    def _token_pids(self, doc, cs: bool) -> list[frozenset[int]]:
        cache = self._cache[cs]
        if len(cache) > 500_000:
            cache.clear()
        hashes = doc.to_array(self._ORTH if cs else self._LOWER).tolist()
        out = []
        for h in hashes:
            p = cache.get(h)
            if p is None:
                p = cache[h] = self._pids_of(h, cs)
            out.append(p)
        return out

    def run_phrases(self, doc) -> dict[int, list[tuple[int, int]]]:
        hits: dict[int, list[tuple[int, int]]] = {}
        for pm in self.phrase.values():
            for mid, s, e in pm(doc):
                hits.setdefault(self._phrase_keys[mid], []).append((s, e))
        return hits

    def run_patterns(self, doc) -> dict[int, list[tuple[int, int]]]:
        hits: dict[int, list[tuple[int, int]]] = {}
        if self.matcher is None:
            return hits
        if self.matcher_needs_lemma:
            for t in doc:
                t.lemma_ = self.lemma(t.lower_)
        for mid, s, e in self.matcher(doc):
            hits.setdefault(self._pattern_keys[mid], []).append((s, e))
        return hits


# --------------------------------------------------------------------------- one segment


class SegmentContext:
    """What rules see while one segment is coded (created per segment, then dropped)."""

    __slots__ = ("cc", "lm", "document", "segment", "text", "lang", "langs", "active", "veto", "fast", "found",
                 "_view", "_hits", "_negated")

    def __init__(self, cc: CompiledCodebook, lm: LangMatchers, document: Document, segment: Segment,
                 text: str, lang: str, active: frozenset[int] | None, *, fast: bool = False) -> None:
        self.cc = cc
        self.lm = lm
        self.document = document
        self.segment = segment
        self.text = text
        #: the primary language (it tokenises) and every language the segment is coded in
        self.lang = lang
        self.langs = lm.langs
        self.active = active  # None: every leaf may match
        self.veto: list[tuple[int, int]] = []
        #: tokens from the chunk cache and matching in Python (no spaCy Doc); only used
        #: when no leaf that needs a Doc (``fast_path = False``) can match here
        self.fast = fast
        self._view: TokenView | FastView | None = None
        self._hits: dict[str, dict[int, list[tuple[int, int]]]] = {}
        self._negated: dict[int, bool] = {}
        #: leaf keys with at least one token hit, once every token matcher has run (else None)
        self.found: frozenset[int] | None = None

    def found_keys(self) -> frozenset[int]:
        """Leaf keys with at least one token match in this segment (runs every matcher)."""
        owner = self.cc._owner
        keys: set[int] = set()
        for kind in ("phrase", "seq", "pattern"):
            hits = self._hits.get(kind)
            if hits is None:
                hits = self._hits[kind] = self._run(kind)
            keys.update(owner[k] for k in hits)
        return frozenset(keys)

    def _run(self, kind: str) -> dict[int, list[tuple[int, int]]]:
        if self.fast:
            view = self.view
            if kind == "phrase":
                return view.phrase_hits()
            if kind == "seq":
                return view.sequence_hits(self.lm._first, self.lm._seqs)
            return {}  # fast only where the prefilter ruled out every Doc-only leaf
        doc = self.view.doc
        if kind == "phrase":
            return self.lm.run_phrases(doc)
        if kind == "seq":
            return self.lm.run_sequences(doc)
        return self.lm.run_patterns(doc)

    @property
    def view(self) -> TokenView | FastView:
        if self._view is None:
            self._view = self.lm.fast_view(self.text) if self.fast else TokenView(self.lm, self.text)
        return self._view

    def token_spans(self, kind: str, key: int, *, gate: int | None = None) -> list[tuple[int, int]]:
        """Token spans found for ``key``; empty without tokenising when the prefilter ruled
        out the leaf ``gate`` (default: ``key`` itself)."""
        if self.active is not None and (key if gate is None else gate) not in self.active:
            return []
        hits = self._hits.get(kind)
        if hits is None:
            hits = self._hits[kind] = self._run(kind)
        return hits.get(key, [])

    def token_hits(self, kind: str, key: int) -> list[tuple[int, int, int | None]]:
        spans = self.token_spans(kind, key)
        if not spans:
            return []
        cs = self.view.char_span
        return [cs(s, e) for s, e in spans]

    def char_span(self, ts: int, te: int) -> tuple[int, int, int]:
        return self.view.char_span(ts, te)

    def is_negated(self, start: int, token: int | None) -> bool:
        view = self.view
        if token is None:
            token = view.token_at(start)
        neg = self._negated.get(token)
        if neg is None:
            if self.fast:
                # fast tokens hold no white space, so the cue window is the tokens right before
                lows = view.lows
                triggers = negation_triggers(self.langs)
                if triggers is None or triggers.isdisjoint(lows[max(0, token - NEG_WINDOW):token]):
                    neg = False
                else:
                    neg = negated_in(lows, token, self.langs)
            else:
                neg = negated_in(_Lowers(view.doc), token, self.langs)
            self._negated[token] = neg
        return neg

    def regex_allowed(self, qid: str) -> bool:
        return self.cc.timeouts.get(qid, 0) < self.cc.max_timeouts

    def regex_timed_out(self, qid: str) -> None:
        self.cc.timeouts[qid] += 1


# --------------------------------------------------------------------------- compiling


class Builder:
    """Compiles the rules of one code (passed to each rule kind's ``compile``)."""

    def __init__(self, cc: CompiledCodebook, code: Code) -> None:
        self.cc = cc
        self.code = code
        self.regex_timeout = cc.regex_timeout

    def next_order(self) -> int:
        self.cc._order += 1
        return self.cc._order

    def add_leaf(self, leaf: R.Leaf) -> int:
        self.cc._leaves.append(leaf)
        return self.add_subkey()

    def add_subkey(self, *, owner: int | None = None) -> int:
        """A new matcher key; ``owner`` is the leaf whose hits it feeds (itself by default)."""
        key = self.cc._n_keys
        self.cc._n_keys += 1
        self.cc._owner[key] = key if owner is None else owner
        return key

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
    __slots__ = ("code", "scope", "rules", "excludes", "leaf_keys", "langs", "always", "regex_langs")

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
        #: languages (None: every one) in which a regex leaf of this code runs
        self.regex_langs = {leaf.lang for leaf in leaves if not leaf.token_based}


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
        self.timeouts: Counter[str] = Counter()
        #: qualified rule id -> the versioned kind it compiled with (recorded in provenance)
        self.kind_names: dict[str, str] = {}
        self._order = 0
        self._n_keys = 0
        self._leaves: list[R.Leaf] = []
        self._owner: dict[int, int] = {}
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
            leaves = [leaf for leaf in self._leaves if leaf.lang is None or leaf.lang in langs]
            lm = self._langs[key] = LangMatchers(key, leaves)
        return lm

    # ----------------------------------------------------------------- coding
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
            always = self._always[lm.langs] = frozenset(
                i for i, c in enumerate(self.codes) if c.regex_langs & {None, *lm.langs})
        candidates = set(always)
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
                out.append(SegmentMatch(cc.code.id, tuple(sorted(
                    Evidence(base + s, base + e, dtext[base + s:base + e], qid, neg)
                    for s, e, _, qid, neg in evidence))))
        return out

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
        for node in cc.rules:
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
        """Time-out counts per qualified regex rule id since the last call (then reset)."""
        out = dict(sorted(self.timeouts.items()))
        self.timeouts.clear()
        return out


def resolve_overlaps(matches: list[tuple]) -> list[tuple]:
    """Within one code the longest match wins; ties: earliest start, then first rule in file order."""
    if len(matches) <= 1:
        return matches
    kept: list[tuple] = []
    for m in sorted(set(matches), key=lambda m: (m[0] - m[1], m[0], m[2], m[3], m[4])):
        s, e = m[0], m[1]
        if all(e <= k[0] or k[1] <= s for k in kept):
            kept.append(m)
    return kept


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
