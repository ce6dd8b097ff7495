"""Invariants of the analysis tables on random code trees and codings (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.analysis import (code_cooccurrence, code_frequencies, codings_from_frame, cooccurrence_matrix,
                               matrix_coding)
from qualcoop.model import Code, Codebook, Coding, CodingSet, Document, Evidence, Provenance

TEXT = "Kerja sama ILO.\n\nTraining for workers.\n\nPelatihan teknis dan hibah.\n\nThe end."
SPANS = [(0, 15), (17, 38), (40, 67), (69, 77)]


@st.composite
def coded(draw):
    n = draw(st.integers(1, 7))
    parents = [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, n)]
    codes = tuple(Code(id=f"c{i}", name=f"Code {i}", parent=None if p is None else f"c{p}")
                  for i, p in enumerate(parents))
    cb = Codebook(name="cb", version="1", codes=codes)
    n_docs = draw(st.integers(1, 3))
    docs = {f"d{k}": Document(id=f"d{k}", text=TEXT, attributes={"type": draw(st.sampled_from(["mou", "report"]))})
            for k in range(n_docs)}
    prov = Provenance(method="rule", coder="t")
    codings = []
    for _ in range(draw(st.integers(0, 25))):
        d = draw(st.sampled_from(sorted(docs)))
        k = draw(st.integers(0, len(SPANS) - 1))
        s, e = SPANS[k]
        cid = draw(st.sampled_from([c.id for c in codes]))
        w = TEXT[s:e].split()[0]
        ev = Evidence(s, s + len(w), w, f"{cid}/r")
        codings.append(Coding(d, s, e, cid, prov, segment_index=k, unit="paragraph",
                              speaker=draw(st.sampled_from([None, "A", "B"])), evidence=(ev,)))
    return CodingSet(codings, documents=docs, codebook=cb)


@settings(max_examples=80, deadline=None)
@given(coded())
def test_rollups_equal_own_plus_children(cs):
    up = code_frequencies(cs).set_index("code_id")
    own = code_frequencies(cs, rollup=False).set_index("code_id")
    cb = cs.codebook
    for code in cb.codes:
        kids = [c.id for c in cb.children(code.id)]
        assert up.loc[code.id, "codings"] == own.loc[code.id, "codings"] + sum(up.loc[k, "codings"] for k in kids)
        # segments and documents are unions: at least the largest part, at most the sum of the parts
        for col in ("segments", "documents", "words"):
            parts = [own.loc[code.id, col]] + [up.loc[k, col] for k in kids]
            assert max(parts) <= up.loc[code.id, col] <= sum(parts)
    roots = [c.id for c in cb.roots()]
    assert sum(up.loc[r, "codings"] for r in roots) == len(cs)


@settings(max_examples=60, deadline=None)
@given(coded(), st.sampled_from(["type", "speaker"]))
def test_groups_add_up_to_the_whole(cs, by):
    whole = code_frequencies(cs).set_index("code_id")["codings"]
    split = code_frequencies(cs, by=by).groupby("code_id")["codings"].sum()
    # a code with no group (e.g. no codings at all) sums to 0 over its groups
    assert split.reindex(whole.index, fill_value=0).tolist() == whole.tolist()
    m = matrix_coding(cs, by)
    assert m.groupby("code_id")["codings"].sum().reindex(whole.index, fill_value=0).tolist() == whole.tolist()
    assert all(len(ids) == n for ids, n in zip(m["segment_ids"], m["segments"]))


@settings(max_examples=80, deadline=None)
@given(coded(), st.integers(0, 3), st.booleans())
def test_cooccurrence_is_symmetric(cs, window, rollup):
    co = code_cooccurrence(cs, window=window, rollup=rollup)
    for value in ("n_ab", "jaccard", "lift", "chi2", "p_value"):
        m = cooccurrence_matrix(co, value=value).to_numpy()
        assert (abs(m - m.T) < 1e-9).all()
    diag = co[co["code_a"] == co["code_b"]]
    assert (diag["n_ab"] == diag["n_a"]).all()
    assert ((co["n_ab"] <= co[["n_a", "n_b"]].min(axis=1)) & (co["jaccard"] <= 1)).all()
    if window == 0 and not rollup:
        assert co["n_units"].iloc[0] == len({(c.doc_id, c.start, c.end) for c in cs}) if len(co) else True


@settings(max_examples=50, deadline=None)
@given(coded(), st.booleans())
def test_coded_table_round_trip(cs, with_documents):
    back = codings_from_frame(cs.to_frame(), documents=cs.documents if with_documents else (),
                              codebook=cs.codebook)
    assert [(c.doc_id, c.start, c.end, c.code_id, c.segment_index, c.speaker, c.evidence) for c in back] == \
        [(c.doc_id, c.start, c.end, c.code_id, c.segment_index, c.speaker, c.evidence) for c in cs]
    for c in back:
        assert back.documents[c.doc_id].text[c.start:c.end] == cs.documents[c.doc_id].text[c.start:c.end]
