"""The analysis views on the bundled SCORE Bali corpus, checked against counts made independently
in the test (regular expressions over the same paragraphs), and the CLI commands end to end."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from qualcoop.analysis import code_frequencies, kwic, matrix_coding, read_coded_table
from qualcoop.corpus import Corpus
from qualcoop.match import apply_codebook
from qualcoop.model import Code, Codebook, Rule
from qualcoop.segment import segment

FILES = ("seed_abstract_en.md", "seed_abstract_id.md", "interview_ilo_trainer_en.txt",
         "wawancara_ukm_gianyar_id.txt")
TERMS = {"org.ilo": ["ILO"], "mech.training": ["training", "pelatihan"]}


def _codebook() -> Codebook:
    return Codebook(name="mini", version="1", languages=("en", "id"), codes=(
        Code(id="org", name="Organisations"),
        Code(id="org.ilo", name="ILO", parent="org",
             rules=(Rule(id="acr", kind="phrase", terms=("ILO",), case_sensitive=True, code_id="org.ilo"),)),
        Code(id="mech", name="Mechanisms"),
        Code(id="mech.training", name="Training", parent="mech",
             rules=(Rule(id="terms", kind="phrase", terms=("training", "pelatihan"), code_id="mech.training"),)),
    ))


@pytest.fixture(scope="module")
def coded(repo):
    docs = list(Corpus.from_paths([repo / "corpora" / "score_bali" / f for f in FILES]))
    assert len(docs) == 4
    return docs, apply_codebook(docs, _codebook(), unit="paragraph")


def _expected(docs, code_id):
    """Paragraphs (doc id, index) whose text holds one of the code's terms as a whole word."""
    flags = 0 if code_id == "org.ilo" else re.IGNORECASE
    pat = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, TERMS[code_id])) + r")(?!\w)", flags)
    return {(d.id, s.index) for d in docs for s in segment(d, "paragraph") if pat.search(d.text[s.start:s.end])}


def test_frequencies_match_an_independent_count(coded):
    docs, cs = coded
    f = code_frequencies(cs, negated="include").set_index("code_id")  # the count below ignores negation
    for code_id in TERMS:
        want = _expected(docs, code_id)
        assert len(want) > 3
        assert f.loc[code_id, "segments"] == len(want)
        assert f.loc[code_id, "documents"] == len({d for d, _ in want})
    # the parent is the union of its one child
    assert f.loc["org", "segments"] == f.loc["org.ilo", "segments"]


def test_split_by_language_and_type(coded):
    docs, cs = coded
    lang_of = {d.id: d.attributes.get("language") for d in docs}
    want = _expected(docs, "mech.training")
    f = code_frequencies(cs, by="language", include_empty=False, negated="include").set_index(["language", "code_id"])
    for lang in ("en", "id"):
        assert f.loc[(lang, "mech.training"), "segments"] == len({w for w in want if lang_of[w[0]] == lang})
    m = matrix_coding(cs, "type", negated="include")
    cell = m[(m["code_id"] == "org.ilo") & (m["value"] == "interview")].iloc[0]
    type_of = {d.id: d.attributes.get("type") for d in docs}
    assert cell.segments == len({w for w in _expected(docs, "org.ilo") if type_of[w[0]] == "interview"})


def test_kwic_counts_every_occurrence(coded):
    docs, _ = coded
    k = kwic(docs, "pelatihan", window=3)
    assert len(k) == sum(len(re.findall(r"(?<!\w)pelatihan(?!\w)", d.text, re.IGNORECASE)) for d in docs) > 0
    assert all(docs_by_id(docs)[r.doc_id].text[r.start:r.end].lower() == "pelatihan" for r in k.itertuples())


def docs_by_id(docs):
    return {d.id: d for d in docs}


def test_cli_code_then_stats_report_kwic(repo, tmp_path, monkeypatch, coded):
    from qualcoop.cli.app import app

    docs, _ = coded
    monkeypatch.chdir(repo)
    runner = CliRunner()
    files = [f"corpora/score_bali/{f}" for f in FILES]
    table = tmp_path / "coded.csv"
    res = runner.invoke(app, ["code", *files, "-c", "international_cooperation", "-o", str(table)])
    assert res.exit_code == 0, res.output
    cs = read_coded_table(table)
    assert len(cs) > 20 and len(cs.documents) == 4
    # the coded table round-trips: re-extracted texts hold the coded text at the same offsets
    full = {d.id: d for d in docs}
    for c in cs:
        assert full[c.doc_id].text[c.start:c.end] == cs.documents[c.doc_id].text[c.start:c.end]

    out_csv = tmp_path / "freq.csv"
    res = runner.invoke(app, ["stats", str(table), "--by", "language", "-o", str(out_csv)])
    assert res.exit_code == 0, res.output
    import pandas as pd

    freq = pd.read_csv(out_csv)
    assert set(freq["language"]) == {"en", "id"}  # attributes came from the metadata sidecar
    per_code = freq.groupby("code_id")["codings"].sum()
    direct = code_frequencies(cs)
    assert per_code.reindex(direct["code_id"]).tolist() == direct["codings"].tolist()

    res = runner.invoke(app, ["stats", str(table), "--cooccurrence", "-o", str(tmp_path / "co.graphml")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "co.graphml").read_bytes().startswith(b"<?xml")

    report = tmp_path / "report.html"
    res = runner.invoke(app, ["report", str(table), "--by", "type", "-o", str(report), "--plots", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    html = report.read_text(encoding="utf-8")
    assert html.count("<section class='doc'") == 4
    assert "only the coded passages" not in html.lower()  # full texts were re-extracted
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [
        "cooccurrence.png", "frequencies.png", "frequencies_by_type.png", "matrix_type.png"]

    res = runner.invoke(app, ["kwic", *files, "--term", "pelatihan", "-o", str(tmp_path / "k.csv")])
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(tmp_path / "k.csv")) == len(kwic(docs, "pelatihan"))

    res = runner.invoke(app, ["stats", str(table), "--by", "tipe"])
    assert res.exit_code == 2 and "tipe" in res.output
