"""The fast count of -nya words equals the regular expression it replaced."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.lang.detect import _nya_words, detect_language

_OLD = re.compile(r"[^\W\d_]{2,}nya\b", re.IGNORECASE)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("anyNYAb_1 -xé½İ\n")), max_size=30))
def test_nya_count_equals_the_old_pattern(text):
    assert _nya_words(text) == len(_OLD.findall(text))


def test_nya_words_tip_a_short_indonesian_text():
    assert _nya_words("Programnya bagus, pelatihannya juga. Nya nya.") == 2
    assert detect_language("Programnya bagus, pelatihannya juga")[0] == "id"
