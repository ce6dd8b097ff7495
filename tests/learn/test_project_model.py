"""``--model`` into a project: ``qualcoop project code`` / ``batch --project`` and ``Project.code(model=...)``
store the trained coder's codings (method, confidence, top features) as ``code --model`` writes them."""

from __future__ import annotations

import csv
import sqlite3

import pytest
from typer.testing import CliRunner

from qualcoop import Project
from qualcoop.cli.app import app
from qualcoop.errors import ModelCodebookError
from qualcoop.learn import train

runner = CliRunner()



def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def _rows(db):
    """The stored codings, straight from the SQLite file (not through qualcoop)."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(
            "SELECT c.doc_id, c.start, c.\"end\", c.code_id, c.coder, c.method, c.confidence, c.details, "
            "c.evidence, c.run_id, d.text FROM codings c JOIN documents d ON d.id = c.doc_id "
            "ORDER BY c.doc_id, c.start, c.code_id, c.run_id")]
    finally:
        con.close()


def _para(row):
    return row["text"][row["start"]:row["end"]]


def _check_model_rows(rows):
    clinic = [r for r in rows if _para(r).startswith("A new clinic")]
    assert len(clinic) == 2 and {r["code_id"] for r in clinic} == {"topic.care"}
    for r in clinic:  # no rule speaks of clinics: the model's coding, with its confidence and top features
        assert r["method"] == "model" and 0.5 < r["confidence"] <= 1.0
        assert "t:clinic" in r["details"] and r["evidence"] == "[]"
    health = [r for r in rows if _para(r).startswith("Public health")]
    assert {r["method"] for r in health} == {"rule+model"} and all(r["confidence"] > 0.5 for r in health)
    assert all(r["evidence"] != "[]" for r in health)  # the rule's evidence is kept
    assert not [r for r in rows if _para(r).startswith("The chair")]
    assert {r["method"] for r in rows} <= {"rule", "model", "rule+model"}


@pytest.mark.parametrize("how", ["project code", "project code PATHS", "batch --project"])
def test_project_with_model_stores_model_codings(modelled, tmp_path, how):
    db = tmp_path / "p.qualcoop"
    cb, model, corpus = modelled["codebook_path"], modelled["model"], modelled["corpus"]
    if how == "project code":
        assert _invoke("project", "init", db).exit_code == 0
        assert _invoke("project", "add", db, corpus, "--lang", "en").exit_code == 0
        res = _invoke("project", "code", db, "--codebook", cb, "--lang", "en", "-q", "--model", model)
    elif how == "project code PATHS":
        assert _invoke("project", "init", db).exit_code == 0
        res = _invoke("project", "code", db, corpus, "--codebook", cb, "--lang", "en", "-q", "--model", model)
    else:
        res = _invoke("batch", corpus, "--codebook", cb, "--lang", "en", "-q", "--project", db, "--model", model)
    assert res.exit_code == 0, res.output
    _check_model_rows(_rows(db))
    # the machine coder stays a machine coder; the run records which model it used
    con = sqlite3.connect(db)
    assert con.execute("SELECT kind FROM coders WHERE name = 'qualcoop'").fetchall() == [("machine",)]
    settings = con.execute("SELECT settings FROM runs WHERE command != 'project add'").fetchall()
    con.close()
    assert settings and all('"fingerprint"' in s for (s,) in settings)


def test_project_export_has_the_model_columns(modelled, tmp_path):
    db = tmp_path / "p.qualcoop"
    res = _invoke("batch", modelled["corpus"], "--codebook", modelled["codebook_path"], "--lang", "en", "-q",
                  "--project", db, "--model", modelled["model"])
    assert res.exit_code == 0, res.output
    assert _invoke("project", "export", db, tmp_path / "out.csv").exit_code == 0
    res = _invoke("code", modelled["corpus"], "--codebook", modelled["codebook_path"], "--lang", "en", "-q",
                  "--model", modelled["model"], "-o", tmp_path / "code.csv")
    assert res.exit_code == 0, res.output
    cols = ("doc_id", "start", "end", "code_id", "method", "confidence", "model_features")

    def read(p):
        with p.open(encoding="utf-8") as fh:
            return sorted(tuple(r[c] for c in cols) for r in csv.DictReader(fh))

    exported, coded = read(tmp_path / "out.csv"), read(tmp_path / "code.csv")
    assert exported == coded  # the store holds what `code --model` writes


def test_without_model_nothing_changes(modelled, tmp_path):
    db = tmp_path / "p.qualcoop"
    assert _invoke("project", "init", db).exit_code == 0
    res = _invoke("project", "code", db, modelled["corpus"], "--codebook", modelled["codebook_path"], "--lang", "en", "-q")
    assert res.exit_code == 0, res.output
    rows = _rows(db)
    assert rows and {r["method"] for r in rows} == {"rule"} and {r["confidence"] for r in rows} == {None}
    assert {r["details"] for r in rows} == {"{}"}
    assert not [r for r in rows if _para(r).startswith("A new clinic")]
    assert _invoke("project", "export", db, tmp_path / "out.csv").exit_code == 0
    with (tmp_path / "out.csv").open(encoding="utf-8") as fh:
        assert "confidence" not in next(csv.reader(fh))


def test_model_for_another_codebook_version_is_refused(modelled, tmp_path):
    db = tmp_path / "p.qualcoop"
    assert _invoke("project", "init", db).exit_code == 0
    assert _invoke("project", "add", db, modelled["corpus"], "--lang", "en").exit_code == 0
    before = _rows(db)
    for args in (("project", "code", db, "--codebook", modelled["codebook_v2_path"]),
                 ("project", "code", db, modelled["corpus"], "--codebook", modelled["codebook_v2_path"]),
                 ("batch", modelled["corpus"], "--codebook", modelled["codebook_v2_path"], "--project", db)):
        res = _invoke(*args, "--model", modelled["model"], "-q")
        assert res.exit_code == 2, res.output
        assert "made for codebook planted version 1, not planted version 2" in " ".join(res.output.split())
    assert _rows(db) == before == []
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM runs WHERE command != 'project add'").fetchone() == (0,)
    con.close()
    with Project.open(db) as p, pytest.raises(ModelCodebookError):
        p.code(modelled["codebook_v2"], model=modelled["model"])


def test_same_inputs_same_stored_codings_and_resume(modelled, tmp_path):
    def run(db, *extra):
        res = _invoke("batch", modelled["corpus"], "--codebook", modelled["codebook_path"], "--lang", "en", "-q",
                      "--project", db, "--model", modelled["model"], *extra)
        assert res.exit_code == 0, res.output
        return res

    run(tmp_path / "one.qualcoop")
    run(tmp_path / "two.qualcoop", "--workers", "2")
    one, two = _rows(tmp_path / "one.qualcoop"), _rows(tmp_path / "two.qualcoop")
    assert one == two and one
    # API, project documents: the same codings as the batch (same run key, same rows)
    with Project.open(tmp_path / "api.qualcoop") as p:
        p.add_files([modelled["corpus"]])
        r = p.code(modelled["codebook"], lang="en", model=modelled["model"])
        assert r.coded == 2
    api = _rows(tmp_path / "api.qualcoop")

    def strip(rows):  # a rule coding's details differ between the two paths (rule kinds), as without a model
        return [(x["doc_id"], x["start"], x["end"], x["code_id"], x["method"], x["confidence"], x["evidence"],
                 x["details"] if x["method"] == "model" else "") for x in rows]

    assert strip(api) == strip(one)
    # a rerun with the same model does nothing
    res = run(tmp_path / "one.qualcoop")
    assert "0 document(s) coded" in res.output and "2 already coded" in res.output
    assert _rows(tmp_path / "one.qualcoop") == one


def test_another_model_or_threshold_is_another_run(modelled, tmp_path):
    db = tmp_path / "p.qualcoop"
    with Project.open(db) as p:
        p.add_files([modelled["corpus"]])
        first = p.code(modelled["codebook"], lang="en", model=modelled["model"])
        again = p.code(modelled["codebook"], lang="en", model=modelled["model"])
        assert (first.coded, again.coded, again.skipped) == (2, 0, 2) and first.key == again.key
        other = p.code(modelled["codebook"], lang="en", model=modelled["model"], model_threshold=0.0)
        plain = p.code(modelled["codebook"], lang="en")
        assert other.coded == plain.coded == 2
        assert len({first.key, other.key, plain.key}) == 3  # never silently mixed: each its own run_id
    rows = _rows(db)
    by_run = {}
    for r in rows:
        by_run.setdefault(r["run_id"], []).append(r)
    assert set(by_run) == {first.key, other.key, plain.key}
    assert {r["method"] for r in by_run[plain.key]} == {"rule"}
    assert len(by_run[other.key]) > len(by_run[first.key])  # threshold 0: every modelled code everywhere


def test_model_fingerprint_survives_the_model_file(modelled):
    from qualcoop.learn import load_model

    learner = train([modelled["table"]], codebook=modelled["codebook"], min_positives=5)
    loaded = load_model(modelled["model"], modelled["codebook"])
    assert learner.fingerprint() == loaded.fingerprint()  # a learner in memory and its file: the same run key
    other = train([modelled["table"]], codebook=modelled["codebook"], min_positives=5, C=0.1)
    assert other.data_hash_ == learner.data_hash_ and other.fingerprint() != learner.fingerprint()


def test_project_code_model_threshold(modelled, tmp_path):
    db = tmp_path / "p.qualcoop"
    assert _invoke("project", "init", db).exit_code == 0
    res = _invoke("project", "code", db, modelled["corpus"], "--codebook", modelled["codebook_path"], "-q",
                  "--model-threshold", "0.5")
    assert res.exit_code == 2 and "--model-threshold needs --model" in res.output
    res = _invoke("project", "code", db, modelled["corpus"], "--codebook", modelled["codebook_path"], "-q",
                  "--model", modelled["model"], "--model-threshold", "1.5")
    assert res.exit_code == 2 and "between 0 and 1" in res.output
    assert _rows(db) == []
    res = _invoke("project", "code", db, modelled["corpus"], "--codebook", modelled["codebook_path"], "--lang", "en", "-q",
                  "--model", modelled["model"], "--model-threshold", "0")
    assert res.exit_code == 0, res.output
    chair = {r["code_id"]: r["method"] for r in _rows(db) if _para(r).startswith("The chair")}
    assert chair == {"topic.care": "model", "topic.money": "model"}


def test_export_of_several_runs_says_so_and_run_picks_one(modelled, tmp_path):
    db = tmp_path / "p.qualcoop"
    with Project.open(db) as p:
        p.add_files([modelled["corpus"]])
        first = p.code(modelled["codebook"], lang="en", model=modelled["model"])
        other = p.code(modelled["codebook"], lang="en", model=modelled["model"], model_threshold=0.0)
    res = _invoke("project", "export", db, tmp_path / "all.csv", "--coder", "qualcoop")
    assert res.exit_code == 0, res.output
    assert "come from 2 runs" in res.output and first.key in res.output and other.key in res.output
    stored = {}
    for r in _rows(db):
        stored.setdefault(r["run_id"], set()).add((r["doc_id"], r["start"], r["end"], r["code_id"], r["method"]))
    for key in (first.key, other.key):
        out = tmp_path / f"{key}.csv"
        res = _invoke("project", "export", db, out, "--run", key)
        assert res.exit_code == 0 and "come from" not in res.output
        with out.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert {r["run_id"] for r in rows} == {key}
        assert {(r["doc_id"], int(r["start"]), int(r["end"]), r["code_id"], r["method"]) for r in rows} == stored[key]
    res = _invoke("project", "export", db, tmp_path / "x.csv", "--run", "run-nope")
    assert res.exit_code == 2 and "no run run-nope" in res.output and not (tmp_path / "x.csv").exists()
