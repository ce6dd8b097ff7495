"""Issue 13 item 6: transcript label forms seen in podcast and interview transcripts, speaker
aliases (automatic and from a `speakers:` metadata table), a warning for a transcript-looking
file without turns, and labels the parser does not take reported instead of merged silently."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from qualcoop.errors import ExtractionQualityWarning
from qualcoop.extract import ExtractOptions, extract_file
from qualcoop.extract.transcript import parse_turns, speaker_table
from qualcoop.segment import segment

PODCAST_MD = """\
# Episode 12: Kerja layak

**Kiki (K):** Selamat datang di podcast kami. Hari ini kita bicara soal pelatihan.

**Budi (B):** Terima kasih, Kiki. Senang sekali bisa hadir.

**K:** Jadi, bagaimana awalnya program SCORE di Bali?

**B:** Awalnya kami bekerja sama dengan ILO dan Disnaker.

**Kiki:** Menarik sekali.
"""

CHEVRONS = """\
>> Interviewer: How did the project start?
>> Respondent: With a grant from the embassy.
>> Interviewer: And the training?
>> Respondent: The ILO ran it in 2019.
"""

QA_DOTTED = """\
Q. How did the project start?
A. With a grant from the embassy, in 2018.
Q. Who trained the inspectors?
A. The ILO, together with the ministry.
"""

DASHED = """\
- P1 -
We started the cooperation in 2015.
It was slow at first.

- P2 -
The ministry funded the workshops.

- P1 -
Then the ILO joined.
"""


def _turns(text: str) -> list[tuple[str, str]]:
    return [(r.label, text[r.start:r.end]) for r in parse_turns(text)]


def test_bold_markdown_labels_and_aliases():
    turns = _turns(PODCAST_MD)
    # labels as written (add_turns maps the aliases: test_aliases_are_one_speaker)
    assert [t for t, _ in turns] == ["Kiki (K)", "Budi (B)", "K", "B", "Kiki"]
    assert turns[0][1].startswith("Selamat datang")
    assert not any("**" in text for _, text in turns)


def test_aliases_are_one_speaker(tmp_path: Path):
    path = tmp_path / "podcast.md"
    path.write_text(PODCAST_MD, encoding="utf-8")
    doc = extract_file(path)
    speakers = [s.speaker for s in segment(doc, "turn")]
    assert speakers == ["Kiki (K)", "Budi (B)", "Kiki (K)", "Budi (B)", "Kiki (K)"]


def test_chevron_dotted_and_dashed_labels():
    assert [s for s, _ in _turns(CHEVRONS)] == ["Interviewer", "Respondent"] * 2
    assert _turns(CHEVRONS)[1][1] == "With a grant from the embassy."
    assert [s for s, _ in _turns(QA_DOTTED)] == ["Q", "A", "Q", "A"]
    assert _turns(QA_DOTTED)[1][1] == "With a grant from the embassy, in 2018."
    dashed = _turns(DASHED)
    assert [s for s, _ in dashed] == ["P1", "P2", "P1"]
    assert dashed[0][1] == "We started the cooperation in 2015.\nIt was slow at first."


def test_outline_letters_are_not_answers():
    text = "A. Background\nThe parties met in 2019.\n\nB. Scope\nLabour inspection.\n"
    assert parse_turns(text) == ()


def test_speakers_table_forms():
    assert speaker_table({"Kiki": ["K", "Kiki (K)"]}) == {"K": "Kiki", "Kiki": "Kiki", "Kiki (K)": "Kiki"}
    assert speaker_table({"K": "Kiki"}) == {"K": "Kiki", "Kiki": "Kiki"}
    assert speaker_table("K=Kiki; I=Interviewer")["I"] == "Interviewer"
    assert speaker_table(None) == {}


def test_speakers_table_in_metadata_maps_and_accepts_labels(tmp_path: Path):
    text = ("Kiki Mahesa: Selamat pagi, Pak Budi. Terima kasih sudah datang.\n"
            "PB: Sama-sama, senang bisa hadir.\n"
            "KM: Bagaimana program dimulai?\n"
            "PB: Dengan pelatihan dari ILO.\n")
    path = tmp_path / "ep1.txt"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "metadata.yaml").write_text(
        "ep1.txt:\n  speakers:\n    Kiki: [KM, Kiki Mahesa]\n    Budi: [PB]\n", encoding="utf-8")
    doc = extract_file(path)
    assert [s.speaker for s in segment(doc, "turn")] == ["Kiki", "Budi", "Kiki", "Budi"]
    # a CSV cell works too
    (tmp_path / "metadata.yaml").unlink()
    (tmp_path / "metadata.csv").write_text('file,speakers\nep1.txt,"KM=Kiki; Kiki Mahesa=Kiki; PB=Budi"\n',
                                           encoding="utf-8")
    from qualcoop.extract.metadata import clear_cache

    clear_cache()
    doc = extract_file(path)
    assert [s.speaker for s in segment(doc, "turn")] == ["Kiki", "Budi", "Kiki", "Budi"]


def test_transcript_without_turns_is_warned(tmp_path: Path):
    path = tmp_path / "wawancara_disnaker.txt"
    path.write_text("Kami bekerja sama dengan ILO sejak 2019.\n\nProgramnya berjalan baik.\n", encoding="utf-8")
    with pytest.warns(ExtractionQualityWarning, match="looks like a transcript"):
        doc = extract_file(path)
    assert not doc.regions_of("turn")
    # prose with another name is not warned about
    other = tmp_path / "policy_note.txt"
    other.write_text("The parties agree to cooperate.\n\nThey meet each year.\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExtractionQualityWarning)
        extract_file(other)


def test_unplaced_label_is_reported(tmp_path: Path):
    text = ("Interviewer: How did it start?\n\n"
            "Respondent: With a grant. Then the ministry came in and\n"
            "Budi Santoso: said we should train inspectors first.\n\n"
            "Interviewer: And then?\n\n"
            "Respondent: Then the ILO.\n")
    path = tmp_path / "interview.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.warns(ExtractionQualityWarning, match=r"line 4 'Budi Santoso'"):
        doc = extract_file(path, options=ExtractOptions(transcript=True))
    turns = segment(doc, "turn")
    assert [s.speaker for s in turns] == ["Interviewer", "Respondent", "Interviewer", "Respondent"]
    assert "Budi Santoso: said" in doc.text[turns[1].start:turns[1].end]  # stays, but was reported
