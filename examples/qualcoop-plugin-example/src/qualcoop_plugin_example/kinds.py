"""A rule kind: ``prefix``. Each term matches the tokens that begin with it.

``{id: r, kind: prefix, terms: [cooperat, kerja sama]}`` finds "cooperation", "cooperative",
"Kerja samanya"; a multi-word term matches a sequence of tokens, each beginning with the
term's token at that place. Case-insensitive unless ``case_sensitive: true``.

The class is the whole kind (qualcoop's rule-kind protocol, ``qualcoop.kinds``): the fields
it reads, ``check`` (its only validation), the words it contributes (``terms``), whether it is
silent, and how it compiles. It reuses qualcoop's token-sequence index through the public
builder interface (``lm.tokenize``, ``lm.add_sequence``, ``ctx.token_hits``), so the fast
token path and the spaCy reference path code it identically.
"""

from __future__ import annotations

from qualcoop.kinds import KindProblem
from qualcoop.match.rules import Leaf


class PrefixRule(Leaf):
    """``prefix``: tokens beginning with each term's tokens."""

    token_based = True
    fast_path = True  # the fast token path evaluates token sequences
    fields = {"terms": ()}
    silent = False
    # sample rules: documentation, and qualcoop's fast/reference equivalence tests run them
    examples = ({"terms": ["cooperat", "kerja sama", "train"]}, {"terms": ["ILO"], "case_sensitive": True})

    @classmethod
    def check(cls, rule):
        out = []
        if not rule.terms:
            out.append(KindProblem("rule kind 'prefix' needs a non-empty `terms` list", "terms"))
        for t in rule.terms:
            if not isinstance(t, str) or not t.strip():
                out.append(KindProblem(f"prefix term {t!r} is empty or not text", "terms"))
            elif any(ch in t for ch in "*?"):
                out.append(KindProblem(f"prefix term {t!r} holds a wildcard; a prefix needs none "
                                       "(use kind 'glob' for other patterns)", "terms", "warning"))
        return out

    @classmethod
    def terms(cls, rule):
        return tuple(t for t in rule.terms if isinstance(t, str))

    def __init__(self, rule, builder, *, qid, negation):
        super().__init__(rule, builder, qid=qid, negation=negation)
        self.words = tuple(t.strip() for t in rule.terms)
        self.case_sensitive = rule.case_sensitive

    def register(self, lm):
        literals: set[str] = set()
        for term in self.words:
            tokens = lm.tokenize(term)
            if not tokens:
                raise self.error(f"term {term!r} has no tokens")
            cs = self.case_sensitive
            lm.add_sequence(self.key, [("glob", t + "*", cs) for t in tokens])
            literals.add(max(tokens, key=len).lower())
        return [literals]

    def find(self, ctx):
        return ctx.token_hits("seq", self.key)
