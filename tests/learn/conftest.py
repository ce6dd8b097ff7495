"""Planted data for the trained coder: code ``care`` has a rule for "health", but people also code it
where "clinic" occurs, a word no rule lists; the model must learn "clinic"."""

from __future__ import annotations

import random

import pytest

CODEBOOK = """\
name: planted
version: "{version}"
languages: [en]
codes:
  - id: topic
    name: Topics
  - id: topic.care
    parent: topic
    name: Care
    rules:
      - {{id: health, kind: lemma, terms: [health]}}
  - id: topic.money
    parent: topic
    name: Money
    rules:
      - {{id: money, kind: lemma, terms: [budget, grant]}}
"""

FILLER = ["The committee met on Tuesday.", "Several members spoke about the weather.",
          "The report was adopted without a vote.", "Delegates discussed the agenda at length.",
          "The chair thanked the secretariat.", "Further meetings are planned next year."]


def planted_rows(seed: int = 7, docs: int = 12, per_doc: int = 8) -> list[dict]:
    rnd = random.Random(seed)
    rows = []
    for d in range(docs):
        for u in range(per_doc):
            kind = rnd.choice(["health", "clinic", "budget", "none", "none", "clinic budget"])
            parts = [rnd.choice(FILLER)]
            codes = []
            if "health" in kind:
                parts.append("Public health matters to every village.")
                codes.append("topic.care")
            if "clinic" in kind:
                parts.append(rnd.choice(["A new clinic opened in the district.",
                                         "The clinic serves mothers and children.",
                                         "Nurses at the clinic asked for supplies."]))
                codes.append("topic.care")
            if "budget" in kind:
                parts.append("The budget for the programme was approved.")
                codes.append("topic.money")
            parts.append(rnd.choice(FILLER))
            text = " ".join(parts)
            start = u * 1000
            for c in codes or [""]:
                rows.append({"doc_id": f"doc{d:02d}", "start": start, "end": start + len(text), "code_id": c,
                             "coder": "ana", "text": text, "lang": "en"})
    return rows


@pytest.fixture
def planted(tmp_path):
    import pandas as pd

    from qualcoop.codebook import load_codebook

    cb_path = tmp_path / "planted.yaml"
    cb_path.write_text(CODEBOOK.format(version="1"), encoding="utf-8")
    cb2_path = tmp_path / "planted_v2.yaml"
    cb2_path.write_text(CODEBOOK.format(version="2"), encoding="utf-8")
    table = tmp_path / "team.csv"
    pd.DataFrame(planted_rows()).to_csv(table, index=False)
    return {"codebook": load_codebook(cb_path), "codebook_path": cb_path, "codebook_v2": load_codebook(cb2_path),
            "codebook_v2_path": cb2_path, "table": table, "tmp": tmp_path}


#: a two-document corpus for coding with a model trained on the planted table
TEXT = ("A new clinic opened in the district. Nurses were hired.\n\n"
        "Public health matters to every village.\n\n"
        "The budget for the programme was approved.\n\n"
        "The chair thanked the secretariat.\n")


@pytest.fixture
def modelled(planted, tmp_path):
    """``planted`` plus ``model`` (trained on its table, saved) and ``corpus`` (a folder of two files)."""
    from qualcoop.learn import save_model, train

    model = save_model(train([planted["table"]], codebook=planted["codebook"], min_positives=5), tmp_path / "m.qcm")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "b.txt").write_text(TEXT.replace("district", "town"), encoding="utf-8")
    return {**planted, "model": model, "corpus": corpus}
