"""Legal-text units: articles, chapters, sections (``"article"``, alias ``"section"``).

A unit begins at a heading line and runs to the next heading. Recognised headings:

- English: ``Article 1``, ``ARTICLE I``, ``Art. 2``, ``Article 3bis``, ``Chapter IV``,
  ``CHAPTER 2``, ``Section 3``, ``Part II``, ``Title IV``, ``Annex`` / ``Annex I``;
- Indonesian: ``Pasal 1``, ``PASAL 1``, ``BAB I``, ``Bab II``, ``Bagian Kesatu``,
  ``Paragraf 1``, ``LAMPIRAN``;
- the Dutch and French headings of bilingual treaty texts (``Artikel``, ``Hoofdstuk``,
  ``Deel``, ``Chapitre``, ``Partie``, ``Annexe``);
- DOCX heading regions (``Region(kind="heading")``, label = level).

A heading line *starts* with the heading word (capitalised or upper case), optionally
after markdown ``#`` marks or pdftotext page-number noise (``"\\f-2BAB I"``), followed by
its number and then the end of the line or a separator and a title (``"Article 3 -
Training"``, ``"Article 3. Training"``, ``"BAB II - MAJELIS ..."``). So "in accordance
with Article 3 of ..." mid-sentence is not a heading, and neither is a hard-wrapped line
``"Pasal 17 ayat (3) ..."``. A bare ``"Pasal 16."`` line whose previous line ends with a
word that announces a reference (``"dalam"``, ``"of"``, ``"under"``, ...) continues that
sentence and is not a heading either. Markdown headings (``### Article  N``) are trusted
without that check; markdown headings without a heading word are not unit boundaries.
Lines inside speaker turns (``Region(kind="turn")``) are speech, never headings.

``section`` is the normalised heading label (``"Article 3"``, ``"Pasal 3"``, ``"BAB II"``)
with its parents: ``"BAB II > Pasal 5"``. Parents come from a fixed rank
(Part/Annex > Title > Chapter/BAB > Section/Bagian > Paragraf > Article/Pasal): a heading
closes every open heading of the same or a lower rank. Styled DOCX headings rank by their
level and enclose the plain-text headings. Text before the first heading is a unit with
section ``"preamble"``; a document without headings is one unit with no section.
Limitation: texts where sections sit *inside* articles (the US constitution's
"Article I, Section 2") get flat sections ("Section 2") because of the fixed rank.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..errors import SegmentationError
from ..model import Document, Segment
from .paragraphs import strip_span, turn_ranges

__all__ = ["Heading", "find_headings", "segment_articles", "heading_label", "check_heading_pattern"]

# canonical label, rank, spellings (each also accepted in upper case), id kind
_KEYWORDS: tuple[tuple[str, int, tuple[str, ...], str], ...] = (
    ("Part", 0, ("Part",), "num"),
    ("Deel", 0, ("Deel",), "num"),
    ("Partie", 0, ("Partie",), "num"),
    ("Annex", -1, ("Annex",), "opt"),
    ("Annexe", -1, ("Annexe",), "opt"),
    ("Lampiran", -1, ("LAMPIRAN",), "opt"),
    ("Title", 1, ("Title",), "num"),
    ("Chapter", 2, ("Chapter",), "num"),
    ("Chapitre", 2, ("Chapitre",), "num"),
    ("Hoofdstuk", 2, ("Hoofdstuk",), "num"),
    ("BAB", 2, ("Bab",), "num"),
    ("Section", 3, ("Section",), "num"),
    ("Bagian", 3, ("Bagian",), "ord"),
    ("Paragraf", 4, ("Paragraf",), "ord"),
    ("Article", 5, ("Article", "Art."), "num"),
    ("Artikel", 5, ("Artikel",), "num"),
    ("Pasal", 5, ("Pasal",), "num"),
)
_CANON: dict[str, tuple[str, int, str]] = {}
for _canon, _rank, _spellings, _kind in _KEYWORDS:
    for _s in _spellings:
        _CANON[_s] = (_canon, _rank, _kind)
        _CANON[_s.upper()] = (_canon, _rank, _kind)

_WORD_NUMBERS = ("One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Eleven|Twelve|Thirteen|Fourteen|"
                 "Fifteen|Sixteen|Seventeen|Eighteen|Nineteen|Twenty")
_WORD_NUMBER_SET = frozenset(_WORD_NUMBERS.lower().split("|"))
_NUM = (r"(?:\d{1,4}(?:\.\d{1,3})*|[IVXLCDM]{1,8}|[ivxlcdm]{1,8}|(?i:" + _WORD_NUMBERS + r")(?![A-Za-z]))"
        r"(?:[ \t]?(?:bis|ter|quater|quinquies|sexies)|[A-Z](?![A-Za-z]))?")
_ORD = r"(?i:Kesatu|Pertama|Ke[a-z]{3,9}(?:[ \t]+(?:Belas|Puluh(?:[ \t]+[a-z]{3,9})?))?)"

_KW_NUM = "|".join(re.escape(s) for s, v in sorted(_CANON.items(), key=lambda kv: -len(kv[0])) if v[2] == "num")
_KW_ORD = "|".join(re.escape(s) for s, v in sorted(_CANON.items(), key=lambda kv: -len(kv[0])) if v[2] == "ord")
_KW_OPT = "|".join(re.escape(s) for s, v in sorted(_CANON.items(), key=lambda kv: -len(kv[0])) if v[2] == "opt")

# a separator then a title, or the end of the line
_TAIL = r"(?P<tail>[ \t]*(?:[.:)\-\u2013\u2014][ \t]*)?$|[ \t]*[.:\-\u2013\u2014][ \t]+\S[^\n]*$)"
_HEADING_RE = re.compile(
    # possessive quantifiers: a line of thousands of blanks must not backtrack quadratically
    r"^(?P<prefix>[ \t]*+(?P<hashes>\#{1,6})?+[ \t]*+(?:\f[ \t]*+)?+(?:-[ \t]*+\d{1,4}+[ \t]*+-?+[ \t]*+)?+)"
    r"(?:"
    r"(?P<kw>" + _KW_NUM + r")(?:[ \t]++|(?<=\.)[ \t]*+)(?P<num>" + _NUM + r")"
    r"|(?P<kwo>" + _KW_ORD + r")[ \t]++(?P<ord>" + _ORD + r"|\d{1,4})"
    r"|(?P<kwa>" + _KW_OPT + r")(?:[ \t]++(?P<aid>" + _NUM + r"|[A-Z]))?"
    r")"
    r"(?=[ \t.:)\-\u2013\u2014]|$)(?P<rest>[^\n]*)$",
    re.MULTILINE,
)
_TAIL_RE = re.compile(_TAIL)

#: last words of a line after which a "Pasal 16." line continues the sentence
_CONTINUATION = frozenset("""
of in to under with and or by see per pursuant from than between on at for the this that said its
their such within into under-mentioned paragraph referred provided accordance
dalam dimaksud pada dan atau dengan ketentuan sesuai berdasarkan menurut oleh ke di dari serta
sebagaimana yang tentang atas terhadap sampai hingga lihat dan/atau mengenai untuk melalui antara
""".split())

_PREAMBLE = "preamble"


@dataclass(frozen=True)
class Heading:
    """A heading found in a document: where its unit starts and what it is called.

    ``start`` is where the unit begins (the heading line, after page-number noise);
    ``line_end`` where the heading line (or styled heading region) ends;
    ``label`` the normalised heading ("Pasal 5"); ``section`` the label with its
    parents ("BAB II > Pasal 5"); ``rank`` its place in the hierarchy (lower encloses).
    """

    start: int
    line_end: int
    label: str
    section: str
    rank: int


def heading_label(line: str) -> tuple[str, int] | None:
    """The normalised label and rank of a heading line, or ``None`` if it is no heading.

    Examples
    --------
    >>> heading_label("### Article  3bis")
    ('Article 3bis', 5)
    >>> heading_label("BAB II - MAJELIS PERMUSYAWARATAN RAKYAT")
    ('BAB II', 2)
    >>> heading_label("Pasal 17 ayat (3) Undang-Undang Dasar") is None
    True
    """
    m = _HEADING_RE.match(line.rstrip("\n"))
    if m is None or not _tail_ok(m):
        return None
    return _label(m)


def find_headings(doc: Document, *, pattern: str | None = None) -> tuple[Heading, ...]:
    """Headings of ``doc`` in text order (see the module docstring for what counts).

    Parameters
    ----------
    doc : Document
        The document.
    pattern : str, optional
        A regular expression (multiline mode) whose matches at line starts begin units
        instead of the built-in headings. The group ``label`` (or the whole match) names
        the unit; the hierarchy is flat.

    Raises
    ------
    SegmentationError
        If ``pattern`` is not a valid regular expression.
    PatternLimitError
        If ``pattern`` is too expensive: too long or too large a compiled program (refused before
        it is built), or it runs past ``HEADING_PATTERN_TIMEOUT`` seconds on the document
        (see :mod:`qualcoop.limits`).
    """
    text = doc.text
    if pattern is not None:
        return _custom_headings(doc, pattern)
    found: dict[int, tuple[str, int, int]] = {}
    covered: list[tuple[int, int]] = []
    for r in sorted(doc.regions_of("heading"), key=lambda r: (r.start, r.end)):
        line = text[r.start:r.end]
        if not line.strip():
            continue
        level = int(r.label) if (r.label or "").isdigit() else 1
        hit = heading_label(" ".join(line.split()))
        label = hit[0] if hit else " ".join(line.split())[:120]
        start = r.start + (len(line) - len(line.lstrip()))
        found.setdefault(start, (label, level, max(r.end, start)))
        covered.append((r.start, r.end))
    offset_rank = 10 if found else 0  # plain-text headings nest inside styled ones
    cov_starts = [c[0] for c in covered]
    turns = [(t.start, t.end) for t in turn_ranges(doc, include_gaps=False)]  # sorted, disjoint
    turn_starts = [t[0] for t in turns]
    for m in _HEADING_RE.finditer(text):
        if not _tail_ok(m) or (not m.group("hashes") and _continues_sentence(text, m.start())):
            continue
        start = m.start("hashes") if m.group("hashes") else m.start("prefix") + len(m.group("prefix"))
        i = bisect.bisect_right(cov_starts, start) - 1
        if i >= 0 and covered[i][0] <= start < max(covered[i][1], covered[i][0] + 1):
            continue  # already a styled heading
        j = bisect.bisect_right(turn_starts, start) - 1
        if j >= 0 and start < turns[j][1]:
            continue  # "Section 3. That is what we said" inside a speaker turn is speech
        label, rank = _label(m)
        found.setdefault(start, (label, offset_rank + rank, m.end()))
    out: list[Heading] = []
    stack: list[tuple[int, str]] = []
    for start in sorted(found):
        label, rank, line_end = found[start]
        while stack and stack[-1][0] >= rank:
            stack.pop()
        stack.append((rank, label))
        out.append(Heading(start=start, line_end=line_end, label=label,
                           section=" > ".join(s[1] for s in stack), rank=rank))
    return tuple(out)


def segment_articles(doc: Document, *, pattern: str | None = None) -> tuple[Segment, ...]:
    """Split a legal text into article/chapter units.

    Parameters
    ----------
    doc : Document
        The document.
    pattern : str, optional
        Custom heading regular expression (see :func:`find_headings`).

    Returns
    -------
    tuple of Segment
        Kind ``"article"``; ``section`` the heading path ("BAB II > Pasal 5"), ``"preamble"``
        for text before the first heading, ``None`` when the document has no heading.

    Examples
    --------
    >>> from qualcoop.model import Document
    >>> doc = Document(id="d", text="Preamble.\\nArticle 1\\nScope.\\nArticle 2 - Experts\\nThe experts.")
    >>> [(s.section, doc.text[s.start:s.end]) for s in segment_articles(doc)]
    [('preamble', 'Preamble.'), ('Article 1', 'Article 1\\nScope.'), ('Article 2', 'Article 2 - Experts\\nThe experts.')]
    """
    text = doc.text
    headings = find_headings(doc, pattern=pattern)
    pieces: list[tuple[int, int, str | None]] = []
    if not headings:
        pieces.append((0, len(text), None))
    else:
        pieces.append((0, headings[0].start, _PREAMBLE))
        for h, nxt in zip(headings, headings[1:] + (None,)):
            pieces.append((h.start, nxt.start if nxt else len(text), h.section))
    out: list[Segment] = []
    for start, end, section in pieces:
        s, e = strip_span(text, start, end)
        if e > s:
            out.append(Segment(doc_id=doc.id, start=s, end=e, kind="article", index=len(out), section=section))
    return tuple(out)


def section_at(headings: tuple[Heading, ...], offset: int) -> str | None:
    """The section label holding ``offset`` (``"preamble"`` before the first heading)."""
    if not headings:
        return None
    i = bisect.bisect_right([h.start for h in headings], offset) - 1
    return headings[i].section if i >= 0 else _PREAMBLE


# --------------------------------------------------------------------------- helpers


def _tail_ok(m: re.Match) -> bool:
    rest = m.group("rest")
    if m.group("hashes"):
        return rest == "" or rest[:1] in " \t.:)-\u2013\u2014"
    return _TAIL_RE.match(rest) is not None


def _label(m: re.Match) -> tuple[str, int]:
    if m.group("kw"):
        canon, rank, _ = _CANON[m.group("kw")]
        return f"{canon} {_norm_id(m.group('num'))}", rank
    if m.group("kwo"):
        canon, rank, _ = _CANON[m.group("kwo")]
        ident = m.group("ord")
        ident = ident if ident.isdigit() else " ".join(w.capitalize() for w in ident.split())
        return f"{canon} {ident}", rank
    canon, rank, _ = _CANON[m.group("kwa")]
    aid = m.group("aid")
    return (f"{canon} {_norm_id(aid)}" if aid else canon), rank


def _norm_id(ident: str) -> str:
    ident = "".join(ident.split())
    if ident.lower() in _WORD_NUMBER_SET:
        return ident.capitalize()
    if ident.isalpha() and re.fullmatch(r"(?i)[ivxlcdm]+", ident):
        return ident.upper()
    return ident


def _continues_sentence(text: str, line_start: int) -> bool:
    """True when the previous non-blank line ends in a way that this line must continue."""
    pos = line_start - 1  # the "\n" before this line
    while pos > 0:
        prev_start = text.rfind("\n", 0, pos) + 1
        prev = text[prev_start:pos].strip()
        if prev:
            last = prev[-1]
            if last in ",(":
                return True
            if not last.isalpha() or prev.isupper():
                return False
            word = prev.rsplit(None, 1)[-1].lower()
            return word in _CONTINUATION
        pos = prev_start - 1
    return False


def check_heading_pattern(pattern: str):
    """``pattern`` compiled (``regex`` module, multiline) within the pattern budget, or a typed error.

    Raises
    ------
    PatternLimitError
        The pattern is too long or its compiled program too large (names the limit and its value).
    SegmentationError
        The pattern is not a valid regular expression.
    """
    import regex

    from ..errors import PatternLimitError
    from ..patterns import compile_regex

    try:
        return compile_regex(pattern, regex.MULTILINE)
    except PatternLimitError as e:
        raise PatternLimitError(e.limit, e.value, f"heading pattern {_short(pattern)!r}: {e.detail}") from e
    except (regex.error, TypeError, ValueError) as e:
        raise SegmentationError(f"heading pattern {pattern!r} is not a valid regular expression: {e}") from e


def _short(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[:n] + "..."


def _custom_headings(doc: Document, pattern: str) -> tuple[Heading, ...]:
    from .. import limits
    from ..errors import PatternLimitError

    try:
        rx = check_heading_pattern(pattern)
    except SegmentationError as e:
        raise SegmentationError(f"document {doc.id!r}: {e.message}") from e
    budget = limits.current("HEADING_PATTERN_TIMEOUT")
    out: list[Heading] = []
    seen: set[int] = set()
    text = doc.text
    try:
        matches = list(rx.finditer(text, timeout=budget))
    except TimeoutError as e:
        raise PatternLimitError("HEADING_PATTERN_TIMEOUT", budget,
                                f"document {doc.id!r}: heading pattern {_short(pattern)!r} took over "
                                f"{budget:g} s; simplify it") from e
    for m in matches:
        start = m.start()
        if start in seen or m.end() == start or (start > 0 and text[start - 1] != "\n"):
            continue
        seen.add(start)
        label = m.groupdict().get("label") or m.group(0)
        label = " ".join(label.split())
        line_end = text.find("\n", m.end() - 1 if m.end() > start else start)
        line_end = len(text) if line_end < 0 else line_end
        out.append(Heading(start=start, line_end=line_end, label=label, section=label, rank=0))
    return tuple(out)
