"""The fast path's negation prefilter never hides a negation the full check finds.

``negation_triggers`` names words one of which must stand near a match for it to be negated; the
fast path skips the full check (:func:`qualcoop.match.languages.negated_in`) where none stands.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.lang.negation import AFTER_WINDOW, DEFAULT_WINDOW, cues
from qualcoop.match.languages import negated_in, negation_triggers

_WORDS = sorted({w for lang in ("en", "id") for c in cues(lang) for w in c.split()}
                | {"of", "only", "hanya", "but", "tetapi", ",", ".", "training", "dana", "funding", "the"})


@settings(max_examples=600, deadline=None)
@given(tokens=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=24), data=st.data(),
       langs=st.sampled_from([("en",), ("id",), ("en", "id"), ("id", "en")]))
def test_a_negated_match_always_has_a_trigger_in_reach(tokens, data, langs):
    start = data.draw(st.integers(0, len(tokens) - 1))
    words, reach = negation_triggers(langs)
    if negated_in(tokens, start, langs):
        near = tokens[max(0, start - reach):start + AFTER_WINDOW + 1]
        assert not words.isdisjoint(near), (tokens, start)


def test_the_last_word_of_a_multi_word_cue_is_not_a_trigger():
    # "of" ends "lack of": as a trigger it sent nearly every English match to the full check
    words, reach = negation_triggers(("en",))
    assert "of" not in words and {"lack", "absence", "no", "not"} <= words
    # "lack of funding" with "lack" just outside the plain window is still in reach
    tokens = ["lack", "of", "x", "x", "x", "funding"]
    assert negated_in(tokens, 5, ("en",))
    assert "lack" in tokens[max(0, 5 - reach):5] and "lack" not in tokens[5 - DEFAULT_WINDOW:5]
