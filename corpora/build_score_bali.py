"""Build the constructed documents of ``corpora/score_bali`` from their sources.

Run with the project venv from the repository root::

    .venv/bin/python corpora/build_score_bali.py            # (re)write corpora/score_bali
    .venv/bin/python corpora/build_score_bali.py --out DIR  # write somewhere else
    .venv/bin/python corpora/build_score_bali.py --check    # rebuild in a temp dir, compare bytes

The source texts live in ``corpora/_build/score_bali/`` (outside the corpus folder, so a
corpus walk never sees them). This script turns them into the formats a researcher meets
in the field:

==========================================  =======================================  ============
output (in corpora/score_bali/)             source                                   made with
==========================================  =======================================  ============
mou_kemnaker_ilo_score.pdf                  mou_en.txt                               fpdf2
nota_kesepahaman_kemnaker_ilo_score.pdf     mou_id.txt                               fpdf2
report_score_bali_2020_2021.docx            report_en.txt                            python-docx
wawancara_disnaker_bali_id.docx             wawancara_disnaker_bali_id.txt           python-docx
interview_kemnaker_official_en.vtt          interview_kemnaker_official_en.txt       this script
interview_ilo_trainer_en.txt                interview_ilo_trainer_en.txt             this script
wawancara_ukm_gianyar_id.txt                wawancara_ukm_gianyar_id.txt             this script
==========================================  =======================================  ============

The two seed abstracts (``seed_abstract_*.md``), ``metadata.csv`` and ``README.md`` are
written by hand and not touched here.

The build is deterministic: fixed PDF creation dates and metadata, fixed DOCX core
properties and zip entry dates, no clocks, no randomness. With the same library versions
(fpdf2, python-docx, zlib) and the same font file, two builds give byte-identical files
(``--check --exact`` compares bytes). Other versions lay the same content out in other bytes,
so ``--check`` compares what this script controls (:func:`signature`: page texts and document
information of the PDFs, text, structure and core properties of the DOCX files, bytes of the
rest).

The PDFs embed DejaVu Sans (``/usr/share/fonts/truetype/dejavu``; on Debian/Ubuntu
``apt-get install -y fonts-dejavu-core`` provides it). If it is missing the script stops
with a message saying so.

Source markup (one paragraph per block; lines of a block are joined with a space):
``= `` title, ``# `` heading 1 (in the MoUs: the centred title lines), ``## `` heading 2
(in the MoUs: the article number and name lines), ``- `` bullet item, ``| `` table row
(the first row is the header). Interview sources hold one turn per line, ``Label: text``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import io
import re
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "_build" / "score_bali"
OUT = HERE / "score_bali"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}

CONSTRUCTED_EN = ("Constructed sample document written by the qualcoop project for testing and "
                  "demonstration. It is not an official text of either Party.")
CONSTRUCTED_ID = ("Contoh dokumen buatan proyek qualcoop untuk pengujian dan demonstrasi. "
                  "Dokumen ini bukan naskah resmi salah satu Pihak.")

#: line starts the article segmenter treats as structural headings (checked in the built PDFs)
HEADING_START = re.compile(
    r"^\s*(article|art\.|chapter|section|part|annex|pasal|bab|bagian|paragraf)\s+"
    r"([0-9]+|[ivxlc]+\b|ke[a-z]+)", re.IGNORECASE)

#: what each built file is made from
PDFS = {
    "mou_kemnaker_ilo_score.pdf": dict(
        source="mou_en.txt", lang="en", date=dt.datetime(2017, 3, 14, 9, 0, tzinfo=dt.timezone.utc),
        title="Memorandum of Understanding between the Ministry of Manpower of the Republic of "
              "Indonesia and the International Labour Organization on SCORE Phase III",
        note=CONSTRUCTED_EN, heading_word="Article"),
    "nota_kesepahaman_kemnaker_ilo_score.pdf": dict(
        source="mou_id.txt", lang="id", date=dt.datetime(2017, 3, 14, 9, 0, tzinfo=dt.timezone.utc),
        title="Nota Kesepahaman antara Kementerian Ketenagakerjaan Republik Indonesia dan "
              "Organisasi Perburuhan Internasional tentang Program SCORE Tahap III",
        note=CONSTRUCTED_ID, heading_word="Pasal"),
}
REPORT_DOCX = "report_score_bali_2020_2021.docx"
TRANSCRIPT_DOCX = "wawancara_disnaker_bali_id.docx"
VTT = "interview_kemnaker_official_en.vtt"
TXT_TIMESTAMPED = "interview_ilo_trainer_en.txt"
TXT_WRAPPED = "wawancara_ukm_gianyar_id.txt"
BUILT = (*PDFS, REPORT_DOCX, TRANSCRIPT_DOCX, VTT, TXT_TIMESTAMPED, TXT_WRAPPED)

_ZIP_DATE = (2021, 8, 15, 0, 0, 0)


# --------------------------------------------------------------------------- sources


def _blocks(name: str) -> list[str]:
    """Blank-line separated blocks of a source file, each block's lines joined by a space."""
    text = (SOURCES / name).read_text(encoding="utf-8")
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if lines[0].startswith(("# ", "## ", "| ", "- ")):
            out.extend(lines)  # structural lines stay one per item
        else:
            out.append(" ".join(line.strip() for line in lines))
    return out


def _turns(name: str) -> list[tuple[str, str]]:
    """``(speaker, text)`` per non-blank line ``Speaker: text`` of an interview source."""
    turns = []
    for n, line in enumerate((SOURCES / name).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        speaker, sep, text = line.partition(": ")
        if not sep:
            raise SystemExit(f"{SOURCES / name}:{n}: expected 'Speaker: text'")
        turns.append((speaker.strip(), text.strip()))
    return turns


# --------------------------------------------------------------------------- PDF


def _fonts_present() -> None:
    missing = [f for f in FONTS.values() if not (FONT_DIR / f).is_file()]
    if missing:
        raise SystemExit(
            f"DejaVu fonts missing in {FONT_DIR}: {', '.join(missing)}. "
            "Install them with: apt-get install -y fonts-dejavu-core")


def build_pdf(name: str, out_dir: Path) -> Path:
    """Typeset one MoU source as an A4 PDF with embedded DejaVu Sans."""
    from fpdf import FPDF

    spec = PDFS[name]
    _fonts_present()

    class MouPdf(FPDF):
        def footer(self) -> None:  # a page number, as on a signed original
            self.set_y(-15)
            self.set_font("DejaVu", "", 9)
            self.cell(0, 10, f"{self.page_no()}", align="C")

    pdf = MouPdf(format="A4")
    pdf.set_margins(25, 22, 25)
    pdf.set_auto_page_break(True, margin=22)
    for style, file in FONTS.items():
        pdf.add_font("DejaVu", style, str(FONT_DIR / file))
    pdf.set_creation_date(spec["date"])
    pdf.set_title(spec["title"])
    pdf.set_author("qualcoop project (constructed sample)")
    pdf.set_subject(spec["note"])
    pdf.set_creator("corpora/build_score_bali.py")
    pdf.set_keywords("SCORE; ILO; Kementerian Ketenagakerjaan; Bali; constructed sample")
    pdf.set_lang(spec["lang"])
    pdf.add_page()
    pdf.set_font("DejaVu", "I", 8)
    pdf.multi_cell(0, 4, spec["note"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for block in _blocks(spec["source"]):
        if block.startswith("# "):
            pdf.set_font("DejaVu", "B", 12)
            pdf.multi_cell(0, 6.5, block[2:], align="C", new_x="LMARGIN", new_y="NEXT")
            continue
        if block.startswith("## "):
            label = block[3:]
            if label.startswith(spec["heading_word"]):
                pdf.ln(4)
                if pdf.will_page_break(30):  # keep the heading with the text below it
                    pdf.add_page()
            pdf.set_font("DejaVu", "B", 11)
            pdf.multi_cell(0, 6, label, align="C", new_x="LMARGIN", new_y="NEXT")
            continue
        pdf.ln(2.5)
        pdf.set_font("DejaVu", "", 10.5)
        pdf.multi_cell(0, 5.5, block, align="L", new_x="LMARGIN", new_y="NEXT")
    path = out_dir / name
    path.write_bytes(bytes(pdf.output()))
    _check_pdf_headings(path, spec["heading_word"])
    return path


def _check_pdf_headings(path: Path, word: str) -> None:
    """Every line of the PDF text that looks like a heading must be one of ours, in order.

    A cross-reference such as "... under\\nArticle 3" wrapped to the start of a line would
    become a false heading for the article segmenter; the sources avoid them and this
    check makes sure the typesetting did not create one.
    """
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()
    found = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if HEADING_START.match(line)]
    expected = [f"{word} {n}" for n in range(1, 9)]
    if found != expected:
        raise SystemExit(f"{path}: heading-like lines {found} differ from {expected}")


# --------------------------------------------------------------------------- DOCX


def _docx_core(doc, *, title: str, subject: str, language: str, when: dt.datetime) -> None:
    cp = doc.core_properties
    cp.title = title
    cp.subject = subject
    cp.author = "qualcoop project (constructed sample)"
    cp.last_modified_by = "corpora/build_score_bali.py"
    cp.comments = subject
    cp.keywords = "SCORE; ILO; Bali; constructed sample"
    cp.category = "constructed sample"
    cp.language = language
    cp.revision = 1
    cp.created = when
    cp.modified = when
    cp.last_printed = when


def _save_docx(doc, path: Path) -> None:
    """Save with fixed zip entry dates (python-docx stamps the current time otherwise)."""
    raw = io.BytesIO()
    doc.save(raw)
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            z.writestr(entry, src.read(info.filename))
    path.write_bytes(out.getvalue())


def build_report(out_dir: Path) -> Path:
    """The progress report: Title, Heading 1/2, bullet lists and one table."""
    import docx
    from docx.shared import Pt

    doc = docx.Document()
    _docx_core(doc, title="SCORE Indonesia, Phase III: Progress Report on Bali, July 2020 to June 2021",
               subject=CONSTRUCTED_EN.replace("either Party", "the ILO or the Ministry"),
               language="en-GB", when=dt.datetime(2021, 8, 15, 9, 0))
    rows: list[list[str]] = []

    def flush_table() -> None:
        if not rows:
            return
        table = doc.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                cell = table.cell(r, c)
                cell.text = value
                if r == 0 or cells[0] == "Total":
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
        rows.clear()

    blocks = _blocks("report_en.txt")
    for i, block in enumerate(blocks):
        if block.startswith("| "):
            rows.append([c.strip() for c in block[2:].split("|")])
            continue
        flush_table()
        if block.startswith("= "):
            doc.add_paragraph(block[2:], style="Title")
            note = doc.add_paragraph()
            run = note.add_run(CONSTRUCTED_EN.replace("either Party", "the ILO or the Ministry"))
            run.italic = True
            run.font.size = Pt(9)
        elif block.startswith("## "):
            doc.add_heading(block[3:], level=2)
        elif block.startswith("# "):
            doc.add_heading(block[2:], level=1)
        elif block.startswith("- "):
            doc.add_paragraph(block[2:], style="List Bullet")
        else:
            doc.add_paragraph(block)
        if i == 1:  # the subtitle line under the title
            doc.paragraphs[-1].runs[0].italic = True
    flush_table()
    path = out_dir / REPORT_DOCX
    _save_docx(doc, path)
    return path


def build_transcript_docx(out_dir: Path) -> Path:
    """An Indonesian interview transcript: one paragraph per turn, bold label then text."""
    import docx

    doc = docx.Document()
    _docx_core(doc, title="Transkrip wawancara: pejabat Dinas Tenaga Kerja Provinsi Bali",
               subject="Contoh transkrip buatan proyek qualcoop (bukan wawancara nyata).",
               language="id-ID", when=dt.datetime(2022, 5, 12, 15, 0))
    doc.add_heading("Transkrip Wawancara", level=1)
    doc.add_paragraph("Wawancara dengan pejabat Dinas Tenaga Kerja Provinsi Bali, Denpasar, 12 Mei 2022.")
    note = doc.add_paragraph()
    note.add_run("Contoh transkrip buatan proyek qualcoop untuk pengujian dan demonstrasi, "
                 "bukan wawancara nyata.").italic = True
    for speaker, text in _turns("wawancara_disnaker_bali_id.txt"):
        p = doc.add_paragraph()
        p.add_run(f"{speaker}:").bold = True
        p.add_run(f" {text}")
    path = out_dir / TRANSCRIPT_DOCX
    _save_docx(doc, path)
    return path


# --------------------------------------------------------------------------- transcripts


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", text) if s]


def _ms(words: int) -> int:
    """Speaking time of ``words`` words at about 2.6 words per second, at least 1.2 s."""
    return max(1200, round(words * 1000 / 2.6))


def _vtt_time(ms: int) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def build_vtt(out_dir: Path) -> Path:
    """A Zoom-like WebVTT file: numbered cues, one speaker per cue as a ``<v Name>`` span."""
    lines = ["WEBVTT", "",
             "NOTE Constructed sample interview written by the qualcoop project for testing and",
             "demonstration; not a real recording. Interview with an official of the Ministry of",
             "Manpower of the Republic of Indonesia, 10 March 2022 (online).", ""]
    clock, n = 1500, 0
    for speaker, text in _turns("interview_kemnaker_official_en.txt"):
        cue_words: list[str] = []
        cues: list[str] = []
        for sentence in _sentences(text):
            if cue_words and len(cue_words) + len(sentence.split()) > 22:
                cues.append(" ".join(cue_words))
                cue_words = []
            cue_words.extend(sentence.split())
        cues.append(" ".join(cue_words))
        for cue in cues:
            n += 1
            end = clock + _ms(len(cue.split()))
            lines += [str(n), f"{_vtt_time(clock)} --> {_vtt_time(end)}", f"<v {speaker}>{cue}</v>", ""]
            clock = end + 250
        clock += 900
    path = out_dir / VTT
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return path


def build_timestamped_txt(out_dir: Path) -> Path:
    """English interview: ``[hh:mm:ss] Label: text``, one turn per line, blank line between."""
    lines = ["Interview with an ILO SCORE trainer, Denpasar, 18 May 2022",
             "Constructed sample transcript written by the qualcoop project (not a real interview)", ""]
    clock = 4000
    for speaker, text in _turns("interview_ilo_trainer_en.txt"):
        s = clock // 1000
        lines += [f"[{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}] {speaker}: {text}", ""]
        clock += _ms(len(text.split())) + 1800
    path = out_dir / TXT_TIMESTAMPED
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return path


def build_wrapped_txt(out_dir: Path) -> Path:
    """Indonesian interview: ``Label: text`` hard-wrapped at 72 columns, blank line between turns."""
    lines = ["Transkrip wawancara dengan pemilik UKM kerajinan kayu, Gianyar, 20 Mei 2022",
             "Contoh transkrip buatan proyek qualcoop (bukan wawancara nyata)", ""]
    for speaker, text in _turns("wawancara_ukm_gianyar_id.txt"):
        lines += textwrap.wrap(f"{speaker}: {text}", width=72, break_long_words=False,
                               break_on_hyphens=False)
        lines.append("")
    path = out_dir / TXT_WRAPPED
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return path


# --------------------------------------------------------------------------- entry points


def build(out_dir: Path = OUT) -> list[Path]:
    """Build every generated file of the corpus into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [build_pdf(name, out_dir) for name in PDFS]
    paths += [build_report(out_dir), build_transcript_docx(out_dir), build_vtt(out_dir),
              build_timestamped_txt(out_dir), build_wrapped_txt(out_dir)]
    return paths


def signature(path: Path) -> object:
    """What the build controls in a generated file, independent of library versions and font files.

    PDF bytes depend on the fpdf2 version (object layout, font subsetting) and on the DejaVu font
    file installed; DOCX bytes on python-docx's template. What this script decides does not: for
    a PDF the text of every page and the document information (title, author, subject, creator,
    keywords, creation date); for a DOCX the text, headings and tables as qualcoop reads them and
    the core properties; for the plain-text formats the bytes themselves.
    """
    path = Path(path)
    if path.suffix == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            pages = [page.get_textpage().get_text_range() for page in pdf]
            meta = {k: v for k, v in pdf.get_metadata_dict().items()
                    if k in ("Title", "Author", "Subject", "Creator", "Keywords", "CreationDate")}
        finally:
            pdf.close()
        return {"pages": pages, "metadata": meta}
    if path.suffix == ".docx":
        import zipfile

        from qualcoop.extract import extract_file

        doc = extract_file(path)
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml")
        return {"text": doc.text, "regions": [(r.kind, r.start, r.end, r.label) for r in doc.regions],
                "core": core}
    return path.read_bytes()


def check(committed: Path = OUT, *, exact: bool = False) -> list[str]:
    """Names of generated files that differ from a fresh build: in what the build controls
    (:func:`signature`), or with ``exact`` byte for byte (same fpdf2, python-docx and fonts)."""
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp))
        if exact:
            return [name for name in BUILT
                    if not (committed / name).is_file()
                    or not filecmp.cmp(committed / name, Path(tmp) / name, shallow=False)]
        return [name for name in BUILT
                if not (committed / name).is_file()
                or signature(committed / name) != signature(Path(tmp) / name)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default: %(default)s)")
    parser.add_argument("--check", action="store_true",
                        help="rebuild in a temporary folder and compare with the committed files")
    parser.add_argument("--exact", action="store_true",
                        help="with --check: compare bytes (needs the same fpdf2, python-docx and fonts)")
    args = parser.parse_args(argv)
    if args.check:
        differ = check(args.out, exact=args.exact)
        for name in differ:
            print(f"differs from a fresh build: {name}")
        print("ok: committed files match a fresh build" if not differ else "rebuild needed")
        return 1 if differ else 0
    for path in build(args.out):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
