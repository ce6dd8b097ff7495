"""Web pages as input (issue 13.2): a real HTML parser, scripts and styles dropped, structure kept as regions."""

from __future__ import annotations

import pytest

from qualcoop.errors import EmptyDocumentError
from qualcoop.extract import SUPPORTED_SUFFIXES, extract_file
from qualcoop.segment import segment

PAGE = """<!DOCTYPE html>
<html lang="id"><head><meta charset="windows-1252"><title>Berita  ILO</title>
<style>p { color: red } /* training */</style>
<script>var s = "<p>funding</p>"; if (a < b) {}</script></head>
<body><h1>ILO dan <em>Indonesia</em></h1>
<p>The ILO ran a   training
workshop.<br>Second line.</p>
<!-- a comment about funding -->
<div>Loose text <b>bold</b><p>Inner paragraph</p></div>
<h2>Kerja sama</h2>
<ul><li>Pelatihan</li><li>Pendanaan <a href="#">link</a></li></ul>
<table><tr><th>Year</th><th>Amount</th></tr><tr><td>2019</td><td>USD 5</td></tr></table>
<noscript>enable JavaScript</noscript>
<p>caf\xe9 &amp; co</p></body></html>
"""


@pytest.mark.parametrize("suffix", [".html", ".htm"])
def test_html_page(tmp_path, suffix):
    assert suffix in SUPPORTED_SUFFIXES
    f = tmp_path / f"berita{suffix}"
    f.write_bytes(PAGE.encode("cp1252"))
    doc = extract_file(f)
    assert doc.text == ("ILO dan Indonesia\n\nThe ILO ran a training workshop.\nSecond line.\n\nLoose text bold"
                        "\n\nInner paragraph\n\nKerja sama\n\nPelatihan\n\nPendanaan link\n\n"
                        "Year | Amount\n2019 | USD 5\n\ncaf\u00e9 & co")
    for dropped in ("color", "var s", "funding", "comment", "JavaScript"):
        assert dropped not in doc.text
    assert doc.attributes["title"] == "Berita ILO"
    regions = [(r.kind, r.label, doc.text[r.start:r.end]) for r in doc.regions]
    assert ("heading", "1", "ILO dan Indonesia") in regions
    assert ("heading", "2", "Kerja sama") in regions
    assert ("list", None, "Pelatihan\n\nPendanaan link") in regions
    assert ("list_item", None, "Pelatihan") in regions
    assert ("paragraph", None, "Inner paragraph") in regions
    assert ("table", None, "Year | Amount\n2019 | USD 5") in regions
    assert doc.source.media_type == "text/html" and doc.source.extractor.startswith("html.v1")
    arts = segment(doc, unit="article")
    assert [doc.text[s.start:s.end].split("\n")[0] for s in arts][-1] == "Kerja sama"


def test_html_without_text_is_a_typed_error(tmp_path):
    f = tmp_path / "empty.html"
    f.write_text("<html><head><script>x()</script></head><body><style>p{}</style></body></html>", encoding="utf-8")
    with pytest.raises(EmptyDocumentError):
        extract_file(f)


def test_html_encoding_option_wins(tmp_path):
    from qualcoop.extract.base import ExtractOptions

    f = tmp_path / "p.html"
    f.write_bytes("<p>Kerja sama \u00e9</p>".encode("cp1252"))
    assert extract_file(f, options=ExtractOptions(encoding="cp1252")).text == "Kerja sama \u00e9"


def test_html_nested_too_deep_is_a_typed_error_not_a_silent_cut(tmp_path):
    from qualcoop.errors import ResourceLimitError

    f = tmp_path / "deep.html"
    f.write_text("<div>" * 5000 + "hello" + "</div>" * 5000, encoding="utf-8")
    with pytest.raises(ResourceLimitError, match="deeper than"):
        extract_file(f)
