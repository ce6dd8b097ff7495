"""Paragraphs: blocks of text separated by blank lines or page breaks (``"paragraph"``).

A blank line is a line holding only white space (in text written one paragraph per line,
with no blank lines and long lines, every line break ends a paragraph instead; see
:func:`one_line_per_paragraph`); a form feed (``"\\f"``, the page break
of pdftotext and of qualcoop's PDF extractors) and U+2029 PARAGRAPH SEPARATOR also end a
paragraph. Paragraphs never cross a speaker turn (``Region(kind="turn")``) and carry the
turn's speaker; text outside every turn (a transcript's header) still forms paragraphs,
with no speaker, except the speaker labels themselves: when a turn region leaves its
label out (``"Max Bigman:   "`` in front of the region), the label is no paragraph (see
:func:`label_start`). A heading line (see :mod:`qualcoop.segment.articles`) starts a new
paragraph and is one by itself (``"Pasal 1"`` on its own line is a paragraph, not the
start of the article's first paragraph), and when the document has headings each
paragraph carries the ``section`` it lies in. Each paragraph's span leaves out its
leading and trailing white space; the union of the paragraphs covers every
non-white-space character of the text other than those speaker labels.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Document, Segment

__all__ = ["segment_paragraphs", "strip_span", "turn_ranges", "paragraph_spans", "label_start", "Span",
           "one_line_per_paragraph"]

_BREAK = re.compile(r"\n[^\S\n]*+\n(?:[^\S\n]*+\n)*+|[\f\u2029]")
#: in "one line per paragraph" text every line break ends a paragraph
_LINE_BREAK = re.compile(r"\n|[\f\u2029]")
#: a text with no blank line whose lines are this long (median) is one paragraph per line
LONG_LINE = 200


def one_line_per_paragraph(text: str) -> bool:
    """True for text written one paragraph per line (long lines, hardly any blank line).

    Word processors and many corpora (the UN General Debate files among them) save each
    paragraph as one long line with no blank line between paragraphs (at most a stray one);
    hard-wrapped text (lines of ~60-100 characters) and text whose paragraphs are separated by
    blank lines are not like that.

    Examples
    --------
    >>> one_line_per_paragraph(("A long paragraph. " * 15 + "\\n") * 3)
    True
    >>> one_line_per_paragraph("Short wrapped\\nlines of text\\nhere.")
    False
    >>> one_line_per_paragraph(("A long paragraph. " * 15 + "\\n\\n") * 3)
    False
    """
    lengths = sorted(len(line) for line in text.split("\n") if line.strip())
    if len(lengths) < 3 or lengths[len(lengths) // 2] < LONG_LINE:
        return False
    return len(_BLANK_LINE.findall(text)) * 5 < len(lengths)


_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


@dataclass(frozen=True)
class Span:
    """A stretch of text with the speaker (and times) of the turn it belongs to."""

    start: int
    end: int
    speaker: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    is_turn: bool = False


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither starts nor ends with white space (``str.isspace``).

    An all-white-space span comes back empty (``start == end``).

    Examples
    --------
    >>> strip_span("  ab c \\n", 0, 8)
    (2, 6)
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def turn_ranges(doc: Document, *, include_gaps: bool = True) -> tuple[Span, ...]:
    """The document cut at its turn regions, in order and without overlaps.

    Turn regions are sorted; one that starts inside the previous one is clipped to begin
    where the previous one ends. With ``include_gaps`` the text between (and around) turns
    comes back as spans with no speaker, so the spans tile the whole text.
    """
    n = len(doc.text)
    turns = sorted(doc.regions_of("turn"), key=lambda r: (r.start, r.end))
    if not turns:
        return (Span(0, n),) if include_gaps else ()
    out: list[Span] = []
    pos = 0
    for r in turns:
        start = max(r.start, pos)
        end = max(r.end, start)
        if include_gaps and start > pos:
            out.append(Span(pos, start))
        if end > start:
            out.append(Span(start, end, r.label, r.start_time, r.end_time, True))
        pos = max(pos, end)
    if include_gaps and pos < n:
        out.append(Span(pos, n))
    return tuple(out)


def label_start(text: str, gap_start: int, turn_start: int, speaker: str | None = None) -> int:
    """Where the speaker label in front of a turn begins (``turn_start`` if there is none).

    The label is the text between the start of the turn's first line and the turn
    (``"Max Bigman:   "``), or, when the turn starts a line, the one line before it if
    that line ends with ``":"`` or ``"]"`` (``"Interviewer:\\n"``, ``"[id2]\\n"``). When
    ``speaker`` is given, the label must contain it (case-insensitively), so a header line
    such as ``"Participants:"`` is not taken for a label. Nothing before ``gap_start`` is
    looked at.

    Examples
    --------
    >>> text = "Header\\n\\nMax: hello"
    >>> text[label_start(text, 0, 13, "Max"):13]
    'Max: '
    """
    def names_speaker(label: str) -> bool:
        return not speaker or speaker.strip().casefold() in label.casefold()

    line_start = max(text.rfind("\n", gap_start, turn_start) + 1, gap_start)
    same_line = text[line_start:turn_start]
    if same_line.strip():
        return line_start if names_speaker(same_line) else turn_start
    if line_start <= gap_start:
        return turn_start
    prev_start = max(text.rfind("\n", gap_start, line_start - 1) + 1, gap_start)
    prev = text[prev_start:line_start - 1].strip()
    if prev and prev[-1] in ":]" and len(prev) <= 80 and names_speaker(prev):
        return prev_start
    return turn_start


def paragraph_spans(text: str, start: int, end: int, cuts: list[int] | None = None, *,
                    breaks: re.Pattern[str] = _BREAK) -> Iterator[tuple[int, int]]:
    """Stripped, non-empty paragraph spans of ``text[start:end]``, also split at ``cuts`` (sorted).

    ``breaks`` is what separates paragraphs (blank lines and page breaks by default)."""
    bounds = [start]
    if cuts:
        i = bisect.bisect_right(cuts, start)
        while i < len(cuts) and cuts[i] < end:
            bounds.append(cuts[i])
            i += 1
    bounds.append(end)
    for a, b in zip(bounds, bounds[1:]):
        pos = a
        for m in breaks.finditer(text, a, b):
            s, e = strip_span(text, pos, m.start())
            if e > s:
                yield s, e
            pos = m.end()
        s, e = strip_span(text, pos, b)
        if e > s:
            yield s, e


def segment_paragraphs(doc: Document, *, sections: bool = True) -> tuple[Segment, ...]:
    """Split ``doc`` into paragraphs.

    Parameters
    ----------
    doc : Document
        The document.
    sections : bool
        Find headings (articles, chapters, DOCX heading regions): every heading line is
        then a paragraph of its own and paragraphs carry the ``section`` they lie in.
        ``False`` skips that.

    Returns
    -------
    tuple of Segment
        Kind ``"paragraph"``, ordered, non-overlapping, stripped; ``speaker`` from the turn.

    Examples
    --------
    >>> from qualcoop.model import Document
    >>> doc = Document(id="d", text="First line\\nsame paragraph.\\n \\nSecond.\\fThird.")
    >>> [doc.text[s.start:s.end] for s in segment_paragraphs(doc)]
    ['First line\\nsame paragraph.', 'Second.', 'Third.']
    """
    text = doc.text
    headings: tuple = ()
    if sections:
        from .articles import find_headings

        headings = find_headings(doc)
    starts = [h.start for h in headings]
    cuts = sorted({c for h in headings for c in (h.start, h.line_end)})
    breaks = _LINE_BREAK if one_line_per_paragraph(text) else _BREAK
    out: list[Segment] = []
    spans = turn_ranges(doc)
    for k, span in enumerate(spans):
        end = span.end
        if not span.is_turn and k + 1 < len(spans) and spans[k + 1].is_turn:
            end = label_start(text, span.start, span.end, spans[k + 1].speaker)
        for s, e in paragraph_spans(text, span.start, end, cuts, breaks=breaks):
            out.append(Segment(doc_id=doc.id, start=s, end=e, kind="paragraph", index=len(out),
                               speaker=span.speaker, section=_section(headings, starts, s)))
    return tuple(out)


def _section(headings: tuple, cuts: list[int], offset: int) -> str | None:
    if not headings:
        return None
    i = bisect.bisect_right(cuts, offset) - 1
    return headings[i].section if i >= 0 else "preamble"
