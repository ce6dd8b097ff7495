"""Language profiles (qualcoop.lang.profile) and the languages of a document."""

from __future__ import annotations

import doctest
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import texts

from qualcoop.errors import LanguageError
from qualcoop.lang import profile as profile_mod
from qualcoop.lang.profile import document_languages, get_profile, lookup_table, resolve_languages
from qualcoop.model import Document


def test_profiles_by_alias_and_unsupported():
    assert get_profile("id") is get_profile("id-ID") is get_profile("Indonesian")
    assert get_profile("en").name == "English" and get_profile("id").norm_kind == "root"
    with pytest.raises(LanguageError):
        get_profile("ms")


def test_profiles_pickle():
    p = pickle.loads(pickle.dumps(get_profile("id")))
    assert p.norm("Dipekerjakan") == "kerja"


def test_norms():
    idp, enp = get_profile("id"), get_profile("en")
    assert idp.norms(["Pelatihan", "dilatih", "melatih", "pelatih-pelatih", "ILO"]) == [
        "latih", "latih", "latih", "latih", "ilo"]
    assert enp.norms(["Agreements", "negotiated", "Parties", "training"]) == [
        "agreement", "negotiate", "party", "train"]


def test_norm_literals_cover_every_form():
    enp = get_profile("en")
    lits = enp.norm_literals("agreement")
    for form in ("agreement", "Agreements"):
        assert enp.norm(form) == "agreement" and any(lit in form.lower() for lit in lits)
    assert get_profile("id").norm_literals("latih") == frozenset({"atih"})


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.sampled_from(sorted(lookup_table("en"))), st.text(min_size=1, max_size=12),
                 st.sampled_from(["Agreements", "POLICIES", "negotiated", "training", "Parties", "x"])),
       st.sampled_from(["en", "id"]))
def test_norm_literal_guarantee_for_stem_rules(token, lang):
    """What the rule engine's prefilter relies on for ``stem`` rules: every token contains one of
    the literals of its own normal form (or the norm has none and the rule always runs)."""
    prof = get_profile(lang)
    lits = prof.norm_literals(prof.norm(token))
    assert lits is None or any(lit in token.lower() for lit in lits)


def test_stop_words_and_cues():
    idp, enp = get_profile("id"), get_profile("en")
    assert idp.is_stop("Yang") and not idp.is_stop("pelatihan")
    assert "pasal" in idp.stop_words(extra=True) and "pasal" not in idp.stop_words()
    assert enp.is_stop("the") and "article" in enp.stop_words(extra=True)
    assert {"tidak", "bukan", "belum", "tanpa", "tak", "kurang", "jarang"} <= idp.negation_cues
    assert idp.hedging_cues == frozenset({"kurang", "jarang"})
    assert "lack of" in enp.negation_cues and enp.hedging_cues == frozenset()


def test_analyse_keeps_offsets_on_real_text(shared):
    path = shared / "policy_docs" / "indonesian_regulations" / "uud-1945_pasal_bab.md"
    text = path.read_text(encoding="utf-8")[:20000]
    infos = get_profile("id").analyse(text)
    assert len(infos) > 2000
    assert all(text[t.start:t.end] == t.text for t in infos)
    assert [t.start for t in infos] == sorted(t.start for t in infos)
    norms = {t.text.lower(): t.norm for t in infos}
    assert norms.get("kedaulatan") == "daulat" and norms.get("dilaksanakan") == "laksana"


@settings(max_examples=30, deadline=None)
@given(texts(lang="id"))
def test_analyse_never_changes_text(text):
    before = str(text)
    infos = get_profile("id").analyse(text)
    assert text == before
    assert all(text[t.start:t.end] == t.text for t in infos)
    assert all(t.norm == get_profile("id").norm(t.text) for t in infos)


@pytest.mark.parametrize(
    "value, langs",
    [("id", ("id",)), ("en,id", ("en", "id")), ("id+en", ("id", "en")), (["Indonesian", "English"], ("id", "en")),
     ("Bahasa Indonesia", ("id",)), ("mixed", ("en", "id")), ("campuran", ("en", "id")), ("id, mixed", ("id", "en")),
     (None, ()), ("", ())],
)
def test_resolve_languages(value, langs):
    assert resolve_languages(value, default=("en", "id")) == langs


def test_resolve_languages_names_the_bad_value():
    with pytest.raises(LanguageError) as info:
        resolve_languages("id,fr")
    assert "'id,fr'" in str(info.value)


def test_document_languages_authority_order():
    cb = ("en", "id")
    assert document_languages(Document("d", "x", lang="id"), codebook_languages=cb) == ("id",)
    assert document_languages(Document("d", "x", lang="id", attributes={"languages": "id,en"}),
                              codebook_languages=cb) == ("id", "en")
    assert document_languages(Document("d", "x", lang="mixed"), codebook_languages=cb) == ("en", "id")
    assert document_languages(Document("d", "x", lang="mixed"), lang="id", codebook_languages=cb) == ("id", "en")
    assert document_languages(Document("d", "x", attributes={"lang": "mixed"}), lang="id",
                              codebook_languages=cb) == ("id", "en")
    assert document_languages(Document("d", "x"), lang="id", codebook_languages=cb) == ("id",)
    assert document_languages(Document("d", "x"), codebook_languages=cb) == ("en",)
    # an English-looking text set as Indonesian stays Indonesian: no detector is consulted
    assert document_languages(Document("d", "The parties shall cooperate.", lang="id")) == ("id",)


def test_doctests():
    assert doctest.testmod(profile_mod).failed == 0
