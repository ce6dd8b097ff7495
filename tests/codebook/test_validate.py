"""Validation: every problem at once, each located by file line, code and rule."""

from __future__ import annotations

import json
import pickle
import warnings
from pathlib import Path

import pytest

from qualcoop.codebook import load_codebook, validate_codebook
from qualcoop.errors import CodebookError, CodebookWarning, Problem
from qualcoop.model import Code, Codebook, Rule

DATA = Path(__file__).resolve().parents[1] / "data" / "codebooks"
BAD = DATA / "bad.yaml"

# (line, code id, rule id, kind, part of the message, text that must stand on that line of bad.yaml)
EXPECTED = [
    (1, None, None, "error", "is not a slug", "name: Bad Codebook"),
    (1, None, None, "error", "missing codebook version", "name:"),
    (2, None, None, "error", "unsupported language 'fr'", "languages: [en, fr]"),
    (3, None, None, "error", "unknown key 'colour' in the codebook", "colour:"),
    (7, "alpha", None, "error", "unknown key 'defintion' in a code (did you mean 'definition'?)", "defintion:"),
    (8, "alpha", None, "error", "color '#12345' is not of the form '#rrggbb'", 'color: "#12345"'),
    (9, "alpha", None, "error", "invalid negation policy 'maybe'", "negation: maybe"),
    (10, "alpha", None, "error", "unknown key 'speaker' in `scope` (did you mean 'speakers'?)", "speaker:"),
    (11, "alpha", None, "error", "example language 'ms' is not supported", "examples:"),
    (14, "alpha", "r1", "error", "empty or whitespace-only entry '   '", '"   "'),
    (15, "alpha", "r1", "error", "duplicate rule id 'r1' (first at line 14)", "{id: r1, kind: phrase, terms: [workshop]}"),
    (16, "alpha", "r3", "error", "unknown rule kind 'phrse' (did you mean 'phrase'?)", "kind: phrse"),
    (17, "alpha", "r4", "error", "bad regular expression '(unclosed': missing )", '"(unclosed"'),
    (18, "alpha", "r5", "error", "unknown token attribute 'LOWR' (did you mean 'LOWER'?)", "LOWR"),
    (19, "alpha", "r6", "error", "'not' needs exactly one sub-rule in `rules` (has 2)", "kind: not"),
    (20, "alpha", "r7", "error", "`window` must be a positive integer (got -3)", "window: -3"),
    (21, "alpha", "r8", "error", "unsupported rule language 'de'", "lang: de"),
    (24, "alpha", "r9", "error", "rule kind 'glob' needs a non-empty `terms` list", "terms: []"),
    (25, "alpha", "r10", "error", "invalid veto 'document'", "veto: document"),
    (26, "alpha", "r11", "error", "rule language 'id' is not listed in the codebook's `languages` (en, fr)", "lang: id"),
    (26, "alpha", "r11", "error", "invalid negation policy 'sometimes'", "negation: sometimes"),
    (27, "alpha", "r12", "error", "rule kind 'regex' needs `pattern`", "{id: r12, kind: regex}"),
    (28, "alpha", "r13", "error", "unknown key 'term' in a rule (did you mean 'terms'?)", "term: [capacity]"),
    (28, "alpha", "r13", "error", "rule kind 'phrase' needs a non-empty `terms` list", "id: r13"),
    (29, "alpha", "r14", "warning", "`terms` is ignored by rule kind 'regex'", "terms: [ignored]"),
    (30, "alpha", None, "error", "duplicate code id 'alpha' (first at line 5)", "- id: alpha"),
    (34, "beta", None, "error", "parent cycle: beta -> gamma -> beta", "- id: beta"),
    (38, "beta", "b1", "warning", "term 'training' is listed in 2 codes ('alpha', 'beta')", "[Training]"),
    (43, "gamma", "g1", "error", "'not' needs exactly one sub-rule in `rules` (has 0)", "kind: not, rules: []"),
    (44, "delta", None, "warning", "neither rules nor child codes", "- id: delta"),
    (46, "delta", None, "error", "parent 'nowhere' is not a code in this codebook", "parent: nowhere"),
    (47, "delta", None, "error", "duplicate key 'name' in a code", "name: Delta twice"),
    (48, "epsilon", None, "error", "code without a `name`", "- id: epsilon"),
    (50, "epsilon", "e1", "error", "`window` must be a positive integer, not 'eight'", "window: eight"),
    (51, "epsilon", "e2", "error", "rule kind 'all' needs a non-empty `rules` list", "kind: all"),
]


def test_fixture_lines_hold_what_the_expectations_say():
    lines = BAD.read_text(encoding="utf-8").splitlines()
    for line, _, _, _, _, marker in EXPECTED:
        assert marker in lines[line - 1], (line, marker)


def test_every_problem_is_found_and_located():
    problems = validate_codebook(BAD)
    got = [(p.line, p.code_id, p.rule_id, p.kind) for p in problems]
    assert got == [(ln, c, r, k) for ln, c, r, k, _, _ in EXPECTED]
    for p, (_, _, _, _, msg, _) in zip(problems, EXPECTED):
        assert msg in p.message
        assert p.path == str(BAD)


def test_load_raises_once_listing_every_error_with_its_line():
    with pytest.raises(CodebookError) as info:
        load_codebook(BAD)
    err = info.value
    errors = [e for e in EXPECTED if e[3] == "error"]
    assert len(err.problems) == len(errors) == 32
    assert [(p.line, p.code_id, p.rule_id) for p in err.problems] == [(e[0], e[1], e[2]) for e in errors]
    text = str(err)
    assert text.startswith(f"[Q300] {BAD}: 32 problem(s) in codebook")
    assert f"{BAD}:8: code 'alpha': color '#12345' is not of the form '#rrggbb'" in text
    assert f"{BAD}:16: code 'alpha' rule 'r3': unknown rule kind 'phrse' (did you mean 'phrase'?)" in text
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("version: '1'\ncodes:\n  - {id: a, name: A, rules: [{id: r, kind: phrase, terms: [a]}]}\n", 1,
         "missing codebook name"),
        ("name: x\ncodes:\n  - {id: a, name: A, rules: [{id: r, kind: phrase, terms: [a]}]}\n", 1,
         "missing codebook version"),
        ("name: x\nversion: '1'\n", 1, "the codebook has no codes"),
        ("name: x\nversion: '1'\ncodes: []\n", 3, "the codebook has no codes"),
        ("name: x\nversion: '1'\ncodes:\n  - id: a\n    name: [A\n", 6, "YAML syntax error"),
        ("name: x\nversion: '1'\ncodes:\n\t- id: a\n", 4, "YAML syntax error"),
        ("name: x\nversion: '1'\ncodes:\n  - id: a\n    name: A\n    color: #2ca02c\n", 6,
         "`color` is empty"),
        ("name: x\nversion: '1'\ncodes: {a: b}\n", [3, 3], "`codes` must be a list of codes"),
        ("", 1, "the file is empty"),
    ],
)
def test_single_problems_are_located(tmp_path, text, line, message):
    f = tmp_path / "cb.yaml"
    f.write_text(text, encoding="utf-8")
    problems = [p for p in validate_codebook(f) if p.kind == "error"]
    assert [p.line for p in problems] == (line if isinstance(line, list) else [line]), problems
    assert message in problems[0].message


def test_json_problems_carry_lines(tmp_path):
    data = {
        "name": "j", "version": "1", "languages": ["en"],
        "codes": [
            {"id": "a", "name": "A", "rules": [{"id": "r", "kind": "phrase", "terms": ["aid"]}]},
            {"id": "b", "name": "B", "parent": "zzz",
             "rules": [{"id": "r", "kind": "regex", "pattern": "[unclosed"}]},
        ],
    }
    f = tmp_path / "cb.json"
    f.write_text(json.dumps(data, indent=2), encoding="utf-8")
    lines = f.read_text().splitlines()
    problems = validate_codebook(f)
    assert [(p.code_id, p.rule_id) for p in problems] == [("b", None), ("b", "r")]
    parent_line = next(i for i, ln in enumerate(lines, 1) if '"parent": "zzz"' in ln)
    pattern_line = next(i for i, ln in enumerate(lines, 1) if '"pattern": "[unclosed"' in ln)
    assert [p.line for p in problems] == [parent_line, pattern_line]
    f.write_text('{"name": "j",\n "version": "1",\n "codes": [}\n', encoding="utf-8")
    (p,) = validate_codebook(f)
    assert p.line == 3 and "JSON syntax error" in p.message


def test_codebook_values_built_in_python_are_checked_too():
    cb = Codebook(
        name="py", version="1", languages=("en", "id"),
        codes=(
            Code(id="a", name="A", rules=(Rule(id="r", kind="near", groups=(("x",),), window=0),)),
            Code(id="b", name="B", parent="b", rules=(Rule(id="p", kind="pattern",
                                                            pattern=[{"LOWER": {"IN": "x"}}]),)),
        ),
    )
    problems = validate_codebook(cb)
    msgs = [(p.code_id, p.rule_id, p.message) for p in problems]
    assert ("a", "r", "rule kind 'near' needs `groups` with at least two term lists (has 1)") in msgs
    assert ("a", "r", "`window` must be a positive integer (got 0)") in msgs
    assert ("b", None, "parent cycle: b -> b") in msgs
    # spaCy's own pattern validation reports the bad IN value
    assert any(c == "b" and r == "p" and "valid list" in m for c, r, m in msgs)
    assert all(p.path == "<py>" and p.line is None for p in problems)


def test_valid_patterns_and_nested_rules_pass():
    cb = Codebook(
        name="ok", version="1", languages=("en", "id"),
        codes=(Code(id="a", name="A", rules=(
            Rule(id="p", kind="pattern", pattern=[[{"LOWER": "capacity"}, {"LOWER": {"IN": ["building"]}}],
                                                  [{"LEMMA": "train", "OP": "+"}]]),
            Rule(id="combo", kind="all", rules=(Rule(id="combo.1", kind="glob", terms=("kerja*",), lang="id"),
                                                Rule(id="combo.2", kind="not", rules=(
                                                    Rule(id="combo.2.1", kind="phrase", terms=("railway",)),)))),
            Rule(id="x", kind="exclude", veto="segment", rules=(Rule(id="x.1", kind="regex", pattern=r"\bpartai\b"),)),
        )),),
    )
    assert validate_codebook(cb) == []


def test_subrule_ids_default_and_collide(tmp_path):
    f = tmp_path / "cb.yaml"
    f.write_text(
        "name: s\nversion: '1'\ncodes:\n  - id: a\n    name: A\n    rules:\n"
        "      - id: both\n        kind: all\n        rules:\n"
        "          - {kind: phrase, terms: [aid]}\n          - {kind: phrase, terms: [grant]}\n"
        "      - {id: both.2, kind: phrase, terms: [loan]}\n",
        encoding="utf-8",
    )
    problems = validate_codebook(f)
    assert [(p.line, p.rule_id, p.message) for p in problems] == [
        (12, "both.2", "duplicate rule id 'both.2' (first at line 11)")]


def test_warnings_are_emitted_once_per_load(tmp_path):
    f = tmp_path / "cb.yaml"
    f.write_text(
        "name: w\nversion: '1'\ncodes:\n"
        "  - {id: a, name: A, rules: [{id: r, kind: phrase, terms: [aid, grant]}]}\n"
        "  - {id: b, name: B, rules: [{id: r, kind: phrase, terms: [Aid, Grant]}]}\n"
        "  - {id: c, name: C}\n",
        encoding="utf-8",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cb = load_codebook(f)
    ours = [w.message for w in caught if isinstance(w.message, CodebookWarning)]
    assert len(ours) == 1
    assert [(p.line, p.code_id, p.message) for p in ours[0].problems] == [
        (5, "b", "term 'aid' is listed in 2 codes ('a', 'b')"),
        (5, "b", "term 'grant' is listed in 2 codes ('a', 'b')"),
        (6, "c", "code has neither rules nor child codes, so it can never be applied by rule"),
    ]
    assert [c.id for c in cb] == ["a", "b", "c"]
    assert all(isinstance(p, Problem) and p.kind == "warning" for p in validate_codebook(f))


def test_recursive_and_exploding_aliases_are_refused(tmp_path):
    f = tmp_path / "cb.yaml"
    f.write_text("name: &a [*a]\n", encoding="utf-8")
    (p,) = validate_codebook(f)
    assert "recursive" in p.message or "YAML" in p.message
    lol = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(7))
    f.write_text(lol, encoding="utf-8")
    (p,) = validate_codebook(f, format="qualcoop.yaml.v1")
    assert "expands past" in p.message
