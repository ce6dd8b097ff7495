"""The fast token path (``prefilter=True``) gives exactly what the spaCy ``Doc`` reference
path (``prefilter=False``) gives: tokens, hits, negation, evidence, codings."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import texts, words

from qualcoop.codebook import load_codebook
from qualcoop.match import apply_codebook, compile_codebook
from qualcoop.match.compile import TokenView
from qualcoop.model import Code, Codebook, Document, Rule, Segment
from qualcoop.segment import segment

REPO = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------- a codebook using every kind

RULES_CB = Codebook("fast-eq", "1", [
    Code("coop", "Cooperation", rules=[
        Rule("p", "phrase", terms=["co-operation", "cooperation", "kerja sama", "pekerja-pekerja",
                                   "technical co - operation", "workers' organisations", "the two parties",
                                   "capacity building", "capacity capacity", "U.S.", "don't"]),
        Rule("x", "exclude", terms=["international cooperation"]),
    ]),
    Code("cs", "Case", rules=[Rule("c", "phrase", case_sensitive=True, terms=["ILO", "State", "Members",
                                                                               "Contracting Party"])]),
    Code("lem", "Lemma", rules=[Rule("l", "lemma", lang="en", terms=["agreement", "worker", "train"])]),
    Code("glob", "Glob", rules=[Rule("g", "glob", terms=["develop*", "pembangun*", "co-operat*", "?LO",
                                                         "capacit* build*", "*-*"]),
                                Rule("gc", "glob", case_sensitive=True, terms=["Govern*"])]),
    Code("near", "Near", rules=[Rule("n", "near", groups=[["training", "pelatihan"], ["expert*", "hibah"]],
                                     window=4),
                                Rule("o", "near", ordered=True, groups=[["labour"], ["inspection"]], window=2)]),
    Code("rx", "Regex", negation="flag", rules=[Rule("r", "regex", pattern=r"\b(19|20)\d\d\b"),
                                                Rule("s", "regex", pattern=r"\s+and\s+")]),
    Code("neg", "Neg", negation="skip", rules=[Rule("t", "phrase", terms=["training", "pelatihan", "funding"])]),
    Code("veto", "Veto", rules=[Rule("t", "phrase", terms=["labour", "tenaga kerja"]),
                                Rule("v", "exclude", veto="segment", terms=["forced labour"])]),
    Code("comb", "Comb", rules=[Rule("a", "all", rules=[Rule("a1", "phrase", terms=["experts"]),
                                                        Rule("a2", "glob", terms=["train*"])]),
                                Rule("n", "not", rules=[Rule("n1", "phrase", terms=["employers"])])]),
    Code("stem", "Stem", rules=[Rule("i", "stem", lang="id", terms=["latih", "kerja sama", "dana"]),
                                Rule("e", "stem", lang="en", terms=["agreement", "sign agreement"]),
                                Rule("b", "stem", terms=["policy", "biaya"])]),
    Code("en-only", "English rule", rules=[Rule("t", "phrase", lang="en", terms=["training", "funding"])]),
], languages=("en", "id"))

PLANTED = ["co-operation", "Co-operation", "cooperation", "COOPERATION", "kerja sama", "kerja\nsama",
           "pekerja-pekerja", "Pekerja-pekerja", "technical co - operation", "workers' organisations",
           "workers ' organisations", "the two parties", "The  two\tparties", "capacity building",
           "capacity capacity capacity", "U.S.", "don't", "ILO", "(ILO)", "ILO's", "ilo", "State", "STATE",
           "Members", "Contracting Party", "contracting party", "agreements", "Agreement", "workers",
           "trained", "training", "develop", "developing-country", "pembangunan", "ILO-IPEC", "Government",
           "government", "experts", "hibah", "labour inspection", "labour\n\ninspection", "forced labour",
           "tenaga kerja", "not", "no", "tidak", "without", "lack of", "but", "2025", "1999,", "employers",
           "international cooperation", "self-employed", ",", ".", ";", "—", "\u00a0", "e.g.", "No.",
           "pelatihan", "Dilatih", "melatih", "pelatih-pelatih", "latihan", "bekerja sama", "didanai", "pendanaan",
           "Policies", "policy", "signed", "dibiayai", "training-nya", "tapi", "tak", "kurang"]

SEPS = [" ", " ", " ", "  ", "\n", "\n\n", "\t", " \n ", ", ", ". ", "-", "'", "\u00a0", "\u2029", ""]

FAST = compile_codebook(RULES_CB, prefilter=True)
REF = compile_codebook(RULES_CB, prefilter=False)


def _seg_result(cc, doc, seg, lang):
    return [(m.code_id, m.evidence) for m in cc.code_segment(doc, seg, lang)]


@st.composite
def planted_texts(draw):
    pieces = draw(st.lists(st.one_of(st.sampled_from(PLANTED), words()), min_size=0, max_size=30))
    seps = draw(st.lists(st.sampled_from(SEPS), min_size=len(pieces), max_size=len(pieces)))
    lead = draw(st.sampled_from(["", " ", "\n", "  \t"]))
    return lead + "".join(p + s for p, s in zip(pieces, seps))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(planted_texts(), st.sampled_from(["en", "id"]), st.data())
def test_fast_equals_reference_on_planted_texts(text, lang, data):
    doc = Document("d", text, lang=lang)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    for seg in (Segment("d", 0, len(text), "paragraph", 0), Segment("d", start, end, "paragraph", 1)):
        fast = _seg_result(FAST, doc, seg, lang)
        assert fast == _seg_result(REF, doc, seg, lang)
        for _, evidence in fast:
            for e in evidence:
                assert seg.start <= e.start < e.end <= seg.end and text[e.start:e.end] == e.text


LANG_SETS = [("en",), ("id",), ("id", "en"), ("en", "id")]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(planted_texts(), st.sampled_from(LANG_SETS))
def test_fast_equals_reference_with_stem_rules_and_code_switching(text, langs):
    doc = Document("d", text, attributes={"languages": ",".join(langs)})
    seg = Segment("d", 0, len(text), "paragraph", 0)
    fast = _seg_result(FAST, doc, seg, langs)
    assert fast == _seg_result(REF, doc, seg, langs)
    # a rule for a language the segment is not in never fires
    rules = {e.rule_id for _, evidence in fast for e in evidence}
    if "en" not in langs:
        assert not rules & {"stem/e", "en-only/t", "lem/l"}
    if "id" not in langs:
        assert "stem/i" not in rules


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts(), st.sampled_from(["en", "id"]))
def test_fast_equals_reference_on_random_documents(text, lang):
    doc = Document("d", text, lang=lang)
    segs = {"d": segment(doc, "paragraph")}
    fast = apply_codebook([doc], FAST, segments=segs)
    ref = apply_codebook([doc], REF, segments=segs)
    assert fast == ref and [c.evidence for c in fast] == [c.evidence for c in ref]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(planted_texts(), st.sampled_from(["en", "id"]))
def test_chunk_tokens_are_the_spacy_tokens(text, lang):
    lm = FAST.matchers(lang)
    # as drawn (white-space runs, leading and trailing), stripped, and with one space between chunks
    # (the case whose chunk offsets are computed without scanning for white space)
    for variant in (text, text.strip(), " ".join(text.split()), "\n".join(text.split())):
        view = lm.fast_view(variant)
        ref = TokenView(lm, variant)
        expected = [ref.char_span(i, i + 1)[:2] for i in range(len(ref.doc))]
        assert [view.char_span(i, i + 1)[:2] for i in range(len(view))] == expected
        assert view.lows == [t.lower_ for t in ref.doc]
        assert view.orths == [t.text for t in ref.doc]
        for o in range(-1, len(variant) + 2):
            assert view.token_at(o) == ref.token_at(o)


def test_hand_counted_hits_on_both_paths():
    text = ("No co-operation between the two  parties.\nThe ILO (ILO) and ilo; pekerja-pekerja dan "
            "kerja\nsama. Capacity capacity capacity building")
    doc = Document("d", text, lang="en")
    seg = Segment("d", 0, len(text), "paragraph", 0)
    for cc in (FAST, REF):
        got = {c: [(e.text, e.negated) for e in ev] for c, ev in _seg_result(cc, doc, seg, "en")}
        assert got["coop"] == [("co-operation", True), ("the two  parties", False),
                               ("pekerja-pekerja", False), ("kerja\nsama", False),
                               ("Capacity capacity", False), ("capacity building", False)]
        assert got["cs"] == [("ILO", False), ("ILO", False)]  # "ilo" is not ILO
        assert got["glob"] == [("co-operation", True), ("ILO", False), ("ILO", False), ("ilo", False),
                               ("pekerja-pekerja", False), ("capacity building", False)]


def test_pattern_rules_fall_back_to_a_spacy_doc():
    cb = Codebook("pat", "1", [
        Code("pat", "Pattern", rules=[Rule("p", "pattern", pattern=[{"LOWER": "pajak"}, {"IS_ALPHA": True}])]),
        Code("t", "Terms", rules=[Rule("t", "phrase", terms=["penghasilan"])]),
    ], languages=("id",))
    text = "Tidak ada pajak penghasilan.\n\nPenghasilan saja."
    doc = Document("d", text, lang="id")
    segs = {"d": segment(doc, "paragraph")}
    fast = apply_codebook([doc], compile_codebook(cb, prefilter=True), segments=segs)
    ref = apply_codebook([doc], compile_codebook(cb, prefilter=False), segments=segs)
    assert [(c.code_id, [(e.text, e.negated) for e in c.evidence]) for c in fast] == [
        ("pat", [("pajak penghasilan", True)]), ("t", [("penghasilan", True)]), ("t", [("Penghasilan", False)])]
    assert fast == ref and [c.evidence for c in fast] == [c.evidence for c in ref]


# --------------------------------------------------------------------------- real data, default codebook


def _real_documents(shared):
    pd = shared / "policy_docs"
    docs = [Document(f.stem, f.read_text(encoding="utf-8"), lang="en")
            for f in sorted((pd / "ungdc_indonesia").glob("*.txt"))[-12:]]
    docs += [Document(f.stem[:40], f.read_text(encoding="utf-8"), lang="en")
             for f in sorted((pd / "nl_treaty_db_cooperation_agreements").glob("*.md"))[:12]]
    for f in sorted((pd / "tota" / "xml").glob("*.xml"))[:4]:
        root = ET.parse(f).getroot()
        if (root.findtext("meta/language") or "en").strip() == "en":
            docs.append(Document(f.stem, "\n\n".join("".join(a.itertext()) for a in root.iter("article")),
                                 lang="en"))
    docs += [Document(f.stem[:40], f.read_text(encoding="utf-8"), lang="id")
             for f in sorted((pd / "indonesian_regulations").glob("*.md")) if not f.name.startswith("README")]
    return docs


def _digest(cs):
    recs = [json.dumps(r, sort_keys=True, default=str) for r in cs.to_records()]
    return hashlib.sha256("\n".join(recs).encode("utf-8")).hexdigest()


@pytest.mark.parametrize("unit", ["paragraph", "sentence"])
def test_default_codebook_fast_equals_reference_on_real_corpora(shared, unit):
    cb = load_codebook(REPO / "codebooks" / "international_cooperation.yaml")
    docs = _real_documents(shared)
    assert sum(len(d.text) for d in docs) > 1_000_000
    segs = {d.id: segment(d, unit) for d in docs}
    fast = apply_codebook(docs, compile_codebook(cb, prefilter=True), segments=segs)
    ref = apply_codebook(docs, compile_codebook(cb, prefilter=False), segments=segs)
    assert len(fast) == len(ref) > 3000
    assert [c.evidence for c in fast] == [c.evidence for c in ref]
    assert _digest(fast) == _digest(ref)
    assert len({c.code_id for c in fast}) >= 20
    assert {d.lang for d in docs if any(c.doc_id == d.id for c in fast)} == {"en", "id"}


def test_code_switched_real_regulations_fast_equals_reference(shared):
    """Indonesian regulations that quote English treaty forms, coded as id+en and as id only."""
    cb = load_codebook(REPO / "codebooks" / "international_cooperation.yaml")
    pd = shared / "policy_docs" / "indonesian_regulations"
    texts_ = {f.stem[:20]: f.read_text(encoding="utf-8") for f in sorted(pd.glob("pmk-*.md"))}
    mixed = [Document(k, t, lang="id", attributes={"languages": "id,en"}) for k, t in texts_.items()]
    plain = [Document(k, t, lang="id") for k, t in texts_.items()]
    segs = {d.id: segment(d, "paragraph") for d in plain}
    fast = apply_codebook(mixed, compile_codebook(cb, prefilter=True), segments=segs)
    ref = apply_codebook(mixed, compile_codebook(cb, prefilter=False), segments=segs)
    assert len(fast) == len(ref) and [c.evidence for c in fast] == [c.evidence for c in ref]
    assert _digest(fast) == _digest(ref)
    only_id = apply_codebook(plain, compile_codebook(cb), segments=segs)
    en_rules = {f"{c.id}/{r.id}" for c in cb.codes for r in c.rules if r.lang == "en"}
    assert not {e.rule_id for c in only_id for e in c.evidence} & en_rules
    assert len({e.rule_id for c in fast for e in c.evidence} & en_rules) >= 10
    # every coding of the Indonesian-only run is kept; English rules add more
    assert {(c.doc_id, c.start, c.code_id) for c in only_id} < {(c.doc_id, c.start, c.code_id) for c in fast}
    # counted with grep -o -i "competent authorit[a-z]*" in PMK 112/2025 (its English certificate forms)
    found = Counter(e.text for c in fast for e in c.evidence
                    if e.rule_id == "actor.national_government/authorities-en")
    assert found == {"COMPETENT AUTHORITY": 2, "Competent Authority": 6, "competent authorities": 1,
                     "competent authority": 1}


def test_real_paragraph_chunks_tokenise_like_whole_paragraphs(shared):
    """spaCy tokenises each white-space separated chunk on its own: the claim the fast path rests on."""
    docs = _real_documents(shared)
    checked = 0
    for d in docs:
        lm = FAST.matchers(d.lang)
        for s in segment(d, "paragraph"):
            text = d.text[s.start:s.end]
            ref = TokenView(lm, text)
            view = lm.fast_view(text)
            assert view.orths == [t.text for t in ref.doc]
            assert [view.char_span(i, i + 1)[:2] for i in range(len(view))] == \
                [ref.char_span(i, i + 1)[:2] for i in range(len(ref.doc))]
            checked += len(view)
    assert checked > 150_000


# --------------------------------------------------------------------------- every registered kind


def _every_kind_codebook() -> Codebook:
    """One code per registered rule kind (plugins' too): the kind's own ``examples`` and a plain
    phrase rule, so that silent kinds (``not``, ``exclude``) have matches to act on."""
    from qualcoop import kinds
    from qualcoop.registry import rule_kinds

    codes = []
    missing = []
    for name in rule_kinds.names():
        rules = kinds.example_rules(name)
        if not rules:
            missing.append(name)
        base = Rule("base", "phrase", terms=["international cooperation", "cooperation", "labour", "training"])
        codes.append(Code(f"k.{name}", name, rules=[*rules, base]))
    assert not missing, f"rule kinds without `examples` (needed by this test): {missing}"
    return Codebook("every-kind", "1", codes, languages=("en", "id"))


def test_every_registered_kind_fast_equals_reference_plugins_included(with_plugin):
    import random

    from qualcoop import kinds

    cb = _every_kind_codebook()
    assert "k.prefix.v1" in cb  # the example plugin's kind is registered through its entry point
    fast, ref = compile_codebook(cb, prefilter=True), compile_codebook(cb, prefilter=False)
    vocab = list(PLANTED) + sorted({t for c in cb.codes for r in c.rules for _, t, _ in kinds.contributed_terms(r)}
                                   | {"cooperative", "Cooperation", "trainer", "ILO's", "ilo", "kerja samanya"})
    rnd = random.Random(14)
    fired: Counter = Counter()
    for n in range(300):
        pieces = [rnd.choice(vocab) for _ in range(rnd.randint(0, 25))]
        text = rnd.choice(["", " ", "\n"]) + "".join(p + rnd.choice(SEPS) for p in pieces)
        lang = rnd.choice(["en", "id", ("id", "en")])
        doc = Document("d", text, lang=lang if isinstance(lang, str) else None)
        seg = Segment("d", 0, len(text), "paragraph", 0)
        got = _seg_result(fast, doc, seg, lang)
        assert got == _seg_result(ref, doc, seg, lang), (text, lang)
        fired.update(code for code, evidence in got if any(not e.rule_id.endswith("/base") for e in evidence))
    # the comparison meant something: every evidence-producing kind fired on both paths
    silent = {c.id for c in cb.codes if kinds.is_silent(Rule("x", c.name))}
    assert {c.id for c in cb.codes} - silent - set(fired) == set()


def test_new_chunks_of_the_following_text_are_tokenised_with_a_segment():
    import uuid

    lm = FAST.matchers("en")
    new1, new2 = (f"zq{uuid.uuid4().hex}-cooperation," for _ in range(2))  # chunks no test has seen
    first = f"Technical assistance {new1} was given."
    doc_text = first + " " + f"Later text with {new2} and more."
    view = lm.fast_view(first, (doc_text, len(first)))  # new1 is new: new2, further on, is tokenised too
    assert new1 in lm.chunks.chunks and new2 in lm.chunks.chunks
    plain = lm.fast_view(first)
    assert view.toks == plain.toks and view.hot == plain.hot
    later = doc_text[len(first) + 1:]
    ref = TokenView(lm, later)
    got = lm.fast_view(later)
    assert [got.char_span(i, i + 1)[:2] for i in range(len(got))] == [ref.char_span(i, i + 1)[:2]
                                                                       for i in range(len(ref.doc))]
