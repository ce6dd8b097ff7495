"""Bounded parsers and nothing escaping a document (issue 15 items 4, 5, 6, 11, 13)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fuzz"))
import generators as G  # noqa: E402

from qualcoop.errors import (  # noqa: E402
    AnalysisError, CodebookError, ExtractionTimeoutError, InternalError, MetadataError, ResourceLimitError)
from qualcoop.extract import extract_file  # noqa: E402
from qualcoop.extract.base import ExtractOptions  # noqa: E402

# --------------------------------------------------------------------------- YAML


def test_front_matter_alias_bomb_is_refused(tmp_path):
    """400 bytes of 8-level front matter -> 3.4 GB RSS, 47 s and 1.16 GB of output, accepted."""
    p = tmp_path / "bomb.md"
    p.write_text(G.front_matter_bomb(8), encoding="utf-8")
    t = time.perf_counter()
    with pytest.raises(MetadataError) as info:
        extract_file(p)
    assert "MAX_YAML_NODES" in str(info.value) and info.value.path.endswith("bomb.md")
    assert time.perf_counter() - t < 10


def test_metadata_yaml_alias_bomb_is_refused(tmp_path):
    (tmp_path / "metadata.yaml").write_text(G.metadata_bomb(8), encoding="utf-8")
    (tmp_path / "a.txt").write_text("Training.\n", encoding="utf-8")
    with pytest.raises(MetadataError) as info:
        extract_file(tmp_path / "a.txt")
    assert "MAX_YAML_NODES" in str(info.value) and "metadata.yaml" in str(info.value)


def test_small_aliases_still_work(tmp_path):
    p = tmp_path / "ok.md"
    p.write_text("---\nbase: &b {country: ID}\nother: *b\n---\nBody.\n", encoding="utf-8")
    assert extract_file(p).attributes["other"] == {"country": "ID"}


def test_deep_front_matter_is_a_typed_error(tmp_path):
    p = tmp_path / "deep.md"
    p.write_text("---\n" + "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "v\n---\nBody.\n",
                 encoding="utf-8")
    with pytest.raises(MetadataError) as info:
        extract_file(p)
    assert "MAX_NESTING" in str(info.value)


def test_quanteda_yaml_nested_500_deep(tmp_path):
    """A quanteda YAML nested 500 deep raised RecursionError."""
    from qualcoop.codebook import load_codebook

    p = tmp_path / "deep.yml"
    p.write_text(G.deep_quanteda(500), encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_codebook(p)
    assert "MAX_NESTING" in str(info.value)


def test_codebook_billion_laughs(tmp_path):
    from qualcoop.codebook import load_codebook

    p = tmp_path / "laughs.yaml"
    p.write_text(G.laughs_yaml(9) + G.codebook_yaml([G.glob_rule("x")]), encoding="utf-8")
    with pytest.raises(CodebookError):
        load_codebook(p)


# --------------------------------------------------------------------------- coded tables


def _coded(tmp_path, evidence: str) -> Path:
    import csv

    p = tmp_path / "coded.csv"
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["doc_id", "start", "end", "code_id", "text", "evidence"])
        w.writerow(["d", "0", "8", "c", "Training", evidence])
    return p


@pytest.mark.parametrize("evidence, words", [
    ("[[0, 8, 'r', false]]", "not valid JSON"),
    ("{\"a\": 1}", "JSON list"),
    ("[[0, 8, \"r\"]]", "is not [start, end"),
    ("[[-3, 2, \"r\", false]]", "outside the coded segment"),
    ("[[0, 99, \"r\", false]]", "outside the coded segment"),
    ("[[\"0\", 8, \"r\", false]]", "integer offsets"),
    ("[" * 5000 + "]" * 5000, "evidence"),
])
def test_bad_evidence_in_a_coded_table_is_a_typed_error(tmp_path, evidence, words):
    """Malformed evidence JSON raised JSONDecodeError in report/stats; bad offsets were accepted."""
    from qualcoop.analysis import read_coded_table

    with pytest.raises(AnalysisError) as info:
        read_coded_table(_coded(tmp_path, evidence))
    assert words in str(info.value) and "row 2" in str(info.value)


def test_good_evidence_still_reads(tmp_path):
    from qualcoop.analysis import read_coded_table

    cs = read_coded_table(_coded(tmp_path, '[[0,8,"c/r",false]]'))
    assert [e.text for c in cs for e in c.evidence] == ["Training"]


# --------------------------------------------------------------------------- office files and subtitles


def test_docx_runs_in_the_sandbox_with_the_memory_cap(tmp_path):
    """1M paragraphs in 2.8 MB of DOCX -> 1.47 GB in the main process; the extraction now runs in a
    child with the memory cap (a low cap for the test, instead of gigabytes of input).

    Run from a fresh interpreter: a child forked from a long test process inherits its free heap, and
    the cap counts over the process size, so the same file could fit under it there."""
    import subprocess
    import sys

    p = tmp_path / "many.docx"
    p.write_bytes(G.docx_many_paragraphs(200_000))
    code = (
        "import resource, sys\n"
        "from qualcoop.errors import ResourceLimitError\n"
        "from qualcoop.extract import extract_file\n"
        "from qualcoop.extract.base import ExtractOptions\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        f"    extract_file({str(p)!r}, options=ExtractOptions(memory_limit_mb=40))\n"
        "except ResourceLimitError as e:\n"
        "    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before\n"
        "    ok = 'EXTRACT_MEMORY_MB' in str(e) and e.path.endswith('many.docx') and grown < 100 * 1024\n"
        "    print('LIMIT' if ok else f'WRONG {e!r} {grown}')\n"
        "else:\n"
        "    print('NO LIMIT')\n"
    )
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert got.stdout.strip() == "LIMIT", (got.stdout, got.stderr[-2000:])


@pytest.mark.parametrize("name, data", [
    ("many.docx", lambda: G.docx_many_paragraphs(100_000)),
    ("many.vtt", lambda: G.vtt_many_cues(100_000).encode()),
])
def test_timeout_bounds_every_format(tmp_path, name, data):
    """`--timeout` bounded only the PDF child."""
    p = tmp_path / name
    p.write_bytes(data())
    t = time.perf_counter()
    with pytest.raises(ExtractionTimeoutError) as info:
        extract_file(p, options=ExtractOptions(timeout=0.05))
    assert time.perf_counter() - t < 5 and "EXTRACT_TIMEOUT" in str(info.value)


def test_zip_member_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCOOP_MAX_ZIP_MEMBERS", "2")
    p = tmp_path / "d.docx"
    p.write_bytes(G.docx(["Training."]))
    with pytest.raises(ResourceLimitError) as info:
        extract_file(p)
    assert "MAX_ZIP_MEMBERS = 2" in str(info.value)


def test_xxe_docx_is_refused(tmp_path):
    from qualcoop.errors import ExtractionError

    p = tmp_path / "x.docx"
    p.write_bytes(G.docx_xxe())
    with pytest.raises(ExtractionError):
        extract_file(p)


# --------------------------------------------------------------------------- nothing escapes a document


def test_an_unexpected_exception_fails_one_document(tmp_path, monkeypatch):
    import qualcoop.pipeline as pl

    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"Text of {name}.\n", encoding="utf-8")
    real = pl.segment

    def boom(doc, unit, **kw):
        if doc.source.path.endswith("a.txt"):
            raise ValueError("[E088] Text of length 100000001 exceeds maximum")
        return real(doc, unit, **kw)

    monkeypatch.setattr(pl, "segment", boom)
    got = list(pl.iter_segmented([tmp_path], unit="sentence"))
    failures = [g for g in got if not isinstance(g, tuple)]
    assert len(got) == 2 and len(failures) == 1
    assert isinstance(failures[0].error, InternalError) and "E088" in failures[0].error.message


def test_coding_exception_fails_one_document(monkeypatch):
    import qualcoop.match.apply as ap
    from qualcoop.model import Code, Codebook, Document, Rule
    from qualcoop.pipeline import code_documents

    cb = Codebook("x", "1", [Code("c", "C", rules=[Rule("r", "phrase", terms=["training"])])])
    docs = [Document("bad", "training", lang="en"), Document("good", "training", lang="en")]
    real = ap.segment_doc if hasattr(ap, "segment_doc") else None
    import qualcoop.segment as seg

    orig = seg.segment

    def boom(doc, unit, **kw):
        if doc.id == "bad":
            raise KeyError("surprise")
        return orig(doc, unit, **kw)

    monkeypatch.setattr(seg, "segment", boom)
    codings, failures = code_documents(docs, cb, unit="document")
    assert [c.doc_id for c in codings] == ["good"] and real is None
    assert len(failures) == 1 and isinstance(failures[0].error, InternalError)


def test_sentences_of_a_paragraph_longer_than_spacy_allows(monkeypatch):
    """A paragraph over spaCy's max_length with --unit sentence raised E088 (uncaught)."""
    from qualcoop.lang.pipelines import get_nlp
    from qualcoop.model import Document
    from qualcoop.segment import segment

    nlp = get_nlp("en")
    monkeypatch.setattr(nlp, "max_length", 5_000)
    monkeypatch.setenv("QUALCOOP_MAX_SENTENCE_CHARS", "5000")
    text = "The Parties agree on training. " * 1_000  # 31,000 characters, one paragraph
    segs = segment(Document("d", text, lang="en"), "sentence")
    assert len(segs) == 1_000 and all(text[s.start:s.end] == "The Parties agree on training." for s in segs)
