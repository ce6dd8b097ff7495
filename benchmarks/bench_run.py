"""Whole-process runs at scale: the ratios issue 10 names, measured in one run (not timed tests).

Every figure is a fresh ``python -m qualcoop ...`` process (start-up, extraction, coding and writing
included), compared with a fresh process doing the raw work underneath:

1. ``code`` (1 worker) vs a bare ``spacy.blank("en")`` tokenizer pass over the same paragraphs
   (speed ratio = bare time / qualcoop time; the issue's target is >= 1.0); ``1r``: the same over real
   policy texts that repeat nothing (``--real``: every trade agreement, UN speech and treaty in
   ``../shared/data/policy_docs``, XML tags stripped, about 9 MB), where neither spaCy's tokenizer cache nor
   qualcoop's chunk cache gets the hits the generated corpus (recycled sample paragraphs) gives them;
2. ``code --workers 2`` vs ``--workers 1`` (speed-up; target >= 1.7x on 2 free cores);
3. ``batch --executor dask --workers 2`` vs ``--executor process --workers 2`` (time ratio; <= 1.2x);
   2 and 3 again on ``--big`` documents (2b, 3b), where the fixed start-up weighs less;
4. peak RSS of ``code`` over 10x the documents vs 1x (target <= 1.2x);
5. linearity: one single-line text file of 0.2, 2 and 20 MB (seconds per MB should stay flat);
6. ``report`` on the coded table of 10x vs 1x documents (time ratio; target <= 11x);
7. with ``--batch N,M``: ``batch`` over N transcripts and M PDFs (copies of the shipped PDFs) vs the
   sum of the raw tools underneath (bare spaCy tokenizer over the transcripts' paragraphs + pypdfium2
   text of every PDF page), whole processes.

The corpus is built from the paragraphs of the shipped sample corpus (English and Indonesian),
written as ``--docs`` text files of about ``--kb`` KB each.

Run it with qualcoop's bytecode compiled (``make bench`` does; a regular ``pip install`` does too): where
``PYTHONDONTWRITEBYTECODE`` is set, uncompiled modules are recompiled by every process (~0.2 s each).

Usage::

    .venv/bin/python benchmarks/bench_run.py [--docs 60] [--kb 8] [--long 0.2,2,20] [--big 3000] [--skip-dask]
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}

_RSS = ("import resource, runpy, sys; sys.argv = ['qualcoop'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('qualcoop', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print('RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")

_BARE = ("import sys, pathlib, spacy\nnlp = spacy.blank('en')\nn = 0\n"
         "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.txt')):\n"
         "    for para in p.read_text(encoding='utf-8').split('\\n\\n'):\n"
         "        n += len(nlp.tokenizer(para))\nprint(n)\n")


def paragraphs() -> list[str]:
    sys.path.insert(0, str(REPO))
    from qualcoop.corpus import Corpus

    out = []
    for doc in Corpus.from_paths([REPO / "corpora"]):
        out += [p.strip() for p in doc.text.split("\n\n") if len(p.strip()) > 40]
    return out


def build_real(folder: Path, source: Path) -> Path:
    """Real texts as .txt files: every .txt and .md under ``source`` as it is, every .xml with its tags
    turned into paragraph breaks (the TOTA trade agreements)."""
    import html
    import re

    folder.mkdir(parents=True, exist_ok=True)
    for f in sorted(source.rglob("*")):
        if f.suffix in (".txt", ".md") and f.is_file():
            shutil.copy(f, folder / f"{f.parent.name}_{f.stem}.txt")
        elif f.suffix == ".xml":
            text = html.unescape(re.sub(r"<[^>]+>", "\n", f.read_text(encoding="utf-8", errors="replace")))
            paras = [p for p in (re.sub(r"\s+", " ", x).strip() for x in text.split("\n")) if len(p) > 3]
            (folder / f"{f.parent.name}_{f.stem}.txt").write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    return folder


def build(folder: Path, paras: list[str], docs: int, kb: int, offset: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    k = offset
    for i in range(docs):
        chunks, size = [], 0
        while size < kb * 1000:
            chunks.append(paras[k % len(paras)])
            size += len(chunks[-1]) + 2
            k += 7
        (folder / f"doc_{i:05d}.txt").write_text("\n\n".join(chunks) + "\n", encoding="utf-8")
    return folder


# the outputs are compared with filecmp (in chunks), never read whole: on Linux a child's ru_maxrss starts
# from its parent's, so a benchmark holding two 250 MB outputs would report their size as qualcoop's peak RSS
def timed(args: list[str], *, rss: bool = False) -> tuple[float, int]:
    cmd = [PY, "-c", _RSS, *args] if rss else [PY, "-m", "qualcoop", *args]
    t = time.perf_counter()
    got = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    dt = time.perf_counter() - t
    if got.returncode not in (0, 1):
        raise SystemExit(f"failed: {' '.join(args)}\n{got.stderr[-2000:]}")
    kb = 0
    for line in got.stderr.splitlines():
        if line.startswith("RSS_KB"):
            kb = int(line.split()[1])
    return dt, kb


def mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("*.txt")) / 1e6


_RAW_PDF = ("import sys, pathlib, pypdfium2\nn = 0\n"
            "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.pdf')):\n"
            "    pdf = pypdfium2.PdfDocument(str(p))\n"
            "    for page in pdf:\n"
            "        tp = page.get_textpage(); n += len(tp.get_text_range()); tp.close(); page.close()\n"
            "    pdf.close()\nprint(n)\n")


def batch_figure(tmp: Path, paras: list[str], n: int, m: int) -> None:
    folder = tmp / "batch"
    tr = build(folder / "transcripts", [f"Interviewer: {p}" if i % 2 else f"Respondent: {p}"
                                         for i, p in enumerate(paras)], n, 3)
    pdf_dir = folder / "pdfs"
    pdf_dir.mkdir(parents=True)
    src = sorted((REPO / "corpora").rglob("*.pdf"))
    for i in range(m):
        shutil.copy(src[i % len(src)], pdf_dir / f"p{i:04d}.pdf")
    t = time.perf_counter()
    subprocess.run([PY, "-c", _BARE, str(tr)], check=True, capture_output=True, env=ENV)
    subprocess.run([PY, "-c", _RAW_PDF, str(pdf_dir)], check=True, capture_output=True, env=ENV)
    raw = time.perf_counter() - t
    ours, _ = timed(["batch", str(folder), "-c", "international_cooperation", "-q", "-o", str(tmp / "batch.csv")])
    print(f"7. batch over {n} transcripts + {m} PDFs: {ours:.1f} s vs raw tools {raw:.1f} s "
          f"(bare spaCy + pypdfium2), ratio {ours / raw:.2f}")


def parallel_figures(tmp: Path, folder: Path, cb: list[str], tag: str, one_worker: float, *, dask: bool) -> None:
    """Figures 2 and 3 (2b and 3b with ``tag="b"``): 2 workers vs ``one_worker`` seconds (its output in
    ``tmp / f"{tag or 'c10'}.csv"``), then the Dask executor vs the process pool."""
    base = tmp / f"{tag or 'c10'}.csv"
    what = f"on {len(list(folder.glob('*.txt')))} docs ({mb(folder):.1f} MB)"
    w2, _ = timed(["code", str(folder), *cb, "--workers", "2", "-o", str(tmp / f"{tag}w2.csv")])
    same = filecmp.cmp(base, tmp / f"{tag}w2.csv", shallow=False)
    print(f"2{tag}. code --workers 2 vs 1 {what}: {w2:.2f} s vs {one_worker:.2f} s, speed-up {one_worker / w2:.2f}x "
          f"(target >= 1.7x on 2 free cores); byte-identical: {same}")
    if not dask:
        return
    tp, _ = timed(["batch", str(folder), *cb, "--executor", "process", "--workers", "2", "-o", str(tmp / f"{tag}bp.csv")])
    td, _ = timed(["batch", str(folder), *cb, "--executor", "dask", "--workers", "2", "-o", str(tmp / f"{tag}bd.csv")])
    same = filecmp.cmp(tmp / f"{tag}bp.csv", tmp / f"{tag}bd.csv", shallow=False)
    print(f"3{tag}. dask vs process pool (2 workers) {what}: {td:.2f} s vs {tp:.2f} s, time ratio {td / tp:.2f} "
          f"(target <= 1.2); byte-identical: {same}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=60, help="documents at 1x")
    ap.add_argument("--kb", type=int, default=8, help="KB per document")
    ap.add_argument("--long", default="0.2,2,20", help="MB sizes of the single-line files")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--real", default=str(REPO.parent / "shared" / "data" / "policy_docs"),
                    help="folder of real texts for figure 1r (skipped when missing; '' to skip)")
    ap.add_argument("--big", type=int, default=3000,
                    help="documents for the parallel figures again at a larger scale (2b, 3b; 0: skip)")
    ap.add_argument("--skip-scale", action="store_true", help="only the --batch measurement")
    ap.add_argument("--batch", default="", help="N,M: transcripts and PDFs for the batch throughput figure")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="qc-bench-run-"))
    try:
        paras = paragraphs()
        if a.batch:
            n, m = (int(x) for x in a.batch.split(","))
            batch_figure(tmp, paras, n, m)
        if a.skip_scale:
            return
        one = build(tmp / "x1", paras, a.docs, a.kb)
        ten = build(tmp / "x10", paras, a.docs * 10, a.kb)
        cb = ["-c", "international_cooperation", "-q"]
        print(f"corpus: {a.docs} docs ({mb(one):.2f} MB) at 1x, {a.docs * 10} docs ({mb(ten):.2f} MB) at 10x; "
              f"{os.cpu_count()} CPUs")

        t = time.perf_counter()
        subprocess.run([PY, "-c", _BARE, str(ten)], check=True, capture_output=True, env=ENV)
        bare = time.perf_counter() - t
        w1, rss10 = timed(["code", str(ten), *cb, "-o", str(tmp / "c10.csv")], rss=True)
        print(f"1. code vs bare spaCy tokenizer (10x corpus): qualcoop {w1:.2f} s, bare {bare:.2f} s, "
              f"speed ratio bare/qualcoop {bare / w1:.2f} (target >= 1.0)")
        if a.real and Path(a.real).is_dir():
            real = build_real(tmp / "real", Path(a.real))
            t = time.perf_counter()
            subprocess.run([PY, "-c", _BARE, str(real)], check=True, capture_output=True, env=ENV)
            rbare = time.perf_counter() - t
            rw1, _ = timed(["code", str(real), *cb, "-o", str(tmp / "real.csv")])
            print(f"1r. the same over real texts ({len(list(real.glob('*.txt')))} files, {mb(real):.1f} MB, nothing "
                  f"repeated): qualcoop {rw1:.2f} s, bare {rbare:.2f} s, speed ratio {rbare / rw1:.2f} (target >= 1.0)")

        parallel_figures(tmp, ten, cb, "", w1, dask=not a.skip_dask)
        if a.big:
            # the same two ratios where the fixed start-up (Python, spaCy, the codebook: about 1.5 s, paid
            # once whatever the workers) weighs less: a run of a few seconds cannot show a 1.7x speed-up
            big = build(tmp / "big", paras, a.big, a.kb)
            b1, _ = timed(["code", str(big), *cb, "-o", str(tmp / "b.csv")])
            parallel_figures(tmp, big, cb, "b", b1, dask=not a.skip_dask)
            shutil.rmtree(big, ignore_errors=True)

        _, rss1 = timed(["code", str(one), *cb, "-o", str(tmp / "c1.csv")], rss=True)
        print(f"4. peak RSS of code: 1x {rss1 / 1024:.0f} MiB, 10x {rss10 / 1024:.0f} MiB, ratio "
              f"{rss10 / rss1:.2f} (target <= 1.2)")

        sizes = [float(x) for x in a.long.split(",") if x]
        text = " ".join(p.replace("\n", " ") for p in paras)
        rows = []
        for size in sizes:
            f = tmp / f"line_{size:g}mb.txt"
            n = int(size * 1e6)
            f.write_text(((text + " ") * (n // len(text) + 1))[:n] + "\n", encoding="utf-8")
            dt, _ = timed(["code", str(f), *cb, "-o", str(tmp / f"line_{size:g}.csv")])
            start, _ = timed(["code", str(one / "doc_00000.txt"), *cb])
            rows.append(f"{size:g} MB {dt:.1f} s ({(dt - start) / size:.2f} s/MB above start-up)")
        print("5. one single-line file: " + "; ".join(rows))

        r1, _ = timed(["report", str(tmp / "c1.csv"), "-o", str(tmp / "r1.html")])
        r10, _ = timed(["report", str(tmp / "c10.csv"), "-o", str(tmp / "r10.html")])
        print(f"6. report on 10x vs 1x coded rows: {r10:.2f} s vs {r1:.2f} s, ratio {r10 / r1:.2f} (target <= 11); "
              f"HTML {(tmp / 'r10.html').stat().st_size / 1e6:.1f} MB vs {(tmp / 'r1.html').stat().st_size / 1e6:.1f} MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
