"""The fixes that make coding linear in segment length keep the results (issue 10 item 4).

Overlap resolution against the quadratic algorithm it replaced: tests/match/test_budget.py."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.model import Code, Codebook, Document, Rule


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["training", "funding", "ILO", "the", "and", "workers", "x"]), max_size=120),
       st.integers(1, 6), st.booleans())
def test_near_on_one_long_segment_matches_per_paragraph_truth(words, window, ordered):
    """A near rule over one long segment finds exactly the spans a brute-force search finds."""
    from qualcoop.match import apply_codebook

    text = " ".join(words)
    cb = Codebook("n", "1", [Code("c", "C", rules=[Rule("r", "near", groups=[["training"], ["funding", "ILO"]],
                                                        window=window, ordered=ordered)])], languages=("en",))
    got = apply_codebook([Document("d", text, lang="en")], cb, unit="document")
    spans = sorted({(e.start, e.end) for c in got for e in c.evidence})
    # brute force over word positions
    pos, i = [], 0
    for w in words:
        pos.append((i, i + len(w), w))
        i += len(w) + 1
    a = [k for k, p in enumerate(pos) if p[2] == "training"]
    b = [k for k, p in enumerate(pos) if p[2] in ("funding", "ILO")]
    want = set()
    for x in a:
        for y in b:
            if (not ordered or x < y) and abs(x - y) - 1 < window:
                want.update({pos[x][:2], pos[y][:2]})
    assert spans == sorted(want)
