"""Small helpers shared by the rule-engine tests."""

from __future__ import annotations

from qualcoop.match import compile_codebook
from qualcoop.model import Code, Codebook, Document, Rule, Scope, Segment


def one_code(*rules: Rule, code_id: str = "c", negation: str = "flag", scope: Scope | None = None,
             langs: tuple[str, ...] = ("en", "id")) -> Codebook:
    return Codebook("t", "1", [Code(code_id, code_id, rules=list(rules), negation=negation, scope=scope)],
                    languages=langs)


def code_text(codebook: Codebook, text: str, *, lang: str = "en", speaker: str | None = None,
              kind: str = "paragraph", attributes: dict | None = None, section: str | None = None,
              prefilter: bool = True):
    """{code id: [(evidence text, negated, rule id), ...]} for ``text`` as one segment."""
    doc = Document("d", text, lang=lang, attributes=attributes or {})
    seg = Segment("d", 0, len(text), kind, 0, speaker=speaker, section=section)
    cc = compile_codebook(codebook, prefilter=prefilter)
    out = {}
    for m in cc.code_segment(doc, seg, lang):
        for e in m.evidence:
            assert text[e.start:e.end] == e.text
        out[m.code_id] = [(e.text, e.negated, e.rule_id) for e in m.evidence]
    return out


def texts_of(result: dict, code_id: str = "c") -> list[str]:
    return [t for t, _, _ in result.get(code_id, [])]
