"""Agreement over a codings table against the raw library calls underneath.

Builds a deterministic codings table (2 coders, ``--units`` segments, 20 codes, each applied with
probability 0.1 and the second coder agreeing 80% of the time), then times

- qualcoop: ``qualcoop.analysis.agreement(frame)`` (table validation, reliability data per code and
  pooled, the three coefficients and percent agreement), libraries already imported;
- raw: ``krippendorff.alpha``, ``sklearn.metrics.cohen_kappa_score`` and statsmodels' ``fleiss_kappa``
  on reliability matrices built beforehand (what a script that already had the matrices would run).

Prints both wall times (median of ``--repeat``) and the ratio qualcoop / raw, then the time of a
``--bootstrap`` run. The ratio is the overhead of reading a codings table into reliability data.

Usage::

    /work/venv/bin/python benchmarks/bench_agreement.py [--units 5000] [--repeat 3] [--bootstrap 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def table(n_units: int):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    records = []
    for u in range(n_units):
        first = [k for k in range(20) if rng.random() < 0.1]
        second = [k for k in range(20) if (k in first) == (rng.random() < 0.8)]
        for coder, codes in (("a", first), ("b", second)):
            for k in codes or [None]:
                records.append(("d", u * 10, u * 10 + 5, "" if k is None else f"c{k:02d}", coder))
    return pd.DataFrame(records, columns=["doc_id", "start", "end", "code_id", "coder"])


def matrices(frame):
    import numpy as np

    units = sorted(set(zip(frame["start"], frame["end"])))
    index = {u: i for i, u in enumerate(units)}
    out = {}
    for code in sorted(set(frame["code_id"]) - {""}):
        m = np.zeros((2, len(units)))
        sub = frame[frame["code_id"] == code]
        for s, e, coder in zip(sub["start"], sub["end"], sub["coder"]):
            m[0 if coder == "a" else 1, index[(s, e)]] = 1
        out[code] = m
    return out


def raw(mats) -> None:
    import krippendorff
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    import numpy as np

    for m in [*mats.values(), np.hstack(list(mats.values()))]:
        krippendorff.alpha(reliability_data=m, level_of_measurement="nominal")
        cohen_kappa_score(m[0], m[1])
        fleiss_kappa(aggregate_raters(m.T.astype(int))[0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bootstrap", type=int, default=100)
    args = ap.parse_args()

    from qualcoop.analysis import agreement

    frame = table(args.units)
    mats = matrices(frame)
    agreement(frame.head(50))  # import the libraries before timing
    raw(matrices(frame.head(50)))
    ours, theirs = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        result = agreement(frame)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        raw(mats)
        theirs.append(time.perf_counter() - t)
    q, r = statistics.median(ours), statistics.median(theirs)
    alpha = result.set_index("code_id").loc["overall", "krippendorff_alpha"]
    print(f"{len(frame)} rows, {args.units} units, 2 coders, 20 codes (overall alpha {alpha:.3f})")
    print(f"qualcoop agreement: {q:.3f} s   raw library calls: {r:.3f} s   ratio {q / r:.2f}")
    t = time.perf_counter()
    agreement(frame, bootstrap=args.bootstrap, seed=1)
    print(f"with --bootstrap {args.bootstrap}: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
