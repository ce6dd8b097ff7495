"""Invariants every segmenter keeps, on generated documents (tests/strategies.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import documents, texts

from qualcoop.model import Document
from qualcoop.segment import segment

UNITS = ("document", "turn", "paragraph", "sentence", "article", "window")
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_invariants(doc: Document, segs: tuple, *, may_overlap: bool = False) -> None:
    text = doc.text
    assert [s.index for s in segs] == list(range(len(segs)))
    prev_start, prev_end = -1, 0
    for s in segs:
        assert s.doc_id == doc.id
        assert 0 <= s.start < s.end <= len(text), s
        assert not text[s.start].isspace() and not text[s.end - 1].isspace(), (s, text[s.start:s.end])
        assert s.start >= prev_start
        if not may_overlap:
            assert s.start >= prev_end, (s, segs)
        prev_start, prev_end = s.start, s.end


@pytest.mark.parametrize("unit", UNITS)
@_SETTINGS
@given(doc=documents())
def test_every_unit_keeps_the_invariants(unit, doc):
    before = doc.text
    segs = segment(doc, unit)
    check_invariants(doc, segs)
    assert doc.text == before
    assert segment(doc, unit) == segs  # deterministic
    if doc.text.strip():
        assert segs, f"{unit}: no segment for a text with content"
    else:
        assert segs == ()


@_SETTINGS
@given(doc=documents())
def test_paragraphs_cover_every_non_space_character_but_speaker_labels(doc):
    text = doc.text
    covered = bytearray(len(text))
    for s in segment(doc, "paragraph"):
        covered[s.start:s.end] = b"\x01" * (s.end - s.start)
    missing = "".join(ch if not covered[i] else "\0" for i, ch in enumerate(text))
    runs = [r.strip() for r in missing.split("\0") if r.strip()]
    # the only text left out: "Speaker:" labels written just before a turn region that excludes them
    starts = {r.start for r in doc.regions_of("turn")}
    labels = {f"{r.label}:" for r in doc.regions_of("turn")}
    assert all(run in labels for run in runs), runs
    for run in runs:
        at = missing.index(run)
        assert any(text[at + len(run):st].strip() == "" for st in starts if st >= at + len(run))


@_SETTINGS
@given(doc=documents())
def test_sentences_and_windows_nest_in_paragraphs(doc):
    paras = segment(doc, "paragraph")
    for unit, opts in (("sentence", {}), ("window", {"within": "paragraph", "size": 3})):
        for s in segment(doc, unit, **opts):
            holder = [p for p in paras if p.start <= s.start and s.end <= p.end]
            assert len(holder) == 1, (unit, s)
            assert s.speaker == holder[0].speaker and s.section == holder[0].section


@_SETTINGS
@given(doc=documents(turns=True))
def test_turns_follow_regions_and_speakers(doc):
    turns = segment(doc, "turn")
    regions = doc.regions_of("turn")
    assert all(t.kind == "turn" for t in turns)
    for t in turns:
        r = next(r for r in regions if r.start <= t.start and t.end <= r.end)
        assert t.speaker == r.label and t.start_time == r.start_time and t.end_time == r.end_time
    # paragraphs never cross a turn boundary
    for p in segment(doc, "paragraph"):
        inside = [r for r in regions if r.start <= p.start and p.end <= r.end]
        crossing = [r for r in regions if p.start < r.start < p.end or p.start < r.end < p.end]
        assert not crossing, (p, crossing)
        assert p.speaker == (inside[0].label if inside else None)


@_SETTINGS
@given(text=texts(), size=st.integers(1, 7), step=st.integers(1, 9))
def test_windows_hold_every_word_once_when_adjacent(text, size, step):
    doc = Document(id="w", text=text)
    wins = segment(doc, "window", size=size)
    joined = [w for s in wins for w in text[s.start:s.end].split()]
    assert joined == text.split()
    assert all(len(text[s.start:s.end].split()) == size for s in wins[:-1])
    rolling = segment(doc, "window", size=size, step=step)
    check_invariants(doc, rolling, may_overlap=step < size)
    words = text.split()
    assert [text[s.start:s.end].split()[0] for s in rolling] == words[::step][: len(rolling)]
