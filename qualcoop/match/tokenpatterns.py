"""spaCy token patterns (the ``pattern`` rule kind): what is wrong with one
(:func:`qualcoop.codebook.validate.check_token_patterns`, re-exported) and the literals its
matches must contain (for the prefilter)."""

from __future__ import annotations

import re

from ..codebook.validate import check_token_patterns  # the pattern syntax check (codebook layer)

__all__ = ["check_token_patterns", "pattern_literals"]

_LITERAL_ATTRS = frozenset({"ORTH", "TEXT", "LOWER"})


def pattern_literals(pattern: list[dict]) -> set[str] | None:
    """Literals one of which a match of this token pattern must contain (None: cannot tell)."""
    best: set[str] | None = None
    for spec in pattern:
        op = spec.get("OP")
        if op not in (None, "1", "+") and not (isinstance(op, str) and re.fullmatch(r"\{[1-9]\d*(,\d*)?\}", op)):
            continue
        for attr, value in spec.items():
            if attr.upper() not in _LITERAL_ATTRS:
                continue
            if isinstance(value, str):
                cand = {value.lower()}
            elif isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
                cand = {v.lower() for v in value["IN"]}
            else:
                continue
            if cand and all(cand) and (best is None or len(min(cand, key=len)) > len(min(best, key=len))):
                best = cand
    return best
