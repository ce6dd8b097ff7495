"""Language detection is a hint: (lang, confidence), never a decision."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcoop.lang import detect as detect_mod
from qualcoop.lang.detect import MARKERS, detect_language, language_shares


def test_marker_lists_do_not_overlap():
    assert not MARKERS["en"] & MARKERS["id"]


@pytest.mark.parametrize(
    "rel, lang, min_conf",
    [("policy_docs/indonesian_regulations/uud-1945_pasal_bab.md", "id", 0.95),
     ("policy_docs/indonesian_regulations/pmk-099-2025_pembebasan_bea_masuk_hibah.md", "id", 0.95),
     # raw OCR with errors: still clearly Indonesian
     ("policy_docs/indonesian_regulations/permen-kemenhub-07-2025_ocr_icao_annex1.md", "id", 0.8),
     ("policy_docs/indonesian_regulations/README_source_repo.md", "en", 0.8)],
)
def test_real_files(shared, rel, lang, min_conf):
    got, conf = detect_language((shared / rel).read_text(encoding="utf-8"))
    assert got == lang and conf >= min_conf


def test_indonesian_regulation_with_english_annex_is_low_confidence(shared):
    """PMK 112/2025 quotes treaty forms in English: the hint says id, but only weakly."""
    text = (shared / "policy_docs" / "indonesian_regulations"
            / "pmk-112-2025_persetujuan_penghindaran_pajak_berganda.md").read_text(encoding="utf-8")
    lang, conf = detect_language(text)
    assert lang == "id" and 0.1 < conf < 0.4
    shares = language_shares(text)
    assert 0.3 < shares["en"] < 0.5 and shares["en"] + shares["id"] == pytest.approx(1.0)


def test_seed_abstract_halves(seeds):
    text = (seeds / "000_9278a289e1128945.txt").read_text(encoding="utf-8")
    en_part, _, id_part = text.partition("**ABSTRAK**")
    assert detect_language(en_part)[0] == "en"
    assert detect_language(id_part)[0] == "id"


def test_code_switched_turn():
    assert detect_language("Kami ikut training-nya ILO.") == ("id", 0.5)
    shares = language_shares("Kami ikut training-nya ILO, and the trainer was good.")
    assert shares == {"en": 0.6, "id": 0.4}


def test_malay_is_labelled_indonesian_which_is_why_it_is_only_a_hint():
    # Malay (Bahasa Melayu): shares the function words; the detector knows only en and id
    assert detect_language("Kerajaan akan memberi bantuan kepada pekerja yang tidak mempunyai kerja.")[0] == "id"


@pytest.mark.parametrize("text", ["", "12345", "ILO SCORE UKM", "   \n"])
def test_no_evidence(text):
    assert detect_language(text) == (None, 0.0)
    assert set(language_shares(text).values()) == {0.0}


@given(st.text(max_size=200))
def test_confidence_range_and_determinism(text):
    lang, conf = detect_language(text)
    assert lang in (None, "en", "id") and 0.0 <= conf < 1.0
    assert (lang is None) == (conf == 0.0)
    assert detect_language(text) == (lang, conf)


def test_doctests():
    assert doctest.testmod(detect_mod).failed == 0
