"""Plain text / Markdown extraction and the shared byte decoding (qualcoop.extract.text).

Fixtures in tests/data/text/ (made for these tests; expected values counted by hand):
- kerjasama_cp1252.txt: an Indonesian/English MoU paragraph in Windows-1252 with CRLF
  (curly quotes, en dashes, the euro and plus-minus signs);
- latin1_notes.txt: French notes in ISO-8859-1 (no bytes 0x80-0x9F);
- catatan_utf16.txt: UTF-16 LE with BOM and CRLF (Windows Notepad "Unicode");
- laporan_front_matter.md: UTF-8 with BOM, CRLF, YAML front matter, ATX and setext headings and
  a fenced code block holding a "# ..." line;
- metadata.csv: a ';'-separated sidecar with a BOM (Excel in an Indonesian locale).
"""

from __future__ import annotations

import codecs
import csv
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.errors import DecodingError, EmptyDocumentError, ExtractionError, MetadataError
from qualcoop.extract import extract_file
from qualcoop.extract.base import ExtractOptions
from qualcoop.extract.text import TextExtractor, decode_bytes, decode_warnings, markdown_headings, \
    split_front_matter

MOU = ("Nota Kesepahaman antara Kementerian Ketenagakerjaan Republik Indonesia dan Organisasi Perburuhan "
       "Internasional (ILO)\n\n"
       "Para Pihak sepakat untuk bekerja sama dalam program “SCORE” – peningkatan daya saing dan tanggung "
       "jawab usaha kecil dan menengah – termasuk pelatihan bagi 1.200 pekerja di Bali; anggaran ± €50.000.\n\n"
       "The Parties agree to promote decent work, social dialogue and occupational safety and health (K3) in "
       "participating enterprises.\n")
STRICT = ExtractOptions()
REPLACE = ExtractOptions(errors="replace")


@pytest.fixture(scope="module")
def textdata(repo):
    return repo / "tests" / "data" / "text"


def _extract(path, options=STRICT):
    return TextExtractor().extract(path, path.read_bytes(), options)


# --------------------------------------------------------------------------- encodings


def test_cp1252_indonesian_english_paragraph_is_detected(textdata):
    got = _extract(textdata / "kerjasama_cp1252.txt")
    assert got.text == MOU
    assert got.details["encoding"] == "cp1252"
    assert got.details["encoding_detected"] is True
    assert got.details["bom"] is False
    assert got.details["encoding_confidence"] >= 0.9
    assert got.details["newlines_normalised"] == 5  # five CRLF in the file
    assert got.warnings == ()
    assert got.media_type == "text/plain"


def test_latin1_text_decodes_exactly(textdata):
    got = _extract(textdata / "latin1_notes.txt")
    assert got.text == ("Réunion à Genève : coopération technique, sécurité et santé au travail.\n"
                        "Participants de Zürich, São Paulo et Malmö ; résumé des décisions « adoptées ».\n")
    # without bytes 0x80-0x9F, Latin-1 and cp1252 decode identically; cp1252 is the preferred name
    assert got.details["encoding"] in {"cp1252", "iso8859-1"}
    assert got.warnings == ()


def test_utf16_le_with_bom_and_crlf(textdata):
    got = _extract(textdata / "catatan_utf16.txt")
    assert got.text == ("Catatan lapangan, Denpasar\n\nPeserta menyebut pelatihan K3 “sangat bermanfaat” — "
                        "terutama modul dialog sosial.\nBeberapa pengusaha belum memahami Pasal 5.\n")
    assert got.details["encoding"] == "utf-16-le"
    assert got.details["bom"] is True
    assert got.details["encoding_detected"] is False
    assert "\ufeff" not in got.text and "\r" not in got.text


@pytest.mark.parametrize("bom,enc", [
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
])
def test_every_bom_is_recognised_and_removed(bom, enc):
    text, details = decode_bytes("x.txt", bom + "Kerja sama ± €5".encode(enc), STRICT)
    assert text == "Kerja sama ± €5"
    assert (details["encoding"], details["bom"], details["encoding_detected"]) == (enc, True, False)


def test_bomless_utf16_is_recognised():
    text, details = decode_bytes("x.txt", "Dialog sosial\r\n".encode("utf-16-be"), STRICT)
    assert text == "Dialog sosial\n"
    assert details["encoding"] == "utf-16-be" and details["encoding_detected"] is True


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00", codec="utf-8")
                .filter(lambda c: c in "\t\n\r" or not (ord(c) < 32 or ord(c) == 0x7f)), max_size=300)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT, how=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom", "utf-32"]))
def test_round_trip_any_text(text, how):
    if how == "utf-8" and text.startswith("\ufeff"):
        return  # indistinguishable from a BOM: removed, by design
    data = codecs.BOM_UTF16_BE + text.encode("utf-16-be") if how == "utf-16-be-bom" else text.encode(how)
    got, details = decode_bytes("x.txt", data, STRICT)
    assert got == text.replace("\r\n", "\n").replace("\r", "\n")
    assert details["encoding_detected"] is False
    assert details["newlines_normalised"] == text.count("\r")


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400))
def test_strict_decoding_is_lossless_or_raises(data):
    """Whatever the bytes, strict decoding either raises a typed error or is exactly the codec's output.

    (Not a re-encoding check: some legacy codecs such as cp1006 map two bytes to one character.)
    """
    try:
        text, details = decode_bytes("x.bin", data, STRICT)
    except DecodingError:
        return
    if b"\r" in data:
        return
    bom = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
           "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}
    prefix = bom[details["encoding"]] if details["bom"] else b""
    assert text == data[len(prefix):].decode(details["encoding"])  # strict: nothing replaced, nothing lost
    assert data.startswith(prefix)
    assert decode_bytes("x.bin", data, STRICT) == (text, details)  # deterministic


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400))
def test_replace_never_hides_replacements(data):
    try:
        text, details = decode_bytes("x.bin", data, REPLACE)
    except DecodingError:
        return
    assert details["replacements"] == text.count("\ufffd") - _legit_fffd(data, details)
    assert (details["replacements"] > 0) == any("U+FFFD" in w for w in decode_warnings(details))


def _legit_fffd(data: bytes, details) -> int:
    return data.count("\ufffd".encode(details["encoding"])) if details["encoding"] in ("utf-8",) else 0


# --------------------------------------------------------------------------- strict / replace / binary


BROKEN = "Pelatihan K3 – ".encode() + b"\xff" + "dialog sosial é".encode()


def test_broken_utf8_strict_names_file_and_byte_offset():
    with pytest.raises(DecodingError) as e:
        decode_bytes("notes.txt", BROKEN, STRICT)
    assert e.value.path == "notes.txt"
    assert "byte offset 17" in str(e.value)  # "Pelatihan K3 " 13 bytes + en dash 3 bytes + space
    assert e.value.code == "Q105"


def test_broken_utf8_replace_counts_and_warns():
    text, details = decode_bytes("notes.txt", BROKEN, REPLACE)
    assert text == "Pelatihan K3 – \ufffddialog sosial é"
    assert details["replacements"] == 1
    assert decode_warnings(details) == ("1 undecodable byte sequence(s) replaced by U+FFFD",)


def test_strict_is_the_default_and_never_inserts_fffd(textdata):
    assert ExtractOptions().errors == "strict"
    text, details = decode_bytes("x", MOU.encode("cp1252"), STRICT)
    assert "\ufffd" not in text and "replacements" not in details


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)),
    b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(200),
    b"Kerja sama\x00\x00\x00teknis",
    bytes(range(1, 9)) * 40,
])
@pytest.mark.parametrize("errors", ["strict", "replace"])
def test_binary_junk_is_a_typed_error(data, errors):
    with pytest.raises(DecodingError) as e:
        decode_bytes("blob.txt", data, ExtractOptions(errors=errors))
    assert "blob.txt" in str(e.value)


def test_forced_encoding():
    data = "caf\xe9 \x93SCORE\x94".encode("latin-1")
    text, details = decode_bytes("x", data, ExtractOptions(encoding="latin-1"))
    assert text == "café \x93SCORE\x94" and details["encoding"] == "iso8859-1"
    assert details["encoding_detected"] is False and details["encoding_confidence"] is None
    text, _ = decode_bytes("x", data, ExtractOptions(encoding="cp1252"))
    assert text == "café “SCORE”"
    with pytest.raises(DecodingError, match="byte offset 1"):
        decode_bytes("x", b"a\xe9b", ExtractOptions(encoding="utf-8"))
    with pytest.raises(DecodingError, match="unknown encoding"):
        decode_bytes("x", b"abc", ExtractOptions(encoding="klingon-8"))
    with pytest.raises(ExtractionError, match="errors"):
        decode_bytes("x", b"abc", ExtractOptions(errors="ignore"))


def test_surprising_or_weak_guesses_warn():
    _, details = decode_bytes("x", b"The price is \x80\x81\x8d\x8f\x90\x9d ok", STRICT)
    assert details["encoding_detected"] and details["encoding"] != "cp1252"  # 0x81 etc. are not cp1252
    assert len(decode_warnings(details)) == 1 and details["encoding"] in decode_warnings(details)[0]
    weak = {"encoding": "cp1252", "encoding_detected": True, "encoding_confidence": 0.62}
    assert decode_warnings(weak) == ("encoding guessed as cp1252 with low confidence 0.62; set "
                                     "options.encoding if the text looks wrong",)
    assert decode_warnings({**weak, "encoding_confidence": 0.97}) == ()


# --------------------------------------------------------------------------- newlines


def test_crlf_and_lone_cr_become_lf_once():
    text, details = decode_bytes("x", b"a\r\nb\rc\n\r\n\rd", STRICT)
    assert text == "a\nb\nc\n\n\nd"
    assert details["newlines_normalised"] == 4


def test_crlf_file_keeps_human_coding_offsets(shared, tmp_path):
    """The qc_demo codings (code points into the LF file) still land right on a CRLF copy."""
    src = shared / "transcripts" / "qc_demo_coded_interviews" / "board_2017.txt"
    crlf = tmp_path / "board_2017.txt"
    crlf.write_bytes(src.read_bytes().replace(b"\n", b"\r\n"))
    text = _extract(crlf).text
    assert text == _extract(src).text
    with open(shared / "transcripts" / "qc_demo_coded_interviews" / "qc_demo_codings.csv", newline="",
              encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["source_file"] == "board_2017.txt"]
    assert len(rows) > 20
    for r in rows:  # the derived CSV shows newlines as spaces
        coded = text[int(r["startPosition"]):int(r["endPosition"])][:300]
        assert coded.replace("\n", " ") == r["text_at_offsets_first300"]


# --------------------------------------------------------------------------- Markdown


def test_front_matter_attributes_and_body_offset(textdata):
    path = textdata / "laporan_front_matter.md"
    got = _extract(path)
    decoded, _ = decode_bytes(path, path.read_bytes(), STRICT)
    front = ("---\ntitle: Laporan Kemajuan SCORE\nlanguage: id\nyear: 2019\ndate: 2019-06-30\n"
             "tags: [K3, dialog sosial]\n---\n")
    assert got.details["body_offset"] == len(front) == 105
    assert got.text == decoded[105:]
    assert got.text.startswith("# Ringkasan\n\nProgram SCORE")
    assert got.attributes == {"title": "Laporan Kemajuan SCORE", "language": "id", "year": 2019,
                              "date": "2019-06-30", "tags": ["K3", "dialog sosial"]}
    assert got.media_type == "text/markdown"
    heads = [(got.text[r.start:r.end], r.label) for r in got.regions]
    assert heads == [("# Ringkasan", "1"), ("Latar belakang", "2")]  # not the "# bukan judul" in the fence


def test_front_matter_only_in_markdown(tmp_path):
    p = tmp_path / "catatan.txt"
    p.write_text("---\ntitle: x\n---\nIsi\n", encoding="utf-8")
    got = _extract(p)
    assert got.text == "---\ntitle: x\n---\nIsi\n" and got.attributes == {}


@pytest.mark.parametrize("body,line,match", [
    ("---\ntitle: [Laporan\n---\nIsi\n", 3, "malformed YAML"),
    ("---\ntitle: a\nyear: 1\ntitle: b\n---\nIsi\n", 4, "duplicate key 'title'"),
    ("---\n- a\n- b\n---\nIsi\n", 2, "must be a mapping"),
    ("---\ntitle: never closed\nIsi\n", 1, "never closed"),
])
def test_malformed_front_matter_names_file_and_line(tmp_path, body, line, match):
    p = tmp_path / "laporan.md"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(MetadataError, match=match) as e:
        _extract(p)
    assert e.value.path == str(p) and e.value.line == line


def test_split_front_matter_without_front_matter():
    assert split_front_matter("a.md", "# Judul\n---\n") == ({}, 0)
    assert split_front_matter("a.md", "---\n---\nBody") == ({}, 8)


def test_markdown_headings():
    text = "# A\ntext\nB\n===\n\n    # code\n~~~\n## no\n~~~\n### C ###\nD\n---\n"
    got = [(text[r.start:r.end], r.label) for r in markdown_headings(text)]
    assert got == [("# A", "1"), ("B", "1"), ("### C ###", "3"), ("D", "2")]


def test_empty_text_is_an_error(tmp_path):
    p = tmp_path / "kosong.txt"
    p.write_bytes(b" \r\n\t\n")
    with pytest.raises(EmptyDocumentError):
        _extract(p)
    m = tmp_path / "hanya.md"
    m.write_text("---\ntitle: x\n---\n\n", encoding="utf-8")
    with pytest.raises(EmptyDocumentError, match="front matter"):
        _extract(m)


# --------------------------------------------------------------------------- real files, extract_file


def test_qualcoder_transcript_text(shared):
    got = _extract(shared / "transcripts" / "qualcoder_examples" / "transcript.txt")
    assert got.text.startswith("[id1] hello, I like the course. It really helped me")
    assert got.details["encoding"] == "utf-8" and got.details["encoding_detected"] is False


def test_extract_file_sidecar_wins_over_front_matter_and_is_stable(textdata):
    docs = [extract_file(textdata / "laporan_front_matter.md") for _ in range(2)]
    doc = docs[0]
    assert json.dumps(docs[0].to_dict(), sort_keys=True) == json.dumps(docs[1].to_dict(), sort_keys=True)
    # sidecar: type=report, year="2020" (string), notes=draft, empty language cell omitted
    assert doc.attributes["year"] == "2020" and doc.attributes["type"] == "report"
    assert doc.attributes["title"] == "Laporan Kemajuan SCORE" and doc.lang == "id"
    assert doc.source.extractor == "text.v1" and doc.source.details["body_offset"] == 105
    for r in doc.regions:
        assert 0 <= r.start <= r.end <= len(doc.text)


@pytest.mark.parametrize("name", ["kerjasama_cp1252.txt", "latin1_notes.txt", "catatan_utf16.txt"])
def test_extract_file_text_is_stable(textdata, name):
    a, b = extract_file(textdata / name), extract_file(textdata / name)
    assert a.text == b.text and a.id == b.id and a.to_dict() == b.to_dict()
    assert "\r" not in a.text and "\ufeff" not in a.text
