"""A table format: tab-separated values (``.tsv``), written and read back.

Same records -> same bytes: UTF-8, ``\\n`` line ends, a header row, tabs and line breaks
inside cells escaped as ``\\t``, ``\\n``, ``\\r`` and backslashes as ``\\\\`` (the
"linear TSV" convention), so every row is one line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_ESC = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESC = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        v = ";".join(str(x) for x in v)
    elif isinstance(v, dict):
        v = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return "".join(_ESC.get(ch, ch) for ch in str(v))


def _unescape(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s) and s[i + 1] in _UNESC:
            out.append(_UNESC[s[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class TsvFormat:
    """Tab-separated values, every cell text."""

    name = "tsv.v1"
    suffixes = (".tsv",)
    media_type = "text/tab-separated-values"

    def write(self, records: Sequence[dict[str, Any]], path: Path, *, columns: Sequence[str],
              sheet_name: str = "data") -> None:
        with Path(path).open("w", encoding="utf-8", newline="\n") as fh:
            fh.write("\t".join(_cell(c) for c in columns) + "\n")
            for r in records:
                fh.write("\t".join(_cell(r.get(c)) for c in columns) + "\n")

    def read(self, path: Path):
        import pandas as pd

        lines = Path(path).read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if not lines:
            return pd.DataFrame()
        header = [_unescape(c) for c in lines[0].split("\t")]
        rows = [[_unescape(c) for c in line.split("\t")] for line in lines[1:]]
        bad = [i + 2 for i, r in enumerate(rows) if len(r) != len(header)]
        if bad:
            raise ValueError(f"line {bad[0]} has a different number of cells than the header")
        return pd.DataFrame(rows, columns=header, dtype=str)
