"""Messages for people at a terminal (issue 13.7).

- The library's messages speak Python (``ExtractOptions(password=...)``, ``options.encoding``) because
  its users call it from Python; :func:`for_terminal` says the same with the CLI option instead.
- Python warnings raised during a command are not printed in Python's format (file, line, source
  line); :class:`WarningSummary` collects them and prints them at the end of the command, one line
  each, grouped by kind with a count, without markup and without wrapping a path.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter

__all__ = ["WarningSummary", "for_terminal", "print_warnings"]

#: Python spellings in library messages -> the CLI option a terminal user has
_TERMINAL = (
    (re.compile(r"pass ExtractOptions\(password=\.\.\.\)"), "use --password"),
    (re.compile(r"set options\.encoding( to force one)?"), r"use --encoding\1"),
    (re.compile(r"set options\.errors='replace' to replace them"), "use --replace-undecodable to replace them"),
    (re.compile(r"ExtractOptions\(timeout=[^)]*\)"), "--timeout"),
    (re.compile(r"ExtractOptions\(speaker_pattern=[^)]*\)"), "--speaker-pattern"),
    (re.compile(r"ExtractOptions\(transcript=[^)]*\)"), "--transcript"),
)


def for_terminal(message: str) -> str:
    """``message`` with Python spellings of options replaced by the CLI options."""
    for pattern, repl in _TERMINAL:
        message = pattern.sub(repl, message)
    return message


_KINDS = {
    "ExtractionQualityWarning": "extraction quality",
    "CodebookWarning": "codebook",
    "LanguageWarning": "language",
}


#: kinds of the warning strings a run collects (they come back from workers as text)
_MESSAGE_KINDS = (
    (re.compile(r"encoding|undecodable|U\+FFFD"), "encoding"),
    (re.compile(r"regex rule|budget|time-?out|timed out"), "rule budget"),
    (re.compile(r"language|--lang"), "language"),
    (re.compile(r"page|PDF|OCR|text layer"), "extraction quality"),
)


def print_warnings(messages, console) -> None:
    """A run's warnings at the end of its summary: one line each, grouped by kind, CLI options named."""
    groups: dict[str, list[str]] = {}
    for m in messages:
        text = for_terminal(" ".join(str(m).split()))
        kind = next((k for pattern, k in _MESSAGE_KINDS if pattern.search(text)), "other")
        groups.setdefault(kind, []).append(text)
    for kind, texts in groups.items():
        console.print(f"{len(texts)} {kind} warning(s):", markup=False, highlight=False, soft_wrap=True)
        for text in texts:
            console.print(f"  {text}", markup=False, highlight=False, soft_wrap=True)


class WarningSummary:
    """Collects the Python warnings of one command and prints them, aggregated, at its end."""

    def __init__(self) -> None:
        self.seen: dict[str, Counter[str]] = {}
        self._saved = None

    def install(self) -> None:
        self._saved = warnings.showwarning
        warnings.showwarning = self._record  # type: ignore[assignment]

    def _record(self, message, category, filename, lineno, file=None, line=None) -> None:
        kind = _KINDS.get(category.__name__, category.__name__)
        text = " ".join(str(message).split())  # one line, whatever the message held
        self.seen.setdefault(kind, Counter())[for_terminal(text)] += 1

    def print(self, console) -> None:
        if self._saved is not None:
            warnings.showwarning = self._saved
            self._saved = None
        for kind, messages in self.seen.items():
            total = sum(messages.values())
            console.print(f"{total} {kind} warning(s):", markup=False, highlight=False, soft_wrap=True)
            for text, n in messages.items():
                console.print(f"  {text}" + (f" (x{n})" if n > 1 else ""), markup=False, highlight=False,
                              soft_wrap=True)
        self.seen = {}
