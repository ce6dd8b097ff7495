"""Third-party plugins through entry points: the example package (examples/qualcoop-plugin-example)
is pip-installed and adds a rule kind, an input format and a table format without touching
qualcoop's files; validation, coding, coverage, seeded topics, ``codebook show`` and
``qualcoop formats`` see them. A plugin that fails to import is reported with its distribution
and breaks nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from helpers_plugins import REPO, pip_install_target

CODEBOOK = """\
name: plug
version: "1"
languages: [en, id]
codes:
  - id: coop
    name: Cooperation
    rules:
      - {id: p, kind: prefix, terms: [cooperat, kerja sama]}
  - id: train
    name: Training
    rules:
      - {id: t, kind: prefix.v1, terms: [train]}
      - {id: w, kind: phrase, terms: [workshop]}
  - id: other
    name: Other
    rules:
      - {id: o, kind: prefix, terms: [cooperat]}
"""

ORG = """\
* Cooperation with the ILO
The cooperative programme trains workers in a workshop.

** Bahasa
Kerja samanya berjalan baik.
"""


def run(*args: str, sites: tuple[Path, ...] = ()) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *map(str, sites), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["COLUMNS"] = "200"
    return subprocess.run([sys.executable, "-m", "qualcoop", *args], capture_output=True, text=True, timeout=300,
                          env=env, cwd=REPO)


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory) -> Path:
    """A second installed distribution whose plugins fail to import."""
    src = tmp_path_factory.mktemp("broken-src") / "qualcoop-broken-plugin"
    (src / "qualcoop_broken_plugin").mkdir(parents=True)
    (src / "pyproject.toml").write_text(textwrap.dedent("""\
        [build-system]
        requires = ["setuptools>=65", "wheel"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "qualcoop-broken-plugin"
        version = "0.0.1"
        [project.entry-points."qualcoop.rule_kinds"]
        "broken.v1" = "qualcoop_broken_plugin:BrokenRule"
        [project.entry-points."qualcoop.extractors"]
        "broken.v1" = "qualcoop_broken_plugin:BrokenExtractor"
        [tool.setuptools]
        packages = ["qualcoop_broken_plugin"]
        """), encoding="utf-8")
    (src / "qualcoop_broken_plugin" / "__init__.py").write_text(
        "import a_library_that_is_not_installed  # noqa: F401\n", encoding="utf-8")
    target = tmp_path_factory.mktemp("broken-site") / "site"
    pip_install_target(src, target)
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.org").write_text(ORG, encoding="utf-8")
    (tmp_path / "docs" / "plain.txt").write_text("Cooperation needs training.\n", encoding="utf-8")
    (tmp_path / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    return tmp_path


def test_the_entry_points_are_real_installed_metadata(with_plugin):
    from importlib.metadata import distribution

    dist = distribution("qualcoop-plugin-example")
    assert Path(str(dist.locate_file(""))).resolve() == with_plugin.resolve()
    names = {(ep.group, ep.name) for ep in dist.entry_points}
    assert names == {("qualcoop.rule_kinds", "prefix.v1"), ("qualcoop.extractors", "org.v1"),
                     ("qualcoop.table_formats", "tsv.v1")}


def test_plugins_are_loaded_lazily_by_name(with_plugin):
    from qualcoop.registry import extractors, rule_kinds

    assert "prefix.v1" in rule_kinds.names() and "org.v1" in extractors.names()
    assert "qualcoop_plugin_example.kinds" not in sys.modules  # listed, not imported
    rule_kinds.get("prefix.v1")
    assert "qualcoop_plugin_example.kinds" in sys.modules
    assert "qualcoop_plugin_example.org" not in sys.modules
    assert rule_kinds.source("prefix.v1") == "entry point (qualcoop-plugin-example)"


def test_formats_lists_the_plugins_with_their_distribution(plugin_site):
    got = run("formats", sites=(plugin_site,))
    assert got.returncode == 0, got.stderr
    for name in ("prefix.v1", "org.v1", "tsv.v1", "phrase.v1", "csv.v1", "pdf.pypdfium2.v1"):
        assert name in got.stdout
    assert got.stdout.count("qualcoop-plugin-example") == 3
    assert ".org" in got.stdout and ".tsv" in got.stdout
    without = run("formats", sites=())
    assert "prefix.v1" not in without.stdout and "phrase.v1" in without.stdout


def test_cli_validates_shows_codes_and_reads_back_through_the_plugins(plugin_site, project):
    cb = str(project / "cb.yaml")
    got = run("codebook", "check", cb, sites=(plugin_site,))
    assert got.returncode == 0 and "OK (3 codes, 4 rules" in got.stdout, got.stdout + got.stderr
    assert "term 'cooperat' is listed in 2 codes" in got.stderr  # the plugin kind's words count
    got = run("codebook", "show", cb, "--rules", sites=(plugin_site,))
    assert got.returncode == 0, got.stderr
    assert "prefix.v1" in got.stdout and "cooperat, kerja sama" in got.stdout
    # without the plugin installed the kind is unknown, and said so
    got = run("codebook", "check", cb)
    assert got.returncode == 2 and "unknown rule kind 'prefix'" in got.stderr

    out = project / "coded.tsv"
    got = run("code", str(project / "docs"), "-c", cb, "--lang", "en", "-o", str(out), sites=(plugin_site,))
    assert got.returncode == 0, got.stderr
    assert "2 document(s)" in got.stderr  # the folder walk picked up the .org file
    table = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    org = table[table.source.str.endswith("notes.org")]
    assert set(org.code_id) == {"coop", "train", "other"}
    assert "cooperative" in set(org[org.code_id == "coop"].matched_terms.str.split(";").sum())
    assert "Kerja samanya" in ";".join(org.matched_terms)
    # the table format reads its own output back
    got = run("stats", str(out), sites=(plugin_site,))
    assert got.returncode == 0, got.stderr
    assert "coop" in got.stdout and "train" in got.stdout
    # extract: .org headings are regions, so article segments are the sections
    segs = project / "segments.tsv"
    got = run("extract", str(project / "docs" / "notes.org"), "--unit", "article", "-o", str(segs),
              sites=(plugin_site,))
    assert got.returncode == 0, got.stderr
    frame = pd.read_csv(segs, sep="\t", dtype=str, keep_default_na=False)
    assert list(frame.extractor) == ["org.v1"] * len(frame) and len(frame) >= 2


def test_library_layers_see_the_plugin_kind(with_plugin, project):
    from qualcoop.analysis import codebook_coverage
    from qualcoop.codebook import load_codebook, validate_codebook
    from qualcoop.extract import extract_file
    from qualcoop.match import apply_codebook
    from qualcoop.model import Code, Codebook, Rule
    from qualcoop.topics.seeded import codebook_seed_terms

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cb = load_codebook(project / "cb.yaml")
    doc = extract_file(project / "docs" / "notes.org")
    assert doc.source.extractor == "org.v1" and [r.kind for r in doc.regions] == ["heading", "heading"]
    codings = apply_codebook([doc], cb, unit="paragraph", lang="en")
    assert next(iter(codings)).provenance.details["rule_kinds"]["coop/p"] == "prefix.v1"
    # fast token path and spaCy reference path agree on the plugin kind
    ref = apply_codebook([doc], cb, unit="paragraph", lang="en", prefilter=False)
    assert sorted((c.code_id, c.start, tuple(c.evidence)) for c in codings) == \
        sorted((c.code_id, c.start, tuple(c.evidence)) for c in ref)
    cov = codebook_coverage(codings)
    assert ("cooperat", "coop") in set(zip(cov.term, cov.code_id))
    seeds = codebook_seed_terms(cb)
    assert ("kerja sama", None) in seeds["coop"] and ("train", None) in seeds["train"]
    # the plugin kind's check is its validation, located to the rule
    bad = Codebook("b", "1", [Code("c", "C", rules=[Rule("r", "prefix", terms=("",), line=7)])])
    msgs = [(p.rule_id, p.message) for p in validate_codebook(bad)]
    assert ("r", "prefix term '' is empty or not text") in msgs


def test_a_failing_plugin_is_reported_with_its_distribution_and_breaks_nothing(plugin_site, broken_site, project):
    got = run("formats", sites=(plugin_site, broken_site))
    assert got.returncode == 0, got.stderr
    assert "2 plugin(s) could not be loaded" in got.stderr
    assert "qualcoop-broken-plugin" in got.stderr and "a_library_that_is_not_installed" in got.stderr
    assert "prefix.v1" in got.stdout and "org.v1" in got.stdout
    out = project / "coded.csv"
    got = run("code", str(project / "docs"), "-c", str(project / "cb.yaml"), "--lang", "en", "-o", str(out),
              sites=(plugin_site, broken_site))
    assert got.returncode == 0, got.stderr
    assert "2 document(s)" in got.stderr
    # a codebook using the broken kind names the distribution
    (project / "broken.yaml").write_text(CODEBOOK.replace("kind: phrase", "kind: broken"), encoding="utf-8")
    got = run("code", str(project / "docs"), "-c", str(project / "broken.yaml"), sites=(plugin_site, broken_site))
    assert got.returncode == 2
    assert "rule kind 'broken' could not be loaded" in got.stderr and "qualcoop-broken-plugin" in got.stderr


def test_a_segmenter_registered_in_code_is_a_unit():
    from qualcoop.model import Document, Segment
    from qualcoop.registry import segmenters
    from qualcoop.segment import segment

    @segmenters.register("halves.v1")
    def halves(doc, **_):
        mid = len(doc.text) // 2
        return (Segment(doc.id, 0, mid, "halves", 0), Segment(doc.id, mid, len(doc.text), "halves", 1))

    try:
        doc = Document("d", "abcdef")
        assert [doc.text[s.start:s.end] for s in segment(doc, "halves")] == ["abc", "def"]
        assert segment(doc, "halves.v1") == segment(doc, "halves")
    finally:
        segmenters.unregister("halves.v1")
