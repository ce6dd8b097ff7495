"""Word ``.docx`` files (WordprocessingML, transitional and ISO strict), read with lxml from the zip.

What the text holds, in this order, blocks separated by a blank line (``"\\n\\n"``):

1. The body in document order: paragraphs, tables and content controls. Empty paragraphs are
   skipped. Text in a paragraph is kept as written (``w:t``); ``w:tab`` is a tab, ``w:br``/``w:cr``
   a newline, a non-breaking hyphen ``-``; soft hyphens, field codes (``w:instrText``), deleted
   text (``w:delText``, ``w:del``, ``w:moveFrom``), hidden runs (``w:vanish``) and math are left out.
2. Tables: one line per row, cells joined by :data:`CELL_SEP` (``" | "``), rows joined by a
   single ``"\\n"`` (so the paragraph segmenter keeps a table together). Paragraphs inside a cell
   are joined by a space, and line breaks in a cell become spaces. Rows with no text are skipped.
   A nested table is flattened into its cell (rows joined by ``" ; "``). Each table is a
   ``Region(kind="table")``.
3. Text boxes (``w:txbxContent``) follow the paragraph they are anchored in, as their own
   paragraphs, with a ``Region(kind="textbox")``. Of ``mc:AlternateContent`` only the first
   ``mc:Choice`` is read (the ``mc:Fallback`` repeats the same text box in VML).
4. Headings (paragraph style named ``heading N`` or ``Title``, directly or through ``basedOn``,
   or an outline level ``w:outlineLvl``) are ``Region(kind="heading", label=level)``, where
   ``Title`` is level ``"0"``. A mammoth style map embedded in the file (``mammoth/style-map``,
   lines ``p => h1`` or ``p[style-name='Name'] => h2``) is honoured for paragraphs with no
   heading style of their own.
5. After the body: a :data:`FOOTNOTES_HEADER` paragraph and the footnotes, then an
   :data:`ENDNOTES_HEADER` paragraph and the endnotes; each note is a
   ``Region(kind="footnote"/"endnote", label=<w:id>)``. Whitespace after the note's number
   mark is dropped. No markers are inserted at the reference points in the body.

Left out on purpose: comments (a reviewer's remarks are not the document's text; their number
is in ``details["comments"]``), headers and footers (page furniture), list numbers and bullets
(not stored as text), drawing/chart text outside text boxes.

Safety: the zip's declared sizes and compression ratios are checked before anything is read,
reads are capped (:class:`~qualcoop.errors.ResourceLimitError`), and XML is parsed without
network access or entity expansion; a part declaring a DTD is refused, so XXE and
"billion laughs" payloads give :class:`~qualcoop.errors.CorruptDocumentError`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import CorruptDocumentError, EmptyDocumentError
from ..model import Region
from .base import Extracted, ExtractOptions, lxml_version
from .blocks import (BLOCK_SEP, CELL_SEP, ENDNOTES_HEADER, FOOTNOTES_HEADER,  # noqa: F401
                     NESTED_ROW_SEP, ROW_SEP, BlockText)
from .zippkg import MAX_RATIO, MAX_UNCOMPRESSED, ZipPackage  # noqa: F401  (re-exported)

__all__ = ["DocxExtractor", "CELL_SEP", "FOOTNOTES_HEADER", "ENDNOTES_HEADER", "MAX_RATIO",
           "MAX_UNCOMPRESSED"]

_MAX_STYLE_MAP = 64 << 10

_W_NAMESPACES = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                 "http://purl.oclc.org/ooxml/wordprocessingml/main")
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_HEADING_NAME = re.compile(r"^heading\s*([1-9])$", re.I)
_STYLE_MAP_LINE = re.compile(r"^\s*p(?:\[style-name='([^']*)'\])?\s*=>\s*h([1-6])(?::fresh)?\s*$")


class _Tags:
    """Clark-notation tag names for one WordprocessingML namespace."""

    def __init__(self, ns: str) -> None:
        for local in ("p", "r", "t", "tab", "br", "cr", "noBreakHyphen", "softHyphen", "tbl", "tr", "tc",
                      "txbxContent", "pPr", "rPr", "pStyle", "outlineLvl", "vanish", "delText",
                      "instrText", "moveFrom", "sdt", "sdtContent", "sdtPr", "sdtEndPr",
                      "sectPr", "tblPr", "tblGrid", "trPr", "tcPr", "style", "name", "basedOn",
                      "footnote", "endnote", "comment", "body", "fldData"):
            setattr(self, local, f"{{{ns}}}{local}")
        self.del_ = f"{{{ns}}}del"
        self.val = f"{{{ns}}}val"
        self.type = f"{{{ns}}}type"
        self.id = f"{{{ns}}}id"
        self.styleId = f"{{{ns}}}styleId"
        self.alt = f"{{{_MC}}}AlternateContent"
        self.choice = f"{{{_MC}}}Choice"
        self.fallback = f"{{{_MC}}}Fallback"
        self.skip = frozenset({self.pPr, self.rPr, self.delText, self.instrText, self.del_, self.moveFrom,
                               self.sdtPr, self.sdtEndPr, self.sectPr, self.tblPr, self.tblGrid, self.trPr,
                               self.tcPr, self.fldData})


# --------------------------------------------------------------------------- the zip


# --------------------------------------------------------------------------- styles


class _Styles:
    """Heading levels of paragraph styles."""

    def __init__(self, root, tags: _Tags | None, style_map: dict[str | None, str]) -> None:
        self.styles: dict[str, tuple[str, str | None, int | None]] = {}
        self.style_map = style_map
        self._cache: dict[str | None, str | None] = {}
        if root is None or tags is None:
            return
        for st in root.iter(tags.style):
            if st.get(tags.type) not in (None, "paragraph"):
                continue
            sid = st.get(tags.styleId)
            if not sid:
                continue
            name_el = st.find(tags.name)
            based = st.find(tags.basedOn)
            ppr = st.find(tags.pPr)
            lvl = ppr.find(tags.outlineLvl) if ppr is not None else None
            self.styles[sid] = (
                (name_el.get(tags.val) or "") if name_el is not None else "",
                based.get(tags.val) if based is not None else None,
                _int(lvl.get(tags.val)) if lvl is not None else None,
            )

    def level(self, style_id: str | None) -> str | None:
        if style_id not in self._cache:
            self._cache[style_id] = self._resolve(style_id)
        return self._cache[style_id]

    def _resolve(self, style_id: str | None) -> str | None:
        sid, seen = style_id, set()
        while sid and sid not in seen and len(seen) < 32:
            seen.add(sid)
            name, based, lvl = self.styles.get(sid, ("", None, None))
            m = _HEADING_NAME.match(name.strip()) or (None if name else _HEADING_NAME.match(sid))
            if m:
                return m.group(1)
            if name.strip().lower() == "title" or (not name and sid.lower() == "title"):
                return "0"
            if lvl is not None:
                return str(lvl + 1) if 0 <= lvl < 9 else None
            sid = based
        if self.style_map:
            name = self.styles.get(style_id or "", ("",))[0] if style_id else None
            if name and name in self.style_map:
                return self.style_map[name]
            return self.style_map.get(None)
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- the walker


class _Writer(BlockText):
    """Builds the text block by block and records the regions."""

    def __init__(self, tags: _Tags, styles: _Styles) -> None:
        super().__init__()
        self.tags = tags
        self.styles = styles
        self.counts = {"paragraphs": 0, "tables": 0, "textboxes": 0, "headings": 0}
        self.lstrip_next = False

    # ---------------------------------------------------------------- output
    # ---------------------------------------------------------------- blocks
    def blocks(self, container, *, headings: bool = True) -> tuple[int, int] | None:
        """Emit the blocks of ``container``; returns the span covered, or None if nothing came out."""
        t = self.tags
        first, last = None, None
        for child in container:
            tag = child.tag
            if not isinstance(tag, str) or tag in t.skip:
                continue
            if tag == t.p:
                span = self.paragraph(child, headings=headings)
            elif tag == t.tbl:
                span = self.table(child)
            elif tag == t.alt:
                branch = _branch(child, t)
                span = self.blocks(branch, headings=headings) if branch is not None else None
            else:  # sdt, sdtContent, customXml, ins, moveTo, smartTag, ...
                span = self.blocks(child, headings=headings)
            if span is not None:
                first = span[0] if first is None else first
                last = span[1]
        return None if first is None else (first, last)

    def paragraph(self, p, *, headings: bool) -> tuple[int, int] | None:
        parts: list[str] = []
        boxes: list[Any] = []
        self.inline(p, parts, boxes, in_table=False)
        text = "".join(parts)
        if self.lstrip_next:
            text = text.lstrip()
        span = None
        if text.strip():
            self.lstrip_next = False
            span = self.emit(text)
            self.counts["paragraphs"] += 1
            level = self.heading_level(p) if headings else None
            if level is not None:
                self.regions.append(Region(kind="heading", start=span[0], end=span[1], label=level))
                self.counts["headings"] += 1
        for box in boxes:
            box_span = self.blocks(box, headings=headings)
            if box_span is not None:
                self.regions.append(Region(kind="textbox", start=box_span[0], end=box_span[1]))
                self.counts["textboxes"] += 1
                span = box_span if span is None else (span[0], box_span[1])
        return span

    def heading_level(self, p) -> str | None:
        t = self.tags
        ppr = p.find(t.pPr)
        style_id = None
        if ppr is not None:
            lvl = ppr.find(t.outlineLvl)
            if lvl is not None:
                v = _int(lvl.get(t.val))
                if v is not None:
                    return str(v + 1) if 0 <= v < 9 else None
            ps = ppr.find(t.pStyle)
            if ps is not None:
                style_id = ps.get(t.val)
        return self.styles.level(style_id)

    def table(self, tbl) -> tuple[int, int] | None:
        text = self.table_text(tbl, CELL_SEP, ROW_SEP)
        if not text.strip():
            return None
        span = self.emit(text)
        self.regions.append(Region(kind="table", start=span[0], end=span[1]))
        self.counts["tables"] += 1
        return span

    def table_text(self, tbl, cell_sep: str, row_sep: str) -> str:
        rows = []
        for tr in _descend(tbl, self.tags.tr, self.tags):
            cells = []
            for tc in _descend(tr, self.tags.tc, self.tags):
                cells.append(self.cell_text(tc))
            if any(c.strip() for c in cells):
                rows.append(cell_sep.join(cells))
        return row_sep.join(rows)

    def cell_text(self, tc) -> str:
        t = self.tags
        pieces = []
        for child in _descend_blocks(tc, t):
            if child.tag == t.p:
                parts: list[str] = []
                self.inline(child, parts, None, in_table=True)
                s = "".join(parts)
            else:  # nested table
                s = self.table_text(child, CELL_SEP, NESTED_ROW_SEP)
            if s.strip():
                pieces.append(s)
        return " ".join(pieces)

    # ---------------------------------------------------------------- inline
    def inline(self, el, parts: list[str], boxes: list | None, *, in_table: bool) -> None:
        t = self.tags
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in t.skip:
                continue
            if tag == t.t:
                if child.text:
                    parts.append(child.text)
            elif tag == t.r:
                if not _hidden(child, t):
                    self.inline(child, parts, boxes, in_table=in_table)
            elif tag == t.tab:
                parts.append("\t")
            elif tag == t.br or tag == t.cr:
                parts.append(" " if in_table else "\n")
            elif tag == t.noBreakHyphen:
                parts.append("-")
            elif tag == t.softHyphen:
                continue
            elif tag == t.txbxContent:
                if boxes is None:  # inside a table cell: the box's text joins the cell
                    parts.append(" " + self.cell_text(child) + " ")
                else:
                    boxes.append(child)
            elif tag == t.alt:
                branch = _branch(child, t)
                if branch is not None:
                    self.inline(branch, parts, boxes, in_table=in_table)
            elif tag == t.p or tag == t.tbl:
                continue  # block content where inline content belongs: not WordprocessingML we read
            else:  # hyperlink, smartTag, sdt, fldSimple, ins, moveTo, drawing, pict, ...
                self.inline(child, parts, boxes, in_table=in_table)


def _branch(alt, t: _Tags):
    """The branch of ``mc:AlternateContent`` to read: the first Choice, else the Fallback."""
    choice = alt.find(t.choice)
    return choice if choice is not None else alt.find(t.fallback)


def _hidden(run, t: _Tags) -> bool:
    rpr = run.find(t.rPr)
    if rpr is None:
        return False
    v = rpr.find(t.vanish)
    return v is not None and v.get(t.val) not in ("0", "false", "off")


def _descend(el, wanted: str, t: _Tags):
    """Children ``wanted`` of ``el``, looking through sdt / customXml / AlternateContent wrappers."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in t.skip:
            continue
        if tag == wanted:
            yield child
        elif tag == t.alt:
            branch = _branch(child, t)
            if branch is not None:
                yield from _descend(branch, wanted, t)
        elif tag not in (t.p, t.tbl, t.tr, t.tc):
            yield from _descend(child, wanted, t)


def _descend_blocks(el, t: _Tags):
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in t.skip:
            continue
        if tag == t.p or tag == t.tbl:
            yield child
        elif tag == t.alt:
            branch = _branch(child, t)
            if branch is not None:
                yield from _descend_blocks(branch, t)
        else:
            yield from _descend_blocks(child, t)


# --------------------------------------------------------------------------- the extractor


class DocxExtractor:
    """Word ``.docx`` (transitional and ISO strict WordprocessingML), read with lxml.

    See the module docstring for what goes into the text, the separators and the regions.

    Examples
    --------
    >>> from qualcoop.extract import extract_file
    >>> doc = extract_file("tables.docx")          # doctest: +SKIP
    >>> doc.text                                    # doctest: +SKIP
    'Above\\n\\nTop left | Top right\\nBottom left | Bottom right\\n\\nBelow'
    """

    name = "docx.v1"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    suffixes = (".docx",)

    def version(self) -> str:
        return lxml_version()

    def extract(self, path: Path, data: bytes, options: ExtractOptions) -> Extracted:
        """Read the main document part, its footnotes and endnotes into text and regions."""
        pkg = ZipPackage(path, data, options)
        main = pkg.relationships("").get("officeDocument") or "word/document.xml"
        if not pkg.has(main):
            raise CorruptDocumentError(path, f"no main document part ({main}); not a Word document?")
        root = pkg.xml(main)
        ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
        if ns not in _W_NAMESPACES:
            raise CorruptDocumentError(path, f"{main}: root element {root.tag!r} is not a WordprocessingML "
                                             "document")
        tags = _Tags(ns)
        body = root.find(tags.body)
        if body is None:
            raise CorruptDocumentError(path, f"{main}: no w:body")
        rels = pkg.relationships(main)

        def part(kind: str):
            name = rels.get(kind)
            return pkg.xml(name) if name and pkg.has(name) else None

        style_map = self._style_map(pkg)
        styles = _Styles(part("styles"), tags, style_map)
        w = _Writer(tags, styles)
        w.blocks(body)
        counts = dict(w.counts)
        for kind, header in (("footnote", FOOTNOTES_HEADER), ("endnote", ENDNOTES_HEADER)):
            notes_root = part(kind + "s")
            counts[kind + "s"] = self._notes(w, notes_root, kind, header, tags) if notes_root is not None else 0
        comments_root = part("comments")
        counts["comments"] = 0 if comments_root is None else sum(1 for _ in comments_root.iter(tags.comment))
        text = w.text()
        if not text.strip():
            raise EmptyDocumentError(path, "the document body holds no text")
        details: dict[str, Any] = {"engine": "lxml", "format": "strict" if ns == _W_NAMESPACES[1] else
                                   "transitional", **counts}
        if style_map:
            details["style_map"] = "mammoth/style-map"
        return Extracted(text=text, media_type=self.media_type, regions=tuple(w.regions), details=details)

    @staticmethod
    def _notes(w: _Writer, root, kind: str, header: str, tags: _Tags) -> int:
        note_tag = tags.footnote if kind == "footnote" else tags.endnote
        notes = [n for n in root if n.tag == note_tag and n.get(tags.type) in (None, "normal")]
        header_span = None
        n_out = 0
        for note in notes:
            saved = (len(w.parts), w.pos, len(w.regions))
            if header_span is None:
                header_span = w.emit(header)
            w.lstrip_next = True
            span = w.blocks(note, headings=False)
            w.lstrip_next = False
            if span is None:
                if n_out == 0:  # drop the header again if nothing follows it yet
                    del w.parts[saved[0]:]
                    w.pos = saved[1]
                    del w.regions[saved[2]:]
                    header_span = None
                continue
            w.regions.append(Region(kind=kind, start=span[0], end=span[1], label=note.get(tags.id)))
            n_out += 1
        return n_out

    @staticmethod
    def _style_map(pkg: ZipPackage) -> dict[str | None, str]:
        if not pkg.has("mammoth/style-map"):
            return {}
        raw = pkg.read("mammoth/style-map", limit=_MAX_STYLE_MAP)
        out: dict[str | None, str] = {}
        for line in raw.decode("utf-8", "replace").splitlines():
            m = _STYLE_MAP_LINE.match(line)
            if m:
                out.setdefault(m.group(1), m.group(2))
        return out
