"""Per-language blank spaCy pipelines."""

from __future__ import annotations

import threading

import pytest

from qualcoop.errors import LanguageError
from qualcoop.lang.pipelines import get_nlp, normalise_lang_code


def test_cached_and_shared_tokenizer():
    en = get_nlp("en")
    assert get_nlp("en") is en and get_nlp("EN-gb") is en and get_nlp("english") is en
    en_lem = get_nlp("en", lemmas=True)
    assert en_lem is not en and en_lem.tokenizer is en.tokenizer and en_lem.vocab is en.vocab
    assert en.pipe_names == ["sentencizer", "qualcoop_sentence_end_abbrev"]
    assert en_lem.pipe_names == ["sentencizer", "qualcoop_sentence_end_abbrev", "lemmatizer"]
    assert en.lang == "en" and get_nlp("id").lang == "id"


@pytest.mark.parametrize("lang", ["fr", "", "xx", "de-DE"])
def test_unsupported_language(lang):
    with pytest.raises(LanguageError) as info:
        get_nlp(lang)
    assert info.value.code == "Q410" and "supported: en, id" in str(info.value)


def test_normalise_lang_code():
    assert [normalise_lang_code(x) for x in ("en", "en_US", "ID", "id-ID", "Indonesian", "ind")] == [
        "en", "en", "id", "id", "id", "id"]


@pytest.mark.parametrize(
    "lang, text, token",
    [("en", "See Art. 5, No. 3, para. 4, e.g. this, U.S. law.", ["Art.", "No.", "para.", "e.g.", "U.S."]),
     ("en", "Para. 2 and Arts. 1-3 etc.", ["Para.", "Arts.", "etc."]),
     ("id", "Pada tgl. 5 dkk. di Jl. Merdeka, Kab. Bogor a.n. Bpk. Budi S.H. M.Si. u.p. yth. dll.",
      ["tgl.", "dkk.", "Jl.", "Kab.", "a.n.", "Bpk.", "S.H.", "M.Si.", "u.p.", "yth.", "dll."])],
)
def test_abbreviations_are_single_tokens(lang, text, token):
    words = [t.text for t in get_nlp(lang)(text)]
    for tok in token:
        assert tok in words, (tok, words)


def test_ibu_is_a_word_not_an_abbreviation():
    doc = get_nlp("id")("Saya bertemu Ibu. Dia senang.")
    assert [t.text for t in doc][:4] == ["Saya", "bertemu", "Ibu", "."]
    assert len(list(doc.sents)) == 2


def test_text_is_never_changed():
    text = "  Kerja\u00a0sama 😀 🇮🇩\n\nArt. 5 \f No. 3\t"
    for lang in ("en", "id"):
        for lemmas in (False, True):
            assert get_nlp(lang, lemmas=lemmas)(text).text == text


def test_lookup_lemmas_with_lowercase_fallback():
    en = get_nlp("en", lemmas=True)
    assert [t.lemma_ for t in en("Policies were agreed by the Parties")] == [
        "policy", "be", "agree", "by", "the", "party"]
    idn = get_nlp("id", lemmas=True)
    # spacy-lookups-data id table: pekerja -> kerja, perusahaan -> usaha; "dipekerjakan" is missing
    assert [t.lemma_ for t in idn("Pekerja perusahaan dipekerjakan")] == ["kerja", "usaha", "dipekerjakan"]
    # the plain pipeline sets no lemmas
    assert get_nlp("en")("Policies")[0].lemma_ == ""


def test_tokenisation_identical_with_and_without_lemmas():
    text = "Kerja-sama internasional No. 5 dll. Pasal 3 ayat (1) huruf a."
    for lang in ("en", "id"):
        plain = [(t.idx, t.text) for t in get_nlp(lang)(text)]
        lem = [(t.idx, t.text) for t in get_nlp(lang, lemmas=True)(text)]
        assert plain == lem


def test_threads_get_one_pipeline():
    from qualcoop.lang import pipelines

    pipelines.clear_cache()
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(get_nlp("en", lemmas=True))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 6 and all(n is got[0] for n in got)
