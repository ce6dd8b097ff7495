"""The token-sequence index: glob, lemma, stem and near-group terms as sequences of token tests.

A *token test* (``spec``) is one of

- ``("lit", text, case_sensitive)``: the token is ``text`` (lower-cased unless case-sensitive);
- ``("glob", pattern, case_sensitive)``: the token fully matches a ``*``/``?`` glob;
- ``("lemma", lemma)``: the token's lookup lemma (of its lower-cased form) is ``lemma``;
- ``("norm", lang, normal form)``: the token's normal form in ``lang``'s profile is that.

Each distinct test gets a number (a *pid*); a sequence is a leaf key with a tuple of pids.
:meth:`TokenIndex.pids_of` tells which tests one token string passes (cached per token by
the callers), and both matching paths use the same index: the spaCy reference path through
:meth:`TokenIndex.run` over a ``Doc``, the fast path through :attr:`TokenIndex.starting`
(:meth:`qualcoop.match.fast.FastView.sequence_hits`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import rules as R
from .languages import profile_of

__all__ = ["TokenIndex"]


class TokenIndex:
    """Token tests and the sequences of them that leaves look for, for one language set.

    Parameters
    ----------
    lemma : callable
        ``lower-cased token -> lookup lemma`` of the primary language.
    """

    def __init__(self, lemma: Callable[[str], str]) -> None:
        self._lemma = lemma
        self._tpid: dict[tuple, int] = {}
        self._lit: dict[bool, dict[str, int]] = {False: {}, True: {}}
        self._lemma_pid: dict[str, int] = {}
        #: stem rules: language -> normal form -> pid, and each language's normal-form function
        self._norm_pid: dict[str, dict[str, int]] = {}
        self._norm_fns: dict[str, Any] = {}
        self._norm_gates: dict[str, Any] = {}
        self._globs: dict[bool, list[tuple[int, str, Any]]] = {False: [], True: []}
        self._seqs: list[tuple[int, tuple[int, ...]]] = []
        self._first: dict[int, list[int]] = {}
        #: pid -> (key, the other pids, length) of the sequences starting with it (built by freeze)
        self._starting: dict[int, tuple[tuple[int, tuple[int, ...], int], ...]] = {}
        self._cache: dict[bool, dict[int, frozenset[int]]] = {False: {}, True: {}}
        #: some test is case-sensitive: tokens are also looked up as written
        self.needs_orth = False

    # ----------------------------------------------------------------- building
    def norm(self, lang: str, token: str) -> str:
        """The normal form of ``token`` in ``lang``'s profile (root in Indonesian, lookup lemma in English)."""
        fn = self._norm_fns.get(lang)
        if fn is None:
            fn = self._norm_fns[lang] = profile_of(lang).norm
        return fn(token)

    @staticmethod
    def norm_literals(lang: str, norm: str) -> frozenset[str] | None:
        """Strings one of which every token with normal form ``norm`` in ``lang`` contains (or None)."""
        return profile_of(lang).norm_literals(norm)

    def add_sequence(self, key: int, specs: Sequence[tuple]) -> None:
        """Look for tokens passing ``specs`` in a row; hits are reported under ``key``."""
        pids = tuple(self._pid(s) for s in specs)
        self._first.setdefault(pids[0], []).append(len(self._seqs))
        self._seqs.append((key, pids))

    def freeze(self) -> None:
        """Finish building: per language of stem tests, an automaton of the literals one of which
        every token with a wanted normal form contains (``norm_literals``), so most tokens are
        never normalised (None: some normal form has no literal, every token is normalised); and the
        fast path's :attr:`starting`."""
        self._norm_gates = {lang: self._norm_gate(lang) for lang in self._norm_pid}
        seqs = self._seqs
        self._starting = {pid: tuple((seqs[si][0], seqs[si][1][1:], len(seqs[si][1])) for si in idx)
                          for pid, idx in self._first.items()}

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

    # ----------------------------------------------------------------- looking up
    def __bool__(self) -> bool:
        return bool(self._seqs)

    @property
    def starting(self) -> dict[int, tuple[tuple[int, tuple[int, ...], int], ...]]:
        """pid -> ``(key, the other pids, length)`` of the sequences that start with it, in the order
        they were added (built by :meth:`freeze`)."""
        return self._starting

    def pids_of(self, s: str, cs: bool) -> frozenset[int]:
        """The tests the token string ``s`` passes (``cs``: ``s`` is the token as written)."""
        if s.isspace():
            return frozenset()
        out = set()
        pid = self._lit[cs].get(s)
        if pid is not None:
            out.add(pid)
        if not cs and self._lemma_pid:
            pid = self._lemma_pid.get(self._lemma(s))
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

    def token_pids(self, lower: str, orth: str) -> frozenset[int]:
        """The tests a token passes, from its lower-cased form and (if needed) its form as written."""
        pids = self.pids_of(lower, False)
        if self.needs_orth:
            pids = pids | self.pids_of(orth, True)
        return pids

    # ----------------------------------------------------------------- the reference path
    def run(self, doc, *, lower_attr: int, orth_attr: int) -> dict[int, list[tuple[int, int]]]:
        """Sequence hits ``key -> [(start token, end token)]`` over a spaCy ``Doc``."""
        hits: dict[int, list[tuple[int, int]]] = {}
        if not self._seqs or not len(doc):
            return hits
        per_tok = self._doc_pids(doc, False, lower_attr)
        if self.needs_orth:
            other = self._doc_pids(doc, True, orth_attr)
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

    def _doc_pids(self, doc, cs: bool, attr: int) -> list[frozenset[int]]:
        cache = self._cache[cs]
        if len(cache) > 500_000:
            cache.clear()
        strings = doc.vocab.strings
        out = []
        for h in doc.to_array(attr).tolist():
            p = cache.get(h)
            if p is None:
                p = cache[h] = self.pids_of(strings[h], cs)
            out.append(p)
        return out
