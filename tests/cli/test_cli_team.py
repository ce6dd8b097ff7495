"""The README's "Coding as a team" walk-through runs as written, and gives the figures it quotes."""

from __future__ import annotations

import shlex
from pathlib import Path

import pandas as pd
import pytest
from readme_sections import readme_commands
from typer.testing import CliRunner

from qualcoop.cli.app import app

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    work = tmp_path_factory.mktemp("team")
    (work / "corpora").symlink_to(REPO / "corpora", target_is_directory=True)
    commands = readme_commands("Coding as a team")
    assert len(commands) >= 15
    runner = CliRunner()
    old = Path.cwd()
    import os

    os.chdir(work)
    try:
        for command in commands:
            result = runner.invoke(app, shlex.split(command)[1:], catch_exceptions=False)
            assert result.exit_code == 0, f"{command}\n{result.output}"
    finally:
        os.chdir(old)
    return work


def test_agreement_figures_as_quoted(walked: Path):
    project = pd.read_csv(walked / "agreement.csv").set_index("code_id")
    tables = pd.read_csv(walked / "agreement_tables.csv").set_index("code_id")
    assert round(project.loc["overall", "krippendorff_alpha"], 3) == 0.734
    assert 0.55 < project.loc["overall", "alpha_ci_low"] < 0.65 and 0.8 < project.loc["overall", "alpha_ci_high"] < 0.86
    assert round(project.loc["outcome.benefit", "krippendorff_alpha"], 3) == 0.575
    assert project.loc["overall", "n_units"] == 64 * 6
    # the project and the tables give the same coefficients
    cols = ["n_units", "percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha"]
    pd.testing.assert_frame_equal(project[cols], tables[cols])


def test_validation_figures_as_quoted(walked: Path):
    scores = pd.read_excel(walked / "validation.xlsx", sheet_name="scores").set_index("code_id")
    assert [round(scores.loc["micro", c], 3) for c in ("precision", "recall", "f1")] == [0.636, 0.778, 0.7]
    assert scores.loc["mechanism.training", "precision"] == 0.5
    errors = pd.read_excel(walked / "validation.xlsx", sheet_name="errors", dtype=str, keep_default_na=False)
    training_fp = errors[(errors["code_id"] == "mechanism.training") & (errors["error"] == "fp")]
    assert training_fp["text"].str.strip().str.endswith("?").sum() >= 5  # the interviewer's questions
    assert (training_fp["rule_ids"] != "").all() and (training_fp["matched_terms"] != "").all()
    html = (walked / "validation.html").read_text(encoding="utf-8")
    assert "micro" in html and "<script" not in html


def test_adjudication_records_provenance(walked: Path):
    tables = pd.read_csv(walked / "adjudicated_tables.csv", dtype=str, keep_default_na=False)
    decided = tables[tables["adjudication"] == "decided"]
    assert len(decided) and set(decided["decided_by"]) == {"carla"}
    assert decided["from_codings"].str.contains("ana:").all()
    exported = pd.read_csv(walked / "adjudicated.csv", dtype=str, keep_default_na=False)
    assert set(exported["coder"]) == {"adjudicated"}
    key = ["doc_id", "start", "end", "code_id"]
    assert sorted(map(tuple, exported[key].values.tolist())) == sorted(map(tuple, tables[key].values.tolist()))
    from qualcoop.project import Project

    with Project.open(str(walked / "team.qualcoop"), create=False) as project:
        people = {s.id: s.coding for s in project.stored_codings(coders=["ana", "budi"])}
        adjudicated = project.stored_codings(coders=["adjudicated"])
    decided_rows = [s.coding for s in adjudicated if s.coding.provenance.details.get("decided_by") == "carla"]
    assert decided_rows and all(c.provenance.method == "manual" for c in decided_rows)
    for c in decided_rows:  # each points at the coders' codings it was decided from, on the same unit
        ids = [int(i) for i in c.provenance.details["from_coding_ids"].split(";")]
        assert ids and all((people[i].doc_id, people[i].start, people[i].end) == (c.doc_id, c.start, c.end)
                           for i in ids)
    sheet = pd.read_excel(walked / "disagreements.xlsx", dtype=str, keep_default_na=False)
    assert len(sheet) == 23 and set(sheet.columns) >= {"segment_key", "text", "ana", "budi", "decision"}


def test_exported_sheet_is_blinded(walked: Path):
    sheet = pd.read_excel(walked / "sheet_ana.xlsx", sheet_name="coding", dtype=str, keep_default_na=False)
    codes = ["actor.donor", "actor.workers", "mechanism.training", "mechanism.funding", "outcome.benefit",
             "outcome.challenge"]
    assert len(sheet) == 64 and (sheet[codes] == "").all().all()


def test_a_bad_table_exits_2_naming_file_and_rows(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("doc_id,start,end,code_id,coder\nd,5,5,a,ana\nd,0,3,a,ana\nd,0,3,a,ana\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["agreement", str(bad), "-o", str(tmp_path / "a.csv")])
    assert result.exit_code == 2
    assert f"{bad} row 2: start 5 >= end 5" in result.output.replace("\n", " ") or "row 2" in result.output
    assert "row 4" in result.output and not (tmp_path / "a.csv").exists()


def test_validate_csv_writes_scores_and_errors_and_span_level_runs(walked: Path, tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "report.csv"
    result = runner.invoke(app, ["validate", "--gold", str(walked / "ana.csv"), "--pred", str(walked / "coded.csv"),
                                 "--codes", "mechanism.training", "-o", str(out)])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out)
    assert scores["code_id"].tolist() == ["mechanism.training", "micro", "macro"]
    errors = pd.read_csv(tmp_path / "report_errors.csv")
    assert set(errors["code_id"]) == {"mechanism.training"} and len(errors) == 14  # 11 fp + 3 fn
    span = tmp_path / "span.jsonl"
    result = runner.invoke(app, ["agreement", str(walked / "ana.csv"), str(walked / "budi.csv"), "--level", "span",
                                 "--overlap", "0.9", "-o", str(span)])
    assert result.exit_code == 0, result.output
    # the sheets' units are paragraphs, identical for both coders: span level gives the segment-level values
    seg = pd.read_csv(walked / "agreement_tables.csv").set_index("code_id")
    spans = pd.read_json(span, lines=True).set_index("code_id")
    assert spans.loc["overall", "krippendorff_alpha"] == pytest.approx(seg.loc["overall", "krippendorff_alpha"])


def test_sheet_for_documents_not_in_the_project_names_the_sheet(tmp_path: Path):
    """The problems name the user's sheet and the missing documents, never a temporary copy."""
    runner = CliRunner()
    project = tmp_path / "empty.qualcoop"
    assert runner.invoke(app, ["project", "init", str(project)]).exit_code == 0
    sheet = REPO / "corpora" / "score_bali_team" / "sheet_ana.csv"
    result = runner.invoke(app, ["sheets", "import", str(project), str(sheet), "--coder", "ana"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert str(sheet) in text and "is not in the project" in text and "qualcoop project add" in text
    assert "/tmp" not in text.replace(str(tmp_path), "").replace(str(sheet), "")


def test_piped_agreement_table_is_not_cut(walked: Path):
    """Piped (CliRunner: not a terminal, 80 columns), the table is printed whole: no "…" in a figure."""
    import subprocess
    import sys

    got = subprocess.run([sys.executable, "-m", "qualcoop", "agreement", "team.qualcoop", "--coders", "ana,budi"],
                         cwd=walked, capture_output=True, text=True, env={**__import__("os").environ, "COLUMNS": "80"})
    assert got.returncode == 0, got.stderr
    assert "…" not in got.stdout
    frame = pd.read_csv(walked / "agreement.csv").set_index("code_id")
    line = next(x for x in got.stdout.splitlines() if x.strip("│ ").startswith("outcome.benefit"))
    assert f"{frame.loc['outcome.benefit', 'krippendorff_alpha']:.3f}" in line
