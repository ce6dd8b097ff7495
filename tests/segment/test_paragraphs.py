"""Paragraphs: blank lines, page breaks, turns and headings."""

from __future__ import annotations

from qualcoop.model import Document, Region
from qualcoop.segment import segment
from qualcoop.segment.paragraphs import segment_paragraphs, strip_span


def _texts(doc, segs):
    return [doc.text[s.start:s.end] for s in segs]


def test_blank_lines_whitespace_lines_and_form_feeds_separate():
    text = "  One line\nsame para.\n\nTwo.\n \t \nThree.\fFour\n\f\nFive.\u2029Six.\n\n\n"
    doc = Document(id="d", text=text)
    segs = segment_paragraphs(doc)
    assert _texts(doc, segs) == ["One line\nsame para.", "Two.", "Three.", "Four", "Five.", "Six."]
    assert [s.index for s in segs] == [0, 1, 2, 3, 4, 5]
    assert segs[0].start == 2 and all(s.kind == "paragraph" and s.speaker is None for s in segs)


def test_non_breaking_space_and_emoji_stay_inside():
    text = "\u00a0Suhu 10\u00a0000 😀\u00a0\n\n🇮🇩 kerja sama\n"
    doc = Document(id="d", text=text)
    assert _texts(doc, segment_paragraphs(doc)) == ["Suhu 10\u00a0000 😀", "🇮🇩 kerja sama"]


def test_strip_span():
    assert strip_span(" \n ab\tc \f", 0, 9) == (3, 7)
    assert strip_span("   ", 0, 3) == (3, 3)


def test_paragraphs_never_cross_turns_and_carry_speakers():
    text = ("Interview 12 May\n\n"
            "Interviewer: How did the training go?\n"
            "Ibu Sari: Baik sekali.\nKami belajar banyak.\n\nTerima kasih.\n")
    t1 = text.index("How")
    t2 = text.index("Baik")
    regions = (Region("turn", t1, text.index("\nIbu"), "Interviewer", 0.0, 4.5),
               Region("turn", t2, len(text), "Ibu Sari", 4.5, 9.0))
    doc = Document(id="d", text=text, regions=regions)
    segs = segment(doc, "paragraph")
    # the speaker labels left outside the turn regions are not paragraphs
    assert [(s.speaker, doc.text[s.start:s.end]) for s in segs] == [
        (None, "Interview 12 May"),
        ("Interviewer", "How did the training go?"),
        ("Ibu Sari", "Baik sekali.\nKami belajar banyak."),
        ("Ibu Sari", "Terima kasih."),
    ]


def test_speaker_label_on_the_line_before_the_turn():
    text = "Notes\nInterviewer:\nHow was it?\n[id2]\nGood.\nClosing remark"
    regions = (Region("turn", text.index("How"), text.index("?") + 1, "Interviewer"),
               Region("turn", text.index("Good"), text.index("Good") + 5, "id2"))
    doc = Document(id="d", text=text, regions=regions)
    assert [(s.speaker, text[s.start:s.end]) for s in segment_paragraphs(doc)] == [
        (None, "Notes"), ("Interviewer", "How was it?"), ("id2", "Good."), (None, "Closing remark")]
    # a header line ending in ":" that does not name the speaker is kept
    text = "Participants:\nMax Bigman: Hello."
    doc = Document(id="d", text=text, regions=(Region("turn", 14, len(text), "Max Bigman"),))
    assert [(s.speaker, text[s.start:s.end]) for s in segment_paragraphs(doc)] == [
        (None, "Participants:"), ("Max Bigman", "Max Bigman: Hello.")]


def test_heading_lines_are_paragraphs_and_sections_are_carried():
    text = "Pembukaan.\nBAB I\nKETENTUAN UMUM\nPasal 1\nDalam Peraturan ini:\na. satu;\n\nb. dua.\n"
    doc = Document(id="d", text=text, lang="id")
    got = [(s.section, doc.text[s.start:s.end]) for s in segment_paragraphs(doc)]
    assert got == [
        ("preamble", "Pembukaan."),
        ("BAB I", "BAB I"),
        ("BAB I", "KETENTUAN UMUM"),
        ("BAB I > Pasal 1", "Pasal 1"),
        ("BAB I > Pasal 1", "Dalam Peraturan ini:\na. satu;"),
        ("BAB I > Pasal 1", "b. dua."),
    ]
    # without section detection: blank lines only
    assert [doc.text[s.start:s.end] for s in segment_paragraphs(doc, sections=False)] == [
        "Pembukaan.\nBAB I\nKETENTUAN UMUM\nPasal 1\nDalam Peraturan ini:\na. satu;", "b. dua."]
    assert all(s.section is None for s in segment_paragraphs(doc, sections=False))


def test_real_transcript_paragraphs(shared):
    # QualCoder's example: 7 speaker paragraphs separated by blank lines (counted by hand)
    path = shared / "transcripts" / "qualcoder_examples" / "transcript.txt"
    doc = Document(id="qc", text=path.read_text(encoding="utf-8"), lang="en")
    segs = segment_paragraphs(doc)
    texts = _texts(doc, segs)
    assert [t[:5] for t in texts] == ["[id1]", "[id2]", "[id3]", "[id1]", "[id3]", "[id1]", "[id2]"]
    assert texts[-1] == "[id2] Hmm, I will ask the tutor for more help as I am really struggling."


def test_pdftotext_regulation_paragraphs_split_at_headings(shared):
    path = (shared / "policy_docs" / "indonesian_regulations"
            / "pmk-112-2025_persetujuan_penghindaran_pajak_berganda.md")
    doc = Document(id="pmk", text=path.read_text(encoding="utf-8"), lang="id")
    segs = segment_paragraphs(doc)
    by_text = {doc.text[s.start:s.end]: s for s in segs}
    # "\f-2BAB I": the page-number noise stays in its own paragraph, the heading is one paragraph
    assert by_text["-2"].section == "preamble"
    assert by_text["BAB I"].section == "BAB I"
    assert by_text["Pasal 29"].section == "BAB V > Pasal 29"
    assert sum(1 for t in by_text if t.startswith("Pasal ") and t[6:].isdigit()) == 29
    assert all(s.speaker is None for s in segs)


def test_heading_like_speech_inside_a_turn_is_not_a_section():
    text = "Part 1 - Background\nQ: What came next?\nSection 3. That is what we said.\n"
    q = text.index("What")
    doc = Document(id="d", text=text, regions=(Region("turn", q, len(text), "Q"),))
    got = [(s.section, s.speaker, text[s.start:s.end]) for s in segment_paragraphs(doc)]
    assert got == [("Part 1", None, "Part 1 - Background"),
                   ("Part 1", "Q", "What came next?\nSection 3. That is what we said.")]


def test_one_paragraph_per_line_text_splits_at_every_line(shared):
    """UNGD files save each numbered paragraph as one long line with no blank lines."""
    from qualcoop.extract import extract_file
    from qualcoop.segment import segment
    from qualcoop.segment.paragraphs import one_line_per_paragraph

    doc = extract_file(shared / "policy_docs/ungdc_indonesia/IDN_08_1953.txt")
    lines = [line for line in doc.text.split("\n") if line.strip()]
    assert one_line_per_paragraph(doc.text)
    paras = segment(doc, "paragraph")
    assert [doc.text[p.start:p.end] for p in paras] == [line.strip() for line in lines]
    assert doc.text[paras[0].start:paras[0].end].startswith("33.\tAllow me to start")
    # hard-wrapped text with no blank lines stays one paragraph per blank-line block
    wrapped = "\n".join(["A line of ordinary width that wraps the text of a paragraph."] * 10)
    assert not one_line_per_paragraph(wrapped)
