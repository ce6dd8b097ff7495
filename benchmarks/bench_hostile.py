"""Hostile input: what the budgets cost and what they save (issue 15). Prints seconds and ratios.

    python benchmarks/bench_hostile.py [--n 20000]

- overlap resolution: the quadratic algorithm qualcoop used before vs the O(n log n) one, on n
  matches of one code in one segment (a `\\w+` regex on a long paragraph);
- globs: Python `re` translation (backtracking) vs the linear `Glob`, `a*a*a*a*a*a*a*a*b` on tokens of
  growing length (the `re` side is stopped at 24 characters: each 2 more multiply its time);
- regex compile check: the cost of the program-size estimate on the shipped codebook's regexes.
"""

from __future__ import annotations

import argparse
import re
import time

from qualcoop.match.compile import resolve_overlaps
from qualcoop.patterns import Glob, regex_program_size


def old_resolve(matches):
    kept = []
    for m in sorted(set(matches), key=lambda m: (m[0] - m[1], m[0], m[2], m[3], m[4])):
        s, e = m[0], m[1]
        if all(e <= k[0] or k[1] <= s for k in kept):
            kept.append(m)
    return kept


def timed(fn, *a):
    t = time.perf_counter()
    out = fn(*a)
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    n = ap.parse_args().n
    matches = [(i * 6, i * 6 + 5, 1, "c/r", False) for i in range(n)]
    t_old, a = timed(old_resolve, matches)
    t_new, b = timed(resolve_overlaps, matches)
    assert a == b
    print(f"overlaps n={n}: quadratic {t_old:.3f} s, n log n {t_new:.4f} s, ratio {t_old / t_new:.0f}x")

    pat = "a*a*a*a*a*a*a*a*b"
    rx = re.compile(pat.replace("*", ".*"), re.DOTALL | re.IGNORECASE)
    g = Glob(pat, case_sensitive=False)
    for length in (16, 20, 24):
        tok = "a" * length
        t_re, _ = timed(rx.fullmatch, tok)
        t_g, _ = timed(g.fullmatch, tok)
        print(f"glob {pat!r} on {length} chars: re {t_re:.4f} s, Glob {t_g * 1e6:.0f} us, ratio {t_re / t_g:.0f}x")
    t_g, _ = timed(g.fullmatch, "a" * 1_000_000)
    print(f"glob on 1,000,000 chars: Glob {t_g:.3f} s")

    from qualcoop.codebook import load_codebook

    cb = load_codebook("international_cooperation")
    pats = [r.pattern for c in cb.codes for r in c.rules if r.kind == "regex" and isinstance(r.pattern, str)]
    t, _ = timed(lambda: [regex_program_size(p) for p in pats * 100])
    print(f"program-size check: {len(pats)} regexes x100 in {t * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
