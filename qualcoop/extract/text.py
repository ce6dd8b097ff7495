"""Plain text and Markdown files, and the byte decoding every text-based extractor shares.

:func:`decode_bytes` is the one place where bytes become text for text-based formats
(plain text, Markdown, WebVTT/SRT, transcripts, metadata CSV). Its policy:

1. ``options.encoding`` forces an encoding (a leading U+FEFF is still removed as a BOM).
2. A byte order mark decides: UTF-8, UTF-16 LE/BE, UTF-32 LE/BE. The BOM is removed.
3. Strict UTF-8 (this includes pure ASCII).
4. UTF-16 without BOM when the NUL bytes sit in every other byte (BOM-less UTF-16 is rare,
   but some tools write it).
5. Bytes that fail UTF-8 but contain more well-formed UTF-8 multi-byte sequences than
   invalid bytes are *broken UTF-8*, not a legacy encoding: ``errors="strict"`` raises
   :class:`~qualcoop.errors.DecodingError` with the byte offset.
6. Otherwise the encoding is detected with charset-normalizer. English and Indonesian
   files in a legacy encoding are nearly always Windows-1252 (or Latin-1), so cp1252 is
   preferred whenever its mess ratio ("chaos") is within 0.05 of the best candidate; a
   clearly better candidate (e.g. cp1251 for Russian text) wins otherwise.
   ``encoding_confidence`` is ``1 - chaos``. :func:`decode_warnings` returns a message (the
   extractor puts it in ``Extracted.warnings``) when a guess is below :data:`LOW_CONFIDENCE`
   or is not a Western encoding (cp1252, Latin-1/-9, Mac Roman): for an English/Indonesian
   corpus such a guess, however confident, deserves a look.

Undecodable bytes never turn into U+FFFD silently: ``errors="replace"`` opts in and the
count goes to ``details["replacements"]``. Binary data (a NUL character, many control
characters or replacement characters) raises :class:`~qualcoop.errors.DecodingError`
whatever ``errors`` says. CRLF and lone CR become LF here, once; nothing later changes the
text. All of this is deterministic: the same bytes give the same text and details.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

from ..errors import DecodingError, EmptyDocumentError, ExtractionError, MetadataError
from ..model import Region
from .base import INLINE_TEXT_BYTES, ExtractOptions, Extracted

__all__ = ["TextExtractor", "decode_bytes", "decode_warnings", "split_front_matter",
           "markdown_headings", "LOW_CONFIDENCE"]

#: an encoding guess below this confidence (``1 - chaos``) produces a warning message
LOW_CONFIDENCE = 0.9
#: decoded text with a larger share of control characters (other than tab, LF, CR, FF, VT) is binary
_MAX_CONTROL_SHARE = 0.05
#: ``errors="replace"`` output with a larger share of U+FFFD is binary junk, not text
_MAX_REPLACEMENT_SHARE = 0.10
#: legacy encodings preferred for English/Indonesian material, in order
_PREFERRED = ("cp1252", "latin_1")
_PREFER_MARGIN = 0.05
#: guesses outside these (codec names) get a warning even when charset-normalizer is confident
_WESTERN = frozenset({"cp1252", "iso8859-1", "iso8859-15", "mac-roman", "utf-8", "utf-16-le", "utf-16-be"})

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE BOM
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_BAD_CONTROLS = re.compile(r"[\x01-\x08\x0e-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n?")


def decode_bytes(path: str | Path, data: bytes, options: ExtractOptions) -> tuple[str, dict[str, Any]]:
    """Decode the bytes of a text file into final text, with provenance details.

    Parameters
    ----------
    path : path-like
        The file, named in errors.
    data : bytes
        The file's bytes.
    options : ExtractOptions
        Uses ``encoding`` (force an encoding) and ``errors`` (``"strict"`` or ``"replace"``).

    Returns
    -------
    text : str
        The decoded text: BOM removed, CRLF and lone CR turned into LF.
    details : dict
        ``encoding`` (Python codec name, e.g. ``"utf-8"``, ``"cp1252"``, ``"utf-16-le"``),
        ``bom`` (bool), ``encoding_detected`` (True only when the encoding was guessed),
        ``encoding_confidence`` (1.0 for a BOM or valid UTF-8, ``1 - chaos`` for a guess,
        None when forced), ``newlines_normalised`` (count of CRLF/CR turned into LF) and,
        with ``errors="replace"``, ``replacements`` (count of U+FFFD inserted).

    Raises
    ------
    DecodingError
        Undecodable bytes under ``errors="strict"`` (with the byte offset), an unknown forced
        encoding, no plausible encoding, or binary data.

    Examples
    --------
    >>> from qualcoop.extract.base import ExtractOptions
    >>> text, details = decode_bytes("x.txt", b"\\xef\\xbb\\xbfKerja sama\\r\\n", ExtractOptions())
    >>> text, details["encoding"], details["bom"]
    ('Kerja sama\\n', 'utf-8', True)
    >>> decode_bytes("x.txt", "Café".encode("cp1252"), ExtractOptions())[1]["encoding"]
    'cp1252'
    """
    if options.errors not in ("strict", "replace"):
        raise ExtractionError(path, f"options.errors must be 'strict' or 'replace', not {options.errors!r}")
    details: dict[str, Any] = {"encoding": None, "bom": False, "encoding_detected": False,
                               "encoding_confidence": None}
    if options.encoding:
        try:
            enc = codecs.lookup(options.encoding).name
        except LookupError as e:
            raise DecodingError(path, f"unknown encoding {options.encoding!r}") from e
        text, replaced = _decode(path, data, enc, 0, options.errors)
        if text.startswith("\ufeff"):
            text = text[1:]
            details["bom"] = True
        details["encoding"] = enc
    else:
        text, replaced = _decode_auto(path, data, options.errors, details)
    if options.errors == "replace":
        details["replacements"] = replaced
    _refuse_binary(path, text, replaced)
    text, n = _NEWLINES.subn("\n", text)
    details["newlines_normalised"] = n
    return text, details


def decode_warnings(details: dict[str, Any]) -> tuple[str, ...]:
    """Messages for ``Extracted.warnings`` about a decoding (a low-confidence guess, replacements)."""
    out = []
    conf = details.get("encoding_confidence")
    enc = details.get("encoding")
    if details.get("encoding_detected") and conf is not None and conf < LOW_CONFIDENCE:
        out.append(f"encoding guessed as {enc} with low confidence {conf:.2f}; "
                   "set options.encoding if the text looks wrong")
    elif details.get("encoding_detected") and enc not in _WESTERN:
        out.append(f"encoding guessed as {enc}, not a Western encoding usual for English or Indonesian "
                   "text; set options.encoding if the text looks wrong")
    if details.get("replacements"):
        out.append(f"{details['replacements']} undecodable byte sequence(s) replaced by U+FFFD")
    return tuple(out)


def _decode_auto(path: str | Path, data: bytes, errors: str, details: dict[str, Any]) -> tuple[str, int]:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            if enc == "utf-32-le" and len(data) % 4:
                continue  # FF FE 00 00 can also be a UTF-16 LE BOM followed by U+0000
            details.update(encoding=enc, bom=True, encoding_confidence=1.0)
            return _decode(path, data, enc, len(bom), errors)
    if b"\x00" in data:  # NULs are valid UTF-8 but no text has them: BOM-less UTF-16?
        enc = _bomless_utf16(data)
        if enc is not None:
            details.update(encoding=enc, encoding_detected=True, encoding_confidence=1.0)
            return _decode(path, data, enc, 0, errors)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        first_bad = e.start
    else:
        details.update(encoding="utf-8", encoding_confidence=1.0)
        return text, 0
    n_good = len(_UTF8_MULTIBYTE.findall(data))
    if n_good and n_good >= data.decode("utf-8", "replace").count("\ufffd"):
        details.update(encoding="utf-8", encoding_confidence=1.0)
        return _decode(path, data, "utf-8", 0, errors)  # broken UTF-8: raises under "strict"
    guess = _guess(data)
    if guess is None:
        if errors == "strict":
            raise DecodingError(path, f"no plausible text encoding (not UTF-8 from byte offset {first_bad}); "
                                      "set options.encoding to force one")
        details.update(encoding="utf-8", encoding_confidence=0.0)
        return _decode(path, data, "utf-8", 0, errors)
    enc, conf = guess
    details.update(encoding=enc, encoding_detected=True, encoding_confidence=conf)
    return _decode(path, data, enc, 0, errors)


def _bomless_utf16(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when NULs fill the odd (LE) or even (BE) bytes of mostly-ASCII text."""
    if len(data) % 2 or len(data) < 4:
        return None
    half = len(data) // 2
    odd_nul = data[1::2].count(0)
    even_nul = data[0::2].count(0)
    if odd_nul >= 0.9 * half and even_nul == 0:
        return "utf-16-le"
    if even_nul >= 0.9 * half and odd_nul == 0:
        return "utf-16-be"
    return None


def _guess(data: bytes) -> tuple[str, float] | None:
    from charset_normalizer import from_bytes

    preferred = from_bytes(data, cp_isolation=list(_PREFERRED)).best()
    if preferred is not None and preferred.chaos <= _PREFER_MARGIN:
        best = preferred  # no candidate can beat it by more than the margin: skip the full search
    else:
        best = from_bytes(data).best()
        if preferred is not None and (best is None or preferred.chaos <= best.chaos + _PREFER_MARGIN):
            best = preferred
    if best is None:
        return None
    return codecs.lookup(best.encoding).name, round(max(0.0, 1.0 - best.chaos), 3)


def _decode(path: str | Path, data: bytes, enc: str, skip: int, errors: str) -> tuple[str, int]:
    """Decode ``data[skip:]``; under "replace" count the U+FFFD inserted (exactly, not estimated)."""
    view = memoryview(data)[skip:]
    try:
        return str(view, enc), 0
    except UnicodeDecodeError as e:
        if errors == "strict":
            bad = bytes(e.object[e.start:e.end][:8]).hex(" ")
            raise DecodingError(path, f"{enc}: undecodable bytes {bad} at byte offset {skip + e.start} "
                                      f"({e.reason}); set options.errors='replace' to replace them") from e
    pieces: list[str] = []
    pos, count = 0, 0
    while True:
        try:
            pieces.append(str(view[pos:], enc))
            break
        except UnicodeDecodeError as e:
            pieces.append(str(view[pos:pos + e.start], enc))
            pieces.append("\ufffd")
            count += 1
            pos += max(e.end, e.start + 1)
    return "".join(pieces), count


def _refuse_binary(path: str | Path, text: str, replaced: int) -> None:
    nul = text.find("\x00")
    if nul >= 0:
        raise DecodingError(path, f"binary data, not text (NUL character at character offset {nul})")
    n = len(text) or 1
    controls = len(_BAD_CONTROLS.findall(text))
    if controls > _MAX_CONTROL_SHARE * n:
        raise DecodingError(path, f"binary data, not text ({controls} control characters in {n})")
    if replaced > _MAX_REPLACEMENT_SHARE * n:
        raise DecodingError(path, f"binary data, not text ({replaced} undecodable sequences in {n} characters)")


# --------------------------------------------------------------------------- Markdown

_FRONT_OPEN = "---\n"
_FRONT_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.M)


def split_front_matter(path: str | Path, text: str) -> tuple[dict[str, Any], int]:
    """YAML front matter at the very start of ``text`` -> (attributes, body offset).

    The front matter is a ``---`` line, YAML, and a closing ``---`` (or ``...``) line. Without
    it the result is ``({}, 0)``. ``text[offset:]`` is the body.

    Raises
    ------
    MetadataError
        Malformed YAML (naming the file and the line in the file), or YAML that is not a mapping.

    Examples
    --------
    >>> split_front_matter("a.md", "---\\ntitle: MoU\\n---\\nBody\\n")
    ({'title': 'MoU'}, 19)
    """
    if not text.startswith(_FRONT_OPEN):
        return {}, 0
    close = _FRONT_CLOSE.search(text, len(_FRONT_OPEN))
    if close is None:
        raise MetadataError(path, "front matter opened with '---' on line 1 is never closed", line=1)
    from .metadata import load_yaml_mapping

    attrs = load_yaml_mapping(path, text[len(_FRONT_OPEN):close.start()], first_line=2,
                              what="front matter")
    return attrs, close.end()


_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```+|~~~+)")


def markdown_headings(text: str) -> tuple[Region, ...]:
    """ATX (``# Title``) and setext (underlined) headings as ``Region(kind="heading", label=level)``.

    The region spans the heading's line without its newline. Headings inside fenced code
    blocks are ignored.
    """
    regions = []
    pos = 0
    fence: str | None = None
    prev: tuple[int, int] | None = None  # the previous non-blank plain line, for setext headings
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence, prev = m.group(1), None
            continue
        atx = _ATX.match(line)
        if atx:
            regions.append(Region(kind="heading", start=start, end=end, label=str(len(atx.group(1)))))
            prev = None
            continue
        st = _SETEXT.match(line)
        if st and prev is not None:
            level = "1" if st.group(1)[0] == "=" else "2"
            regions.append(Region(kind="heading", start=prev[0], end=prev[1], label=level))
            prev = None
            continue
        prev = (start, end) if line.strip() and not line.startswith(("    ", "\t")) else None
    return tuple(regions)


# --------------------------------------------------------------------------- the extractor


class TextExtractor:
    """Plain text (``.txt``, ``.text``) and Markdown (``.md``, ``.markdown``) files.

    The text is the decoded file (see :func:`decode_bytes`). Markdown files may start with
    YAML front matter: it becomes the document's attributes (the sidecar still wins in
    :func:`~qualcoop.extract.extract_file`) and the document text is the body after it, with
    ``details["body_offset"]`` the body's character offset in the decoded file. Markdown
    headings become ``Region(kind="heading")``. Markup is otherwise kept as written.
    Front matter is only read from Markdown files: in a ``.txt`` file a leading ``---`` is text.
    """

    name = "text.v1"
    media_type = "text/plain"
    suffixes = (".txt", ".text", ".md", ".markdown")
    inline_max_bytes = INLINE_TEXT_BYTES  # small files skip the sandbox (see base.py)
    _MARKDOWN = (".md", ".markdown")

    def version(self) -> str:
        import charset_normalizer

        return f"charset-normalizer {charset_normalizer.__version__}"

    def extract(self, path: Path, data: bytes, options: ExtractOptions) -> Extracted:
        """Decode ``data``; for Markdown, read front matter and headings."""
        text, details = decode_bytes(path, data, options)
        attributes: dict[str, Any] = {}
        regions: tuple[Region, ...] = ()
        media_type = self.media_type
        if Path(path).suffix.lower() in self._MARKDOWN:
            media_type = "text/markdown"
            attributes, offset = split_front_matter(path, text)
            details["body_offset"] = offset
            text = text[offset:]
            regions = markdown_headings(text)
        if not text.strip():
            raise EmptyDocumentError(path, "no text" + (" after the front matter" if attributes else ""))
        return Extracted(text=text, media_type=media_type, regions=regions, details=details,
                         attributes=attributes, warnings=decode_warnings(details))
