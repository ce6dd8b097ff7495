"""PDF extraction on real third-party files (shared/data/pdfs, see MANIFEST section D)."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _raw_pdfium_pages(path: Path, password: str | None = None) -> list[str]:
    """What pypdfium2 reads from each page, with the documented changes (not the paragraph breaks)."""
    import pypdfium2 as pdfium

    raw_doc = pdfium.PdfDocument(path, password=password)
    out = []
    try:
        for i in range(len(raw_doc)):
            page = raw_doc[i]
            textpage = page.get_textpage()
            raw = textpage.get_text_range(errors="replace")
            textpage.close()
            page.close()
            raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe\n", "-\n")
            raw = raw.replace("\ufffe", "-\n")
            raw = re.sub(" +(?=\n)| +$", "", raw)
            out.append(_CONTROL.sub("\ufffd", raw))
    finally:
        raw_doc.close()
    return out


def _without_blank_lines(text: str) -> str:
    return re.sub(r"\n\n+", "\n", text)


def test_page_texts_match_raw_pypdfium2(shared):
    """Page i of the document is what pypdfium2 reads from page i, plus the paragraph breaks."""
    doc = _quiet(shared, I1040NR)
    raws = _raw_pdfium_pages(shared / "pdfs" / I1040NR)
    ours = _page_texts(doc)
    assert len(ours) == len(raws) == 50
    added = 0
    for i, (page, raw) in enumerate(zip(ours, raws), start=1):
        assert _without_blank_lines(page) == _without_blank_lines(raw), f"page {i}"
        added += page.count("\n") - raw.count("\n")
    assert added == doc.source.details["paragraph_breaks"] > 0


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


# --------------------------------------------------------------------------- paragraphs


@pytest.mark.parametrize("rel", _all_pdfs())
def test_paragraph_breaks_only_add_blank_lines(shared, rel):
    """For every shared PDF PDFium reads itself: without its blank lines the text is PDFium's text."""
    password = _passwords(shared).get(rel)
    try:
        doc = _quiet(shared, rel, password=password, timeout=60.0)
    except ExtractionError as e:
        pytest.skip(f"no text to compare ({type(e).__name__})")
    if doc.source.details["engine"] != "pypdfium2":
        pytest.skip("PDFium fell back to pdfminer")
    raw = PAGE_SEPARATOR.join(_raw_pdfium_pages(shared / "pdfs" / rel, password))
    assert _without_blank_lines(doc.text) == _without_blank_lines(raw)
    assert doc.text.count("\n") - raw.count("\n") == doc.source.details["paragraph_breaks"]


@pytest.mark.parametrize("rel", ["pdfplumber/2023-06-20-PV.pdf", "pdfminer_six/nonfree__dmca.pdf",
                                 FOUR_PAGES])
def test_pdfplumber_paragraph_breaks_only_add_blank_lines(shared, rel):
    import pdfplumber

    doc = _extract(shared, rel, pdf_engine=PLUMBER)
    with pdfplumber.open(shared / "pdfs" / rel) as pdf:
        raws = [page.extract_text() for page in pdf.pages]
    added = 0
    for page, raw in zip(_page_texts(doc), raws, strict=True):
        assert _without_blank_lines(page) == _without_blank_lines(raw)
        added += page.count("\n") - raw.count("\n")
    assert added == doc.source.details["paragraph_breaks"] > 0


def test_layout_mode_adds_no_paragraph_breaks(shared):
    doc = _extract(shared, "pdfplumber/scotus-transcript-p1.pdf", pdf_engine=PLUMBER, pdf_layout=True)
    assert doc.source.details["paragraph_breaks"] is None


def _build_module(repo: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_score_bali", repo / "corpora/build_score_bali.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _words(text: str) -> str:
    return " ".join(text.split())


# page breaks split these paragraphs of the MoUs (seen in the PDFs: the page ends mid-sentence)
MOU_CONTINUED = {
    "mou_kemnaker_ilo_score.pdf": ("manpower offices to deliver SCORE training",),
    "nota_kesepahaman_kemnaker_ilo_score.pdf": ("UKM melalui pelatihan di kelas", "diberikan oleh pelatih SCORE",
                                                "Pengakhiran tidak memengaruhi kegiatan"),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name,expected", [("mou_kemnaker_ilo_score.pdf", 73),
                                           ("nota_kesepahaman_kemnaker_ilo_score.pdf", 76)])
def test_mou_paragraphs_are_the_source_paragraphs(repo, engine, name, expected):
    """The constructed MoUs are typeset from known paragraphs (corpora/_build/score_bali): every
    source paragraph comes out as one paragraph segment, word for word. Besides them there are only
    the note above the title, one page number per page and the rest of each paragraph a page break
    cut in two."""
    from qualcoop.segment import segment

    build = _build_module(repo)
    spec = build.PDFS[name]
    source = [_words(re.sub(r"^(#{1,2}|-|\|) ", "", block)) for block in build._blocks(spec["source"])]
    doc = extract_file(repo / "corpora/score_bali" / name, options=ExtractOptions(pdf_engine=engine))
    segments = segment(doc, "paragraph", keep_furniture=True)  # page numbers included
    pages = len(doc.source.page_starts)
    continued = MOU_CONTINUED[name]
    # by default the page numbers are page furniture (footers), not segments
    furniture = [doc.text[r.start:r.end] for r in doc.regions if r.kind == "footer"]
    assert furniture == [str(n) for n in range(1, pages + 1)]
    assert len(segment(doc, "paragraph")) == expected - pages
    assert len(segments) == len(source) + 1 + pages + len(continued) == expected

    texts = [_words(doc.text[s.start:s.end]) for s in segments]
    assert texts[0] == _words(spec["note"])
    numbers = [t for s, t in zip(segments, texts) if t == str(doc.source.page_of(s.start))]
    assert numbers == [str(n) for n in range(1, pages + 1)]
    body: list[str] = []
    for t in texts[1:]:
        if t in numbers:
            continue
        if t.startswith(continued):
            body[-1] += " " + t
        else:
            body.append(t)
    assert body == source


def _page_paragraphs(doc, page: int) -> list[str]:
    from qualcoop.segment import segment

    # paragraph breaks as extracted: page furniture kept (test_furniture.py checks it is marked)
    return [" ".join(doc.text[s.start:s.end].split()[:3])
            for s in segment(doc, "paragraph", keep_furniture=True)
            if doc.source.page_of(s.start) == page]


def test_federal_register_paragraphs(shared):
    """Page 1 (three columns, first-line indents, run-in heads, bullets), checked on the page image:
    every visually separate block is one paragraph; the page header comes out where PDFium reads
    it, and the footer joins no paragraph although the last word is hyphenated across the page."""
    doc = _extract(shared, "pdfplumber/federal-register-2020-17221.pdf")
    assert _page_paragraphs(doc, 1) == [
        "This section of", "Proposed Rules Federal", "47698", "Vol. 85, No.", "Thursday, August 6,",
        "DEPARTMENT OF TRANSPORTATION", "Federal Aviation Administration", "14 CFR Part",
        "[Docket No. FAA–2020–0686;", "RIN 2120–AA64", "Airworthiness Directives; The",
        "AGENCY: Federal Aviation", "ACTION: Notice of", "SUMMARY: The FAA", "DATES: The FAA",
        "ADDRESSES: You may", "• Federal eRulemaking", "• Fax: 202–493–2251.", "• Mail: U.S.",
        "• Hand Delivery:", "For Boeing service", "Examining the AD", "You may examine",
        "FOR FURTHER INFORMATION", "SUPPLEMENTARY INFORMATION:", "Comments Invited", "The FAA invites",
        "Except for Confidential", "Confidential Business Information", "CBI is commercial", "Background",
        "On October 29,", "VerDate Sep<11>2014 16:21"]
    # the MANIFEST's two-column passage is inside one paragraph
    at = doc.text.find(FEDERAL_REGISTER_NEEDLE)
    assert "\n\n" not in doc.text[doc.text.rfind("SUMMARY:", 0, at):at + len(FEDERAL_REGISTER_NEEDLE)]
    # page 8 is a figure (an image) between the running header and the footer
    assert len(_page_paragraphs(doc, 8)) == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_dmca_paragraphs(shared, engine):
    """Checked on the page images: page 1 has a footnote, a footer, the title block, a date, a
    heading, two paragraphs, five hanging-indent list items marked by a Wingdings bullet (read
    as "!") and a closing paragraph; page 5 a header, a footer, two headings, five paragraphs and
    three numbered hanging-indent items."""
    doc = _extract(shared, "pdfminer_six/nonfree__dmca.pdf", pdf_engine=engine)
    page1 = _page_paragraphs(doc, 1)
    assert len(page1) == 13
    assert [p for p in page1 if p.startswith("!")] == [
        "! Title I,", "! Title II,", "! Title III,", "! Title IV", "! Title V,"]
    assert {"This memorandum summarizes", "INTRODUCTION", "December 1998"} <= set(page1)
    page5 = _page_paragraphs(doc, 5)
    assert len(page5) == 11
    items = ["1. Nonprofit library,", "2. Reverse engineering", "3. Encryption research"]
    assert [p for p in page5 if p in items] == items
    assert {"Savings clauses", "Exceptions", "The six additional"} <= set(page5)


@pytest.mark.parametrize("engine", ENGINES)
def test_meeting_minutes_paragraphs(shared, engine):
    """2023-06-20-PV (checked on the page images): 25 blocks on page 1 (title lines, attendance
    lines, four numbered items with their text, a resolution number and eight ATTENDU recitals),
    5 on page 2."""
    doc = _extract(shared, "pdfplumber/2023-06-20-PV.pdf", pdf_engine=engine)
    page1, page2 = _page_paragraphs(doc, 1), _page_paragraphs(doc, 2)
    assert len(page1) == 25
    assert sum(p.startswith("ATTENDU") for p in page1) == 8
    assert page1[:4] == ["COMITÉ DE DÉMOLITION", "PROCÈS-VERBAL", "Séance publique tenue", "Présences"]
    assert page2 == ["ATTENDU l’avis du", "IL EST RÉSOLU", "D’APPROUVER la demande", "5. LEVÉE DE",
                     "La séance est"]


def test_i1040nr_paragraphs_follow_pdfiums_reading_order(shared):
    """i1040nr's pages have three columns that PDFium reads row by row across the columns (as it
    always did; not a paragraph question), so a break is found only where every column has a gap
    at the same height: page 1 gives 13 paragraphs where the image shows about 40. The title
    block above the columns comes out right."""
    doc = _quiet(shared, I1040NR)
    page1 = _page_paragraphs(doc, 1)
    assert len(page1) == 13
    assert page1[3:6] == ["Instructions for", "Form 1040NR", "U.S. Nonresident Alien"]


@st.composite
def _laid_out_pages(draw: st.DrawFn):
    """A page text the way PDFium writes it (CRLF, bare CR or U+FFFE line ends, trailing spaces)
    and the geometry of its lines: random columns, steps, indents and fonts."""
    from strategies import sentences

    from qualcoop.extract.pdf import _Line

    parts: list[str] = []
    lines: list[_Line] = []
    pos = 0
    base = 0.0
    for i in range(draw(st.integers(1, 14))):
        body = draw(sentences()).replace("\n", " ").replace("\f", " ").replace("\r", " ").strip(" ") or "x"
        pad = " " * draw(st.integers(0, 2))
        ending = "" if i == 0 else draw(st.sampled_from(["\r\n", "\r\n", "\r", "\ufffe", "\ufffe\r\n", "\n"]))
        parts.append(ending)
        pos += len(ending)
        height = draw(st.sampled_from([7.0, 9.0, 12.2, 14.0]))
        base += draw(st.sampled_from([0.0, 1.0, 1.1, 1.3, 1.6, 2.5, -30.0])) * height
        left = draw(st.sampled_from([45.0, 54.0, 72.0, 144.0, 231.0]))
        right = left + draw(st.floats(5.0, 400.0))
        space = body.find(" ")
        lines.append(_Line(pos, left, right, base, height, body[0], len(body),
                           len(body) if space < 0 else space, body.endswith("\ufffe")))
        parts.append(pad + body + pad)
        pos += len(pad + body + pad)
    text = "".join(parts)
    # the hyphen flag as _pdfium_lines sets it: the line ends in a hyphen mark
    marks = [k for k, line in enumerate(lines) if k + 1 < len(lines)
             and text[lines[k + 1].start - 3:lines[k + 1].start].rstrip("\r\n").endswith("\ufffe")]
    lines = [line._replace(hyphen=True) if k in marks else line for k, line in enumerate(lines)]
    return text, lines


@settings(max_examples=300, deadline=None)
@given(_laid_out_pages())
def test_paragraph_breaks_add_blank_lines_only_at_line_starts(page):
    """Whatever the layout: the normalised page with its blank lines taken out is the normalised
    page without breaks, one line end is added per break, and breaks fall only at line starts."""
    from qualcoop.extract.pdf import _normalise_page, _paragraph_starts, _with_breaks

    text, lines = page
    new, added = _with_breaks(text, lines)
    old_page, _ = _normalise_page(text, pdfium_marks=True)
    new_page, _ = _normalise_page(new, pdfium_marks=True)
    assert _without_blank_lines(new_page) == _without_blank_lines(old_page)
    assert new_page.count("\n") - old_page.count("\n") == added
    assert added <= len(_paragraph_starts(lines)) < max(len(lines), 1)
    assert set(_paragraph_starts(lines)) <= {line.start for line in lines[1:]}
    assert _with_breaks(text, lines) == (new, added)  # deterministic


def _two_column_pdf(path: Path, paragraphs: list[str]) -> None:
    """Typeset ``paragraphs`` in two columns with first-line indents and no space between
    paragraphs (the only signs of a new paragraph are the indent and the short last line)."""
    import textwrap

    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    columns, top, step, bottom = (50.0, 310.0), 80.0, 12.0, 240.0
    col, y = 0, top
    for text in paragraphs:
        for k, line in enumerate(textwrap.wrap(text, 44, initial_indent="    ")):
            if y > bottom:
                col, y = col + 1, top
            x = columns[col] + (15.0 if k == 0 else 0.0)
            pdf.text(x, y, line.strip())
            y += step
    pdf.output(str(path))


def test_indented_paragraphs_in_two_columns(tmp_path):
    """PDFium; pdfplumber's plain text reads across the columns (test_pdfplumber_plain_text_mixes_the_columns)."""
    paragraphs = [
        "The Parties agree to cooperate on labour inspection and on the training of inspectors in "
        "the provinces named in the annex.",
        "Each party shall bear its own costs unless otherwise agreed in writing for a particular "
        "activity under this memorandum.",
        "Training shall be delivered by certified trainers, and the curriculum shall be reviewed every "
        "year by the joint committee, which shall report to both ministries on the results achieved, "
        "on the difficulties met and on the changes proposed for the following year of cooperation.",
        "Disputes shall be settled amicably through consultation.",
        "This memorandum enters into force on the date of the last signature and remains in force "
        "for five years.",
    ]
    path = tmp_path / "two-columns.pdf"
    _two_column_pdf(path, paragraphs)
    from qualcoop.segment import segment

    doc = extract_file(path)
    # the fourth paragraph's first line ends column 1; its second line starts column 2
    assert doc.text.count("\n") == 18 - 1 + 4
    assert [_words(doc.text[s.start:s.end]) for s in segment(doc, "paragraph")] == paragraphs
