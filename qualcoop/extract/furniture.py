"""Find page furniture: running headers, footers and page numbers repeated on most pages.

A World Bank report's page header was coded as funding on every page (28 of 81 funding
segments). Here the first and last few non-blank lines of every page are compared across
pages: a line whose *key* (case folded, digits and punctuation dropped, spaces collapsed:
"47700 Federal Register / Vol. 85" and "Federal Register / Vol. 85 ... 47701" share one)
recurs in the same place (top or bottom) on most pages, or a bare page number ("12",
"- 3 -", "Page 4 of 48", "iv"), is furniture. Each such line becomes a
``Region(kind="header")`` or ``Region(kind="footer")`` with the page number as label. The
text is not changed; segmenters leave these regions out (:mod:`qualcoop.segment.furniture`).

Examples
--------
>>> pages = [f"Annual Report 2020\\nBody {i} text.\\n{i}" for i in range(1, 5)]
>>> text = "\\f".join(pages)
>>> starts = [text.index(p) for p in pages]
>>> [(r.kind, text[r.start:r.end]) for r in find_furniture(text, starts)][:3]
[('header', 'Annual Report 2020'), ('footer', '1'), ('header', 'Annual Report 2020')]
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from ..model import Region

__all__ = ["find_furniture", "line_key", "EDGE_LINES", "MARK_LINES", "MIN_PAGES", "MIN_SHARE"]

#: lines looked at from the top and from the bottom of each page
EDGE_LINES = 3
#: lines from either edge where recurring lines are marked (a footnote may precede a header)
MARK_LINES = 6
#: documents with fewer pages have no furniture
MIN_PAGES = 3
#: share of pages a line must recur on (alternating even/odd headers each reach about half)
MIN_SHARE = 0.4

_LINE = re.compile(r"[^\n\r\f]+")
_ROMAN = r"[ivxlcdm]{1,7}"
_PAGE_NUMBER = re.compile(
    rf"[\W_]*(?:(?:page|halaman|hal\.?|p\.?)\s*)?(?:\d{{1,4}}|{_ROMAN})(?:\s*(?:of|/|dari)\s*\d{{1,4}})?[\W_]*",
    re.IGNORECASE)
_NON_LETTERS = re.compile(r"[\W\d_]+")


def line_key(line: str) -> str:
    """What must be equal for two edge lines to be the same furniture ("" for none).

    Bare page numbers share the key ``"#"``.

    Examples
    --------
    >>> line_key("47700 Federal Register / Vol. 85"), line_key("- 12 -"), line_key("Page 3 of 48")
    ('federal register vol', '#', '#')
    """
    s = line.strip()
    if not s:
        return ""
    if _PAGE_NUMBER.fullmatch(s):
        return "#"
    key = _NON_LETTERS.sub(" ", s.casefold()).strip()
    return key if len(key.replace(" ", "")) >= 4 else ""


def _page_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Stripped spans of the non-blank lines of one page."""
    out = []
    for m in _LINE.finditer(text, start, end):
        a, b = m.start(), m.end()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def find_furniture(text: str, page_starts: Sequence[int]) -> tuple[Region, ...]:
    """Header and footer regions of a paged text, ordered by offset.

    Parameters
    ----------
    text : str
        The document text.
    page_starts : sequence of int
        Offset of each page (as in ``Source.page_starts``).

    Returns
    -------
    tuple of Region
        Kind ``"header"`` (a furniture line among a page's first lines) or ``"footer"``
        (among its last lines), label the page number; each spans one stripped line.
        Deterministic; empty for fewer than :data:`MIN_PAGES` pages.
    """
    n = len(page_starts)
    if n < MIN_PAGES:
        return ()
    bounds = [*page_starts[1:], len(text)]
    pages = [_page_lines(text, s, e) for s, e in zip(page_starts, bounds)]
    need = max(MIN_PAGES, math.ceil(MIN_SHARE * n))
    # what recurs among the first (last) lines of most pages ...
    common: dict[str, set[str]] = {"header": set(), "footer": set()}
    for kind in common:
        counts: Counter[str] = Counter()
        for lines in pages:
            edge = lines[:EDGE_LINES] if kind == "header" else lines[-EDGE_LINES:]
            counts.update({line_key(text[a:b]) for a, b in edge} - {""})
        common[kind] = {k for k, c in counts.items() if c >= need}
    if not common["header"] and not common["footer"]:
        return ()
    # ... is furniture wherever it comes near a page's edge (a footnote may come first)
    found: list[Region] = []
    for number, lines in enumerate(pages, start=1):
        top = lines[:MARK_LINES]
        bottom = lines[-MARK_LINES:] if len(lines) > MARK_LINES else []
        marked = set()
        for kind, edge in (("header", top), ("footer", bottom[::-1]), ("footer", top[::-1]),
                           ("header", bottom)):
            for a, b in edge:
                if a not in marked and line_key(text[a:b]) in common[kind]:
                    marked.add(a)
                    found.append(Region(kind, a, b, label=str(number)))
    return tuple(sorted(found, key=lambda r: (r.start, r.end, r.kind)))
