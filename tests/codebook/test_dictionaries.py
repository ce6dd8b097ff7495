"""quanteda YAML, LIWC .dic and CSV dictionaries: readers, the quanteda writer, quanteda's own cases."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import yaml

from qualcoop.codebook import load_codebook, save_codebook, validate_codebook
from qualcoop.codebook.dictionaries import (dump_quanteda_yaml, read_codebook_csv, read_liwc_dic,
                                            read_quanteda_yaml)
from qualcoop.errors import CodebookError, CodebookWarning
from qualcoop.model import Code, Codebook, Rule

DATA = Path(__file__).resolve().parents[1] / "data" / "codebooks"


def quiet(fn, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CodebookWarning)
        return fn(*a, **kw)


def terms_by_code(cb: Codebook) -> dict[str, list[str]]:
    return {c.id: [t for r in c.rules for t in r.terms] for c in cb}


# --------------------------------------------------------------------------- quanteda reader


def test_quanteda_fixture_hierarchy_terms_and_lines():
    cb = quiet(load_codebook, DATA / "kerjasama_quanteda.yml")
    assert [(c.id, c.parent, c.line) for c in cb] == [
        ("kerjasama", None, 2),
        ("kerjasama.teknis", "kerjasama", 4),
        ("kerjasama.pelatihan", "kerjasama", 8),
        ("kerjasama.keuangan", "kerjasama", 9),
        ("kerjasama.keuangan.hibah", "kerjasama.keuangan", 10),
        ("kerjasama.keuangan.pinjaman", "kerjasama.keuangan", 11),
        ("perjanjian", None, 12),
        ("perjanjian.persetujuan", "perjanjian", 16),
        ("NO", None, 17),
    ]
    t = terms_by_code(cb)
    assert t["kerjasama"] == ["kerja sama", "kerjasama", "cooperat*"]          # values under ''
    assert t["perjanjian"] == ["nota kesepahaman", "memorandum of understanding", "MoU"]  # mixed list
    assert t["kerjasama.keuangan.pinjaman"] == ["pinjaman lunak"]              # a single value
    assert t["kerjasama.keuangan"] == []
    assert t["NO"] == ["tidak", "no", "yes"]                                   # no YAML 1.1 booleans
    assert {r.kind for c in cb for r in c.rules} == {"glob"}
    assert cb.get("kerjasama.teknis").rules[0].line == 5
    assert cb.get("kerjasama.keuangan.hibah").name == "hibah"
    assert cb.name == "kerjasama_quanteda"


def test_quanteda_problems_are_collected(tmp_path):
    f = tmp_path / "d.yml"
    f.write_text("a:\n  - x\n  -\n  - [y]\nb: [p, q]\nb: [r]\n", encoding="utf-8")
    problems = validate_codebook(f, format="quanteda.yaml.v1")
    assert [(p.line, p.message) for p in problems] == [
        (3, "non-character entries found in dictionary key 'a'"),
        (4, "dictionary elements must be named: a nested list in key 'a'"),
        (6, "duplicate key 'b'"),
    ]


@pytest.fixture
def cases(shared):
    path = shared / "quanteda_lookup" / "quanteda_dictionary_lookup_cases.json"
    return {c["id"]: c for c in json.loads(path.read_text(encoding="utf-8"))["cases"]}


def _read_dict(tmp_path, data, **kw):
    f = tmp_path / "dict.yml"
    f.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return quiet(read_quanteda_yaml, f, **kw)


@pytest.mark.parametrize("case_id", ["TL11", "TL12", "DL01", "DL02"])
def test_quanteda_levels_cases_name_our_codes(cases, tmp_path, case_id):
    case = cases[case_id]
    cb = _read_dict(tmp_path, case["dictionary"])
    ids = {c.id for c in cb}
    for run in case["runs"]:
        levels = run["levels"]
        if levels != list(range(1, len(levels) + 1)):
            continue  # only runs that keep the top levels name full ids
        keys = set(run.get("expect_counts", {}))
        for toks in run.get("expect_tokens", {}).values():
            keys.update(toks)
        assert keys and keys <= ids, (case_id, levels, keys - ids)
        for k in keys:  # every key at the deepest kept level sits at that depth
            assert cb.depth(k) == k.count(".")


def test_quanteda_flatten_case_dc03(cases, tmp_path):
    case = cases["DC03"]
    cb = _read_dict(tmp_path, case["input"])
    flat = next(r for r in case["runs"] if r.get("levels") is None)["expect"]
    t = terms_by_code(cb)
    assert {k: t[k] for k in flat} == flat
    # level 1 merges children into the parent key, duplicates kept (quanteda's note)
    level1 = next(r for r in case["runs"] if r.get("levels") == [1])["expect"]
    merged = t["top3"] + [x for d in cb.descendants("top3") for x in t[d]]
    assert merged == level1["top3"]


def test_quanteda_keys_keep_case_values_lowercased_on_request(cases, tmp_path):
    dc02 = cases["DC02"]["input"]
    cb = _read_dict(tmp_path, dc02, tolower=True)
    assert [c.id for c in cb][:3] == ["KEY1", "KEY1.SUBKEY1", "KEY1.SUBKEY2"]
    assert "KEY3.SUBKEY5.SUBKEY7" in cb and cb.get("KEY3.SUBKEY5.SUBKEY7").parent == "KEY3.SUBKEY5"
    assert terms_by_code(cb)["KEY2.SUBKEY4"] == ["g", "f", "i"]
    assert terms_by_code(_read_dict(tmp_path, dc02))["KEY2.SUBKEY4"] == ["G", "F", "I"]
    tl09 = _read_dict(tmp_path, cases["TL09"]["dictionary"])
    assert [c.id for c in tl09] == cases["TL09"]["runs"][0]["expect_feature_names"]


def test_quanteda_separator_and_spaced_keys(cases, tmp_path):
    tl13 = cases["TL13"]
    cb = _read_dict(tmp_path, tl13["dictionary"], separator=tl13["dictionary_separator"])
    assert terms_by_code(cb) == {"Country": ["united states"], "HOR": ["House of Re*"]}
    tl23 = _read_dict(tmp_path, cases["TL23"]["dictionary"])
    assert [c.id for c in tl23 if c.parent] == cases["TL23"]["runs"][0]["expect_types"]
    with pytest.raises(ValueError, match="separator must be a non-empty string"):
        read_quanteda_yaml(tmp_path / "dict.yml", separator="")


def test_quanteda_construction_errors_dc01(tmp_path):
    f = tmp_path / "d.yml"
    f.write_text("- [a, b]\n- c\n", encoding="utf-8")           # list(c('a','b'), 'c')
    with pytest.raises(CodebookError, match="dictionary entries must be named"):
        read_quanteda_yaml(f)
    f.write_text("first: [a, b]\nsecond: [c, ~]\n", encoding="utf-8")  # list(first=..., second=c('c', NA))
    with pytest.raises(CodebookError) as info:
        read_quanteda_yaml(f)
    (p,) = info.value.problems
    assert (p.line, p.code_id, p.message) == (2, "second", "non-character entries found in dictionary key 'second'")


# --------------------------------------------------------------------------- quanteda writer


def test_quanteda_writer_matches_quanteda_as_yaml(cases):
    assert "as.yaml output" in cases["DC04"]["behaviour"]
    cb = Codebook(name="mary", version="1", codes=(
        Code(id="A CATEGORY", name="A CATEGORY",
             rules=(Rule(id="t", kind="phrase", terms=("more", "lamb", "little")),)),
        Code(id="ANOTHER CATEGORY", name="ANOTHER CATEGORY",
             rules=(Rule(id="t", kind="glob", terms=("had", "mary")),)),
    ))
    assert dump_quanteda_yaml(cb) == "A CATEGORY:\n  - more\n  - lamb\n  - little\nANOTHER CATEGORY:\n  - had\n  - mary\n"


def test_quanteda_writer_output_rereads_to_the_same_terms(tmp_path):
    cb = quiet(load_codebook, DATA / "kerjasama_quanteda.yml")
    out = tmp_path / "out.yml"
    save_codebook(cb, out, format="quanteda.yaml.v1")
    text = out.read_text(encoding="utf-8")
    assert "  '':\n    - kerja sama\n" in text and "'NO':\n  - tidak\n  - 'no'\n  - 'yes'\n" in text
    again = quiet(load_codebook, out)
    assert terms_by_code(again) == terms_by_code(cb)
    assert [(c.id, c.parent) for c in again] == [(c.id, c.parent) for c in cb]


def test_quanteda_writer_drops_other_kinds_with_one_warning(tmp_path):
    cb = Codebook(name="mixed", version="1", languages=("en", "id"), codes=(
        Code(id="aid", name="Aid", rules=(
            Rule(id="en", kind="phrase", terms=("development aid",)),
            Rule(id="id", kind="keyword", lang="id", terms=("bantuan",), case_sensitive=True),
            Rule(id="g", kind="glob", terms=("hibah*",)),
            Rule(id="lem", kind="lemma", terms=("grant",)),
            Rule(id="rx", kind="regex", pattern=r"\bODA\b"),
        )),
        Code(id="aid.loan", name="Loan", parent="aid", rules=(Rule(id="t", kind="phrase", terms=("loan",)),)),
    ))
    with pytest.warns(CodebookWarning) as rec:
        text = dump_quanteda_yaml(cb)
    assert len(rec) == 1
    assert [(p.rule_id, p.message.split(";")[0]) for p in rec[0].message.problems] == [
        ("id", "case_sensitive is lost (quanteda dictionaries are applied case-insensitively)"),
        ("lem", "rule kind 'lemma' has no quanteda equivalent"),
        ("rx", "rule kind 'regex' has no quanteda equivalent"),
    ]
    assert yaml.safe_load(text) == {"aid": {"": ["development aid", "bantuan", "hibah*"], "loan": ["loan"]}}


def test_quanteda_writer_refuses_key_collisions():
    cb = Codebook(name="c", version="1", codes=(
        Code(id="a", name="A"), Code(id="a.x", name="X", parent="a"), Code(id="x", name="X2", parent="a")))
    with pytest.raises(CodebookError, match="would be written as key 'x' under 'a'"):
        dump_quanteda_yaml(cb)


# --------------------------------------------------------------------------- LIWC


def test_liwc_fixture():
    with pytest.warns(CodebookWarning) as rec:
        cb = read_liwc_dic(DATA / "kerjasama.dic", lang="id")
    assert [(c.id, c.name, c.line) for c in cb] == [
        ("kerjasama", "kerjasama", 2), ("pelatihan", "pelatihan", 3),
        ("bantuan_teknis", "bantuan teknis", 4), ("empty_category", "empty category", 5)]
    rules = {c.id: [(r.id, r.kind, r.terms, r.line, r.lang) for r in c.rules] for c in cb}
    assert rules["kerjasama"] == [
        ("words", "phrase", ("kerja sama", "kerjasama", "lokakarya"), 7, "id"),
        ("glob", "glob", ("cooperat*", "technical assist*"), 9, "id")]
    assert rules["pelatihan"] == [("words", "phrase", ("pelatihan", "lokakarya", "training", "like"), 10, "id")]
    assert rules["bantuan_teknis"] == [("words", "phrase", ("bantuan teknis", "tenaga ahli"), 13, "id"),
                                      ("glob", "glob", ("technical assist*",), 15, "id")]
    assert cb.languages == ("id",)
    msgs = [(p.line, p.message) for p in rec[0].message.problems]
    assert (5, "code has neither rules nor child codes, so it can never be applied by rule") in msgs
    assert (16, "1 line(s) with LIWC extra codes (parenthetical expressions or <of>) were read without them") in msgs


def test_liwc_quanteda_mary_keys(tmp_path):
    # quanteda DC04: the LIWC version of the "mary" dictionary gives keys with '_' for spaces
    f = tmp_path / "mary.dic"
    f.write_text("%\n01\tA CATEGORY\n02\tANOTHER CATEGORY\n%\n\nmore\t01\nlamb\t01\nlittle\t01\n\nhad\t02\n"
                 "mary\t02\n", encoding="utf-8")
    cb = read_liwc_dic(f)
    assert terms_by_code(cb) == {"A_CATEGORY": ["more", "lamb", "little"], "ANOTHER_CATEGORY": ["had", "mary"]}


def test_liwc_problems(tmp_path):
    f = tmp_path / "bad.dic"
    f.write_text("%\n1\tone\n1\tagain\nlonely\n%\nword\t1 7\nnothing\t\n", encoding="utf-8")
    problems = validate_codebook(f)
    assert [(p.line, p.message) for p in problems] == [
        (3, "category number '1' is defined twice (first at line 2)"),
        (4, "category line 'lonely' needs a number and a name"),
        (6, "word 'word' refers to category '7', which the header does not define"),
        (7, "word 'nothing' has no category numbers"),
    ]
    f.write_text("word\t1\n", encoding="utf-8")
    (p,) = validate_codebook(f)
    assert p.line == 1 and "between two lines holding only '%'" in p.message


def test_liwc_windows_1252_is_read_with_a_warning(tmp_path):
    f = tmp_path / "old.dic"
    f.write_bytes("%\n1\tcaf\xe9\n%\ncaf\xe9*\t1\n".encode("cp1252"))
    with pytest.warns(CodebookWarning, match="read as Windows-1252"):
        cb = read_liwc_dic(f)
    assert terms_by_code(cb) == {"café": ["café*"]}


# --------------------------------------------------------------------------- CSV


def test_csv_fixture_rows_lines_and_rule_split():
    cb = read_codebook_csv(DATA / "codebook.csv")
    assert [(c.id, c.parent, c.name, c.line) for c in cb] == [
        ("kerjasama", None, "Kerja sama", 2),
        ("kerjasama.pelatihan", "kerjasama", "Pelatihan", 4),     # row 1 spans two lines
        ("kerjasama.teknis", "kerjasama", "kerjasama.teknis", 5),
        ("cooperation", None, "Cooperation", 7),                  # after a blank line
    ]
    k = cb.get("kerjasama")
    assert k.definition == "Cooperation between states,\nagencies and communities"
    assert [(r.id, r.kind, r.terms, r.lang) for r in k.rules] == [
        ("keywords", "phrase", ("kerja sama", "kerjasama", "kerja-sama"), "id")]
    assert [(r.id, r.kind, r.terms) for r in cb.get("kerjasama.pelatihan").rules] == [
        ("keywords", "phrase", ("pelatihan", "lokakarya")), ("glob", "glob", ("pelatih*",))]
    assert cb.get("kerjasama.teknis").definition == 'Bantuan "teknis"'
    assert cb.get("kerjasama.teknis").rules[0].terms == ("bantuan teknis", "tenaga ahli")
    assert [(r.kind, r.terms) for r in cb.get("cooperation").rules] == [
        ("phrase", ("joint programme",)), ("glob", ("cooperat*", "partner?"))]
    assert cb.languages == ("id", "en")


def test_csv_semicolon_delimited_and_problems(tmp_path):
    f = tmp_path / "excel.csv"
    f.write_text("\ufeffCode;Parent;Defintion;Keywords\nhibah;;Grants;hibah|grant*\nhibah;;;x\n;;;y\n"
                 "pinjaman;nowhere;;a;b;c\n", encoding="utf-8")
    problems = validate_codebook(f)
    assert [(p.line, p.code_id, p.message) for p in problems] == [
        (1, None, "unknown column 'defintion' (did you mean 'definition'?)"),
        (3, "hibah", "duplicate code id 'hibah' (first at line 2)"),
        (4, None, "row without a `code`"),
        (5, None, "row has 6 fields but the header has 4"),
        (5, "pinjaman", "parent 'nowhere' is not a code in this codebook"),
    ]


def test_dictionary_category_names_with_slash_get_slugged_ids(tmp_path):
    # issue 13.10: LIWC's own category names contain '/' (work/school); the id is slugged, the name kept
    f = tmp_path / "liwc.dic"
    f.write_text("%\n1\twork/school\n2\twork school\n3\thome\n%\nboss\t1\noffice\t2\nhouse\t3\n", encoding="utf-8")
    cb = read_liwc_dic(f)
    assert [(c.id, c.name) for c in cb] == [("work_school", "work/school"), ("work_school_2", "work school"),
                                            ("home", "home")]
    y = tmp_path / "q.yml"
    y.write_text("work/school:\n  - boss\nleisure:\n  sport/games:\n    - ball\n", encoding="utf-8")
    cb = read_quanteda_yaml(y)
    assert [(c.id, c.name) for c in cb] == [("work_school", "work/school"), ("leisure", "leisure"),
                                            ("leisure.sport_games", "sport/games")]
