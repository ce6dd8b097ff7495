"""Indonesian tokenisation and sentence boundaries (qualcoop.lang.pipelines, issue 4)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.lang.pipelines import ID_TOKEN_MATCH, get_nlp


def _tokens(text: str, *, lemmas: bool = False) -> list[str]:
    return [t.text for t in get_nlp("id", lemmas=lemmas)(text) if not t.is_space]


def _sents(text: str) -> list[str]:
    return [s.text for s in get_nlp("id")(text).sents]


@pytest.mark.parametrize(
    "text, token",
    [("Para pekerja-pekerja hadir.", "pekerja-pekerja"),
     ("Pelatih-pelatih dari ILO.", "Pelatih-pelatih"),
     ("Prinsip-prinsip dasar", "Prinsip-prinsip"),  # capital only on the first half
     ("seadil-adilnya,", "seadil-adilnya"),
     ("sebaik-baiknya.", "sebaik-baiknya"),
     ("(anggota-anggotanya)", "anggota-anggotanya"),
     ("perusahaan-perusahaan asing", "perusahaan-perusahaan"),
     ("bersama-sama", "bersama-sama"),
     ("Undang-Undang Dasar", "Undang-Undang")],
)
def test_reduplication_is_one_token(text, token):
    assert token in _tokens(text)


def test_other_hyphens_still_split():
    assert _tokens("Indonesia-Negara Mitra") == ["Indonesia", "-", "Negara", "Mitra"]
    assert _tokens("Kami ikut training-nya ILO.") == ["Kami", "ikut", "training", "-nya", "ILO", "."]
    assert _tokens("1-1 a-a") == ["1", "-", "1", "a", "-", "a"]
    assert _tokens("kerja-sama") == ["kerja", "-", "sama"]


@pytest.mark.parametrize(
    "text, tokens",
    [("Gaji Rp1.500.000 per bulan.", ["Gaji", "Rp1.500.000", "per", "bulan", "."]),
     ("sebesar Rp1.500.000,00,", ["sebesar", "Rp1.500.000,00", ","]),
     ("sebesar Rp.2.000.000", ["sebesar", "Rp.2.000.000"]),
     ("Biaya Rp 1.500.000 dibayar.", ["Biaya", "Rp 1.500.000", "dibayar", "."]),
     ("Biaya Rp. 1.500.000 dibayar.", ["Biaya", "Rp. 1.500.000", "dibayar", "."]),
     ("nilai (Rp15.000.000.000)", ["nilai", "(", "Rp15.000.000.000", ")"])],
)
def test_rupiah_amounts_are_one_token(text, tokens):
    assert _tokens(text) == tokens
    assert _tokens(text, lemmas=True) == tokens


def test_bare_tokenizer_keeps_spaced_amounts_as_two_tokens():
    """The rule engine tokenises with the bare tokenizer: a token never holds a space there."""
    tok = get_nlp("id").tokenizer
    assert [t.text for t in tok("Rp 1.500.000")] == ["Rp", "1.500.000"]
    assert [t.text for t in tok("Rp1.500.000")] == ["Rp1.500.000"]


@pytest.mark.parametrize("abbrev", ["tgl.", "hlm.", "dkk.", "Bpk.", "Sdr.", "No.", "NO.", "Rp.", "Psl.", "Tbk."])
def test_abbreviations_are_one_token(abbrev):
    assert abbrev in [t.text for t in get_nlp("id").tokenizer(f"Lihat {abbrev} 5 dan seterusnya")]


@pytest.mark.parametrize(
    "text, sentences",
    [("Surat tgl. 5 Mei 2020 diterima. Lalu dibahas.", ["Surat tgl. 5 Mei 2020 diterima.", "Lalu dibahas."]),
     ("Lihat hlm. 12 buku itu.", ["Lihat hlm. 12 buku itu."]),
     ("Bertemu Bpk. Made dan Sdr. Ketut di Gianyar.", ["Bertemu Bpk. Made dan Sdr. Ketut di Gianyar."]),
     ("Menurut Budi dkk. (2020) pelatihan berhasil.", ["Menurut Budi dkk. (2020) pelatihan berhasil."]),
     ("Ditulis oleh Budi dkk. Hasilnya baik.", ["Ditulis oleh Budi dkk.", "Hasilnya baik."]),
     ("Biaya Rp. 2.000.000 dibayar.", ["Biaya Rp. 2.000.000 dibayar."]),
     ("UU No. 13 Tahun 2003 berlaku.", ["UU No. 13 Tahun 2003 berlaku."]),
     ("Sesuai Psl. 5 ayat (1) huruf a undang-undang ini.", ["Sesuai Psl. 5 ayat (1) huruf a undang-undang ini."]),
     # the end of a regulation's sentence after a letter reference (pmk-112-2025, line 409)
     ("sebagaimana dimaksud pada ayat (2) huruf b.\nPermohonan diajukan kepada Direktur Jenderal Pajak.",
      ["sebagaimana dimaksud pada ayat (2) huruf b.\n", "Permohonan diajukan kepada Direktur Jenderal Pajak."]),
     ("dalam Pasal 5. Selanjutnya ada.", ["dalam Pasal 5.", "Selanjutnya ada."]),
     ("Pasal 33 ayat (3). Bumi dan air", ["Pasal 33 ayat (3).", "Bumi dan air"])],
)
def test_sentence_boundaries(text, sentences):
    assert _sents(text) == sentences


def test_real_regulation_letter_references(shared):
    text = (shared / "policy_docs" / "indonesian_regulations"
            / "pmk-112-2025_persetujuan_penghindaran_pajak_berganda.md").read_text(encoding="utf-8")
    doc = get_nlp("id")(text)
    assert doc.text == text
    starts = {s.start_char for s in doc.sents}
    # every "huruf x." at a line end followed by a capitalised line starts a new sentence after it
    ends = [m for m in re.finditer(r"huruf [a-z]\.\n(?=[A-Z])", text)]
    assert len(ends) == 3  # counted by hand: lines 409, 1118, 1189
    assert all(m.end() in starts for m in ends)
    assert "Rp15.000.000.000,00" in {t.text for t in doc}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdeRp-.,0123456789 ", max_size=60))
def test_token_match_is_exact_and_text_is_kept(text):
    doc = get_nlp("id")(text)
    assert doc.text == text
    for t in doc:
        assert text[t.idx:t.idx + len(t.text)] == t.text
    for word in text.split():
        if ID_TOKEN_MATCH.match(word):
            assert word in {t.text for t in get_nlp("id").tokenizer(word)}
