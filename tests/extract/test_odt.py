"""OpenDocument text: the real QualCoder sample (ID2.odt) and small ODT files built here with zipfile."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

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
from qualcoop.extract import ExtractOptions, extract_file, extractor_for
from qualcoop.extract.docx import ENDNOTES_HEADER, FOOTNOTES_HEADER
from qualcoop.extract.odt import MEDIA_TYPE, OdtExtractor
from qualcoop.model import Region
from qualcoop.registry import extractors

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/"')
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
            'manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="{mt}"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{enc}'
            '</manifest:file-entry></manifest:manifest>')
ENCRYPTION = ('<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
              '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
              '</manifest:encryption-data>')
ID2 = "transcripts/qualcoder_examples/ID2.odt"


def content(body: str, *, automatic_styles: str = "", prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
            f'<office:document-content {NS} office:version="1.3">'
            f"<office:automatic-styles>{automatic_styles}</office:automatic-styles>"
            f"<office:body><office:text>{body}</office:text></office:body></office:document-content>")


def odt_bytes(content_xml: str | bytes, *, mimetype: str | None = MEDIA_TYPE, styles: str | None = None,
              encrypted: bool = False, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        if mimetype is not None:
            z.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content_xml, compress_type=compress)
        if styles is not None:
            z.writestr("styles.xml", styles, compress_type=compress)
        z.writestr("META-INF/manifest.xml",
                   MANIFEST.format(mt=mimetype or MEDIA_TYPE, enc=ENCRYPTION if encrypted else ""))
    return buf.getvalue()


def write_odt(tmp_path: Path, body: str, name: str = "doc.odt", **kw) -> Path:
    path = tmp_path / name
    path.write_bytes(odt_bytes(content(body, **{k: kw.pop(k) for k in ("automatic_styles", "prolog") if k in kw}),
                               **kw))
    return path


def extract(tmp_path: Path, body: str, **kw):
    return extract_file(write_odt(tmp_path, body, **kw), attributes={})


def blocks(doc) -> list[str]:
    return doc.text.split("\n\n")


# --------------------------------------------------------------------------- the real file


def test_qualcoder_id2_odt(shared):
    """ID2.odt (QualCoder's example): three paragraphs written as spans with LibreOffice's
    spacing; the first one ends in a space, as written. Same layout as ID1.docx's text."""
    doc = extract_file(shared / ID2)
    assert blocks(doc) == [
        "I have not studied much before, but my father Joe Bloggs really encouraged me to study again. "
        "I know that I must get help as I have struggled understanding the lecture slides so far and "
        "searching the web did not help. ",
        "I really want someone to sit down with me and explain the course material.",
        "The course cost €200.00 and I do not want to waste my money.",
    ]
    assert doc.source.extractor == "odt.v1" and doc.source.media_type == MEDIA_TYPE
    assert doc.source.details["paragraphs"] == 3 and doc.source.details["odf_version"] == "1.4"
    assert doc.regions == ()
    docx = extract_file(shared / "transcripts/qualcoder_examples/ID1.docx")
    assert len(blocks(docx)) == 3  # the DOCX sibling: the same block layout
    from qualcoop.segment import segment

    assert [doc.text[s.start:s.end] for s in segment(doc, "paragraph")] == [b.strip() for b in blocks(doc)]


def test_odt_is_registered_and_chosen_by_suffix(tmp_path):
    assert extractors.get("odt.v1") is OdtExtractor
    assert extractor_for(tmp_path / "x.ODT", ExtractOptions()) == "odt.v1"
    assert OdtExtractor.suffixes == (".odt",)
    assert OdtExtractor().version().startswith("lxml ")


# --------------------------------------------------------------------------- text


def test_white_space_rules(tmp_path):
    body = ('<text:p>  a   b<text:s text:c="3"/>c<text:tab/>d<text:line-break/>e \n\t f'
            '<text:soft-hyphen/>g</text:p>'
            '<text:p><text:span>x </text:span> y<text:s/></text:p>'
            '<text:p><text:s text:c="2"/>lead</text:p>'
            "<text:p>   </text:p><text:p/>")
    doc = extract(tmp_path, body)
    assert blocks(doc) == ["a b   c\td\ne fg", "x y ", "  lead"]
    assert doc.source.details["paragraphs"] == 3  # blank paragraphs are skipped


def test_headings_and_title(tmp_path):
    styles = ('<office:document-styles ' + NS + '><office:styles>'
              '<style:style style:name="Title" style:family="paragraph"/>'
              '<style:style style:name="Subtitle" style:family="paragraph" style:parent-style-name="Title"/>'
              "</office:styles></office:document-styles>")
    auto = '<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/>'
    body = ('<text:p text:style-name="P1">The MoU</text:p>'
            '<text:h text:outline-level="2">Article 1</text:h>'
            "<text:p>Body text.</text:p>"
            "<text:h>Untitled level</text:h>"
            '<text:p text:style-name="Standard">Not a title.</text:p>')
    doc = extract(tmp_path, body, automatic_styles=auto, styles=styles)
    assert blocks(doc) == ["The MoU", "Article 1", "Body text.", "Untitled level", "Not a title."]
    assert [(r.label, doc.text[r.start:r.end]) for r in doc.regions_of("heading")] == [
        ("0", "The MoU"), ("2", "Article 1"), ("1", "Untitled level")]


def test_lists_and_sections(tmp_path):
    body = ("<text:section><text:p>Intro:</text:p>"
            "<text:list><text:list-header><text:p>Header</text:p></text:list-header>"
            "<text:list-item><text:p>one</text:p></text:list-item>"
            "<text:list-item><text:p>two</text:p><text:list><text:list-item><text:p>two.a</text:p>"
            "</text:list-item></text:list></text:list-item></text:list></text:section>"
            "<text:p>After.</text:p>")
    doc = extract(tmp_path, body)
    assert blocks(doc) == ["Intro:", "Header", "one", "two", "two.a", "After."]


def test_table_like_docx(shared, tmp_path):
    """The table of mammoth's tables.docx, saved as ODT, gives the DOCX extractor's text."""
    body = ("<text:p>Above</text:p><table:table><table:table-column table:number-columns-repeated='2'/>"
            "<table:table-header-rows><table:table-row>"
            "<table:table-cell><text:p>Top left</text:p></table:table-cell>"
            "<table:table-cell><text:p>Top right</text:p></table:table-cell>"
            "</table:table-row></table:table-header-rows>"
            "<table:table-row><table:table-cell><text:p>Bottom left</text:p></table:table-cell>"
            "<table:table-cell><text:p>Bottom right</text:p></table:table-cell></table:table-row>"
            "</table:table><text:p>Below</text:p>")
    doc = extract(tmp_path, body)
    docx = extract_file(shared / "docx/mammoth_test_data/tables.docx")
    assert doc.text == docx.text == "Above\n\nTop left | Top right\nBottom left | Bottom right\n\nBelow"
    (table,) = doc.regions_of("table")
    assert doc.text[table.start:table.end] == "Top left | Top right\nBottom left | Bottom right"


def test_table_cells_merged_nested_and_empty(tmp_path):
    body = ("<table:table>"
            "<table:table-row><table:table-cell table:number-columns-spanned='2'>"
            "<text:p>wide</text:p><text:p>two<text:line-break/>lines</text:p></table:table-cell>"
            "<table:covered-table-cell/><table:table-cell><text:p>c</text:p></table:table-cell></table:table-row>"
            "<table:table-row><table:table-cell/><table:table-cell/></table:table-row>"
            "<table:table-row-group><table:table-row><table:table-cell><table:table>"
            "<table:table-row><table:table-cell><text:p>n1</text:p></table:table-cell>"
            "<table:table-cell><text:p>n2</text:p></table:table-cell></table:table-row>"
            "<table:table-row><table:table-cell><text:p>n3</text:p></table:table-cell></table:table-row>"
            "</table:table></table:table-cell><table:table-cell><text:p>d</text:p></table:table-cell>"
            "</table:table-row></table:table-row-group></table:table>")
    doc = extract(tmp_path, body)
    assert doc.text == "wide two lines | c\nn1 | n2 ; n3 | d"
    assert doc.source.details["tables"] == 1


def test_notes_go_after_the_body(tmp_path):
    body = ("<text:p>Claim<text:note text:id='ftn1' text:note-class='footnote'>"
            "<text:note-citation>1</text:note-citation><text:note-body><text:p>Source A.</text:p>"
            "</text:note-body></text:note> stands.</text:p>"
            "<text:p>End<text:note text:id='edn1' text:note-class='endnote'>"
            "<text:note-citation text:label='i'>1</text:note-citation><text:note-body>"
            "<text:p>Late note.</text:p></text:note-body></text:note>.</text:p>"
            "<text:p>More<text:note text:id='ftn2' text:note-class='footnote'>"
            "<text:note-citation>2</text:note-citation><text:note-body><text:p>Source B,</text:p>"
            "<text:p>page 2.</text:p></text:note-body></text:note></text:p>")
    doc = extract(tmp_path, body)
    assert blocks(doc) == ["Claim stands.", "End.", "More", FOOTNOTES_HEADER, "Source A.", "Source B,",
                           "page 2.", ENDNOTES_HEADER, "Late note."]
    notes = [(r.kind, r.label, doc.text[r.start:r.end]) for r in doc.regions if r.kind in ("footnote", "endnote")]
    assert notes == [("footnote", "1", "Source A."), ("footnote", "2", "Source B,\n\npage 2."),
                     ("endnote", "i", "Late note.")]
    assert (doc.source.details["footnotes"], doc.source.details["endnotes"]) == (2, 1)


def test_text_boxes_comments_changes_and_indexes(tmp_path):
    body = ("<text:table-of-content><text:index-body><text:p>Article 1 ..... 3</text:p></text:index-body>"
            "</text:table-of-content>"
            "<text:tracked-changes><text:changed-region text:id='c1'><text:deletion>"
            "<text:p>deleted words</text:p></text:deletion></text:changed-region></text:tracked-changes>"
            "<text:p>Anchor<office:annotation><dc:creator>R</dc:creator><text:p>a remark</text:p>"
            "</office:annotation> text<text:change text:change-id='c1'/>."
            "<draw:frame><svg:title>alt</svg:title><draw:text-box><text:p>Boxed</text:p></draw:text-box>"
            "</draw:frame></text:p>"
            "<text:p>After<text:hidden-text text:condition='x' text:string-value='secret'>secret</text:hidden-text>"
            "</text:p>")
    doc = extract(tmp_path, body)
    assert blocks(doc) == ["Anchor text.", "Boxed", "After"]
    (box,) = doc.regions_of("textbox")
    assert doc.text[box.start:box.end] == "Boxed"
    assert doc.source.details["comments"] == 1


_WORD = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Zs", "Zl", "Zp")),
                min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(_WORD, min_size=1, max_size=6), st.integers(1, 3)), min_size=1, max_size=6))
def test_paragraph_round_trip(tmp_path_factory, paragraphs):
    """Words separated by a space and ``gap - 1`` text:s elements (as LibreOffice writes runs of
    spaces) come back exactly, one block and one paragraph segment per paragraph."""
    from qualcoop.segment import segment

    expected = [(" " * gap).join(words) for words, gap in paragraphs]
    body = "".join("<text:p>" + (" " + "<text:s/>" * (gap - 1)).join(escape(w) for w in words) + "</text:p>"
                   for words, gap in paragraphs)
    doc = extract(tmp_path_factory.mktemp("odt"), body)
    assert blocks(doc) == expected
    assert [doc.text[s.start:s.end] for s in segment(doc, "paragraph", sections=False)] == [
        e.strip() for e in expected]


def test_deterministic(tmp_path):
    path = write_odt(tmp_path, "<text:h text:outline-level='1'>H</text:h><text:p>p</text:p>")
    assert extract_file(path).to_dict() == extract_file(path).to_dict()
    assert extract_file(path).regions == (Region("heading", 0, 1, "1"),)


# --------------------------------------------------------------------------- hostile and broken files


def test_xxe_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    prolog = f'<!DOCTYPE office:document-content [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    path = write_odt(tmp_path, "<text:p>&xxe;</text:p>", prolog=prolog)
    with pytest.raises(CorruptDocumentError, match="DTD") as info:
        extract_file(path)
    assert info.value.path == str(path)


def test_billion_laughs_is_refused(tmp_path):
    lol = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10 if i else "lol"}">' for i in range(10))
    path = write_odt(tmp_path, "<text:p>&l9;</text:p>", prolog=f"<!DOCTYPE office:document-content [{lol}]>\n")
    with pytest.raises(CorruptDocumentError):
        extract_file(path)


def test_zip_bomb_is_refused(tmp_path):
    bomb = content("<text:p>" + " " * (64 << 20) + "x</text:p>")  # 64 MB of spaces: ~1000x deflated
    path = tmp_path / "bomb.odt"
    path.write_bytes(odt_bytes(bomb))
    assert path.stat().st_size < 1 << 20
    with pytest.raises(ResourceLimitError, match="inflates"):
        extract_file(path)


def test_size_budget_from_options(tmp_path):
    path = tmp_path / "big.odt"
    path.write_bytes(odt_bytes(content("<text:p>" + "word " * 50_000 + "</text:p>"), compress=zipfile.ZIP_STORED))
    with pytest.raises(ResourceLimitError):
        extract_file(path, options=ExtractOptions(max_bytes=100_000 + path.stat().st_size // 2))


def test_encrypted_odt(tmp_path):
    path = tmp_path / "locked.odt"
    path.write_bytes(odt_bytes(b"\x8f\x03binary ciphertext", encrypted=True))
    with pytest.raises(EncryptedDocumentError, match="password"):
        extract_file(path)


@pytest.mark.parametrize("data,error,match", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, UnsupportedFormatError, "OLE2"),
    (b"PK\x03\x04 not really a zip", CorruptDocumentError, "not a valid zip"),
    (b"plain text, not a zip", CorruptDocumentError, "not a valid zip"),
])
def test_not_an_odt_zip(tmp_path, data, error, match):
    path = tmp_path / "x.odt"
    path.write_bytes(data)
    with pytest.raises(error, match=match):
        extract_file(path)


def test_spreadsheet_is_not_a_text_document(tmp_path):
    path = tmp_path / "sheet.odt"
    path.write_bytes(odt_bytes(content("<text:p>x</text:p>"), mimetype="application/vnd.oasis.opendocument.spreadsheet"))
    with pytest.raises(UnsupportedFormatError, match="spreadsheet"):
        extract_file(path)


def test_missing_content_malformed_xml_and_empty_body(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", MEDIA_TYPE)
    (tmp_path / "a.odt").write_bytes(buf.getvalue())
    with pytest.raises(CorruptDocumentError, match="no content.xml"):
        extract_file(tmp_path / "a.odt")
    (tmp_path / "b.odt").write_bytes(odt_bytes("<office:document-content><unclosed>"))
    with pytest.raises(CorruptDocumentError, match="malformed XML"):
        extract_file(tmp_path / "b.odt")
    with pytest.raises(EmptyDocumentError):
        extract(tmp_path, "<text:p>  </text:p><text:p><text:s/></text:p>", name="c.odt")
    (tmp_path / "d.odt").write_bytes(odt_bytes('<?xml version="1.0"?><root/>'))
    with pytest.raises(CorruptDocumentError, match="office:document-content"):
        extract_file(tmp_path / "d.odt")
