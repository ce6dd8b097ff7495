"""Codings tables, agreement, validation and adjudication on small tables whose answers are known."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcoop.analysis import (AGREEMENT_COLUMNS, VALIDATION_COLUMNS, adjudicate, agreement, disagreements,
                               read_codings, validate)
from qualcoop.analysis.agreement import span_units
from qualcoop.errors import CodingsTableError
from qualcoop.export import write_table
from qualcoop.model import Code, Codebook, Document

TEXT = "Training for workers. Funding from donors. Nothing here. Training again."
DOC = Document(id="d1", text=TEXT)
U = [(0, 21), (22, 42), (43, 56), (57, 72)]  # the four sentences


def rows(coder, marks):
    """marks: {unit index: [codes]} ([] = read, no code)."""
    out = []
    for i, codes in marks.items():
        s, e = U[i]
        for c in codes or [""]:
            out.append({"doc_id": "d1", "start": s, "end": e, "code_id": c, "coder": coder, "text": TEXT[s:e]})
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- codings tables


def test_every_problem_is_listed_with_file_and_row(tmp_path: Path):
    recs = [
        {"doc_id": "d1", "start": 0, "end": 21, "code_id": "train", "coder": "ana", "text": TEXT[0:21]},
        {"doc_id": "d1", "start": 5, "end": 5, "code_id": "train", "coder": "ana", "text": ""},         # row 3
        {"doc_id": "d1", "start": 0, "end": 999, "code_id": "train", "coder": "ana", "text": ""},       # row 4
        {"doc_id": "d1", "start": 22, "end": 42, "code_id": "nope", "coder": "ana", "text": TEXT[22:42]},  # row 5
        {"doc_id": "d1", "start": 22, "end": 42, "code_id": "fund", "coder": "ana", "text": "changed!"},   # row 6
        {"doc_id": "d1", "start": 0, "end": 21, "code_id": "train", "coder": "ana", "text": TEXT[0:21]},   # row 7 dup
        {"doc_id": "d1", "start": "x", "end": 21, "code_id": "", "coder": "", "text": ""},               # row 8
    ]
    path = write_table(recs, tmp_path / "bad.csv")
    cb = Codebook(name="cb", version="1", codes=(Code(id="train", name="T"), Code(id="fund", name="F")))
    with pytest.raises(CodingsTableError) as info:
        read_codings(path, documents=[DOC], codebook=cb)
    found = {(p.line, p.message.split(" ")[0]) for p in info.value.problems}
    lines = sorted(p.line for p in info.value.problems)
    assert lines == [3, 4, 5, 6, 7, 8, 8]
    assert all(p.path == str(path) for p in info.value.problems)
    text = str(info.value)
    assert "start 5 >= end 5" in text and "past the end" in text and "unknown code id 'nope'" in text
    assert "no longer matches" in text and "duplicate of row 2" in text and "empty coder" in text
    assert "start is not a whole number" in text and "nothing imported" in text
    assert found  # every problem located


def test_missing_columns_are_one_problem(tmp_path: Path):
    path = write_table([{"doc_id": "d1", "start": 0, "end": 3}], tmp_path / "t.csv")
    with pytest.raises(CodingsTableError, match="code_id, coder"):
        read_codings(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_every_format_reads_the_same(tmp_path: Path, suffix: str):
    frame = rows("ana", {0: ["train"], 2: []})
    path = write_table(frame.to_dict("records"), tmp_path / f"t{suffix}")
    got = read_codings(path, documents=[DOC])
    assert got[["doc_id", "start", "end", "code_id", "coder"]].values.tolist() == [
        ["d1", 0, 21, "train", "ana"], ["d1", 43, 56, "", "ana"]]
    assert got["start"].dtype == "int64"


def test_qualcoop_code_output_is_a_codings_table(tmp_path: Path, repo: Path):
    from qualcoop.codebook import load_codebook
    from qualcoop.corpus import Corpus
    from qualcoop.match import compile_codebook
    from qualcoop.model import CODING_COLUMNS
    from qualcoop.pipeline import code_documents

    docs = list(Corpus.from_paths([repo / "corpora" / "score_bali" / "interview_ilo_trainer_en.txt"]))
    cb = load_codebook("international_cooperation")
    codings, _ = code_documents(docs, compile_codebook(cb), unit="paragraph")
    path = write_table(codings.to_records(), tmp_path / "coded.csv", columns=CODING_COLUMNS)
    table = read_codings(path, documents=docs, codebook=cb)
    assert len(table) == len(codings) > 0
    assert set(table["coder"]) == {"qualcoop"}
    assert {"rule_ids", "matched_terms"} <= set(table.columns)  # kept as attributes


# --------------------------------------------------------------------------- agreement


def test_segment_level_values_missing_versus_no():
    ana = rows("ana", {0: ["train"], 1: ["fund"], 2: [], 3: ["train"]})
    budi = rows("budi", {0: ["train"], 1: ["fund", "train"], 2: []})  # never saw unit 3
    frame = agreement([ana, budi])
    assert list(frame.columns) == list(AGREEMENT_COLUMNS)
    train = frame.set_index("code_id").loc["train"]
    assert train["n_units"] == 3  # unit 3: only ana -> not pairable
    assert train["percent_agreement"] == pytest.approx(2 / 3)
    fund = frame.set_index("code_id").loc["fund"]
    assert fund["percent_agreement"] == 1.0 and fund["krippendorff_alpha"] == pytest.approx(1.0)
    assert frame["code_id"].tolist() == ["fund", "train", "overall"]
    assert frame.set_index("code_id").loc["overall", "n_units"] == 6  # 3 units x 2 codes


def test_degenerate_cases_have_notes_not_nan():
    ana = rows("ana", {0: ["train"], 1: ["train"]})
    budi = rows("budi", {0: ["train"], 1: ["train"]})
    frame = agreement([ana, budi]).set_index("code_id")
    assert frame.loc["train", "krippendorff_alpha"] is None or pd.isna(frame.loc["train", "krippendorff_alpha"])
    assert "one category" in frame.loc["train", "note"]
    one = agreement([ana]).set_index("code_id")
    assert "coder" in one.loc["train", "note"] and one.loc["train", "n_units"] == 0


def test_coders_filter_and_unknown_coder():
    ana, budi, cici = rows("ana", {0: ["a"], 1: []}), rows("budi", {0: ["a"], 1: ["a"]}), rows("cici", {0: []})
    frame = agreement([ana, budi, cici], coders=["ana", "budi"]).set_index("code_id")
    assert frame.loc["a", "n_coders"] == 2 and frame.loc["a", "percent_agreement"] == 0.5
    from qualcoop.errors import AnalysisError

    with pytest.raises(AnalysisError, match="dora"):
        agreement([ana, budi], coders=["ana", "dora"])


def test_bootstrap_is_reproducible():
    ana = rows("ana", {0: ["a"], 1: [], 2: ["a"], 3: []})
    budi = rows("budi", {0: ["a"], 1: ["a"], 2: ["a"], 3: []})
    one = agreement([ana, budi], bootstrap=100, seed=3)
    two = agreement([ana, budi], bootstrap=100, seed=3)
    pd.testing.assert_frame_equal(one, two)
    assert one["alpha_ci_low"].notna().all()


def test_span_level_joins_overlapping_spans():
    text = "x" * 200
    doc = Document(id="d", text=text)
    frame = pd.DataFrame([
        {"doc_id": "d", "start": 0, "end": 100, "code_id": "a", "coder": "ana"},
        {"doc_id": "d", "start": 10, "end": 100, "code_id": "a", "coder": "budi"},   # overlap 0.9
        {"doc_id": "d", "start": 150, "end": 160, "code_id": "b", "coder": "ana"},
        {"doc_id": "d", "start": 120, "end": 200, "code_id": "b", "coder": "budi"},  # overlap 0.125
    ])
    units = span_units(frame, overlap=0.5)
    assert sorted(set(zip(units["start"], units["end"]))) == [(0, 100), (120, 200), (150, 160)]
    result = agreement(frame, level="span", overlap=0.5, documents=[doc]).set_index("code_id")
    assert result.loc["a", "percent_agreement"] == 1.0
    # b: two units (too little overlap), each one coder's "yes" and the other's "no"; (0, 100) both "no"
    assert result.loc["b", "percent_agreement"] == pytest.approx(1 / 3)
    loose = agreement(frame, level="span", overlap=0.1).set_index("code_id")
    assert loose.loc["b", "percent_agreement"] == 1.0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True), min_size=2, max_size=4))
def test_a_coder_agrees_with_a_copy_of_themself(marks):
    ana = rows("ana", dict(enumerate(marks)))
    copy = ana.assign(coder="copy")
    frame = agreement([ana, copy])
    for pa, note in zip(frame["percent_agreement"], frame["note"]):
        assert pa == 1.0 or (pd.isna(pa) and note)
    for alpha, note in zip(frame["krippendorff_alpha"], frame["note"]):
        assert (alpha == pytest.approx(1.0)) if note == "" else (pd.isna(alpha) and "one category" in note
                                                                  or "no code" in note)


# --------------------------------------------------------------------------- validation


def test_validation_counts_predictions_inside_gold_units():
    gold = rows("ana", {0: ["train"], 1: ["fund"], 2: [], 3: []})
    pred = pd.DataFrame([
        {"doc_id": "d1", "start": 0, "end": 8, "code_id": "train", "coder": "qualcoop",
         "rule_ids": "train/en", "matched_terms": "Training"},                           # inside unit 0: tp
        {"doc_id": "d1", "start": 57, "end": 72, "code_id": "train", "coder": "qualcoop",
         "rule_ids": "train/en", "matched_terms": "Training"},                           # unit 3: fp
        {"doc_id": "d1", "start": 15, "end": 30, "code_id": "fund", "coder": "qualcoop",
         "rule_ids": "fund/en", "matched_terms": "Funding"},                             # crosses units: ignored
    ])
    report = validate(gold, pred)
    assert list(report.scores.columns) == list(VALIDATION_COLUMNS)
    s = report.scores.set_index("code_id")
    assert (s.loc["train", ["tp", "fp", "fn", "support"]].tolist()) == [1, 1, 0, 1]
    assert s.loc["train", "precision"] == 0.5 and s.loc["train", "recall"] == 1.0
    assert (s.loc["fund", ["tp", "fp", "fn"]].tolist()) == [0, 0, 1]
    assert pd.isna(s.loc["fund", "precision"]) and s.loc["fund", "recall"] == 0.0
    assert s.loc["micro", "precision"] == 0.5 and s.loc["micro", "recall"] == 0.5
    assert s.loc["macro", "recall"] == 0.5 and s.loc["macro", "precision"] == 0.5  # fund's undefined precision left out
    errors = report.errors
    assert errors[["code_id", "error", "start"]].values.tolist() == [["fund", "fn", 22], ["train", "fp", 57]]
    fp = errors.iloc[1]
    assert fp["text"] == TEXT[57:72] and fp["rule_ids"] == "train/en" and fp["matched_terms"] == "Training"


def test_validation_needs_one_gold_coder():
    from qualcoop.errors import AnalysisError

    gold = pd.concat([rows("ana", {0: ["a"]}), rows("budi", {0: []})])
    with pytest.raises(AnalysisError, match="several coders"):
        validate(gold, rows("qualcoop", {0: ["a"]}))
    assert validate(gold, rows("qualcoop", {0: ["a"]}), gold_coder="ana").scores.iloc[0]["tp"] == 1


# --------------------------------------------------------------------------- adjudication


def test_adjudication_lists_differences_and_records_provenance():
    ana = rows("ana", {0: ["train"], 1: ["fund"], 2: []})
    budi = rows("budi", {0: ["train", "fund"], 1: [], 2: [], 3: ["train"]})
    items = disagreements([ana, budi], coders=("ana", "budi"))
    assert [(r["start"], r["code_id"], r["ana"], r["budi"]) for r in items] == [(0, "fund", 0, 1), (22, "fund", 1, 0)]
    assert items[0]["text"] == TEXT[0:21]
    filled = pd.DataFrame(items).assign(decision=["0", "1"], memo=["not about money", ""])
    result = adjudicate([ana, budi], filled, coders=("ana", "budi"), decided_by="carla")
    got = result[["start", "code_id", "adjudication", "from_codings", "decided_by"]].values.tolist()
    assert got == [[0, "train", "agreed", "ana:1;budi:1", ""],
                   [22, "fund", "decided", "ana:1;budi:0", "carla"],
                   [43, "", "agreed", "ana:-|budi:-", ""]]
    assert set(result["coder"]) == {"adjudicated"}
    assert (result["from_coding_ids"] == "").all()  # plain tables carry no coding ids
    with_ids = [ana.assign(coding_id=[str(i) for i in range(len(ana))]),
                budi.assign(coding_id=[str(100 + i) for i in range(len(budi))])]
    again = adjudicate(with_ids, filled, coders=("ana", "budi"), decided_by="carla")
    assert again["from_coding_ids"].tolist() == ["0;100", "1;102", "2;103"]
    json.dumps(result.to_dict("records"))  # plain values


def test_adjudication_problems_have_row_numbers():
    ana, budi = rows("ana", {0: ["a"], 1: []}), rows("budi", {0: [], 1: ["a"]})
    items = pd.DataFrame(disagreements([ana, budi], coders=("ana", "budi")))
    bad = items.assign(decision=["maybe", ""])
    bad = pd.concat([bad, bad.iloc[[0]].assign(code_id="zzz", decision="1")], ignore_index=True)
    with pytest.raises(CodingsTableError) as info:
        adjudicate([ana, budi], bad, coders=("ana", "budi"), decided_by="carla", name="filled.csv")
    assert [p.line for p in info.value.problems] == [2, 3, 4]
    assert "no decision" in str(info.value) and "'maybe'" in str(info.value) and "not a disagreement" in str(info.value)


# --------------------------------------------------------------------------- properties

from strategies import documents  # noqa: E402


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(doc=documents(), suffix=st.sampled_from([".csv", ".xlsx", ".jsonl", ".parquet"]), data=st.data())
def test_any_segment_coding_survives_a_round_trip_through_every_format(tmp_path_factory, doc, suffix, data):
    """Whatever the text (NBSP, form feeds, emoji, U+2029, leading '='), a codings table written in any
    format reads back with its text still matching the document: no false 'text no longer matches'."""
    from qualcoop.segment import segment

    segs = segment(doc, "paragraph")
    if not segs:
        return
    chosen = data.draw(st.lists(st.sampled_from(segs), min_size=1, max_size=4, unique=True))
    recs = [{"doc_id": doc.id, "start": s.start, "end": s.end, "code_id": data.draw(st.sampled_from(["a", ""])),
             "coder": "ana", "text": doc.text[s.start:s.end]} for s in chosen]
    path = write_table(recs, tmp_path_factory.mktemp("rt") / f"t{suffix}")
    table = read_codings(path, documents=[doc])
    assert table[["start", "end"]].values.tolist() == [[r["start"], r["end"]] for r in recs]


def test_span_level_on_real_human_spans(shared):
    """205 human codings of two real transcripts (qualitative-coding demo). A second coder who marks the
    same passages with boundaries shifted inwards by a tenth agrees fully at span level, while at
    segment level (exact offsets) the two share no unit at all."""
    from qualcoop.corpus import Corpus

    folder = shared / "transcripts" / "qc_demo_coded_interviews"
    docs = {Path(d.source.path).name: d for d in Corpus.from_paths([folder / "admin-1.txt", folder / "board_2017.txt"])}
    raw = pd.read_csv(folder / "qc_demo_codings.csv", dtype=str, keep_default_na=False)
    human = pd.DataFrame({"doc_id": [docs[s].id for s in raw["source_file"]], "start": raw["startPosition"].astype(int),
                          "end": raw["endPosition"].astype(int), "code_id": raw["code_path"], "coder": "qc"})
    human = human.drop_duplicates(["doc_id", "start", "end", "code_id"])
    cut = ((human["end"] - human["start"]) // 10).clip(lower=0)
    shifted = human.assign(coder="shifted", start=human["start"] + cut, end=human["end"] - cut)
    segment = agreement([human, shifted], documents=list(docs.values()))
    assert segment.set_index("code_id").loc["overall", "n_units"] == 0
    assert segment["note"].str.len().gt(0).all()  # every value explained, none a bare NaN
    span = agreement([human, shifted], level="span", overlap=0.5).set_index("code_id")
    assert span.loc["overall", "percent_agreement"] == 1.0
    assert span.loc["overall", "krippendorff_alpha"] == pytest.approx(1.0)
    strict = agreement([human, shifted], level="span", overlap=0.9).set_index("code_id")
    assert strict.loc["overall", "percent_agreement"] < 1.0  # 80% overlap is below a 0.9 threshold


def test_a_row_repeated_across_tables_is_a_problem_of_the_second(tmp_path: Path):
    a = write_table(rows("ana", {0: ["train"]}).to_dict("records"), tmp_path / "a.csv")
    b = write_table(rows("ana", {1: [], 0: ["train"]}).to_dict("records"), tmp_path / "b.jsonl")
    with pytest.raises(CodingsTableError) as info:
        agreement([a, b])
    (problem,) = info.value.problems
    assert problem.path == str(b) and problem.line == 2 and str(a) in problem.message


_marks = st.dictionaries(st.integers(0, 3), st.lists(st.sampled_from(["a", "b", "c"]), max_size=3, unique=True),
                         min_size=1)


@settings(max_examples=40, deadline=None)
@given(gold_marks=_marks, pred_marks=_marks)
def test_validation_counts_are_consistent(gold_marks, pred_marks):
    gold, pred = rows("ana", gold_marks), rows("qualcoop", pred_marks)
    scores = validate(gold, pred, codes=["a", "b", "c"]).scores.set_index("code_id")
    per_code = scores.loc[["a", "b", "c"]]
    assert (per_code["tp"] + per_code["fn"] == per_code["support"]).all()
    for col in ("tp", "fp", "fn", "support"):
        assert scores.loc["micro", col] == per_code[col].sum() == scores.loc["macro", col]
    n_units = len(gold_marks)
    assert (per_code["tp"] + per_code["fp"] + per_code["fn"] <= n_units).all()
    perfect = validate(gold, gold.assign(coder="qualcoop"), codes=["a", "b", "c"]).scores.set_index("code_id")
    assert (perfect["fp"] == 0).all() and (perfect["fn"] == 0).all()
    assert all(v == 1.0 for v in perfect["recall"].dropna())


_spans = st.lists(st.tuples(st.integers(0, 90), st.integers(1, 30), st.sampled_from(["a", "b", ""]),
                            st.sampled_from(["ana", "budi", "cici"])), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(spans=_spans, overlap=st.sampled_from([0.1, 0.5, 0.9, 1.0]))
def test_span_units_cover_their_spans_and_every_coder_of_the_document(spans, overlap):
    frame = pd.DataFrame([{"doc_id": "d", "start": s, "end": s + n, "code_id": c, "coder": who}
                          for s, n, c, who in spans]).drop_duplicates()
    units = span_units(frame, overlap=overlap)
    bounds = sorted(set(zip(units["start"], units["end"])))
    for s, e, c, who in zip(frame["start"], frame["end"], frame["code_id"], frame["coder"]):
        assert any(us <= s and e <= ue for us, ue in bounds)  # every span lies in a unit
        if c:
            mine = units[(units["coder"] == who) & (units["code_id"] == c)]
            assert any(us <= s and e <= ue for us, ue in zip(mine["start"], mine["end"]))
    coders = set(frame["coder"])
    for b in bounds:  # every coder of the document has a value on every unit
        assert set(units[(units["start"] == b[0]) & (units["end"] == b[1])]["coder"]) == coders


def test_an_xlsx_zip_bomb_is_refused_before_reading(tmp_path: Path):
    import zipfile

    from qualcoop.errors import LimitError

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (40 << 20))  # 40 MiB of one byte
    with pytest.raises(LimitError, match="MAX_ZIP_RATIO"):
        read_codings(bomb)
    with pytest.raises(LimitError, match="MAX_ZIP_RATIO"):
        agreement([bomb])
