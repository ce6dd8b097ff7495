"""Web pages (``.html``, ``.htm``), parsed with lxml's HTML parser (libxml2), never with regexes.

Reports and news are often saved from a browser. The text follows the office formats
(:mod:`qualcoop.extract.blocks`), so the paragraph segmenter sees each block:

1. Blocks in document order, separated by a blank line: headings (``h1``-``h6``), paragraphs,
   list items, block quotes, ``pre``, definition terms and descriptions, captions, and text
   standing directly in a ``div``/``section``/``article``/... . Inline markup (``a``, ``em``,
   ``span``, ...) stays inline.
2. White space as HTML renders it: every run of spaces, tabs and line breaks is one space,
   trimmed at the ends of a block; ``br`` is a line break; ``pre`` keeps its white space.
3. Dropped: ``script``, ``style``, ``noscript``, ``template``, the ``head`` (the ``title`` becomes
   the ``title`` attribute), comments, processing instructions, embedded ``svg``/``math``,
   ``iframe``/``object`` and form controls.
4. Regions: each heading is ``Region(kind="heading", label=<level 1-6>)`` (so ``--unit article``
   cuts at headings), each list (``ul``/``ol``/``dl``) ``Region(kind="list")``, each list item
   ``Region(kind="list_item")``, each paragraph ``Region(kind="paragraph")`` and each table
   ``Region(kind="table")`` (one line per row, cells joined by ``" | "``).

Encoding: a byte-order mark, else the ``charset`` the page declares (``<meta charset>`` or
``http-equiv``), else qualcoop's text detection (:func:`qualcoop.extract.text.decode_bytes`,
which honours ``--encoding``). Safety: the parser does no network access and expands no
external entities; the file size limit of every extractor applies; a page nested deeper than
libxml2's limit (256 elements) is a :class:`~qualcoop.errors.ResourceLimitError`, not a silent cut.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

from ..errors import CorruptDocumentError, EmptyDocumentError, ResourceLimitError
from ..model import Region
from .base import Extracted, ExtractOptions, lxml_version
from .blocks import CELL_SEP, ROW_SEP, BlockText

__all__ = ["HtmlExtractor", "MEDIA_TYPE"]

MEDIA_TYPE = "text/html"

_DROP = frozenset({"script", "style", "noscript", "template", "head", "title", "iframe", "object", "embed",
                   "svg", "math", "button", "select", "input", "textarea", "canvas", "audio", "video"})
_HEADINGS = {f"h{i}": str(i) for i in range(1, 7)}
_LISTS = frozenset({"ul", "ol", "dl", "menu"})
_ITEMS = frozenset({"li", "dt", "dd"})
_LEAF_BLOCKS = frozenset({"p", "pre", "blockquote", "caption", "figcaption", "address", "summary", "legend"})
_CONTAINERS = frozenset({"html", "body", "div", "section", "article", "main", "header", "footer", "aside", "nav",
                         "figure", "form", "fieldset", "details", "center", "hgroup", "search"})
_BLOCKS = _LEAF_BLOCKS | _CONTAINERS | _LISTS | _ITEMS | frozenset(_HEADINGS) | frozenset(
    {"table", "thead", "tbody", "tfoot", "tr", "td", "th", "hr", "br"})
_WS = re.compile(r"[ \t\n\r\f]+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


class HtmlExtractor:
    """Web pages (``.html``/``.htm``) through lxml's HTML parser; see the module docstring."""

    name = "html.v1"
    media_type = MEDIA_TYPE
    suffixes = (".html", ".htm")

    def version(self) -> str:
        """Version of the library doing the work (for provenance)."""
        return lxml_version()

    def extract(self, path: Path, data: bytes, options: ExtractOptions) -> Extracted:
        """Parse ``data`` and lay out its blocks; see the module docstring.

        Raises
        ------
        DecodingError, CorruptDocumentError, EmptyDocumentError
        """
        import lxml.etree as etree
        import lxml.html

        text, details = _decode(path, data, options)
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                                      default_doctype=False, huge_tree=False)
        try:
            root = lxml.html.document_fromstring(text, parser=parser)
        except (etree.ParserError, ValueError) as e:
            raise CorruptDocumentError(path, f"not a readable HTML page ({e})") from e
        for entry in parser.error_log:
            if entry.type_name == "ERR_RESOURCE_LIMIT":  # libxml2 stops at 256 nested elements
                raise ResourceLimitError(path, f"the page nests elements deeper than the HTML parser's limit "
                                               f"({entry.message.split(',')[0]}); text would be lost")
        attributes: dict[str, Any] = {}
        title = root.findtext(".//title")
        if title and _WS.sub(" ", title).strip():
            attributes["title"] = _WS.sub(" ", title).strip()
        lang = root.get("lang")
        if lang:
            attributes["html_lang"] = lang.strip()
        out = _Layout()
        body = root.find("body")
        out.walk(body if body is not None else root)
        out.flush()
        if not out.blocks.pos:
            raise EmptyDocumentError(path, "the page has no text outside scripts and styles")
        details.update(headings=out.counts["heading"], lists=out.counts["list"], tables=out.counts["table"])
        regions = tuple(sorted(out.blocks.regions, key=lambda r: (r.start, -r.end)))
        return Extracted(text=out.blocks.text(), media_type=MEDIA_TYPE, regions=regions,
                         attributes=attributes, details=details)


def _decode(path: Path, data: bytes, options: ExtractOptions) -> tuple[str, dict[str, Any]]:
    from .text import decode_bytes

    if options.encoding is None and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE,
                                                         codecs.BOM_UTF16_BE)):
        m = _CHARSET.search(data[:4096])
        if m:
            try:
                enc = codecs.lookup(m.group(1).decode("ascii")).name
            except (LookupError, UnicodeDecodeError):
                enc = None
            if enc:
                try:
                    return data.decode(enc, errors=options.errors), {"encoding": enc, "encoding_from": "meta"}
                except UnicodeDecodeError:
                    pass  # the page lies about its charset: detect instead
    text, details = decode_bytes(path, data, options)
    return text, dict(details)


def _tag(el) -> str | None:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else None


class _Layout:
    def __init__(self) -> None:
        self.blocks = BlockText()
        self.buf: list[str] = []
        self.counts = {"heading": 0, "list": 0, "table": 0}

    # inline text gathered until the next block boundary
    def add(self, text: str | None) -> None:
        if text:
            self.buf.append(_WS.sub(" ", text))

    def flush(self, kind: str = "paragraph", label: str | None = None) -> tuple[int, int] | None:
        text = "".join(self.buf)
        self.buf = []
        lines = [ln.strip(" ") for ln in text.split("\n")]
        text = "\n".join(ln for ln in lines if ln)
        if not text:
            return None
        span = self.blocks.emit(text)
        self.blocks.regions.append(Region(kind=kind, start=span[0], end=span[1], label=label))
        return span

    def walk(self, el) -> None:
        tag = _tag(el)
        if tag is None or tag in _DROP:
            return
        if tag == "br":
            self.buf.append("\n")
            return
        if tag == "table":
            self.flush()
            self.table(el)
            return
        if tag == "pre":
            self.flush()
            text = el.text_content().strip("\n")
            if text.strip():
                span = self.blocks.emit(text)
                self.blocks.regions.append(Region(kind="paragraph", start=span[0], end=span[1]))
            return
        if tag in _LISTS:
            self.flush()
            first = self.blocks.pos
            self.children(el)
            self.flush("list_item")
            if self.blocks.pos > first:
                start = first + (2 if first else 0)
                self.blocks.regions.append(Region(kind="list", start=start, end=self.blocks.pos))
                self.counts["list"] += 1
            return
        if tag in _BLOCKS:
            self.flush()
            self.add(el.text)
            for child in el:
                self.walk(child)
                self.add(child.tail)
            if tag in _HEADINGS:
                if self.flush("heading", _HEADINGS[tag]):
                    self.counts["heading"] += 1
            else:
                self.flush("list_item" if tag in _ITEMS else "paragraph")
            return
        # inline element
        self.add(el.text)
        for child in el:
            self.walk(child)
            self.add(child.tail)

    def children(self, el) -> None:
        self.add(el.text)
        for child in el:
            self.walk(child)
            self.add(child.tail)

    def table(self, el) -> None:
        rows = []
        for tr in el.iter("tr"):
            cells = [_WS.sub(" ", td.text_content()).strip() for td in tr if _tag(td) in ("td", "th")]
            if any(cells):
                rows.append(CELL_SEP.join(cells))
        if rows:
            span = self.blocks.emit(ROW_SEP.join(rows))
            self.blocks.regions.append(Region(kind="table", start=span[0], end=span[1]))
            self.counts["table"] += 1
