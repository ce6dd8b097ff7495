"""Benchmark: qualcoop's default LDA against plain gensim LdaModel and scikit-learn LDA.

All three fit the same tokenised corpus in one run: Indonesia's UN General Debate
speeches (corpora/ungd_indonesia) as 150-word windows (the speeches are hard-wrapped,
so most have no blank-line paragraphs: a paragraph is often a whole speech), tokenised
once with qualcoop's Preprocessor. Vocabulary: min_df=2, max_df=0.5 for all three.
Reported: median wall time over --repeats runs of building the vocabulary + fitting,
c_v and u_mass coherence of the top 10 terms (gensim CoherenceModel, same texts), and
the overhead ratio ours / plain gensim (target <= 1.10).

    .venv/bin/python benchmarks/bench_topics.py [--k 10] [--passes 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def tokenised_corpus(size: int) -> list[list[str]]:
    from qualcoop.corpus import Corpus
    from qualcoop.segment import segment
    from qualcoop.topics import Preprocessor

    pre = Preprocessor()
    out = []
    for doc in Corpus.from_paths([REPO / "corpora" / "ungd_indonesia"]):
        for s in segment(doc, "window", size=size):
            toks = pre.tokens(doc.text[s.start:s.end], doc.lang or "en")
            if toks:
                out.append(toks)
    return out


def coherence_of(topics: list[list[str]], texts: list[list[str]]) -> dict[str, float]:
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    d = Dictionary(texts)
    return {m: float(CoherenceModel(topics=topics, texts=texts, dictionary=d, coherence=m, topn=10,
                                    processes=1).get_coherence()) for m in ("c_v", "u_mass")}


def run_ours(tokens, k, passes):
    from qualcoop.topics import LDA, Preprocessor

    t = time.perf_counter()
    model = LDA(k, passes=passes, random_state=0, preprocessor=Preprocessor(min_df=2, max_df=0.5)).fit(tokens)
    dt = time.perf_counter() - t
    texts = [model.vocabulary_.apply(x) for x in tokens]
    return dt, model.topic_words(10), texts


def run_gensim(tokens, k, passes):
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    t = time.perf_counter()
    d = Dictionary(tokens)
    d.filter_extremes(no_below=2, no_above=0.5, keep_n=None)
    bows = [d.doc2bow(x) for x in tokens]
    model = LdaModel(bows, id2word=d, num_topics=k, passes=passes, random_state=0, eval_every=None)
    dt = time.perf_counter() - t
    topics = [[d[i] for i, _ in model.get_topic_terms(j, 10)] for j in range(k)]
    return dt, topics


def run_sklearn(tokens, k, passes, method):
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    t = time.perf_counter()
    vec = CountVectorizer(analyzer=lambda x: x, min_df=2, max_df=0.5)
    X = vec.fit_transform(tokens)
    model = LatentDirichletAllocation(n_components=k, max_iter=passes, learning_method=method, random_state=0,
                                      n_jobs=1).fit(X)
    dt = time.perf_counter() - t
    names = vec.get_feature_names_out()
    topics = [[names[j] for j in np.argsort(-row)[:10]] for row in model.components_]
    return dt, topics


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--passes", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--window", type=int, default=150)
    args = ap.parse_args()

    t = time.perf_counter()
    tokens = tokenised_corpus(args.window)
    print(f"corpus: {len(tokens)} windows of {args.window} words, {sum(map(len, tokens))} tokens "
          f"(tokenised in {time.perf_counter() - t:.1f} s); K={args.k}, passes/max_iter={args.passes}")
    # warm imports so the first timed run does not pay them
    run_gensim(tokens[:50], 2, 1)
    run_ours(tokens[:50], 2, 1)
    run_sklearn(tokens[:50], 2, 1, "batch")

    times: dict[str, list[float]] = {"qualcoop LDA": [], "gensim LdaModel": [], "sklearn LDA batch": [],
                                     "sklearn LDA online": []}
    topics: dict[str, list[list[str]]] = {}
    texts = None
    for _ in range(args.repeats):
        # alternate the order so drift on a shared machine hits both alike
        dt, topics["gensim LdaModel"] = run_gensim(tokens, args.k, args.passes)
        times["gensim LdaModel"].append(dt)
        dt, topics["qualcoop LDA"], texts = run_ours(tokens, args.k, args.passes)
        times["qualcoop LDA"].append(dt)
    for method in ("batch", "online"):
        dt, topics[f"sklearn LDA {method}"] = run_sklearn(tokens, args.k, args.passes, method)
        times[f"sklearn LDA {method}"].append(dt)

    print(f"{'model':<22}{'seconds (median)':>18}{'c_v':>8}{'u_mass':>9}")
    for name, ts in times.items():
        coh = coherence_of(topics[name], texts)
        print(f"{name:<22}{statistics.median(ts):>18.2f}{coh['c_v']:>8.3f}{coh['u_mass']:>9.3f}")
    ratio = statistics.median(times["qualcoop LDA"]) / statistics.median(times["gensim LdaModel"])
    same = sorted(map(sorted, topics["qualcoop LDA"])) == sorted(map(sorted, topics["gensim LdaModel"]))
    print(f"overhead qualcoop / plain gensim: {ratio:.3f} (target <= 1.10); same top terms: {same} "
          "(qualcoop numbers terms alphabetically, gensim's Dictionary by first sight, so the random start "
          "differs; with the same numbering the topics are identical: tests/topics/test_topics.py)")


if __name__ == "__main__":
    main()
