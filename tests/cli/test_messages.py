"""Messages for people at a terminal (issue 13.7): CLI options named, warnings one line each and
grouped, paths never wrapped, --encoding, no install noise, README says how to reach the command."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from qualcoop.cli.messages import for_terminal

REPO = Path(__file__).resolve().parents[2]
RUSSIAN = "Привет мир, это тест кодировки текста для проверки.\n"


def run(*args: str, columns: int = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "qualcoop", *args], capture_output=True, text=True,
                          timeout=300, env=env)


def test_library_wording_becomes_cli_options():
    assert for_terminal("it needs a password: pass ExtractOptions(password=...)") == "it needs a password: use --password"
    assert for_terminal("low confidence 0.4; set options.encoding if the text looks wrong") == \
        "low confidence 0.4; use --encoding if the text looks wrong"
    assert for_terminal("not UTF-8; set options.encoding to force one") == "not UTF-8; use --encoding to force one"
    assert for_terminal("(x); set options.errors='replace' to replace them") == "(x); use --replace-undecodable to replace them"


def test_warnings_are_one_line_each_grouped_and_paths_whole(tmp_path):
    folder = tmp_path / ("a_rather_long_folder_name_for_field_notes_from_the_bali_cooperative_visits_2024" * 2)
    folder.mkdir()
    for i in range(2):
        (folder / f"catatan_lapangan_{i}.txt").write_bytes(RUSSIAN.encode("cp1251"))
    got = run("extract", str(folder), "-o", str(tmp_path / "s.jsonl"))
    assert got.returncode == 0, got.stderr
    err = got.stderr
    assert "ExtractionQualityWarning:" not in err and "warnings.warn" not in err and "result:" not in err
    assert "options.encoding" not in err and "use --encoding" in err
    assert "2 encoding warning(s):" in err
    lines = err.splitlines()
    for i in range(2):
        path = str(folder / f"catatan_lapangan_{i}.txt")
        assert any(path in ln for ln in lines), err  # the whole path on one line, never cut
    got = run("extract", str(folder), "-o", str(tmp_path / "s.jsonl"), "--encoding", "cp1251")
    assert got.returncode == 0 and "warning(s)" not in got.stderr, got.stderr
    text = (tmp_path / "s.jsonl").read_text(encoding="utf-8")
    assert "Привет мир" in text


def test_failed_file_message_names_the_cli_option(shared, tmp_path):
    pdf = shared / "pdfs" / "pdfminer_six" / "encryption__aes-128.pdf"
    got = run("extract", str(pdf), "-o", str(tmp_path / "x.jsonl"))
    assert got.returncode == 1
    assert "use --password" in got.stderr and "ExtractOptions" not in got.stderr


def test_packaging_metadata_has_no_licence_table():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["project"]["license"] == "MIT"  # an SPDX string, not the deprecated {text = ...} table
    assert any(r.replace(" ", "").startswith("setuptools>=77") for r in config["build-system"]["requires"])


def test_readme_says_how_to_reach_the_command_after_make_demo():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/qualcoop" in readme and "source .venv/bin/activate" in readme


def test_unknown_encoding_is_a_usage_error(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    got = run("extract", str(tmp_path), "--encoding", "klingon-8", "-o", str(tmp_path / "o.jsonl"), columns=200)
    assert got.returncode == 2 and "unknown encoding 'klingon-8'" in " ".join(got.stderr.split())
