"""Merge the drawn sample with the hand coding sheet into dev.jsonl and test.jsonl.

Usage: python tests/data/gold/build_gold.py SHARED_DATA_DIR SEEDS_DIR

Checks that every line's ``text`` equals the source file's text (UTF-8, CRLF -> LF) at
``[start, end)``, that every sampled id is coded exactly once and that every alias is known.
The split is deterministic: sha256("<source_file>:<start>") -> the first 8 hex digits as an
integer; ``% 100 < 40`` goes to the test part, the rest to dev. The fresh sample
(fresh_sample.jsonl + coding_sheet_fresh.tsv, drawn after the rules were written) becomes holdout.jsonl.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

ALIASES = {
    "IO": "actor.international_org",
    "GOV": "actor.national_government",
    "LOC": "actor.local_government",
    "DON": "actor.donor",
    "ENT": "actor.enterprise",
    "WRK": "actor.workers",
    "EMP": "actor.employers",
    "AGR": "instrument.agreement",
    "LEG": "instrument.legal_status",
    "DIS": "instrument.dispute_settlement",
    "FIN": "instrument.final_provisions",
    "TRN": "mechanism.training",
    "TA": "mechanism.technical_assistance",
    "FUN": "mechanism.funding",
    "KEX": "mechanism.knowledge_exchange",
    "DIA": "mechanism.dialogue",
    "MON": "mechanism.monitoring",
    "EMPL": "domain.employment",
    "ENTD": "domain.enterprise_development",
    "WC": "domain.working_conditions",
    "TRD": "domain.trade_investment",
    "BEN": "outcome.benefit",
    "CHL": "outcome.challenge",
}

TEST_PERCENT = 40


def split_of(source_file: str, start: int) -> str:
    h = int(hashlib.sha256(f"{source_file}:{start}".encode()).hexdigest()[:8], 16)
    return "test" if h % 100 < TEST_PERCENT else "dev"


def read_sheet(path: Path) -> dict[str, tuple[list[str], str]]:
    out: dict[str, tuple[list[str], str]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        gid, codes = parts[0], parts[1]
        note = parts[2] if len(parts) > 2 else ""
        if gid in out:
            raise ValueError(f"{path}:{n}: {gid} coded twice")
        aliases = [] if codes.strip() == "-" else [c.strip() for c in codes.split(",")]
        unknown = [a for a in aliases if a not in ALIASES]
        if unknown:
            raise ValueError(f"{path}:{n}: unknown aliases {unknown}")
        out[gid] = (sorted({ALIASES[a] for a in aliases}), note)
    return out


def main(data: Path, seeds: Path) -> None:
    build(data, seeds, "sample.jsonl", "coding_sheet.tsv", None)
    build(data, seeds, "fresh_sample.jsonl", "coding_sheet_fresh.tsv", "holdout")


def build(data: Path, seeds: Path, sample: str, sheet_name: str, part: str | None) -> None:
    sheet = read_sheet(HERE / sheet_name)
    rows = [json.loads(x) for x in (HERE / sample).read_text(encoding="utf-8").splitlines()]
    missing = [r["id"] for r in rows if r["id"] not in sheet]
    extra = sorted(set(sheet) - {r["id"] for r in rows})
    if missing or extra:
        raise ValueError(f"not coded: {missing}; coded but not sampled: {extra}")
    parts: dict[str, list[str]] = {"dev": [], "test": []} if part is None else {part: []}
    for r in rows:
        rel = r["source_file"]
        path = seeds / rel.split("/", 1)[1] if rel.startswith("seeds/") else data / rel
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        if text[r["start"]:r["end"]] != r["text"]:
            raise ValueError(f"{r['id']}: text does not match {rel}[{r['start']}:{r['end']}]")
        codes, note = sheet[r["id"]]
        line = {"id": r["id"], "source_file": rel, "start": r["start"], "end": r["end"],
                "lang": r["lang"], "group": r["group"], "text": r["text"], "codes": codes}
        if note:
            line["note"] = note
        parts[part or split_of(rel, r["start"])].append(json.dumps(line, ensure_ascii=False))
    for name, lines in parts.items():
        (HERE / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
