"""Issue 13 item 4: the run's language, said once. A document the detector confidently reads as
another language than the one it is coded in gets one warning (naming the file and the fix);
sentences are split with the run's language; `report` and `kwic` take `--lang`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qualcoop.lang.mismatch import language_mismatch, mismatch_messages
from qualcoop.match import apply_codebook
from qualcoop.model import Code, Codebook, Document, Rule
from qualcoop.pipeline import code_documents

NEWS_ID = (
    "Organisasi Perburuhan Internasional (ILO) bersama Kementerian Ketenagakerjaan menggelar pelatihan "
    "bagi pengawas ketenagakerjaan di Bali. Menurut Direktur ILO untuk Indonesia, program ini adalah "
    "bagian dari kerja sama yang sudah berjalan sejak tahun 2019 dan akan diperluas ke provinsi lain.\n\n"
    "Para peserta mengatakan bahwa pelatihan tersebut sangat bermanfaat karena mereka dapat belajar "
    "langsung dari pengalaman negara lain. Rapat evaluasi diadakan tgl. 5 Mei di Denpasar dan dihadiri "
    "oleh perwakilan serikat pekerja serta pengusaha.\n"
)
NEWS_EN = (
    "The International Labour Organization and the Ministry of Manpower held a training for labour "
    "inspectors in Bali. According to the ILO Director for Indonesia, the programme is part of a "
    "cooperation that has been running since 2019 and will be extended to other provinces.\n"
)

CB = Codebook("mini", "1", [Code("training", "Training", rules=[
    Rule("en", "phrase", terms=["training"], lang="en"), Rule("id", "stem", terms=["pelatihan"], lang="id")])],
    languages=("en", "id"))


def test_sentences_use_the_runs_language():
    """`tgl.` (tanggal) is an Indonesian abbreviation: with lang="id" it does not end a sentence."""
    doc = Document("news", NEWS_ID)
    coded = apply_codebook([doc], CB, lang="id", unit="sentence")
    segs = {(c.start, c.end) for c in coded}
    texts = [doc.text[s:e] for s, e in sorted(segs)]
    assert any("tgl. 5 Mei di Denpasar" in t for t in texts) or all("tgl." not in t for t in texts)
    from qualcoop.segment import segment

    sents = [doc.text[s.start:s.end] for s in segment(doc, "sentence", lang="id")]
    assert any("tgl. 5 Mei di Denpasar" in t for t in sents)
    # apply_codebook splits with the same pipeline: no sentence ends at "tgl."
    from qualcoop.match.apply import apply_codebook as apply

    cb = Codebook("m", "1", [Code("all", "All", rules=[Rule("r", "regex", pattern=r"\w+")])], languages=("en", "id"))
    got = sorted({doc.text[c.start:c.end] for c in apply([doc], cb, lang="id", unit="sentence")})
    assert not any(t.endswith("tgl.") for t in got)
    assert any("tgl. 5 Mei" in t for t in got)


def test_mismatch_warned_once_naming_the_file_and_fix():
    docs = [Document("berita-1", NEWS_ID), Document("berita-2", NEWS_ID * 2), Document("news-en", NEWS_EN * 3)]
    coded = apply_codebook(docs, CB)  # no --lang: the codebook's first language, en
    lines = [w for w in coded.warnings if "look id" in w]
    assert len(lines) == 1
    assert "berita-1" in lines[0] and "berita-2" in lines[0] and "news-en" not in lines[0]
    assert "--lang id" in lines[0] and "lang: id" in lines[0]
    # coded in the language it is written in: no warning
    assert not any("look" in w for w in apply_codebook(docs[:2], CB, lang="id").warnings)
    assert not any("look" in w for w in apply_codebook([docs[0]], CB, lang="en",
                                                        check_language=False).warnings)
    # a code-switched document whose languages include the detected one: no warning
    mixed = Document("mixed", NEWS_ID, attributes={"languages": "en,id"})
    assert not apply_codebook([mixed], CB).warnings


def test_code_documents_aggregates_per_run():
    docs = [Document(f"berita-{i}", NEWS_ID) for i in range(3)]
    coded, failures = code_documents(docs, CB)
    assert not failures
    lines = [w for w in coded.warnings if "look id" in w]
    assert len(lines) == 1 and lines[0].startswith("3 document(s) coded as en look id")


def test_short_or_weak_text_is_not_flagged():
    assert language_mismatch(Document("d", "Kami ikut training ILO."), ("en",)) is None
    assert mismatch_messages([None, None]) == []


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qualcoop", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_cli_code_warns_and_report_kwic_take_lang(tmp_path: Path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "berita_ilo.txt").write_text(NEWS_ID, encoding="utf-8")
    (folder / "news_ilo.txt").write_text(NEWS_EN * 3, encoding="utf-8")
    r = run("code", str(folder), "-c", "international_cooperation")
    assert r.returncode == 0, r.stderr
    flat = " ".join(r.stderr.split())  # the console may wrap a long line
    assert flat.count("look id") == 1
    warned = flat[flat.index("look id"):]
    assert "berita_ilo.txt" in warned[:200] and "news_ilo.txt" not in flat and "--lang id" in warned
    r = run("code", str(folder / "berita_ilo.txt"), "-c", "international_cooperation", "--lang", "id")
    assert r.returncode == 0 and "look id" not in r.stderr

    r = run("report", str(folder / "berita_ilo.txt"), "--lang", "id", "-o", str(tmp_path / "r.html"))
    assert r.returncode == 0, r.stderr
    assert "look id" not in r.stderr
    r = run("report", str(folder / "berita_ilo.txt"), "-o", str(tmp_path / "r2.html"))
    assert r.returncode == 0, r.stderr
    assert "look id" in r.stderr
    r = run("kwic", str(folder), "--lang", "id", "-t", "pelatihan")
    assert r.returncode == 0, r.stderr
    assert "match(es)" in r.stderr


def test_cli_sentences_use_the_runs_language(tmp_path: Path):
    src = tmp_path / "berita.txt"
    src.write_text(NEWS_ID, encoding="utf-8")
    r = run("extract", str(src), "-u", "sentence", "--lang", "id", "-o", str(tmp_path / "s.csv"))
    assert r.returncode == 0, r.stderr
    import pandas as pd

    texts = pd.read_csv(tmp_path / "s.csv")["text"].tolist()
    assert any("tgl. 5 Mei di Denpasar" in t for t in texts)
    assert not any(t.endswith("tgl.") for t in texts)


def test_project_code_warns_once_per_run_too(tmp_path: Path):
    """`project code PATHS` (and `batch --project`) sum the language warnings as `code` does."""
    folder = tmp_path / "news"
    folder.mkdir()
    for i in range(2):
        (folder / f"berita_{i}.txt").write_text(NEWS_ID + f"\nNo. {i}.\n", encoding="utf-8")
    (folder / "news_ilo.txt").write_text(NEWS_EN * 3, encoding="utf-8")
    project = tmp_path / "p.qualcoop"
    assert run("project", "init", str(project)).returncode == 0
    r = run("project", "code", str(project), str(folder), "--codebook", "international_cooperation")
    assert r.returncode == 0, r.stderr
    flat = " ".join(r.stderr.split())
    assert flat.count("look id") == 1, flat
    warned = flat[flat.index("look id"):]
    assert "berita_0.txt" in warned and "berita_1.txt" in warned and "news_ilo.txt" not in flat
