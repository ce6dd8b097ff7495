"""Every rule kind, with positive and negative cases in English and Indonesian (docs/codebook.md)."""

from __future__ import annotations

import pytest
from helpers_match import code_text, one_code, texts_of

from qualcoop.errors import RuleError
from qualcoop.match import compile_codebook
from qualcoop.model import Code, Codebook, Rule


@pytest.mark.parametrize("kind", ["phrase", "keyword"])
def test_phrase_and_keyword_match_token_sequences(kind):
    cb = one_code(Rule("t", kind, terms=["capacity building", "workshop"]))
    r = code_text(cb, "Capacity building and two workshops; a capacity\nbuilding WORKSHOP.")
    # "workshops" is not "workshop"; the line break inside a phrase is white space
    assert texts_of(r) == ["Capacity building", "capacity\nbuilding", "WORKSHOP"]
    assert code_text(cb, "We built capacity.") == {}


def test_phrase_case_sensitive_uses_orth():
    cb = one_code(Rule("t", "phrase", terms=["ILO"], case_sensitive=True))
    assert texts_of(code_text(cb, "The ILO and the ilo.")) == ["ILO"]


def test_phrase_indonesian():
    cb = one_code(Rule("t", "phrase", lang="id", terms=["kerja sama", "pelatihan"]))
    r = code_text(cb, "Kerja sama teknis dan pelatihan bagi UMKM.", lang="id")
    assert texts_of(r) == ["Kerja sama", "pelatihan"]
    # a rule with lang=id does not run on English segments
    assert code_text(cb, "pelatihan", lang="en") == {}
    assert code_text(cb, "Kerjasama teknis.", lang="id") == {}


def test_phrase_respects_token_boundaries():
    cb = one_code(Rule("t", "phrase", terms=["aid"]))
    assert code_text(cb, "He said the raid was aided.") == {}
    assert texts_of(code_text(cb, "Foreign aid, (aid) and aid.")) == ["aid", "aid", "aid"]


def test_lemma_english():
    cb = one_code(Rule("t", "lemma", terms=["agreement", "negotiate"]))
    r = code_text(cb, "Agreements were negotiated; the agreement negotiates nothing.")
    assert texts_of(r) == ["Agreements", "negotiated", "agreement", "negotiates"]
    assert code_text(cb, "They agreed to a negotiation.") == {}


def test_lemma_multiword_and_indonesian():
    cb = one_code(Rule("t", "lemma", terms=["sign agreement"]))
    assert texts_of(code_text(cb, "They signed agreements.")) == ["signed agreements"]
    cb = one_code(Rule("t", "lemma", lang="id", terms=["latih"]))
    # the Indonesian lookup table maps pelatihan -> latih
    assert texts_of(code_text(cb, "Pelatihan dan melatih guru.", lang="id")) == ["Pelatihan", "melatih"]
    assert code_text(cb, "Lokakarya guru.", lang="id") == {}


def test_glob_per_token_and_multiword():
    cb = one_code(Rule("t", "glob", terms=["capacit* build*", "work?hop", "co-operat*"]))
    r = code_text(cb, "Capacities building, a workshop, co-operation and capacity-building.")
    assert texts_of(r) == ["Capacities building", "workshop", "co-operation"]
    assert code_text(cb, "work-shop and capacity.") == {}


def test_glob_metacharacters_are_literal():
    cb = one_code(Rule("t", "glob", terms=["art.*", "a+b"]))
    assert code_text(cb, "arts and aab") == {}
    assert texts_of(code_text(cb, "a+b")) == ["a+b"]


def test_glob_indonesian():
    cb = one_code(Rule("t", "glob", terms=["pelatih*", "kerja?sama"]))
    r = code_text(cb, "Pelatihan, pelatihnya dan kerjasama.", lang="id")
    assert texts_of(r) == ["Pelatihan", "pelatihnya"]


def test_regex_on_raw_text_case_insensitive():
    cb = one_code(Rule("t", "regex", pattern=r"\bILO\s+C\d{2,3}\b"))
    r = code_text(cb, "Under ilo c150 and ILO\nC81, not ILOC81.")
    assert texts_of(r) == ["ilo c150", "ILO\nC81"]
    cs = one_code(Rule("t", "regex", pattern=r"ILO", case_sensitive=True))
    assert texts_of(code_text(cs, "ilo ILO")) == ["ILO"]


def test_regex_indonesian_and_negative():
    cb = one_code(Rule("t", "regex", pattern=r"pasal\s+\d+"))
    assert texts_of(code_text(cb, "Sesuai Pasal 17 ayat (3).", lang="id")) == ["Pasal 17"]
    assert code_text(cb, "Sesuai ayat (3).", lang="id") == {}


def test_pattern_rule():
    cb = one_code(Rule("t", "pattern", pattern=[[{"LOWER": "technical"}, {"LOWER": {"IN": ["assistance", "cooperation"]}}],
                                                [{"LOWER": "bantuan"}, {"LOWER": "teknis"}]]))
    assert texts_of(code_text(cb, "Technical assistance and technical cooperation.")) == [
        "Technical assistance", "technical cooperation"]
    assert texts_of(code_text(cb, "Bantuan teknis.", lang="id")) == ["Bantuan teknis"]
    assert code_text(cb, "Technical support.") == {}


def test_pattern_rule_with_lemma_and_wildcard():
    cb = one_code(Rule("t", "pattern", pattern=[{"LEMMA": "provide"}, {"OP": "?"}, {"LOWER": "training"}]))
    assert texts_of(code_text(cb, "They provided some training.")) == ["provided some training"]


def test_near_window_and_order():
    rule = Rule("t", "near", groups=[["training", "pelatihan"], ["module*", "modul"]], window=3)
    cb = one_code(rule)
    # window=3: the other term starts at most 3 tokens after the first one's start
    # (fewer than 3 tokens stand between them)
    assert texts_of(code_text(cb, "Training with new modules.")) == ["Training", "modules"]
    assert code_text(cb, "Training with three new modules.") == {}
    assert texts_of(code_text(cb, "Modul pelatihan.", lang="id")) == ["Modul", "pelatihan"]
    ordered = one_code(Rule("t", "near", groups=[["training"], ["module*"]], window=3, ordered=True))
    assert code_text(ordered, "Modules for training.") == {}
    assert texts_of(code_text(ordered, "Training modules.")) == ["Training", "modules"]


def test_all_any_not():
    a = Rule("a", "phrase", terms=["training"])
    b = Rule("b", "phrase", terms=["railway"])
    cb = one_code(Rule("t", "all", rules=[a, Rule("", "not", rules=[b])]))
    assert texts_of(code_text(cb, "Training for staff.")) == ["training".capitalize()]
    assert code_text(cb, "Training for railway staff.") == {}
    both = one_code(Rule("t", "all", rules=[a, Rule("m", "phrase", terms=["module"])]))
    r = code_text(both, "A training module.")
    assert [(t, rid) for t, _, rid in r["c"]] == [("training", "c/a"), ("module", "c/m")]
    assert code_text(both, "A training course.") == {}
    anyr = one_code(Rule("t", "any", rules=[a, b]))
    assert texts_of(code_text(anyr, "railway training")) == ["railway", "training"]
    # a lone `not` never codes a segment
    assert code_text(one_code(Rule("t", "not", rules=[b])), "Nothing here.") == {}


def test_sub_rule_ids_default_to_parent_dot_n():
    cb = one_code(Rule("t", "any", rules=[Rule("", "phrase", terms=["aid"]), Rule("", "phrase", terms=["loan"])]))
    r = code_text(cb, "aid and loan")
    assert [rid for _, _, rid in r["c"]] == ["c/t.1", "c/t.2"]


def test_exclude_span_and_segment_veto():
    party = Rule("p", "phrase", terms=["party"])
    cb = one_code(party, Rule("x", "exclude", terms=["political party"]))
    assert texts_of(code_text(cb, "The political party and each contracting party.")) == ["party"]
    assert code_text(cb, "The political party.") == {}
    seg = one_code(party, Rule("x", "exclude", terms=["train station"], veto="segment"))
    assert code_text(seg, "Each party met at the train station.") == {}
    assert texts_of(code_text(seg, "Each party met.")) == ["party"]


def test_bad_rules_raise_rule_error_naming_code_and_rule():
    bad = [
        Rule("r1", "regex", pattern="(unclosed"),
        Rule("r2", "nosuchkind", terms=["x"]),
        Rule("r3", "phrase", terms=[]),
        Rule("r4", "pattern", pattern=[{"NOSUCHATTR": "x"}]),
        Rule("r5", "not", rules=[]),
        Rule("r6", "near", groups=[["a"]]),
        Rule("r7", "phrase", terms=["x"], negation="maybe"),
        Rule("r8", "exclude", terms=["x"], veto="doc"),
        Rule("r9", "pattern", pattern=[{"POS": "NOUN"}]),
        Rule("r10", "phrase", terms=[2016]),
    ]
    for rule in bad:
        with pytest.raises(RuleError) as ei:
            compile_codebook(Codebook("t", "1", [Code("code.x", "X", rules=[rule])]))
        assert ei.value.code_id == "code.x" and ei.value.rule_id == rule.id
        assert "code 'code.x' rule" in str(ei.value)
    # all problems are listed, not just the first
    with pytest.raises(RuleError) as ei:
        compile_codebook(Codebook("t", "1", [Code("a", "A", rules=[bad[0]]), Code("b", "B", rules=[bad[2]])]))
    assert "also code 'b' rule 'r3'" in str(ei.value)
