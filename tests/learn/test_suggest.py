"""``qualcoop suggest``: terms people's codings support, and rules that fire where people did not code."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from qualcoop.cli.app import app
from qualcoop.learn import read_units, suggest

from .conftest import planted_rows

runner = CliRunner()


def test_suggests_the_planted_term_with_its_f1_change(planted):
    units = read_units([planted["table"]], codebook=planted["codebook"])
    found = suggest(units, codebook=planted["codebook"])
    care = [s for s in found if s.code_id == "topic.care" and s.kind == "term"]
    assert care[0].item == "clinic"
    assert care[0].delta_recall > 0 and care[0].delta_f1 > 0 and care[0].delta_precision >= 0
    assert 'kind: stem, lang: en, terms: ["clinic"]' in care[0].yaml
    assert found == suggest(units, codebook=planted["codebook"])  # deterministic


def test_flags_a_rule_firing_where_people_did_not_code(planted, tmp_path):
    # people never code topic.money where only "budget" occurs: the money rule fires on uncoded units
    rows = [{**r, "code_id": ""} if r["code_id"] == "topic.money" and "grant" not in r["text"] else r
            for r in planted_rows()]
    rows += [{"doc_id": "g", "start": i * 100, "end": i * 100 + 30, "code_id": "topic.money", "coder": "ana",
              "text": "A grant was given.", "lang": "en"} for i in range(3)]
    frame = pd.DataFrame(rows).drop_duplicates(["doc_id", "start", "end", "code_id", "coder"])
    table = tmp_path / "t.csv"
    frame.to_csv(table, index=False)
    units = read_units([table], codebook=planted["codebook"])
    found = [s for s in suggest(units, codebook=planted["codebook"]) if s.kind == "rule"]
    assert [s.item for s in found] == ["topic.money/money"]
    assert found[0].examples and "budget" in found[0].examples[0]


def test_suggest_cli_writes_csv(planted, tmp_path):
    out = tmp_path / "s.csv"
    res = runner.invoke(app, ["suggest", str(planted["table"]), "--codebook", str(planted["codebook_path"]),
                              "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "topic.care: add 'clinic'" in res.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("code_id,kind,item,lang,support") and "clinic" in text
