"""User patterns within a budget: regular expressions and globs from codebooks, dictionaries,
scopes and options.

- :func:`compile_regex` refuses a pattern whose compiled program would be too large before the
  ``regex`` module builds it (``((((a{100}){100}){100}){100})`` would take gigabytes: the module
  unrolls counted repeats at compile time); the size is estimated from the pattern text, so the
  check costs nothing and works for both ``re`` and ``regex`` syntax.
- :class:`Glob` matches ``*``/``?`` globs without backtracking (a greedy scan over the literal
  pieces between stars, time linear in the text for each piece), so ``a*a*a*a*a*a*a*a*b`` against
  a long token takes microseconds instead of Python ``re``'s exponential time.

- :func:`required_literals` finds words that every match of a regular expression must contain
  (``customs`` in ``\\bcustoms\\s+dut(y|ies)``): a rule skips the regex engine on a segment whose
  :func:`fold_for_literals` text contains none of them, which is most segments.

The limits live in :mod:`qualcoop.limits`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from . import limits
from .errors import PatternLimitError

__all__ = ["Glob", "check_regex", "compile_regex", "fold_for_literals", "holds_literal", "regex_program_size", "required_literals"]

_COUNTED = re.compile(r"\{(\d*)(?:,(\d*))?\}")


def regex_program_size(pattern: str, *, stop: int | None = None) -> int:
    """An upper estimate of the items in ``pattern``'s compiled program, counted repeats expanded.

    Every atom counts 1; a group counts the sum of its contents; ``X{m}``, ``X{m,}`` and
    ``X{m,n}`` multiply the size of ``X`` by ``max(m, 1)`` (the minimum is what the ``regex``
    module unrolls). ``stop``: return as soon as the size passes it.

    Examples
    --------
    >>> regex_program_size("((a{100}){100}){10}")  # 100,000 letters and 1,010 group marks
    101010
    >>> regex_program_size(r"\\bcapacit(y|ies)\\b")
    14
    """
    stack: list[int] = [0]
    last = 0  # size of the last atom or group (what a quantifier applies to)
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            stack[-1] += 1
            last = 1
            continue
        if c == "[":
            j = i + 1
            depth = 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and depth:
                if pattern[j] == "\\":
                    j += 2
                    continue
                if pattern[j] == "[":
                    depth += 1  # nested sets (regex V1)
                elif pattern[j] == "]":
                    depth -= 1
                j += 1
            i = j
            stack[-1] += 1
            last = 1
            continue
        if c == "(":
            stack.append(0)
            i += 1
            continue
        if c == ")":
            inner = stack.pop() if len(stack) > 1 else 0
            last = inner + 1
            stack[-1] += last
            i += 1
            continue
        if c == "{":
            m = _COUNTED.match(pattern, i)
            if m and (m.group(1) or m.group(2)):
                lo = int(m.group(1) or 0)
                if lo > 1 and last:
                    stack[-1] += last * (lo - 1)
                    last *= lo
                i = m.end()
                if stop is not None and sum(stack) > stop:
                    return sum(stack)
                continue
        if c in "|*+?":
            i += 1
            continue
        stack[-1] += 1
        last = 1
        i += 1
    return sum(stack)


def check_regex(pattern: str) -> None:
    """Raise :class:`~qualcoop.errors.PatternLimitError` if ``pattern`` is too expensive to compile."""
    max_len = limits.current("MAX_REGEX_LENGTH")
    if len(pattern) > max_len:
        raise PatternLimitError("MAX_REGEX_LENGTH", max_len,
                                f"regular expression of {len(pattern)} characters is too long")
    cap = limits.current("MAX_REGEX_PROGRAM")
    size = regex_program_size(pattern, stop=cap)
    if size > cap:
        raise PatternLimitError("MAX_REGEX_PROGRAM", cap,
                                f"regular expression {_short(pattern)!r} expands to over {cap} items when "
                                "compiled (counted repeats such as {100} multiply); simplify it")


def compile_regex(pattern: str, flags: int = 0) -> Any:
    """``regex.compile(pattern, flags)`` after :func:`check_regex`.

    Raises
    ------
    PatternLimitError
        The pattern is too long or its compiled program too large.
    regex.error, ValueError, TypeError
        The pattern is not a valid regular expression.
    """
    import regex

    if not isinstance(pattern, str):
        raise TypeError(f"a pattern must be a string, got {type(pattern).__name__}")
    check_regex(pattern)
    return regex.compile(pattern, flags)


# --------------------------------------------------------------------------- required literals

#: characters that regex's simple case-insensitive matching equates with an ASCII letter although
#: ``str.lower`` does not map them to it (found by checking every code point)
_FOLD = str.maketrans({"\u0130": "i", "\u017f": "s", "\u212a": "k"})
#: what a literal may hold: the ASCII characters whose meaning is the same in ``re`` and ``regex``
_LITERAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 -'")
#: pattern text that ``re`` would read differently from ``regex``: fuzzy or named-list braces,
#: POSIX classes, version/full-case flags; such patterns get no prefilter
_REGEX_ONLY = re.compile(r"\{(?!\d*(?:,\d*)?\})|\[:|\(\?[a-zA-Z]*[Vf]|\\[LpPNXmMKG]")


def fold_for_literals(text: str) -> str:
    """``text`` folded as :func:`required_literals`' literals are: lower case, and the three
    characters that match an ASCII letter case-insensitively (``İ``, ``ſ``, Kelvin ``K``) mapped to it."""
    low = text.lower()
    if text.isascii() or ("\u0130" not in text and "\u017f" not in text and "\u212a" not in text):
        return low  # str.translate looks every character up in a dict: ~10x slower than three scans
    return text.translate(_FOLD).lower()


def holds_literal(folded: str, literals: Iterable[str]) -> bool:
    """Whether the folded text holds one of ``literals`` (a loop: cheaper than ``any`` over a generator
    on the per-segment path)."""
    for lit in literals:
        if lit in folded:
            return True
    return False


def required_literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Folded literals one of which is in the folded text of every match of ``pattern``, or ``None``.

    ``None`` (no prefilter) when the pattern has no such literal or uses syntax that Python's own
    parser reads differently from the ``regex`` module (fuzzy matching, full case folding, ...).
    Only whole runs of letters, digits, spaces, hyphens and apostrophes are used, so a literal's
    meaning cannot depend on case-folding subtleties beyond :func:`fold_for_literals`.

    Examples
    --------
    >>> sorted(required_literals(r"\\b(labou?r\\s+force|work\\s*force|self-employed)\\b"))
    ['force', 'self-employed']
    >>> sorted(required_literals(r"(?i)\\bcustoms\\s+dut(?:y|ies)\\b"))
    ['customs']
    >>> required_literals(r"\\b(19|20)\\d\\d\\b") is None  # '19' or '20' are too short to pay
    True
    """
    try:
        import regex

        if flags & (regex.FULLCASE | regex.VERSION1) or _REGEX_ONLY.search(pattern):
            return None
        from re import _parser  # the standard library's parse tree of the pattern

        tree = _parser.parse(pattern, flags & (re.IGNORECASE | re.VERBOSE | re.MULTILINE | re.DOTALL))
        got = _required(list(tree))
    except Exception:  # noqa: BLE001 - anything unexpected: no prefilter, the regex runs as before
        return None
    if not got or min(len(x) for x in got) < 3:
        return None
    return frozenset(got)


def _required(items: list) -> set[str] | None:
    """For a sequence of parse items: the most selective set of literals one of which must occur."""
    from re import _constants as c

    best: set[str] | None = None
    run: list[str] = []

    def consider(cand: set[str] | None) -> None:
        nonlocal best
        if cand and (best is None or min(map(len, cand)) > min(map(len, best))):
            best = cand

    def end_run() -> None:
        if run:
            consider({"".join(run)})
            run.clear()

    for op, av in items:
        if op is c.LITERAL:
            ch = chr(av).lower()
            if ch in _LITERAL_CHARS and chr(av).isascii():
                run.append(ch)
                continue
            end_run()
        elif op is c.SUBPATTERN:
            end_run()
            consider(_required(list(av[-1])))
        elif op is c.BRANCH:
            end_run()
            alts = [_required(list(alt)) for alt in av[1]]
            if all(alts):
                consider(set().union(*alts))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            end_run()
            if av[0] >= 1:
                consider(_required(list(av[2])))
        elif op is getattr(c, "ATOMIC_GROUP", None):
            end_run()
            consider(_required(list(av)))
        else:  # classes, any, anchors, look-arounds, back references: no literal, and a run ends
            end_run()
    end_run()
    return best


def _short(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[:n] + "..."


# --------------------------------------------------------------------------- globs


def _fold(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch


class Glob:
    """A ``*``/``?`` glob matched without backtracking.

    ``*`` is any run of characters (also none), ``?`` exactly one; every other character is
    literal. :meth:`fullmatch` splits the glob at its stars and places each piece at its
    leftmost possible position after the previous one (which is always right for globs):
    at most ``len(text) * len(piece)`` character comparisons per piece, never exponential.

    Examples
    --------
    >>> Glob("capacit*", case_sensitive=False).fullmatch("Capacities")
    True
    >>> Glob("a*a*a*a*a*a*a*a*b", case_sensitive=True).fullmatch("a" * 10_000)
    False
    """

    __slots__ = ("pattern", "case_sensitive", "_pieces", "_head", "_tail", "_stars")

    def __init__(self, pattern: str, *, case_sensitive: bool) -> None:
        max_len = limits.current("MAX_REGEX_LENGTH")
        if len(pattern) > max_len:
            raise PatternLimitError("MAX_REGEX_LENGTH", max_len, f"glob of {len(pattern)} characters is too long")
        self.pattern = pattern
        self.case_sensitive = case_sensitive
        fold = (lambda s: s) if case_sensitive else (lambda s: "".join(map(_fold, s)))
        parts = fold(pattern).split("*")
        self._stars = len(parts) > 1
        self._head = parts[0]
        self._tail = parts[-1] if self._stars else ""
        self._pieces = [p for p in parts[1:-1] if p]

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r}, case_sensitive={self.case_sensitive})"

    @staticmethod
    def _at(text: str, pos: int, piece: str) -> bool:
        if pos + len(piece) > len(text):
            return False
        if "?" not in piece:
            return text.startswith(piece, pos)
        return all(p == "?" or p == text[pos + k] for k, p in enumerate(piece))

    @classmethod
    def _find(cls, text: str, piece: str, start: int, end: int) -> int:
        """Leftmost position >= start where ``piece`` fits before ``end`` (-1: none)."""
        if "?" not in piece:
            return text.find(piece, start, end)
        # anchor on the longest wildcard-free run of the piece
        runs = [(len(r), k) for k, r in _runs(piece)]
        if not runs:
            return start if start + len(piece) <= end else -1
        _, off = max(runs)
        lit = next(r for k, r in _runs(piece) if k == off)
        pos = start + off
        while True:
            pos = text.find(lit, pos, end - (len(piece) - off - len(lit)))
            if pos < 0:
                return -1
            if cls._at(text, pos - off, piece):
                return pos - off
            pos += 1

    def fullmatch(self, text: str) -> bool:
        """Whether the glob matches all of ``text``."""
        if not self.case_sensitive:
            text = "".join(map(_fold, text))
        head, tail = self._head, self._tail
        if not self._stars:
            return len(text) == len(head) and self._at(text, 0, head)
        if len(head) + len(tail) > len(text) or not self._at(text, 0, head):
            return False
        end = len(text) - len(tail)
        if not self._at(text, end, tail):
            return False
        pos = len(head)
        for piece in self._pieces:
            found = self._find(text, piece, pos, end)
            if found < 0:
                return False
            pos = found + len(piece)
        return True


def _runs(piece: str):
    """``(offset, run)`` of each maximal run without ``?`` in ``piece``."""
    out = []
    start = None
    for k, ch in enumerate(piece + "?"):
        if ch != "?":
            if start is None:
                start = k
        elif start is not None:
            out.append((start, piece[start:k]))
            start = None
    return out
