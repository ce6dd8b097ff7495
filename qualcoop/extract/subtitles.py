"""WebVTT and SubRip subtitles: cues with times and speakers, read into speaker turns.

Parsing is our own (no dependency) and follows the W3C WebVTT parser where it matters:

- a ``WEBVTT`` first line (after an optional BOM; text after a space or tab is allowed),
  then header lines (``Kind: captions``, ``Language: en``, ``Style:`` ... up to the first
  blank line);
- blocks separated by blank lines: ``NOTE``, ``STYLE`` and ``REGION`` blocks are skipped;
  a cue is an optional identifier line, a timing line ``start --> end [settings]`` with
  times ``hh:mm:ss.ttt`` or ``mm:ss.ttt`` (cue settings are ignored) and text lines;
- a line holding ``-->`` inside cue text ends the cue and starts the next one (as in the
  W3C parser), so a cue may have empty text;
- cue text goes through the W3C cue-text tokenizer: tags (``<c.x>``, ``<i>``, ``<b>``, ``<u>``,
  ``<ruby>``/``<rt>``, ``<lang x>``, inline timestamps ``<00:00:01.000>``) are dropped, the
  text inside them kept, HTML character references (``&amp;``, ``&lt;``, ``&gt;``, ``&nbsp;``,
  ``&lrm;``, ``&rlm;``, ...) decoded. ``<v Name>`` gives the cue's voice (W3C semantics:
  ``<v a b>`` is voice ``"a b"``, ``<v.loud Name>`` has class ``loud`` and voice ``Name``);
  the first voice span of a cue is its voice.

SubRip (``.srt``): numbered cues, timings with a comma (``00:00:01,000``; a dot is tolerated),
HTML-like tags (``<i>``, ``<font ...>``) and ASS override codes (``{\\an8}``) stripped, and
character references decoded when they end with ``;`` (SRT has no escaping, so ``AT&T`` and
``&lt`` stay as written). Blank lines inside a cue's text (common in hand-edited files) keep the text
with that cue.

Cue text lines are stripped of surrounding whitespace; lines left empty by tag stripping are
dropped; ``Cue.text`` is the lines joined by ``"\\n"``.

The document
------------
Speakers come from voice spans, or, in files without them, from a ``Name: text`` prefix
(Zoom/Teams exports) when at least half of the cues carry such a prefix (with the same
plausibility checks as :mod:`qualcoop.extract.transcript`, so "Note:" is not a speaker).
Consecutive cues of one speaker (or of no speaker) form a turn; a cue with empty text stays
in the current turn. The document text has one paragraph per turn, ``"Name: "`` + the cue
texts joined by one space, paragraphs separated by a blank line, and a final newline; a turn
without a speaker is just its text. Regions:

- ``Region(kind="turn", label=speaker or None)`` over the utterance only (not ``"Name: "``),
  from the first cue's start time to the last cue's end time;
- ``Region(kind="cue", label=identifier)`` over each cue's text, with its times.

So ``doc.text[cue.start:cue.end] == Cue.text`` (minus a ``Name:`` prefix the turn shows once).
Malformed files raise :class:`~qualcoop.errors.CorruptDocumentError` naming the file and line;
a well-formed file without cues raises :class:`~qualcoop.errors.EmptyDocumentError`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CorruptDocumentError, EmptyDocumentError
from ..model import Region
from .base import INLINE_TEXT_BYTES, ExtractOptions, Extracted, qualcoop_version
from .transcript import is_plausible_label

__all__ = ["Cue", "VttExtractor", "SrtExtractor", "parse_vtt", "parse_srt", "cue_text",
           "format_timestamp"]


@dataclass(frozen=True)
class Cue:
    """One subtitle cue.

    Attributes
    ----------
    identifier : str or None
        The cue identifier line (WebVTT) or cue number (SRT), if any.
    start, end : float
        Times in seconds.
    text : str
        Plain text: tags removed, entities decoded, ``lines`` joined by ``"\\n"``.
    voice : str or None
        The annotation of the cue's first ``<v>`` span (``""`` for a bare ``<v>``), else None.
    lines : tuple of str
        The text lines, each stripped, without empty ones.
    line : int
        1-based line number of the cue's timing line in the file.
    """

    identifier: str | None
    start: float
    end: float
    text: str
    voice: str | None = None
    lines: tuple[str, ...] = ()
    line: int = 0


# --------------------------------------------------------------------------- times

_VTT_TS = r"(?:(\d{1,}):)?(\d{2}):(\d{2})\.(\d{3})"
_VTT_TIMING = re.compile(rf"^[ \t]*{_VTT_TS}[ \t]*-->[ \t]*{_VTT_TS}(?:[ \t].*)?$")
_SRT_TS = r"(?:(\d{1,}):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_SRT_TIMING = re.compile(rf"^[ \t]*{_SRT_TS}[ \t]*-->[ \t]*{_SRT_TS}(?:[ \t].*)?$")


def _seconds(h: str | None, m: str, s: str, frac: str) -> float | None:
    if int(s) >= 60 or (h is not None and int(m) >= 60):
        return None
    ms = int(frac.ljust(3, "0"))
    return (((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + ms) / 1000


def format_timestamp(seconds: float, *, srt: bool = False) -> str:
    """``hh:mm:ss.ttt`` (``hh:mm:ss,ttt`` with ``srt=True``) for a time in seconds.

    Examples
    --------
    >>> format_timestamp(3723.5), format_timestamp(0.5, srt=True)
    ('01:02:03.500', '00:00:00,500')
    """
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{',' if srt else '.'}{ms:03d}"


# --------------------------------------------------------------------------- cue text (W3C tokenizer)

_WS = " \t\n\f\r"


def _tokens(s: str) -> Iterable[tuple[str, str, str]]:
    """W3C WebVTT cue-text tokenizer: (kind, name or text, annotation) with kind in
    text/start/end/timestamp."""
    i, n = 0, len(s)
    while i < n:
        if s[i] != "<":
            j = s.find("<", i)
            j = n if j < 0 else j
            yield ("text", html.unescape(s[i:j]), "")
            i = j
            continue
        i += 1  # tag state
        if i >= n:
            yield ("start", "", "")
            return
        c = s[i]
        if c == "/":  # end tag
            j = s.find(">", i + 1)
            name = s[i + 1:j if j >= 0 else n]
            yield ("end", name, "")
            i = n if j < 0 else j + 1
            continue
        if c.isdigit():  # timestamp tag
            j = s.find(">", i)
            yield ("timestamp", s[i:j if j >= 0 else n], "")
            i = n if j < 0 else j + 1
            continue
        # start tag: name[.class...][ annotation]>
        j = s.find(">", i)
        body = s[i:j if j >= 0 else n]
        i = n if j < 0 else j + 1
        head, annotation = body, ""
        for k, ch in enumerate(body):
            if ch in _WS:
                head, annotation = body[:k], body[k + 1:]
                break
        name = head.split(".", 1)[0]
        yield ("start", name, " ".join(annotation.split()))


_KNOWN = {"c", "i", "b", "u", "ruby", "rt", "v", "lang"}


def cue_text(raw: str) -> tuple[str, str | None]:
    """Plain text and voice of WebVTT cue text (W3C cue-text parsing rules).

    Text inside known tags (``c``, ``i``, ``b``, ``u``, ``ruby``, ``rt``, ``v``, ``lang``) is
    kept; unknown tags, end tags and timestamps are dropped; entities are decoded.

    Examples
    --------
    >>> cue_text("a<v.d e>b</v>c")
    ('abc', 'e')
    >>> cue_text("That's <00:00:21.000><c.colorE5E5E5>amore</c> &amp; more")
    ("That's amore & more", None)
    """
    out: list[str] = []
    voice: str | None = None
    for kind, value, annotation in _tokens(raw):
        if kind == "text":
            out.append(value)
        elif kind == "start" and value == "v" and voice is None:
            voice = annotation
    return "".join(out), voice


# --------------------------------------------------------------------------- WebVTT


def _corrupt(source: str, line: int, detail: str) -> CorruptDocumentError:
    return CorruptDocumentError(source, f"line {line}: {detail}")


def _cue(identifier: str | None, start: float, end: float, raw: str, line: int) -> Cue:
    text, voice = cue_text(raw)
    lines = tuple(x for x in (ln.strip() for ln in text.split("\n")) if x)
    return Cue(identifier=identifier, start=start, end=end, text="\n".join(lines), voice=voice,
               lines=lines, line=line)


def _parse_vtt(text: str, source: str) -> tuple[list[Cue], dict[str, str], list[int]]:
    """Cues, header metadata and the line numbers of skipped blocks without a timing line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = re.split(r"\r\n|\r|\n", text)
    first = lines[0]
    if not (first.startswith("WEBVTT") and (len(first) == 6 or first[6] in " \t")):
        what = "empty file" if not text.strip() else f"first line is {first[:40]!r}"
        raise _corrupt(source, 1, f"no WEBVTT header ({what})")
    header: dict[str, str] = {}
    i = 1
    while i < len(lines) and lines[i].strip() and "-->" not in lines[i]:
        key, sep, value = lines[i].partition(":")
        if sep and key.strip() and " " not in key.strip():
            header.setdefault(key.strip().lower(), value.strip())
        i += 1
    cues: list[Cue] = []
    skipped: list[int] = []
    n = len(lines)
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        block_start = i
        word = lines[i].split(None, 1)[0] if lines[i].split() else ""
        if word in ("NOTE", "STYLE", "REGION") and "-->" not in lines[i]:
            while i < n and lines[i].strip():
                i += 1
            continue
        identifier = None
        if "-->" not in lines[i]:
            if i + 1 < n and "-->" in lines[i + 1] and lines[i + 1].strip():
                identifier = lines[i].strip()
                i += 1
            else:
                skipped.append(block_start + 1)
                while i < n and lines[i].strip():
                    i += 1
                continue
        while True:  # i is a timing line; a timing line inside the text starts the next cue
            m = _VTT_TIMING.match(lines[i])
            start = _seconds(*m.groups()[:4]) if m else None
            end = _seconds(*m.groups()[4:8]) if m else None
            if start is None or end is None:
                raise _corrupt(source, i + 1, f"invalid cue timing {lines[i].strip()[:60]!r}")
            timing_line = i + 1
            i += 1
            body_start = i
            while i < n and lines[i].strip() and "-->" not in lines[i]:
                i += 1
            cues.append(_cue(identifier, start, end, "\n".join(lines[body_start:i]), timing_line))
            if i < n and lines[i].strip() and "-->" in lines[i]:
                identifier = None
                continue
            break
    return cues, header, skipped


def parse_vtt(text: str, *, source: str = "<string>") -> list[Cue]:
    """The cues of a WebVTT file, in file order.

    Parameters
    ----------
    text : str
        The file's text (a leading BOM and CRLF line ends are tolerated).
    source : str
        Name used in error messages (the file path).

    Raises
    ------
    CorruptDocumentError
        No ``WEBVTT`` header (including an empty text), or an invalid timing line; the
        message names ``source`` and the line.

    Examples
    --------
    >>> cues = parse_vtt("WEBVTT\\n\\n1\\n00:01.000 --> 00:02.500 align:start\\n<v Ana>Halo &amp; selamat\\n")
    >>> cues[0].identifier, cues[0].start, cues[0].end, cues[0].text, cues[0].voice
    ('1', 1.0, 2.5, 'Halo & selamat', 'Ana')
    """
    return _parse_vtt(text, source)[0]


# --------------------------------------------------------------------------- SubRip

_ASS = re.compile(r"\{\\[^{}\n]*\}")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SRT_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?(?:[ \t]+([^<>\n]*))?>")


def _srt_text(raw: str) -> tuple[str, str | None]:
    m = _SRT_VOICE.search(raw)
    voice = " ".join(m.group(1).split()) if m and m.group(1) is not None else ("" if m else None)
    return _ENTITY.sub(lambda e: html.unescape(e.group()), _HTML_TAG.sub("", _ASS.sub("", raw))), voice


def _parse_srt(text: str, source: str) -> tuple[list[Cue], int]:
    """Cues and the number of blank lines found inside cue text."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = re.split(r"\r\n|\r|\n", text)
    n = len(lines)

    def timing_at(k: int) -> bool:
        return k < n and "-->" in lines[k]

    cues: list[Cue] = []
    current: tuple[str | None, float, float, int] | None = None
    body: list[str] = []
    inner_blanks = 0
    pending_blank = False

    def close() -> None:
        if current is not None:
            ident, start, end, line = current
            while body and not body[-1].strip():
                body.pop()
            raw = "\n".join(body)
            txt, voice = _srt_text(raw)
            ls = tuple(x for x in (ln.strip() for ln in txt.split("\n")) if x)
            cues.append(Cue(identifier=ident, start=start, end=end, text="\n".join(ls), voice=voice,
                            lines=ls, line=line))

    i = 0
    while i < n:
        line = lines[i]
        stripped = line.strip()
        ident = None
        k = i
        if stripped.isdigit() and timing_at(i + 1):
            ident, k = stripped, i + 1
        if timing_at(k):  # a timing line (after an optional cue number) always starts a cue
            m = _SRT_TIMING.match(lines[k])
            start = _seconds(*m.groups()[:4]) if m else None
            end = _seconds(*m.groups()[4:8]) if m else None
            if start is None or end is None:
                raise _corrupt(source, k + 1, f"invalid cue timing {lines[k].strip()[:60]!r}")
            close()
            current, body, pending_blank = (ident, start, end, k + 1), [], False
            i = k + 1
            continue
        if not stripped:
            pending_blank = current is not None
            if current is not None:
                body.append("")
            i += 1
            continue
        if current is None:
            raise _corrupt(source, i + 1, f"expected a cue number or timing line, found {stripped[:40]!r}")
        if pending_blank:
            inner_blanks += 1
            pending_blank = False
        body.append(line)
        i += 1
    close()
    return cues, inner_blanks


def parse_srt(text: str, *, source: str = "<string>") -> list[Cue]:
    """The cues of a SubRip (``.srt``) file, in file order.

    Raises
    ------
    CorruptDocumentError
        Text before the first cue, or an invalid timing line (naming ``source`` and the line).

    Examples
    --------
    >>> c = parse_srt("1\\n00:00:01,000 --> 00:00:02,000\\n<i>Selamat</i> pagi\\n")[0]
    >>> c.identifier, c.start, c.text
    ('1', 1.0, 'Selamat pagi')
    """
    return _parse_srt(text, source)[0]


# --------------------------------------------------------------------------- cues -> document

_PREFIX = re.compile(r"(?P<label>[^\W\d_][\w'’.\-]*(?: [^\W_][\w'’.\-]*){0,3}(?: \([^()\n:]{1,40}\))?)"
                     r"[ \t]*:[ \t]+")


def _prefix(text: str) -> tuple[str, int] | None:
    m = _PREFIX.match(text)
    if m is None or not is_plausible_label(m.group("label")):
        return None
    return m.group("label"), m.end()


def build_document(cues: list[Cue]) -> tuple[str, tuple[Region, ...], dict[str, Any]]:
    """Turn cues into (text, regions, details) as described in the module docstring."""
    unvoiced = [c for c in cues if not c.voice and c.text]
    prefixed = [c for c in unvoiced if _prefix(c.text)]
    use_prefix = bool(prefixed) and len(prefixed) >= 2 and 2 * len(prefixed) >= len(unvoiced)
    items: list[tuple[Cue, str | None, str]] = []
    for c in cues:
        speaker, utter = (c.voice or None), c.text
        if speaker is None and use_prefix:
            got = _prefix(c.text)
            if got is not None:
                speaker, utter = got[0], c.text[got[1]:]
        items.append((c, speaker, utter))

    parts: list[str] = []
    regions: list[Region] = []
    pos = 0
    turn: list[tuple[Cue, int, int]] = []
    turn_speaker: str | None = None
    turn_start = 0
    n_turns = 0

    def flush() -> None:
        nonlocal n_turns
        if turn:
            t_end = turn[-1][2]
            regions.append(Region(kind="turn", start=turn_start, end=t_end, label=turn_speaker,
                                  start_time=turn[0][0].start, end_time=turn[-1][0].end))
            n_turns += 1
            regions.extend(Region(kind="cue", start=s, end=e, label=c.identifier, start_time=c.start,
                                  end_time=c.end) for c, s, e in turn)

    for c, speaker, utter in items:
        if turn and (not utter or speaker == turn_speaker):
            if utter:
                parts.append(" ")
                pos += 1
            turn.append((c, pos, pos + len(utter)))
        else:
            flush()
            if regions or parts:
                parts.append("\n\n")
                pos += 2
            if speaker:
                label = f"{speaker}: "
                parts.append(label)
                pos += len(label)
            turn, turn_speaker, turn_start = [(c, pos, pos + len(utter))], speaker, pos
        parts.append(utter)
        pos += len(utter)
    flush()
    if parts:
        parts.append("\n")
    text = "".join(parts)
    details = {"cues": len(cues), "turns": n_turns,
               "speakers": len({r.label for r in regions if r.kind == "turn" and r.label}),
               "speaker_source": "voice" if any(c.voice for c in cues) else
               ("prefix" if use_prefix else None)}
    return text, tuple(regions), details


def _decode(path: Path, data: bytes, options: ExtractOptions) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    from .text import decode_bytes, decode_warnings

    text, details = decode_bytes(path, data, options)
    return text, details, decode_warnings(details)


def _extracted(path: Path, cues: list[Cue], media_type: str, details: dict[str, Any],
               warnings: list[str], attributes: dict[str, Any]) -> Extracted:
    if not cues or not any(c.text for c in cues):
        raise EmptyDocumentError(path, "no cues" if not cues else "no cue has text")
    text, regions, more = build_document(cues)
    return Extracted(text=text, media_type=media_type, regions=regions, details={**details, **more},
                     attributes=attributes, warnings=tuple(warnings))


class VttExtractor:
    """WebVTT files (``.vtt``): our own parser (see the module docstring)."""

    name = "vtt.v1"
    media_type = "text/vtt"
    suffixes = (".vtt",)
    inline_max_bytes = INLINE_TEXT_BYTES  # small files skip the sandbox (see base.py)

    def version(self) -> str:
        return qualcoop_version()

    def extract(self, path: Path, data: bytes, options: ExtractOptions) -> Extracted:
        """Parse cues and build the turn text; the header ``Language:`` becomes an attribute."""
        if not data.strip():
            raise CorruptDocumentError(path, "line 1: no WEBVTT header (empty file)")
        text, details, warnings = _decode(path, data, options)
        cues, header, skipped = _parse_vtt(text, str(path))
        warn = list(warnings)
        if skipped:
            shown = ", ".join(map(str, skipped[:10])) + (", ..." if len(skipped) > 10 else "")
            warn.append(f"{len(skipped)} block(s) without a cue timing line skipped (line {shown})")
        if header:
            details["vtt_header"] = dict(header)
        attributes = {"language": header["language"]} if header.get("language") else {}
        return _extracted(path, cues, self.media_type, details, warn, attributes)


class SrtExtractor:
    """SubRip files (``.srt``): our own parser (see the module docstring)."""

    name = "srt.v1"
    media_type = "application/x-subrip"
    suffixes = (".srt",)
    inline_max_bytes = INLINE_TEXT_BYTES  # small files skip the sandbox (see base.py)

    def version(self) -> str:
        return qualcoop_version()

    def extract(self, path: Path, data: bytes, options: ExtractOptions) -> Extracted:
        """Parse cues and build the turn text."""
        text, details, warnings = _decode(path, data, options)
        cues, inner_blanks = _parse_srt(text, str(path))
        warn = list(warnings)
        if inner_blanks:
            warn.append(f"{inner_blanks} blank line(s) inside cue text kept with their cue")
        return _extracted(path, cues, self.media_type, details, warn, {})
