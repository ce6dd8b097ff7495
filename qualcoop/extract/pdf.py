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

import functools
import io
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from ..errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
)
from ..model import Region
from .base import Extracted, ExtractOptions
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
                    texts.append(textpage.get_text_range(errors="replace"))
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
                  lost=lost)


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
                    texts.append(page.extract_text(layout=layout))
                except Exception as e:  # noqa: BLE001 - one bad page does not sink the file
                    _reraise_exhaustion(e)
                    unreadable.append((n, f"{type(e).__name__}: {e}"))
                    texts.append("")
                finally:
                    page.close()  # without this pdfplumber keeps every page's objects
        finally:
            pdf.close()
    return _Pages(texts, "pdfplumber", _version("pdfplumber"), False, encrypted,
                  unreadable, tuple(log))


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
    })
    if pages.log:
        details["engine_log"] = pages.log
    return Extracted(
        text="".join(parts),
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
