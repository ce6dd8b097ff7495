"""Shared hypothesis strategies (import with ``from strategies import ...``).

Stable and additive: other test modules rely on these names and signatures.

- :func:`words`: one word (English, Indonesian, abbreviations, unicode incl. non-BMP emoji)
- :func:`sentences`, :func:`paragraphs`: prose built from words
- :func:`heading_lines`: legal headings ("Article 3", "### Pasal 4", "BAB II - UMUM", ...)
- :func:`texts`: multi-paragraph text with headings, blank lines, white-space-only lines,
  form-feed page breaks, hard wraps, NBSP, stray fuzz; no ``"\\r"`` (CRLF is normalised by
  extraction)
- :func:`documents`: :class:`~qualcoop.model.Document` values, plain or speaker-turn
  transcripts with ``Region(kind="turn")`` regions (and sometimes heading regions)
"""

from __future__ import annotations

from hypothesis import strategies as st

from qualcoop.model import Document, Region

__all__ = ["EN_WORDS", "ID_WORDS", "ABBREVIATION_WORDS", "UNICODE_WORDS", "SPEAKERS", "words", "sentences",
           "paragraphs", "heading_lines", "texts", "documents", "transcripts"]

EN_WORDS = (
    "the", "Parties", "shall", "cooperation", "agreement", "technical", "training", "experts",
    "labour", "inspection", "capacity", "building", "programme", "in", "accordance", "with", "of",
    "and", "to", "funding", "ILO", "workers", "employers", "dialogue", "SCORE", "project", "a",
    "Government", "Indonesia", "Netherlands", "well-being", "co-operation", "2025", "3.5",
)
ID_WORDS = (
    "kerja", "sama", "kerja-sama", "pelatihan", "perjanjian", "internasional", "tenaga", "dan", "yang",
    "dengan", "Pemerintah", "Republik", "Indonesia", "pekerja", "perusahaan", "dipekerjakan",
    "kementerian", "ketenagakerjaan", "bantuan", "teknis", "hibah", "mitra", "tidak", "belum",
)
ABBREVIATION_WORDS = ("No.", "Art.", "e.g.", "i.e.", "U.S.", "Dr.", "tgl.", "dkk.", "Kab.", "Jl.", "S.H.",
                      "etc.", "dll.", "para.")
UNICODE_WORDS = (
    "café", "naïve", "Ñandú", "straße", "İstanbul", "😀", "🇮🇩", "𝒳𝒴", "中文", "العربية", "e\u0301",
    "a\u200bb", "10\u00a0000", "—", "“quoted”", "(bracket)", "don't",
)
SPEAKERS = ("Interviewer", "Respondent", "Max Bigman", "Speaker 1", "Ibu Sari", "P1", "[id2]")

_SENT_END = (".", ".", ".", "?", "!", "", ";", "...")
_PARA_SEP = ("\n\n", "\n\n", "\n \n", "\n\t\n\n", "\n\f", "\f", "\n\n\n", "\n\u00a0\n", "\u2029")


def words(*, lang: str | None = None) -> st.SearchStrategy[str]:
    """One word: from the English/Indonesian vocabularies, abbreviations or unicode oddities."""
    pools = {"en": EN_WORDS, "id": ID_WORDS}
    main = pools.get(lang or "", EN_WORDS + ID_WORDS)
    return st.one_of(
        st.sampled_from(main),
        st.sampled_from(main),
        st.sampled_from(ABBREVIATION_WORDS),
        st.sampled_from(UNICODE_WORDS),
    )


@st.composite
def sentences(draw: st.DrawFn, *, lang: str | None = None) -> str:
    """A sentence: 1-12 words joined by spaces (sometimes a hard wrap), with end punctuation."""
    ws = draw(st.lists(words(lang=lang), min_size=1, max_size=12))
    seps = draw(st.lists(st.sampled_from((" ", " ", " ", "\n", "  ", "\t")), min_size=len(ws), max_size=len(ws)))
    out = ws[0]
    for w, sep in zip(ws[1:], seps):
        out += sep + w
    if out[:1].islower() and draw(st.booleans()):
        out = out[0].upper() + out[1:]
    return out + draw(st.sampled_from(_SENT_END))


@st.composite
def paragraphs(draw: st.DrawFn, *, lang: str | None = None) -> str:
    """A paragraph: 1-5 sentences separated by a space or a single line break."""
    ss = draw(st.lists(sentences(lang=lang), min_size=1, max_size=5))
    out = ss[0]
    for s in ss[1:]:
        out += draw(st.sampled_from((" ", " ", "\n"))) + s
    return out


def heading_lines() -> st.SearchStrategy[str]:
    """A legal heading line (no line break), English or Indonesian, some markdown, some with titles."""
    word = st.sampled_from(("Article", "ARTICLE", "Art.", "Chapter", "CHAPTER", "Section", "Part",
                            "Pasal", "PASAL", "BAB", "Bab"))
    number = st.one_of(st.integers(1, 60).map(str), st.sampled_from(("I", "II", "IV", "IX", "XIV", "3bis", "6A")))
    title = st.sampled_from(("", "", " - Training", ". Experts", ": Entry into force", " - KETENTUAN UMUM"))
    marks = st.sampled_from(("", "", "### ", "## ", "###"))
    plain = st.builds(lambda m, w, n, t: f"{m}{w} {n}{t}", marks, word, number, title)
    fixed = st.sampled_from(("Bagian Kesatu", "Bagian Kedua", "Paragraf 1", "Annex", "ANNEX I", "LAMPIRAN",
                             "### Article  12", "## BAB XA - HAK ASASI MANUSIA"))
    return st.one_of(plain, plain, fixed)


_FUZZ = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=30)


@st.composite
def texts(draw: st.DrawFn, *, lang: str | None = None, max_blocks: int = 8) -> str:
    """Multi-paragraph text with headings, varied paragraph breaks and some raw unicode fuzz."""
    blocks = draw(st.lists(st.one_of(paragraphs(lang=lang), paragraphs(lang=lang), heading_lines(), _FUZZ),
                           min_size=0, max_size=max_blocks))
    out = draw(st.sampled_from(("", "", "\n", "  ", "\n\n \t", "\f")))
    for i, b in enumerate(blocks):
        if i:
            out += draw(st.sampled_from(_PARA_SEP + ("\n",)))
        out += b
    return out + draw(st.sampled_from(("", "", "\n", " \n", "\n\n", "\f")))


@st.composite
def _transcript(draw: st.DrawFn, lang: str | None) -> tuple[str, tuple[Region, ...]]:
    text = ""
    if draw(st.booleans()):
        text += draw(paragraphs(lang=lang)) + "\n\n"
    regions: list[Region] = []
    n = draw(st.integers(1, 6))
    t = 0.0
    for _ in range(n):
        speaker = draw(st.sampled_from(SPEAKERS))
        label = f"{speaker}:" + draw(st.sampled_from((" ", "\t", "   ", "\n")))
        body_parts = draw(st.lists(st.one_of(paragraphs(lang=lang), _FUZZ), min_size=1, max_size=3))
        body = body_parts[0]
        for p in body_parts[1:]:
            body += draw(st.sampled_from(("\n\n", "\n", "\n \n"))) + p
        include_label = draw(st.booleans())
        start = len(text) if include_label else len(text) + len(label)
        text += label + body
        timed = draw(st.booleans())
        dur = draw(st.floats(0.5, 60, allow_nan=False))
        regions.append(Region("turn", start, len(text), speaker,
                              t if timed else None, t + dur if timed else None))
        t += dur
        text += draw(st.sampled_from(("\n", "\n\n", "\n  \n")))
    return text, tuple(regions)


@st.composite
def documents(draw: st.DrawFn, *, turns: bool | None = None, lang: str | None = None,
              max_blocks: int = 8) -> Document:
    """A Document: plain text (:func:`texts`) or, with ``turns``, a speaker-turn transcript.

    ``turns=None`` draws either. ``lang`` fixes ``Document.lang`` (default: "en", "id" or None).
    Plain documents sometimes carry ``Region(kind="heading")`` regions over heading lines.
    """
    doc_lang = lang if lang is not None else draw(st.sampled_from(("en", "id", None)))
    use_turns = draw(st.booleans()) if turns is None else turns
    regions: tuple[Region, ...] = ()
    if use_turns:
        text, regions = draw(_transcript(doc_lang))
    else:
        text = draw(texts(lang=doc_lang, max_blocks=max_blocks))
        if draw(st.booleans()):
            heads = []
            pos = 0
            for line in text.split("\n"):
                stripped = line.strip()
                if stripped.startswith(("Article", "Pasal", "BAB", "Chapter", "###")) and draw(st.booleans()):
                    heads.append(Region("heading", pos, pos + len(line), draw(st.sampled_from(("1", "2", "3")))))
                pos += len(line) + 1
            regions = tuple(heads)
    doc_id = draw(st.sampled_from(("doc", "hyp-1", "wawancara-03")))
    return Document(id=doc_id, text=text, lang=doc_lang, regions=regions)


def transcripts(*, lang: str | None = None) -> st.SearchStrategy[Document]:
    """Documents with speaker-turn regions."""
    return documents(turns=True, lang=lang)


# --------------------------------------------------------------------------- run (branch `run`, issue 10)


@st.composite
def colliding_files(draw: st.DrawFn) -> list[tuple[str, bytes]]:
    """Relative paths and contents of a small corpus built to collide: long names equal in their
    first 48 slug characters, names that slug alike ("a b" / "a-b" / "A_B"), one name in several
    folders, and the same bytes under several names."""
    stem = draw(st.sampled_from(["interview", "a b", "Laporan Kerja Sama"]))
    long = "x" * draw(st.integers(40, 60))
    names = draw(st.lists(st.sampled_from([
        f"{stem}.txt", f"{stem.replace(' ', '-')}.txt", f"{stem.replace(' ', '_').upper()}.txt",
        f"{long}-one.txt", f"{long}-two.txt", f"{long}_one.txt",
    ]), min_size=1, max_size=6, unique=True))
    folders = draw(st.lists(st.sampled_from(["", "a", "b", "a/c"]), min_size=1, max_size=3, unique=True))
    contents = draw(st.lists(st.sampled_from([b"same text\n", b"other text\n", b"third\n"]), min_size=1,
                             max_size=3))
    files = []
    for i, (folder, name) in enumerate((f, n) for f in folders for n in names):
        files.append((f"{folder}/{name}" if folder else name, contents[i % len(contents)]))
    return files
