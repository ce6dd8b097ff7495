"""Issue 13 item 12: seeded topics on small or mixed corpora. Colloquial Indonesian stop words,
weak seeded topics labelled as such, a warning when the corpus is too small for K, and
multi-word names kept whole ("united_nations", never "unite_nation")."""

from __future__ import annotations

import random
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from qualcoop.errors import TopicWarning
from qualcoop.model import Document
from qualcoop.topics import LDA, Preprocessor, SeededLDA, fit_topics
from qualcoop.topics.results import corpus_size_problem

CHATTER = ("gitu kayak tuh udah banget nggak sih kok deh dong aja emang terus pokoknya kalo gimana "
           "yah iya nih lho kan").split()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_colloquial_indonesian_are_stop_words(lang):
    pre = Preprocessor(lang=lang)
    assert pre.tokens(" ".join(CHATTER), lang) == []
    assert pre.tokens("ya gitu, pelatihan ekspor udah banget", "id") == ["latih", "ekspor"]


def test_multi_word_names_are_not_lemmatised():
    pre = Preprocessor(lang="en", phrases=True, phrase_min_count=2, phrase_threshold=0.1, min_df=1, max_df=1.0)
    texts = ["The United Nations supports labour rights.", "Members of the United Nations met in 2019.",
             "The United Nations and the International Labour Organization signed it.",
             "Workers were united in their demands for training."] * 3
    tokens = [pre.tokens(t) for t in texts]
    assert tokens[0][:2] == ["united", "nations"]
    assert "unite" in tokens[3]  # an ordinary verb is still lemmatised
    vocab = pre.fit_vocabulary(tokens)
    assert "united_nations" in vocab.terms
    assert not any(t.startswith("unite_") or t.endswith("_nation") for t in vocab.terms)
    # sentence-initial capitals alone are not names: "The Parties" -> party
    assert pre.tokens("The Parties shall cooperate.") == ["party", "cooperate"]
    # a seed term written as a name matches the text's form
    assert pre.term_tokens("United Nations") == ["united", "nations"]


def _noise_docs(n: int, seed_docs: int) -> list[Document]:
    rng = random.Random(7)
    words = ("pasar makan film musik teman kampus warung jalan motor hujan pantai kopi buku kelas rumah "
             "kucing anjing sepeda kereta bioskop game lagu konser sekolah dosen tugas").split()
    docs = []
    for i in range(n):
        body = " ".join(rng.choice(words) for _ in range(25))
        if i < seed_docs:
            body += " ekspor"
        docs.append(Document(f"n{i:02d}", f"gitu kayak {body} udah banget", lang="id"))
    return docs


def _fit(docs, seeds, n_free_topics=3, **kw):
    pre = Preprocessor(lang="id", min_df=2, max_df=0.95)
    model = SeededLDA(seeds, n_free_topics=n_free_topics, passes=10, random_state=0, preprocessor=pre, **kw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit_topics(docs, model, unit="document")
    return model, [str(w.message) for w in caught]


def test_seeded_topic_on_noise_is_labelled_weak():
    """Few topics on chatter: the seeded topic must take its share of the noise, and its two
    occurrences of "ekspor" carry almost none of its weight."""
    model, messages = _fit(_noise_docs(60, 2), {"domain.trade": ["ekspor", "impor", "perdagangan"]},
                           n_free_topics=1)
    assert model.topic_codes_[0] == "domain.trade"
    assert model.seed_share_[0] is not None
    assert model.weak_codes_ == ("domain.trade",)
    assert model.topic_labels_[0].startswith("domain.trade (weak): ")
    assert any("weak" in m and "domain.trade" in m for m in messages)
    assert not any("gitu" in label or "kayak" in label for label in model.topic_labels_)


def test_seeded_topic_that_gathers_its_seeds_is_not_weak():
    rng = random.Random(3)
    trade = "ekspor impor perdagangan tarif pasar bea cukai investasi".split()
    other = "film musik teman kampus kopi buku kelas rumah konser lagu".split()
    docs = [Document(f"d{i:02d}", " ".join(rng.choice(trade if i % 2 else other) for _ in range(30)), lang="id")
            for i in range(60)]
    model, _ = _fit(docs, {"domain.trade": ["ekspor", "impor", "perdagangan"]})
    assert model.weak_codes_ == ()
    assert model.topic_labels_[0].startswith("domain.trade: ")
    assert model.seed_share_[0] > 0.2


def test_small_corpus_for_k_is_warned():
    docs = [Document(f"d{i}", "training of labour inspectors and funding of the ministry programme", lang="en")
            for i in range(6)]
    with pytest.warns(TopicWarning, match="too few for 10 topics"):
        fit_topics(docs, LDA(n_topics=10, passes=2, preprocessor=Preprocessor(min_df=1, max_df=1.0)),
                   unit="document")
    assert corpus_size_problem(5000, 20000, 10) is None
    assert "--k 2 or less" in corpus_size_problem(12, 400, 10)


def test_cli_warns_on_small_corpus(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(3):
        (folder / f"d{i}.txt").write_text(
            "Training of labour inspectors.\n\nFunding for the ministry programme.\n\nTrade and export.\n",
            encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "qualcoop", "topics", str(folder), "-o", str(tmp_path / "out"),
                        "--k", "8", "--min-df", "1", "--max-df", "1.0", "--passes", "2"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "too few for 8 topics" in " ".join(r.stderr.split())
