"""Page furniture left out of every unit's segments: invariants on generated documents."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import documents

from qualcoop.model import Region
from qualcoop.segment import UNITS, segment
from qualcoop.segment.furniture import furniture_spans, inside


@st.composite
def _with_furniture(draw: st.DrawFn):
    doc = draw(documents())
    n = len(doc.text)
    spans = draw(st.lists(st.tuples(st.integers(0, max(n - 1, 0)), st.integers(1, 40)), max_size=4))
    regions = [Region(draw(st.sampled_from(["header", "footer"])), s, min(n, s + k)) for s, k in spans if n]
    return dataclasses.replace(doc, regions=(*doc.regions, *[r for r in regions if r.end > r.start]))


@settings(max_examples=60, deadline=None)
@given(_with_furniture(), st.sampled_from([u for u in UNITS if u != "sentence"]))
def test_segments_avoid_furniture(doc, unit):
    kept = segment(doc, unit, keep_furniture=True)
    got = segment(doc, unit)
    spans = furniture_spans(doc)
    assert [s.index for s in got] == list(range(len(got)))
    for s in got:
        assert 0 <= s.start < s.end <= len(doc.text)
        # never starts or ends inside furniture, never is furniture
        assert not inside(spans, s.start, s.start + 1)
        assert not inside(spans, s.end - 1, s.end)
        assert not doc.text[s.start].isspace() and not doc.text[s.end - 1].isspace()
        # a piece of a segment the segmenter made
        assert any(k.start <= s.start and s.end <= k.end for k in kept)
    if not spans:
        assert got == kept
