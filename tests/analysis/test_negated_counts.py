"""Negated codings are kept apart from positive ones (issue 13.8), and counts can be normalised (13.9)."""

from __future__ import annotations

import pytest

from qualcoop.analysis import code_frequencies, exemplars, matrix_coding
from qualcoop.lang.negation import is_negated
from qualcoop.match import apply_codebook
from qualcoop.model import Code, Codebook, Document, Rule, Segment

from match.helpers_match import code_text, one_code

CB = Codebook("t", "1", [
    Code("training", "Training", rules=[Rule("en", "phrase", terms=("training",))]),
    Code("funding", "Funding", rules=[Rule("en", "phrase", terms=("funding",))]),
], languages=("en",))


def _coded(*docs: tuple[str, str, dict]):
    documents = [Document(i, t, lang="en", attributes=a) for i, t, a in docs]
    return apply_codebook(documents, CB, unit="paragraph")


@pytest.mark.parametrize("text,lang", [
    ("The training never happened.", "en"),
    ("There was nothing like training here.", "en"),
    ("We no longer get funding.", "en"),
    ("None of the funding arrived.", "en"),
    ("The training was no longer offered.", "en"),
    ("Pelatihan tidak pernah ada.", "id"),
    ("Kami tak pernah dapat pelatihan.", "id"),
    ("Pelatihan belum pernah diadakan.", "id"),
])
def test_new_negation_cues(text, lang):
    term = "pelatihan" if lang == "id" else ("training" if "training" in text else "funding")
    cb = one_code(Rule("r", "phrase", terms=(term,), lang=lang))
    got = code_text(cb, text, lang=lang)
    assert got["c"] and all(neg for _, neg, _ in got["c"]), got


def test_post_cue_stops_at_a_clause_boundary():
    tokens = ["training", ",", "we", "never", "met"]
    assert not is_negated(tokens, 0, lang="en")


def test_frequencies_and_matrix_leave_negated_codings_out_by_default():
    cs = _coded(("a", "The training was useful.\n\nNo training happened.\n\nThe training never happened.",
                 {"type": "report"}),
                ("b", "Funding came from Japan.", {"type": "interview"}))
    freq = code_frequencies(cs).set_index("code_id")
    assert freq.loc["training", "codings"] == 1  # was 3
    assert freq.loc["training", "negated_codings"] == 2
    assert freq.loc["training", "documents"] == 1
    assert code_frequencies(cs, negated="include").set_index("code_id").loc["training", "codings"] == 3
    assert code_frequencies(cs, negated="only").set_index("code_id").loc["training", "codings"] == 2
    m = matrix_coding(cs, "type").set_index(["code_id", "value"])
    assert m.loc[("training", "report"), "codings"] == 1
    assert set(m.index.get_level_values("value")) == {"report", "interview"}


def test_exemplars_never_quote_negated_or_greeting_passages():
    cs = _coded(("a", "Thanks, training!\n\nThere was no training, no funding at all for the cooperatives of "
                      "the village.\n\nThe training for the women's cooperative in Gianyar ran over three weeks "
                      "and covered bookkeeping.", {}))
    ex = exemplars(cs, per_code=3)
    texts = list(ex[ex.code_id == "training"]["text"])
    assert texts[0].startswith("The training for the women")  # substantive first
    assert not any("no training" in t for t in texts)  # never a negated coding
    assert list(ex[ex.code_id == "funding"]["text"]) == []


def test_normalised_frequencies_per_1000_words_and_share_of_all_segments():
    small = "Training here.\n\nNothing."  # 3 words, 1 coding
    big = " ".join(["word"] * 997) + " training.\n\nTraining again."  # 1000 words, 2 codings
    cs = _coded(("s", small, {"type": "small"}), ("b", big, {"type": "big"}))
    freq = code_frequencies(cs, by="type", total_segments={"s": 2, "b": 2}).set_index(["type", "code_id"])
    assert freq.loc[("small", "training"), "per_1000_words"] == pytest.approx(1000 / 3)
    assert freq.loc[("big", "training"), "per_1000_words"] == pytest.approx(2.0)
    assert freq.loc[("small", "training"), "share_of_all_segments"] == pytest.approx(0.5)
    assert freq.loc[("big", "training"), "share_of_all_segments"] == pytest.approx(1.0)


def test_near_does_not_join_terms_across_sentences():
    near = Rule("n", "near", groups=(("agreement",), ("programme",)), window=10)
    text = "They signed the agreement. The programme starts soon."
    assert code_text(one_code(near), text) == {}
    assert code_text(one_code(near), "The agreement sets up a programme.")["c"]
    crossing = Rule("n", "near", groups=(("agreement",), ("programme",)), window=10, cross_sentences=True)
    assert code_text(one_code(crossing), text)["c"]
    assert code_text(one_code(near), "Mr. Agreement met the programme.")  # an abbreviation is no boundary


def test_grouped_plot_shows_the_normalised_figure():
    from qualcoop.export.plots import plot_code_frequencies

    small = "Training here.\n\nNothing."
    big = " ".join(["word"] * 997) + " training.\n\nTraining again."
    cs = _coded(("s", small, {"type": "small"}), ("b", big, {"type": "big"}))
    fig = plot_code_frequencies(code_frequencies(cs, by="type"), by="type")
    assert fig.axes[0].get_xlabel() == "per 1000 words"
    assert plot_code_frequencies(code_frequencies(cs)).axes[0].get_xlabel() == "segments"


def test_code_summary_counts_negated_codings_apart(tmp_path):
    import subprocess
    import sys

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Training was good.\n\nThe training never happened.\n\nNo training.\n",
                                encoding="utf-8")
    cb = tmp_path / "cb.yaml"
    cb.write_text("name: t\nversion: '1'\nlanguages: [en]\ncodes:\n  - id: training\n    name: Training\n"
                  "    rules:\n      - {id: en, kind: phrase, terms: [training]}\n", encoding="utf-8")
    got = subprocess.run([sys.executable, "-m", "qualcoop", "code", str(docs), "-c", str(cb), "--lang", "en"],
                         capture_output=True, text=True, timeout=300, env={**__import__("os").environ,
                                                                            "COLUMNS": "120"})
    assert got.returncode == 0, got.stderr
    (row,) = [ln for ln in got.stdout.splitlines() if "training" in ln and "Training" in ln]
    assert [int(x) for x in row.replace("│", " ").split() if x.isdigit()] == [1, 1, 2]


def test_cli_stats_normalises_with_the_corpus_and_separates_negated(tmp_path):
    import os
    import subprocess
    import sys

    import pandas as pd

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Training was good.\n\nNo training at all.\n\nOther words here.\n", encoding="utf-8")
    (docs / "b.txt").write_text(" ".join(["word"] * 96) + " training.\n", encoding="utf-8")
    (docs / "metadata.csv").write_text("file,type,language\na.txt,small,en\nb.txt,big,en\n", encoding="utf-8")
    cb = tmp_path / "cb.yaml"
    cb.write_text("name: t\nversion: '1'\nlanguages: [en]\ncodes:\n  - id: training\n    name: Training\n"
                  "    rules:\n      - {id: en, kind: phrase, terms: [training]}\n", encoding="utf-8")
    env = {**os.environ, "COLUMNS": "200"}

    def q(*args):
        return subprocess.run([sys.executable, "-m", "qualcoop", *args], capture_output=True, text=True,
                              timeout=300, env=env)

    table = tmp_path / "coded.csv"
    assert q("code", str(docs), "-c", str(cb), "-o", str(table)).returncode == 0
    out = tmp_path / "freq.csv"
    got = q("stats", str(table), "--by", "type", "--corpus", str(docs), "-o", str(out))
    assert got.returncode == 0, got.stderr
    assert "per 1k words" in got.stdout
    f = pd.read_csv(out).set_index(["type", "code_id"])
    assert f.loc[("small", "training"), "codings"] == 1 and f.loc[("small", "training"), "negated_codings"] == 1
    assert f.loc[("small", "training"), "per_1000_words"] == pytest.approx(1000 / 10)
    assert f.loc[("small", "training"), "share_of_all_segments"] == pytest.approx(1 / 3)
    assert f.loc[("big", "training"), "per_1000_words"] == pytest.approx(1000 / 97)
    got = q("stats", str(table), "--negated", "maybe")
    assert got.returncode == 2 and "negated must be one of" in got.stderr


def test_report_opens_with_results_and_counts_negated_apart(tmp_path):
    from qualcoop.export.report import render_report

    cs = _coded(("a", "The training was useful for the cooperative members.\n\nNo training happened.", {}))
    html = render_report(cs)
    order = [html.index(f"<section id='{s}'>") for s in ("frequencies", "exemplars", "codebook", "documents")]
    assert order == sorted(order)  # results first, codebook after
    assert "codings per 1,000 words" in html and "<th>negated</th>" in html
    quotes = html[html.index("<section id='exemplars'>"):html.index("<section id='cooccurrence'>")]
    assert "No training happened." not in quotes
