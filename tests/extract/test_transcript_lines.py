"""Line spans and the transcript hint's cheap pre-test agree with the patterns they stand for."""

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.extract.transcript import _HINT_LINE, _LINE_BREAK, _lines, transcript_hint

_BREAKS = list("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029") + ["\r\n"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_BREAKS), st.text(alphabet="ab \t:", max_size=4)), max_size=12))
def test_line_spans_are_the_text_between_line_breaks(parts):
    text = "".join(parts)
    expected, pos = [], 0
    for m in _LINE_BREAK.finditer(text):
        expected.append((pos, m.start()))
        pos = m.end()
    expected.append((pos, len(text)))
    assert _lines(text) == expected


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(list("Kik Budi()[]*>:-–— \t.'") + ["**", " - ", " > ", "Kiki"]), max_size=14))
def test_every_label_line_passes_the_pre_test(parts):
    line = "".join(parts)
    # transcript_hint skips lines without ":" or a spaced dash or ">" before matching _HINT_LINE
    if _HINT_LINE.match(line):
        assert ":" in line or any(s in line for s in ("- ", "– ", "— ", "> "))


def test_the_hint_still_sees_labels_after_the_pre_test():
    assert transcript_hint("KIKI - halo semua\nBUDI - halo\n" * 3) == "6 lines that start with the labels 'BUDI', 'KIKI'"
    assert transcript_hint("Kiki > halo\nBudi > ya\n" * 3) is not None
