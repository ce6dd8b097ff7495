"""Word windows."""

from __future__ import annotations

import pytest

from qualcoop.errors import SegmentationError
from qualcoop.model import Document, Region
from qualcoop.segment import segment
from qualcoop.segment.windows import segment_windows


def _wins(text: str, **kw) -> list[str]:
    doc = Document(id="w", text=text)
    return [text[s.start:s.end] for s in segment_windows(doc, **kw)]


def test_adjacent_rolling_and_gapped_windows():
    text = "  a b\tc\n\nd e 😀f  "
    assert _wins(text, size=2) == ["a b", "c\n\nd", "e 😀f"]
    assert _wins(text, size=4) == ["a b\tc\n\nd", "e 😀f"]
    assert _wins(text, size=3, step=1) == ["a b\tc", "b\tc\n\nd", "c\n\nd e", "d e 😀f"]
    assert _wins(text, size=1, step=2) == ["a", "c", "e"]
    assert _wins(text, size=10) == ["a b\tc\n\nd e 😀f"]
    assert _wins(" \n ", size=2) == []


def test_default_size_is_200_words():
    text = " ".join(f"w{i}" for i in range(450))
    wins = _wins(text)
    assert [len(w.split()) for w in wins] == [200, 200, 50]
    assert wins[1].split()[0] == "w200"


def test_within_paragraph_and_turn():
    text = "one two three\n\nfour five"
    assert _wins(text, size=2, within="paragraph") == ["one two", "three", "four five"]
    regions = (Region("turn", 0, 13, "A"), Region("turn", 15, 24, "B"))
    doc = Document(id="t", text=text, regions=regions)
    got = [(s.speaker, text[s.start:s.end]) for s in segment(doc, "window", size=2, within="turn")]
    assert got == [("A", "one two"), ("A", "three"), ("B", "four five")]


@pytest.mark.parametrize("kw", [{"size": 0}, {"size": -3}, {"step": 0}, {"size": 2.5}, {"size": True},
                                {"within": "sentence"}])
def test_bad_options(kw):
    with pytest.raises(SegmentationError):
        segment_windows(Document(id="x", text="a b"), **kw)


def test_unknown_option_is_a_type_error():
    with pytest.raises(TypeError):
        segment(Document(id="x", text="a b"), "window", sise=3)


def test_real_speech_window_count(shared):
    path = sorted((shared / "policy_docs" / "ungdc_indonesia").glob("IDN_*.txt"))[0]
    text = path.read_text(encoding="utf-8")
    doc = Document(id="idn", text=text, lang="en")
    wins = segment_windows(doc, size=100)
    n_words = len(text.split())
    assert len(wins) == -(-n_words // 100)
    assert [w for s in wins for w in text[s.start:s.end].split()] == text.split()
