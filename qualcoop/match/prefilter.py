"""A literal prefilter: which token-based rules could match a segment at all.

Every match of a token-based rule contains a token whose lower-cased text holds a
known literal: the longest token of a phrase term, the longest wildcard-free piece
of a glob term, every surface form the lookup table maps to a lemma term's lemma,
a literal token of a spaCy pattern. One Aho-Corasick scan over the lower-cased
segment text finds which literals occur; a rule whose literals are all absent
cannot match, so a segment where no rule can match is never tokenised.

A rule that gives no literal (a glob that is all wildcards, a token pattern
without a literal token) is always active. Rules with several groups (``near``)
are active only when every group has a literal in the text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["Prefilter"]

_SIGMA = str.maketrans({"ς": "σ"})


class Prefilter:
    """Maps segment text to the set of rule keys that may match in it.

    Parameters
    ----------
    groups : mapping of int to list of (set of str or None)
        For each token-based rule key, its literal groups (see module docstring).

    Examples
    --------
    >>> pf = Prefilter({0: [{"training"}], 1: [{"module"}, {"training"}], 2: [None]})
    >>> sorted(pf.active("Training of trainers"))
    [0, 2]
    >>> sorted(pf.active("A training module"))
    [0, 1, 2]
    """

    def __init__(self, groups: Mapping[int, Sequence[set[str] | None]]) -> None:
        import ahocorasick

        self.always: frozenset[int] = frozenset(
            k for k, gs in groups.items() if not gs or all(g is None for g in gs))
        #: key -> number of literal groups that must all be present
        self._need: dict[int, int] = {}
        # literal -> list of (key, group index)
        table: dict[str, list[tuple[int, int]]] = {}
        for key, gs in groups.items():
            if key in self.always:
                continue
            needed = 0
            for gi, g in enumerate(gs):
                if g is None:
                    continue
                needed += 1
                for lit in g:
                    table.setdefault(lit, []).append((key, gi))
            self._need[key] = needed
        self._sigma = any(("σ" in lit or "ς" in lit) for lit in table)
        if self._sigma:
            merged: dict[str, list[tuple[int, int]]] = {}
            for lit, refs in table.items():
                merged.setdefault(lit.translate(_SIGMA), []).extend(refs)
            table = merged
        self._empty = not table
        self._auto = ahocorasick.Automaton()
        self._values: list[tuple[tuple[int, int], ...]] = []
        for i, (lit, refs) in enumerate(sorted(table.items())):
            self._values.append(tuple(sorted(set(refs))))
            self._auto.add_word(lit, i)
        if not self._empty:
            self._auto.make_automaton()
        self._simple = all(n == 1 for n in self._need.values())

    def active(self, text: str) -> frozenset[int]:
        """Keys of the rules that may match in ``text`` (always-active ones included)."""
        if self._empty:
            return self.always
        low = text.lower()
        if self._sigma:
            low = low.translate(_SIGMA)
        seen = {v for _, v in self._auto.iter(low)}
        if not seen:
            return self.always
        values = self._values
        if self._simple:
            keys = {key for v in seen for key, _ in values[v]}
        else:
            hit: dict[int, set[int]] = {}
            for v in seen:
                for key, gi in values[v]:
                    hit.setdefault(key, set()).add(gi)
            need = self._need
            keys = {k for k, g in hit.items() if len(g) >= need[k]}
        return self.always | keys if self.always else frozenset(keys)
