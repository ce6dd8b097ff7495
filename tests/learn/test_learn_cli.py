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


def test_unknown_coder_is_exit_2_naming_it(planted, tmp_path):
    for cmd in (["learn", "-o", str(tmp_path / "m.qcm")], ["suggest"]):
        res = runner.invoke(app, [*cmd, str(planted["table"]), "--codebook", str(planted["codebook_path"]),
                                  "--coders", "ana,anna"])
        assert res.exit_code == 2, res.output
        assert "anna" in res.output and "coders here: ana" in res.output
    assert not (tmp_path / "m.qcm").exists()


def test_units_without_a_language_are_named(planted, tmp_path):
    import pandas as pd

    table = tmp_path / "nolang.csv"
    pd.read_csv(planted["table"]).drop(columns=["lang"]).to_csv(table, index=False)
    res = runner.invoke(app, ["learn", str(table), "--codebook", str(planted["codebook_path"]),
                              "--min-positives", "5", "-o", str(tmp_path / "m.qcm")])
    assert res.exit_code == 0, res.output
    assert "have no language" in res.output and "read as 'en'" in res.output
    res = runner.invoke(app, ["learn", str(table), "--codebook", str(planted["codebook_path"]), "--lang", "English",
                              "--min-positives", "5", "-o", str(tmp_path / "m.qcm")])
    assert res.exit_code == 0 and "no language" not in res.output
    res = runner.invoke(app, ["learn", str(planted["table"]), "--codebook", str(planted["codebook_path"]),
                              "--lang", "xx", "-o", str(tmp_path / "m2.qcm")])
    assert res.exit_code == 2 and "xx" in res.output  # refused even where every unit has its language
    assert not (tmp_path / "m2.qcm").exists()


def test_learn_and_suggest_take_a_project_argument(planted, tmp_path):
    from qualcoop import Project
    from qualcoop.model import Document

    import pandas as pd

    frame = pd.read_csv(planted["table"])
    db = tmp_path / "p.qualcoop"
    with Project.open(db) as p:
        for doc_id, rows in frame.groupby("doc_id"):
            text = [" "] * int(rows["end"].max())
            for r in rows.itertuples():
                text[r.start:r.end] = r.text
            p.add_documents([Document(str(doc_id), "".join(text), lang="en")])
        p.add_codings_table(planted["table"], codebook=planted["codebook"])
    by_arg = runner.invoke(app, ["learn", str(db), "--codebook", str(planted["codebook_path"]),
                                 "--min-positives", "5", "-o", str(tmp_path / "a.qcm")])
    by_opt = runner.invoke(app, ["learn", "--project", str(db), "--codebook", str(planted["codebook_path"]),
                                 "--min-positives", "5", "-o", str(tmp_path / "b.qcm")])
    assert by_arg.exit_code == by_opt.exit_code == 0, by_arg.output
    assert (tmp_path / "a.qcm").read_bytes() == (tmp_path / "b.qcm").read_bytes()
    res = runner.invoke(app, ["suggest", str(db), "--codebook", str(planted["codebook_path"])])
    assert res.exit_code == 0, res.output
    assert "clinic" in res.output  # the word people coded as care that no rule lists
