"""The ``stem`` rule kind (affix-aware matching) and code-switched documents (several languages).

Expected spans are counted by hand in the texts below; every case runs on the fast path and on
the spaCy ``Doc`` reference path (``prefilter=False``), which must agree.
"""

from __future__ import annotations

import pytest
from helpers_match import code_text, one_code, texts_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcoop.codebook import validate_codebook
from qualcoop.codebook.yaml_format import read_codebook_yaml
from qualcoop.errors import CodebookWarning, RuleError
from qualcoop.lang.indonesian import affix_forms, stem
from qualcoop.match import apply_codebook, compile_codebook, document_languages, make_run_id
from qualcoop.model import Code, Codebook, Document, Rule, Segment

BOTH = pytest.mark.parametrize("prefilter", [True, False], ids=["fast", "reference"])


# --------------------------------------------------------------------------- stem: Indonesian


@BOTH
def test_stem_latih_finds_the_affixed_forms_of_the_issue(prefilter):
    cb = one_code(Rule("t", "stem", lang="id", terms=["latih"]))
    text = ("Pelatihan bagi pekerja: mereka dilatih, lalu melatih rekan; pelatih-pelatih ILO terlatih. "
            "Lokakarya dan latihannya.")
    r = code_text(cb, text, lang="id", prefilter=prefilter)
    assert texts_of(r) == ["Pelatihan", "dilatih", "melatih", "pelatih-pelatih", "terlatih", "latihannya"]
    # "latih" is a root of its own language: English segments do not run the rule
    assert code_text(cb, "pelatihan", lang="en", prefilter=prefilter) == {}


@pytest.mark.parametrize("root", ["latih", "tulis", "kirim", "bantu", "kerja", "pantau", "lapor"])
def test_stem_rule_finds_every_affix_form_of_its_root(root):
    forms = affix_forms(root)
    assert all(stem(f) == root for f in forms)  # the profile roots each generated form back
    cb = one_code(Rule("t", "stem", lang="id", terms=[root]))
    text = " ".join(f"{f.capitalize() if i % 3 == 0 else f}, ada." for i, f in enumerate(forms))
    for prefilter in (True, False):
        got = [t.lower() for t in texts_of(code_text(cb, text, lang="id", prefilter=prefilter))]
        assert got == list(forms)


@BOTH
def test_stem_multiword_terms_match_sequences_of_roots(prefilter):
    cb = one_code(Rule("t", "stem", lang="id", terms=["kerja sama"]))
    text = "Mereka bekerja sama; kerja\nsama teknis dan Kerja Sama. Kerja keras sama sekali tidak."
    r = code_text(cb, text, lang="id", prefilter=prefilter)
    assert texts_of(r) == ["bekerja sama", "kerja\nsama", "Kerja Sama"]


@BOTH
def test_stem_matches_are_negated_by_indonesian_cues(prefilter):
    cb = one_code(Rule("t", "stem", lang="id", terms=["dana"]))
    r = code_text(cb, "Kegiatan ini belum didanai, tetapi pendanaan ada.", lang="id", prefilter=prefilter)
    assert r["c"] == [("didanai", True, "c/t"), ("pendanaan", False, "c/t")]


# --------------------------------------------------------------------------- stem: English


@BOTH
def test_stem_in_english_compares_lookup_lemmas_of_lower_cased_tokens(prefilter):
    cb = one_code(Rule("t", "stem", lang="en", terms=["agreement", "policy", "sign treaty"]))
    text = "AGREEMENTS and Policies: they signed treaties, an agreement; they agreed on policing."
    r = code_text(cb, text, lang="en", prefilter=prefilter)
    assert texts_of(r) == ["AGREEMENTS", "Policies", "signed treaties", "agreement"]


# --------------------------------------------------------------------------- stem: fast path details


@BOTH
def test_stem_rule_on_segments_coded_on_a_spacy_doc(prefilter):
    """A pattern rule sends a segment to the Doc path, where the prefilter's literals gate the
    other rules: ``norm_literals`` must keep every stem match there."""
    cb = Codebook("t", "1", [
        Code("pat", "Pattern", rules=[Rule("p", "pattern", pattern=[{"LOWER": "pajak"}])]),
        Code("c", "Stem", rules=[Rule("t", "stem", lang="id", terms=["latih", "biaya"])]),
    ], languages=("id",))
    text = "Pajak dan biaya pelatihan; dibiayai negara. Pelatih-pelatih membiayainya."
    r = code_text(cb, text, lang="id", prefilter=prefilter)
    assert texts_of(r) == ["biaya", "pelatihan", "dibiayai", "Pelatih-pelatih", "membiayainya"]
    assert texts_of(r, "pat") == ["Pajak"]


def test_stem_rule_literals_come_from_the_profile():
    from qualcoop.lang.profile import get_profile

    cc = compile_codebook(one_code(Rule("t", "stem", lang="id", terms=["latih", "kerja sama"]),
                                   Rule("u", "stem", lang="id", terms=["a"])))
    lm = cc.matchers("id")
    (key_t, key_u) = sorted(lm.prefilter._need) + sorted(lm.prefilter.always)
    assert key_u in lm.prefilter.always  # a one-letter root has no literal: always active
    assert lm.prefilter.active("para pelatih") >= {key_t}
    assert key_t not in lm.prefilter.active("lokakarya")
    assert get_profile("id").norm_literals("latih") == frozenset({"atih"})


def test_stem_rule_needs_terms():
    with pytest.raises(RuleError, match="needs a non-empty `terms` list"):
        compile_codebook(one_code(Rule("t", "stem", lang="id", terms=[])))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["latih", "kerja", "tulis", "bantu", "dana"]), min_size=1, max_size=3, unique=True),
       st.lists(st.sampled_from(["pelatihan", "Dilatih", "pekerja-pekerja", "bekerja", "menulis", "penulisan",
                                 "dibantu", "bantuan", "didanai", "DANA", "tidak", "latih", "ILO", "-", ",",
                                 "kerja-sama", "rp1.500.000", "tulisannya", "\n"]), max_size=25))
def test_stem_matches_exactly_the_tokens_with_that_root(roots, words):
    """Invariant: the evidence is exactly the tokens whose profile root is one of the terms."""
    from qualcoop.lang.profile import get_profile

    text = " ".join(words)
    cb = one_code(Rule("t", "stem", lang="id", terms=roots))
    expected = [t.text for t in get_profile("id").analyse(text) if t.norm in roots]
    for prefilter in (True, False):
        r = code_text(cb, text, lang="id", prefilter=prefilter)
        assert texts_of(r) == expected


# --------------------------------------------------------------------------- validation


def test_codebook_files_accept_the_stem_kind(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(
        "name: stems\nversion: '1'\nlanguages: [en, id]\ncodes:\n"
        "  - id: training\n    name: Training\n    rules:\n"
        "      - {id: s, kind: stem, lang: id, terms: [latih]}\n"
        "      - {id: w, kind: stem, lang: en, terms: ['train*']}\n"
        "      - {id: e, kind: stem, lang: id, window: 3, terms: [kursus]}\n",
        encoding="utf-8")
    problems = validate_codebook(path)
    assert [p.kind for p in problems] == ["warning", "warning"]
    assert "contain '*'" in problems[0].message and problems[0].rule_id == "w"
    assert "`window` is ignored by rule kind 'stem'" in problems[1].message and problems[1].line == 10
    with pytest.warns(CodebookWarning, match="2 warning"):
        cb = read_codebook_yaml(path)
    assert [r.kind for r in cb.get("training").rules] == ["stem", "stem", "stem"]
    doc = Document("d", "Para pelaku UMKM dilatih.", lang="id")
    cs = apply_codebook([doc], cb, unit="document")
    assert [(c.code_id, [e.text for e in c.evidence]) for c in cs] == [("training", ["dilatih"])]


# --------------------------------------------------------------------------- code-switching

MIXED = "Kami ikut training-nya ILO, tapi belum ada pendanaan."


def _mixed_codebook() -> Codebook:
    return Codebook("mix", "1", [
        Code("training", "Training", rules=[Rule("en", "phrase", lang="en", terms=["training"]),
                                            Rule("id", "stem", lang="id", terms=["latih"])]),
        Code("funding", "Funding", rules=[Rule("en", "phrase", lang="en", terms=["funding"]),
                                          Rule("id", "phrase", lang="id", terms=["pendanaan", "dana"])]),
    ], languages=("en", "id"))


def _coded(doc: Document, codebook: Codebook, *, prefilter: bool, lang: str | None = None) -> dict:
    cs = apply_codebook([doc], compile_codebook(codebook, prefilter=prefilter), unit="document", lang=lang)
    return {c.code_id: [(e.text, e.negated, e.rule_id) for e in c.evidence] for c in cs}


@BOTH
def test_code_switched_document_runs_the_rules_of_both_languages(prefilter):
    doc = Document("d", MIXED, lang="id", attributes={"languages": "id,en"})
    assert _coded(doc, _mixed_codebook(), prefilter=prefilter) == {
        "training": [("training", False, "training/en")],
        "funding": [("pendanaan", True, "funding/id")],
    }
    # Indonesian only: the English rule does not fire
    plain = Document("d", MIXED, lang="id")
    assert _coded(plain, _mixed_codebook(), prefilter=prefilter) == {
        "funding": [("pendanaan", True, "funding/id")]}


@BOTH
def test_default_codebook_codes_the_issue_example(prefilter):
    from qualcoop.codebook import load_codebook

    cb = load_codebook("international_cooperation")
    mixed = _coded(Document("d", MIXED, attributes={"languages": "id,en"}), cb, prefilter=prefilter)
    assert mixed["mechanism.training"] == [("training", False, "mechanism.training/terms-en")]
    assert mixed["mechanism.funding"] == [("pendanaan", True, "mechanism.funding/stems-id")]
    plain = _coded(Document("d", MIXED, lang="id"), cb, prefilter=prefilter)
    assert "mechanism.training" not in plain
    assert plain["mechanism.funding"] == [("pendanaan", True, "mechanism.funding/stems-id")]


@pytest.mark.parametrize(("doc", "lang", "expected"), [
    (Document("d", MIXED, attributes={"lang": "mixed"}), "id", ("id", "en")),
    (Document("d", MIXED, lang="mixed"), None, ("en", "id")),
    (Document("d", MIXED, lang="en", attributes={"languages": "id+en"}), None, ("id", "en")),
    (Document("d", MIXED, lang="id"), "en", ("id",)),
    (Document("d", MIXED), "id", ("id",)),
])
def test_languages_come_from_attributes_then_doc_lang_then_setting(doc, lang, expected):
    assert document_languages(doc, _mixed_codebook(), lang) == expected
    got = _coded(doc, _mixed_codebook(), prefilter=True, lang=lang)
    assert ("training" in got) == ("en" in expected)


@BOTH
def test_negation_cues_and_scope_ends_of_every_language_count(prefilter):
    cb = _mixed_codebook()
    both = Document("d", "No pelatihan; tidak ada dana but training.", lang="id",
                    attributes={"languages": "id,en"})
    assert _coded(both, cb, prefilter=prefilter) == {
        # "No" (English) negates the Indonesian term; "but" (English) ends the scope of "tidak"
        "training": [("pelatihan", True, "training/id"), ("training", False, "training/en")],
        "funding": [("dana", True, "funding/id")],
    }
    only_id = Document("d", "tidak ada dana but pelatihan", lang="id")
    assert _coded(only_id, cb, prefilter=prefilter) == {
        "training": [("pelatihan", True, "training/id")], "funding": [("dana", True, "funding/id")]}
    only_en = Document("d", "No pelatihan, tidak ada funding.", lang="en")
    assert _coded(only_en, cb, prefilter=prefilter) == {"funding": [("funding", False, "funding/en")]}


@BOTH
def test_stem_rule_without_lang_compares_in_each_language_of_the_segment(prefilter):
    cb = one_code(Rule("t", "stem", terms=["biaya", "agreement"]))
    text = "The agreements: dibiayai oleh negara; biaya agreement."
    seg = Segment("d", 0, len(text), "paragraph", 0)
    cc = compile_codebook(cb, prefilter=prefilter)

    def found(langs):
        doc = Document("d", text)
        return [e.text for m in cc.code_segment(doc, seg, langs) for e in m.evidence]

    assert found(("id", "en")) == ["agreements", "dibiayai", "biaya", "agreement"]
    assert found("en") == ["agreements", "biaya", "agreement"]  # "dibiayai" has no English lemma
    assert found("id") == ["dibiayai", "biaya", "agreement"]  # nor "agreements" an Indonesian root


def test_run_id_follows_the_document_languages():
    cb = _mixed_codebook()
    plain = Document("d", MIXED, lang="id")
    mixed = Document("d", MIXED, lang="id", attributes={"languages": "id,en"})
    same = Document("d", MIXED, lang="id", attributes={"languages": "id,en"})
    ids = [apply_codebook([d], cb, unit="document")[0].provenance.run_id for d in (plain, mixed, same)]
    assert ids[0] != ids[1] == ids[2]
    assert make_run_id(cb, [plain], unit="document", lang=None) == ids[0]


def test_languages_from_metadata_sidecars_reach_the_engine(tmp_path):
    """End to end: files, a metadata.csv (``id+en``: commas separate the columns) and a metadata.yaml."""
    from qualcoop.corpus import Corpus

    (tmp_path / "csv").mkdir()
    (tmp_path / "yaml").mkdir()
    for folder in ("csv", "yaml"):
        (tmp_path / folder / "mixed.txt").write_text(MIXED + "\n", encoding="utf-8")
        (tmp_path / folder / "plain.txt").write_text(MIXED + "\n", encoding="utf-8")
    (tmp_path / "csv" / "metadata.csv").write_text("file,languages,lang\nmixed.txt,id+en,\nplain.txt,,id\n",
                                                   encoding="utf-8")
    (tmp_path / "yaml" / "metadata.yaml").write_text(
        "mixed.txt: {languages: [id, en]}\nplain.txt: {lang: Bahasa Indonesia}\n", encoding="utf-8")
    docs = list(Corpus.from_paths([tmp_path]))
    cs = apply_codebook(docs, _mixed_codebook(), unit="paragraph")
    got = sorted((d.source.path.split("/")[-2], d.source.path.split("/")[-1],
                  sorted({c.code_id for c in cs if c.doc_id == d.id})) for d in docs)
    assert got == [("csv", "mixed.txt", ["funding", "training"]), ("csv", "plain.txt", ["funding"]),
                   ("yaml", "mixed.txt", ["funding", "training"]), ("yaml", "plain.txt", ["funding"])]
