"""qualcoop.topics: preprocessing, estimators, planted-topic recovery, results, persistence, quality."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from qualcoop.errors import TopicModelError, TopicWarning
from qualcoop.model import Code, Codebook, Document, Rule
from qualcoop.topics import (
    LDA,
    NMF,
    Preprocessor,
    SeededLDA,
    SklearnLDA,
    Vocabulary,
    codebook_seed_terms,
    coherence,
    fit_topics,
    load_model,
    stability,
    sweep,
    topic_models,
)

PLAIN = Preprocessor(min_df=1, max_df=1.0, normalise="lower", stop_words=False)


# --------------------------------------------------------------------------- planted topics


def planted(seed: int, *, k: int = 8, v: int = 400, n_docs: int = 150, doc_len: int = 40, alpha: float = 0.2,
            beta: float = 0.03, n_seeds: int = 5):
    """Documents drawn from known topic-word distributions (LDA's generative story)."""
    rng = np.random.default_rng(seed)
    vocab = [f"w{i:03d}" for i in range(v)]
    topics = rng.dirichlet(np.full(v, beta), size=k)
    theta = rng.dirichlet(np.full(k, alpha), size=n_docs)
    docs = []
    for d in range(n_docs):
        z = rng.choice(k, size=doc_len, p=theta[d])
        docs.append([vocab[rng.choice(v, p=topics[t])] for t in z])
    seeds = {f"code{t}": [vocab[j] for j in np.argsort(-topics[t])[:n_seeds]] for t in range(k)}
    return docs, topics, theta, seeds, vocab


def recovery(model, docs, topics, theta, vocab, n_seeded):
    """Hungarian-match model topics to planted ones (cosine of word distributions); return
    (document accuracy on clear documents of seeded topics, share of seeded topics matched to their seed)."""
    est = np.zeros((model.n_topics_, len(vocab)))
    cols = [vocab.index(t) for t in model.vocabulary_.terms]
    est[:, cols] = model.components_
    unit = lambda a: a / np.linalg.norm(a, axis=1, keepdims=True)  # noqa: E731
    rows, matched = linear_sum_assignment(-(unit(est) @ unit(topics).T))
    mapping = dict(zip(rows.tolist(), matched.tolist()))
    pred = np.array([mapping.get(t, -1) for t in model.transform(docs).argmax(axis=1)])
    true = theta.argmax(axis=1)
    clear = (true < n_seeded) & (theta.max(axis=1) >= 0.5)
    return float((pred[clear] == true[clear]).mean()), float(np.mean([mapping.get(t) == t for t in range(n_seeded)]))


@pytest.mark.parametrize("data_seed", [0, 1])
def test_seeded_lda_recovers_planted_topics_and_beats_unseeded(data_seed):
    docs, topics, theta, seeds, vocab = planted(data_seed)
    k, n_seeded = topics.shape[0], 6
    chosen = {c: seeds[c] for c in list(seeds)[:n_seeded]}
    seeded = SeededLDA(chosen, n_free_topics=k - n_seeded, passes=10, random_state=0, preprocessor=PLAIN).fit(docs)
    plain = LDA(k, passes=10, random_state=0, preprocessor=PLAIN).fit(docs)
    acc_seeded, seeds_kept = recovery(seeded, docs, topics, theta, vocab, n_seeded)
    acc_plain, _ = recovery(plain, docs, topics, theta, vocab, n_seeded)
    assert seeds_kept == 1.0  # every seeded topic is matched to the planted topic it was seeded with
    assert seeded.topic_codes_ == (*chosen, None, None)
    assert acc_seeded >= 0.9
    assert acc_seeded > acc_plain


# --------------------------------------------------------------------------- preprocessing


def test_preprocessor_english_lemmas_and_stop_words():
    pre = Preprocessor(lang="en")
    # counted by hand: 'The', 'shall', 'in' are stop words; lookup lemmas lower-cased
    assert pre.tokens("The Parties shall cooperate in vocational training programmes.") == [
        "party", "cooperate", "vocational", "train", "programme"]
    assert pre.tokens("In 2019, 35 workers (i.e. 12%) attended.") == ["worker", "attend"]


def test_preprocessor_indonesian_stop_words_and_reduplication():
    pre = Preprocessor(lang="id", normalise="lower")
    got = pre.tokens("Pelatihan ini untuk negara-negara anggota dan pekerja di Bali.")
    assert got == ["pelatihan", "negara-negara", "anggota", "pekerja", "bali"]
    assert pre.tokens("Pasal 3 ayat (2) sebagaimana dimaksud", "id") == []


def test_unknown_normaliser_is_a_typed_error():
    with pytest.raises(TopicModelError, match="no token normaliser named 'stemmer9'"):
        Preprocessor(normalise="stemmer9")


def test_a_registered_normaliser_plugs_in():
    from qualcoop.topics import token_normalisers

    @token_normalisers.register("test.strip_s")
    def _factory(lang):
        return lambda w: w[:-1] if w.endswith("s") else w

    pre = Preprocessor(normalise_by_lang={"en": "test.strip_s"}, stop_words=False)
    assert pre.tokens("workers unions training") == ["worker", "union", "training"]
    assert Preprocessor.from_dict(pre.to_dict()) == pre


def test_vocabulary_document_frequency_limits_counted_by_hand():
    docs = [["a", "b", "c"], ["a", "b"], ["a", "d"], ["a", "b", "e", "e"]]
    # df: a=4, b=3, c=1, d=1, e=1
    vocab = Preprocessor(min_df=2, max_df=3).fit_vocabulary(docs)
    assert vocab.terms == ("b",)
    vocab = Preprocessor(min_df=1, max_df=1.0).fit_vocabulary(docs)
    assert vocab.terms == ("a", "b", "c", "d", "e")
    assert vocab.doc_freq == (4, 3, 1, 1, 1)
    assert vocab.term_freq == (4, 3, 1, 1, 2)
    assert vocab.bow(["e", "a", "e", "zzz"]) == [(0, 1), (4, 2)]
    assert Preprocessor(min_df=0.5, max_df=0.8).fit_vocabulary(docs).terms == ("b",)
    with pytest.raises(TopicModelError, match="no terms left"):
        Preprocessor(min_df=5).fit_vocabulary(docs)
    assert Vocabulary.from_dict(vocab.to_dict()) == vocab


def test_phrases_are_learned_and_joined():
    docs = [["united", "nations", "peace", "labour"], ["united", "nations", "trade"],
            ["labour", "market", "reform"]] * 4
    vocab = Preprocessor(phrases=True, phrase_min_count=2, phrase_threshold=1, min_df=1,
                         max_df=1.0).fit_vocabulary(docs)
    # 'labour market' is not joined: 'market reform' is the stronger pair (market occurs only there)
    assert vocab.phrases == ("market_reform", "united_nations")
    assert vocab.terms == ("labour", "market_reform", "peace", "trade", "united_nations")
    assert vocab.apply(["the", "united", "nations", "labour", "market", "reform"]) == [
        "united_nations", "labour", "market_reform"]
    assert Preprocessor(phrases=True, phrase_min_count=2, phrase_threshold=5, min_df=1,
                        max_df=1.0).fit_vocabulary(docs).phrases == ()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=30),
       st.sets(st.sampled_from(["a_b", "b_c", "c_d", "d_a", "a_a"])))
def test_joining_phrases_never_loses_or_reorders_words(tokens, phrases):
    vocab = Vocabulary(terms=(), doc_freq=(), term_freq=(), phrases=tuple(sorted(phrases)))
    joined = vocab.join_phrases(tokens)
    assert "_".join(joined) == "_".join(tokens)
    assert all(t in phrases for t in joined if "_" in t)


# --------------------------------------------------------------------------- estimator contract


TOY = [["labour", "training", "worker", "skill"], ["trade", "tariff", "export", "market"],
       ["labour", "worker", "wage", "skill"], ["export", "market", "tariff", "investment"]] * 8


@pytest.mark.parametrize("cls", [LDA, SklearnLDA, NMF])
def test_scikit_learn_contract(cls):
    from sklearn.base import clone

    est = cls(2, random_state=3, preprocessor=PLAIN)
    assert est.get_params()["random_state"] == 3
    assert clone(est).get_params()["n_topics"] == 2
    with pytest.raises(TopicModelError, match="not fitted"):
        est.transform(TOY)
    assert est.fit(TOY) is est
    assert est.n_topics_ == 2 and est.components_.shape == (2, len(est.vocabulary_))
    w = est.transform(TOY)
    assert w.shape == (len(TOY), 2)
    assert np.allclose(w.sum(axis=1), 1.0)
    assert np.allclose(est.fit_transform(TOY), w)
    # the two planted themes end up in different topics
    assert w[0].argmax() != w[1].argmax() and w[0].argmax() == w[2].argmax()
    assert est.transform([["unknownword"]]).tolist() == [[0.0, 0.0]]


def test_strings_are_tokenised_with_the_preprocessor():
    texts = ["Workers need training and skills.", "Exports face tariffs in markets."] * 6
    m = LDA(2, passes=5, preprocessor=Preprocessor(min_df=1, max_df=1.0)).fit(texts)
    assert set(m.vocabulary_.terms) == {"worker", "need", "train", "skill", "export", "face", "tariff", "market"}


def test_our_lda_is_plain_gensim_lda():
    """The wrapper adds nothing to training: same topics as gensim's LdaModel on the same corpus."""
    from gensim.models import LdaModel

    ours = LDA(3, passes=4, random_state=7, preprocessor=PLAIN).fit(TOY)
    bows = [ours.vocabulary_.bow(d) for d in TOY]
    plain = LdaModel(bows, id2word=dict(enumerate(ours.vocabulary_.terms)), num_topics=3, passes=4,
                     random_state=7, eval_every=None)
    assert np.array_equal(ours.components_, plain.get_topics().astype(np.float64))


def test_alpha_auto_is_refused():
    with pytest.raises(TopicModelError, match="alpha='auto'"):
        LDA(2, alpha="auto", preprocessor=PLAIN).fit(TOY)


# --------------------------------------------------------------------------- determinism and persistence


@pytest.mark.parametrize("cls", [LDA, SklearnLDA, NMF])
def test_same_seed_same_topics_other_seed_other_start(cls):
    a = cls(3, random_state=1, preprocessor=PLAIN).fit(TOY)
    b = cls(3, random_state=1, preprocessor=PLAIN).fit(TOY)
    assert np.array_equal(a.components_, b.components_)
    assert np.array_equal(a.transform(TOY), b.transform(TOY))
    assert np.array_equal(a.transform(TOY), a.transform(TOY))


@pytest.mark.parametrize("make", [
    lambda: LDA(3, passes=3, preprocessor=PLAIN),
    lambda: SeededLDA({"trade": ["tariff"], "labour": ["wage", "skill"]}, n_free_topics=1, passes=3,
                      preprocessor=PLAIN),
    lambda: SklearnLDA(3, preprocessor=PLAIN),
    lambda: NMF(3, preprocessor=PLAIN),
])
def test_save_and_load_give_the_same_transform(tmp_path, make):
    model = make().fit(TOY)
    model.to_disk(tmp_path / "m")
    files = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert "model.json" in files and all(f == "model.json" or f.endswith(".npy") for f in files)
    for f in files:
        if f.endswith(".npy"):
            np.load(tmp_path / "m" / f, allow_pickle=False)  # plain arrays, no pickle
    loaded = load_model(tmp_path / "m")
    assert type(loaded) is type(model)
    assert loaded.vocabulary_ == model.vocabulary_
    assert loaded.topic_labels_ == model.topic_labels_ and loaded.topic_codes_ == model.topic_codes_
    assert np.array_equal(loaded.transform(TOY), model.transform(TOY))
    assert np.array_equal(loaded.components_, model.components_)
    # saving the loaded model again gives the same bytes
    loaded.to_disk(tmp_path / "again")
    for f in files:
        assert (tmp_path / "m" / f).read_bytes() == (tmp_path / "again" / f).read_bytes(), f


def test_tampered_or_foreign_files_are_refused(tmp_path):
    LDA(2, passes=2, preprocessor=PLAIN).fit(TOY).to_disk(tmp_path / "m")
    sstats = tmp_path / "m" / "sstats.npy"
    np.save(sstats, np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(TopicModelError, match="checksum"):
        load_model(tmp_path / "m")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "model.json").write_text('{"format": "something.else"}', encoding="utf-8")
    with pytest.raises(TopicModelError, match="not a qualcoop topic model"):
        load_model(tmp_path / "x")
    with pytest.raises(TopicModelError, match="cannot read"):
        load_model(tmp_path / "missing")


def test_registry_names_the_models():
    assert topic_models.names() == ["lda.gensim.v1", "lda.sklearn.v1", "nmf.sklearn.v1", "seeded_lda.gensim.v1"]
    assert topic_models.get("seeded_lda.gensim.v1") is SeededLDA


# --------------------------------------------------------------------------- seeds from a codebook


CODEBOOK = Codebook("mini", "0.1", [
    Code("mechanism", "Mechanisms"),
    Code("mechanism.training", "Training", parent="mechanism", rules=[
        Rule("en", "phrase", terms=("training", "vocational training", "workshop"), lang="en"),
        Rule("id", "phrase", terms=("pelatihan",), lang="id"),
        Rule("x", "exclude", terms=("training ground",)),
    ]),
    Code("domain.trade", "Trade", rules=[
        Rule("g", "glob", terms=("export*",)),
        Rule("n", "near", groups=(("tariff",), ("reduce", "cut")), window=5),
        Rule("a", "all", rules=(Rule("m", "keyword", terms=("market",)),)),
        Rule("r", "regex", pattern="t[a-z]+"),
    ]),
    Code("domain.space", "Space", rules=[Rule("s", "keyword", terms=("rocket",))]),
])


def test_codebook_seed_terms_follow_rule_kinds():
    got = codebook_seed_terms(CODEBOOK)
    assert list(got) == ["mechanism.training", "domain.trade", "domain.space"]
    assert got["mechanism.training"] == (("training", "en"), ("vocational training", "en"), ("workshop", "en"),
                                         ("pelatihan", "id"))
    assert got["domain.trade"] == (("export*", None), ("tariff", None), ("reduce", None), ("cut", None),
                                   ("market", None))
    with pytest.raises(TopicModelError, match="no code"):
        codebook_seed_terms(CODEBOOK, codes=["nope"])


def test_seeded_lda_from_codebook_maps_topics_to_codes_and_warns_once():
    docs = [["vocational", "training", "worker"], ["training", "skill", "workshop"], ["worker", "workshop", "skill"],
            ["vocational", "training", "skill"], ["export", "tariff", "market"], ["exporter", "market", "tariff"],
            ["market", "export", "exporter"], ["pelatihan", "pekerja"], ["pekerja", "keterampilan", "pelatihan"],
            ["keterampilan", "pelatihan", "upah"]] * 3
    pre = Preprocessor(min_df=1, max_df=1.0, phrases=True, phrase_min_count=2, phrase_threshold=2,
                       stop_words=False, normalise="lower")
    assert pre.fit_vocabulary(docs).phrases == ("keterampilan_pelatihan", "vocational_training")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = SeededLDA(CODEBOOK, n_free_topics=1, passes=5, seed_langs=("en", "id"), preprocessor=pre).fit(docs)
    topic_warnings = [w for w in caught if issubclass(w.category, TopicWarning)]
    assert len(topic_warnings) == 1 and "domain.space" in str(topic_warnings[0].message)
    assert m.dropped_codes_ == ("domain.space",)
    assert m.topic_codes_ == ("mechanism.training", "domain.trade", None)
    # 'vocational training' seeds through its phrase; 'pelatihan' (an id rule) in Indonesian
    assert m.seed_words_["mechanism.training"] == ("pelatihan", "training", "vocational_training", "workshop")
    assert m.seed_words_["domain.trade"] == ("export", "exporter", "market", "tariff")
    assert m.topic_labels_[0].startswith("mechanism.training: ")
    w = m.transform([["tariff", "export"], ["workshop", "pelatihan"]])
    assert w[0].argmax() == 1 and w[1].argmax() == 0


# --------------------------------------------------------------------------- results on documents

TEXTS = {
    "a": ("Vocational training for workers.\n\nTraining builds skills of workers.\n\n"
          "Export markets and tariffs.\n\nWorkers learn skills in training."),
    "b": ("Tariffs on exports hurt markets.\n\nExport markets grow.\n\n"
          "Training workers in vocational skills.\n\nMarkets and tariffs on export goods."),
}


def _docs():
    return [Document(id=k, text=t, lang="en", attributes={"year": "2020" if k == "a" else "2021"})
            for k, t in TEXTS.items()]


def _result(tmp_path=None):
    pre = Preprocessor(min_df=1, max_df=1.0, phrases=False)
    model = SeededLDA(CODEBOOK, codes=["mechanism.training", "domain.trade"], n_free_topics=1, passes=10,
                      preprocessor=pre)
    return fit_topics(_docs(), model, unit="paragraph")


def test_fit_topics_units_are_views_and_tables_add_up():
    r = _result()
    assert len(r.units) == 8  # four paragraphs per document
    for s in r.units:
        assert r.documents[s.doc_id].text[s.start:s.end].strip() == r.documents[s.doc_id].text[s.start:s.end]
    dt = r.document_topics()
    assert list(dt.columns[:8]) == ["doc_id", "unit", "segment_index", "start", "end", "speaker", "section", "lang"]
    assert np.allclose(dt[[f"topic_{k}" for k in range(3)]].sum(axis=1), 1.0)
    by = r.by_attribute("year")
    assert sorted(by["value"].unique()) == ["2020", "2021"]
    for value, group in by.groupby("value"):
        assert group["n_units"].iloc[0] == 4
        assert group["weight_sum"].sum() == pytest.approx(4.0)
    with pytest.raises(TopicModelError, match="no document has the attribute 'country'"):
        r.by_attribute("country")
    terms = r.terms(5)
    assert set(terms["rank"]) == {1, 2, 3, 4, 5}
    assert terms[terms["code_id"] == "domain.trade"]["seed"].any()


def test_topic_codings_carry_method_topic_and_code_ids():
    r = _result()
    codings = r.codings(0.5)
    assert len(codings) > 0
    assert {c.provenance.method for c in codings} == {"topic"}
    assert {c.code_id for c in codings} <= {"mechanism.training", "domain.trade", "topic.2"}
    for c in codings:
        assert c.confidence >= 0.5
        seg = next(s for s in r.units if s.doc_id == c.doc_id and s.index == c.segment_index)
        assert (c.start, c.end) == (seg.start, seg.end)
        assert c.provenance.codebook == "mini"
    # the first paragraph of "a" is about training, the third about trade
    first = {c.code_id for c in codings if c.doc_id == "a" and c.segment_index == 0}
    third = {c.code_id for c in codings if c.doc_id == "a" and c.segment_index == 2}
    assert "mechanism.training" in first and "domain.trade" in third
    with pytest.raises(TopicModelError):
        r.codings(0.0)


def test_agreement_with_rule_codings_counted_by_hand():
    from qualcoop.match import apply_codebook

    r = _result()
    rules = apply_codebook(list(r.documents.values()), CODEBOOK, unit="paragraph")
    table = r.agreement(rules, threshold=0.5).set_index("code_id")
    topic = r.codings(0.5)
    for code in ("mechanism.training", "domain.trade"):
        t = {(c.doc_id, c.segment_index) for c in topic if c.code_id == code}
        ru = {(c.doc_id, c.segment_index) for c in rules if c.code_id == code}
        row = table.loc[code]
        assert (row.both, row.topic_only, row.rule_only) == (len(t & ru), len(t - ru), len(ru - t))
        assert row.both + row.topic_only + row.rule_only + row.neither == 8
    # rules: training in a0, a1, a3, b2; trade (export*/market/tariff) in a2, b0, b1, b3
    assert table.loc["mechanism.training"].rule_only + table.loc["mechanism.training"].both == 4
    dis = r.disagreements(rules, threshold=0.5)
    assert len(dis) == int(table["topic_only"].sum() + table["rule_only"].sum())


def test_write_is_byte_identical_run_after_run(tmp_path):
    paths = []
    for run in ("one", "two"):
        r = _result()
        paths.append(r.write(tmp_path / run, top_n=5, threshold=0.4, attributes=["year"]))
    names = sorted(p.relative_to(tmp_path / "one").as_posix() for p in paths[0])
    assert names == sorted(p.relative_to(tmp_path / "two").as_posix() for p in paths[1])
    assert {"topics.csv", "topic_terms.csv", "document_topics.csv", "topic_codings.csv", "coherence.csv",
            "topics_by_year.csv", "summary.json", "model/model.json"} <= set(names)
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


# --------------------------------------------------------------------------- quality


def test_coherence_values_are_in_range():
    m = LDA(2, passes=5, preprocessor=PLAIN).fit(TOY)
    coh = coherence(m, TOY, measures=("c_v", "u_mass", "c_npmi"), top_n=4)
    assert list(coh.columns) == ["topic", "label", "code_id", "c_v", "u_mass", "c_npmi"]
    assert ((coh["c_v"] >= 0) & (coh["c_v"] <= 1)).all()
    assert ((coh["c_npmi"] >= -1) & (coh["c_npmi"] <= 1)).all()
    assert (coh["u_mass"] <= 0).all()
    # the two planted themes are coherent: every top word co-occurs with the others
    assert coh["c_npmi"].mean() > 0.1
    with pytest.raises(TopicModelError, match="unknown coherence"):
        coherence(m, TOY, measures=("c_xyz",))


def test_sweep_reports_each_k():
    frame = sweep(LDA(passes=3, preprocessor=PLAIN), TOY, [2, 3, 4], measures=("c_v", "u_mass"), top_n=4)
    assert frame["value"].tolist() == [2, 3, 4] and frame["n_topics"].tolist() == [2, 3, 4]
    assert list(frame.columns) == ["param", "value", "n_topics", "random_state", "perplexity", "c_v", "u_mass"]
    assert (frame["perplexity"] > 1).all()
    assert frame["perplexity"].max() < len(PLAIN.fit_vocabulary(TOY))  # better than uniform
    seeded = sweep(SeededLDA({"t": ["tariff"]}, passes=2, preprocessor=PLAIN), TOY, [1, 2], measures=())
    assert seeded["param"].tolist() == ["n_free_topics"] * 2 and seeded["n_topics"].tolist() == [2, 3]


def test_stability_across_seeds():
    # top 3 terms: labour/worker/skill and tariff/export/market occur twice as often as the rest of their theme
    frame = stability(LDA(2, passes=10, preprocessor=PLAIN), TOY, random_states=(0, 1, 2), top_n=3)
    assert len(frame) == 3 * 2  # three pairs of seeds, two matched topics each
    assert frame["jaccard"].between(0, 1).all()
    assert frame["jaccard"].mean() == pytest.approx(1.0)  # two clean themes: same top terms for every seed
    with pytest.raises(TopicModelError):
        stability(LDA(2, preprocessor=PLAIN), TOY, random_states=(0,))


# --------------------------------------------------------------------------- CLI


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qualcoop", *args], capture_output=True, text=True, timeout=300)


def test_cli_topics_writes_tables_and_sweep(tmp_path: Path):
    import pandas as pd

    docs = tmp_path / "docs"
    docs.mkdir()
    for k, t in TEXTS.items():
        (docs / f"{k}.txt").write_text(t, encoding="utf-8")
    (docs / "metadata.csv").write_text("file,language,year\na.txt,en,2020\nb.txt,en,2021\n", encoding="utf-8")
    got = run("topics", str(docs), "--k", "2", "--passes", "3", "--min-df", "1", "--max-df", "1.0",
              "--no-phrases", "-o", str(tmp_path / "out"))
    assert got.returncode == 0, got.stderr
    by_year = pd.read_csv(tmp_path / "out" / "topics_by_year.csv")
    assert sorted(by_year["value"].unique()) == [2020, 2021]
    assert pd.read_csv(tmp_path / "out" / "topics.csv")["topic"].tolist() == [0, 1]
    got = run("topics", str(docs), "--sweep", "2:4:2", "--passes", "2", "--min-df", "1", "--max-df", "1.0",
              "-o", str(tmp_path / "sweep"))
    assert got.returncode == 0, got.stderr
    assert pd.read_csv(tmp_path / "sweep" / "sweep.csv")["value"].tolist() == [2, 4]
    bad = run("topics", str(docs), "--sweep", "5:2", "-o", str(tmp_path / "bad"))
    assert bad.returncode == 2
