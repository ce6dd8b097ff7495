"""Speaker turns from turn regions, and the fallback for documents without them."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from qualcoop.errors import SegmentationError
from qualcoop.model import Document, Region
from qualcoop.segment import segment
from qualcoop.segment.turns import segment_turns


def test_turns_copy_speaker_and_times_and_strip():
    text = "A:  hello there \n\nB:\n\n   \nC: bye\n"
    regions = (Region("turn", 2, 16, "A", 0.5, 2.0), Region("turn", 20, 26, "B"),
               Region("turn", 28, 33, "C", 3.0, 4.25))
    doc = Document(id="d", text=text, regions=regions)
    segs = segment_turns(doc)
    assert [(s.speaker, text[s.start:s.end], s.start_time, s.end_time) for s in segs] == [
        ("A", "hello there", 0.5, 2.0), ("C", "bye", 3.0, 4.25)]  # B's turn is empty: dropped
    assert [s.index for s in segs] == [0, 1] and {s.kind for s in segs} == {"turn"}


def test_overlapping_regions_are_clipped():
    text = "one two three four"
    regions = (Region("turn", 0, 13, "X"), Region("turn", 8, 18, "Y"))
    doc = Document(id="d", text=text, regions=regions)
    assert [(s.speaker, text[s.start:s.end]) for s in segment_turns(doc)] == [
        ("X", "one two three"), ("Y", "four")]


def test_no_turns_falls_back():
    doc = Document(id="policy", text="Article 1\nScope.\n\nThe Parties agree.")
    paras = segment(doc, "turn")
    assert [s.kind for s in paras] == ["paragraph", "paragraph", "paragraph"]
    assert paras == segment(doc, "paragraph")
    whole = segment_turns(doc, fallback="document")
    assert [(s.kind, s.start, s.end) for s in whole] == [("document", 0, len(doc.text))]
    with pytest.raises(SegmentationError, match="policy.*no speaker turns"):
        segment_turns(doc, fallback="error")
    with pytest.raises(SegmentationError, match="unknown turn fallback"):
        segment_turns(doc, fallback="sentence")


def test_real_interview_turns(shared):
    # cproctor/qualitative-coding admin-1.txt: 86 labelled turns at line starts
    # (1 "Automation", 30 "Max Bigman", 55 "admin-1"; counted with grep)
    path = shared / "transcripts" / "qc_demo_coded_interviews" / "admin-1.txt"
    text = path.read_text(encoding="utf-8")
    labels = list(re.finditer(r"(?m)^(Automation|Max Bigman|admin-1):[ \t]+", text))
    regions = tuple(Region("turn", m.end(), nxt.start() if nxt else len(text), m.group(1))
                    for m, nxt in zip(labels, labels[1:] + [None]))
    doc = Document(id="admin-1", text=text, regions=regions, lang="en")
    turns = segment_turns(doc)
    assert Counter(t.speaker for t in turns) == {"Automation": 1, "Max Bigman": 30, "admin-1": 55}
    assert text[turns[0].start:turns[0].end] == "This call is now being recorded."
    assert text[turns[2].start:turns[2].end] == "Sure."
    # hard-wrapped lines stay in their turn; paragraphs inside turns carry the speaker
    assert "[Pallis \n00:00:52]" in text[turns[4].start:turns[4].end]
    # every turn is one paragraph here (no blank line inside a turn); the labels are no paragraphs
    paras = segment(doc, "paragraph")
    assert [(p.start, p.end, p.speaker) for p in paras] == [(t.start, t.end, t.speaker) for t in turns]
