"""One budget for every user pattern in the rule engine (issue 15 items 2, 8, 9)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.match import apply_codebook, compile_codebook
from qualcoop.match.compile import resolve_overlaps
from qualcoop.model import Code, Codebook, Document, Rule, Segment
from qualcoop.pipeline import code_documents


def _cb(*rules: Rule) -> Codebook:
    return Codebook("x", "1", [Code("c", "C", rules=list(rules))])


def _seg(doc: Document) -> Segment:
    return Segment(doc.id, 0, len(doc.text), "paragraph", 0)


# --------------------------------------------------------------------------- spaCy REGEX


def test_spacy_regex_attribute_runs_within_the_budget():
    """`[{TEXT: {REGEX: "^(a+)+$"}}]` against a 34-character token ran past 180 s in spaCy's Matcher
    (Python `re`); the `regex` module shrugs that one off, so the test uses one that defeats it too."""
    cc = compile_codebook(_cb(Rule("p", "pattern", pattern=[{"TEXT": {"REGEX": "^(a|aa)+$"}}])),
                          regex_timeout=0.05, max_timeouts=2)
    doc = Document("d", "a" * 40 + "b and more " + "a" * 41 + "c", lang="en")
    assert cc.code_segment(doc, _seg(doc), "en") == []
    assert cc.take_timeouts() == {"c/p": 2}  # both tokens timed out; the third would not run


def test_spacy_regex_attribute_still_matches_like_spacy():
    rule = Rule("p", "pattern", pattern=[{"LOWER": {"REGEX": "^capacit"}}, {"LOWER": "building"}])
    doc = Document("d", "Capacity building and capacities building, not capability building.", lang="en")
    for prefilter in (True, False):
        got = compile_codebook(_cb(rule), prefilter=prefilter).code_segment(doc, _seg(doc), "en")
        assert [e.text for e in got[0].evidence] == ["Capacity building", "capacities building"]


def test_spacy_regex_bomb_is_refused_at_compile_time():
    from qualcoop.codebook.validate import check_token_patterns

    msgs = check_token_patterns([{"LOWER": {"REGEX": "((((a{100}){100}){100}){100})"}}])
    assert any("MAX_REGEX_PROGRAM" in m for m in msgs)


# --------------------------------------------------------------------------- budgets per run


def _slow_docs(n: int) -> list[Document]:
    return [Document(f"d{i}", "a" * 28 + "!", lang="en") for i in range(n)]


def test_timeouts_are_counted_per_run_not_per_document():
    """Through the CLI (code_documents) the time-out count reset per document: 31 documents with one
    bad rule took 38-40 s against 5.5 s through the API, and the warning said '5 segment(s)' when 156
    timed out."""
    cc = compile_codebook(_cb(Rule("r", "regex", pattern="(a|aa)+$")), regex_timeout=0.01, max_timeouts=3)
    codings, failures = code_documents(_slow_docs(12), cc, unit="document")
    assert not failures and len(codings) == 0
    assert cc.timeouts["c/r"] == 3  # switched off after 3 for the rest of the run
    assert list(codings.warnings) == [
        "regex rule 'c/r' ran out of its 0.01 s budget on 3 segment(s); it did not match there; "
        "after 3 time-outs it was not run on the remaining segments"]


def test_aggregated_warning_counts_every_timeout():
    cc = compile_codebook(_cb(Rule("r", "regex", pattern="(a|aa)+$")), regex_timeout=0.005, max_timeouts=100)
    codings, _ = code_documents(_slow_docs(6), cc, unit="document")
    assert cc.timeouts["c/r"] == 6
    assert "on 6 segment(s)" in codings.warnings[0]


def test_api_reports_timeouts_since_last_call_but_keeps_the_budget():
    cc = compile_codebook(_cb(Rule("r", "regex", pattern="(a|aa)+$")), regex_timeout=0.005, max_timeouts=2)
    first = apply_codebook(_slow_docs(1), cc, unit="document")
    second = apply_codebook(_slow_docs(3), cc, unit="document")
    assert "on 1 segment(s)" in first.warnings[0]
    assert "on 1 segment(s)" in second.warnings[0] and cc.timeouts["c/r"] == 2


# --------------------------------------------------------------------------- overlaps


def _old_resolve(matches):
    if len(matches) <= 1:
        return matches
    kept = []
    for m in sorted(set(matches), key=lambda m: (m[0] - m[1], m[0], m[2], m[3], m[4])):
        s, e = m[0], m[1]
        if all(e <= k[0] or k[1] <= s for k in kept):
            kept.append(m)
    return kept


_match = st.tuples(st.integers(0, 40), st.integers(0, 12), st.integers(0, 3), st.sampled_from(["c/a", "c/b"]),
                   st.booleans()).map(lambda t: (t[0], t[0] + t[1], t[2], t[3], t[4]))


@settings(max_examples=500, deadline=None)
@given(st.lists(_match, max_size=40))
def test_overlap_resolution_equals_the_quadratic_algorithm(matches):
    assert resolve_overlaps(list(matches)) == _old_resolve(list(matches))


def test_overlap_resolution_scales():
    """`\\w+` on 1 MB coded as one document ran past 600 s (1.66e9 comparisons on 3 MB)."""
    n = 200_000
    matches = [(i * 5, i * 5 + 4, 1, "c/r", False) for i in range(n)] + [(i * 5 + 2, i * 5 + 3, 2, "c/r", False)
                                                                         for i in range(n)]
    kept = resolve_overlaps(matches)
    assert len(kept) == n and all(e - s == 4 for s, e, *_ in kept)


def test_regex_rule_on_a_long_single_document():
    cc = compile_codebook(_cb(Rule("w", "regex", pattern=r"\w+")))
    doc = Document("d", "word " * 60_000, lang="en")
    got = cc.code_segment(doc, _seg(doc), "en")
    assert len(got[0].evidence) == 60_000


def test_many_bad_rules_share_one_run_budget(monkeypatch):
    """50 bad rules ran past 600 s: each spent its own budget. After MAX_RUN_TIMEOUTS time-outs in the
    run, every rule that has timed out is off."""
    monkeypatch.setenv("QUALCOOP_MAX_RUN_TIMEOUTS", "6")
    rules = [Rule(f"r{i}", "regex", pattern=f"(a|aa)+{'$' * (i + 1)}") for i in range(4)]
    cc = compile_codebook(_cb(*rules), regex_timeout=0.005, max_timeouts=20)
    codings, _ = code_documents(_slow_docs(10), cc, unit="document")
    total = sum(cc.timeouts.values())
    assert 6 <= total <= 6 + len(rules) - 1  # not 4 rules x 10 documents
    assert all("MAX_RUN_TIMEOUTS" in m for m in codings.warnings)
