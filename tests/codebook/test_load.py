"""Finding codebooks by name or path, choosing the format, saving."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcoop.codebook import (CODEBOOK_PATH_ENV, available_codebooks, codebook_dirs, codebook_format,
                               load_codebook, save_codebook, validate_codebook)
from qualcoop.errors import CodebookError, RegistryError

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "codebooks"

TINY = """\
name: tiny
version: "0.1"
languages: [en, id]
codes:
  - id: aid
    name: Development aid
    rules:
      - {id: en, kind: phrase, lang: en, terms: [development aid, grant]}
      - {id: id, kind: phrase, lang: id, terms: [bantuan pembangunan, hibah]}
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    d = tmp_path / "books"
    d.mkdir()
    (d / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (d / "notes.txt").write_text("not a codebook", encoding="utf-8")
    monkeypatch.setenv(CODEBOOK_PATH_ENV, f"{tmp_path / 'missing'}{__import__('os').pathsep}{d}")
    return d


def test_lookup_by_name_through_the_env_var(folder):
    cb = load_codebook("tiny")
    assert cb.name == "tiny" and cb.version == "0.1"
    assert cb.path == str(folder / "tiny.yaml")
    assert [r.qualified_id for r in cb.get("aid").rules] == ["aid/en", "aid/id"]
    assert cb.get("aid").rules[1].terms == ("bantuan pembangunan", "hibah")
    assert "tiny" in available_codebooks()
    assert "notes" not in available_codebooks()
    dirs = codebook_dirs()
    assert dirs[0] == folder.parent / "missing" and dirs[1] == folder
    assert dirs[-1] == REPO / "codebooks"


def test_env_folders_come_before_the_shipped_ones(folder, tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir()
    (other / "tiny.json").write_text(
        '{"name": "tiny", "version": "9", "codes": [{"id": "x", "name": "X", '
        '"rules": [{"id": "r", "kind": "keyword", "terms": ["x"]}]}]}', encoding="utf-8")
    monkeypatch.setenv(CODEBOOK_PATH_ENV, f"{other}{__import__('os').pathsep}{folder}")
    assert load_codebook("tiny").version == "9"


def test_unknown_name_lists_what_is_available(folder):
    with pytest.raises(CodebookError) as info:
        load_codebook("no_such_codebook")
    assert "no shipped codebook named 'no_such_codebook'" in str(info.value)
    assert "tiny" in str(info.value)
    with pytest.raises(CodebookError, match="no such file"):
        load_codebook(folder / "absent.yaml")


def test_format_by_suffix_sniffing_and_override(tmp_path):
    assert codebook_format(DATA / "bad.yaml") == "qualcoop.yaml.v1"
    assert codebook_format(DATA / "kerjasama_quanteda.yml") == "quanteda.yaml.v1"
    assert codebook_format(DATA / "kerjasama.dic") == "liwc.dic.v1"
    assert codebook_format(DATA / "codebook.csv") == "csv.v1"
    odd = tmp_path / "dictionary.txt"
    odd.write_text((DATA / "kerjasama_quanteda.yml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CodebookError, match="cannot tell the codebook format"):
        load_codebook(odd)
    cb = load_codebook(odd, format="quanteda.yaml.v1")
    assert cb.get("kerjasama.keuangan.hibah").rules[0].terms == ("hibah", "grant*")
    with pytest.raises(RegistryError, match="no codebook reader named 'yaml'"):
        load_codebook(odd, format="yaml")
    # a qualcoop file that forgot `codes:` is still ours (and says so), not a dictionary
    half = tmp_path / "half.yaml"
    half.write_text("name: half\nversion: '1'\n", encoding="utf-8")
    assert codebook_format(half) == "qualcoop.yaml.v1"


def test_save_picks_the_writer_from_the_suffix(tmp_path, folder):
    cb = load_codebook("tiny")
    save_codebook(cb, tmp_path / "a.json")
    save_codebook(cb, tmp_path / "a.yml")
    assert (tmp_path / "a.json").read_text(encoding="utf-8").startswith('{\n  "name": "tiny"')
    assert (tmp_path / "a.yml").read_text(encoding="utf-8").startswith("name: tiny\nversion: '0.1'\n")
    for f in ("a.json", "a.yml"):
        assert load_codebook(tmp_path / f).to_dict() == cb.to_dict()
    with pytest.raises(CodebookError, match="cannot tell the format to write"):
        save_codebook(cb, tmp_path / "a.txt")  # (.dic, .csv and .qdc have writers since the refi branch)
    with pytest.raises(RegistryError):
        save_codebook(cb, tmp_path / "a.yaml", format="nope.v1")


def test_validate_accepts_names_and_reports_missing_files(folder):
    assert validate_codebook("tiny") == []
    (p,) = validate_codebook(folder / "gone.yaml")
    assert p.message == "no such file"


def test_non_utf8_file_is_located(tmp_path):
    f = tmp_path / "latin.yaml"
    f.write_bytes(b"name: x\nversion: '1'\ncodes:\n  - {id: a, name: \xe9t\xe9}\n")
    (p,) = validate_codebook(f)
    assert p.line == 4 and "not UTF-8" in p.message


def test_shipped_default_codebook_loads_without_errors(monkeypatch):
    monkeypatch.delenv(CODEBOOK_PATH_ENV, raising=False)
    assert "international_cooperation" in available_codebooks()
    problems = validate_codebook("international_cooperation")
    assert [str(p) for p in problems] == []   # no errors and no warnings
    cb = load_codebook("international_cooperation")
    assert cb.name == "international_cooperation"
    assert set(cb.languages) == {"en", "id"}
    assert cb.path == str(REPO / "codebooks" / "international_cooperation.yaml")
    assert all(c.line is not None for c in cb)
    assert all(r.line is not None and r.code_id == c.id for c in cb for r in c.rules)
