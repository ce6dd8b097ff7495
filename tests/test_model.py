"""The value objects: frozen, picklable, offsets checked, deterministic ordering."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.model import (Code, Codebook, Coding, CodingSet, Document, Evidence, FrozenMap, Provenance,
                            Region, Rule, Segment, Source)


def test_document_is_frozen_and_round_trips():
    src = Source(path="a.txt", sha256="0" * 64, media_type="text/plain", extractor="text.v1",
                 extractor_version="1", page_starts=[0, 10], details={"encoding": "utf-8"})
    doc = Document(id="a", text="Hello.\n\nWorld.", lang="en", attributes={"country": "Indonesia"},
                   source=src, regions=[Region("turn", 0, 6, label="A")])
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.text = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        doc.attributes["country"] = "Malaysia"  # type: ignore[index]
    assert Document.from_dict(doc.to_dict()) == doc
    assert pickle.loads(pickle.dumps(doc)) == doc
    assert src.page_of(0) == 1 and src.page_of(9) == 1 and src.page_of(10) == 2


def test_region_outside_text_is_refused():
    with pytest.raises(ValueError, match="outside the text"):
        Document(id="a", text="abc", regions=[Region("turn", 0, 4)])


@given(st.dictionaries(st.text(min_size=1, max_size=5), st.one_of(st.integers(), st.text(max_size=5)),
                       max_size=6))
def test_frozenmap_equality_hash_and_pickle(d):
    fm = FrozenMap(d)
    assert fm == d
    assert hash(fm) == hash(FrozenMap(dict(reversed(list(d.items())))))
    assert pickle.loads(pickle.dumps(fm)) == fm
    assert list(fm) == sorted(d)


def _codebook():
    return Codebook(name="cb", version="1", codes=[
        Code(id="mechanism", name="Mechanisms"),
        Code(id="mechanism.training", name="Training", parent="mechanism",
             rules=[Rule(id="t", kind="phrase", terms=["training"], code_id="mechanism.training")]),
        Code(id="mechanism.training.tot", name="ToT", parent="mechanism.training"),
        Code(id="outcome", name="Outcomes"),
    ])


def test_codebook_tree_queries():
    cb = _codebook()
    assert [c.id for c in cb.roots()] == ["mechanism", "outcome"]
    assert cb.ancestors("mechanism.training.tot") == ("mechanism.training", "mechanism")
    assert cb.descendants("mechanism") == ("mechanism.training", "mechanism.training.tot")
    assert [(d, c.id) for d, c in cb.walk()] == [
        (0, "mechanism"), (1, "mechanism.training"), (2, "mechanism.training.tot"), (0, "outcome")]
    assert cb.get("mechanism.training").rules[0].qualified_id == "mechanism.training/t"
    with pytest.raises(KeyError, match="no code 'nope'"):
        cb.get("nope")


def test_codebook_fingerprint_changes_with_content():
    a, b = _codebook(), _codebook()
    assert a.fingerprint() == b.fingerprint()
    c = dataclasses.replace(a, version="2")
    assert c.fingerprint() != a.fingerprint()


def test_codingset_is_ordered_deduplicated_and_flattens():
    doc = Document(id="d", text="We need training. And money.",
                   source=Source(path="d.txt", sha256="1" * 64, media_type="text/plain",
                                 extractor="text.v1", extractor_version="1"))
    prov = Provenance(method="rule", coder="qualcoop", codebook="cb", codebook_version="1",
                      tool_version="0.1.0", run_id="r")
    c1 = Coding(doc_id="d", start=0, end=17, code_id="mechanism.training", provenance=prov,
                segment_index=0, unit="sentence",
                evidence=[Evidence(8, 16, "training", "mechanism.training/t")])
    c0 = Coding(doc_id="d", start=18, end=28, code_id="outcome", provenance=prov, segment_index=1)
    cs = CodingSet([c0, c1, c1], documents={"d": doc}, codebook=_codebook())
    assert len(cs) == 2 and cs[0] is c1
    rec = cs.to_records()[0]
    assert rec["text"] == "We need training." == doc.text[rec["start"]:rec["end"]]
    assert rec["matched_terms"] == "training" and rec["rule_ids"] == "mechanism.training/t"
    assert rec["code_name"] == "Training" and rec["parent_id"] == "mechanism"
    assert rec["source"] == "d.txt" and rec["negated"] is False
    assert CodingSet([c1, c0]) == CodingSet([c0, c1])


def test_negated_only_when_all_evidence_negated():
    prov = Provenance(method="rule", coder="x")
    ev = [Evidence(0, 2, "no", "a/b", negated=True), Evidence(3, 5, "ok", "a/b", negated=False)]
    assert not Coding("d", 0, 5, "a", prov, evidence=ev).negated
    assert Coding("d", 0, 5, "a", prov, evidence=ev[:1]).negated
    assert not Coding("d", 0, 5, "a", prov).negated


def test_segment_text_in_checks_document():
    doc = Document(id="d", text="abc def")
    seg = Segment(doc_id="d", start=4, end=7, kind="window", index=0)
    assert seg.text_in(doc) == "def"
    with pytest.raises(ValueError):
        seg.text_in(Document(id="e", text="abc def"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**9), st.text(max_size=12), st.booleans()),
                max_size=5))
def test_evidence_json_is_the_json_module_text_and_reads_back(items):
    import json

    from qualcoop.model.coding import evidence_from_json, evidence_json

    ev = [Evidence(s, e, "", r, n) for s, e, r, n in items]
    text = evidence_json(ev)
    assert text == json.dumps([[s, e, r, n] for s, e, r, n in items], ensure_ascii=False, separators=(",", ":"))
    assert [(x.start, x.end, x.rule_id, x.negated) for x in evidence_from_json(text, "")] == [
        (s, e, r, n) for s, e, r, n in items]
