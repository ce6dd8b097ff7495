"""Speaker-turn transcripts in plain text and DOCX: find the turns, never touch the text.

A transcript here is text whose paragraphs or lines start with a speaker label::

    Pewawancara: [00:01:02] Bagaimana program ini dimulai?
    Narasumber:  Awalnya kami bekerja sama dengan ILO ...
                 lanjutan baris yang dibungkus.

The document text is the decoded file (or the DOCX text) unchanged; each turn becomes a
``Region(kind="turn", label=<speaker>)`` whose span covers the utterance only: from the
first character after the label (and after a timestamp next to it) through hard-wrapped
continuation lines, up to the next label, without surrounding whitespace. So
``text[region.start:region.end]`` is what the speaker said and never contains the label.

Built-in label forms (at the start of a line, optionally indented)
-------------------------------------------------------------------
- ``Name:``, ``NAME:``, ``Name Surname:``, ``Mr. Tyeri:``, ``admin-1:``, ``Pak Budi (ILO):``
  (a name is at most four words, starts with a letter and has no sentence punctuation;
  a dot is allowed only in short words such as ``Mr.``, ``Dr.``, ``J.K.``),
- role labels ``Q:``/``A:``, ``I:``/``R:``, ``T:``/``J:``, ``Interviewer:``/``Respondent:``,
  ``Pewawancara:``/``Narasumber:``/``Informan:``, ``Moderator:``, ``Speaker 1:``,
  ``Peserta 2:``, ...
- ``[Name]`` and ``[id1]`` (optionally followed by a colon),
- ``[Name 00:00:52]`` (a bracketed name with a timestamp: the name is the speaker),
- ``Speaker 1  0:00`` alone on a line (Otter style; the utterance follows on the next lines),
- timestamps before the label (``[00:01:02] Name:``, ``00:01:02 - Name:``), between the
  name and the colon (``Name (00:01):``, Rev style) or after the label (``Name: [00:01:02]``,
  ``Name: (00:01)``, ``Name: 00:01:02``). Forms are ``hh:mm:ss``, ``mm:ss``, optionally
  with a fraction, bare or in ``[]``/``()``. The first timestamp found becomes the turn's
  ``start_time`` in seconds.

Guarding against prose
----------------------
"Note: the meeting ...", "Article 3: ..." or "Tujuan: ..." must not become speakers.
A candidate label is accepted only if

1. it is plausible: short, no sentence punctuation, not a known prose heading
   (note, article, pasal, tujuan, source, table, ...) or a transcription marker
   (inaudible, crosstalk, laughter, ...);
2. it is a role label (``Q``, ``Interviewer``, ``Narasumber``, ``Speaker 3``, ``id2``, ...)
   or looks like a name (capitalised words, particles such as ``van``/``bin`` allowed, or a
   single token with a digit or hyphen such as ``admin-1``); a lower-case line ending in
   ``sebagai berikut:`` is not a label;
3. it is *strong* (a role, or the same label starts two or more turns), or it starts a
   paragraph (follows a blank line or opens the text);
4. when nearly all strong labels open paragraphs (turns separated by blank lines), a
   label in the middle of a paragraph (a wrapped line that happens to start with
   ``Word:``) is not accepted;
5. the text as a whole has turns: at least one strong label, and at least two distinct
   accepted speakers or a role label of two or more letters (a monologue ``Narasumber:``).

Known limit: in a blank-line separated transcript, a capitalised one-off line such as
``Project Title: SCORE`` opening a paragraph is read as a speaker. Headings, front matter
and notes that the extractor marks as regions never hold labels and end the turn before them.

A user pattern (``pattern=`` / ``ExtractOptions.speaker_pattern``) replaces all of this:
it is matched at the start of every line and every match is a turn.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate
from operator import add
from pathlib import Path
from typing import Any

from ..errors import EmptyDocumentError, SpeakerPatternError
from ..model import Region
from .base import INLINE_TEXT_BYTES, ExtractOptions, Extracted, qualcoop_version

__all__ = ["TranscriptExtractor", "add_turns", "speaker_table", "transcript_hint", "DocxTranscriptExtractor", "parse_turns", "looks_like_transcript",
           "parse_timestamp", "split_label", "is_plausible_label"]

# --------------------------------------------------------------------------- patterns

_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TS = rf"(?:\[{_TIME}\]|\({_TIME}\)|{_TIME})"
_WORD = r"[^\W_][\w'’.\-]*"
_NAME = rf"[^\W\d_][\w'’.\-]*(?:[ ]{_WORD}){{0,3}}"
_PAREN = rf"(?:[ ]\((?!{_TIME}\))[^()\n:]{{1,40}}\))?"

_MARK = r"(?:\*\*|__)"  # Markdown bold around a label: **Kiki (K):** or **Kiki (K)**:
_LABEL = re.compile(
    rf"""
    [ \t]*
    (?:>{{1,3}}[ \t]*)?                                          # >> Interviewer: (chevrons)
    (?:(?P<pre>{_TS})[ \t]*(?:[-–—][ \t]*)?)?                 # timestamp before the label
    (?:
        \[(?P<bname>{_NAME})(?:[ \t]+(?P<btime>{_TIME}))?\][ \t]*:?     # [Name], [id1], [Name 00:00:52]
      | {_MARK}?(?P<name>{_NAME}{_PAREN})(?:[ \t]*(?P<mid>{_TS}))?[ \t]*{_MARK}?[ \t]*:{_MARK}?  # Name:
      | (?P<oname>{_NAME})[ \t]+(?P<otime>{_TIME})[ \t]*$              # Otter: label + time alone
      | (?P<qname>[QA])\.(?=[ \t])                                   # Q. / A.
      | [-–—][ \t]*(?P<dname>{_NAME})[ \t]*[-–—][ \t]*$               # - P1 - alone on a line
    )
    (?=[ \t]|$)
    (?:[ \t]*(?P<post>{_TS})(?=[ \t]|$))?                      # timestamp after the label
    [ \t]*
    """,
    re.VERBOSE,
)
_TIME_RE = re.compile(r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")

#: roles that mark a transcript even when they occur once (compared case-insensitively)
_ROLE = re.compile(
    r"(?:q|a|i|r|t|j|p|n|interviewer|interviewee|respondent|responden|participant|partisipan|peserta"
    r"|pewawancara|narasumber|nara sumber|informan|informant|moderator|facilitator|fasilitator"
    r"|researcher|peneliti|question|answer|pertanyaan|jawaban|tanya|jawab|penanya|speaker|pembicara"
    r"|host|guest|tamu|unknown speaker|pembawa acara)(?:[ \-_]?\d{1,3}|[ ][a-z])?"
    r"|id[ \-_]?\d{1,3}|(?:p|r|i|s)\d{1,3}",
    re.IGNORECASE,
)
#: label words that start prose lines (headings, letters, forms) or mark transcription events
_STOP = frozenset("""
note notes nb ps catatan keterangan source sources sumber article articles pasal ayat bab chapter
section bagian annex lampiran appendix table tabel figure gambar chart grafik box kotak step langkah
phase tahap part item poin point butir date tanggal time waktu day hari place tempat location lokasi
venue address alamat subject perihal re to from cc bcc ref reference referensi title judul author
authors penulis language bahasa type jenis kind lang keywords kata kunci abstract abstrak summary
ringkasan conclusion conclusions kesimpulan result results hasil objective objectives tujuan purpose
maksud background latar belakang recommendation recommendations rekomendasi status signed
ditandatangani dasar menimbang mengingat memperhatikan memutuskan menetapkan whereas agenda topic
topik example examples contoh warning important penting definition definisi total jumlah email e-mail
tel telp phone telepon fax website url http https www doi isbn issn tags tag category kategori
inaudible crosstalk laughter laughs laughing laugh music silence pause unclear overlapping
overlap noise applause indistinct background noise tertawa tidak jelas jeda musik tepuk tangan
end mulai selesai nomor no number angka huruf kolom column field baris row line tembusan kepada
yth dari salinan kesatu pertama kedua ketiga keempat kelima keenam ketujuh kedelapan kesembilan
kesepuluh first second third fourth fifth
""".split())


@dataclass(frozen=True)
class _Candidate:
    line: int  # 0-based line number
    line_start: int  # offset of the line in the text
    utterance_start: int  # offset just after the label (and its timestamps and spaces)
    label: str
    time: float | None
    para_start: bool
    dotted: bool = False  # "Q." / "A.": taken only when both occur


# --------------------------------------------------------------------------- small public helpers


def parse_timestamp(value: str | None) -> float | None:
    """Seconds from the first ``hh:mm:ss[.fff]`` or ``mm:ss[.fff]`` in ``value`` (else ``None``).

    Examples
    --------
    >>> parse_timestamp("[00:01:02]"), parse_timestamp("(01:30)"), parse_timestamp("1:02:03,5")
    (62.0, 90.0, 3723.5)
    """
    if not value:
        return None
    m = _TIME_RE.search(value)
    if m is None:
        return None
    h, mi, s, frac = m.groups()
    if int(s) >= 60 or (h is not None and int(mi) >= 60):
        return None
    ms = int((frac or "0").ljust(3, "0"))
    total = ((int(h or 0) * 60 + int(mi)) * 60 + int(s)) * 1000 + ms
    return total / 1000


def is_plausible_label(label: str) -> bool:
    """Whether ``label`` can be a speaker name: short, no sentence punctuation, not a prose heading.

    Examples
    --------
    >>> [is_plausible_label(x) for x in ("Max Bigman", "Mr. Tyeri", "Note", "Article 3", "Tujuan")]
    [True, True, False, False, False]
    """
    name = label.split(" (", 1)[0].strip()
    words = name.split()
    if not words or len(words) > 4 or len(name) > 40 or not name[0].isalpha():
        return False
    if any(c in name for c in ",;:!?\"()[]{}<>/\\|=+*&%$#@~^"):
        return False
    for w in words:
        if "." in w and sum(c.isalpha() for c in w) > 4:
            return False  # "said." ends a sentence; "Mr." and "J.K." do not
    key = re.sub(r"[\s\d.\-_]+$", "", name.casefold())
    return key not in _STOP and key.split(" ")[0] not in _STOP or _is_role(name)


def _is_role(label: str) -> bool:
    return _ROLE.fullmatch(label.strip()) is not None


#: lower-case words allowed inside a name ("Mr. van Dijk", "Siti binti Ahmad")
_PARTICLES = frozenset("van von de der den del della di da das dos du la le bin binti al el ibn ter ten y".split())


def _looks_like_name(label: str) -> bool:
    """A capitalised name ("Max Bigman", "Mr. van Dijk", "Speaker 3") or one token with a digit
    or hyphen ("admin-1")."""
    words = label.split(" (", 1)[0].split()
    if len(words) == 1 and any(c.isdigit() or c == "-" for c in words[0]):
        return True
    if not words[0][0].isupper():
        return False
    return all(w[0].isupper() or w[0].isdigit() or w in _PARTICLES for w in words[1:])


def split_label(line: str) -> tuple[str, float | None, int] | None:
    """Match a built-in speaker label at the start of ``line``.

    Returns ``(speaker, start_time, utterance_offset)`` or ``None``. Only the form and the
    plausibility of the label are checked here, not whether it recurs (see :func:`parse_turns`).

    Examples
    --------
    >>> split_label("Max Bigman:         Okay, thank you.")
    ('Max Bigman', None, 20)
    >>> split_label("[00:01:02] Pewawancara: Selamat pagi")
    ('Pewawancara', 62.0, 24)
    >>> split_label("Note: the meeting was postponed") is None
    True
    """
    m = _LABEL.match(line)
    if m is None:
        return None
    label = (m.group("bname") or m.group("name") or m.group("oname") or m.group("qname")
             or m.group("dname")).strip()
    if not is_plausible_label(label):
        return None
    token = next((m.group(g) for g in ("pre", "btime", "mid", "post", "otime") if m.group(g)), None)
    return label, parse_timestamp(token), m.end()


# --------------------------------------------------------------------------- finding turns


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its line break (the breaks of :data:`_LINE_BREAK`, which are
    those of ``str.splitlines``; a text ending in a break has an empty last line)."""
    with_breaks = text.splitlines(True)
    bare = text.splitlines()
    starts = list(accumulate(map(len, with_breaks), initial=0))
    spans = list(zip(starts, map(add, starts, map(len, bare))))
    if not bare or len(with_breaks[-1]) != len(bare[-1]):
        spans.append((len(text), len(text)))
    return spans


def _candidates(text: str, lines: list[tuple[int, int]]) -> list[_Candidate]:
    out = []
    prev_blank = True
    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        blank = not line.strip()
        if not blank and (":" in line or "[" in line or "." in line[:8] or line.rstrip()[-1:] in "-–—"):
            got = split_label(line)
            if got is not None:
                label, t, off = got
                dotted = label in ("Q", "A") and line.lstrip(" \t>").startswith(label + ".")
                out.append(_Candidate(i, s, s + off, label, t, prev_blank, dotted))
        prev_blank = blank
    return out


def _accept(cands: list[_Candidate], known: frozenset[str] = frozenset()) -> list[_Candidate]:
    """The candidates taken as turns; ``known`` labels (casefolded, from a ``speakers:`` table)
    are always taken."""
    if not cands:
        return []
    dotted = {c.label for c in cands if c.dotted}
    if dotted and dotted != {"Q", "A"}:  # "A. Background" in an outline is no answer
        cands = [c for c in cands if not c.dotted]
    cands = [c for c in cands if _looks_like_name(c.label) or _is_role(c.label) or c.label.casefold() in known]
    canon = _auto_aliases([c.label for c in cands])  # "K" and "Kiki (K)" count as one speaker

    def key(c: _Candidate) -> str:
        return canon.get(c.label.casefold(), c.label).casefold()

    counts = Counter(key(c) for c in cands)

    def strong(c: _Candidate) -> bool:
        return counts[key(c)] >= 2 or _is_role(c.label) or c.label.casefold() in known

    strong_c = [c for c in cands if strong(c)]
    if not strong_c:
        return []
    blank_layout = sum(c.para_start for c in strong_c) >= 0.8 * len(strong_c)
    out = [c for c in cands
           if c.label.casefold() in known
           or (c.para_start or not blank_layout) and (strong(c) or c.para_start)]
    if len({key(c) for c in out}) < 2 and not any(_is_role(c.label) and len(c.label) >= 2
                                                              for c in out):
        return []
    return out


def _user_candidates(text: str, lines: list[tuple[int, int]], pattern: str) -> list[_Candidate]:
    import regex

    from .. import limits
    from ..errors import PatternLimitError
    from ..patterns import compile_regex

    try:
        rx = compile_regex(pattern)
    except PatternLimitError as e:
        raise SpeakerPatternError(str(pattern), e.message) from e
    except (regex.error, TypeError, ValueError) as e:
        raise SpeakerPatternError(str(pattern), f"not a valid regular expression: {e}") from e
    if "speaker" not in rx.groupindex:
        raise SpeakerPatternError(pattern, "needs a named group 'speaker', e.g. (?P<speaker>[A-Z]\\w+):")
    has_time = "time" in rx.groupindex
    budget = limits.current("SPEAKER_PATTERN_TIMEOUT")
    out = []
    prev_blank = True
    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        try:
            m = rx.match(line, timeout=budget)
        except TimeoutError as err:
            raise SpeakerPatternError(pattern, limits.limit_message(
                "SPEAKER_PATTERN_TIMEOUT", budget, f"took over {budget:g} s on line {i + 1}; simplify it")) from err
        if m is not None and m.group("speaker") and m.group("speaker").strip():
            t = parse_timestamp(m.group("time")) if has_time else None
            out.append(_Candidate(i, s, s + m.end(), m.group("speaker").strip(), t, prev_blank))
        prev_blank = not line.strip()
    return out


def _turns(text: str, accepted: list[_Candidate],
           barriers: tuple[tuple[int, int], ...] = ()) -> list[tuple[_Candidate, Region]]:
    import bisect

    walls = [b for b, _ in barriers]
    out = []
    for k, c in enumerate(accepted):
        stop = accepted[k + 1].line_start if k + 1 < len(accepted) else len(text)
        w = bisect.bisect_right(walls, c.utterance_start)
        if w < len(walls):
            stop = min(stop, walls[w])
        start = c.utterance_start
        while start < stop and text[start].isspace():
            start += 1
        end = stop
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((c, Region(kind="turn", start=start, end=end, label=c.label, start_time=c.time)))
    return out


def _find(text: str, pattern: str | None, barriers: tuple[tuple[int, int], ...] = (),
          known: frozenset[str] = frozenset(), rejected: list[_Candidate] | None = None,
          ) -> tuple[list[tuple[int, int]], list[tuple[_Candidate, Region]]]:
    """Lines and (candidate, turn) pairs. ``barriers`` are spans (headings, front matter) that
    hold no label and end any turn running into them; ``known`` labels (casefolded) are always
    taken; candidates not taken are appended to ``rejected``."""
    lines = _lines(text)
    barriers = tuple(sorted(barriers))
    if pattern is not None:
        cands = _user_candidates(text, lines, pattern)
    else:
        cands = _candidates(text, lines)
    if barriers:
        cands = [c for c in cands if not any(b <= c.line_start < e or b <= c.utterance_start - 1 < e
                                             for b, e in barriers)]
    if pattern is None:
        taken = _accept(cands, known)
        if rejected is not None:
            ids = {id(c) for c in taken}
            rejected.extend(c for c in cands if id(c) not in ids)
        cands = taken
    return lines, _turns(text, cands, barriers)


def parse_turns(text: str, *, pattern: str | None = None) -> tuple[Region, ...]:
    """Speaker turns in ``text`` as ``Region(kind="turn", label=speaker)``, ordered by offset.

    Parameters
    ----------
    text : str
        The document text (not modified; regions are offsets into it).
    pattern : str, optional
        A regular expression with a named group ``speaker`` (and optionally ``time``),
        matched at the start of every line; it replaces the built-in label forms and their
        guards. The turn's text starts after the match.

    Returns
    -------
    tuple of Region
        Each covers the utterance only (no label), stripped of surrounding whitespace,
        through wrapped lines up to the next label. Empty turns are left out.
        ``start_time`` is the timestamp next to the label, in seconds, if there is one.

    Raises
    ------
    SpeakerPatternError
        ``pattern`` is not a valid regular expression, lacks the ``speaker`` group, or
        takes too long on a line.

    Examples
    --------
    >>> text = "Q: Kapan program dimulai?\\nA: Tahun 2019,\\n   di Bali.\\n"
    >>> [(r.label, text[r.start:r.end]) for r in parse_turns(text)]
    [('Q', 'Kapan program dimulai?'), ('A', 'Tahun 2019,\\n   di Bali.')]
    >>> parse_turns("Note: the meeting was postponed.\\n\\nArticle 3: Scope.\\n")
    ()
    """
    return tuple(r for _, r in _find(text, pattern)[1])


def looks_like_transcript(text: str, *, pattern: str | None = None) -> bool:
    """Whether ``text`` reads as a speaker-turn transcript (conservative).

    ``pattern`` is a user speaker-label pattern as in :func:`parse_turns` (default: the
    built-in label forms and their guards).

    True when :func:`parse_turns` finds at least 3 turns by at least 2 distinct speakers
    and the *labelled blocks* (each label's line through the lines that follow it up to a
    blank line or the next label) hold at least half of the non-blank lines. Counting
    blocks rather than whole turns keeps a report with a short Q&A section from passing:
    its last answer runs to the end of the text, but its block ends at the next blank line.

    Examples
    --------
    >>> looks_like_transcript("I: Apa peran Anda?\\nR: Saya koordinator.\\nI: Sejak kapan?\\nR: 2019.\\n")
    True
    >>> looks_like_transcript("Note: draft.\\n\\nThe parties agree to cooperate.\\n\\nNote: final.\\n")
    False
    """
    lines, found = _find(text, pattern)
    if len(found) < 3 or len({r.label.casefold() for _, r in found if r.label}) < 2:
        return False
    blank = [not text[s:e].strip() for s, e in lines]
    label_lines = {c.line for c, _ in found}
    covered = 0
    for c, _ in found:
        i = c.line
        while i < len(lines) and not blank[i] and (i == c.line or i not in label_lines):
            covered += 1
            i += 1
    return covered >= 0.5 * (len(lines) - sum(blank))


# --------------------------------------------------------------------------- extractors


#: region kinds that are never inside a turn: labels there are not speakers, turns end before them
_BARRIER_KINDS = frozenset({"heading", "front_matter", "footnote", "endnote"})


def add_turns(got: Extracted, options: ExtractOptions, what: str = "transcript",
              speakers: object = None) -> Extracted:
    """``got`` with a ``Region(kind="turn")`` for every speaker turn in its text (text unchanged).

    ``speakers`` is the document's ``speakers:`` metadata (see :func:`speaker_table`): its labels
    are always read as speakers and its aliases are mapped to one name. Labels "Kiki (K)" and
    "K" (or "Kiki") in one transcript are one speaker, "Kiki (K)". Speaker labels the parser
    finds but does not take (a one-off ``Name:`` inside a paragraph) are reported in the
    warnings with their line, never silently left in the previous speaker's turn.
    """
    if speakers is None:
        speakers = dict(options.speakers) or got.attributes.get("speakers")
    table = speaker_table(speakers)
    known = frozenset(k.casefold() for k in table)
    barriers = tuple((r.start, r.end) for r in got.regions if r.kind in _BARRIER_KINDS)
    rejected: list[_Candidate] = []
    lines, found = _find(got.text, options.speaker_pattern, barriers, known, rejected)
    aliases = {**_auto_aliases([r.label for _, r in found if r.label]),
               **{k.casefold(): v for k, v in table.items()}}
    turns = tuple(r if (r.label or "").casefold() not in aliases
                  else Region(r.kind, r.start, r.end, aliases[r.label.casefold()], r.start_time, r.end_time)
                  for _, r in found)
    details: dict[str, Any] = dict(got.details)
    details["turns"] = len(turns)
    details["speakers"] = len({t.label for t in turns})
    if options.speaker_pattern is not None:
        details["speaker_pattern"] = options.speaker_pattern
    warnings = list(got.warnings)
    if not turns:
        warnings.append(f"read as a {what} but no speaker labels were found: the text is one turn "
                        "without a speaker; use --speaker-pattern (options.speaker_pattern) if the "
                        "labels have another form")
    else:
        unplaced = _unplaced(rejected, found)
        if unplaced:
            shown = ", ".join(f"line {c.line + 1} {c.label!r}" for c in unplaced[:5])
            more = f" and {len(unplaced) - 5} more" if len(unplaced) > 5 else ""
            warnings.append(f"{len(unplaced)} line(s) start like a speaker label but were not read as "
                            f"a new turn ({shown}{more}); they stay in the turn before them; list the "
                            "speakers under `speakers:` in the metadata or use --speaker-pattern")
    regions = tuple(sorted((*got.regions, *turns), key=lambda r: (r.start, r.end, r.kind)))
    return Extracted(text=got.text, media_type=got.media_type, page_starts=got.page_starts,
                     regions=regions, details=details, attributes=dict(got.attributes),
                     warnings=tuple(warnings))


def _unplaced(rejected: list[_Candidate], found: list[tuple[_Candidate, Region]]) -> list[_Candidate]:
    """Rejected labels that lie inside an accepted turn (so they would be merged into it)."""
    out = []
    for c in rejected:
        if not (_looks_like_name(c.label) or _is_role(c.label)):
            continue
        if any(r.start <= c.line_start < r.end for _, r in found):
            out.append(c)
    return out


def _auto_aliases(labels: list[str]) -> dict[str, str]:
    """"K" and "Kiki" are "Kiki (K)" when that label occurs (casefolded keys), if unambiguous."""
    full: dict[str, set[str]] = {}
    for label in set(labels):
        m = re.fullmatch(r"(.+?) \(([^()]+)\)", label)
        if m:
            for short in (m.group(1).strip(), m.group(2).strip()):
                full.setdefault(short.casefold(), set()).add(label)
    present = {x.casefold() for x in labels}
    return {short: next(iter(longs)) for short, longs in sorted(full.items())
            if len(longs) == 1 and short in present}


def speaker_table(value: object) -> dict[str, str]:
    """A ``speakers:`` metadata entry as ``{label: speaker}`` (labels as written).

    Accepted forms: a mapping from a speaker to its labels (``{Kiki: [K, "Kiki (K)"]}``), a
    mapping from a label to its speaker (``{K: Kiki}``), or the text ``"K=Kiki; I=Interviewer"``
    (a CSV cell). Every speaker is also a label of itself.

    Examples
    --------
    >>> speaker_table({"Kiki": ["K", "Kiki (K)"]})
    {'K': 'Kiki', 'Kiki': 'Kiki', 'Kiki (K)': 'Kiki'}
    >>> speaker_table("K=Kiki; I = Interviewer")
    {'I': 'Interviewer', 'Interviewer': 'Interviewer', 'K': 'Kiki', 'Kiki': 'Kiki'}
    """
    out: dict[str, str] = {}
    if value is None or value == "":
        return out
    if isinstance(value, str):
        pairs = [part.split("=", 1) for part in re.split(r"[;\n]", value) if "=" in part]
        items = [(b.strip(), [a.strip()]) for a, b in pairs]
    elif isinstance(value, dict):
        items = []
        for k, v in value.items():
            if isinstance(v, (list, tuple)):
                items.append((str(k).strip(), [str(x).strip() for x in v]))
            else:
                items.append((str(v).strip(), [str(k).strip()]))
    elif isinstance(value, (list, tuple)):
        items = [(str(x).strip(), []) for x in value]
    else:
        items = []
    for speaker, labels in items:
        if not speaker:
            continue
        for label in (*labels, speaker):
            if label:
                out[label] = speaker
    return dict(sorted(out.items()))


_HINT_NAME = re.compile(r"transcript|interview|wawancara|podcast|verbatim|transkrip|fgd|focus.?group",
                        re.IGNORECASE)
_HINT_LINE = re.compile(r"[ \t]*(?:>{1,3}|\*\*|[-–—(\[])?[ \t]*(?P<label>[^\W\d_][\w'’.]*(?:[ ][\w'’.]+){0,2})"
                        r"[ \t]*(?:\([^()\n]{1,20}\))?[ \t]*(?:\*\*|[)\]])?[ \t]*(?::|[ ][-–—>][ ])")


def transcript_hint(text: str, name: str = "") -> str | None:
    """Why a text that yielded no speaker turns still looks like a transcript (or ``None``).

    A file named like one (interview, wawancara, transcript, podcast, ...), or text where at
    least two short labels (``KIKI -``, ``(Budi)``, ``Kiki >``, ``Name:``) each open three or more
    lines and such lines are at least a fifth of all non-blank lines.

    Examples
    --------
    >>> transcript_hint("Just prose.", "wawancara_pak_budi.txt")
    "its name ('wawancara_pak_budi.txt')"
    >>> transcript_hint("KIKI - halo semua\\nBUDI - halo\\n" * 3)
    "6 lines that start with the labels 'BUDI', 'KIKI'"
    >>> transcript_hint("Policy text.\\n\\nMore policy text.") is None
    True
    """
    lines = [line for line in text.splitlines()[:5000] if line.strip()]
    labels: Counter[str] = Counter()
    first: dict[str, str] = {}
    for line in lines:
        # every label line holds ":" or one of " - ", " – ", " — ", " > " (cheaper to look for than to match)
        if ":" not in line and "- " not in line and "– " not in line and "— " not in line and "> " not in line:
            continue
        m = _HINT_LINE.match(line)
        if m and is_plausible_label(m.group("label")):
            key = m.group("label").casefold()
            labels[key] += 1
            first.setdefault(key, m.group("label"))
    recurring = sorted(k for k, c in labels.items() if c >= 3)
    n = sum(labels[k] for k in recurring)
    if len(recurring) >= 2 and n >= 0.2 * len(lines):
        shown = ", ".join(repr(first[k]) for k in recurring[:4])
        return f"{n} lines that start with the labels {shown}"
    if _HINT_NAME.search(name):
        return f"its name ({name!r})"
    return None


class TranscriptExtractor:
    """Plain-text transcripts: the decoded text unchanged, plus speaker-turn regions.

    Decoding (and Markdown front matter) is :class:`~qualcoop.extract.text.TextExtractor`'s;
    turns are found with :func:`parse_turns` (``options.speaker_pattern`` replaces the
    built-in label forms). A transcript without any label still extracts, with a warning.
    """

    name = "transcript.v1"
    transcript_of = "text.v1"  # chosen instead of it for transcripts (document type or --transcript)
    media_type = "text/plain"
    suffixes = (".txt", ".text", ".md", ".markdown")
    inline_max_bytes = INLINE_TEXT_BYTES  # small files skip the sandbox (see base.py)

    def version(self) -> str:
        return qualcoop_version()

    def extract(self, path: Path, data: bytes, options: ExtractOptions) -> Extracted:
        """Decode ``data`` and add ``Region(kind="turn")`` for every speaker turn."""
        from .text import TextExtractor

        got = TextExtractor().extract(path, data, options)
        return add_turns(got, options, "transcript")


class DocxTranscriptExtractor:
    """DOCX transcripts: :class:`~qualcoop.extract.docx.DocxExtractor`'s text unchanged, plus turns."""

    name = "transcript.docx.v1"
    transcript_of = "docx.v1"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    suffixes = (".docx",)

    def version(self) -> str:
        from .docx import DocxExtractor

        return DocxExtractor().version()

    def extract(self, path: Path, data: bytes, options: ExtractOptions) -> Extracted:
        """Read the DOCX text and add ``Region(kind="turn")`` for every speaker turn."""
        from .docx import DocxExtractor

        got = DocxExtractor().extract(path, data, options)
        if not got.text.strip():
            raise EmptyDocumentError(path, "no text in the document")
        return add_turns(got, options, "DOCX transcript")
