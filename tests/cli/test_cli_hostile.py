"""The CLI under hostile input (issue 15 items 1, 6, 7, 9, 14): markup in data, crashes, full disk,
too-expensive patterns. Every command runs through the real entry point (``python -m qualcoop``)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
import generators as G  # noqa: E402


def run(*args: str, env: dict | None = None, preexec=None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qualcoop", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, preexec_fn=preexec)


def _no_traceback(got: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in got.stderr and "Traceback" not in got.stdout, got.stderr[-3000:]


# --------------------------------------------------------------------------- markup


def test_markup_in_folder_names_file_names_and_failures(tmp_path):
    """Messages went through rich markup: a `[/x]` in a path or parser message was a MarkupError traceback."""
    folder = tmp_path / "evil [red] x["  # with the file names below, paths hold "x[/bad]": a closing tag
    folder.mkdir()
    (folder / "good [link=x].txt").write_text("Training for workers.\n", encoding="utf-8")
    (folder / "bad].docx").write_bytes(b"PK\x03\x04 not a zip [/x]")
    (folder / "bad].vtt").write_text("WEBVTT\n\n00:00:01.000 --> nonsense [/x]\n[/x]\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    got = run("extract", str(folder), "-o", str(out))
    _no_traceback(got)
    assert got.returncode == 1, got.stderr
    assert "evil [red] x[/bad].docx" in got.stderr
    assert len([ln for ln in got.stderr.splitlines() if "x[/bad]" in ln]) == 2  # one line per failed file
    assert out.stat().st_size > 0


def test_markup_in_kwic_terms_and_code_ids(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("Training [/x] here and training [bold] there.\n", encoding="utf-8")
    got = run("kwic", str(doc), "--term", "[/x]", "--term", "training")
    _no_traceback(got)
    assert got.returncode == 0 and "[/x]" in got.stdout
    cb = tmp_path / "cb.yaml"
    cb.write_text(G.hostile_codebooks(__import__("random").Random(0))["markup_ids"], encoding="utf-8")
    out = tmp_path / "coded.csv"
    got = run("code", str(doc), "--codebook", str(cb), "-o", str(out))
    _no_traceback(got)
    assert got.returncode == 0, got.stderr
    assert "evil[" in got.stdout and out.read_text(encoding="utf-8").count("evil[") >= 1
    got = run("codebook", "show", str(cb))
    _no_traceback(got)
    assert got.returncode == 0 and "evil[" in got.stdout


# --------------------------------------------------------------------------- patterns


def test_codebook_check_reports_a_too_expensive_regex(tmp_path):
    """`codebook check` on `((((a{100}){100}){100}){100})` reached 22 GB and was killed."""
    cb = tmp_path / "bomb.yaml"
    cb.write_text(G.codebook_yaml([G.regex_rule(G.nested_repeat()),
                                   G.spacy_regex_rule(G.nested_repeat(), rid="p")]), encoding="utf-8")

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, resource.RLIM_INFINITY))

    got = run("codebook", "check", str(cb), preexec=cap, timeout=120)
    _no_traceback(got)
    assert got.returncode == 2
    assert got.stderr.count("limit MAX_REGEX_PROGRAM") == 2 and "'r'" in got.stderr and "'p'" in got.stderr


def test_speaker_pattern_bomb_fails_each_file_typed(tmp_path):
    (tmp_path / "t.txt").write_text("A: hello\n\nB: hi\n", encoding="utf-8")
    got = run("extract", str(tmp_path), "--transcript", "--speaker-pattern",
              "(?P<speaker>" + G.nested_repeat() + ")", "-o", str(tmp_path / "o.jsonl"), timeout=120)
    _no_traceback(got)
    assert got.returncode == 1 and "SpeakerPatternError" in got.stderr and "MAX_REGEX_PROGRAM" in got.stderr


def test_one_bad_rule_over_many_documents_is_bounded_per_run(tmp_path):
    """31 documents with one bad rule: the budget reset per document through the CLI."""
    for i in range(31):
        (tmp_path / f"d{i:02d}.txt").write_text("a" * 30 + "!\n", encoding="utf-8")
    cb = tmp_path / "cb.yaml"
    cb.write_text(G.codebook_yaml([G.regex_rule("(a|aa)+$")]), encoding="utf-8")
    got = run("code", str(tmp_path), "--codebook", str(cb))
    _no_traceback(got)
    assert got.returncode == 0
    assert "on 20 segment(s)" in got.stderr and "not run on the remaining" in got.stderr


def test_one_bad_rule_is_bounded_per_run_across_worker_processes(tmp_path):
    """With ``--workers 2`` each worker switched the rule off after its own 20 time-outs (40 in the
    run, more with more workers); the counts are shared by the forked workers now. A worker may read
    the count just before another one adds to it, so the run total may pass 20 by one per extra worker."""
    import re

    for i in range(60):
        (tmp_path / f"d{i:02d}.txt").write_text("a" * 30 + "!\n", encoding="utf-8")
    cb = tmp_path / "cb.yaml"
    cb.write_text(G.codebook_yaml([G.regex_rule("(a|aa)+$")]), encoding="utf-8")
    got = run("code", str(tmp_path), "--codebook", str(cb), "--workers", "2", "-o", str(tmp_path / "o.csv"))
    _no_traceback(got)
    assert got.returncode == 0, got.stderr[-2000:]
    counts = [int(n) for n in re.findall(r"on (\d+) segment\(s\)", got.stderr)]
    assert counts and sum(counts) <= 20 + 1, got.stderr[-2000:]
    assert sum(counts) >= 20 and "not run on the remaining" in got.stderr


# --------------------------------------------------------------------------- crashes and disks


def test_unexpected_exception_is_one_line_and_a_log(tmp_path):
    (tmp_path / "a.txt").write_text("Training.\n", encoding="utf-8")
    code = ("import sys; import qualcoop.cli.app as a\n"
            "def boom(*_a, **_k): raise RuntimeError('boom [/x]')\n"
            "a._print_counts = boom\n"
            "sys.argv = ['qualcoop', 'code', sys.argv[1], '--codebook', 'international_cooperation']\n"
            "a.main()\n")
    got = subprocess.run([sys.executable, "-c", code, str(tmp_path / "a.txt")], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "QUALCOOP_LOG_DIR": str(tmp_path)})
    _no_traceback(got)
    assert got.returncode == 1
    lines = [ln for ln in got.stderr.splitlines() if "internal error" in ln]
    assert len(lines) == 1 and "RuntimeError: boom [/x]" in lines[0]
    logs = list(tmp_path.glob("qualcoop-crash-*.log"))
    assert len(logs) == 1 and str(logs[0]) in lines[0]
    assert "Traceback" in logs[0].read_text(encoding="utf-8") and "boom" in logs[0].read_text(encoding="utf-8")


def test_full_disk_is_a_clear_error(tmp_path):
    """A full disk ended in an OSError traceback. Simulated with a file-size limit (EFBIG)."""
    for i in range(5):
        (tmp_path / f"d{i}.txt").write_text("Training for workers. " * 400 + "\n", encoding="utf-8")

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    out = tmp_path / "out.jsonl"
    out.write_text("OLD\n", encoding="utf-8")
    got = run("extract", str(tmp_path), "-o", str(out), preexec=small_files)
    _no_traceback(got)
    assert got.returncode == 1 and "cannot write" in got.stderr
    assert out.read_text(encoding="utf-8") == "OLD\n"  # atomic outputs: the old file is untouched


@pytest.mark.slow
def test_huge_paragraph_with_sentence_unit_beside_good_files(tmp_path):
    """A paragraph over spaCy's 1,000,000 characters with --unit sentence raised E088: `code` wrote
    nothing for the good files beside it, `extract` an empty JSONL."""
    (tmp_path / "good.txt").write_text("The ILO funds training.\n", encoding="utf-8")
    (tmp_path / "huge.txt").write_text("Training is good. " * 60_000 + "\n", encoding="utf-8")  # 1.08M chars
    out = tmp_path / "coded.csv"
    got = run("code", str(tmp_path), "--codebook", "international_cooperation", "--unit", "sentence",
              "-o", str(out))
    _no_traceback(got)
    assert got.returncode == 0, got.stderr
    text = out.read_text(encoding="utf-8")
    assert "The ILO funds training." in text and text.count("Training is good.") >= 60_000


def test_unknown_output_format_is_exit_2_without_traceback(tmp_path):
    """`-o out.txt` was rejected only after all the work, with a TableFormatError traceback and exit 1
    (the docs say 2). Checked up front now: a file that would take the whole time-out is never read."""
    (tmp_path / "a.txt").write_text("Training.\n", encoding="utf-8")
    (tmp_path / "slow.vtt").write_text(G.vtt_many_cues(200_000), encoding="utf-8")
    for cmd in (["code", "--codebook", "international_cooperation"], ["extract"]):
        got = run(*cmd, str(tmp_path), "--timeout", "60", "-o", str(tmp_path / "out.txt"), timeout=60)
        _no_traceback(got)
        assert got.returncode == 2 and "out.txt" in got.stderr and "files (" not in got.stderr


def test_liwc_and_quanteda_globs_are_linear(tmp_path):
    from qualcoop.codebook import load_codebook
    from qualcoop.match import compile_codebook
    from qualcoop.model import Document, Segment

    dic = tmp_path / "d.dic"
    dic.write_text("%\n1\tbomb\n%\na*a*a*a*a*a*a*a*b\t1\n", encoding="utf-8")
    yml = tmp_path / "q.yml"
    yml.write_text("bomb:\n  - a*a*a*a*a*a*a*a*b\n", encoding="utf-8")
    doc = Document("d", "a" * 3_000 + " and " + "a" * 20 + "b", lang="en")
    seg = Segment("d", 0, len(doc.text), "paragraph", 0)
    for path in (dic, yml):
        got = compile_codebook(load_codebook(path)).code_segment(doc, seg, "en")
        assert [e.text for m in got for e in m.evidence] == ["a" * 20 + "b"]


def test_multi_line_parser_messages_stay_on_one_line(tmp_path):
    """Found by the fuzzer (seed 5, long profile): a YAML reader message holds a newline."""
    (tmp_path / "ctl.md").write_bytes(b"---\na: b\x01c\n---\nBody.\n")
    (tmp_path / "good.txt").write_text("Training.\n", encoding="utf-8")
    got = run("extract", str(tmp_path), "-o", str(tmp_path / "o.jsonl"))
    _no_traceback(got)
    lines = [ln for ln in got.stderr.splitlines() if "ctl.md" in ln]
    assert got.returncode == 1 and len(lines) == 1 and "MetadataError" in lines[0]


# --------------------------------------------------------------------------- --memory-limit


@pytest.mark.parametrize("command", [["extract"], ["code", "--codebook", "international_cooperation"],
                                     ["batch", "--codebook", "international_cooperation"]])
def test_memory_limit_option_caps_the_extraction_child(tmp_path, command):
    """The memory cap could only be set through QUALCOOP_EXTRACT_MEMORY_MB; ``--memory-limit MB``
    sets it per command: a DOCX that needs more than a tiny cap fails alone with a
    ResourceLimitError naming the limit, the good file beside it is written, exit 1."""
    import json

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "many.docx").write_bytes(G.docx_many_paragraphs(200_000))
    (tmp_path / "in" / "good.txt").write_text("Training and capacity building.\n", encoding="utf-8")
    out = tmp_path / ("o.jsonl" if command[0] == "extract" else "o.csv")
    extra = ["--errors", str(tmp_path / "errors.jsonl")] if command[0] == "batch" else []
    got = run(*command[:1], str(tmp_path / "in"), *command[1:], "--memory-limit", "40", "-o", str(out), *extra,
              env={"QUALCOOP_EXTRACT_MEMORY_MB": "4096"})
    _no_traceback(got)
    assert got.returncode == 1, got.stderr[-2000:]
    assert "many.docx" in got.stderr and "EXTRACT_MEMORY_MB" in got.stderr and "--memory-limit" in got.stderr
    assert out.exists()
    if command[0] == "extract":
        assert "good" in out.read_text(encoding="utf-8")
    if command[0] == "batch":
        rows = [json.loads(line) for line in (tmp_path / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
        assert [(r["error"], r["type"]) for r in rows if "many.docx" in r["path"]] == [("ResourceLimitError",
                                                                                        "memory")]


def test_memory_limit_option_is_checked():
    got = run("extract", ".", "--memory-limit", "-5")
    assert got.returncode == 2 and "--memory-limit" in got.stderr
