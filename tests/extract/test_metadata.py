"""Metadata sidecars (qualcoop.extract.metadata): CSV/YAML, nearest wins, errors with lines, caching."""

from __future__ import annotations

import codecs
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.errors import MetadataError
from qualcoop.extract import extract_file
from qualcoop.extract.metadata import MAX_PARENT_LEVELS, attributes_for, clear_cache, read_sidecar


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


def _w(path, text: str, *, bom: bool = False):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
    return path


def test_committed_sidecar(repo):
    """tests/data/text/metadata.csv: ';'-separated, BOM, CRLF, an empty cell, a row for a missing file."""
    folder = repo / "tests" / "data" / "text"
    assert attributes_for(folder / "kerjasama_cp1252.txt") == {"type": "mou", "language": "id", "year": "2019"}
    assert attributes_for(folder / "laporan_front_matter.md") == {"type": "report", "year": "2020",
                                                                  "notes": "draft"}
    assert attributes_for(folder / "latin1_notes.txt") == {}  # not named
    assert attributes_for(folder / "tidak_ada.txt") == {"type": "mou", "language": "en", "year": "2021"}


def test_csv_values_stay_strings_and_empty_cells_are_omitted(tmp_path):
    _w(tmp_path / "metadata.csv", 'filename,type,year,lang,note\nID1.docx, interview ,2019,,"a, b"\n'
                                  "\n./sub\\x.txt,mou,0012,en,\n")
    assert attributes_for(tmp_path / "ID1.docx") == {"type": "interview", "year": "2019", "note": "a, b"}
    assert attributes_for(tmp_path / "sub" / "x.txt") == {"type": "mou", "year": "0012", "lang": "en"}


def test_tab_delimited_csv(tmp_path):
    _w(tmp_path / "metadata.csv", "Path\tregion\na.txt\tBali, Indonesia\n")
    assert attributes_for(tmp_path / "a.txt") == {"region": "Bali, Indonesia"}


def test_yaml_mapping_and_list_forms(tmp_path):
    _w(tmp_path / "a" / "metadata.yaml", "wawancara_01.txt:\n  type: interview\n  year: 2019\n"
                                         "  date: 2019-03-04\n  tags: [K3, dialog]\n  note: null\n"
                                         "kosong.txt:\n")
    _w(tmp_path / "b" / "metadata.yml", "- file: mou.pdf\n  type: mou\n  signed: true\n"
                                        "- path: sub/x.txt\n  type: report\n")
    assert attributes_for(tmp_path / "a" / "wawancara_01.txt") == {
        "type": "interview", "year": 2019, "date": "2019-03-04", "tags": ["K3", "dialog"]}
    assert attributes_for(tmp_path / "a" / "kosong.txt") == {}
    assert attributes_for(tmp_path / "b" / "mou.pdf") == {"type": "mou", "signed": True}
    assert attributes_for(tmp_path / "b" / "sub" / "x.txt") == {"type": "report"}


def test_nearest_sidecar_wins_whole(tmp_path):
    _w(tmp_path / "metadata.csv", "file,type,country\nwawancara/bali/w1.txt,interview,ID\n"
                                  "wawancara/bali/w2.txt,interview,ID\nw1.txt,wrong,XX\n")
    _w(tmp_path / "wawancara" / "bali" / "metadata.yaml", "w1.txt: {type: focus_group}\n")
    # nearest names w1: its entry wins whole (no "country" merged in from the parent)
    assert attributes_for(tmp_path / "wawancara" / "bali" / "w1.txt") == {"type": "focus_group"}
    # nearest does not name w2: the parent does, by relative path
    assert attributes_for(tmp_path / "wawancara" / "bali" / "w2.txt") == {"type": "interview", "country": "ID"}
    # a bare name in a parent sidecar names only the file beside it
    assert attributes_for(tmp_path / "wawancara" / "w1.txt") == {}
    assert attributes_for(tmp_path / "w1.txt") == {"type": "wrong", "country": "XX"}


def test_parent_levels_are_limited(tmp_path):
    deep = ["l1", "l2", "l3", "l4"]
    rel = "/".join(deep[1:] + ["x.txt"])  # relative to l1: l2/l3/l4/x.txt (3 levels up from the file's folder)
    _w(tmp_path / "l1" / "metadata.csv", f"file,type\n{rel},ok\n")
    _w(tmp_path / "metadata.csv", f"file,type\n{'/'.join(deep)}/x.txt,too_far\n")
    assert MAX_PARENT_LEVELS == 3
    assert attributes_for(tmp_path.joinpath(*deep, "x.txt")) == {"type": "ok"}
    (tmp_path / "l1" / "metadata.csv").unlink()
    assert attributes_for(tmp_path.joinpath(*deep, "x.txt")) == {}  # 4 levels up is not searched


def test_csv_and_yaml_naming_the_same_file_is_an_error(tmp_path):
    _w(tmp_path / "metadata.csv", "file,type\nother.txt,x\na.txt,interview\n")
    _w(tmp_path / "metadata.yaml", "b.txt: {type: mou}\na.txt: {type: report}\n")
    with pytest.raises(MetadataError) as e:
        attributes_for(tmp_path / "b.txt")  # even for a file named once: the folder is ambiguous
    assert e.value.path == str(tmp_path / "metadata.yaml") and e.value.line == 2
    assert f"{tmp_path / 'metadata.csv'}:3" in str(e.value)


@pytest.mark.parametrize("name,text,line,match", [
    ("metadata.csv", "file,type\na.txt,x\nb.txt,y\n./a.txt,z\n", 4, "named twice"),
    ("metadata.csv", "document,type\na.txt,x\n", 1, "first column"),
    ("metadata.csv", "file,type,type\na.txt,x,y\n", 1, "appears twice"),
    ("metadata.csv", "file,type\na.txt,x,extra\n", 2, "2 columns"),
    ("metadata.csv", 'file,type\n"a.txt\n', 2, "malformed CSV"),  # the quote opened on line 2
    ("metadata.csv", "file,type\n,x\n", 2, "empty"),
    ("metadata.csv", "\n\n", None, "no header"),
    ("metadata.yaml", "a.txt:\n  type: x\na.txt:\n  type: y\n", 3, "named twice \\(first on line 1\\)"),
    ("metadata.yaml", "a.txt: {type: x, type: y}\n", 1, "duplicate key 'type'"),
    ("metadata.yaml", "a.txt: {type: [x}\n", 1, "malformed YAML"),
    ("metadata.yaml", "- file: a.txt\n  type: x\n- type: y\n", 3, "exactly one of"),
    ("metadata.yaml", "- file: a.txt\n- file: a.txt\n", 2, "named twice"),
    ("metadata.yaml", "just a string\n", 1, "must be a mapping"),
    ("metadata.yaml", "a.txt: [1, 2]\n", 1, "must be a mapping"),
])
def test_malformed_sidecars_name_path_and_line(tmp_path, name, text, line, match):
    sidecar = _w(tmp_path / name, text)
    with pytest.raises(MetadataError, match=match) as e:
        attributes_for(tmp_path / "z.txt")
    assert e.value.path == str(sidecar) and e.value.line == line
    with pytest.raises(MetadataError):
        read_sidecar(sidecar)


def test_cache_follows_changes(tmp_path):
    sidecar = _w(tmp_path / "metadata.csv", "file,type\na.txt,draft\n")
    assert attributes_for(tmp_path / "a.txt") == {"type": "draft"}
    st_ = sidecar.stat()
    _w(sidecar, "file,type\na.txt,final\n")  # same size: only the mtime tells
    os.utime(sidecar, ns=(st_.st_atime_ns, st_.st_mtime_ns + 1_000_000_000))
    assert attributes_for(tmp_path / "a.txt") == {"type": "final"}
    _w(tmp_path / "metadata.yaml", "b.txt: {type: mou}\n")  # a sidecar appearing is seen too
    assert attributes_for(tmp_path / "b.txt") == {"type": "mou"}
    sidecar.unlink()
    assert attributes_for(tmp_path / "a.txt") == {}
    got = attributes_for(tmp_path / "b.txt")
    got["type"] = "changed"  # callers get a copy, never the cached dict
    assert attributes_for(tmp_path / "b.txt") == {"type": "mou"}


def test_cp1252_sidecar_from_excel(tmp_path):
    (tmp_path / "metadata.csv").write_bytes("file;judul\na.txt;Kerja sama “SCORE” – Bali\n".encode("cp1252"))
    assert attributes_for(tmp_path / "a.txt") == {"judul": "Kerja sama “SCORE” – Bali"}


def test_extract_file_reads_sidecar(tmp_path):
    _w(tmp_path / "metadata.yaml", "catatan.md: {language: Bahasa Indonesia, type: report}\n")
    _w(tmp_path / "catatan.md", "---\ntype: note\nauthor: Tim\n---\nPelatihan K3 berjalan baik.\n")
    doc = extract_file(tmp_path / "catatan.md")
    assert dict(doc.attributes) == {"language": "Bahasa Indonesia", "type": "report", "author": "Tim"}
    assert doc.lang == "id"
    explicit = extract_file(tmp_path / "catatan.md", attributes={"type": "x"})  # no sidecar lookup
    assert dict(explicit.attributes) == {"type": "x", "author": "Tim"}


NAMES = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_ .-]{0,15}\.txt", fullmatch=True).filter(lambda s: s.strip() == s)
VALUES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)


@settings(max_examples=60, deadline=None)
@given(rows=st.dictionaries(NAMES, st.tuples(VALUES, VALUES), min_size=1, max_size=6))
def test_csv_written_by_csv_module_reads_back(tmp_path_factory, rows):
    import csv
    import io

    folder = tmp_path_factory.mktemp("meta")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["file", "type", "region"])
    for name, (a, b) in rows.items():
        w.writerow([name, a, b])
    _w(folder / "metadata.csv", buf.getvalue())
    for name, (a, b) in rows.items():
        want = {k: v.strip() for k, v in (("type", a), ("region", b)) if v.strip()}
        assert attributes_for(folder / name) == want
