"""The rule-kind protocol: one class per kind, one resolver for ``kind``/``kind.vN``, and
validation, compilation, coverage and seeding asking the kind instead of naming it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from qualcoop import kinds
from qualcoop.analysis import codebook_coverage
from qualcoop.codebook import validate_codebook
from qualcoop.errors import RuleError
from qualcoop.match import apply_codebook, compile_codebook
from qualcoop.match.rules import KeywordRule
from qualcoop.model import Code, Codebook, Document, Rule
from qualcoop.registry import rule_kinds
from qualcoop.topics.seeded import codebook_seed_terms

ROOT = Path(__file__).resolve().parents[2] / "qualcoop"


class SynonymRule(KeywordRule):
    """A kind registered only as version 2 (the bug of issue 14: it validated, then failed to compile)."""

    fields = {"terms": (), "groups": ()}

    @classmethod
    def check(cls, rule):
        if not rule.terms and not rule.groups:
            return ["rule kind 'synonym' needs `terms` or `groups`"]
        return []

    @classmethod
    def terms(cls, rule):
        return (*rule.terms, *(t for g in rule.groups for t in g))

    def __init__(self, rule, builder, *, qid, negation, terms=None):
        super().__init__(rule, builder, qid=qid, negation=negation,
                         terms=[t for t in type(self).terms(rule)])


@pytest.fixture
def synonym_v2():
    rule_kinds.register("synonym.v2")(SynonymRule)
    yield
    rule_kinds.unregister("synonym.v2")


def _cb(kind: str, **fields) -> Codebook:
    return Codebook("t", "1", [Code("c", "C", rules=[Rule("r", kind, **fields)]),
                               Code("d", "D", rules=[Rule("s", "phrase", terms=["car"])])], languages=("en",))


@pytest.mark.parametrize("written", ["synonym", "synonym.v2"])
def test_a_kind_registered_only_as_v2_validates_compiles_codes_and_is_recorded(synonym_v2, written):
    cb = _cb(written, groups=[["automobile", "car"]])
    assert [p for p in validate_codebook(cb) if p.kind == "error"] == []
    doc = Document("d1", "An automobile is a car.", lang="en")
    codings = apply_codebook([doc], cb, unit="document")
    assert sorted(e.text for c in codings if c.code_id == "c" for e in c.evidence) == ["automobile", "car"]
    prov = next(iter(codings)).provenance
    assert prov.details["rule_kinds"]["c/r"] == "synonym.v2"
    assert prov.details["rule_kinds"]["d/s"] == "phrase.v1"
    # its words count for shared terms (validation), coverage and seeded topics
    assert any("term 'car' is listed in 2 codes" in p.message for p in validate_codebook(cb))
    assert ("automobile", None) in codebook_seed_terms(cb)["c"]
    cov = codebook_coverage(codings)
    assert "car" in set(cov.loc[cov.issue == "shared_term", "term"])


def test_an_unregistered_version_fails_in_validation_and_in_compilation_alike(synonym_v2):
    cb = _cb("synonym.v1", terms=["car"])
    problems = validate_codebook(cb)
    assert any("unknown rule kind 'synonym.v1'" in p.message for p in problems)
    with pytest.raises(RuleError, match="unknown rule kind 'synonym.v1'"):
        compile_codebook(cb)


def test_the_kinds_check_is_what_validation_reports_and_what_compilation_refuses(synonym_v2):
    cb = _cb("synonym")
    msgs = [p.message for p in validate_codebook(cb) if p.kind == "error"]
    assert msgs == ["rule kind 'synonym' needs `terms` or `groups`"]
    with pytest.raises(RuleError, match="needs `terms` or `groups`"):
        compile_codebook(cb)
    # a field the kind does not read is reported as ignored
    warn = [p.message for p in validate_codebook(_cb("synonym", terms=["x"], window=3)) if p.kind == "warning"]
    assert "`window` is ignored by rule kind 'synonym'" in warn


def test_resolver_takes_the_highest_version(synonym_v2):
    rule_kinds.register("synonym.v3")(SynonymRule)
    try:
        assert kinds.resolve("synonym")[0] == "synonym.v3"
        assert kinds.resolve("synonym.v2")[0] == "synonym.v2"
    finally:
        rule_kinds.unregister("synonym.v3")
    assert kinds.resolve("synonym")[0] == "synonym.v2"
    assert kinds.resolve("phrase") == kinds.resolve("phrase.v1")


def test_every_registered_kind_implements_the_protocol():
    for name, cls in rule_kinds.items():
        assert callable(cls.compile), name
        assert set(cls.fields) <= set(kinds.KIND_FIELD_NAMES), name
        assert isinstance(cls.check(Rule("x", name)), list), name
        assert isinstance(cls.terms(Rule("x", name, terms=("a",))), tuple), name
        assert isinstance(cls.silent, bool), name
        assert kinds.example_rules(name), f"{name} has no examples"


def test_silent_kinds_contribute_no_terms():
    rule = Rule("n", "not", rules=(Rule("n.1", "phrase", terms=("railway",)),))
    assert list(kinds.contributed_terms(rule)) == []
    rule = Rule("a", "all", lang="id", rules=(Rule("a.1", "near", groups=(("x",), ("y",))),))
    assert [(t, lang) for _, t, lang in kinds.contributed_terms(rule)] == [("x", "id"), ("y", "id")]


_KIND_NAMES = {"keyword", "phrase", "lemma", "stem", "glob", "regex", "pattern", "all", "any", "not", "near",
               "exclude"}


def _named_kinds(tree: ast.AST) -> list[int]:
    """Lines comparing something's ``.kind`` with a rule-kind name, or testing membership."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        if not any(isinstance(s, ast.Attribute) and s.attr == "kind" for s in sides):
            continue
        for s in sides:
            consts = [s] if isinstance(s, ast.Constant) else list(getattr(s, "elts", []))
            if any(isinstance(c, ast.Constant) and c.value in _KIND_NAMES for c in consts):
                lines.append(node.lineno)
    return lines


def test_no_module_outside_the_kind_classes_names_a_rule_kind():
    offenders = {}
    for path in ROOT.rglob("*.py"):
        if path.relative_to(ROOT).as_posix() == "match/rules.py":
            continue
        found = _named_kinds(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            offenders[path.relative_to(ROOT).as_posix()] = found
    assert offenders == {}
