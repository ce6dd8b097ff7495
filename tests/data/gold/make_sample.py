"""Draw the evaluation sample for the default codebook (deterministic; run once).

Usage: python tests/data/gold/make_sample.py SHARED_DATA_DIR SEEDS_DIR > tests/data/gold/sample.jsonl
       python tests/data/gold/make_sample.py SHARED_DATA_DIR SEEDS_DIR --fresh > tests/data/gold/fresh_sample.jsonl

``--fresh`` draws a second, smaller sample (seed FRESH_SEED, quotas FRESH_QUOTA, ids ``f000``...)
from the same pools, leaving out every paragraph already in sample.jsonl. It was drawn and coded
after the rules had been written on the first sample, so the rules never saw it.

Each source file is read as UTF-8 with CRLF -> LF. Paragraph units are blocks separated by blank
lines (single lines for the UN speeches, speaker turns for the interviews); blocks longer than
MAX_LEN characters are cut after a line ending in ``.``, ``;`` or ``:`` once MIN_CUT characters
are reached. Leading/trailing white space is left outside the span; the span text is never altered.
Segments shorter than MIN_LEN characters, with few letters, or in Dutch are dropped. From each source group a
fixed number of segments is drawn with ``random.Random(SEED)``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

SEED = 20250101
MIN_LEN = 70
MAX_LEN = 750
MIN_CUT = 250


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\r\n", "\n")


def _spans(text: str, sep: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for m in re.finditer(sep, text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _cut_long(text: str, s: int, e: int) -> list[tuple[int, int]]:
    if e - s <= MAX_LEN:
        return [(s, e)]
    out = []
    cur = s
    for m in re.finditer(r"[.;:]\n", text[s:e]):
        cut = s + m.start() + 1
        if cut - cur >= MIN_CUT:
            out.append((cur, cut))
            cur = cut
    out.append((cur, e))
    return out


_NL = re.compile(r"\b(het|van|een|zijn|worden|wordt|dat|dit|deze|zal|zullen|moet|moeten|ingevolge|bij|verdrag|"
                 r"en|der|op|te|aan|om|hun|voor|geen|ter|met|betreffende|waarvan|door|niet|ook|"
                 r"algemene|bepalingen|wijzen|arbeid)\b", re.I)
_EN = re.compile(r"\b(the|of|and|shall|be|to|this|which|in|with|a|for|by|on|are|is|any|or|all)\b", re.I)


def is_dutch(chunk: str) -> bool:
    """The Dutch treaty files carry Dutch parallel texts: leave those out (neither en nor id)."""
    return len(_NL.findall(chunk)) >= max(1, len(_EN.findall(chunk)))


def paragraphs(text: str, mode: str) -> list[tuple[int, int]]:
    sep = {"blank": r"\n[ \t]*\n", "line": r"\n", "turn": r"\n[ \t]*\n"}[mode]
    out = []
    for s, e in _spans(text, sep):
        s, e = _trim(text, s, e)
        for a, b in _cut_long(text, s, e):
            a, b = _trim(text, a, b)
            chunk = text[a:b]
            letters = sum(ch.isalpha() for ch in chunk)
            if (b - a >= MIN_LEN and letters >= 0.6 * (b - a) and not chunk.startswith("<meta")
                    and not is_dutch(chunk)):
                out.append((a, b))
    return out


GROUPS = [
    # (group name, glob relative to base, base key, mode, lang, n)
    ("treaty_coop", "policy_docs/nl_treaty_db_cooperation_agreements/*cooperation*.md", "data", "blank", "en", 75),
    ("treaty_coop", "policy_docs/nl_treaty_db_cooperation_agreements/*co-operation*.md", "data", "blank", "en", 0),
    ("ilo", "policy_docs/nl_treaty_db_cooperation_agreements/*labour*.md", "data", "blank", "en", 50),
    ("ungdc", "policy_docs/ungdc_indonesia/IDN_*.txt", "data", "line", "en", 55),
    ("interview", "transcripts/qc_demo_coded_interviews/*.txt", "data", "turn", "en", 20),
    ("pmk112", "policy_docs/indonesian_regulations/pmk-112*.md", "data", "blank", "id", 38),
    ("pmk099", "policy_docs/indonesian_regulations/pmk-099*.md", "data", "blank", "id", 32),
    ("kemenhub", "policy_docs/indonesian_regulations/permen-kemenhub*.md", "data", "blank", "id", 12),
    ("uud", "policy_docs/indonesian_regulations/uud-1945*.md", "data", "blank", "id", 28),
]


FRESH_SEED = 20250202
FRESH_QUOTA = {"treaty_coop": 20, "ilo": 12, "ungdc": 16, "interview": 5, "pmk112": 12, "pmk099": 10,
               "kemenhub": 6, "uud": 10}


def main(data: Path, seeds: Path, fresh: bool = False) -> None:
    rng = random.Random(FRESH_SEED if fresh else SEED)
    pools: dict[str, list[tuple[str, str, int, int, str]]] = {}
    quota: dict[str, int] = {}
    for name, pattern, _base, mode, lang, n in GROUPS:
        quota[name] = quota.get(name, 0) + n
        for path in sorted(data.glob(pattern)):
            rel = path.relative_to(data).as_posix()
            text = read(path)
            for s, e in paragraphs(text, mode):
                pools.setdefault(name, []).append((rel, text[s:e], s, e, lang))
    rows = []
    taken: set[tuple[str, int]] = set()
    if fresh:
        here = Path(__file__).resolve().parent / "sample.jsonl"
        for line in here.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            taken.add((r["source_file"], r["start"]))
        quota = dict(FRESH_QUOTA)
    for name in sorted(pools):
        pool = sorted({r for r in pools[name] if (r[0], r[2]) not in taken}, key=lambda r: (r[0], r[2]))
        for rel, chunk, s, e, lang in rng.sample(pool, min(quota[name], len(pool))):
            rows.append({"source_file": rel, "start": s, "end": e, "lang": lang, "group": name, "text": chunk})
    # the seed abstract: every paragraph, both languages (first sample only)
    seed = seeds / "000_9278a289e1128945.txt"
    text = read(seed)
    for s, e in ([] if fresh else paragraphs(text, "blank")):
        chunk = text[s:e]
        lang = "id" if ("ABSTRAK" in chunk or "Kata kunci" in chunk or "Negara Indonesia" in chunk
                        or "Penelitian" in chunk) else "en"
        rows.append({"source_file": "seeds/" + seed.name, "start": s, "end": e, "lang": lang,
                     "group": "seed", "text": chunk})
    rows.sort(key=lambda r: (r["group"], r["source_file"], r["start"]))
    for i, r in enumerate(rows):
        r = {"id": f"{'f' if fresh else 'g'}{i:03d}", **r}
        sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), fresh="--fresh" in sys.argv[3:])
