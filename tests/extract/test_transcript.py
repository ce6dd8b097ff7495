"""Speaker-turn transcripts (TXT/DOCX): parse_turns, looks_like_transcript and the extractors.

Expected values were read off the files by hand (grep counts of the label lines, first lines).
"""

from __future__ import annotations

import re
import shutil
import warnings
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import texts as prose_texts

from qualcoop.errors import ExtractionQualityWarning, SpeakerPatternError
from qualcoop.extract import extract_file
from qualcoop.extract.base import ExtractOptions
from qualcoop.extract.transcript import (
    DocxTranscriptExtractor,
    TranscriptExtractor,
    is_plausible_label,
    looks_like_transcript,
    parse_timestamp,
    parse_turns,
    split_label,
)

HERE = Path(__file__).resolve().parents[1] / "data" / "transcripts"


def _texts(text, turns):
    return [text[r.start:r.end] for r in turns]


def _check_spans(text, turns):
    """In bounds, ordered, non-overlapping, no surrounding whitespace."""
    prev = 0
    for r in turns:
        assert r.kind == "turn"
        assert prev <= r.start < r.end <= len(text)
        seg = text[r.start:r.end]
        assert seg == seg.strip()
        prev = r.end


# --------------------------------------------------------------------------- real files


@pytest.fixture(scope="module")
def admin(shared):
    return (shared / "transcripts/qc_demo_coded_interviews/admin-1.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def board(shared):
    return (shared / "transcripts/qc_demo_coded_interviews/board_2017.txt").read_text(encoding="utf-8")


def test_admin_interview_turns(admin):
    turns = parse_turns(admin)
    # grep -c '^Max Bigman:' -> 30, '^admin-1:' -> 55, '^Automation:' -> 1
    assert Counter(r.label for r in turns) == {"admin-1": 55, "Max Bigman": 30, "Automation": 1}
    assert len(turns) == 86
    texts = _texts(admin, turns)
    assert texts[0] == "This call is now being recorded."
    assert texts[1].startswith("And I keep forgetting to send out these IRB official \nconsent forms")
    assert texts[1].endswith("after we hang up?")
    assert texts[2] == "Sure."
    # the "[Pallis 00:00:52]" marker wrapped over two lines stays inside admin-1's turn
    assert "[Pallis \n00:00:52] Unified School District" in texts[4]
    assert turns[4].label == "admin-1" and turns[4].start_time is None
    assert texts[-1] == "Uh-huh (affirmative). Bye."
    _check_spans(admin, turns)


def test_admin_no_label_inside_a_turn(admin):
    turns = parse_turns(admin)
    for r in turns:
        seg = admin[r.start:r.end]
        assert not re.search(r"(?m)^(Max Bigman|admin-1|Automation):", seg)
        # the label sits right before the span, padded with spaces
        line_start = admin.rfind("\n", 0, r.start) + 1
        assert admin[line_start:r.start].rstrip() == f"{r.label}:"
    # every label line of the file opens exactly one turn
    assert len(re.findall(r"(?m)^(Max Bigman|admin-1|Automation):", admin)) == len(turns)


def test_board_meeting_turns(board):
    turns = parse_turns(board)
    assert len(turns) == 131  # every blank-line separated paragraph opens with a label
    labels = Counter(r.label for r in turns)
    assert len(labels) == 41
    assert labels["Moderator"] == 16 and labels["Speaker 12"] == 13 and labels["Mr. Tyeri"] == 6
    assert labels["Tom"] == 1 and labels["Com 7"] == 1
    texts = _texts(board, turns)
    assert turns[0].label == "Speaker 1"
    assert texts[0] == "Thank you. Let's move on to the preK-12 computer science \ncurriculum."
    # a wrapped line starting "[inaudible 00:01:42]" is not a speaker
    assert "inaudible" not in {r.label.lower() for r in turns}
    assert any("that this \n[inaudible 00:01:42] through their social" in t for t in texts)
    _check_spans(board, turns)


def test_qualcoder_bracket_ids(shared):
    text = (shared / "transcripts/qualcoder_examples/transcript.txt").read_text(encoding="utf-8")
    turns = parse_turns(text)
    assert [r.label for r in turns] == ["id1", "id2", "id3", "id1", "id3", "id1", "id2"]
    texts = _texts(text, turns)
    assert texts[0].startswith("hello, I like the course.")
    assert texts[4] == "yes, I am learning a lot as well. It's a good course overall"
    assert texts[-1] == "Hmm, I will ask the tutor for more help as I am really struggling."
    assert looks_like_transcript(text)


@pytest.mark.parametrize("name", ["admin-1.txt", "board_2017.txt"])
def test_real_transcripts_are_recognised(shared, name):
    text = (shared / "transcripts/qc_demo_coded_interviews" / name).read_text(encoding="utf-8")
    assert looks_like_transcript(text)


def test_extract_file_reads_real_transcript_in_auto_mode(shared, tmp_path):
    src = shared / "transcripts/qc_demo_coded_interviews/admin-1.txt"
    path = tmp_path / "admin-1.txt"
    shutil.copy(src, path)
    doc = extract_file(path, attributes={})
    assert doc.source.extractor == "transcript.v1"
    assert doc.text == src.read_text(encoding="utf-8")  # offsets match the file: text unchanged
    turns = doc.regions_of("turn")
    assert len(turns) == 86 and doc.source.details["turns"] == 86
    assert doc.source.details["speakers"] == 3
    assert doc.text[turns[0].start:turns[0].end] == "This call is now being recorded."


def test_id1_docx_has_no_labels(shared, tmp_path):
    path = tmp_path / "ID1.docx"
    shutil.copy(shared / "transcripts/qualcoder_examples/ID1.docx", path)
    doc = extract_file(path, attributes={})
    assert doc.source.extractor == "docx.v1"  # auto mode: not a transcript
    assert doc.text.startswith("I really like learning new things.")
    assert parse_turns(doc.text) == ()
    assert not looks_like_transcript(doc.text)
    with pytest.warns(ExtractionQualityWarning, match="no speaker labels"):
        forced = extract_file(path, attributes={}, options=ExtractOptions(transcript=True))
    assert forced.source.extractor == "transcript.docx.v1"
    assert forced.text == doc.text and forced.regions_of("turn") == ()


# --------------------------------------------------------------------------- our fixtures


def test_indonesian_interview_with_timestamps_and_wrapping():
    text = (HERE / "wawancara_id.txt").read_text(encoding="utf-8")
    turns = parse_turns(text)
    assert [r.label for r in turns] == ["Pewawancara", "Narasumber", "Pewawancara", "Narasumber",
                                        "Pewawancara"]
    assert [r.start_time for r in turns] == [5.0, 12.0, 100.0, 107.0, 182.0]
    texts = _texts(text, turns)
    assert texts[0] == ("Selamat pagi, Bu. Terima kasih sudah bersedia\n"
                        "diwawancarai tentang kerja sama dengan ILO.")
    # "Tujuan:" on a wrapped line and "Catatan:" mid-line are the speaker's words, not speakers
    assert texts[1].endswith("Kementerian Ketenagakerjaan.\nTujuan: meningkatkan produktivitas UKM.")
    assert "Catatan: anggaran daerah\nterbatas" in texts[3]
    assert texts[4] == "Baik, terima kasih."
    # the header ("Transkrip wawancara: ...", "Tanggal: ...") is not a turn
    assert turns[0].start == text.index("Selamat pagi")
    assert looks_like_transcript(text)


def test_question_answer_lines_without_blank_lines():
    text = (HERE / "qa_en.txt").read_text(encoding="utf-8")
    turns = parse_turns(text)
    assert [r.label for r in turns] == ["Q", "A"] * 3
    texts = _texts(text, turns)
    assert texts[1] == ("It started with a memorandum of understanding signed in 2017,\n"
                        "   and the first training cycle ran the year after.")
    assert texts[5] == "Note: this is my personal view. Local ownership matters most."
    _check_spans(text, turns)


def test_interviewer_respondent_abbreviations():
    text = (HERE / "ir_id.txt").read_text(encoding="utf-8")
    turns = parse_turns(text)
    assert [(r.label, text[r.start:r.end]) for r in turns] == [
        ("I", "Sudah berapa lama Anda bekerja di pabrik ini?"),
        ("R", "Kurang lebih lima tahun."),
        ("I", "Apakah ada pelatihan K3?"),
        ("R", "Ada, setiap tahun dari perusahaan."),
    ]


def test_bracketed_names():
    text = (HERE / "bracket_names.txt").read_text(encoding="utf-8")
    turns = parse_turns(text)
    assert [r.label for r in turns] == ["Budi", "Sari", "Budi"]
    assert _texts(text, turns)[1] == "Saya setuju, tetapi jadwalnya terlalu padat."


def test_rev_style_label_line_then_text():
    text = (HERE / "rev_style.txt").read_text(encoding="utf-8")
    turns = parse_turns(text)
    assert [(r.label, r.start_time) for r in turns] == [("Speaker 1", 0.0), ("Speaker 2", 7.0),
                                                         ("Speaker 1", 15.0)]
    assert _texts(text, turns)[0] == "Welcome everyone to the tripartite meeting."


def test_otter_style_and_timestamp_forms():
    text = ("Speaker 1  0:03\nSelamat datang.\n\nSpeaker 2  0:09\nTerima kasih.\n\n"
            "Speaker 1  1:02:03\nMari mulai.\n")
    turns = parse_turns(text)
    assert [(r.label, r.start_time) for r in turns] == [("Speaker 1", 3.0), ("Speaker 2", 9.0),
                                                         ("Speaker 1", 3723.0)]
    assert _texts(text, turns) == ["Selamat datang.", "Terima kasih.", "Mari mulai."]
    text = ("00:00:05 - Moderator: Welcome.\n(00:12) Peserta 1: Thanks.\n"
            "Moderator (00:20): Next question.\nPeserta 1: [00:31] I agree.\n")
    turns = parse_turns(text)
    assert [(r.label, r.start_time) for r in turns] == [("Moderator", 5.0), ("Peserta 1", 12.0),
                                                         ("Moderator", 20.0), ("Peserta 1", 31.0)]
    assert _texts(text, turns) == ["Welcome.", "Thanks.", "Next question.", "I agree."]


def test_labels_with_honorifics_and_affiliations():
    text = ("Pak Budi (ILO): Programnya dimulai 2017.\n\nMr. van Dijk: The Dutch side funded it.\n\n"
            "Pak Budi (ILO): Betul.\n\nMr. van Dijk: Indeed.\n")
    turns = parse_turns(text)
    assert [r.label for r in turns] == ["Pak Budi (ILO)", "Mr. van Dijk"] * 2
    assert _texts(text, turns)[0] == "Programnya dimulai 2017."


def test_upper_case_labels_and_one_off_speakers():
    text = ("MODERATOR: Selamat datang.\n\nBUDI SANTOSO: Terima kasih.\n\nMODERATOR: Silakan.\n\n"
            "Tamu Undangan: Boleh saya bertanya?\n")
    turns = parse_turns(text)
    # a one-off capitalised label opening a paragraph counts once the text has recurring labels
    assert [r.label for r in turns] == ["MODERATOR", "BUDI SANTOSO", "MODERATOR", "Tamu Undangan"]


def test_prose_with_note_article_and_tujuan_is_not_a_transcript():
    text = (HERE / "prose_notes.txt").read_text(encoding="utf-8")
    assert parse_turns(text) == ()
    assert not looks_like_transcript(text)


@pytest.mark.parametrize("text", [
    "Note: the meeting was postponed.\n\nNote: the venue changed.\n\nThe parties met in Bali.\n",
    "Article 3: Scope\nThe parties cooperate.\nArticle 4: Financing\nArticle 5: Entry into force\n",
    "Tujuan: meningkatkan produktivitas.\n\nSasaran: UKM di Bali.\n\nTujuan: memperbaiki K3.\n",
    "Pelatihan dilaksanakan sebagai berikut:\n1. modul satu\nketentuan sebagai berikut:\n2. modul dua\n"
    "ketentuan sebagai berikut:\n",
    "Nomor (3) : diisi nama pemohon.\nNomor (4) : diisi tanggal.\nNomor (3) : diisi alamat.\n",
    "Meeting at 10:30: agenda below.\nSee http://example.org: it has the minutes.\n",
])
def test_prose_false_positives(text):
    assert parse_turns(text) == ()
    assert not looks_like_transcript(text)


def test_few_labels_in_a_long_report_is_not_a_transcript():
    body = "\n\n".join(f"Paragraph {i} of the progress report on SCORE training in Bali." for i in range(20))
    text = f"Q: What is SCORE?\nA: A training programme.\nQ: Where?\nA: Bali.\n\n{body}\n"
    assert len(parse_turns(text)) == 4
    assert not looks_like_transcript(text)  # turns cover 4 of 24 non-blank lines


def test_helpers():
    assert split_label("Max Bigman:         Okay") == ("Max Bigman", None, 20)
    assert split_label("[Pallis 00:00:52] text") == ("Pallis", 52.0, 18)
    assert split_label("http://example.org is down") is None
    assert split_label("10:30 the meeting starts") is None
    assert parse_timestamp("[01:02:03.250]") == 3723.25
    assert parse_timestamp("00:61") is None
    assert parse_timestamp("no time") is None
    assert is_plausible_label("Speaker 12") and is_plausible_label("Informan 2")
    assert not is_plausible_label("So it was said. Then")
    assert not is_plausible_label("one two three four five")


# --------------------------------------------------------------------------- user patterns


def test_user_pattern_replaces_builtins(tmp_path):
    text = "BUDI> Halo semua.\nlanjutan baris\nSARI> Hai.\nNote: bukan label di sini\n"
    turns = parse_turns(text, pattern=r"(?P<speaker>[A-Z]+)>")
    assert [(r.label, text[r.start:r.end]) for r in turns] == [
        ("BUDI", "Halo semua.\nlanjutan baris"), ("SARI", "Hai.\nNote: bukan label di sini")]
    turns = parse_turns("<12:30> ANA| pagi\n<12:31> BEN| siang\n",
                        pattern=r"<(?P<time>[\d:]+)> (?P<speaker>\w+)\|")
    assert [(r.label, r.start_time) for r in turns] == [("ANA", 750.0), ("BEN", 751.0)]
    assert not looks_like_transcript(text)
    assert looks_like_transcript(text + "BUDI> Lagi.\n", pattern=r"(?P<speaker>[A-Z]+)>")
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    got = TranscriptExtractor().extract(path, path.read_bytes(),
                                        ExtractOptions(speaker_pattern=r"(?P<speaker>[A-Z]+)>"))
    assert [r.label for r in got.regions if r.kind == "turn"] == ["BUDI", "SARI"]
    assert got.details["speaker_pattern"] == r"(?P<speaker>[A-Z]+)>"


@pytest.mark.parametrize("pattern, message", [
    ("(?P<speaker>[A-Z", "not a valid regular expression"),
    (r"(\w+):", "named group 'speaker'"),
])
def test_bad_user_pattern_is_a_typed_error(pattern, message, tmp_path):
    with pytest.raises(SpeakerPatternError, match=message) as info:
        parse_turns("A: x\n", pattern=pattern)
    assert info.value.code == "Q111" and info.value.pattern == pattern
    path = tmp_path / "t.txt"
    path.write_text("A: x\nB: y\n", encoding="utf-8")
    with pytest.raises(SpeakerPatternError):
        extract_file(path, attributes={"type": "interview"}, options=ExtractOptions(speaker_pattern=pattern))


# --------------------------------------------------------------------------- extractors


def test_transcript_extractor_keeps_text_and_offsets(tmp_path):
    data = (HERE / "wawancara_id.txt").read_bytes().replace(b"\n", b"\r\n")
    path = tmp_path / "w.txt"
    path.write_bytes(data)
    doc = extract_file(path, attributes={"type": "wawancara"})
    assert doc.source.extractor == "transcript.v1"
    assert doc.text == (HERE / "wawancara_id.txt").read_text(encoding="utf-8")  # CRLF -> LF once
    turns = doc.regions_of("turn")
    assert [t.label for t in turns][:2] == ["Pewawancara", "Narasumber"]
    assert doc.text[turns[-1].start:turns[-1].end] == "Baik, terima kasih."


def test_extract_file_auto_mode_by_content_and_by_type(tmp_path):
    qa = tmp_path / "qa.txt"
    shutil.copy(HERE / "qa_en.txt", qa)
    assert extract_file(qa, attributes={}).source.extractor == "transcript.v1"
    prose = tmp_path / "prose.txt"
    shutil.copy(HERE / "prose_notes.txt", prose)
    assert extract_file(prose, attributes={}).source.extractor == "text.v1"
    assert extract_file(qa, attributes={}, options=ExtractOptions(transcript=False)).regions == ()


def test_docx_transcript_headings_are_not_speakers():
    path = HERE / "wawancara.docx"
    got = DocxTranscriptExtractor().extract(path, path.read_bytes(), ExtractOptions())
    turns = [r for r in got.regions if r.kind == "turn"]
    # the heading "Wawancara: Dinas Tenaga Kerja" is a heading region, not a speaker
    assert [r.label for r in turns] == ["Pewawancara", "Narasumber", "Pewawancara", "Narasumber"]
    assert [got.text[r.start:r.end] for r in turns] == [
        "Bagaimana kerja sama dengan ILO dimulai?", "Melalui program SCORE pada tahun 2017.",
        "Apa hasilnya bagi pekerja?", "Kondisi kerja membaik, terutama K3."]
    assert got.text.startswith("Wawancara: Dinas Tenaga Kerja")
    assert any(r.kind == "heading" for r in got.regions)
    assert got.details["turns"] == 4


def test_docx_transcript_auto_mode(tmp_path):
    path = tmp_path / "w.docx"
    shutil.copy(HERE / "wawancara.docx", path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doc = extract_file(path, attributes={})
    assert doc.source.extractor == "transcript.docx.v1"
    assert len(doc.regions_of("turn")) == 4


def test_deterministic():
    text = (HERE / "wawancara_id.txt").read_text(encoding="utf-8")
    assert parse_turns(text) == parse_turns(text)


# --------------------------------------------------------------------------- hypothesis

_NAMES = ["Pewawancara", "Narasumber", "Interviewer", "Respondent", "Max Bigman", "Ayu Lestari",
          "Speaker 1", "Speaker 2", "Mr. Tyeri", "admin-1", "Q", "A", "Ibu Sari", "John Smith"]
_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäéABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,.?'()-",
                 min_size=1, max_size=12)


@st.composite
def transcripts(draw):
    speakers = draw(st.lists(st.sampled_from(_NAMES), min_size=2, max_size=4, unique=True))
    order = draw(st.lists(st.sampled_from(speakers), min_size=0, max_size=10))
    order = speakers + speakers + order  # every speaker recurs
    order = draw(st.permutations(order))
    blank = draw(st.booleans())  # blank-line separated or one turn per line
    width = draw(st.integers(min_value=20, max_value=80))
    stamp = draw(st.sampled_from([None, "[{}]", "({})", "{}"]))
    indent = "" if blank else "  "
    parts, expected = [], []
    pos = 0
    for k, who in enumerate(order):
        words = draw(st.lists(_WORDS, min_size=1, max_size=25))
        lines, cur = [], ""
        for w in words:  # hard-wrap at `width`
            if cur and len(cur) + 1 + len(w) > width:
                lines.append(cur)
                cur = w
            else:
                cur = f"{cur} {w}" if cur else w
        lines.append(cur)
        utter = f"\n{indent}".join(lines)
        seconds = 7 * k + 1
        t = stamp.format(f"00:{seconds // 60:02d}:{seconds % 60:02d}") + " " if stamp else ""
        head = f"{who}:{draw(st.sampled_from([' ', '   ', chr(9)]))}{t}"
        block = head + utter
        expected.append((who, pos + len(head), pos + len(block), float(seconds) if stamp else None))
        sep = "\n\n" if blank else "\n"
        parts.append(block + sep)
        pos += len(block) + len(sep)
    return "".join(parts), expected


@settings(max_examples=150, deadline=None)
@given(transcripts())
def test_generated_transcripts_round_trip(case):
    text, expected = case
    turns = parse_turns(text)
    assert [(r.label, r.start, r.end, r.start_time) for r in turns] == expected
    _check_spans(text, turns)
    assert looks_like_transcript(text)


@settings(max_examples=60, deadline=None)
@given(prose_texts())
def test_generated_prose_has_no_turns(text):
    # legal headings ("Article 3", "Pasal 4", "BAB II"), abbreviations, hard wraps, unicode fuzz
    assert parse_turns(text) == ()
    assert not looks_like_transcript(text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400))
def test_any_text_gives_valid_spans(text):
    turns = parse_turns(text)
    _check_spans(text, turns)
    for r in turns:
        assert r.label and is_plausible_label(r.label)
