"""The text layout shared by the office-document extractors (DOCX, ODT).

Blocks (paragraphs, headings, tables, text boxes) are separated by a blank line, table cells by
``" | "`` and rows by a line break, and footnotes/endnotes follow the body under a header line, so
every office format reads the same way and the paragraph segmenter sees each block.
"""

from __future__ import annotations

from ..model import Region

__all__ = ["BLOCK_SEP", "CELL_SEP", "ROW_SEP", "NESTED_ROW_SEP", "FOOTNOTES_HEADER", "ENDNOTES_HEADER",
           "BlockText"]

CELL_SEP = " | "
ROW_SEP = "\n"
NESTED_ROW_SEP = " ; "
BLOCK_SEP = "\n\n"
FOOTNOTES_HEADER = "[Footnotes]"
ENDNOTES_HEADER = "[Endnotes]"


class BlockText:
    """Builds a document's text block by block, tracking offsets, and collects its regions."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.regions: list[Region] = []

    def emit(self, text: str) -> tuple[int, int]:
        """Append one block (after a blank line unless it is the first); returns its span."""
        if self.pos:
            self.parts.append(BLOCK_SEP)
            self.pos += len(BLOCK_SEP)
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        return start, self.pos

    def text(self) -> str:
        return "".join(self.parts)
