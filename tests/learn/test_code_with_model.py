"""``qualcoop code --model``: model codings join the rule codings, through the run pipeline."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from qualcoop.cli.app import app
from qualcoop.errors import ModelCodebookError
from qualcoop.model import CODING_COLUMNS
from qualcoop.run import resolve_settings

runner = CliRunner()



def _code(modelled, out, *extra):
    res = runner.invoke(app, ["code", str(modelled["corpus"]), "--codebook", str(modelled["codebook_path"]), "--lang", "en",
                              "-q", "-o", str(out), *extra])
    assert res.exit_code == 0, res.output
    with out.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_code_with_model_adds_model_codings(modelled, tmp_path):
    rows = _code(modelled, tmp_path / "with.csv", "--model", str(modelled["model"]))
    by = {(r["doc_id"], r["text"][:20], r["code_id"]): r for r in rows}
    clinic = [r for r in rows if r["text"].startswith("A new clinic")]
    assert clinic and {r["code_id"] for r in clinic} == {"topic.care"}
    assert all(r["method"] == "model" for r in clinic)
    assert all("t:clinic" in r["model_features"] and 0.0 < float(r["confidence"]) <= 1.0 for r in clinic)
    health = [r for r in rows if r["text"].startswith("Public health")]
    assert {r["method"] for r in health} == {"rule+model"}
    assert not [r for r in rows if r["text"].startswith("The chair")]
    assert by  # every row names its method
    assert {r["method"] for r in rows} <= {"rule", "model", "rule+model"}


def test_without_model_nothing_changes(modelled, tmp_path):
    rows = _code(modelled, tmp_path / "plain.csv")
    assert list(rows[0]) == list(CODING_COLUMNS)
    assert {r["method"] for r in rows} == {"rule"}
    assert not [r for r in rows if r["text"].startswith("A new clinic")]


def test_model_codings_are_deterministic_and_worker_independent(modelled, tmp_path):
    _code(modelled, tmp_path / "one.csv", "--model", str(modelled["model"]))
    _code(modelled, tmp_path / "two.csv", "--model", str(modelled["model"]), "--workers", "2")
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_model_threshold_overrides(modelled, tmp_path):
    learned = _code(modelled, tmp_path / "learned.csv", "--model", str(modelled["model"]))
    assert not [r for r in learned if r["text"].startswith("The chair")]
    rows = _code(modelled, tmp_path / "lax.csv", "--model", str(modelled["model"]), "--model-threshold", "0")
    chair = {r["code_id"]: r["method"] for r in rows if r["text"].startswith("The chair")}
    assert chair == {"topic.care": "model", "topic.money": "model"}


def test_model_for_another_codebook_version_is_refused(modelled, tmp_path):
    with pytest.raises(ModelCodebookError):
        resolve_settings([modelled["corpus"]], codebook=modelled["codebook_v2"], model=modelled["model"])
    res = runner.invoke(app, ["code", str(modelled["corpus"]), "--codebook", str(modelled["codebook_v2_path"]),
                              "--model", str(modelled["model"]), "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2
    assert "made for codebook planted version 1" in res.output
    assert not (tmp_path / "x.csv").exists()


def test_batch_with_model_matches_code(modelled, tmp_path):
    _code(modelled, tmp_path / "code.csv", "--model", str(modelled["model"]))
    res = runner.invoke(app, ["batch", str(modelled["corpus"]), "--codebook", str(modelled["codebook_path"]), "--lang", "en",
                              "-q", "--model", str(modelled["model"]), "-o", str(tmp_path / "batch.csv")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "batch.csv").read_bytes() == (tmp_path / "code.csv").read_bytes()


def test_stats_filter_by_method(modelled, tmp_path):
    _code(modelled, tmp_path / "m.csv", "--model", str(modelled["model"]))
    res = runner.invoke(app, ["stats", str(tmp_path / "m.csv"), "--method", "model", "--no-rollup",
                              "-o", str(tmp_path / "s.csv")])
    assert res.exit_code == 0, res.output
    with (tmp_path / "s.csv").open(encoding="utf-8") as fh:
        counts = {r["code_id"]: int(r["codings"]) for r in csv.DictReader(fh)}
    assert counts["topic.care"] == 2 and counts.get("topic.money", 0) == 0  # the two clinic paragraphs only
    res = runner.invoke(app, ["report", str(tmp_path / "m.csv"), "--method", "rule,rule+model",
                              "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output


def test_model_threshold_without_model_is_a_usage_error(modelled, tmp_path):
    res = runner.invoke(app, ["code", str(modelled["corpus"]), "--codebook", str(modelled["codebook_path"]),
                              "--model-threshold", "0.5", "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "--model-threshold needs --model" in res.output
    res = runner.invoke(app, ["code", str(modelled["corpus"]), "--codebook", str(modelled["codebook_path"]),
                              "--model", str(modelled["model"]), "--model-threshold", "1.5", "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "between 0 and 1" in res.output


def test_code_with_model_says_what_the_model_added(modelled, tmp_path):
    res = runner.invoke(app, ["code", str(modelled["corpus"]), "--codebook", str(modelled["codebook_path"]),
                              "--lang", "en", "-q", "-o", str(tmp_path / "m.csv"), "--model", str(modelled["model"])])
    assert res.exit_code == 0, res.output
    with (tmp_path / "m.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    added = sum(r["method"] == "model" for r in rows)
    confirmed = sum(r["method"] == "rule+model" for r in rows)
    assert added and confirmed
    assert f"{added} coding(s) added by the model, {confirmed} of the rules' confirmed by it" in res.output
    plain = runner.invoke(app, ["code", str(modelled["corpus"]), "--codebook", str(modelled["codebook_path"]),
                                "--lang", "en", "-q", "-o", str(tmp_path / "p.csv")])
    assert "added by the model" not in plain.output
