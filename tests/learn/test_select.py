"""``qualcoop sheets export --select uncertain|disagree|random --n N``."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from qualcoop.cli.app import app
from qualcoop.errors import AnalysisError
from qualcoop.learn import save_model, train
from qualcoop.learn.select import select_rows

runner = CliRunner()

PARAS = ["A new clinic opened in the district.", "Public health matters to every village.",
         "The budget for the programme was approved.", "The chair thanked the secretariat.",
         "Nurses at the clinic asked for supplies and public health officers came.",
         "The weather was fine.", "A grant for the clinic was approved."]


@pytest.fixture
def sheet_setup(planted, tmp_path):
    model = save_model(train([planted["table"]], codebook=planted["codebook"], min_positives=5), tmp_path / "m.qcm")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("\n\n".join(PARAS) + "\n", encoding="utf-8")
    return {**planted, "model": model, "corpus": corpus}


def _export(s, out, *extra):
    res = runner.invoke(app, ["sheets", "export", str(s["corpus"]), "--coder", "bea", "--codebook",
                              str(s["codebook_path"]), "-o", str(out), *extra])
    assert res.exit_code == 0, res.output
    with out.open(encoding="utf-8") as fh:
        return [r["text"] for r in csv.DictReader(fh)]


def test_select_random_is_seeded_and_keeps_order(sheet_setup, tmp_path):
    a = _export(sheet_setup, tmp_path / "a.csv", "--select", "random", "--n", "3", "--seed", "1")
    b = _export(sheet_setup, tmp_path / "b.csv", "--select", "random", "--n", "3", "--seed", "1")
    assert a == b and len(a) == 3
    assert a == [p for p in PARAS if p in a]


def test_select_uncertain_and_disagree_need_and_use_the_model(sheet_setup, tmp_path):
    res = runner.invoke(app, ["sheets", "export", str(sheet_setup["corpus"]), "--coder", "bea", "--codebook",
                              str(sheet_setup["codebook_path"]), "-o", str(tmp_path / "x.csv"), "--select", "uncertain"])
    assert res.exit_code == 2 and "needs a trained model" in res.output
    dis = _export(sheet_setup, tmp_path / "d.csv", "--select", "disagree", "--n", "2", "--model", str(sheet_setup["model"]))
    assert "A new clinic opened in the district." in dis  # the model codes care, the rules do not
    unc = _export(sheet_setup, tmp_path / "u.csv", "--select", "uncertain", "--n", "2", "--model", str(sheet_setup["model"]))
    assert len(unc) == 2


def test_select_rows_errors():
    with pytest.raises(AnalysisError, match="unknown selection"):
        select_rows([{"doc_id": "d", "text": "x"}] * 3, how="best", n=1)
    with pytest.raises(AnalysisError, match="at least 1"):
        select_rows([{"doc_id": "d", "text": "x"}] * 3, how="random", n=0)


@pytest.mark.parametrize("extra, said", [
    (["--n", "3"], "--n applies to --select"),
    (["--select", "uncertain", "--seed", "2"], "--seed applies to --select random"),
    (["--select", "random", "--model", "MODEL"], "--model applies to --select uncertain or disagree"),
    (["--model", "MODEL"], "--model applies to --select uncertain or disagree"),
])
def test_options_without_their_select_are_refused(sheet_setup, tmp_path, extra, said):
    out = tmp_path / "x.csv"
    extra = [str(sheet_setup["model"]) if e == "MODEL" else e for e in extra]
    res = runner.invoke(app, ["sheets", "export", str(sheet_setup["corpus"]), "--coder", "bea", "--codebook",
                              str(sheet_setup["codebook_path"]), "-o", str(out), *extra])
    assert res.exit_code == 2 and said in res.output
    assert not out.exists()
