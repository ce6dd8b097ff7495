"""The fixes that make coding linear in segment length keep the results (issue 10 item 4)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.match.compile import resolve_overlaps
from qualcoop.model import Code, Codebook, Document, Rule


def _reference(matches):
    kept = []
    for m in sorted(set(matches), key=lambda m: (m[0] - m[1], m[0], m[2], m[3], m[4])):
        s, e = m[0], m[1]
        if all(e <= k[0] or k[1] <= s for k in kept):
            kept.append(m)
    return kept


match = st.tuples(st.integers(0, 60), st.integers(0, 12), st.sampled_from(["r1", "r2"]), st.integers(0, 3),
                  st.booleans()).map(lambda t: (t[0], t[0] + t[1], t[2], t[3], t[4]))


@settings(max_examples=300, deadline=None)
@given(st.lists(match, max_size=40))
def test_resolve_overlaps_equals_the_quadratic_reference(matches):
    assert resolve_overlaps(matches) == _reference(matches)


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
