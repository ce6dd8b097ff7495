"""Overlap policies: registered functions chosen in the codebook (``overlaps:``), each documented
like quanteda's ``tokens_lookup``; the fast path and the reference path agree under every one."""

from __future__ import annotations

import pytest
from helpers_match import code_text
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.codebook import validate_codebook
from qualcoop.errors import RuleError
from qualcoop.match import compile_codebook
from qualcoop.match.overlaps import keep_all, leftmost, longest, rule_order
from qualcoop.model import Code, Codebook, Rule
from qualcoop.registry import overlap_policies

TEXT = "The labour inspection office and the inspection office staff."


def _cb(policy: str) -> Codebook:
    return Codebook("o", "1", [Code("c", "C", rules=[
        Rule("a", "phrase", terms=["inspection"]),
        Rule("b", "phrase", terms=["labour inspection", "inspection office staff"]),
        Rule("d", "phrase", terms=["inspection office"]),
    ])], languages=("en",), overlaps=policy)


def _spans(policy: str, *, prefilter: bool = True) -> list[tuple[str, str]]:
    got = code_text(_cb(policy), TEXT, prefilter=prefilter)
    return [(t, rid) for t, _, rid in got["c"]]


def test_longest_is_the_default_and_keeps_the_longest_of_overlapping_matches():
    assert Codebook("o", "1", []).overlaps == "longest"
    assert _spans("longest") == [("labour inspection", "c/b"), ("inspection office staff", "c/b")]
    # the second "inspection office" overlaps the longer "inspection office staff" and goes; the first
    # overlaps "labour inspection" (same length 17 vs 17: the earlier start wins)


def test_all_keeps_every_match_nested_ones_too():
    got = _spans("all")
    assert got == [("labour inspection", "c/b"), ("inspection", "c/a"), ("inspection office", "c/d"),
                   ("inspection", "c/a"), ("inspection office", "c/d"), ("inspection office staff", "c/b")]


def test_leftmost_prefers_the_earliest_start_then_the_longest():
    assert _spans("leftmost") == [("labour inspection", "c/b"), ("inspection office staff", "c/b")]
    assert leftmost([(0, 10, 1, "a", False), (0, 17, 3, "d", False), (11, 23, 2, "b", False)]) == \
        [(0, 17, 3, "d", False)]
    assert longest([(0, 10, 1, "a", False), (0, 17, 3, "d", False), (11, 23, 2, "b", False)]) == \
        [(0, 17, 3, "d", False)]


def test_rule_order_lets_the_first_rule_win():
    assert _spans("rule_order") == [("inspection", "c/a"), ("inspection", "c/a")]


@pytest.mark.parametrize("policy", ["longest", "all", "leftmost", "rule_order", "rule_order.v1"])
def test_fast_path_equals_reference_under_every_policy(policy):
    assert _spans(policy) == _spans(policy, prefilter=False)


def test_an_unknown_policy_is_a_validation_error_and_refused_by_compilation():
    problems = validate_codebook(_cb("shortest"))
    assert any("unknown overlap policy 'shortest'" in p.message and p.kind == "error" for p in problems)
    with pytest.raises(RuleError, match="unknown overlap policy"):
        compile_codebook(_cb("shortest"))


def test_a_registered_policy_is_chosen_by_name():
    overlap_policies.register("first_only.v1")(lambda ms: sorted(ms)[:1])
    try:
        assert _spans("first_only") == [("labour inspection", "c/b")]
    finally:
        overlap_policies.unregister("first_only.v1")


spans = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8), st.integers(0, 5)), max_size=25).map(
    lambda xs: [(s, s + n, o, f"c/r{o}", False) for s, n, o in xs])


@settings(max_examples=300, deadline=None)
@given(spans, st.randoms())
def test_policies_are_order_independent_and_exclusive(matches, rnd):
    shuffled = list(matches)
    rnd.shuffle(shuffled)
    for policy in (longest, leftmost, rule_order, keep_all):
        kept = policy(list(matches))
        assert sorted(kept) == sorted(policy(shuffled))
        assert set(kept) <= set(matches)
        if policy is not keep_all:
            ordered = sorted(kept)
            assert all(a[1] <= b[0] for a, b in zip(ordered, ordered[1:]))  # no two kept overlap
            # maximal: every dropped match overlaps a kept one
            assert all(any(m[0] < k[1] and k[0] < m[1] for k in kept) for m in set(matches) - set(kept))
    assert sorted(keep_all(list(matches))) == sorted(set(matches))
    if matches:  # longest keeps a longest match
        assert max(e - s for s, e, *_ in longest(list(matches))) == max(e - s for s, e, *_ in matches)
