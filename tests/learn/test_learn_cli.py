"""``qualcoop learn`` from the command line."""

from __future__ import annotations

import zipfile

from typer.testing import CliRunner

from qualcoop.cli.app import app

runner = CliRunner()


def test_learn_prints_and_writes_cv_figures(planted, tmp_path):
    model = tmp_path / "m.qcm"
    report = tmp_path / "cv.csv"
    res = runner.invoke(app, ["learn", str(planted["table"]), "--codebook", str(planted["codebook_path"]),
                              "--min-positives", "5", "-o", str(model), "--report", str(report)])
    assert res.exit_code == 0, res.output
    assert "topic.care" in res.output and "rules+model" in res.output
    assert "micro P" in res.output
    assert zipfile.ZipFile(model).namelist() == ["model.json", "coef.npy", "intercept.npy"]
    text = report.read_text(encoding="utf-8")
    assert text.startswith("code_id,positives,modelled") and "topic.money" in text


def test_learn_names_codes_left_to_the_rules(planted, tmp_path):
    res = runner.invoke(app, ["learn", str(planted["table"]), "--codebook", str(planted["codebook_path"]),
                              "--min-positives", "1000", "-o", str(tmp_path / "m.qcm")])
    assert res.exit_code == 0, res.output
    assert "left to the rules" in res.output and "topic.care" in res.output


def test_learn_bad_input_is_exit_2(planted, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("doc_id,start,end,code_id,coder\nd,0,5,no.such.code,ana\n", encoding="utf-8")
    res = runner.invoke(app, ["learn", str(bad), "--codebook", str(planted["codebook_path"]),
                              "-o", str(tmp_path / "m.qcm")])
    assert res.exit_code == 2
    assert not (tmp_path / "m.qcm").exists()
