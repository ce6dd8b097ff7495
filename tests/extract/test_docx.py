"""DOCX extraction (qualcoop.extract.docx).

Real files: shared/data/docx/mammoth_test_data (MANIFEST section E, expected values from
mammoth's tests) and shared/data/transcripts/qualcoder_examples/ID1.docx. Our fixture
tests/data/docx/laporan_kerjasama.docx was written with python-docx (its Word template's
styles: Title, Heading 1, Heading 2, a 3x3 table, a line break). Hostile and edge-case
packages are built here with zipfile, so the XML under test is visible in the test.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    ResourceLimitError,
    UnsupportedFormatError,
)
from qualcoop.extract import extract_file
from qualcoop.extract.base import ExtractOptions
from qualcoop.extract.docx import CELL_SEP, ENDNOTES_HEADER, FOOTNOTES_HEADER, MAX_RATIO, DocxExtractor

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OPTS = ExtractOptions()


@pytest.fixture(scope="module")
def mammoth(shared) -> Path:
    return shared / "docx" / "mammoth_test_data"


def _x(path: Path, options: ExtractOptions = OPTS):
    return DocxExtractor().extract(path, path.read_bytes(), options)


def _spans(got, kind):
    return [(got.text[r.start:r.end], r.label) for r in got.regions if r.kind == kind]


def make_docx(body: str, *, parts: dict[str, str | bytes] | None = None, rels: dict[str, str] | None = None,
              document: str | None = None) -> bytes:
    """A minimal .docx: ``body`` is the inner XML of w:body; ``rels`` maps relationship type -> part."""
    doc = document if document is not None else (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}" xmlns:mc="{MC}" xmlns:r="{REL}"><w:body>{body}</w:body></w:document>')
    rel_xml = "".join(f'<Relationship Id="rId{i}" Type="{REL}/{kind}" Target="{target}"/>'
                      for i, (kind, target) in enumerate((rels or {}).items(), 1))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.'
                   'org/package/2006/content-types"/>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                   'Target="word/document.xml"/></Relationships>')
        z.writestr("word/_rels/document.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   f'openxmlformats.org/package/2006/relationships">{rel_xml}</Relationships>')
        z.writestr("word/document.xml", doc)
        for name, data in (parts or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def _p(text: str, style: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def _write(tmp_path: Path, data: bytes, name: str = "d.docx") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


# --------------------------------------------------------------------------- mammoth's test files


def test_simple_list(mammoth):
    got = _x(mammoth / "simple-list.docx")
    assert got.text == "Apple\n\nBanana"  # mammoth raw text "Apple\n\nBanana\n\n"; no bullets


def test_tables(mammoth):
    got = _x(mammoth / "tables.docx")
    assert got.text == "Above\n\nTop left | Top right\nBottom left | Bottom right\n\nBelow"
    assert _spans(got, "table") == [("Top left | Top right\nBottom left | Bottom right", None)]
    assert got.details["tables"] == 1


@pytest.mark.parametrize("name,kind,header,labels", [
    ("footnotes.docx", "footnote", FOOTNOTES_HEADER, ["1", "2"]),
    ("endnotes.docx", "endnote", ENDNOTES_HEADER, ["2", "3"]),
])
def test_notes_after_the_body(mammoth, name, kind, header, labels):
    got = _x(mammoth / name)
    assert got.text == f"Ouch.\n\n{header}\n\nA tachyon walks into a bar.\n\nFin."
    assert _spans(got, kind) == [("A tachyon walks into a bar.", labels[0]), ("Fin.", labels[1])]
    assert got.details[kind + "s"] == 2


def test_text_box_once_not_twice(mammoth):
    got = _x(mammoth / "text-box.docx")  # the box is in mc:Choice and again in the VML mc:Fallback
    assert got.text == "Datum plane"
    assert _spans(got, "textbox") == [("Datum plane", None)]


def test_strict_ooxml(mammoth):
    got = _x(mammoth / "strict-format.docx")
    assert got.text == "Test" and got.details["format"] == "strict"


def test_utf8_bom_in_xml(mammoth):
    assert _x(mammoth / "utf8-bom.docx").text == "This XML has a byte order mark."


def test_empty_document(mammoth):
    with pytest.raises(EmptyDocumentError) as e:
        _x(mammoth / "empty.docx")
    assert e.value.path.endswith("empty.docx")


def test_embedded_style_map_heading(mammoth):
    got = _x(mammoth / "embedded-style-map.docx")  # mammoth/style-map says "p => h1"
    assert _spans(got, "heading") == [("Walking on imported air", "1")]
    plain = _x(mammoth / "single-paragraph.docx")  # same text, no style map: not a heading
    assert plain.text == "Walking on imported air" and _spans(plain, "heading") == []


def test_comments_are_not_body_text(mammoth):
    got = _x(mammoth / "comments.docx")
    assert got.text == "Ouch."
    assert got.details["comments"] == 2
    assert "Comment" not in got.text


def test_qualcoder_id1_spacing_and_euro(shared):
    got = _x(shared / "transcripts" / "qualcoder_examples" / "ID1.docx")
    paras = got.text.split("\n\n")
    assert len(paras) == 3  # the empty fourth paragraph is skipped
    assert paras[0].endswith("web links have been really good.")
    assert "but its like a duck to water for me - no problem at all." in paras[1]  # runs joined as written
    assert paras[2].endswith("I'm happy to pay €200.")


def test_python_docx_fixture(repo):
    got = _x(repo / "tests" / "data" / "docx" / "laporan_kerjasama.docx")
    assert got.text == ("Laporan Kerja Sama SCORE\n\nRingkasan\n\n"
                        "Program SCORE melatih 1.200 pekerja di Bali dan Jawa Timur.\n\n"
                        "Provinsi | Peserta | Perusahaan\nBali | 700 | 35\nJawa Timur | 500 | 25\n\n"
                        "Temuan\n\nDialog sosial membaik.\nKecelakaan kerja turun 30%.\n\n"
                        "The Parties will review progress annually.")
    assert _spans(got, "heading") == [("Laporan Kerja Sama SCORE", "0"), ("Ringkasan", "1"), ("Temuan", "2")]
    assert _spans(got, "table") == [("Provinsi | Peserta | Perusahaan\nBali | 700 | 35\nJawa Timur | 500 | 25",
                                     None)]


# --------------------------------------------------------------------------- built packages


STYLES = f"""<?xml version="1.0"?><w:styles xmlns:w="{W}">
<w:style w:type="paragraph" w:styleId="Judul1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="Sub"><w:name w:val="Bagian"/><w:basedOn w:val="Judul1"/></w:style>
<w:style w:type="paragraph" w:styleId="Outline"><w:name w:val="Pasal"/>
  <w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Loop1"><w:name w:val="L1"/><w:basedOn w:val="Loop2"/></w:style>
<w:style w:type="paragraph" w:styleId="Loop2"><w:name w:val="L2"/><w:basedOn w:val="Loop1"/></w:style>
</w:styles>"""


def test_heading_styles_localised_ids_based_on_and_outline(tmp_path):
    body = (_p("Nota Kesepahaman", "Judul1") + _p("Ruang lingkup", "Sub") + _p("Pasal 3", "Outline")
            + '<w:p><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>Langsung</w:t></w:r></w:p>'
            + _p("Isi biasa", "Normal") + _p("Berputar", "Loop1"))
    got = _x(_write(tmp_path, make_docx(body, parts={"word/styles.xml": STYLES}, rels={"styles": "styles.xml"})))
    assert _spans(got, "heading") == [("Nota Kesepahaman", "1"), ("Ruang lingkup", "1"), ("Pasal 3", "3"),
                                      ("Langsung", "1")]
    assert got.text.endswith("Isi biasa\n\nBerputar")


def test_runs_fields_hidden_deleted_breaks(tmp_path):
    body = ('<w:p><w:r><w:t xml:space="preserve">Pihak </w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Pertama</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            '<w:del><w:r><w:delText>dihapus </w:delText></w:r></w:del>'
            '<w:ins><w:r><w:t xml:space="preserve"> dan Kedua</w:t></w:r></w:ins>'
            '<w:r><w:rPr><w:vanish/></w:rPr><w:t>tersembunyi</w:t></w:r>'
            '<w:r><w:tab/><w:t>K3</w:t><w:noBreakHyphen/><w:t>ILO</w:t><w:softHyphen/><w:br/><w:t>baris</w:t></w:r>'
            '<w:hyperlink r:id="rId9"><w:r><w:t>tautan</w:t></w:r></w:hyperlink></w:p>'
            '<w:p/><w:p><w:r><w:t xml:space="preserve">   </w:t></w:r></w:p>'
            '<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent>' + _p("Dalam kontrol") +
            '</w:sdtContent></w:sdt>')
    got = _x(_write(tmp_path, make_docx(body)))
    assert got.text == "Pihak Pertama dan Kedua\tK3-ILO\nbaristautan\n\nDalam kontrol"


def test_nested_table_and_cell_paragraphs(tmp_path):
    inner = "<w:tbl><w:tr><w:tc>" + _p("a") + "</w:tc><w:tc>" + _p("b") + "</w:tc></w:tr><w:tr><w:tc>" + \
        _p("c") + "</w:tc><w:tc>" + _p("d") + "</w:tc></w:tr></w:tbl>"
    body = ("<w:tbl><w:tblPr/><w:tr><w:tc>" + _p("Satu") + _p("dua") + "</w:tc><w:tc>"
            + '<w:p><w:r><w:t>x</w:t><w:br/><w:t>y</w:t></w:r></w:p></w:tc></w:tr>'
            + "<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr>"
            + "<w:tr><w:tc>" + inner + "</w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl>")
    got = _x(_write(tmp_path, make_docx(body)))
    assert got.text == "Satu dua | x y\na | b ; c | d | "
    assert CELL_SEP == " | "


def test_alternate_content_reads_choice_only(tmp_path):
    box = '<w:txbxContent>{}</w:txbxContent>'
    body = ('<w:p><w:r><w:t>Jangkar</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps">'
            '<w:drawing>' + box.format(_p("Kotak teks")) + '</w:drawing></mc:Choice><mc:Fallback><w:pict>'
            + box.format(_p("Kotak teks")) + '</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>'
            + _p("Sesudah"))
    got = _x(_write(tmp_path, make_docx(body)))
    assert got.text == "Jangkar\n\nKotak teks\n\nSesudah"
    assert _spans(got, "textbox") == [("Kotak teks", None)]


def test_strict_namespace_footnotes_built(tmp_path):
    ws = "http://purl.oclc.org/ooxml/wordprocessingml/main"
    doc = (f'<w:document xmlns:w="{ws}"><w:body><w:p><w:r><w:t>Badan</w:t></w:r><w:r><w:footnoteReference '
           'w:id="1"/></w:r></w:p></w:body></w:document>')
    notes = (f'<w:footnotes xmlns:w="{ws}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/>'
             '</w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t '
             'xml:space="preserve"> Catatan kaki.</w:t></w:r></w:p></w:footnote>'
             '<w:footnote w:id="2"><w:p/></w:footnote></w:footnotes>')
    got = _x(_write(tmp_path, make_docx("", document=doc, parts={"word/notes.xml": notes},
                                        rels={"footnotes": "notes.xml"})))
    assert got.text == f"Badan\n\n{FOOTNOTES_HEADER}\n\nCatatan kaki."
    assert _spans(got, "footnote") == [("Catatan kaki.", "1")]


PARA = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Co"), blacklist_characters="\ufffe\uffff"),
               min_size=1, max_size=40).filter(lambda s: s.strip())


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@settings(max_examples=60, deadline=None)
@given(paras=st.lists(PARA, min_size=1, max_size=8), cells=st.lists(st.lists(PARA, min_size=2, max_size=2),
                                                                    max_size=3))
def test_paragraphs_and_table_cells_round_trip(paras, cells):
    body = "".join(_p(_esc(t)) for t in paras)
    if cells:
        body += "<w:tbl>" + "".join("<w:tr>" + "".join(f"<w:tc>{_p(_esc(c))}</w:tc>" for c in row) + "</w:tr>"
                                    for row in cells) + "</w:tbl>"
    path = Path("/nonexistent/h.docx")
    got = DocxExtractor().extract(path, make_docx(body), OPTS)
    table = "\n".join(" | ".join(row) for row in cells)
    assert got.text == "\n\n".join(paras + ([table] if cells else []))
    assert _spans(got, "table") == ([(table, None)] if cells else [])
    assert DocxExtractor().extract(path, make_docx(body), OPTS) == got  # deterministic


# --------------------------------------------------------------------------- hostile and broken packages


def test_xxe_is_refused_and_inert(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("RAHASIA-NEGARA", encoding="utf-8")
    doc = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>'
           f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>')
    with pytest.raises(CorruptDocumentError, match="DTD") as e:
        _x(_write(tmp_path, make_docx("", document=doc)))
    assert "RAHASIA" not in str(e.value)


def test_billion_laughs_is_refused_quickly(tmp_path):
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    doc = (f'<?xml version="1.0"?><!DOCTYPE w:document [{ents}]>'
           f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')
    t0 = time.process_time()
    with pytest.raises(CorruptDocumentError):
        _x(_write(tmp_path, make_docx("", document=doc)))
    assert time.process_time() - t0 < 5  # a guard against expansion, not a benchmark: 10**9 "lol"s otherwise


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_rels/.rels", make_rels())
        z.writestr("word/document.xml", f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'
                   + " " * (50 << 20) + "</w:t></w:r></w:p></w:body></w:document>")
    data = buf.getvalue()
    assert len(data) < (50 << 20) // MAX_RATIO  # it really is a bomb
    with pytest.raises(ResourceLimitError, match="inflates"):
        _x(_write(tmp_path, data))
    with pytest.raises(ResourceLimitError, match="over the limit"):
        _x(_write(tmp_path, data), ExtractOptions(max_bytes=1 << 20))


def test_lying_declared_size_is_caught(tmp_path):
    """A member whose header claims a small size but inflates to more is cut off, not read whole."""
    real = f'<w:document xmlns:w="{W}"><w:body>' + _p("x" * 4000) + "</w:body></w:document>"
    data = make_docx("", document=real)
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo("word/document.xml")
    blob = bytearray(data)
    pos = blob.find(b"PK\x01\x02")  # central directory entries
    while bytes(blob[pos + 46:pos + 46 + int.from_bytes(blob[pos + 28:pos + 30], "little")]) != b"word/document.xml":
        pos = blob.find(b"PK\x01\x02", pos + 4)
    blob[pos + 24:pos + 28] = (10).to_bytes(4, "little")  # the declared uncompressed size
    assert info.file_size > 10
    with pytest.raises((CorruptDocumentError, ResourceLimitError)):
        _x(_write(tmp_path, bytes(blob)))


def make_rels() -> str:
    return ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
            '</Relationships>')


@pytest.mark.parametrize("data,error,match", [
    (b"This is not a zip at all, just text pretending to be a docx.", CorruptDocumentError, "not a valid zip"),
    (b"PK\x03\x04" + b"\x00" * 60, CorruptDocumentError, "not a valid zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, UnsupportedFormatError, "legacy .doc"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100,
     EncryptedDocumentError, "encrypted"),
])
def test_not_a_docx(tmp_path, data, error, match):
    with pytest.raises(error, match=match) as e:
        _x(_write(tmp_path, data, "palsu.docx"))
    assert "palsu.docx" in str(e.value)


def test_missing_document_xml(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/styles.xml", "<x/>")
    with pytest.raises(CorruptDocumentError, match="word/document.xml"):
        _x(_write(tmp_path, buf.getvalue()))


def test_malformed_and_foreign_xml(tmp_path):
    with pytest.raises(CorruptDocumentError, match="malformed XML"):
        _x(_write(tmp_path, make_docx("", document=f'<w:document xmlns:w="{W}"><w:body><w:p>')))
    with pytest.raises(CorruptDocumentError, match="not a WordprocessingML"):
        _x(_write(tmp_path, make_docx("", document="<html><body>hi</body></html>")))


def test_deep_nesting_is_a_typed_error_not_a_recursion_error(tmp_path):
    ok = "<w:p>" + "<w:smartTag>" * 200 + "<w:r><w:t>x</w:t></w:r>" + "</w:smartTag>" * 200 + "</w:p>"
    assert _x(_write(tmp_path, make_docx(ok))).text == "x"
    deep = "<w:sdt>" * 5000 + _p("y") + "</w:sdt>" * 5000
    with pytest.raises(CorruptDocumentError, match="depth"):
        _x(_write(tmp_path, make_docx(deep)))


# --------------------------------------------------------------------------- extract_file


@pytest.mark.parametrize("rel", ["docx/mammoth_test_data/tables.docx", "docx/mammoth_test_data/footnotes.docx",
                                 "docx/mammoth_test_data/text-box.docx",
                                 "transcripts/qualcoder_examples/ID1.docx"])
def test_extract_file_documents_are_stable(shared, rel):
    a, b = extract_file(shared / rel), extract_file(shared / rel)
    assert json.dumps(a.to_dict(), sort_keys=True) == json.dumps(b.to_dict(), sort_keys=True)
    assert a.source.media_type == DocxExtractor.media_type
    assert a.source.sha256 == b.source.sha256 and a.id == b.id
    for r in a.regions:
        assert 0 <= r.start <= r.end <= len(a.text)
        assert a.text[r.start:r.end].strip() == a.text[r.start:r.end]  # regions hug their text
