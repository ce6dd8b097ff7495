"""How text survives a spreadsheet cell: the XLSX cell codec shared by the table writer and reader.

Two things an XLSX cell cannot hold as written, and what qualcoop does about them:

- **Control characters** (``\\f`` page breaks from PDFs, ``\\r``, ``\\x0b`` ...) are not allowed in XML.
  They are written with the OOXML escape ``_xHHHH_`` (``\\f`` -> ``_x000C_``), which Excel and
  LibreOffice show as the character itself. So that the escape is reversible, an ``x`` that would
  make literal text look like an escape (``_x0041_`` typed in a document) is itself escaped
  (``_x0078_``); :func:`unescape_cell` undoes exactly what :func:`escape_cell` did.
- **Length**: Excel holds at most 32,767 characters (UTF-16 code units) in a cell. A longer text is
  split over *continuation columns* named ``"<column> (part 2)"``, ``"<column> (part 3)"``, ... at the
  right end of the sheet; :func:`join_continuations` puts the parts back together on reading. A split
  never falls inside an escape.

Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["XLSX_CELL_LIMIT", "continuation_column", "escape_cell", "join_continuations", "split_cell",
           "unescape_cell"]

XLSX_CELL_LIMIT = 32_767

# characters XML 1.0 cannot carry (tab and newline can; \r would be read back as \n)
_CONTROL = "\x00-\x08\x0b-\x1f\ufffe\uffff"
_ESCAPE_RE = re.compile(rf"[{_CONTROL}]|(?<=_)x(?=[0-9A-Fa-f]{{4}})|x(?=005F_)")
_UNESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_PART_RE = re.compile(r"^(?P<base>.*) \(part (?P<n>[0-9]+)\)$")


def escape_cell(text: str) -> str:
    """``text`` with control characters (and look-alike literal escapes) written as ``_xHHHH_``."""
    return _ESCAPE_RE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def unescape_cell(text: str) -> str:
    """The inverse of :func:`escape_cell`."""
    if "_x" not in text:
        return text
    return _UNESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def split_cell(escaped: str, *, limit: int = XLSX_CELL_LIMIT) -> list[str]:
    """An escaped text cut into pieces of at most ``limit`` UTF-16 units, never inside an escape."""
    if len(escaped) <= limit // 2 or _utf16_len(escaped) <= limit:
        return [escaped]
    parts: list[str] = []
    rest = escaped
    while _utf16_len(rest) > limit:
        cut = limit
        while _utf16_len(rest[:cut]) > limit:
            cut -= _utf16_len(rest[:cut]) - limit
        # back off if an escape straddles the cut (escapes found left to right, as the reader does)
        for m in _UNESCAPE_RE.finditer(rest, 0, cut + 6):
            if m.start() < cut < m.end():
                cut = m.start()
                break
        parts.append(rest[:cut])
        rest = rest[cut:]
    parts.append(rest)
    return parts


def continuation_column(column: str, part: int) -> str:
    """The header of part ``part`` (2, 3, ...) of ``column``."""
    return f"{column} (part {part})"


def join_continuations(columns: Sequence[str]) -> dict[str, list[str]]:
    """Which columns continue which: ``{base column: [part 2 column, part 3 column, ...]}``.

    Only columns whose base is itself a column count; parts are in numeric order.
    """
    present = set(columns)
    found: dict[str, list[tuple[int, str]]] = {}
    for c in columns:
        m = _PART_RE.match(str(c))
        if m and m.group("base") in present:
            found.setdefault(m.group("base"), []).append((int(m.group("n")), str(c)))
    return {base: [c for _, c in sorted(parts)] for base, parts in found.items()}
