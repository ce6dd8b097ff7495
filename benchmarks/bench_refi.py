"""REFI-QDA import/export speed against the raw parse underneath.

Reads each shared real .qdpx with :func:`qualcoop.export.refi.read_qdpx` (safe zip access, defusedxml,
offset detection and conversion, verification) and compares with the bare work any reader must do:
open the zip, read every member, parse ``project.qde`` with the standard library's ElementTree. Then
times :func:`write_qdpx` of the imported project. Prints seconds (median of ``--repeat`` runs) and the
ratio read/raw (the price of safety and offset conversion).

Usage::

    .venv/bin/python benchmarks/bench_refi.py [--repeat 5] [--shared PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = ap.parse_args()
    from qualcoop.export.refi import read_qdpx, write_qdpx

    samples = sorted((args.shared / "refi_qda" / "samples").glob("*/*.qdpx"))
    if not samples:
        print(f"no samples under {args.shared}/refi_qda/samples", file=sys.stderr)
        return 2

    def raw(path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                data = zf.read(info)
                if info.filename.endswith(".qde"):
                    ET.fromstring(data)

    print(f"{'sample':45} {'raw s':>8} {'read s':>8} {'ratio':>6} {'write s':>8}  codings")
    with tempfile.TemporaryDirectory() as tmp:
        for path in samples:
            t_raw = _median(lambda: raw(path), args.repeat)
            t_read = _median(lambda: read_qdpx(path), args.repeat)
            project = read_qdpx(path)
            out = Path(tmp) / "out.qdpx"
            t_write = _median(lambda: write_qdpx(project, out), args.repeat)
            print(f"{path.name[:45]:45} {t_raw:8.3f} {t_read:8.3f} {t_read / max(t_raw, 1e-9):6.1f} "
                  f"{t_write:8.3f}  {len(project.codings)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
