"""What the project store costs: whole-process `qualcoop batch` into a SQLite project vs into a CSV file,
over the same files, and what a re-run of a finished batch costs (it skips everything).

    python benchmarks/bench_store.py [FOLDER]          (default: corpora/ungd_indonesia)

Prints wall-clock seconds and the ratios (one run each; the machine is shared, so read ratios, not
seconds). Nothing is timed inside the test suite.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _batch(*args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qualcoop", "batch", *args, "-c", "international_cooperation", "-q"],
                   check=False, cwd=REPO, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    folder = sys.argv[1] if len(sys.argv) > 1 else str(REPO / "corpora" / "ungd_indonesia")
    with tempfile.TemporaryDirectory() as tmp:
        csv = _batch(folder, "-o", f"{tmp}/coded.csv")
        project = _batch(folder, "--project", f"{tmp}/project.qualcoop")
        rerun = _batch(folder, "--project", f"{tmp}/project.qualcoop")
        size = Path(f"{tmp}/project.qualcoop").stat().st_size / 2**20
    print(f"batch -o coded.csv:              {csv:6.1f} s")
    print(f"batch --project (SQLite, new):   {project:6.1f} s   ratio to CSV {project / csv:.2f}  "
          f"(project file {size:.1f} MiB)")
    print(f"batch --project again (resume):  {rerun:6.1f} s   ratio to the first run {rerun / project:.2f}")


if __name__ == "__main__":
    main()
