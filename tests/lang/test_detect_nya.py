"""The fast count of -nya words equals the regular expression it replaced."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.lang.detect import MARKERS, _counts, _nya_words, detect_language

_OLD = re.compile(r"[^\W\d_]{2,}nya\b", re.IGNORECASE)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("anyNYAb_1 -xé½İ\n")), max_size=30))
def test_nya_count_equals_the_old_pattern(text):
    assert _nya_words(text) == len(_OLD.findall(text))


def test_nya_words_tip_a_short_indonesian_text():
    assert _nya_words("Programnya bagus, pelatihannya juga. Nya nya.") == 2
    assert detect_language("Programnya bagus, pelatihannya juga")[0] == "id"


_MARKER_WORDS = sorted({w for m in MARKERS.values() for w in m})[:40]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_MARKER_WORDS), st.sampled_from(["The", "YANG", "dan2", "x"]),
                          st.text(alphabet=st.sampled_from(list("theyangdi,.(1_½İé-\u00a0\u2028'")), max_size=8)),
                max_size=30),
       st.lists(st.sampled_from([" ", "\n", "\t", "  ", "\u00a0", "\u3000", ",", ""]), min_size=30, max_size=30))
def test_marker_counts_equal_counting_every_word_with_the_pattern(pieces, seps):
    # _counts splits at white space first and runs the word pattern only on tokens that are not all letters
    text = "".join(p + s for p, s in zip(pieces, seps))
    words = Counter(re.findall(r"[^\W\d_]+", text.lower()))
    expected = {lang: sum(words[w] for w in m) for lang, m in MARKERS.items()}
    expected["id"] += _nya_words(text)
    assert _counts(text) == expected
