"""Analysis functions on a tiny hand-made coded corpus: every expected number is counted by hand.

The corpus (see tiny.py): mou p0 {actor.io, actor.gov, mech.training}, mou p1 {mech.funding},
int p0 {actor.io} (Interviewer), int p1 {mech.training, mech.funding} (Ibu Sari).
Words: mou p0 8, mou p1 4, int p0 6, int p1 7 (25 in all coded segments).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tiny import EVIL, INT, MOU, coding_set, paragraphs  # noqa: E402

from qualcoop.analysis import (  # noqa: E402
    code_cooccurrence, code_frequencies, codebook_coverage, cooccurrence_matrix,
                               exemplars, kwic, kwic_evidence, matrix_coding, matrix_table, rule_frequencies)
from qualcoop.errors import AnalysisError  # noqa: E402
from qualcoop.model import Coding, CodingSet, Document, Evidence, Provenance  # noqa: E402


def _row(frame, **where):
    part = frame
    for k, v in where.items():
        part = part[part[k] == v]
    assert len(part) == 1, where
    return part.iloc[0]


def test_frequencies_rolled_up():
    f = code_frequencies(coding_set())
    assert list(f["code_id"]) == ["actor", "actor.io", "actor.gov", "mech", "mech.training", "mech.funding",
                                  "outcome"]
    got = {r.code_id: (r.codings, r.segments, r.documents, r.words) for r in f.itertuples()}
    assert got == {
        "actor": (3, 2, 2, 14), "actor.io": (2, 2, 2, 14), "actor.gov": (1, 1, 1, 8),
        "mech": (4, 3, 2, 19), "mech.training": (2, 2, 2, 15), "mech.funding": (2, 2, 2, 11),
        "outcome": (0, 0, 0, 0),
    }
    mech = _row(f, code_id="mech")
    assert mech.segment_share == pytest.approx(3 / 4)
    assert mech.document_share == pytest.approx(1.0)
    assert mech.word_share == pytest.approx(19 / 25)
    assert _row(f, code_id="actor.io").code_name == EVIL
    assert _row(f, code_id="actor.io").depth == 1 and _row(f, code_id="actor.io").parent_id == "actor"


def test_frequencies_without_rollup_and_without_empty_codes():
    f = code_frequencies(coding_set(), rollup=False, include_empty=False)
    assert list(f["code_id"]) == ["actor.io", "actor.gov", "mech.training", "mech.funding"]
    assert list(f["codings"]) == [2, 1, 2, 2]


def test_frequencies_by_document_attribute():
    f = code_frequencies(coding_set(), by="type")
    assert list(f.columns[:2]) == ["type", "code_id"]
    assert sorted(set(f["type"])) == ["interview", "mou"]
    mou_actor = _row(f, type="mou", code_id="actor")
    assert (mou_actor.codings, mou_actor.segments, mou_actor.documents) == (2, 1, 1)
    assert mou_actor.segment_share == pytest.approx(1 / 2)  # mou has 2 coded segments
    mou_mech = _row(f, type="mou", code_id="mech")
    assert (mou_mech.codings, mou_mech.segments, mou_mech.words) == (2, 2, 12)
    int_mech = _row(f, type="interview", code_id="mech")
    assert (int_mech.codings, int_mech.segments, int_mech.words) == (2, 1, 7)
    assert int_mech.word_share == pytest.approx(7 / 13)


def test_frequencies_by_speaker_and_year():
    f = code_frequencies(coding_set(), by="speaker", include_empty=False)
    assert sorted(set(f["speaker"])) == ["(none)", "Ibu Sari", "Interviewer"]
    assert _row(f, speaker="Ibu Sari", code_id="mech").codings == 2
    assert _row(f, speaker="Interviewer", code_id="actor.io").segments == 1
    y = code_frequencies(coding_set(), by="year", include_empty=False)
    assert sorted(set(y["year"])) == ["(none)", "2017"]  # year from the mou's date; interview has none
    assert _row(y, year="2017", code_id="actor").codings == 2
    two = code_frequencies(coding_set(), by=["type", "speaker"], include_empty=False)
    assert _row(two, type="interview", speaker="Ibu Sari", code_id="mech.funding").codings == 1


def test_unknown_attribute_names_it():
    with pytest.raises(AnalysisError, match=r"'tipe'.*known attributes: .*type"):
        code_frequencies(coding_set(), by="tipe")


def test_cooccurrence_within_segment():
    co = code_cooccurrence(coding_set())
    pair = _row(co, code_a="actor.io", code_b="actor.gov")
    assert (pair.n_a, pair.n_b, pair.n_ab, pair.n_units) == (2, 1, 1, 4)
    assert pair.jaccard == pytest.approx(0.5)
    assert pair.lift == pytest.approx(2.0)
    # 2x2 table a=1 b=1 c=0 d=2: chi2 = 4 * (1*2 - 1*0)^2 / (2*2*1*3)
    assert pair.chi2 == pytest.approx(16 / 12)
    tf = _row(co, code_a="mech.training", code_b="mech.funding")
    assert (tf.n_ab, tf.jaccard, tf.lift) == (1, pytest.approx(1 / 3), pytest.approx(1.0))
    assert _row(co, code_a="actor.io", code_b="mech.funding").n_ab == 0
    m = cooccurrence_matrix(co)
    assert list(m.index) == ["actor.io", "actor.gov", "mech.training", "mech.funding"]
    assert (m.to_numpy() == m.to_numpy().T).all()
    assert m.loc["actor.io", "actor.io"] == 2


def test_cooccurrence_window_and_rollup():
    co = code_cooccurrence(coding_set(), window=1)
    # with +-1 paragraph every unit sees its document's neighbour: all 4 units have io and funding
    assert _row(co, code_a="actor.io", code_b="mech.funding").n_ab == 4
    assert _row(co, code_a="actor.gov", code_b="actor.gov").n_ab == 2  # both mou units
    up = code_cooccurrence(coding_set(), rollup=True)
    assert _row(up, code_a="actor", code_b="mech").n_ab == 1  # only mou p0 has both trees
    with pytest.raises(AnalysisError):
        code_cooccurrence(coding_set(), window=-1)


def test_matrix_coding_with_segment_ids():
    cs = coding_set()
    m = matrix_coding(cs, "type")
    p = paragraphs(MOU)
    q = paragraphs(INT)
    cell = _row(m, code_id="mech", value="mou")
    assert cell.segments == 2 and cell.codings == 2
    assert cell.segment_ids == (f"mou:{p[0][0]}-{p[0][1]}", f"mou:{p[1][0]}-{p[1][1]}")
    assert _row(m, code_id="actor.io", value="interview").segment_ids == (f"int:{q[0][0]}-{q[0][1]}",)
    assert _row(m, code_id="outcome", value="mou").segment_ids == ()
    wide = matrix_table(m)
    assert list(wide.columns) == ["interview", "mou"]
    assert wide.loc["mech"].tolist() == [1, 2]
    assert wide.loc["actor.gov"].tolist() == [0, 1]


def test_kwic_terms_and_context():
    cs = coding_set()
    k = kwic([cs.documents["int"], cs.documents["mou"]], "ILO", window=2)
    assert list(k["doc_id"]) == ["int", "mou"]
    assert list(k["left"]) == ["Did the ", "The "]
    assert list(k["right"]) == [" train you", " and the"]
    for r in k.itertuples():
        text = cs.documents[r.doc_id].text
        assert text[r.start:r.end] == r.keyword
        assert text[r.context_start:r.start] == r.left and text[r.end:r.context_end] == r.right
    stems = kwic(cs, "train*")
    assert sorted(stems["keyword"]) == ["train", "training", "training"]
    assert len(kwic(cs, "ilo", case_sensitive=True)) == 0
    assert list(kwic(cs, r"fund\w+", regex=True)["keyword"]) == ["Funding", "funding"]  # mou first


def test_kwic_evidence():
    k = kwic_evidence(coding_set(), code_id="mech.training", window=1)
    assert list(k["keyword"]) == ["training", "agree on training"]
    assert list(k["left"]) == ["Yes, ", "Ministry "]
    assert set(k["rule_id"]) == {"mech.training/terms"}
    assert len(kwic_evidence(coding_set(), code_id="mech", rollup=True)) == 4
    assert len(kwic_evidence(coding_set(), rule_id="acr")) == 2


def test_exemplars_scores_and_citation():
    ex = exemplars(coding_set(), per_code=2, codes=["mech.funding"])
    # mou p1: 1 term (0.5/3), alone (0.25), 4 words (0.25*4/20) = 0.4667
    # int p1: 1 term, 2 codes (0.125), 7 words (0.25*7/20)        = 0.3792
    assert list(ex["doc_id"]) == ["mou", "int"]
    assert list(ex["score"]) == [pytest.approx(0.5 / 3 + 0.25 + 0.05, abs=1e-6),
                                 pytest.approx(0.5 / 3 + 0.125 + 0.0875, abs=1e-6)]
    assert ex.iloc[0].citation == "MoU <b>bold</b> (2017-03-14), paragraph 2, p. 2"
    assert ex.iloc[1].citation == "Interview, paragraph 2, speaker: Ibu Sari"
    assert ex.iloc[0].text == "Funding comes from donors."


def test_exemplars_spread_across_documents():
    prov = Provenance(method="rule", coder="t")
    text = "alpha beta gamma. " * 3
    a = Document(id="a", text=text)
    b = Document(id="b", text="alpha in report b.")  # 4 words: substantive enough to be quoted

    def c(doc, s, e, terms):
        return Coding(doc.id, s, e, "x", prov, evidence=tuple(
            Evidence(doc.text.index(t, s), doc.text.index(t, s) + len(t), t, "x/r") for t in terms))

    cs = CodingSet([c(a, 0, 17, ["alpha", "beta", "gamma"]), c(a, 18, 35, ["alpha", "beta", "gamma"]),
                    c(b, 0, 18, ["alpha"])], documents={"a": a, "b": b})
    ex = exemplars(cs, per_code=2)
    assert list(ex["doc_id"]) == ["a", "b"]  # the second "a" passage scores higher but "b" is a new source


def test_coverage_and_rule_frequencies():
    cs = coding_set()
    rules = rule_frequencies(cs)
    got = {r.rule_id: r.matches for r in rules.itertuples()}
    assert got == {"actor.io/acr": 2, "actor.gov/terms": 2, "actor.gov/unused": 0, "mech.training/terms": 2,
                   "mech.funding/terms": 2}
    cov = codebook_coverage(cs)
    assert [tuple(r) for r in cov[["issue", "code_id", "rule_id", "term", "other_codes"]].itertuples(index=False)] \
        == [("code_never_applied", "outcome", None, None, None),
            ("rule_never_fired", "actor.gov", "actor.gov/unused", None, None),
            ("shared_term", "actor.gov", "actor.gov/unused", "training", "mech.training")]
