"""Article / chapter units on hand-made texts and on real treaties and Indonesian regulations."""

from __future__ import annotations

from collections import Counter

import pytest

from qualcoop.errors import SegmentationError
from qualcoop.model import Document, Region
from qualcoop.segment import segment
from qualcoop.segment.articles import find_headings, heading_label, segment_articles


def _units(text: str, **kw):
    doc = Document(id="t", text=text)
    return [(s.section, doc.text[s.start:s.end]) for s in segment_articles(doc, **kw)]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Article 1", ("Article 1", 5)),
        ("ARTICLE I", ("Article I", 5)),
        ("Art. 2", ("Article 2", 5)),
        ("Article 3bis", ("Article 3bis", 5)),
        ("### Article  12  ", ("Article 12", 5)),
        ("###Article VIII ", ("Article VIII", 5)),
        ("Article 3 - Training", ("Article 3", 5)),
        ("Article 3. Training", ("Article 3", 5)),
        ("Chapter IV", ("Chapter IV", 2)),
        ("CHAPTER 2", ("Chapter 2", 2)),
        ("Section 3", ("Section 3", 3)),
        ("Part II", ("Part II", 0)),
        ("PART ONE", ("Part One", 0)),
        ("Annex", ("Annex", -1)),
        ("ANNEX I", ("Annex I", -1)),
        ("Pasal 1", ("Pasal 1", 5)),
        ("PASAL 1", ("Pasal 1", 5)),
        ("BAB I", ("BAB I", 2)),
        ("Bab II", ("BAB II", 2)),
        ("## BAB XA - HAK ASASI MANUSIA", ("BAB XA", 2)),
        ("### Pasal 28A", ("Pasal 28A", 5)),
        ("Bagian Kesatu", ("Bagian Kesatu", 3)),
        ("BAGIAN KEDUA BELAS", ("Bagian Kedua Belas", 3)),
        ("Paragraf 1", ("Paragraf 1", 4)),
        ("\f-2BAB I", ("BAB I", 2)),
        ("\f- 24 Bagian Keempat", ("Bagian Keempat", 3)),
        ("LAMPIRAN", ("Lampiran", -1)),
    ],
)
def test_heading_lines(line, expected):
    assert heading_label(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "in accordance with Article 3 of the Agreement",
        "Article 3 of the Agreement shall apply",
        "article 3",  # lower case: a wrapped reference, not a heading
        "Pasal 17 ayat (3) Undang-Undang Dasar Negara Republik",
        "Pasal 5, Pasal 6, dan Pasal 7.",
        "Lampiran",  # a letter's "attachment" field, not an annex
        "Lampiran :",
        "Partial results",
        "Sections of the report",
        "Annex to the Agreement shall",
        "# PASAL-PASAL UUD 1945",
    ],
)
def test_non_headings(line):
    assert heading_label(line) is None


def test_units_sections_and_hierarchy():
    text = ("Preamble: the Parties agree.\n\n"
            "CHAPTER 4\nCooperation\n"
            "Article 7 - Experts\nThe experts, in accordance with\nArticle 3 of the Agreement, shall work.\n"
            "Article 8. Training\nTraining happens.\n"
            "BAB II\nUMUM\nPasal 5\nIsi pasal.\n")
    assert _units(text) == [
        ("preamble", "Preamble: the Parties agree."),
        ("Chapter 4", "CHAPTER 4\nCooperation"),
        ("Chapter 4 > Article 7", "Article 7 - Experts\nThe experts, in accordance with\n"
                                  "Article 3 of the Agreement, shall work."),
        ("Chapter 4 > Article 8", "Article 8. Training\nTraining happens."),
        ("BAB II", "BAB II\nUMUM"),
        ("BAB II > Pasal 5", "Pasal 5\nIsi pasal."),
    ]


def test_reference_on_its_own_line_after_a_continuation_word_is_not_a_heading():
    # pdftotext wraps "... sebagaimana dimaksud dalam\nPasal 16." (pmk-099, line 1142)
    text = "Pasal 15\nketentuan sebagaimana dimaksud dalam\nPasal 16.\nUntuk kepentingan penelitian.\n"
    assert [s for s, _ in _units(text)] == ["Pasal 15"]
    # ... but after a sentence end it is one
    assert [s for s, _ in _units("Pasal 15\nSelesai.\nPasal 16\nIsi.")] == ["Pasal 15", "Pasal 16"]


def test_no_headings_is_one_unit_without_section():
    assert _units("  Just text.\n\nMore text.  ") == [(None, "Just text.\n\nMore text.")]
    assert _units(" \n\t") == []


def test_heading_regions_from_docx():
    text = "Agreement on Training\nIntro.\nGeneral Provisions\nArticle 1\nScope.\nFinal\nEnd."
    regions = (Region("heading", 0, 21, "1"), Region("heading", 29, 47, "2"), Region("heading", 65, 70, "2"))
    doc = Document(id="d", text=text, regions=regions)
    got = [(s.section, text[s.start:s.end]) for s in segment_articles(doc)]
    assert got == [
        ("Agreement on Training", "Agreement on Training\nIntro."),
        ("Agreement on Training > General Provisions", "General Provisions"),
        ("Agreement on Training > General Provisions > Article 1", "Article 1\nScope."),
        ("Agreement on Training > Final", "Final\nEnd."),
    ]


def test_custom_pattern_and_bad_pattern():
    text = "intro\n§ 1 Scope\nbody\n§ 2 Terms\nmore"
    assert _units(text, pattern=r"^§ (?P<label>\d+)") == [
        ("preamble", "intro"), ("1", "§ 1 Scope\nbody"), ("2", "§ 2 Terms\nmore")]
    with pytest.raises(SegmentationError, match="not a valid regular expression"):
        _units(text, pattern="(")


def test_section_alias_dispatches_to_articles():
    doc = Document(id="d", text="Pasal 1\nA.\nPasal 2\nB.")
    assert segment(doc, "section") == segment(doc, "article")
    assert [s.kind for s in segment(doc, "section")] == ["article", "article"]


# --------------------------------------------------------------------------- real files


def _load(shared, rel: str, lang: str | None = None) -> Document:
    path = shared / "policy_docs" / rel
    return Document(id=path.stem[:30], text=path.read_text(encoding="utf-8"), lang=lang)


def test_pmk_112_2025_has_bab_i_to_v_and_29_pasal(shared):
    # counted in the file: "BAB I" (after page noise "\f-2") ... "BAB V", "Pasal 1" ... "Pasal 29";
    # the MANIFEST's "49 Pasal" is wrong for this file.
    doc = _load(shared, "indonesian_regulations/pmk-112-2025_persetujuan_penghindaran_pajak_berganda.md", "id")
    units = segment_articles(doc)
    labels = [s.section.split(" > ")[-1] for s in units if s.section]
    assert [lb for lb in labels if lb.startswith("BAB")] == ["BAB I", "BAB II", "BAB III", "BAB IV", "BAB V"]
    assert [lb for lb in labels if lb.startswith("Pasal")] == [f"Pasal {i}" for i in range(1, 30)]
    assert units[0].section == "preamble" and doc.text[units[0].start:].startswith("# PMK 112 2025")
    sections = {s.section: s for s in units}
    assert "BAB I > Pasal 1" in sections and "BAB V > Pasal 29" in sections
    assert "BAB II > Bagian Ketiga > Pasal 5" in sections
    p1 = sections["BAB I > Pasal 1"]
    assert doc.text[p1.start:p1.end].startswith("Pasal 1\nDalam Peraturan Menteri ini yang dimaksud dengan:")
    # mid-text references at line starts do not split ("Pasal 17 ayat (3) Undang-Undang Dasar ...")
    assert not any(doc.text.startswith("Pasal 17 ayat", s.start) for s in units)
    assert not any(doc.text.startswith("Pasal 2 ayat", s.start) for s in units)
    # the LAMPIRAN after the signature closes BAB V
    assert "Lampiran" in sections


def test_pmk_099_2025_references_on_own_lines_are_not_headings(shared):
    doc = _load(shared, "indonesian_regulations/pmk-099-2025_pembebasan_bea_masuk_hibah.md", "id")
    labels = [s.section.split(" > ")[-1] for s in segment_articles(doc) if s.section]
    counts = Counter(lb.split()[0] for lb in labels)
    # 14 BAB (I..XIV, one after "\f- 29 "), 34 Pasal; the three "Pasal 16." / "Pasal 21." / "Pasal 26."
    # lines that end "... sebagaimana dimaksud dalam" sentences are references
    assert counts["BAB"] == 14 and counts["Pasal"] == 34 and counts["Bagian"] == 14
    assert [lb for lb in labels if lb.startswith("Pasal")] == [f"Pasal {i}" for i in range(1, 35)]


def test_uud_1945_markdown_bab_and_pasal(shared):
    doc = _load(shared, "indonesian_regulations/uud-1945_pasal_bab.md", "id")
    units = segment_articles(doc)
    sections = [s.section for s in units]
    assert sections[0] == "preamble"
    assert sum(1 for s in sections if s.count(">") == 0 and s.startswith("BAB")) == 20
    assert sum(1 for s in sections if " > Pasal " in s) == 72
    assert [s for s in sections if s.startswith("BAB XA > ")] == [f"BAB XA > Pasal 28{c}" for c in "ABCDEFGHIJ"]
    first = next(s for s in units if s.section == "BAB I > Pasal 1")
    assert doc.text[first.start:first.end].startswith("### Pasal 1\n**(1)** Negara Indonesia ialah Negara Kesatuan")


def test_dutch_treaty_database_articles(shared):
    doc = _load(shared, "nl_treaty_db_cooperation_agreements/"
                        "BWBV0001095__agreement_on_technical_cooperation_between_the_kingdom_of_the_netherlands.md")
    units = segment_articles(doc)
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]
    assert [s.section for s in units] == (["preamble"] + [f"Article {r}" for r in roman]
                                          + [f"Artikel {r}" for r in roman])
    art2 = doc.text[units[2].start:units[2].end]
    assert art2.startswith("### Article  II")
    assert "exempt the Netherlands personnel from all taxes" in art2
    assert "### Article  III" not in art2
    # "###Article VIII" (no space after the marks) is found too
    assert doc.text[units[8].start:].startswith("###Article VIII")


def test_ilo_convention_parts_enclose_articles(shared):
    doc = _load(shared, "nl_treaty_db_cooperation_agreements/BWBV0005545__international_labour_conference.md")
    sections = [h.section for h in find_headings(doc)]
    assert sections[0] == "Part I"
    assert sections[1].startswith("Part I > Article ")
    assert sum(1 for s in sections if s.startswith(("Part", "Deel")) and ">" not in s) == 8


# --------------------------------------------------------------------------- heading pattern budget (issue 15)


def test_heading_pattern_expanding_to_gigabytes_is_refused_before_it_is_built():
    """``re`` compiled this bomb silently and the ``regex`` module would unroll it to 10**8 items."""
    from qualcoop.errors import PatternLimitError
    from qualcoop.segment.articles import check_heading_pattern

    bomb = "((((a{100}){100}){100}){100})"
    with pytest.raises(PatternLimitError) as ei:
        _units("intro\naaaa\nmore", pattern=bomb)
    assert ei.value.limit == "MAX_REGEX_PROGRAM"
    assert bomb in ei.value.message and "limit MAX_REGEX_PROGRAM = 100000" in ei.value.message
    with pytest.raises(PatternLimitError, match="heading pattern"):  # up front, without a document
        check_heading_pattern(bomb)
    with pytest.raises(PatternLimitError, match="MAX_REGEX_LENGTH"):
        check_heading_pattern("a" * 20_000)


def test_nested_plus_heading_pattern_no_longer_hangs():
    """Python ``re`` ran ``^(a+)+$`` over a line of 40 a's and a b for hours; the ``regex`` module
    the heading pattern now runs in fails it at once."""
    import time

    t0 = time.perf_counter()
    assert _units("intro\n" + "a" * 40 + "b\nmore", pattern=r"^(a+)+$") == [(None, "intro\n" + "a" * 40 + "b\nmore")]
    assert time.perf_counter() - t0 < 5


@pytest.mark.parametrize("pattern", [r"^(a|a)+$", r"^(a|aa)+$"])
def test_catastrophic_heading_pattern_stops_at_its_time_budget(pattern, monkeypatch):
    """Patterns that backtrack exponentially even in the ``regex`` module run with a time-out and
    the document fails with a typed error naming the limit (Python ``re`` ran them for hours)."""
    import time

    from qualcoop.errors import PatternLimitError

    monkeypatch.setenv("QUALCOOP_HEADING_PATTERN_TIMEOUT", "0.2")
    text = "intro\n" + "a" * 40 + "b\n" + ("a" * 60 + "!\n") * 3
    t0 = time.perf_counter()
    with pytest.raises(PatternLimitError) as ei:
        _units(text, pattern=pattern)
    assert time.perf_counter() - t0 < 20
    assert ei.value.limit == "HEADING_PATTERN_TIMEOUT" and ei.value.value == 0.2
    assert "heading pattern" in ei.value.message and "limit HEADING_PATTERN_TIMEOUT = 0.2" in ei.value.message


def test_heading_pattern_within_budget_still_finds_headings_and_labels():
    text = "intro\n§ 1 Scope\nbody\n§ 2 Terms\nmore"
    assert _units(text, pattern=r"^§ (?P<label>\d+)(?P<rest>.*)$") == [
        ("preamble", "intro"), ("1", "§ 1 Scope\nbody"), ("2", "§ 2 Terms\nmore")]
