"""Topic models on real text: Indonesia's UN General Debate speeches and Indonesian regulations."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from qualcoop.codebook import load_codebook
from qualcoop.corpus import Corpus
from qualcoop.topics import LDA, Preprocessor, SeededLDA, fit_topics


def _landing(model) -> tuple[float, float]:
    """(share of seed words whose most probable topic is their own, share of seeded topics with a
    seed word among their top 10 terms)."""
    top = model.topic_words(10)
    land, on = [], []
    for k, code in enumerate(model.topic_codes_):
        if code is None:
            continue
        cols = [model.vocabulary_.index[w] for w in model.seed_words_[code]]
        land.extend((model.components_[:, cols].argmax(axis=0) == k).tolist())
        on.append(bool(set(top[k]) & set(model.seed_words_[code])))
    return float(np.mean(land)), float(np.mean(on))


@pytest.mark.slow
def test_ungd_seeded_topics_stay_on_their_seeds(repo):
    docs = list(Corpus.from_paths([repo / "corpora" / "ungd_indonesia"]))
    assert len(docs) == 73
    docs = docs[::2]  # every other session keeps the test near a minute
    cb = load_codebook("international_cooperation")
    codes = ["actor.international_org", "instrument.agreement", "mechanism.dialogue", "mechanism.funding",
             "domain.trade_investment", "outcome.challenge"]
    model = SeededLDA(cb, codes=codes, n_free_topics=4, passes=5, preprocessor=Preprocessor(phrases=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_topics(docs, model, unit="window", segment_options={"size": 150})
    assert model.topic_codes_[:6] == tuple(codes)
    land, on = _landing(model)
    assert land >= 0.7
    assert on == 1.0
    # the trade topic is about trade
    assert {"trade", "economic", "market"} & set(model.topic_words(10)[codes.index("domain.trade_investment")])
    coh = result.coherence(measures=("c_v", "u_mass"))
    assert coh["c_v"].between(0, 1).all() and (coh["u_mass"] <= 0).all()
    by_year = result.by_attribute("year")
    per_year = by_year.groupby("value")[["weight_sum", "n_units"]].agg({"weight_sum": "sum", "n_units": "first"})
    assert np.allclose(per_year["weight_sum"], per_year["n_units"])


@pytest.mark.slow
def test_indonesian_regulations_topics(shared):
    folder = shared / "policy_docs" / "indonesian_regulations"
    files = sorted(p for p in folder.glob("*.md") if not p.name.startswith("README"))
    docs = list(Corpus.from_paths(files))
    assert len(docs) == 4
    pre = Preprocessor(lang="id", normalise="lower", phrases=True)
    model = LDA(6, passes=10, preprocessor=pre)
    result = fit_topics(docs, model, unit="article", lang="id")
    words = {w for topic in model.topic_words(15) for w in topic}
    # the tax-treaty regulation (PMK 112/2025) and the customs one (PMK 99/2025) show up as themes
    assert {"pajak", "bea", "barang"} & words
    assert not words & {"yang", "dan", "dengan", "pasal", "ayat"}  # Indonesian stop words and legal boilerplate
    coh = result.coherence(measures=("c_v", "c_npmi"))
    assert coh["c_v"].between(0, 1).all() and coh["c_npmi"].between(-1, 1).all()
    assert set(result.document_topics()["lang"]) == {"id"}
