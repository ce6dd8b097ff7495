"""Page furniture (running headers, footers, page numbers) marked as regions and left out of
segments and codings, on real multi-page PDFs and on a generated one; text and offsets unchanged."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcoop.errors import ExtractionQualityWarning
from qualcoop.extract import ExtractOptions, extract_file
from qualcoop.extract.furniture import find_furniture, line_key
from qualcoop.segment import UNITS, segment
from qualcoop.segment.furniture import furniture_spans

ENGINES = ("pdf.pypdfium2.v1", "pdf.pdfplumber.v1")


def _extract(path: Path, **opts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExtractionQualityWarning)
        return extract_file(path, options=ExtractOptions(**opts))


def _furniture(doc, kind):
    return [doc.text[r.start:r.end] for r in doc.regions if r.kind == kind]


def _segment_texts(doc, unit="paragraph", **kw):
    return [doc.text[s.start:s.end] for s in segment(doc, unit, **kw)]


def test_federal_register_header_and_footer(shared):
    doc = _extract(shared / "pdfs/pdfplumber/federal-register-2020-17221.pdf")
    pages = len(doc.source.page_starts)
    headers, footers = _furniture(doc, "header"), _furniture(doc, "footer")
    # the running head, with the page number before or after it, on every page but the first
    running = [h for h in headers if "Federal Register / Vol. 85, No. 152" in h]
    assert len(running) == pages - 1
    # the typesetter's footer (two lines) on every page
    assert sum(f.startswith("VerDate Sep<11>2014") for f in footers) == pages
    assert sum(f == "jbell on DSKJLSW7X2PROD with PROPOSALS" for f in footers) == pages
    # no body paragraph is furniture
    assert not any("Airworthiness" in h for h in headers + footers)
    kept = _segment_texts(doc, keep_furniture=True)
    skipped = _segment_texts(doc)
    assert any(t.startswith("VerDate") for t in kept)
    assert not any("VerDate" in t or "DSKJLSW7X2PROD" in t for t in skipped)
    assert not any("Federal Register / Vol. 85" in t for t in skipped)
    assert len(skipped) < len(kept)


@pytest.mark.parametrize("engine", ENGINES)
def test_dmca_running_head(shared, engine):
    doc = _extract(shared / "pdfs/pdfminer_six/nonfree__dmca.pdf", pdf_engine=engine)
    pages = len(doc.source.page_starts)
    headers = _furniture(doc, "header")
    assert sum(h == "The Digital Millennium Copyright Act of 1998" for h in headers) >= pages - 2
    # PDFium reads this line at the top of the page (after a footnote on page 4), pdfminer at the bottom
    both = headers + _furniture(doc, "footer")
    assert sum(h.startswith("Copyright Office Summary December 1998 Page") for h in both) >= pages - 1
    for t in _segment_texts(doc, "sentence"):
        assert "Copyright Office Summary December 1998 Page" not in t


def test_i1040nr_proof_lines_and_alternating_footer(shared):
    doc = _extract(shared / "pdfs/pdfminer_six/nonfree__i1040nr.pdf")
    headers, footers = _furniture(doc, "header"), _furniture(doc, "footer")
    assert sum(h.startswith("The type and rule above prints on all proofs") for h in headers) >= 45
    # "-2- Instructions for Form 1040NR" on even pages, "Instructions for Form 1040NR -3-" on odd ones
    assert sum("Instructions for Form 1040NR -" in f for f in footers) >= 20
    assert sum(f.startswith("-") and f.endswith("Instructions for Form 1040NR") for f in footers) >= 20


def test_text_and_offsets_do_not_change(shared):
    """Furniture is regions only: the text is the same whether or not it is marked."""
    from qualcoop.extract.pdf import PAGE_SEPARATOR  # noqa: F401

    doc = _extract(shared / "pdfs/pdfplumber/federal-register-2020-17221.pdf")
    again = find_furniture(doc.text, doc.source.page_starts)
    assert again == tuple(r for r in doc.regions if r.kind in ("header", "footer"))
    for r in again:
        assert doc.text[r.start:r.end] == doc.text[r.start:r.end].strip()
        page = doc.source.page_of(r.start)
        assert r.label == str(page)
        assert doc.source.page_of(r.end - 1) == page


def _pdf_with_header(path: Path, pages: int) -> None:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_font("Helvetica", size=10)
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.text(50, 40, "World Bank Trust Fund for Labour Cooperation - Annual Report 2021")
        topic = ["inspection", "apprenticeships", "social dialogue", "wages", "safety"][(n - 1) % 5]
        body = [f"This chapter reports on {topic} in the provinces.",
                "The programme funded training of inspectors." if n == 3 else f"Results on {topic} vary."]
        y = 120.0
        for line in body:
            pdf.text(50, y, line)
            y += 40
        pdf.text(290, 800, f"Page {n} of {pages}")
    pdf.output(str(path))


@pytest.mark.parametrize("engine", ENGINES)
def test_generated_pdf_header_is_not_coded(tmp_path, engine):
    from qualcoop.match import apply_codebook
    from qualcoop.model import Code, Codebook, Rule

    path = tmp_path / "report.pdf"
    _pdf_with_header(path, 5)
    doc = _extract(path, pdf_engine=engine)
    assert _furniture(doc, "header") == ["World Bank Trust Fund for Labour Cooperation - Annual Report 2021"] * 5
    assert _furniture(doc, "footer") == [f"Page {n} of 5" for n in range(1, 6)]
    cb = Codebook("t", "1", [Code("funding", "Funding", rules=[Rule("r", "phrase", terms=["trust fund", "funded"])]),
                             Code("bank", "Bank", rules=[Rule("b", "phrase", terms=["world bank"])])])
    for unit in UNITS:
        coded = apply_codebook([doc], cb, unit=unit)
        assert "bank" not in {c.code_id for c in coded}, unit  # only the header names the World Bank
        assert {c.code_id for c in coded} == {"funding"}, unit  # "funded" in the body
        kept = apply_codebook([doc], cb, unit=unit, keep_furniture=True)
        assert "bank" in {c.code_id for c in kept}, unit
    # every segment stays a view into the unchanged text, off the furniture
    spans = furniture_spans(doc)
    for s in segment(doc, "sentence"):
        assert not any(a < s.end and s.start < b and a >= s.start and b <= s.end and
                       (s.start == a or s.end == b) for a, b in spans)


def test_two_page_documents_have_no_furniture():
    text = "Title\nBody one.\n1\fTitle\nBody two.\n2"
    assert find_furniture(text, [0, text.index("Title", 1)]) == ()


def test_line_keys():
    assert line_key("47700 Federal Register / Vol. 85") == line_key("Federal Register / Vol. 85 47701")
    assert line_key("- 3 -") == line_key("iv") == line_key("Page 4 of 48") == line_key("12") == "#"
    assert line_key("Pasal 3") == "pasal"
    assert line_key("a1") == ""


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="ab \n12.-", max_size=40), min_size=0, max_size=8))
def test_regions_are_lines_within_pages(pages):
    text = "\f".join(pages)
    starts, pos = [], 0
    for p in pages:
        starts.append(pos)
        pos += len(p) + 1
    if not pages:
        return
    for r in find_furniture(text, starts):
        assert r.kind in ("header", "footer")
        assert 0 <= r.start < r.end <= len(text)
        assert "\n" not in text[r.start:r.end] and "\f" not in text[r.start:r.end]


def test_cli_code_and_extract_skip_furniture(tmp_path):
    import subprocess
    import sys

    (tmp_path / "in").mkdir()
    _pdf_with_header(tmp_path / "in" / "report.pdf", 4)
    cb = tmp_path / "cb.yaml"
    cb.write_text("name: t\nversion: '1'\ncodes:\n  - id: bank\n    name: Bank\n    rules:\n"
                  "      - {id: b, kind: phrase, terms: [world bank]}\n  - id: funding\n    name: Funding\n"
                  "    rules:\n      - {id: f, kind: phrase, terms: [funded]}\n", encoding="utf-8")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "qualcoop", *args], capture_output=True, text=True,
                              timeout=300)

    for extra in ([], ["--workers", "2"]):
        r = run("code", str(tmp_path / "in"), "-c", str(cb), "-o", str(tmp_path / "c.csv"), *extra)
        assert r.returncode == 0, r.stderr
        coded = (tmp_path / "c.csv").read_text(encoding="utf-8")
        assert ",bank," not in coded and ",funding," in coded
    r = run("code", str(tmp_path / "in"), "-c", str(cb), "-o", str(tmp_path / "k.csv"), "--keep-furniture")
    assert r.returncode == 0, r.stderr
    assert ",bank," in (tmp_path / "k.csv").read_text(encoding="utf-8")
    r = run("extract", str(tmp_path / "in"), "-o", str(tmp_path / "s.csv"))
    assert r.returncode == 0, r.stderr
    assert "World Bank Trust Fund" not in (tmp_path / "s.csv").read_text(encoding="utf-8")
    r = run("extract", str(tmp_path / "in"), "-o", str(tmp_path / "s2.csv"), "--keep-furniture")
    assert "World Bank Trust Fund" in (tmp_path / "s2.csv").read_text(encoding="utf-8")
