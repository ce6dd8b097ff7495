"""quanteda's dictionary-lookup behaviour (40 cases, shared/data/quanteda_lookup) mapped to our rules.

Each quanteda document is one segment (unit ``document``); a quanteda key is a code (nested
keys joined by "."); ``fixed`` values are ``phrase`` rules, ``glob`` values ``glob`` rules and
``regex`` values token-level ``pattern`` rules (``{"TEXT": {"REGEX": ...}}``). A key's count is
the number of evidence spans of its coding; "expect_tokens" (exclusive lookup) is the code of
every evidence span in text order (codes at the same start in codebook order).

| case | status |
|---|---|
| TL01 | covered (case-sensitive run); differs on d3 in the case-insensitive run: our punctuation tokens are kept, so "United, states" is not "United States" |
| TL02 | covered (multi-word globs, case-sensitive) |
| TL03 | covered (single-word fixed values, both case modes) |
| TL04 | covered (result independent of code order) |
| TL05 | covered (same value under two codes: both, in codebook order) |
| TL06 | covered (glob prefix*, *suffix, ?; case-insensitive and case-sensitive) |
| TL07 | covered via token-level regex patterns (our `regex` kind runs on raw text instead) |
| TL08 | differs: no token replacement (exclusive=FALSE/capkeys/padding); we assert the codings and that COUNTRY and OVERLAP both apply |
| TL09 | differs: inaugural corpus not stored; we assert code ids keep their case on our own text |
| TL10 | differs: no padding tokens; we assert line breaks/extra spaces inside a multi-word match do not break it |
| TL11 | covered: `levels` as a projection of our dotted code ids |
| TL12 | covered: `levels` projection on uneven nesting |
| TL13 | differs: no separator option; "_" is literal in our terms, we write multi-word terms with spaces |
| TL14 | covered with "-" as the concatenator (our tokenizer splits hyphens the same way in text and terms) |
| TL15 | covered (longest match within a code counts once; fixed, glob, token-regex) |
| TL16 | differs: no `nomatch`; key counts asserted (multi-word "b c" wins over "b") |
| TL17 | differs: no token replacement; counts asserted |
| TL18 | covered (a word inside another code's phrase counts for both codes) |
| TL19 | differs: no token replacement; codings asserted |
| TL20 | differs: no `nomatch`; key codings asserted |
| TL21 | covered for nested_scope="key" (ours); "dictionary" scope differs: codes are independent |
| TL22 | differs: no nested_scope="dictionary"; our key-scope result and codebook-order ties asserted |
| TL23 | differs: no types; empty CodingSet, codes with dotted, spaced ids still compile |
| DL01 | covered: counts per code with `levels` projection (zero counts kept) |
| DL02 | covered: counts with `levels` projection on uneven nesting |
| DL03 | differs: no `nomatch`; key counts asserted |
| DL04 | covered for exclusive counts; non-exclusive differs (no feature replacement) |
| DL05 | differs: we code text, not a dfm; texts rebuilt from the counts, codes asserted |
| DL06 | differs: no `nomatch`; key counts asserted |
| DL07 | differs: no dfm; empty CodingSet with dotted multi-word code ids |
| DL08 | differs: no bigram dfm; a multi-word term matches running text |
| PM01 | covered (glob ? and * on single-token texts, case modes, token sequences, fixed metacharacters) |
| PM02 | covered (regex metacharacters literal in globs) |
| PM03 | covered (":)" matches only ":)") |
| PM04 | covered (regex character classes, our `regex` kind on one-token texts) |
| PM05 | covered (complex regexes) |
| DC01 | differs: construction errors are ours (RuleError naming code and rule for non-string/empty terms) |
| DC02 | covered: code ids keep their case; matching is case-insensitive |
| DC03 | covered: flattening = dotted ids; a value under two sub-keys codes both |
| DC04 | differs: file formats belong to qualcoop.codebook; the dictionary's codings are asserted |
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcoop.errors import RuleError
from qualcoop.match import apply_codebook, compile_codebook
from qualcoop.model import Code, Codebook, Document, Rule

CASES_FILE = Path("quanteda_lookup") / "quanteda_dictionary_lookup_cases.json"
ALL_IDS = [f"TL{i:02d}" for i in range(1, 24)] + [f"DL{i:02d}" for i in range(1, 9)] + \
          [f"PM{i:02d}" for i in range(1, 6)] + [f"DC{i:02d}" for i in range(1, 5)]


@pytest.fixture(scope="module")
def cases(shared):
    data = json.loads((shared / CASES_FILE).read_text(encoding="utf-8"))
    return {c["id"]: c for c in data["cases"]}


def test_all_40_cases_are_mapped(cases):
    assert sorted(cases) == sorted(ALL_IDS) and len(ALL_IDS) == 40
    for cid in ALL_IDS:
        assert f"| {cid} |" in __doc__


# --------------------------------------------------------------------------- helpers


def _rule(values, valuetype, case_sensitive):
    if valuetype == "fixed":
        return Rule("v", "phrase", terms=values, case_sensitive=case_sensitive)
    if valuetype == "regex":
        flag = "" if case_sensitive else "(?i)"
        pats = [[{"TEXT": {"REGEX": flag + part}} for part in v.split()] for v in values]
        return Rule("v", "pattern", pattern=pats)
    return Rule("v", "glob", terms=values, case_sensitive=case_sensitive)


def dict_codebook(d, *, valuetype="glob", case_sensitive=False):
    codes = []

    def walk(node, prefix):
        for key, val in node.items():
            cid = f"{prefix}.{key}" if prefix else key
            if isinstance(val, dict):
                codes.append(Code(cid, key, parent=prefix or None))
                walk(val, cid)
            else:
                codes.append(Code(cid, key, parent=prefix or None,
                                  rules=[_rule(list(val), valuetype, case_sensitive)]))

    walk(d, "")
    return Codebook("q", "1", codes, languages=("en",))


def lookup(cb, texts):
    """doc id -> code ids of every evidence span in text order (exclusive-lookup analogue)."""
    docs = [Document(k, v, lang="en") for k, v in texts.items()]
    order = {c.id: i for i, c in enumerate(cb.codes)}
    cs = apply_codebook(docs, cb, unit="document")
    out = {k: [] for k in texts}
    spans = {k: [] for k in texts}
    for c in cs:
        spans[c.doc_id].extend((e.start, order[c.code_id], c.code_id) for e in c.evidence)
    for k, v in spans.items():
        out[k] = [cid for _, _, cid in sorted(v)]
    return out


def counts(seqs, keys, doc_ids):
    return {k: [seqs[d].count(k) for d in doc_ids] for k in keys}


def project(code_id, levels):
    parts = code_id.split(".")
    return ".".join(parts[lv - 1] for lv in levels if lv - 1 < len(parts))


def projected(seqs, levels):
    return {d: [p for p in (project(c, levels) for c in v) if p] for d, v in seqs.items()}


# --------------------------------------------------------------------------- tokens_lookup


def test_TL01_fixed_multiword_case(cases):
    c = cases["TL01"]
    docs = list(c["texts"])
    cs_run, ci_run = c["runs"]
    seqs = lookup(dict_codebook(c["dictionary"], valuetype="fixed", case_sensitive=True), c["texts"])
    got = counts(seqs, ["Countries", "team"], docs)
    assert got == {k: cs_run["expect_counts"][k] for k in ("Countries", "team")}
    seqs = lookup(dict_codebook(c["dictionary"], valuetype="fixed"), c["texts"])
    got = counts(seqs, ["Countries", "team"], docs)
    assert got["team"][2] == ci_run["expect_counts"]["team@d3"] == 2
    # differs on purpose: "United, states" has a punctuation token between the words for us
    assert ci_run["expect_counts"]["Countries"] == [1, 1, 1, 1, 0, 1]
    assert got["Countries"] == [1, 1, 0, 1, 0, 1]


def test_TL02_multiword_glob_case_sensitive(cases):
    c = cases["TL02"]
    run = c["runs"][0]
    seqs = lookup(dict_codebook(c["dictionary"], case_sensitive=True), c["texts"])
    assert counts(seqs, list(run["expect_counts"]), list(c["texts"])) == run["expect_counts"]


def test_TL03_single_word_fixed(cases):
    c = cases["TL03"]
    docs = list(c["texts"])
    cs_run, ci_run = c["runs"]
    seqs = lookup(dict_codebook(c["dictionary"], valuetype="fixed", case_sensitive=True), c["texts"])
    assert counts(seqs, ["Countries", "team"], docs) == {k: cs_run["expect_counts"][k] for k in ("Countries", "team")}
    assert seqs["d3"].count("Countries") == cs_run["expect_counts"]["Countries@d3"] == 0
    seqs = lookup(dict_codebook(c["dictionary"], valuetype="fixed"), c["texts"])
    assert counts(seqs, ["Countries"], docs)["Countries"] == ci_run["expect_counts"]["Countries"]
    assert seqs["d3"].count("team") == ci_run["expect_counts"]["team@d3"]
    assert seqs["d3"].count("Countries") == ci_run["expect_counts"]["Countries@d3"]


def test_TL04_independent_of_code_order(cases):
    c = cases["TL04"]
    a = lookup(dict_codebook(c["dictionary"], valuetype="fixed"), c["texts"])
    b = lookup(dict_codebook(c["dictionary_alt_order"], valuetype="fixed"), c["texts"])
    assert {k: sorted(v) for k, v in a.items()} == {k: sorted(v) for k, v in b.items()}
    # "United, states": the comma is a token for us, so Countries does not apply (see TL01)
    assert sorted(a["d2"]) == ["team", "team"]


@pytest.mark.parametrize("cid", ["TL05", "TL06", "TL07"])
def test_TL05_TL06_TL07_expect_tokens(cases, cid):
    c = cases[cid]
    for run in c["runs"]:
        cb = dict_codebook(c["dictionary"], valuetype=run["valuetype"],
                           case_sensitive=not run.get("case_insensitive", True))
        assert lookup(cb, c["texts"]) == run["expect_tokens"]


def test_TL08_non_exclusive_differs_codes_asserted(cases):
    """Differs: no token replacement; both COUNTRY ('United States') and OVERLAP ('United') apply."""
    c = cases["TL08"]
    seqs = lookup(dict_codebook(c["dictionary"]), c["texts"])
    assert seqs == {"d1": ["country", "freedom", "law words", "country"],
                    "d2": ["freedom", "country", "overlap"], "d3": []}
    upper = {d: [t for t in toks if t.isupper()] for d, toks in c["runs"][0]["expect_tokens"].items()}
    assert {d: [k.upper() for k in v] for d, v in seqs.items()} == upper


def test_TL09_code_ids_keep_case(cases):
    """Differs: the inaugural corpus is not stored; same dictionary on our own text."""
    c = cases["TL09"]
    seqs = lookup(dict_codebook(c["dictionary"]),
                  {"d": "the United States and the House of Representatives"})
    assert seqs["d"] == c["runs"][0]["expect_feature_names"] == ["Country", "HOR"]


def test_TL10_whitespace_does_not_break_multiword(cases):
    """Differs: no padding; line breaks and extra spaces inside a match do not break it."""
    cb = dict_codebook({"Country": ["united states"]})
    assert lookup(cb, {"a": "the United States", "b": "the United\n   States"}) == {"a": ["Country"], "b": ["Country"]}


@pytest.mark.parametrize("cid", ["TL11", "TL12"])
def test_TL11_TL12_levels_as_projection(cases, cid):
    c = cases[cid]
    seqs = lookup(dict_codebook(c["dictionary"]), c["texts"])
    for run in c["runs"]:
        assert projected(seqs, run["levels"]) == run["expect_tokens"], run["levels"]


def test_TL13_separator_differs(cases):
    """Differs: '_' is a literal character in our terms; multi-word terms are written with spaces."""
    c = cases["TL13"]
    text = {"d": "the United States House of Representatives"}
    assert lookup(dict_codebook(c["dictionary"]), text) == {"d": []}
    spaced = {k: [v.replace("_", " ") for v in vs] for k, vs in c["dictionary"].items()}
    assert lookup(dict_codebook(spaced), text)["d"] == c["runs"][0]["expect_feature_names"]


def test_TL14_compound_tokens(cases):
    c = cases["TL14"]
    texts = {d: " ".join(toks) for d, toks in c["tokens"].items()}
    hyphen = {k: [v.replace("_", "-") for v in vs] for k, vs in c["dictionary"].items()}
    assert lookup(dict_codebook(hyphen), texts) == c["runs"][0]["expect_tokens"]


def test_TL15_nested_values_count_once(cases):
    c = cases["TL15"]
    for run in c["runs"]:
        d = run.get("dictionary_override", c["dictionary"])
        texts = {"t": run["text"]} if "text" in run else c["texts"]
        expect = {"t": run["expect_tokens"]} if "text" in run else run["expect_tokens"]
        assert lookup(dict_codebook(d, valuetype=run.get("valuetype", "glob")), texts) == expect


def test_TL16_nomatch_differs_counts_asserted(cases):
    """Differs: no `nomatch` pseudo-key; key counts match quanteda's."""
    c = cases["TL16"]
    seqs = lookup(dict_codebook(c["dictionary"]), c["texts"])
    exp = c["runs"][0]["expect_counts"]
    assert counts(seqs, ["one", "two"], list(c["texts"])) == {k: exp[k] for k in ("one", "two")}


def test_TL17_non_exclusive_differs_counts_asserted(cases):
    """Differs: no token replacement; what is replaced by a key is what we code."""
    c = cases["TL17"]
    seqs = lookup(dict_codebook(c["dictionary"]), c["texts"])
    assert seqs == {"text1": ["document"] * 3, "text2": ["use", "use"]}


def test_TL18_nested_in_other_code(cases):
    c = cases["TL18"]
    assert lookup(dict_codebook(c["dictionary"]), c["texts"]) == c["runs"][0]["expect_tokens"]


def test_TL19_sequences_differs_codes_asserted(cases):
    """Differs: no token replacement; keys among the non-exclusive output are our codes."""
    c = cases["TL19"]
    seqs = lookup(dict_codebook(c["dictionary"]), c["texts"])
    upper = {d: [t.lower() for t in toks if t.isupper()] for d, toks in c["runs"][0]["expect_tokens"].items()}
    assert seqs == upper


@pytest.mark.parametrize("cid", ["TL20", "DL06"])
def test_TL20_DL06_nomatch_differs_counts_asserted(cases, cid):
    """Differs: no `nomatch`; the real keys are counted as in quanteda."""
    c = cases[cid]
    seqs = lookup(dict_codebook(c["dictionary"]), c["texts"])
    assert counts(seqs, ["CR", "CB", "CA"], list(c["texts"])) == {
        "CR": [2, 0, 0, 0], "CB": [0, 1, 0, 0], "CA": [0, 0, 0, 0]}
    if cid == "TL20":
        toks = c["runs"][0]["expect_tokens"]
        assert {d: [t for t in v if t != "NONE"] for d, v in toks.items()} == seqs


def test_TL21_nested_scope_key(cases):
    """Covered for nested_scope='key'; 'dictionary' scope differs (codes are independent)."""
    c = cases["TL21"]
    seqs = lookup(dict_codebook(c["dictionary"]), c["texts"])
    key_run, dict_run = c["runs"]
    assert seqs == key_run["expect_tokens"]
    assert seqs != dict_run["expect_tokens"]


def test_TL22_dictionary_scope_differs(cases):
    """Differs: no cross-code suppression; same-start codes follow codebook order, like quanteda."""
    c = cases["TL22"]
    r1, r2 = c["runs"]
    d1 = r1["dictionary"]
    assert lookup(dict_codebook(d1), {"t": r1["text"]})["t"] == ["VG", "VI", "DM", "DM", "DO"]
    rev = dict(reversed(list(d1.items())))
    assert lookup(dict_codebook(rev), {"t": r1["text"]})["t"] == ["VI", "VG", "DM", "DO", "DM"]
    assert lookup(dict_codebook(r2["dictionary"]), {"t": r2["text"]})["t"] == ["CD", "CG", "CG", "CD", "CG"]


@pytest.mark.parametrize("cid", ["TL23", "DL07"])
def test_TL23_DL07_no_matches(cases, cid):
    """Differs: no types/dfm; an empty CodingSet; codes with dotted, spaced ids compile."""
    d = {"en": {"foreign policy": ["aaaaa"], "domestic politics": ["bbbbb"]}}
    cb = dict_codebook(d)
    assert [c.id for c in cb.codes] == ["en", "en.foreign policy", "en.domestic politics"]
    compile_codebook(cb)
    assert lookup(cb, {"d1": "nothing to see", "d2": "here"}) == {"d1": [], "d2": []}


# --------------------------------------------------------------------------- dfm_lookup


@pytest.mark.parametrize("cid", ["DL01", "DL02"])
def test_DL01_DL02_counts_with_levels(cases, cid):
    c = cases[cid]
    seqs = lookup(dict_codebook(c["dictionary"], valuetype="fixed"), c["texts"])
    for run in c["runs"]:
        if "expect_counts" not in run:
            assert projected(seqs, run["levels"]) == {"d1": [], "d2": []}
            continue
        got = counts(projected(seqs, run["levels"]), list(run["expect_counts"]), list(c["texts"]))
        assert got == run["expect_counts"], run["levels"]


def test_DL03_nomatch_differs_counts_asserted(cases):
    c = cases["DL03"]
    seqs = lookup(dict_codebook(c["dictionary"]), c["texts"])
    exp = c["runs"][0]["expect_counts"]
    assert counts(seqs, ["one", "two"], list(c["texts"])) == {k: exp[k] for k in ("one", "two")}


def test_DL04_exclusive_counts(cases):
    c = cases["DL04"]
    seqs = lookup(dict_codebook(c["dictionary"]), c["texts"])
    assert counts(seqs, ["document", "use"], list(c["texts"])) == c["runs"][0]["expect_counts"]


def test_DL05_zero_counts_from_rebuilt_texts(cases):
    """Differs: we code text, not a dfm; texts rebuilt from the feature counts."""
    c = cases["DL05"]
    feats = c["dfm"]["features"]
    for run in c["runs"][:2]:
        mx = c["dfm"][run["input"]]
        texts = {d: " ".join(f for f, n in zip(feats, row) for _ in range(n)) for d, row in mx.items()}
        seqs = lookup(dict_codebook(c["dictionary"]), texts)
        assert counts(seqs, ["A", "B", "D"], list(texts)) == run["expect_counts"]


def test_DL08_multiword_on_running_text(cases):
    """Differs: no bigram dfm; the multi-word term matches running text."""
    c = cases["DL08"]
    assert lookup(dict_codebook(c["dictionary"]), {"d": "the United States"})["d"] == \
        c["runs"][0]["expect_feature_names"]


# --------------------------------------------------------------------------- pattern2fixed


def _matching_types(pattern, types, *, case_sensitive=False, valuetype="glob"):
    cb = dict_codebook({"k": [pattern]}, valuetype=valuetype, case_sensitive=case_sensitive)
    seqs = lookup(cb, {f"t{i}": t for i, t in enumerate(types)})
    return [t for i, t in enumerate(types) if seqs[f"t{i}"]]


def test_PM01_glob_semantics(cases):
    c = cases["PM01"]
    types = c["types"]
    for run in c["runs"]:
        cs = not run.get("case_insensitive", True)
        if "pattern_sequence" in run:
            pat = " ".join(run["pattern_sequence"])
            pairs = [[a, b] for a in types for b in types]
            cb = dict_codebook({"k": [pat]}, case_sensitive=cs)
            seqs = lookup(cb, {f"p{i}": f"{a} {b}" for i, (a, b) in enumerate(pairs)})
            got = [p for i, p in enumerate(pairs) if seqs[f"p{i}"]]
            if cs:
                assert got == run["expect_sequences"]
            else:
                assert got == [[a, b] for a in ("A", "a") for b in ("B", "BB", "b", "bb")]
        elif run.get("valuetype") == "fixed":
            assert _matching_types(run["pattern"], ["a", "^a$"] + types, valuetype="fixed") == ["^a$"]
        elif run["expect"] == "all 12 types":
            assert _matching_types(run["pattern"], types, case_sensitive=cs) == types
        else:
            assert _matching_types(run["pattern"], types, case_sensitive=cs) == run["expect"], run


def test_PM02_glob_regex_metacharacters_literal(cases):
    for run in cases["PM02"]["runs"]:
        assert _matching_types(run["pattern"], [run["type"]]) == ([run["type"]] if run["match"] else [])
    assert _matching_types("*.aaa", ["bbbxaaa"]) == []


def test_PM03_emoticon(cases):
    c = cases["PM03"]
    assert _matching_types(":)", c["types"]) == c["expect"]
    assert _matching_types(":)", c["types"], valuetype="fixed") == c["expect"]


def test_PM04_PM05_regex(cases):
    c = cases["PM04"]
    for run in c["runs"]:
        cb = Codebook("q", "1", [Code("k", "k", rules=[Rule("r", "regex", pattern=run["pattern"])])])
        seqs = lookup(cb, {f"t{i}": t for i, t in enumerate(c["types"])})
        assert [t for i, t in enumerate(c["types"]) if seqs[f"t{i}"]] == run["expect"]
    c = cases["PM05"]
    cb = Codebook("q", "1", [Code("k", "k", rules=[Rule("r", "regex", pattern=p) for p in []] +
                                  [Rule(f"r{i}", "regex", pattern=p) for i, p in enumerate(c["patterns"])])])
    seqs = lookup(cb, {f"t{i}": t for i, t in enumerate(c["types"])})
    assert all(seqs[f"t{i}"] for i in range(len(c["types"])))


# --------------------------------------------------------------------------- dictionaries


def test_DC01_construction_errors_are_rule_errors(cases):
    """Differs: quanteda's construction errors become RuleErrors naming code and rule."""
    assert len(cases["DC01"]["runs"]) == 5
    for terms in ([2016], ["c", None], [""], ["  "]):
        with pytest.raises(RuleError) as ei:
            compile_codebook(Codebook("q", "1", [Code("second", "s", rules=[Rule("v", "phrase", terms=terms)])]))
        assert ei.value.code_id == "second" and ei.value.rule_id == "v"


def test_DC02_ids_keep_case_values_match_any_case(cases):
    cb = dict_codebook(cases["DC02"]["input"])
    assert "KEY3.SUBKEY5.SUBKEY7" in cb
    assert lookup(cb, {"d": "a k"})["d"] == ["KEY1.SUBKEY1", "KEY3.SUBKEY5.SUBKEY7"]


def test_DC03_flatten_and_duplicates(cases):
    c = cases["DC03"]
    cb = dict_codebook(c["input"])
    flat = {code.id: list(code.rules[0].terms) for code in cb.codes if code.rules}
    assert flat == c["runs"][0]["expect"]
    assert lookup(cb, {"d": "f"})["d"] == ["top3.sub1", "top3.sub2"]
    assert projected(lookup(cb, {"d": "e f h"}), [1])["d"] == ["top3"] * 4


def test_DC04_dictionary_codings(cases):
    """Differs: reading .cat/.ykd/.lcd/.dic is qualcoop.codebook's job; the dictionary's codings here."""
    d = {"A CATEGORY": ["more", "lamb", "little"], "ANOTHER CATEGORY": ["had", "mary"]}
    seqs = lookup(dict_codebook(d, valuetype="fixed"), {"d": "Mary had a little lamb, and more."})
    assert seqs["d"] == ["ANOTHER CATEGORY", "ANOTHER CATEGORY", "A CATEGORY", "A CATEGORY", "A CATEGORY"]
