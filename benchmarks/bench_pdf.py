"""PDF extraction speed, memory and reading order: our extractors against the raw tools.

Engines measured, each in a fresh worker process (so peak RSS is its own):

- ``ours-pdfium``   qualcoop ``pdf.pypdfium2.v1`` through ``extract_file`` (sandboxed)
- ``ours-plumber``  qualcoop ``pdf.pdfplumber.v1`` through ``extract_file`` (sandboxed)
- ``raw-pdfium``    pypdfium2: ``PdfDocument`` -> ``get_textpage().get_text_range()``
- ``raw-plumber``   pdfplumber: ``extract_text()`` with ``page.close()``
- ``pdftotext``     poppler-utils (skipped with a message if it is not installed)

Corpus: every PDF under shared/data/pdfs that our default extractor reads (known
passwords from ``observed_properties_pypdf-7.1.1.json``), plus per-file rows for
GeoTopo (117 pages) and i1040nr (50 pages). Peak RSS of ``ours-*`` includes the
sandbox children. Also prints the sandbox round-trip overhead, the cost of finding
paragraph breaks (PDFium page reading in this process, with and without the layout
step, alternated, best of 5 per file) and, per engine, the Federal Register
two-column reading-order check (MANIFEST D1).

Usage::

    .venv/bin/python benchmarks/bench_pdf.py [--repeat 3] [--shared PATH] [--no-plumber]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NEEDLE = (
    "The FAA proposes to\nsupersede Airworthiness Directive (AD)\n2018–23–51, which applies to all The\n"
    "Boeing Company Model 737–8 and 737–\n9 (737 MAX) airplanes. Since AD 2018–\n"
)
FEDERAL = "pdfplumber/federal-register-2020-17221.pdf"
SINGLES = {
    "GeoTopo (117 pp)": "pypdf_sample_files/009-pdflatex-geotopo__GeoTopo-komprimiert.pdf",
    "i1040nr (50 pp)": "pdfminer_six/nonfree__i1040nr.pdf",
}
ENGINES = ("ours-pdfium", "raw-pdfium", "pdftotext", "ours-plumber", "raw-plumber")


def find_shared() -> Path:
    for base in (REPO, *REPO.parents):
        cand = base / "shared" / "data"
        if cand.is_dir():
            return cand
    raise SystemExit("shared/data not found; pass --shared")


# --------------------------------------------------------------------------- engines (worker side)


def _ours(engine_name: str):
    from qualcoop.extract import ExtractOptions, extract_file

    def run(path: Path, password: str | None) -> tuple[int, str]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = extract_file(path, options=ExtractOptions(pdf_engine=engine_name, password=password))
        return len(doc.source.page_starts), doc.text

    return run


def _raw_pdfium():
    import pypdfium2 as pdfium

    def run(path: Path, password: str | None) -> tuple[int, str]:
        doc = pdfium.PdfDocument(path, password=password)
        parts = []
        try:
            for i in range(len(doc)):
                page = doc[i]
                tp = page.get_textpage()
                parts.append(tp.get_text_range())
                tp.close()
                page.close()
            return len(parts), "\n".join(parts)
        finally:
            doc.close()

    return run


def _raw_plumber():
    import pdfplumber

    def run(path: Path, password: str | None) -> tuple[int, str]:
        parts = []
        with pdfplumber.open(path, password=password or "") as pdf:
            for page in pdf.pages:
                parts.append(page.extract_text())
                page.close()
        return len(parts), "\n".join(parts)

    return run


def _pdftotext():
    def run(path: Path, password: str | None) -> tuple[int, str]:
        cmd = ["pdftotext", "-enc", "UTF-8"]
        if password:
            cmd += ["-upw", password]
        out = subprocess.run([*cmd, str(path), "-"], capture_output=True, check=True).stdout
        text = out.decode("utf-8")
        pages = text.count("\f")  # pdftotext ends every page with a form feed
        return pages, text

    return run


_FACTORIES = {
    "ours-pdfium": lambda: _ours("pdf.pypdfium2.v1"),
    "ours-plumber": lambda: _ours("pdf.pdfplumber.v1"),
    "raw-pdfium": _raw_pdfium,
    "raw-plumber": _raw_plumber,
    "pdftotext": _pdftotext,
}


def worker(engine: str, files: list[tuple[str, str | None]], repeat: int) -> dict:
    """Runs in its own process: time every file, return pages, seconds, peak RSS, federal text."""
    run = _FACTORIES[engine]()
    per_file: dict[str, dict] = {}
    federal_text = None
    for rel, password in files:
        path = Path(rel)
        times = []
        pages = 0
        try:
            for _ in range(repeat):
                t0 = time.perf_counter()
                pages, text = run(path, password)
                times.append(time.perf_counter() - t0)
        except Exception as e:  # noqa: BLE001 - reported, and the file leaves every total
            per_file[rel] = {"error": f"{type(e).__name__}: {e}"}
            continue
        per_file[rel] = {"pages": pages, "seconds": min(times)}  # best of N: least noise
        if rel.endswith(FEDERAL):
            federal_text = text
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"files": per_file, "rss_mb": max(self_rss, child_rss) / 1024,
            "federal": federal_text}


# --------------------------------------------------------------------------- driver


def corpus(shared: Path) -> list[tuple[str, str | None]]:
    """Every PDF our default extractor reads, with its password where one is known."""
    from qualcoop.errors import ExtractionError
    from qualcoop.extract import ExtractOptions, extract_file

    root = shared / "pdfs"
    props = json.loads((root / "observed_properties_pypdf-7.1.1.json").read_text("utf-8"))
    out = []
    for path in sorted(root.rglob("*.pdf")):
        rel = str(path.relative_to(root))
        password = props.get(rel, {}).get("password")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                doc = extract_file(path, options=ExtractOptions(password=password))
        except ExtractionError as e:
            print(f"  (not in the corpus: {rel}: {type(e).__name__})")
            continue
        if "fallback_from" in doc.source.details:  # not PDFium's work: not like for like
            print(f"  (not in the corpus: {rel}: PDFium fell back to pdfminer)")
            continue
        out.append((str(path), password))
    return out


def run_worker(engine: str, files, repeat: int) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", engine, "--repeat", str(repeat)],
        input=json.dumps(files), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"worker {engine} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def sandbox_overhead(n: int = 300) -> dict[str, float]:
    """Median round trip of ``run_sandboxed`` on a no-op, in a light and in a heavy parent."""
    from qualcoop.extract.sandbox import run_sandboxed

    def measure() -> float:
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            run_sandboxed(len, "x", timeout=10, memory_limit_mb=512, path="noop")
            times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1000  # median: fork cost is what a file pays

    out = {"light parent": measure()}
    ballast = bytearray(400 * 1024 * 1024)  # 400 MB touched: fork must copy its page tables
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    out["parent with 400 MB resident"] = measure()
    del ballast
    return out


def paragraph_cost(files: list[tuple[str, str | None]], rounds: int = 2, repeat: int = 5) -> dict[str, float]:
    """Pages/s of the PDFium reader with and without the paragraph step (same process, alternated)."""
    import qualcoop.extract.pdf as pdf

    blobs = [(Path(p).read_bytes(), pw, p) for p, pw in files]
    real = pdf._with_breaks
    best = {"without": float("inf"), "with": float("inf")}
    pages = 0
    try:
        for _ in range(rounds):
            for mode in ("without", "with"):
                pdf._with_breaks = real if mode == "with" else (lambda text, lines: (text, 0))
                total, pages = 0.0, 0
                for data, password, path in blobs:
                    times = []
                    for _ in range(repeat):
                        t0 = time.perf_counter()
                        got = pdf._pdfium_pages(data, password, False, path)
                        times.append(time.perf_counter() - t0)
                    total += min(times)
                    pages += len(got.texts)
                best[mode] = min(best[mode], total)
    finally:
        pdf._with_breaks = real
    return {mode: pages / secs for mode, secs in best.items()}


def reading_order(text: str | None) -> str:
    if text is None:
        return "n/a"
    exact = NEEDLE in text.replace("\r\n", "\n")
    loose = re.sub(r"\s+", " ", NEEDLE).strip() in re.sub(r"\s+", " ", text)
    return f"exact={'yes' if exact else 'no '}  whitespace-insensitive={'yes' if loose else 'no'}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3, help="runs per file for the fast engines")
    ap.add_argument("--no-plumber", action="store_true", help="skip the slow pdfplumber engines")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        files = [tuple(x) for x in json.loads(sys.stdin.read())]
        print(json.dumps(worker(args.worker, files, args.repeat)))
        return

    shared = args.shared or find_shared()
    print("corpus: readable PDFs under", shared / "pdfs")
    files = corpus(shared)
    engines = [e for e in ENGINES if not (args.no_plumber and e.endswith("plumber"))]
    if shutil.which("pdftotext") is None:
        print("  pdftotext not found (apt-get install poppler-utils): skipped")
        engines.remove("pdftotext")

    results = {}
    for engine in engines:
        repeat = 1 if engine.endswith("plumber") else args.repeat
        print(f"  running {engine} (x{repeat}) ...", flush=True)
        results[engine] = run_worker(engine, files, repeat)

    failed = {k for res in results.values() for k, v in res["files"].items() if "error" in v}
    for engine, res in results.items():
        for k, v in res["files"].items():
            if "error" in v:
                print(f"  {engine} failed on {k}: {v['error'][:100]} (file left out of all totals)")

    def totals(res: dict, only: str | None = None) -> tuple[int, float]:
        rows = [v for k, v in res["files"].items()
                if k not in failed and (only is None or k.endswith(only))]
        return sum(r["pages"] for r in rows), sum(r["seconds"] for r in rows)

    print(f"\n{len(files) - len(failed)} files, best of --repeat runs per file; "
          "pages/s = pages / summed time")
    header = f"{'engine':14} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'peak RSS MB':>12}"
    for label, only in [("whole corpus", None), *SINGLES.items()]:
        print(f"\n== {label}\n{header}")
        for engine, res in results.items():
            pages, secs = totals(res, only)
            rss = f"{res['rss_mb']:12.0f}" if only is None else f"{'':12}"
            print(f"{engine:14} {pages:6d} {secs:8.3f} {pages / secs:8.1f} {rss}")

    print("\n== ours / raw (whole corpus)")
    for ours, raw in (("ours-pdfium", "raw-pdfium"), ("ours-plumber", "raw-plumber")):
        if ours in results and raw in results:
            (p1, s1), (p2, s2) = totals(results[ours]), totals(results[raw])
            print(f"{ours} / {raw}: speed {(p1 / s1) / (p2 / s2):.2f}x, "
                  f"peak RSS {results[ours]['rss_mb'] / results[raw]['rss_mb']:.2f}x")
    if "pdftotext" in results:
        (p1, s1), (p2, s2) = totals(results["ours-pdfium"]), totals(results["pdftotext"])
        print(f"ours-pdfium / pdftotext: speed {(p1 / s1) / (p2 / s2):.2f}x")

    print("\n== sandbox round trip (fork + pipe + reap, no-op function), median of 300")
    for label, ms in sandbox_overhead().items():
        print(f"{label:30} {ms:6.2f} ms")

    print("\n== paragraph breaks: PDFium page reading in-process, pages/s (best of 5 per file)")
    cost = paragraph_cost(files)
    print(f"without the layout step {cost['without']:8.1f}\nwith the layout step    {cost['with']:8.1f}"
          f"\nslowdown                {cost['without'] / cost['with']:8.2f}x")

    print("\n== Federal Register two-column reading order (MANIFEST D1 needle)")
    for engine, res in results.items():
        print(f"{engine:14} {reading_order(res['federal'])}")


if __name__ == "__main__":
    main()
