"""PDF extraction on real third-party files (shared/data/pdfs, see MANIFEST section D)."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest

from qualcoop.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    ExtractionError,
    ExtractionQualityWarning,
    ExtractionTimeoutError,
    ResourceLimitError,
)
from qualcoop.extract import ExtractOptions, extract_file
from qualcoop.extract.base import Extracted
from qualcoop.extract.pdf import (
    NO_TEXT_LAYER,
    PAGE_SEPARATOR,
    PdfiumExtractor,
    PdfplumberExtractor,
)

PDFIUM = "pdf.pypdfium2.v1"
PLUMBER = "pdf.pdfplumber.v1"
ENGINES = (PDFIUM, PLUMBER)

FEDERAL_REGISTER_NEEDLE = (
    "The FAA proposes to\nsupersede Airworthiness Directive (AD)\n2018–23–51, which applies to all The\n"
    "Boeing Company Model 737–8 and 737–\n9 (737 MAX) airplanes. Since AD 2018–\n"
)

# the files and passwords named in MANIFEST.md section D
WITH_PASSWORD = [
    ("pdfminer_six/encryption__rc4-40.pdf", "foo"),
    ("pdfminer_six/encryption__rc4-128.pdf", "foo"),
    ("pdfminer_six/encryption__aes-128.pdf", "foo"),
    ("pdfminer_six/encryption__aes-256.pdf", "foo"),
    ("pdfplumber/password-example.pdf", "test"),
    ("pypdf_sample_files/005-libreoffice-writer-password__libreoffice-writer-password.pdf",
     "openpassword"),
]
EMPTY_USER_PASSWORD = [
    "pdfminer_six/nonfree__dmca.pdf",
    "pdfminer_six/nonfree__kampo.pdf",
    "pdfminer_six/contrib__issue-625-identity-cmap.pdf",
]
IMAGE_ONLY = [
    "pdfminer_six/contrib__pdf-with-jbig2.pdf",
    "pypdf_sample_files/007-imagemagick-images__imagemagick-CCITTFaxDecode.pdf",
    "pdfminer_six/encryption__encrypted_doc_no_id.pdf",  # empty user password, scanned pages
]
GEOTOPO = "pypdf_sample_files/009-pdflatex-geotopo__GeoTopo-komprimiert.pdf"
I1040NR = "pdfminer_six/nonfree__i1040nr.pdf"
FOUR_PAGES = "pypdf_sample_files/004-pdflatex-4-pages__pdflatex-4-pages.pdf"

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def _extract(shared: Path, rel: str, **opts):
    return extract_file(shared / "pdfs" / rel, options=ExtractOptions(**opts))


def _quiet(shared: Path, rel: str, **opts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExtractionQualityWarning)
        return _extract(shared, rel, **opts)


def _page_texts(doc) -> list[str]:
    return [doc.text[r.start:r.end] for r in doc.regions_of("page")]


def _assert_page_structure(doc, pages: int) -> None:
    starts = doc.source.page_starts
    regions = doc.regions_of("page")
    assert len(starts) == pages == len(regions) == doc.source.details["pages"]
    assert [r.label for r in regions] == [str(n) for n in range(1, pages + 1)]
    assert [r.start for r in regions] == list(starts)
    assert starts[0] == 0 and regions[-1].end == len(doc.text)
    for before, after in zip(regions, regions[1:]):
        assert doc.text[before.end:after.start] == PAGE_SEPARATOR
    # the separator is the only form feed, so the pages are recoverable from the text alone
    assert doc.text.split(PAGE_SEPARATOR) == _page_texts(doc)
    for n, start in enumerate(starts, start=1):
        assert doc.source.page_of(start) == n


# --------------------------------------------------------------------------- golden / reading order


@pytest.mark.parametrize("engine", ENGINES)
def test_scotus_layout_golden(shared, engine):
    """pdfplumber's own golden file; the .txt ends with the newline every text file ends with."""
    expected = (shared / "pdfs/pdfplumber/scotus-transcript-p1.expected_layout.txt").read_text(
        encoding="utf-8")
    doc = _extract(shared, "pdfplumber/scotus-transcript-p1.pdf", pdf_engine=engine, pdf_layout=True)
    assert doc.text + "\n" == expected
    assert doc.source.details["engine"] == "pdfplumber"  # PDFium hands layout requests over
    assert doc.source.details["layout"] is True


def test_federal_register_two_column_reading_order(shared):
    doc = _extract(shared, "pdfplumber/federal-register-2020-17221.pdf")
    assert doc.source.details["engine"] == "pypdfium2"
    at = doc.text.find(FEDERAL_REGISTER_NEEDLE)
    assert at >= 0, "left column of page 1 is not read in order"
    assert doc.source.page_of(at) == 1
    # the column goes on where the needle stops, not with text from the right-hand column
    assert doc.text[at + len(FEDERAL_REGISTER_NEEDLE):].startswith("23–51 was issued")


def test_pdfplumber_plain_text_mixes_the_columns(shared):
    """Why PDFium is the default: pdfplumber's plain text reads across both columns."""
    doc = _extract(shared, "pdfplumber/federal-register-2020-17221.pdf", pdf_engine=PLUMBER)
    assert "Airworthiness Directive (AD)" in doc.text
    assert FEDERAL_REGISTER_NEEDLE not in doc.text


@pytest.mark.parametrize("engine", ENGINES)
def test_hyphen_at_line_end_is_kept_as_printed(shared, engine):
    """PDFium marks a line-final hyphen with U+FFFE; it is written back as "-\\n" (as pdfplumber)."""
    doc = _extract(shared, "pdfminer_six/nonfree__dmca.pdf", pdf_engine=engine)
    assert "this obligation was imple-\nmented in the Uruguay" in doc.text
    assert "\ufffe" not in doc.text


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize("rel,pages", [(FOUR_PAGES, 4), (I1040NR, 50), (GEOTOPO, 117)])
def test_page_starts_and_regions(shared, rel, pages):
    doc = _quiet(shared, rel)
    _assert_page_structure(doc, pages)


def test_each_page_region_holds_that_page(shared):
    # pdflatex prints the page number as the last line of each page of this blindtext document
    doc = _extract(shared, FOUR_PAGES)
    texts = _page_texts(doc)
    assert [t.rsplit("\n", 1)[-1] for t in texts] == ["1", "2", "3", "4"]
    assert texts[0].startswith("Hello, here is some text without a meaning.")


def test_page_texts_match_raw_pypdfium2(shared):
    """Page i of the document is what pypdfium2 reads from page i (after the documented changes)."""
    import pypdfium2 as pdfium

    doc = _quiet(shared, I1040NR)
    raw_doc = pdfium.PdfDocument(shared / "pdfs" / I1040NR)
    try:
        for i, ours in enumerate(_page_texts(doc)):
            page = raw_doc[i]
            textpage = page.get_textpage()
            raw = textpage.get_text_range()
            textpage.close()
            page.close()
            raw = raw.replace("\r\n", "\n").replace("\ufffe", "-\n")
            raw = re.sub(" +(?=\n)| +$", "", raw)
            raw = _CONTROL.sub("\ufffd", raw)
            assert ours == raw, f"page {i + 1}"
    finally:
        raw_doc.close()


def test_pdfplumber_engine_page_structure(shared):
    doc = _extract(shared, FOUR_PAGES, pdf_engine=PLUMBER)
    _assert_page_structure(doc, 4)
    assert [t.rsplit("\n", 1)[-1] for t in _page_texts(doc)] == ["1", "2", "3", "4"]


# --------------------------------------------------------------------------- encryption


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rel,password", WITH_PASSWORD)
def test_encrypted_opens_with_the_right_password(shared, engine, rel, password):
    doc = _extract(shared, rel, pdf_engine=engine, password=password)
    assert doc.text.strip()
    if rel.startswith("pdfminer_six/encryption__"):
        assert doc.text == "Secret!"  # the same text as the unencrypted encryption__base.pdf
    assert doc.source.details["encrypted"] is True
    assert password not in repr(doc.source.to_dict())  # the password is not kept


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rel,password", WITH_PASSWORD)
def test_encrypted_without_password(shared, engine, rel, password):
    with pytest.raises(EncryptedDocumentError) as info:
        _extract(shared, rel, pdf_engine=engine)
    assert info.value.path.endswith(Path(rel).name)
    assert "needs a password" in info.value.detail


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rel,password", WITH_PASSWORD)
def test_encrypted_with_a_wrong_password(shared, engine, rel, password):
    with pytest.raises(EncryptedDocumentError) as info:
        _extract(shared, rel, pdf_engine=engine, password=password + "-wrong")
    assert "wrong" in info.value.detail


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rel", EMPTY_USER_PASSWORD)
def test_empty_user_password_opens_silently(shared, engine, rel):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExtractionQualityWarning)
        if rel.endswith("kampo.pdf"):  # PDFium falls back; pdfminer writes one (cid:1): both say so
            warnings.simplefilter("ignore", ExtractionQualityWarning)
        doc = _extract(shared, rel, pdf_engine=engine)
    assert doc.source.details["encrypted"] is True
    assert len(doc.text) > 1000


def test_empty_user_password_but_scanned(shared):
    """encrypted_doc_no_id opens without a password; its 3 pages are CCITT images."""
    with pytest.raises(EmptyDocumentError) as info:
        _extract(shared, "pdfminer_six/encryption__encrypted_doc_no_id.pdf")
    assert NO_TEXT_LAYER in info.value.detail


def test_unencrypted_file_reports_not_encrypted(shared):
    doc = _extract(shared, "pdfminer_six/encryption__base.pdf")
    assert doc.text == "Secret!"
    assert doc.source.details["encrypted"] is False


# --------------------------------------------------------------------------- empty, image-only, broken


def test_zero_byte_file(shared):
    with pytest.raises(EmptyDocumentError) as info:
        _extract(shared, "pdfplumber/empty.pdf")
    assert info.value.path.endswith("empty.pdf")


@pytest.mark.parametrize("extractor", [PdfiumExtractor, PdfplumberExtractor])
def test_extractor_refuses_empty_and_non_pdf_bytes(tmp_path, extractor):
    path = tmp_path / "x.pdf"
    with pytest.raises(EmptyDocumentError):
        extractor().extract(path, b"", ExtractOptions())
    with pytest.raises(CorruptDocumentError, match="no %PDF- header"):
        extractor().extract(path, b"<html>not a pdf</html>", ExtractOptions())


@pytest.mark.parametrize("engine", ENGINES)
def test_truncated_pdf_is_a_typed_error(shared, tmp_path, engine):
    data = (shared / "pdfs/pdfplumber/issue-33-lorem-ipsum.pdf").read_bytes()
    broken = tmp_path / "truncated.pdf"
    broken.write_bytes(data[:200])
    with pytest.raises((CorruptDocumentError, EmptyDocumentError)) as info:
        extract_file(broken, options=ExtractOptions(pdf_engine=engine))
    assert info.value.path == str(broken)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rel", IMAGE_ONLY)
def test_image_only_pdf_is_empty(shared, engine, rel):
    with pytest.raises(EmptyDocumentError, match="no text layer on any page"):
        _extract(shared, rel, pdf_engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_pages_without_text_are_named_in_one_warning(shared, engine):
    rel = "pypdf_sample_files/007-imagemagick-images__imagemagick-images.pdf"
    with pytest.warns(ExtractionQualityWarning) as caught:
        doc = _extract(shared, rel, pdf_engine=engine)
    messages = [str(w.message) for w in caught if "no text layer" in str(w.message)]
    assert len(messages) == 1
    assert "pages 4-5 of 6" in messages[0]
    assert doc.source.details["pages_without_text"] == (4, 5)
    assert [t.strip() == "" for t in _page_texts(doc)] == [False, False, False, True, True, False]


def test_no_startxref_is_read(shared):
    """simple1/simple3 have no valid startxref; pypdf fails, PDFium recovers."""
    doc = _extract(shared, "pdfminer_six/simple1.pdf")
    assert doc.text.startswith("Hello World\n")
    doc = _extract(shared, "pdfminer_six/simple3.pdf")
    assert "Hello" in doc.text and "World" in doc.text


def test_pdfium_failure_falls_back_to_pdfminer(shared):
    """PDFium cannot load unreadablemetadata.pdf; pdfminer can, and the engine is recorded."""
    rel = "pypdf_sample_files/017-unreadable-meta-data__unreadablemetadata.pdf"
    with pytest.warns(ExtractionQualityWarning, match="pypdfium2 could not open it"):
        doc = _extract(shared, rel)
    assert doc.source.extractor == PDFIUM
    assert doc.source.details["engine"] == "pdfplumber"
    assert "Data format error" in doc.source.details["fallback_from"]
    assert "Rotary Potentiometer" in doc.text


def test_text_dropped_by_pdfium_falls_back(shared):
    """kampo.pdf (non-embedded CJK fonts): PDFium returns 28 characters for 2,624 text objects."""
    with pytest.warns(ExtractionQualityWarning) as caught:
        doc = _extract(shared, "pdfminer_six/nonfree__kampo.pdf")
    messages = [str(w.message) for w in caught]
    assert any("pypdfium2 dropped text on page 1 (page 1: 28 characters for 2624 text objects)" in m
               for m in messages), messages
    assert doc.source.details["engine"] == "pdfplumber"
    assert doc.text.startswith("平成")
    assert sum("\u4e00" <= c <= "\u9fff" for c in doc.text) > 500  # PDFium's 28 chars hold 4


def test_unmapped_glyphs_become_reported_replacement_characters(shared):
    with pytest.warns(ExtractionQualityWarning, match="without a Unicode mapping") as caught:
        doc = _extract(shared, GEOTOPO)
    assert doc.source.details["replaced_chars"] == doc.text.count("\ufffd") > 0
    assert sum("U+FFFD" in str(w.message) for w in caught) == 1  # aggregated, not one per page
    assert not _CONTROL.search(doc.text.replace(PAGE_SEPARATOR, "\n"))


def test_pdfminer_cid_glyphs_are_counted_and_reported(shared):
    """kampo.pdf's page header has one glyph pdfminer cannot map: it writes "(cid:1)"."""
    with pytest.warns(ExtractionQualityWarning, match=r"1 glyph\(s\) .* \(cid:N\) .* on page 1"):
        doc = _extract(shared, "pdfminer_six/nonfree__kampo.pdf", pdf_engine=PLUMBER)
    assert doc.source.details["cid_glyphs"] == doc.text.count("(cid:") == 1


# --------------------------------------------------------------------------- limits


def test_timeout_on_a_real_pdf(shared):
    with pytest.raises(ExtractionTimeoutError) as info:
        _extract(shared, GEOTOPO, timeout=0.001)
    assert info.value.path.endswith("GeoTopo-komprimiert.pdf")


@pytest.mark.parametrize("engine", ENGINES)
def test_memory_cap_on_a_real_pdf(shared, engine):
    """The cap is headroom over the forked child's start size. Run from a lean parent process, as a
    batch worker would: inside this test process, freed heap inherited from earlier tests can let the
    child work without growing its address space, so the outcome would depend on test order."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from qualcoop.extract import extract_file\n"
            "from qualcoop.extract.base import ExtractOptions\n"
            "try:\n"
            f"    extract_file(sys.argv[1], options=ExtractOptions(pdf_engine={engine!r}, memory_limit_mb=1))\n"
            "    print('extracted')\n"
            "except Exception as e:\n"
            "    print(type(e).__name__, getattr(e, 'path', ''))\n")
    got = subprocess.run([sys.executable, "-c", code, str(shared / "pdfs" / GEOTOPO)],
                         capture_output=True, text=True, timeout=120)
    assert got.stdout.split()[0] == ResourceLimitError.__name__, got.stdout + got.stderr
    assert got.stdout.strip().endswith("GeoTopo-komprimiert.pdf")


# --------------------------------------------------------------------------- every file


def _all_pdfs() -> list[str]:
    from conftest import SHARED

    root = SHARED / "pdfs"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.pdf")) if root.is_dir() else []


def _passwords(shared: Path) -> dict[str, str]:
    props = json.loads((shared / "pdfs/observed_properties_pypdf-7.1.1.json").read_text("utf-8"))
    return {k: v["password"] for k, v in props.items() if "password" in v}


@pytest.mark.parametrize("rel", _all_pdfs())
def test_every_shared_pdf_extracts_or_fails_typed(shared, rel):
    opts = {"password": _passwords(shared).get(rel), "timeout": 60.0}
    try:
        doc = _quiet(shared, rel, **opts)
    except ExtractionError as e:
        assert type(e) is not ExtractionError, f"untyped failure: {e}"
        assert e.path.endswith(Path(rel).name)
        return
    n = doc.source.details["pages"]
    _assert_page_structure(doc, n)
    assert doc.text.strip()
    assert "\r" not in doc.text
    assert not _CONTROL.search(doc.text.replace(PAGE_SEPARATOR, "\n"))
    assert doc.source.media_type == "application/pdf"
    again = _quiet(shared, rel, **opts)  # deterministic
    assert again.text == doc.text
    assert again.source == doc.source and again.regions == doc.regions


@pytest.mark.parametrize("engine", ENGINES)
def test_deterministic(shared, engine):
    first = _extract(shared, "pdfplumber/federal-register-2020-17221.pdf", pdf_engine=engine)
    second = _extract(shared, "pdfplumber/federal-register-2020-17221.pdf", pdf_engine=engine)
    assert first.text == second.text
    assert first.to_dict() == second.to_dict()


def test_extracted_is_what_the_contract_says(shared):
    path = shared / "pdfs" / FOUR_PAGES
    got = PdfiumExtractor().extract(path, path.read_bytes(), ExtractOptions())
    assert isinstance(got, Extracted)
    assert got.media_type == "application/pdf" and got.warnings == ()
    assert PdfiumExtractor.suffixes == PdfplumberExtractor.suffixes == (".pdf",)
    assert PdfiumExtractor().version() == __import__("pypdfium2").version.PYPDFIUM_INFO.version
