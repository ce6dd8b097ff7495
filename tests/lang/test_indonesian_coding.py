"""Segment-level coding of Indonesian passages with the default codebook (issue 4).

Expected codes were read off each passage by hand; the corpus passages are the constructed
Indonesian interview in corpora/score_bali and the real regulations in shared data.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcoop.codebook import load_codebook
from qualcoop.extract import extract_file
from qualcoop.match import apply_codebook
from qualcoop.model import Document
from qualcoop.segment import segment

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def codebook():
    return load_codebook("international_cooperation")


def _coded(cb, text: str, *, unit: str = "sentence") -> dict[tuple[int, str], list[tuple[str, bool]]]:
    cs = apply_codebook([Document("d", text, lang="id")], cb, unit=unit)
    return {(c.segment_index, c.code_id): [(e.text, e.negated) for e in c.evidence] for c in cs}


@pytest.mark.parametrize(
    "text, expected",
    [("Pekerja-pekerja dilatih oleh fasilitator.",
      {(0, "actor.workers"): [("Pekerja-pekerja", False)], (0, "mechanism.training"): [("dilatih", False)]}),
     ("Perusahaan-perusahaan di Bali jarang mengikuti pelatihan.",  # "jarang" is a hedging cue
      {(0, "actor.enterprise"): [("Perusahaan-perusahaan", False)], (0, "mechanism.training"): [("pelatihan", True)]}),
     ("Pelaku UMKM kurang mendapat pelatihan.",  # "kurang" is a hedging cue
      {(0, "actor.enterprise"): [("UMKM", False)], (0, "mechanism.training"): [("pelatihan", True)]}),
     ("Tidak hanya pelatihan, tetapi juga pendampingan.",  # "tidak hanya" = not only
      {(0, "mechanism.training"): [("pelatihan", False)]}),
     ("Para pelatih-pelatih dari ILO melatih pengusaha dan pekerja.",
      {(0, "actor.employers"): [("pengusaha", False)], (0, "actor.international_org"): [("ILO", False)],
       (0, "actor.workers"): [("pekerja", False)],
       (0, "mechanism.training"): [("pelatih-pelatih", False), ("melatih", False)]}),
     # "tgl." does not end the sentence: the MoU and its signing are one sentence, the training another
     ("Nota kesepahaman antara Kementerian Ketenagakerjaan dan ILO ditandatangani tgl. 14 Maret 2017. "
      "Pelatihan dimulai.",
      {(0, "actor.international_org"): [("ILO", False)], (0, "actor.national_government"): [("Kementerian", False)],
       (0, "instrument.agreement"): [("Nota kesepahaman", False)],
       (0, "instrument.final_provisions"): [("ditandatangani", False)],
       (1, "mechanism.training"): [("Pelatihan", False)]}),
     ("Gaji pekerja Rp 1.500.000 per bulan dan jam kerja delapan jam.",
      {(0, "actor.workers"): [("pekerja", False)], (0, "domain.working_conditions"): [("jam kerja", False)]})],
)
def test_passages(codebook, text, expected):
    got = _coded(codebook, text)
    assert {k: v for k, v in got.items() if k[1] != "instrument.legal_status"} == expected


def test_tax_rate_is_not_a_trade_tariff(codebook):
    """Review of the Indonesian rules on PMK 112/2025: "tarif pemotongan" is a withholding rate."""
    text = "Manfaat tarif pemotongan atau pemungutan Pajak Penghasilan yang lebih rendah."
    assert "domain.trade_investment" not in {k[1] for k in _coded(codebook, text)}
    assert "domain.trade_investment" in {k[1] for k in _coded(codebook, "Tarif bea masuk atas ekspor kayu.")}


def test_interview_turns(codebook):
    doc = extract_file(REPO / "corpora" / "score_bali" / "wawancara_ukm_gianyar_id.txt")
    assert doc.lang == "id"
    segs = segment(doc, "turn")
    assert len(segs) == 32 and segs[3].speaker == "Narasumber"
    cs = apply_codebook([doc], codebook, unit="turn")
    turn3 = {c.code_id: [e.text for e in c.evidence] for c in cs if c.segment_index == 3}
    # "Awalnya ada undangan dari Dinas Tenaga Kerja Provinsi Bali, lewat APINDO juga. ... dari pemerintah ..."
    assert turn3 == {"actor.local_government": ["Dinas Tenaga Kerja"], "actor.employers": ["APINDO"],
                     "actor.national_government": ["pemerintah"]}
    for c in cs:
        for e in c.evidence:
            assert doc.text[e.start:e.end] == e.text and c.start <= e.start < e.end <= c.end


def test_regulation_sentences_after_letter_references(codebook, shared):
    """PMK 112/2025: the sentence after "huruf b." is its own segment and is coded on its own."""
    path = shared / "policy_docs" / "indonesian_regulations" / "pmk-112-2025_persetujuan_penghindaran_pajak_berganda.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("ayat (2) huruf b.\nPermohonan")
    passage = text[start:text.index(".", start + 20) + 1]
    doc = Document("pmk", passage, lang="id")
    sents = segment(doc, "sentence")
    assert [passage[s.start:s.end] for s in sents][0] == "ayat (2) huruf b."
    assert len(sents) == 2
