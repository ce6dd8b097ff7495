"""Negation, scope, overlaps, evidence offsets, determinism, regex time-outs, prefilter equivalence."""

from __future__ import annotations

import re
import warnings

import pytest
from helpers_match import code_text, one_code, texts_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcoop.errors import RuleTimeoutWarning
from qualcoop.lang.negation import is_negated
from qualcoop.match import apply_codebook, compile_codebook
from qualcoop.model import Code, Codebook, Document, Rule, Scope, Segment

TRAINING = Rule("t", "phrase", terms=["training", "pelatihan"])


def negs(text, *, policy="flag", lang="en"):
    r = code_text(one_code(TRAINING, negation=policy), text, lang=lang)
    return [n for _, n, _ in r.get("c", [])]


# --------------------------------------------------------------------------- negation


@pytest.mark.parametrize("text,expected", [
    ("There was no training.", [True]),
    ("They did not receive training.", [True]),
    ("They didn't get any formal training.", [True]),
    ("Workers without training.", [True]),
    ("A lack of training.", [True]),
    ("Not only training but also grants.", [False]),
    ("There was training.", [False]),
    ("No money, but training.", [False]),          # scope ends at the comma (and at "but")
    ("No money but training.", [False]),           # scope ends at "but"
    ("Not enough money for all the staff training.", [False]),  # cue more than 4 tokens before
    ("No training here. Training there.", [True, False]),
])
def test_negation_english(text, expected):
    assert negs(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Mereka tidak mendapat pelatihan.", [True]),
    ("Pelatihan belum dilaksanakan.", [False]),     # cue after the match does not negate
    ("Belum ada pelatihan.", [True]),
    ("Bekerja tanpa pelatihan.", [True]),
    ("Tidak hanya pelatihan tetapi juga hibah.", [False]),  # "not only"
    ("Tidak ada dana, tetapi pelatihan ada.", [False]),
    ("Tidak ada dana namun pelatihan ada.", [False]),
])
def test_negation_indonesian(text, expected):
    assert negs(text, lang="id") == expected


def test_negation_policies_flag_skip_off():
    text = "No training at all, but training later."
    assert negs(text, policy="flag") == [True, False]
    assert negs(text, policy="skip") == [False]
    assert negs(text, policy="off") == [False, False]
    # a rule's policy overrides the code's
    cb = Codebook("t", "1", [Code("c", "C", negation="flag",
                                  rules=[Rule("t", "phrase", terms=["training"], negation="skip")])])
    assert code_text(cb, "No training.") == {}


def test_coding_negated_only_when_all_evidence_negated():
    cb = one_code(TRAINING)
    doc = Document("d", "No training.\n\nTraining, and no training.", lang="en")
    cs = apply_codebook([doc], cb, unit="document")
    (c,) = list(cs)
    assert [e.negated for e in c.evidence] == [True, False, True]
    assert c.negated is False
    cs1 = apply_codebook([Document("d", "No training here.", lang="en")], cb, unit="document")
    assert cs1[0].negated is True and cs1.to_records()[0]["negated"] is True


def test_is_negated_direct():
    assert is_negated(["no", "\n", "training"], 2, lang="en")  # white-space tokens are skipped
    assert not is_negated(["no", "training"], 1, lang="fr")
    assert is_negated(["tak", "ada", "pelatihan"], 2, lang="id")


# --------------------------------------------------------------------------- scope


def test_scope_speakers_and_exclude_speakers():
    cb = one_code(TRAINING, scope=Scope(exclude_speakers=("Interviewer", "Pewawancara")))
    assert code_text(cb, "Tell me about training.", speaker="interviewer") == {}
    assert texts_of(code_text(cb, "We had training.", speaker="Respondent")) == ["training"]
    only = one_code(TRAINING, scope=Scope(speakers=("Narasumber",)))
    assert code_text(only, "pelatihan", speaker="Pewawancara", lang="id") == {}
    assert code_text(only, "pelatihan", speaker=None, lang="id") == {}
    assert texts_of(code_text(only, "pelatihan", speaker="NARASUMBER", lang="id")) == ["pelatihan"]


def test_scope_attributes_units_sections_and_rule_scope():
    cb = one_code(TRAINING, scope=Scope(attributes={"type": ("interview",)}))
    assert code_text(cb, "training", attributes={"type": "report"}) == {}
    assert code_text(cb, "training", attributes={}) == {}
    assert texts_of(code_text(cb, "training", attributes={"type": "Interview"})) == ["training"]
    units = one_code(TRAINING, scope=Scope(units=("turn",)))
    assert code_text(units, "training", kind="paragraph") == {}
    assert code_text(units, "training", kind="turn") != {}
    sec = one_code(TRAINING, scope=Scope(sections=("Article *", "Pasal *")))
    assert code_text(sec, "training", section="Annex 1") == {}
    assert code_text(sec, "training", section=None) == {}
    assert code_text(sec, "pelatihan", section="Pasal 4", lang="id") != {}
    rule_scoped = one_code(Rule("t", "phrase", terms=["training"], scope=Scope(speakers=("R",))),
                           Rule("u", "phrase", terms=["grant"]))
    assert texts_of(code_text(rule_scoped, "training grant", speaker="I")) == ["grant"]


# --------------------------------------------------------------------------- overlaps


def test_longest_match_wins_within_code_and_codes_are_independent():
    cb = Codebook("t", "1", [
        Code("work", "Working conditions", rules=[Rule("t", "phrase", terms=["labour", "labour administration"])]),
        Code("lab", "Labour", rules=[Rule("t", "phrase", terms=["labour"])]),
    ])
    r = code_text(cb, "Labour administration and labour.")
    assert texts_of(r, "work") == ["Labour administration", "labour"]
    assert texts_of(r, "lab") == ["Labour", "labour"]


def test_overlap_ties_go_to_earliest_then_first_rule():
    cb = one_code(Rule("a", "phrase", terms=["technical cooperation"]),
                  Rule("b", "glob", terms=["techn* cooperation", "cooperation programme"]))
    r = code_text(cb, "technical cooperation programme")
    assert r["c"] == [("technical cooperation", False, "c/a")]


def test_evidence_within_segment_and_coding_fields():
    text = "Intro about training.\n\nSecond paragraph on aid."
    doc = Document("d", text, lang="en")
    segs = {"d": (Segment("d", 0, 21, "paragraph", 0, speaker="R"), Segment("d", 23, len(text), "paragraph", 1))}
    cb = Codebook("cb", "2.0", [Code("c", "C", rules=[Rule("t", "phrase", terms=["training", "aid"])])])
    cs = apply_codebook([doc], cb, segments=segs, coder="tester")
    assert [(c.start, c.end, c.segment_index, c.unit, c.speaker) for c in cs] == [
        (0, 21, 0, "paragraph", "R"), (23, len(text), 1, "paragraph", None)]
    p = cs[0].provenance
    assert (p.method, p.coder, p.codebook, p.codebook_version) == ("rule", "tester", "cb", "2.0")
    import qualcoop

    assert p.tool_version == qualcoop.__version__
    rec = cs.to_records()[1]
    assert rec["text"] == "Second paragraph on aid." and rec["code_name"] == "C" and rec["matched_terms"] == "aid"


# --------------------------------------------------------------------------- hypothesis

WORDS = ["the", "state", "will", "provide", "support", "to", "workers", "and", "agencies", "report",
         "negara", "akan", "memberikan", "dukungan", "kepada"]
TERMS = ["capacity building", "technical assistance", "pelatihan", "workshop", "kerja sama"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(TERMS)), min_size=1, max_size=40),
       st.lists(st.sampled_from([" ", "  ", "\n", " \n ", ", ", ". ", "\t"]), min_size=40, max_size=40),
       st.booleans())
def test_every_planted_term_found_with_exact_offsets(pieces, seps, upper):
    text = ""
    planted = []
    for piece, sep in zip(pieces, seps):
        word = piece.upper() if upper else piece
        if piece in TERMS:
            planted.append((len(text), len(text) + len(word)))
        text += word + sep
    cb = one_code(Rule("t", "phrase", terms=TERMS), negation="off")
    doc = Document("d", text, lang="en")
    cs = apply_codebook([doc], cb, unit="document")
    found = [(e.start, e.end) for c in cs for e in c.evidence]
    assert found == planted
    for c in cs:
        for e in c.evidence:
            assert doc.text[e.start:e.end] == e.text


# --------------------------------------------------------------------------- determinism, run ids


def _records(cs):
    return [(r, c.evidence) for r, c in zip(cs.to_records(), cs)]


def test_determinism_and_run_id(shared):
    path = shared / "policy_docs" / "nl_treaty_db_cooperation_agreements"
    docs = [Document(f.stem[:11], f.read_text(encoding="utf-8"), lang="en") for f in sorted(path.glob("*.md"))[:4]]
    cb = Codebook("t", "1", [Code("c", "C", rules=[Rule("t", "glob", terms=["expert*", "privilege*"])])])
    a = apply_codebook(docs, cb, unit="document")
    b = apply_codebook(docs, cb, unit="document")
    assert len(a) == 4 and _records(a) == _records(b)
    assert a[0].provenance.run_id == b[0].provenance.run_id
    other = Codebook("t", "1", [Code("c", "C", rules=[Rule("t", "glob", terms=["expert*"])])])
    c = apply_codebook(docs, other, unit="document")
    assert c[0].provenance.run_id != a[0].provenance.run_id
    assert apply_codebook(docs, cb, unit="document", run_id="mine")[0].provenance.run_id == "mine"
    assert apply_codebook(docs, cb, unit="document", lang="id")[0].provenance.run_id != a[0].provenance.run_id


# --------------------------------------------------------------------------- regex time-outs


def test_catastrophic_regex_times_out_and_other_rules_still_code():
    text = "a" * 5000 + "! Training was given."
    cb = Codebook("t", "1", [
        Code("evil", "Evil", rules=[Rule("bad", "regex", pattern=r"(a+)+$"),
                                    Rule("ok", "phrase", terms=["training"])]),
        Code("other", "Other", rules=[Rule("t", "phrase", terms=["given"])]),
    ])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cs = apply_codebook([Document("d", text, lang="en")], cb, unit="document", regex_timeout=0.05)
    timeouts = [w for w in caught if issubclass(w.category, RuleTimeoutWarning)]
    assert len(timeouts) == 1 and "evil/bad" in str(timeouts[0].message)
    assert len(cs.warnings) == 1 and "evil/bad" in cs.warnings[0]
    assert {c.code_id: [e.text for e in c.evidence] for c in cs} == {"evil": ["Training"], "other": ["given"]}


def test_timeout_warning_is_aggregated_per_rule():
    docs = [Document(f"d{i}", "a" * 5000 + "!", lang="en") for i in range(3)]
    cb = one_code(Rule("bad", "regex", pattern=r"(a+)+b"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cs = apply_codebook(docs, cb, unit="document", regex_timeout=0.02)
    assert len([w for w in caught if issubclass(w.category, RuleTimeoutWarning)]) == 1
    assert "3 segment(s)" in cs.warnings[0] and len(cs) == 0


# --------------------------------------------------------------------------- prefilter equivalence


def test_prefilter_gives_the_same_codingset_on_real_data(shared):
    pd = shared / "policy_docs"
    docs = []
    for f in sorted((pd / "ungdc_indonesia").glob("*.txt"))[-6:]:
        docs.append(Document(f.stem, f.read_text(encoding="utf-8"), lang="en"))
    for f in sorted((pd / "indonesian_regulations").glob("pmk-*.md")):
        docs.append(Document(f.stem[:12], f.read_text(encoding="utf-8"), lang="id"))
    segs = {}
    for d in docs:
        out, i = [], 0
        for m in re.finditer(r"\S(?:.*\S)?", d.text):  # one segment per non-blank line
            out.append(Segment(d.id, m.start(), m.end(), "paragraph", i))
            i += 1
        segs[d.id] = tuple(out)
    cb = Codebook("eq", "1", [
        Code("coop", "Cooperation", rules=[Rule("en", "phrase", lang="en", terms=["cooperation", "co-operation"]),
                                           Rule("id", "phrase", lang="id", terms=["kerja sama", "persetujuan"])]),
        Code("dev", "Development", rules=[Rule("g", "glob", terms=["develop*", "pembangun*"]),
                                          Rule("l", "lemma", lang="en", terms=["country"])]),
        Code("near", "Near", rules=[Rule("n", "near", groups=[["united"], ["nation*"]], window=2)]),
        Code("pat", "Pattern", rules=[Rule("p", "pattern", pattern=[{"LOWER": "pajak"}, {"IS_ALPHA": True}])]),
        Code("rx", "Regex", rules=[Rule("r", "regex", pattern=r"\b(19|20)\d\d\b")]),
        Code("ex", "Excl", rules=[Rule("t", "phrase", terms=["security"]),
                                  Rule("x", "exclude", terms=["security council"])]),
    ], languages=("en", "id"))
    fast = apply_codebook(docs, compile_codebook(cb, prefilter=True), segments=segs)
    ref = apply_codebook(docs, compile_codebook(cb, prefilter=False), segments=segs)
    assert len(fast) > 500
    assert _records(fast) == _records(ref)
    assert {c.code_id for c in fast} == {"coop", "dev", "near", "pat", "rx", "ex"}
