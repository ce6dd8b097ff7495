"""Overlap policies: which of one code's overlapping matches in a segment become evidence.

A policy is a function ``(matches) -> kept matches`` registered in
:data:`qualcoop.registry.overlap_policies` (``"longest.v1"``, ...) and chosen per codebook
(``overlaps: longest`` at the top of a codebook file; the default). Like spaCy's
``SpanRuler`` filters (``spacy.first_longest_spans_filter.v1``) it is a registered, swappable
function, not a constant of the engine. A match is a tuple
``(start, end, order, rule_id, negated)``: character offsets relative to the segment, the
rule's position in file order, its qualified id, and whether it lies in a negation scope.
Policies apply within one code and one segment; different codes never suppress each other
(a word may be evidence for two codes), and ``exclude`` vetoes have already removed their
matches. Each policy keeps a deterministic result whatever the order of its input.

Compared with quanteda's ``tokens_lookup`` (``nested_scope``):

============ ===================================================================================
``longest``  Within one code, the longest match wins; ties: the earliest start, then the rule
             first in file order (quanteda ``nested_scope = "key"``: "labour" inside "labour
             inspection" is not counted again for the same key). spaCy's ``filter_spans``.
``all``      Every match is evidence, nested and overlapping ones too (each distinct span once):
             what a concordance of every rule hit shows.
``leftmost`` The match that starts first wins, then the longer one ("leftmost-longest", as POSIX
             regular expressions resolve alternatives); ties: rule first in file order.
``rule_order`` The rule listed first in the code wins over later rules' overlapping matches
             (priority by file order, like the first matching pattern of a ``SpanRuler`` with
             ``overwrite_ents``); among one rule's matches the longest wins.
============ ===================================================================================

Third-party policies are registered like every plugin (``@overlap_policies.register("mine.v1")``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

__all__ = ["DEFAULT_POLICY", "keep_all", "leftmost", "longest", "resolve_with", "rule_order"]

#: the policy of a codebook that does not choose one
DEFAULT_POLICY = "longest"

Match = tuple  # (start, end, order, rule_id, negated)


def _greedy(matches: Iterable[Match], key: Callable[[Match], tuple]) -> list[Match]:
    """Take matches in ``key`` order, keeping each that overlaps none kept so far. O(n log n):
    kept spans never overlap, so sorted by start their ends rise too; one bisection on the ends
    finds the only kept span a candidate could overlap."""
    kept: list[Match] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in sorted(set(matches), key=key):
        s, e = m[0], m[1]
        i = bisect.bisect_right(ends, s)  # first kept span ending after s
        if i < len(ends) and starts[i] < e:
            continue  # overlaps it
        j = bisect.bisect_left(starts, s)
        while j < len(starts) and starts[j] == s and ends[j] < e:
            j += 1
        starts.insert(j, s)
        ends.insert(j, e)
        kept.append(m)
    return kept


def longest(matches: list[Match]) -> list[Match]:
    """Within one code the longest match wins; ties: earliest start, then first rule in file order."""
    if len(matches) <= 1:
        return matches
    return _greedy(matches, lambda m: (m[0] - m[1], m[0], m[2], m[3], m[4]))


def keep_all(matches: list[Match]) -> list[Match]:
    """Every distinct match, overlapping or not, in text order."""
    return sorted(set(matches), key=lambda m: (m[0], m[1], m[2], m[3], m[4]))


def leftmost(matches: list[Match]) -> list[Match]:
    """The earliest-starting match wins, then the longest; ties: first rule in file order."""
    if len(matches) <= 1:
        return matches
    return _greedy(matches, lambda m: (m[0], m[0] - m[1], m[2], m[3], m[4]))


def rule_order(matches: list[Match]) -> list[Match]:
    """The rule first in file order wins; among one rule's matches the longest, then the earliest."""
    if len(matches) <= 1:
        return matches
    return _greedy(matches, lambda m: (m[2], m[0] - m[1], m[0], m[3], m[4]))


def resolve_with(policy: str) -> Callable[[list[Match]], list[Match]]:
    """The registered policy function for ``policy`` (``"longest"`` or ``"longest.v1"``)."""
    from ..registry import overlap_policies

    return overlap_policies.resolve(policy)[1]
