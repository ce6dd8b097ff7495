"""spaCy token patterns (the ``pattern`` rule kind): what is wrong with one, and the literals its
matches must contain (for the prefilter)."""

from __future__ import annotations

import re

from ..model.codebook import thaw_json

__all__ = ["check_token_patterns", "pattern_literals"]

#: token attributes a blank pipeline never sets: patterns using them could never match
_UNSET_ATTRS = frozenset({"POS", "TAG", "DEP", "MORPH", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID",
                          "SENT_START", "IS_SENT_START", "HEAD"})
_LITERAL_ATTRS = frozenset({"ORTH", "TEXT", "LOWER"})


def check_token_patterns(pattern: object) -> list[str]:
    """Messages for everything wrong with a spaCy ``Matcher`` pattern (or list of patterns).

    The structure (a list of token dicts, or a list of such lists) and the attribute
    names are checked here, with a suggestion for misspelt attributes; the rest is
    checked by ``Matcher(validate=True)`` on a bare vocabulary.
    """
    from ..codebook.validate import suggest

    data = thaw_json(pattern)
    if not isinstance(data, list) or not data:
        return ["rule kind 'pattern' needs `pattern`, a non-empty list of token dicts "
                "(or a list of such lists)"]
    patterns = data if all(isinstance(p, list) for p in data) else [data]
    attrs = _token_attrs()
    out: list[str] = []
    for n, pat in enumerate(patterns):
        label = f"pattern {n + 1}: " if len(patterns) > 1 else ""
        if not pat:
            out.append(f"{label}empty token pattern")
            continue
        for i, tok in enumerate(pat):
            if not isinstance(tok, dict):
                out.append(f"{label}token {i + 1} is {tok!r}, not a dict of token attributes")
                continue
            for key in tok:
                if not isinstance(key, str) or (key.upper() not in attrs and key != "_"):
                    out.append(f"{label}token {i + 1}: unknown token attribute {key!r}"
                               f"{suggest(str(key).upper(), attrs)}")
                elif key.upper() in _UNSET_ATTRS:
                    out.append(f"{label}token {i + 1}: token attribute {key} needs a trained pipeline; "
                               "qualcoop matches on blank pipelines (use ORTH/LOWER/LEMMA/shape/flags)")
    if out:
        return out
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    matcher = Matcher(Vocab(), validate=True)
    for n, pat in enumerate(patterns):
        label = f"pattern {n + 1}: " if len(patterns) > 1 else ""
        try:
            matcher.add("CHECK", [pat])
        except Exception as e:  # MatchPatternError, re.error, ValueError from spaCy
            details = [ln[2:].strip() for ln in str(e).splitlines() if ln.startswith("- ")]
            out.extend(f"{label}{d}" for d in (details or [str(e).strip()]))
    return out


def _token_attrs() -> tuple[str, ...]:
    from spacy.schemas import TokenPattern

    return tuple(sorted(f.alias or name.upper() for name, f in TokenPattern.model_fields.items()))




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
