"""Writers: save then load gives an equal codebook (hypothesis), byte-stable output."""

from __future__ import annotations

import string
import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcoop.codebook import load_codebook, save_codebook, validate_codebook
from qualcoop.codebook.dictionaries import dump_quanteda_yaml
from qualcoop.codebook.yaml_format import dump_codebook_json, dump_codebook_yaml
from qualcoop.errors import CodebookWarning
from qualcoop.model import Code, Codebook, Example, Rule, Scope

# any text YAML and JSON can hold (no lone surrogates), including newlines, quotes, '#', ': '
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
words = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=25).filter(str.strip)
ident = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)
langs = st.sampled_from([None, "en", "id"])
neg = st.sampled_from([None, "flag", "skip", "off"])
term_list = st.lists(words, min_size=1, max_size=4).map(tuple)

scopes = st.builds(
    Scope,
    speakers=st.lists(words, max_size=2), exclude_speakers=st.lists(words, max_size=2),
    units=st.lists(st.sampled_from(["turn", "paragraph", "sentence"]), max_size=2),
    sections=st.lists(words, max_size=2),
    attributes=st.dictionaries(ident, st.lists(words, min_size=1, max_size=2), max_size=2),
)


def _leaf(rid: str):
    common = dict(lang=langs, case_sensitive=st.booleans(), negation=neg,
                  scope=st.none() | scopes)
    return st.one_of(
        st.builds(Rule, id=st.just(rid), kind=st.sampled_from(["keyword", "phrase", "lemma", "glob"]),
                  terms=term_list, **common),
        st.builds(Rule, id=st.just(rid), kind=st.just("regex"),
                  pattern=words.map(lambda w: __import__("regex").escape(w)), **common),
        st.builds(Rule, id=st.just(rid), kind=st.just("pattern"),
                  pattern=st.lists(st.fixed_dictionaries({"LOWER": words}), min_size=1, max_size=3)
                  | st.just([[{"LOWER": "capacity"}], [{"LEMMA": "train", "OP": "+"}]]), **common),
        st.builds(Rule, id=st.just(rid), kind=st.just("near"),
                  groups=st.lists(term_list, min_size=2, max_size=3),
                  window=st.none() | st.integers(1, 50), ordered=st.booleans(), **common),
        st.builds(Rule, id=st.just(rid), kind=st.just("exclude"), terms=term_list,
                  veto=st.sampled_from(["span", "segment"]), **common),
    )


@st.composite
def rules(draw, rid: str, depth: int = 0):
    if depth < 2 and draw(st.booleans()):
        kind = draw(st.sampled_from(["all", "any", "not"]))
        n = 1 if kind == "not" else draw(st.integers(1, 3))
        subs = tuple(draw(rules(f"{rid}.{i}", depth + 1)) for i in range(1, n + 1))
        return Rule(id=rid, kind=kind, rules=subs, lang=draw(langs), negation=draw(neg))
    return draw(_leaf(rid))


@st.composite
def codebooks(draw):
    ids = draw(st.lists(ident, min_size=1, max_size=6, unique=True))
    codes = []
    for i, cid in enumerate(ids):
        parent = draw(st.none() | st.sampled_from(ids[:i])) if i else None
        n_rules = draw(st.integers(0 if any(True for _ in ids[i + 1:]) else 1, 3))
        codes.append(Code(
            id=cid, name=draw(words), parent=parent, definition=draw(any_text),
            inclusion=draw(any_text), exclusion=draw(any_text),
            examples=tuple(draw(st.lists(st.builds(Example, text=words, lang=langs), max_size=2))),
            labels=draw(st.dictionaries(st.sampled_from(["en", "id"]), words, max_size=2)),
            color=draw(st.none() | st.from_regex(r"#[0-9a-fA-F]{6}", fullmatch=True)),
            rules=tuple(draw(rules(f"r{n}")) for n in range(n_rules)),
            scope=draw(st.none() | scopes), negation=draw(st.sampled_from(["flag", "skip", "off"])),
        ))
    return Codebook(name=draw(st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,15}", fullmatch=True)),
                    version=draw(words), codes=tuple(codes), languages=("en", "id"),
                    description=draw(any_text),
                    overlaps=draw(st.sampled_from(["longest", "all", "leftmost", "rule_order"])))


def _load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CodebookWarning)
        return load_codebook(path)


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(cb=codebooks())
def test_generated_codebooks_are_valid(cb):
    assert [p for p in validate_codebook(cb) if p.kind == "error"] == []


@SETTINGS
@given(cb=codebooks())
def test_yaml_and_json_round_trip(tmp_path, cb):
    for suffix in (".yaml", ".json"):
        path = tmp_path / f"cb{suffix}"
        save_codebook(cb, path)
        again = _load(path)
        assert again.to_dict() == cb.to_dict()
        assert again.fingerprint() == cb.fingerprint()
        assert again.path == str(path)
        assert all(c.line is not None for c in again)
        assert all(r.line is not None and r.code_id == c.id for c in again for r in c.rules)
        # writing what was read gives the same bytes (stable, deterministic output)
        first = path.read_bytes()
        save_codebook(again, path)
        assert path.read_bytes() == first


@SETTINGS
@given(cb=codebooks())
def test_quanteda_output_rereads_to_the_same_terms(tmp_path, cb):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CodebookWarning)
        text = dump_quanteda_yaml(cb)
    path = tmp_path / "dict.yml"
    path.write_text(text, encoding="utf-8")
    again = _load(path)
    # generated ids have no dots, so a code's id after the round trip is its path of ids
    expected = {}
    for c in cb:
        new_id = ".".join([*reversed(cb.ancestors(c.id)), c.id])
        terms = [t for r in c.rules if r.kind in ("keyword", "phrase", "glob") for t in r.terms]
        expected[new_id] = (".".join(reversed(cb.ancestors(c.id))) or None, list(dict.fromkeys(terms)))
    got = {c.id: (c.parent, [t for r in c.rules for t in r.terms]) for c in again}
    assert got == expected
    assert {r.kind for c in again for r in c.rules} <= {"glob"}


def test_dumps_are_deterministic_and_human_shaped():
    cb = Codebook(name="demo", version="1.10", languages=("en", "id"), description="Two\nlines\n", codes=(
        Code(id="aid", name="Aid", definition="yes", labels={"id": "Bantuan"}, color="#00ff00",
             rules=(Rule(id="t", kind="phrase", terms=("no", "on", "capacity: building"), lang="en"),)),
    ))
    y = dump_codebook_yaml(cb)
    assert y == (
        "name: demo\nversion: '1.10'\nlanguages: [en, id]\ndescription: |\n  Two\n  lines\ncodes:\n"
        "  - id: aid\n    name: Aid\n    definition: 'yes'\n    labels:\n      id: Bantuan\n"
        "    color: '#00ff00'\n    rules:\n      - id: t\n        kind: phrase\n"
        "        terms: ['no', 'on', 'capacity: building']\n        lang: en\n")
    assert dump_codebook_yaml(cb) == y and dump_codebook_json(cb) == dump_codebook_json(cb)
    assert set(string.whitespace) & set(y.splitlines()[0][-1:]) == set()
