"""PDF -> text, with page offsets, in a sandboxed child process.

Two registered engines follow the contract of :mod:`qualcoop.extract.base`:

``"pdf.pypdfium2.v1"`` (:class:`PdfiumExtractor`, the default)
    PDFium through pypdfium2: ``PdfDocument -> page.get_textpage().get_text_range()``.
    Fast (hundreds of pages per second) and keeps the reading order of
    multi-column pages. If PDFium cannot open a file at all (a broken
    cross-reference table, say), the file is read again with pdfminer (through
    pdfplumber) and ``details["engine"]`` says so. With ``options.pdf_layout`` it
    hands the file to pdfplumber's layout mode, which PDFium does not have.
``"pdf.pdfplumber.v1"`` (:class:`PdfplumberExtractor`)
    pdfminer.six through pdfplumber, ``page.extract_text(layout=options.pdf_layout)``.
    Slow (about 10 pages per second) but layout-aware: ``pdf_layout=True`` keeps
    columns and table cells where they stand on the page. Tables come out as
    the text of their cells, in page order.

The text
--------
- Pages are joined in order with :data:`PAGE_SEPARATOR` (``"\\n\\f\\n"``): a form
  feed on a line of its own. No form feed occurs anywhere else in the text.
- ``page_starts[i]`` is the offset where page ``i + 1`` begins (one entry per
  page) and there is one ``Region(kind="page", label="<n>")`` per page, so
  ``doc.text[r.start:r.end]`` is exactly page ``n``'s text.
- Line breaks are ``"\\n"`` (CRLF and CR are turned into LF here, once).
- Paragraphs are separated by a blank line (``"\\n\\n"``), found from the layout of each
  page (not in pdfplumber's layout mode): a baseline step clearly larger than the page's
  usual one, a first-line indent, the end of a hanging indent, a bullet, a line that ends
  short of its column although the next line's first word would have fitted, a jump out
  of the column next to a line that stands alone (see :func:`_paragraph_starts`). Nothing
  else changes: without its blank lines the text is the engine's text as described here,
  and ``details["paragraph_breaks"]`` counts the blank lines added (``None`` in layout mode).
  PDFium gives the geometry of each line's first and last character (a few calls per line,
  about 0.3 ms per page); pdfplumber that of the characters of its text map.
- PDFium only: the space PDFium generates before each line break and at the end
  of a page is dropped (pdfminer and poppler emit none), and the character
  PDFium uses to mark a hyphen that ended a line (U+FFFE, a non-character) is
  written as the hyphen and line break printed on the page (``"-\\n"``). Words
  hyphenated across lines are therefore *not* joined: ``"imple-\\nmented"``, as
  the page shows it, like pdfplumber.
- Characters no text can hold (C0/C1 control codes other than tab and line feed,
  U+FFFE/U+FFFF; they are glyphs without a Unicode mapping, e.g. TeX math
  delimiters) become U+FFFD. This is never silent: the count and the pages go to
  ``Extracted.warnings`` and ``details["replaced_chars"]``. pdfminer writes such glyphs
  as ``(cid:N)``; those are left as they are, counted in ``details["cid_glyphs"]``
  and reported the same way.

Failures
--------
- Encrypted files open silently when their user password is empty; otherwise
  ``options.password`` is needed, and without it (or with a wrong one)
  :class:`~qualcoop.errors.EncryptedDocumentError` is raised, saying which.
- Pages without a text layer are named in a warning. If **no** page has text,
  :class:`~qualcoop.errors.EmptyDocumentError` is raised ("no text layer on any
  page (scanned? OCR is out of scope)"): an all-image PDF gives nothing to code,
  and a document with empty text would fail later and less clearly.
- A file that is not a PDF, or that no engine can read, raises
  :class:`~qualcoop.errors.CorruptDocumentError`; an empty one
  :class:`~qualcoop.errors.EmptyDocumentError`.
- Extraction runs under :func:`~qualcoop.extract.sandbox.run_sandboxed` with
  ``options.timeout`` and ``options.memory_limit_mb``, so a file that hangs or eats
  memory fails alone with :class:`~qualcoop.errors.ExtractionTimeoutError` or
  :class:`~qualcoop.errors.ResourceLimitError`.
"""

from __future__ import annotations

import bisect
import functools
import io
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from ..errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
)
from ..model import Region
from .base import Extracted, ExtractOptions
from .furniture import find_furniture
from .sandbox import caused_by, run_sandboxed

__all__ = ["PdfiumExtractor", "PdfplumberExtractor", "PAGE_SEPARATOR", "NO_TEXT_LAYER"]

#: what joins the pages of a PDF in ``Document.text``
PAGE_SEPARATOR = "\n\f\n"
#: the reason given when no page has a text layer
NO_TEXT_LAYER = "no text layer on any page (scanned? OCR is out of scope)"

MEDIA_TYPE = "application/pdf"

# Control codes other than TAB and LF (CR is handled before), DEL, C1 codes, and the
# non-characters U+FFFE/U+FFFF: glyphs without a Unicode mapping, not text.
_UNMAPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ufffd]")
_CID = re.compile(r"\(cid:\d+\)")  # how pdfminer writes a glyph it cannot map
_PDFIUM_WRONG_PASSWORD = 4  # FPDF_ERR_PASSWORD
_PDFIUM_SECURITY = 5  # FPDF_ERR_SECURITY: unsupported security handler


# --------------------------------------------------------------------------- extractors


class _PdfExtractor:
    media_type = MEDIA_TYPE
    #: runs its own sandboxed child (extract_file does not wrap it in another one)
    sandboxed = True
    suffixes = (".pdf",)
    name = ""
    _library = ""

    def version(self) -> str:
        """Version of the library doing the work (for provenance)."""
        return _version(self._library)

    def extract(self, path: Path, data: bytes, options: ExtractOptions) -> Extracted:
        """Extract the text of the PDF ``data`` (read from ``path``) in a sandboxed child.

        Parameters
        ----------
        path : Path
            The file (named in every error).
        data : bytes
            Its content.
        options : ExtractOptions
            Uses ``password``, ``pdf_layout``, ``timeout`` and ``memory_limit_mb``.

        Returns
        -------
        Extracted
            Text, page starts, one page region per page, details and warnings.

        Raises
        ------
        EmptyDocumentError, CorruptDocumentError, EncryptedDocumentError,
        ExtractionTimeoutError, ResourceLimitError
        """
        _check_header(path, data)
        reader = self._reader(options)
        _preload(reader)  # imported once in the parent, inherited by every child
        return run_sandboxed(_extract, reader, data, options.password, options.pdf_layout,
                             str(path), timeout=options.timeout,
                             memory_limit_mb=options.memory_limit_mb, path=path)

    def _reader(self, options: ExtractOptions) -> Callable[..., _Pages]:
        raise NotImplementedError


class PdfiumExtractor(_PdfExtractor):
    """PDF text with PDFium (pypdfium2): fast, keeps multi-column reading order.

    Falls back to pdfminer when PDFium cannot open the file, and hands layout
    requests (``pdf_layout=True``) to pdfplumber; ``details["engine"]`` records the
    engine that produced the text.

    Examples
    --------
    >>> from qualcoop.extract import extract_file, ExtractOptions
    >>> doc = extract_file("report.pdf", options=ExtractOptions())        # doctest: +SKIP
    >>> doc.source.page_of(doc.text.index("Airworthiness"))              # doctest: +SKIP
    1
    """

    name = "pdf.pypdfium2.v1"
    _library = "pypdfium2"

    def _reader(self, options: ExtractOptions) -> Callable[..., _Pages]:
        return _pdfminer_pages if options.pdf_layout else _pdfium_pages


class PdfplumberExtractor(_PdfExtractor):
    """PDF text with pdfplumber (pdfminer.six): slower, layout-aware (``pdf_layout``).

    Examples
    --------
    >>> from qualcoop.extract import extract_file, ExtractOptions
    >>> opts = ExtractOptions(pdf_engine="pdf.pdfplumber.v1", pdf_layout=True)
    >>> doc = extract_file("transcript.pdf", options=opts)                # doctest: +SKIP
    """

    name = "pdf.pdfplumber.v1"
    _library = "pdfplumber"

    def _reader(self, options: ExtractOptions) -> Callable[..., _Pages]:
        return _pdfminer_pages


# --------------------------------------------------------------------------- engines (child side)


@dataclass
class _Pages:
    """Raw page texts from one engine, before normalisation."""

    texts: list[str]
    engine: str
    engine_version: str
    pdfium_marks: bool  # PDFium's line-end spaces and U+FFFE hyphen marks are in the text
    encrypted: bool | None = None
    unreadable: list[tuple[int, str]] = field(default_factory=list)  # (page number, reason)
    log: tuple[str, ...] = ()
    lost: list[tuple[int, int, int]] = field(default_factory=list)  # (page, chars, text objects)
    breaks: int | None = None  # paragraph breaks added from the layout (None: not looked for)


class _CannotOpen(Exception):
    """The engine could not open the file at all (another engine may)."""


def _extract(reader: Callable[..., _Pages], data: bytes, password: str | None, layout: bool,
             path: str) -> Extracted:
    """Runs in the sandbox: read the pages, fall back if PDFium cannot open, assemble."""
    fallback = None
    try:
        pages = reader(data, password, layout, path)
    except _CannotOpen as first:
        if reader is not _pdfium_pages:
            raise CorruptDocumentError(path, str(first)) from first
        try:
            pages = _pdfminer_pages(data, password, False, path)
        except _CannotOpen as second:
            raise CorruptDocumentError(path, f"{first}; {second}") from second
        fallback = str(first)
    else:
        if pages.lost:
            fallback = _lost_detail(pages.lost)
            try:
                pages = _pdfminer_pages(data, password, False, path)
            except _CannotOpen:
                fallback = None  # keep PDFium's text; the warning below says what is missing
    details: dict = {"layout": bool(layout and reader is _pdfminer_pages)}
    if fallback:
        details["fallback_from"] = fallback
    return _assemble(pages, path, details)


def _pdfium_pages(data: bytes, password: str | None, layout: bool, path: str) -> _Pages:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        doc = pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        if code == _PDFIUM_WRONG_PASSWORD:
            raise EncryptedDocumentError(path, _password_detail(password)) from e
        if code == _PDFIUM_SECURITY:
            raise EncryptedDocumentError(path, f"unsupported security handler ({e})") from e
        raise _CannotOpen(f"pypdfium2 could not open it: {str(e).rstrip('.')}") from e
    texts: list[str] = []
    unreadable: list[tuple[int, str]] = []
    lost: list[tuple[int, int, int]] = []
    breaks = 0
    try:
        encrypted = pdfium_c.FPDF_GetSecurityHandlerRevision(doc.raw) != -1
        for i in range(len(doc)):
            try:
                page = doc[i]
            except pdfium.PdfiumError as e:
                unreadable.append((i + 1, str(e)))
                texts.append("")
                continue
            try:
                textpage = page.get_textpage()
                try:
                    # "replace", not pypdfium2's default "ignore": a broken UTF-16 unit
                    # becomes a counted, reported U+FFFD instead of vanishing
                    raw = textpage.get_text_range(errors="replace")
                    raw, added = _with_breaks(raw, _pdfium_lines(pdfium_c, textpage, raw))
                    texts.append(raw)
                    breaks += added
                    lost_here = _text_lost(pdfium_c, page, textpage.count_chars())
                    if lost_here:
                        lost.append((i + 1, *lost_here))
                finally:
                    textpage.close()
            finally:
                page.close()
    finally:
        doc.close()
    return _Pages(texts, "pypdfium2", _version("pypdfium2"), True, encrypted, unreadable,
                  lost=lost, breaks=breaks)


def _text_lost(pdfium_c, page, chars: int) -> tuple[int, int] | None:
    """``(chars, text objects)`` when PDFium found far fewer characters than the page has text.

    Every text object draws at least one glyph, so fewer characters than half the
    text objects means PDFium dropped text (it does with some non-embedded CJK
    fonts, e.g. pdfminer's kampo.pdf: 28 characters for 2,624 text objects). The
    objects are only counted when the cheap total count already looks suspicious.
    """
    total = pdfium_c.FPDFPage_CountObjects(page.raw)
    if chars >= total / 4:
        return None
    text_objects = sum(
        1 for k in range(total)
        if pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(page.raw, k))
        == pdfium_c.FPDF_PAGEOBJ_TEXT)
    return (chars, text_objects) if chars < text_objects / 2 else None


def _lost_detail(lost: list[tuple[int, int, int]]) -> str:
    page, chars, objects = lost[0]
    return (f"pypdfium2 dropped text on {_pages_phrase([p for p, _, _ in lost])} "
            f"(page {page}: {chars} characters for {objects} text objects)")


def _pdfminer_pages(data: bytes, password: str | None, layout: bool, path: str) -> _Pages:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    texts: list[str] = []
    unreadable: list[tuple[int, str]] = []
    breaks = 0
    with _pdfminer_log() as log:
        try:
            pdf = pdfplumber.open(io.BytesIO(data), password=password or "")
        except PdfminerException as e:
            inner = e.args[0] if e.args else e
            _reraise_exhaustion(e)
            if isinstance(inner, PDFPasswordIncorrect):
                raise EncryptedDocumentError(path, _password_detail(password)) from e
            if isinstance(inner, PDFEncryptionError):
                raise EncryptedDocumentError(path, f"unsupported encryption ({inner})") from e
            raise _CannotOpen(f"pdfminer could not open it: {type(inner).__name__}: {inner}") from e
        except Exception as e:  # noqa: BLE001 - pdfminer raises many kinds on broken files
            _reraise_exhaustion(e)
            raise _CannotOpen(f"pdfminer could not open it: {type(e).__name__}: {e}") from e
        try:
            encrypted = bool(getattr(pdf.doc, "encryption", None))
            try:
                page_list = pdf.pages
            except Exception as e:  # noqa: BLE001
                _reraise_exhaustion(e)
                raise _CannotOpen(f"pdfminer could not read the page tree: {type(e).__name__}: {e}"
                                  ) from e
            for n, page in enumerate(page_list, start=1):
                try:
                    if layout:
                        texts.append(page.extract_text(layout=True))
                    else:  # extract_text() is this textmap's string; its characters give the layout
                        textmap = page.get_textmap(layout=False)
                        text, added = _with_breaks(textmap.as_string, _textmap_lines(textmap.tuples))
                        texts.append(text)
                        breaks += added
                except Exception as e:  # noqa: BLE001 - one bad page does not sink the file
                    _reraise_exhaustion(e)
                    unreadable.append((n, f"{type(e).__name__}: {e}"))
                    texts.append("")
                finally:
                    page.close()  # without this pdfplumber keeps every page's objects
        finally:
            pdf.close()
    return _Pages(texts, "pdfplumber", _version("pdfplumber"), False, encrypted,
                  unreadable, tuple(log), breaks=None if layout else breaks)


@contextmanager
def _pdfminer_log(limit: int = 5) -> Iterator[list[str]]:
    """Collect pdfminer's log messages (warnings and up) instead of letting them reach stderr."""
    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if len(messages) < limit:
                msg = record.getMessage()
                if msg not in messages:
                    messages.append(msg)

    logger = logging.getLogger("pdfminer")
    handler = _Collect(logging.WARNING)
    old_propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate


def _reraise_exhaustion(e: Exception) -> None:
    """Running out of memory or stack is the sandbox's business, not a bad page's."""
    root = caused_by(e, (MemoryError, RecursionError))
    if root is not None:
        raise root from e


def _password_detail(password: str | None) -> str:
    if password is None:
        return "it needs a password: pass ExtractOptions(password=...)"
    return "the password given is wrong (accepted neither as user nor as owner password)"


# --------------------------------------------------------------------------- paragraphs (child side)


class _Line(NamedTuple):
    """One line of a page's text with its geometry (y grows downwards, in PDF points)."""

    start: int  # offset in the page text where the line starts (just after the previous line end)
    left: float
    right: float
    base: float  # baseline
    height: float  # font height (PDFium: loose glyph box; pdfminer: font size)
    first: str  # first character that is not a space
    chars: int  # characters from the first to the last non-space character
    word: int  # characters in the first word
    hyphen: bool  # the line ends in a hyphen mark (a word goes on: never a paragraph break)


#: line starts that begin a list item whatever the spacing
_BULLETS = frozenset("•●▪■◦○◆◇►▶➢➤✓✔*·\uf0a7\uf0b7\uf076\uf0d8\uf0fc")
_GAP = 1.15  # a baseline step this many times the page's usual one is a blank line
_LINE_END = re.compile("\r\n|\n|\r|\ufffe(?![\r\n])")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _pdfium_lines(pdfium_c, textpage, text: str) -> list[_Line]:
    """The lines of ``text`` (PDFium's page text) with the geometry of their first and last characters.

    Three calls per line (two loose boxes, one origin), not one per character. Text
    offsets are PDFium character indices when the text holds one character per index (no
    character left out, none outside the BMP), as on nearly every page; otherwise two more
    calls per line translate them. A line whose first and last characters do not share a
    row (vertical writing, rotated text) or whose boxes are unavailable is left out, so no
    paragraph break is decided next to it.
    """
    import ctypes

    handle = textpage.raw
    loose_box, origin = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetCharOrigin
    astral = [m.start() for m in _ASTRAL.finditer(text)]  # 2 UTF-16 units each in PDFium's indices
    mapped = astral or len(text) != pdfium_c.FPDFText_CountChars(handle)
    to_char = pdfium_c.FPDFText_GetCharIndexFromTextIndex
    box = pdfium_c.FS_RECTF()
    x, y = ctypes.c_double(), ctypes.c_double()
    lines: list[_Line] = []
    pos = 0
    n = len(text)
    for m in (*_LINE_END.finditer(text), None):
        end = n if m is None else m.start()
        line = text[pos:end]
        body = line.strip(" ")
        if body:
            a = pos + len(line) - len(line.lstrip(" "))
            b = a + len(body)
            if mapped:
                ca = to_char(handle, a + bisect.bisect_left(astral, a))
                cb = to_char(handle, b - 1 + bisect.bisect_left(astral, b - 1))
            else:
                ca, cb = a, b - 1
            if ca >= 0 and cb >= 0 and loose_box(handle, ca, box):
                left, top_a, bottom_a = box.left, box.top, box.bottom
                if loose_box(handle, cb, box):
                    right, top_b, bottom_b = box.right, box.top, box.bottom
                    h_a, h_b = top_a - bottom_a, top_b - bottom_b
                    # the taller of the two carries the baseline (a superscript or a small
                    # footnote mark at either end does not)
                    if (min(top_a, top_b) > max(bottom_a, bottom_b) and right > left
                            and origin(handle, ca if h_a >= h_b else cb, x, y)):
                        space = body.find(" ")
                        lines.append(_Line(pos, left, right, -y.value, max(h_a, h_b), body[0], len(body),
                                           len(body) if space < 0 else space,
                                           body[-1] == "\ufffe" or (m is not None and m.group() == "\ufffe")))
        if m is None:
            break
        pos = m.end()
    return lines


def _textmap_lines(tuples: Sequence[tuple[str, dict | None]]) -> list[_Line]:
    """The lines of a pdfplumber TextMap (``(text, char)`` pairs, joined they are the text)."""
    lines: list[_Line] = []
    pos = start = 0
    glyphs: list[tuple[int, dict]] = []  # (offset, char) of the line's characters that are not spaces
    space = -1  # offset of the first space after the first character

    def close() -> None:
        if glyphs and all(c.get("upright", True) for _, c in (glyphs[0], glyphs[-1])):
            (i_a, first), (i_b, last) = glyphs[0], glyphs[-1]
            tall = first if first["size"] >= last["size"] else last
            end = i_b + len(last["text"])
            lines.append(_Line(start, first["x0"], last["x1"], -tall["matrix"][5],
                               tall["bottom"] - tall["top"], first["text"][:1], end - i_a,
                               (space if space > 0 else end) - i_a, False))

    for piece, char in tuples:
        if piece == "\n":
            close()
            glyphs, space = [], -1
            pos += 1
            start = pos
            continue
        if piece.isspace():
            if glyphs and space < 0:
                space = pos
        elif char is not None:
            glyphs.append((pos, char))
        pos += len(piece)
    close()
    return lines


def _paragraph_starts(lines: list[_Line]) -> list[int]:
    """Offsets of the lines that begin a paragraph, judged from the page layout.

    Lines on one row (a superscript, a run PDFium split off) are merged first. Then a
    line begins a paragraph when

    - the baseline step before it is over ``_GAP`` times the page's usual step for its
      font height (the lower quartile of step/height, so pages of one-line paragraphs
      still have the right "usual");
    - it starts with a bullet glyph;
    - it jumps out of the flow (up to a new column, sideways) next to a line that stands
      alone (headers, footers, titles): a block of its own, or a one-line paragraph below a
      gap, or (when it does not start with a lower-case letter) any one-line paragraph;
    - it is indented against the line after it by 0.6-4 line heights (first-line indent)
      and does not start with a lower-case letter;
    - it starts further left than the line before, which continues a hanging indent (the
      line before is not a paragraph's first line and is aligned with the one before it);
    - the line before ends short of its block's right edge by more than this line's
      first word (with a space) needs, and it does not start with a lower-case letter:
      the word would have fitted, so the line was ended on purpose.

    After a line ending in a hyphen only a gap begins a paragraph (a footer below it).
    """
    rows: list[_Line] = []
    for line in lines:
        if rows:
            r = rows[-1]
            if abs(line.base - r.base) < 0.5 * max(r.height, line.height):
                lead = r if r.left <= line.left else line
                tall = r if r.height >= line.height else line
                rows[-1] = r._replace(left=lead.left, right=max(r.right, line.right), base=tall.base,
                                      height=tall.height, first=lead.first, chars=r.chars + line.chars,
                                      word=lead.word, hyphen=line.hyphen)
                continue
        rows.append(line)
    n = len(rows)
    steps = sorted(step for a, b in zip(rows, rows[1:])
                   if 0.5 < (step := (b.base - a.base) / max(a.height, b.height, 1e-6)) < 3)
    # the usual step in font heights; with too few steps to tell, a conservative guess
    usual = steps[len(steps) // 4] if len(steps) >= 2 else 1.5
    height = [max(rows[k - 1].height, rows[k].height) if k else rows[0].height for k in range(n)]
    step = [rows[k].base - rows[k - 1].base if k else 0.0 for k in range(n)]
    flow = [k > 0 and 0.5 * height[k] < step[k] < 3.5 * usual * height[k]
            and min(rows[k - 1].right, rows[k].right) - max(rows[k - 1].left, rows[k].left) > -height[k]
            for k in range(n)]
    gap = [step[k] > 0.5 * height[k] and step[k] > _GAP * usual * height[k] for k in range(n)]
    block = [0] * n  # blocks: runs of rows that follow each other down one column
    for k in range(1, n):
        block[k] = block[k - 1] + (not flow[k])
    lefts: dict[int, float] = {}
    rights: dict[int, float] = {}
    size: dict[int, int] = {}
    for k, r in enumerate(rows):
        lefts[block[k]] = min(lefts.get(block[k], r.left), r.left)
        rights[block[k]] = max(rights.get(block[k], r.right), r.right)
        size[block[k]] = size.get(block[k], 0) + 1

    starts: list[int] = []
    last = 0
    for k in range(1, n):
        a, b = rows[k - 1], rows[k]
        if a.hyphen and not gap[k]:
            continue  # the word goes on (only page furniture below a gap does not continue it)
        hh = height[k]
        lower = b.first.islower()
        nxt = rows[k + 1] if k + 1 < n and flow[k + 1] else None
        if gap[k] or b.first in _BULLETS:
            new = True
        elif not flow[k] and (size[block[k - 1]] == 1 or size[block[k]] == 1
                              or (k - 1 == last and (gap[last] or not lower))
                              or (not lower and (nxt is None or gap[k + 1]))):
            new = True  # out of the flow, next to a line that stands alone
        elif (nxt is not None and not lower and 0.6 * b.height <= b.left - nxt.left <= 4 * b.height
              and (not flow[k] or b.left - a.left >= 0.6 * b.height)):
            new = True  # first-line indent
        elif (flow[k] and k >= 2 and flow[k - 1] and k - 1 != last and b.left <= a.left - 0.6 * hh
              and abs(a.left - rows[k - 2].left) < 0.3 * hh):
            new = True  # the end of a hanging indent
        elif not lower:
            room = rights[block[k - 1]] - a.right
            margin = a.left - lefts[block[k - 1]]
            if margin > 2 * hh and abs(margin - room) < 0.25 * (margin + room):
                room += margin  # a centred line: the word could have gone on either side
            new = room > (b.right - b.left) / max(b.chars, 1) * (b.word + 1.5)
        else:
            new = False
        if new:
            starts.append(b.start)
            last = k
    return starts


def _with_breaks(text: str, lines: list[_Line]) -> tuple[str, int]:
    """``text`` with a line end added at each paragraph start (making a blank line), and how many.

    The line end added repeats the one before (PDFium ends some lines with a bare CR, which
    a LF would join into one CRLF; after PDFium's bare hyphen mark U+FFFE, which becomes
    ``"-\n"``, it is ``"\n\n"``). Once the page is normalised, taking the blank lines out
    again gives the text without breaks. None is added where there is a blank line already.
    """
    out: list[str] = []
    pos = 0
    for start in _paragraph_starts(lines):
        end = start - 1  # where the line before ends
        mark = text[end]
        if mark == "\ufffe":  # a bare hyphen mark ends the line: "-\n" once normalised
            out.append(text[pos:start])
            out.append("\n\n")
            pos = start
            continue
        if mark == "\n" and text[end - 1:end] == "\r":
            end -= 1
        if mark not in "\r\n" or not text[max(text.rfind("\n", 0, end), text.rfind("\r", 0, end)) + 1:end].strip():
            continue  # not a line end, or a blank line already
        out.append(text[pos:start])
        out.append(mark)
        pos = start
    if not out:
        return text, 0
    out.append(text[pos:])
    return "".join(out), (len(out) - 1) // 2


# --------------------------------------------------------------------------- assembling


def _assemble(pages: _Pages, path: str, details: dict) -> Extracted:
    n = len(pages.texts)
    if n == 0:
        raise EmptyDocumentError(path, "the PDF has no pages")
    parts: list[str] = []
    regions: list[Region] = []
    starts: list[int] = []
    empty: list[int] = []
    replaced_on: list[int] = []
    replaced = 0
    cids_on: list[int] = []
    cids = 0
    offset = 0
    for number, raw in enumerate(pages.texts, start=1):
        text, count = _normalise_page(raw, pdfium_marks=pages.pdfium_marks)
        if count:
            replaced += count
            replaced_on.append(number)
        if not pages.pdfium_marks and "(cid:" in text:
            found = len(_CID.findall(text))
            if found:
                cids += found
                cids_on.append(number)
        if not text.strip():
            empty.append(number)
        if number > 1:
            parts.append(PAGE_SEPARATOR)
            offset += len(PAGE_SEPARATOR)
        starts.append(offset)
        regions.append(Region("page", offset, offset + len(text), label=str(number)))
        parts.append(text)
        offset += len(text)

    unreadable = {p for p, _ in pages.unreadable}
    if len(empty) == n:
        if unreadable:
            raise CorruptDocumentError(path, f"no page could be read: page {pages.unreadable[0][0]}: "
                                             f"{pages.unreadable[0][1]}")
        raise EmptyDocumentError(path, NO_TEXT_LAYER)

    warnings: list[str] = []
    if pages.lost:  # PDFium's text kept because pdfminer could not read the file either
        warnings.append(_lost_detail(pages.lost) + "; some text is missing")
    if "fallback_from" in details:
        warnings.append(f"{details['fallback_from']}; the text comes from {pages.engine} instead")
    if pages.unreadable:
        first = pages.unreadable[0]
        warnings.append(f"{_pages_phrase(sorted(unreadable))} of {n} could not be read and "
                        f"are left empty (page {first[0]}: {first[1]})")
    no_layer = [p for p in empty if p not in unreadable]
    if no_layer:
        warnings.append(f"no text layer on {_pages_phrase(no_layer)} of {n} "
                        "(scanned or image-only? OCR is out of scope)")
    if cids:
        warnings.append(f"{cids} glyph(s) without a Unicode mapping written as (cid:N) by pdfminer "
                        f"on {_pages_phrase(cids_on)}")
    if replaced:
        warnings.append(f"{replaced} character(s) without a Unicode mapping replaced by U+FFFD "
                        f"on {_pages_phrase(replaced_on)}")

    details.update({
        "engine": pages.engine,
        "engine_version": pages.engine_version,
        "pages": n,
        "encrypted": pages.encrypted,
        "page_separator": PAGE_SEPARATOR,
        "pages_without_text": tuple(empty),
        "replaced_chars": replaced,
        "cid_glyphs": cids,
        "paragraph_breaks": pages.breaks,
    })
    if pages.log:
        details["engine_log"] = pages.log
    full = "".join(parts)
    furniture = find_furniture(full, starts)  # running headers, footers, page numbers
    if furniture:
        details["furniture_lines"] = len(furniture)
        regions = sorted([*regions, *furniture], key=lambda r: (r.start, r.end, r.kind))
    return Extracted(
        text=full,
        media_type=MEDIA_TYPE,
        page_starts=tuple(starts),
        regions=tuple(regions),
        details=details,
        warnings=tuple(warnings),
    )


def _normalise_page(text: str, *, pdfium_marks: bool) -> tuple[str, int]:
    """One page's text as it goes into the document, and how many characters became U+FFFD.

    Pre-existing U+FFFD characters are counted too (they are reported, not hidden).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if pdfium_marks:
        if "\ufffe" in text:
            text = text.replace("\ufffe\n", "-\n").replace("\ufffe", "-\n")
        text = "\n".join([line.rstrip(" ") for line in text.split("\n")])  # 5x faster than a regex
    if _UNMAPPED.search(text) is None:
        return text, 0
    return _UNMAPPED.subn("\ufffd", text)


def _pages_phrase(numbers: Sequence[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"pages 1-3, 5"``; ``[4]`` -> ``"page 4"``."""
    runs: list[str] = []
    start = prev = numbers[0]
    for x in list(numbers[1:]) + [None]:
        if x is not None and x == prev + 1:
            prev = x
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if x is not None:
            start = prev = x
    word = "page" if len(numbers) == 1 else "pages"
    return f"{word} {', '.join(runs)}"


def _check_header(path: Path, data: bytes) -> None:
    if not data:
        raise EmptyDocumentError(path, "0 bytes")
    if b"%PDF-" not in data[:1024]:
        raise CorruptDocumentError(path, "not a PDF: no %PDF- header in the first 1024 bytes")


def _preload(reader: Callable[..., _Pages]) -> None:
    """Import the engine's library (and read its version) in the parent: children inherit both."""
    if reader is _pdfium_pages:  # the rare pdfminer fallback imports pdfplumber in the child
        import pypdfium2  # noqa: F401

        _version("pypdfium2")
    else:
        import pdfplumber  # noqa: F401

        _version("pdfplumber")


@functools.cache
def _version(library: str) -> str:
    """``importlib.metadata.version``, cached: it parses the package metadata (~5 ms) each call."""
    return metadata.version(library)
