"""OpenDocument text (``.odt``), read with lxml from ``content.xml`` in the zip.

The text follows :mod:`qualcoop.extract.docx`, so a document reads the same whichever of the
two formats it was saved in:

1. The body in document order, blocks separated by a blank line (``"\\n\\n"``): paragraphs
   (``text:p``), headings (``text:h``), the paragraphs of lists (``text:list``, nested lists
   too; numbers and bullets are not stored as text), sections and tables. Empty paragraphs
   are skipped.
2. White space as ODF defines it (ODF 1.3 part 3, 6.1.2): in character data every run of
   spaces, tabs and line feeds is one space, and a space at the start of a paragraph or after
   another space is dropped. ``text:s`` (``text:c`` of them), ``text:tab`` and
   ``text:line-break`` are kept as spaces, a tab and a line feed; a soft hyphen is dropped.
3. Headings (``text:h``) are ``Region(kind="heading", label=<text:outline-level>)`` (level 1
   when it is not given); a paragraph in the style "Title" (directly or through its parent
   styles) is a heading of level ``"0"``, as in DOCX.
4. Tables: one line per row, cells joined by :data:`~qualcoop.extract.docx.CELL_SEP`
   (``" | "``), rows by ``"\\n"``; paragraphs in a cell joined by a space, line breaks in a cell
   become spaces; a nested table is flattened into its cell (rows joined by ``" ; "``);
   covered cells (under a merged one) are skipped; rows without text too. Each table is a
   ``Region(kind="table")``.
5. Text boxes (``draw:text-box`` in a ``draw:frame``) follow the paragraph they are anchored
   in, as their own paragraphs, each a ``Region(kind="textbox")``.
6. Notes (``text:note``) are not left in the body (no markers at the reference points); after
   the body come a :data:`~qualcoop.extract.docx.FOOTNOTES_HEADER` paragraph and the
   footnotes, then an :data:`~qualcoop.extract.docx.ENDNOTES_HEADER` paragraph and the
   endnotes, in document order, each a ``Region(kind="footnote"/"endnote", label=<its
   citation>)``.

Left out on purpose: comments (``office:annotation``; their number is in
``details["comments"]``), tracked deletions (``text:tracked-changes``), generated indexes (table
of contents and the like: they repeat the headings), hidden text, sequence declarations,
ruby annotations (the base text stays), headers and footers (in ``styles.xml``).

Safety: the zip is read with the DOCX extractor's bounded reader (declared sizes and
compression ratios checked before reading, reads capped:
:class:`~qualcoop.errors.ResourceLimitError`) and its hardened XML parser (no network, no
entity expansion; a part declaring a DTD is refused, so XXE and "billion laughs" payloads
give :class:`~qualcoop.errors.CorruptDocumentError`). A document whose ``content.xml`` is
encrypted (a password-protected ``.odt``) raises :class:`~qualcoop.errors.EncryptedDocumentError`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import CorruptDocumentError, EmptyDocumentError, EncryptedDocumentError, UnsupportedFormatError
from ..model import Region
from .base import Extracted, ExtractOptions, lxml_version

from .blocks import (CELL_SEP, ENDNOTES_HEADER, FOOTNOTES_HEADER, NESTED_ROW_SEP, ROW_SEP,
                     BlockText)  # the same layout as DOCX
from .zippkg import OLE_MAGIC, ZipPackage  # one hardened zip/XML reader for every office format

__all__ = ["OdtExtractor", "MEDIA_TYPE"]

MEDIA_TYPE = "application/vnd.oasis.opendocument.text"

_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"  # frame titles and descriptions


def _t(local: str) -> str:
    return f"{{{_TEXT}}}{local}"


P, H = _t("p"), _t("h")
LIST, LIST_ITEM, LIST_HEADER = _t("list"), _t("list-item"), _t("list-header")
SECTION = _t("section")
SPAN, A = _t("span"), _t("a")
S, TAB, LINE_BREAK, SOFT_HYPHEN = _t("s"), _t("tab"), _t("line-break"), _t("soft-hyphen")
NOTE, NOTE_CITATION, NOTE_BODY = _t("note"), _t("note-citation"), _t("note-body")
C_ATTR, OUTLINE_LEVEL, NOTE_CLASS, STYLE_NAME = _t("c"), _t("outline-level"), _t("note-class"), _t("style-name")
TABLE = f"{{{_TABLE}}}table"
TABLE_ROW = f"{{{_TABLE}}}table-row"
TABLE_CELL = f"{{{_TABLE}}}table-cell"
COVERED_CELL = f"{{{_TABLE}}}covered-table-cell"
TEXT_BOX = f"{{{_DRAW}}}text-box"
ANNOTATION = f"{{{_OFFICE}}}annotation"
ANNOTATION_END = f"{{{_OFFICE}}}annotation-end"

#: elements whose content is not the document's text
_SKIP = frozenset({
    ANNOTATION, ANNOTATION_END, _t("tracked-changes"), _t("sequence-decls"), _t("variable-decls"),
    _t("user-field-decls"), _t("dde-connection-decls"), _t("table-of-content"), _t("illustration-index"),
    _t("table-index"), _t("object-index"), _t("user-index"), _t("alphabetical-index"),
    _t("bibliography"), _t("hidden-text"), _t("hidden-paragraph"), _t("ruby-text"),
    _t("soft-page-break"), _t("bookmark"), _t("bookmark-start"), _t("bookmark-end"),
    _t("reference-mark"), _t("reference-mark-start"), _t("reference-mark-end"), _t("change"),
    _t("change-start"), _t("change-end"), _t("alphabetical-index-mark"), _t("toc-mark"),
    _t("user-index-mark"), f"{{{_TABLE}}}table-columns", f"{{{_TABLE}}}table-column",
    f"{{{_TABLE}}}table-header-columns", f"{{{_TABLE}}}tracked-changes", f"{{{_DRAW}}}image",
    f"{{{_OFFICE}}}forms", f"{{{_DRAW}}}object", f"{{{_DRAW}}}object-ole", f"{{{_SVG}}}title", f"{{{_SVG}}}desc",
})
_XML_SPACE = re.compile("[ \t\r\n]+")


# --------------------------------------------------------------------------- styles


class _Styles:
    """Which paragraph style names are (or inherit from) the "Title" style."""

    def __init__(self, *roots) -> None:
        self.parent: dict[str, str | None] = {}
        self.display: dict[str, str] = {}
        name_attr, parent_attr = f"{{{_STYLE}}}name", f"{{{_STYLE}}}parent-style-name"
        display_attr, family_attr = f"{{{_STYLE}}}display-name", f"{{{_STYLE}}}family"
        for root in roots:
            if root is None:
                continue
            for st in root.iter(f"{{{_STYLE}}}style"):
                name = st.get(name_attr)
                if name and st.get(family_attr) in (None, "paragraph"):
                    self.parent.setdefault(name, st.get(parent_attr))
                    self.display.setdefault(name, st.get(display_attr) or name)
        self._cache: dict[str | None, bool] = {}

    def is_title(self, style: str | None) -> bool:
        if style not in self._cache:
            seen: set[str] = set()
            name, found = style, False
            while name and name not in seen and len(seen) < 32:
                seen.add(name)
                if name == "Title" or self.display.get(name) == "Title":
                    found = True
                    break
                name = self.parent.get(name)
            self._cache[style] = found
        return self._cache[style]


# --------------------------------------------------------------------------- the walker


class _Writer(BlockText):
    """Builds the text block by block and records regions and notes."""

    def __init__(self, styles: _Styles) -> None:
        super().__init__()
        self.styles = styles
        self.notes: list[tuple[str, str | None, Any]] = []  # (class, citation, note-body)
        self.counts = {"paragraphs": 0, "headings": 0, "tables": 0, "textboxes": 0, "comments": 0}

    # ---------------------------------------------------------------- blocks
    def blocks(self, container, *, notes: bool = True) -> tuple[int, int] | None:
        """Emit the blocks of ``container``; returns the span covered, or None if nothing came out."""
        first = last = None
        for child in container:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag in _SKIP:
                self.counts["comments"] += tag == ANNOTATION
                continue
            if tag == P or tag == H:
                span = self.paragraph(child, notes=notes)
            elif tag == TABLE:
                span = self.table(child)
            else:  # list, list-item, list-header, section, index-body of an unknown index, ...
                span = self.blocks(child, notes=notes)
            if span is not None:
                first = span[0] if first is None else first
                last = span[1]
        return None if first is None else (first, last)

    def paragraph(self, p, *, notes: bool) -> tuple[int, int] | None:
        parts: list[str] = []
        boxes: list[Any] = []
        self.inline(p, parts, boxes, [True], in_table=False, notes=notes)
        text = "".join(parts)
        span = None
        if text.strip():
            span = self.emit(text)
            self.counts["paragraphs"] += 1
            level = None
            if not notes:  # a note's paragraphs are no headings of the document
                pass
            elif p.tag == H:
                raw = p.get(OUTLINE_LEVEL)
                level = raw if raw and raw.isdigit() and int(raw) > 0 else "1"
            elif self.styles.is_title(p.get(STYLE_NAME)):
                level = "0"
            if level is not None:
                self.regions.append(Region(kind="heading", start=span[0], end=span[1], label=level))
                self.counts["headings"] += 1
        for box in boxes:
            box_span = self.blocks(box, notes=notes)
            if box_span is not None:
                self.regions.append(Region(kind="textbox", start=box_span[0], end=box_span[1]))
                self.counts["textboxes"] += 1
                span = box_span if span is None else (span[0], box_span[1])
        return span

    def table(self, tbl) -> tuple[int, int] | None:
        text = self.table_text(tbl, ROW_SEP)
        if not text.strip():
            return None
        span = self.emit(text)
        self.regions.append(Region(kind="table", start=span[0], end=span[1]))
        self.counts["tables"] += 1
        return span

    def table_text(self, tbl, row_sep: str) -> str:
        rows = []
        for tr in _descend(tbl, TABLE_ROW):
            cells = [self.cell_text(tc) for tc in _descend(tr, TABLE_CELL)]
            if any(c.strip() for c in cells):
                rows.append(CELL_SEP.join(cells))
        return row_sep.join(rows)

    def cell_text(self, tc) -> str:
        pieces = []
        for child in _descend_blocks(tc):
            if child.tag == TABLE:
                s = self.table_text(child, NESTED_ROW_SEP)
            else:
                parts: list[str] = []
                self.inline(child, parts, None, [True], in_table=True, notes=True)
                s = "".join(parts)
            if s.strip():
                pieces.append(s)
        return " ".join(pieces)

    # ---------------------------------------------------------------- inline
    def inline(self, el, parts: list[str], boxes: list | None, at_space: list[bool], *, in_table: bool,
               notes: bool) -> None:
        """Append the text of ``el`` to ``parts``. ``at_space[0]``: the text so far ends in a space
        that came from character data (or the paragraph has just begun), so a space is dropped."""
        self.chars(el.text, parts, at_space)
        for child in el:
            tag = child.tag
            if isinstance(tag, str) and tag not in _SKIP:
                if tag == S:
                    parts.append(" " * _count(child.get(C_ATTR)))
                    at_space[0] = False
                elif tag == TAB:
                    parts.append("\t")
                    at_space[0] = False
                elif tag == LINE_BREAK:
                    parts.append(" " if in_table else "\n")
                    at_space[0] = in_table
                elif tag == SOFT_HYPHEN:
                    pass
                elif tag == NOTE:
                    if notes:  # notes inside notes or cells stay where they are, like DOCX
                        citation = child.find(NOTE_CITATION)
                        label = (citation.get(_t("label")) or "".join(citation.itertext())).strip() \
                            if citation is not None else None
                        body = child.find(NOTE_BODY)
                        if body is not None:
                            self.notes.append((child.get(NOTE_CLASS) or "footnote", label or None, body))
                elif tag == TEXT_BOX:
                    if boxes is None:  # inside a table cell: the box's text joins the cell
                        parts.append(" " + self.cell_text(child) + " ")
                    else:
                        boxes.append(child)
                elif tag in (P, H, TABLE, LIST):
                    pass  # block content where inline content belongs: not ODF we read
                else:  # span, a, frame, ruby, meta, fields (their text is their content), ...
                    self.inline(child, parts, boxes, at_space, in_table=in_table, notes=notes)
            elif isinstance(tag, str):
                self.counts["comments"] += tag == ANNOTATION
            self.chars(child.tail, parts, at_space)

    @staticmethod
    def chars(data: str | None, parts: list[str], at_space: list[bool]) -> None:
        if not data:
            return
        data = _XML_SPACE.sub(" ", data)
        if at_space[0] and data.startswith(" "):
            data = data[1:]
        if data:
            parts.append(data)
            at_space[0] = data.endswith(" ")

    def notes_after_body(self) -> dict[str, int]:
        counts = {"footnotes": 0, "endnotes": 0}
        for kind, header in (("footnote", FOOTNOTES_HEADER), ("endnote", ENDNOTES_HEADER)):
            header_at = None
            for note_class, label, body in self.notes:
                if note_class != kind:
                    continue
                saved = (len(self.parts), self.pos, len(self.regions))
                if header_at is None:
                    header_at = self.emit(header)
                span = self.blocks(body, notes=False)
                if span is None:
                    if counts[kind + "s"] == 0:  # drop the header again if nothing follows it yet
                        del self.parts[saved[0]:]
                        self.pos = saved[1]
                        del self.regions[saved[2]:]
                        header_at = None
                    continue
                self.regions.append(Region(kind=kind, start=span[0], end=span[1], label=label))
                counts[kind + "s"] += 1
        return counts


def _count(value: str | None) -> int:
    try:
        return max(1, min(int(value), 10_000)) if value is not None else 1
    except ValueError:
        return 1


def _descend(el, wanted: str):
    """Descendants ``wanted`` of ``el`` through row groups and header rows, not into nested tables."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP or tag == COVERED_CELL:
            continue
        if tag == wanted:
            yield child
        elif tag not in (TABLE, TABLE_ROW, TABLE_CELL, P, H):
            yield from _descend(child, wanted)


def _descend_blocks(el):
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag in (P, H, TABLE):
            yield child
        else:
            yield from _descend_blocks(child)


# --------------------------------------------------------------------------- the extractor


class OdtExtractor:
    """OpenDocument text (``.odt``), read with lxml.

    See the module docstring for what goes into the text, the separators and the regions.

    Examples
    --------
    >>> from qualcoop.extract import extract_file
    >>> doc = extract_file("ID2.odt")              # doctest: +SKIP
    >>> doc.text.split("\\n\\n")[1]                 # doctest: +SKIP
    'I really want someone to sit down with me and explain the course material.'
    """

    name = "odt.v1"
    media_type = MEDIA_TYPE
    suffixes = (".odt",)

    def version(self) -> str:
        """Version of the library doing the work (for provenance)."""
        return lxml_version()

    def extract(self, path: Path, data: bytes, options: ExtractOptions) -> Extracted:
        """Read ``content.xml`` of the ODT ``data`` into text, regions and details.

        Parameters
        ----------
        path : Path
            The file (named in every error).
        data : bytes
            Its content.
        options : ExtractOptions
            Uses ``max_bytes`` (the cap on what is read from the zip).

        Returns
        -------
        Extracted
            The text, heading/table/textbox/footnote/endnote regions and counts in ``details``.

        Raises
        ------
        UnsupportedFormatError, CorruptDocumentError, EncryptedDocumentError, ResourceLimitError,
        EmptyDocumentError
        """
        if data.startswith(OLE_MAGIC):
            raise UnsupportedFormatError(path, "an OLE2 file (a legacy Word .doc?), not an OpenDocument zip")
        pkg = ZipPackage(path, data, options)
        mimetype = pkg.read("mimetype", limit=256).decode("ascii", "replace").strip() if pkg.has(
            "mimetype") else None
        if mimetype is not None and not mimetype.startswith(MEDIA_TYPE):
            raise UnsupportedFormatError(path, f"an OpenDocument file of type {mimetype!r}, not a text document")
        if not pkg.has("content.xml"):
            raise CorruptDocumentError(path, "no content.xml; not an OpenDocument file?")
        self._refuse_encrypted(path, pkg)
        root = pkg.xml("content.xml")
        if root.tag != f"{{{_OFFICE}}}document-content":
            raise CorruptDocumentError(path, f"content.xml: root element {root.tag!r} is not "
                                             "office:document-content")
        body = root.find(f"{{{_OFFICE}}}body/{{{_OFFICE}}}text")
        if body is None:
            raise UnsupportedFormatError(path, "content.xml has no office:text body (not a text document)")
        styles_root = pkg.xml("styles.xml") if pkg.has("styles.xml") else None
        w = _Writer(_Styles(root.find(f"{{{_OFFICE}}}automatic-styles"), styles_root))
        w.blocks(body)
        counts = {**w.counts, **w.notes_after_body()}
        text = w.text()
        if not text.strip():
            raise EmptyDocumentError(path, "the document body holds no text")
        details: dict[str, Any] = {"engine": "lxml", "format": "odf", "mimetype": mimetype,
                                   "odf_version": root.get(f"{{{_OFFICE}}}version"), **counts}
        return Extracted(text=text, media_type=MEDIA_TYPE, regions=tuple(w.regions), details=details)

    @staticmethod
    def _refuse_encrypted(path: Path, pkg: ZipPackage) -> None:
        if not pkg.has("META-INF/manifest.xml"):
            return
        manifest = pkg.xml("META-INF/manifest.xml")
        for entry in manifest.iter(f"{{{_MANIFEST}}}file-entry"):
            if entry.get(f"{{{_MANIFEST}}}full-path") in ("content.xml", "encrypted-package") and \
                    entry.find(f"{{{_MANIFEST}}}encryption-data") is not None:
                raise EncryptedDocumentError(path, "content.xml is encrypted (a password-protected "
                                                   "OpenDocument file)")
