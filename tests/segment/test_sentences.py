"""Sentences: abbreviations, paragraphs/turns as hard limits, real text."""

from __future__ import annotations

import pytest

from qualcoop.errors import LanguageError
from qualcoop.model import Document, Region
from qualcoop.segment import segment
from qualcoop.segment.sentences import segment_sentences


def _sents(text: str, lang: str | None = "en") -> list[str]:
    doc = Document(id="s", text=text, lang=lang)
    return [doc.text[s.start:s.end] for s in segment_sentences(doc)]


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("See Art. 5 and No. 3 of the Agreement.", "en", ["See Art. 5 and No. 3 of the Agreement."]),
        ("Pada tgl. 5 Mei dkk. hadir. Rapat selesai.", "id", ["Pada tgl. 5 Mei dkk. hadir.", "Rapat selesai."]),
        ("U.S. delegates met.", "en", ["U.S. delegates met."]),
        ("Experts (e.g. trainers, i.e. staff) came. Mr. Smith and Dr. Rao left.", "en",
         ["Experts (e.g. trainers, i.e. staff) came.", "Mr. Smith and Dr. Rao left."]),
        ("See para. 4 and Arts. 2-3. Done.", "en", ["See para. 4 and Arts. 2-3.", "Done."]),
        ("Kantor di Jl. Sudirman, Kab. Bogor. Yth. Bpk. Budi, S.H., M.Si. hadir.", "id",
         ["Kantor di Jl. Sudirman, Kab. Bogor.", "Yth. Bpk. Budi, S.H., M.Si. hadir."]),
        ("Kami membeli baju, kain, dll. Rapat selesai.", "id", ["Kami membeli baju, kain, dll.", "Rapat selesai."]),
        ("Saya bertemu Ibu. Dia senang.", "id", ["Saya bertemu Ibu.", "Dia senang."]),
        ("No. I think not. Convention No. 87 applies.", "en", ["No.", "I think not.", "Convention No. 87 applies."]),
        ("Wait... what?! Yes.", None, ["Wait... what?!", "Yes."]),
    ],
)
def test_sentence_cases(text, lang, expected):
    assert _sents(text, lang) == expected


def test_sentences_stop_at_paragraphs_and_hard_wraps_do_not_split():
    text = "First sentence without end\n\nSecond paragraph wraps\nacross lines. Then ends."
    assert _sents(text) == ["First sentence without end", "Second paragraph wraps\nacross lines.", "Then ends."]


def test_sentences_carry_speaker_and_section():
    text = "Q: Is it good? Yes.\nA: Baik. Sekali."
    regions = (Region("turn", 3, 19, "Q"), Region("turn", 23, len(text), "A"))
    doc = Document(id="d", text=text, lang="id", regions=regions)
    assert [(s.speaker, text[s.start:s.end]) for s in segment(doc, "sentence")] == [
        ("Q", "Is it good?"), ("Q", "Yes."), ("A", "Baik."), ("A", "Sekali.")]
    legal = Document(id="l", text="Pasal 1\nIsi satu. Isi dua.", lang="id")
    assert [(s.section, legal.text[s.start:s.end]) for s in segment(legal, "sentence")] == [
        ("Pasal 1", "Pasal 1"), ("Pasal 1", "Isi satu."), ("Pasal 1", "Isi dua.")]


def test_unsupported_language():
    with pytest.raises(LanguageError, match="'fr'"):
        segment_sentences(Document(id="f", text="Bonjour. Salut.", lang="fr"))
    # an explicit lang overrides the document's
    assert len(segment_sentences(Document(id="f", text="Bonjour. Salut.", lang="fr"), lang="en")) == 2


def test_real_focus_group_transcript(shared):
    # QualCoder's Examples/transcript.txt, 16 sentences counted by hand (2+2+4+4+2+1+1);
    # "[id3] No. I think ..." is the answer "No." followed by a new sentence.
    path = shared / "transcripts" / "qualcoder_examples" / "transcript.txt"
    doc = Document(id="qc", text=path.read_text(encoding="utf-8"), lang="en")
    got = [doc.text[s.start:s.end] for s in segment_sentences(doc)]
    assert len(got) == 16
    assert got[4] == "[id3] No."
    assert got[5] == "I think the slides are OK but I don't like all the assignments."
    assert got[12] == "[id3] yes, I am learning a lot as well."
    assert got[13] == "It's a good course overall"


def test_real_constitution_sentences(shared):
    path = shared / "policy_docs" / "indonesian_regulations" / "uud-1945_pasal_bab.md"
    doc = Document(id="uud", text=path.read_text(encoding="utf-8"), lang="id")
    first = [doc.text[s.start:s.end] for s in segment_sentences(doc) if s.section == "BAB I > Pasal 1"]
    assert first == [
        "### Pasal 1",
        "**(1)** Negara Indonesia ialah Negara Kesatuan, yang berbentuk Republik.",
        "**(2)** Kedaulatan berada di tangan rakyat dan dilaksanakan menurut Undang-Undang Dasar.",
        "**(3)** Negara Indonesia adalah negara hukum.",
        "---",
    ]


def test_mixed_language_document_splits_with_its_primary_language():
    from qualcoop.model import Document
    from qualcoop.segment import segment

    text = "Pada tgl. 5 Mei kami ikut training-nya ILO. Rapat selesai."
    for attrs in ({"languages": "id,en"}, {"lang": "mixed", "languages": "id,en"}):
        doc = Document(id="d", text=text, attributes=attrs, lang="mixed" if "lang" in attrs else None)
        assert [doc.text[s.start:s.end] for s in segment(doc, "sentence")] == [
            "Pada tgl. 5 Mei kami ikut training-nya ILO.", "Rapat selesai."]
