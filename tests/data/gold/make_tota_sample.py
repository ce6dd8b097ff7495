"""Draw a fresh paragraph sample from the held-out ToTA treaties (issue 13 item 11).

Paragraphs: blocks between blank lines of each article's text, 80-700 characters, English
treaties only, from treaties in the held-out part of ``benchmarks/eval_tota_titles.py``.
Deterministic: ``random.Random(20261207)``; 30 paragraphs. Writes ``tota_sample.jsonl`` with
``id``, ``treaty``, ``article``, ``text`` and empty ``codes`` (coded by hand in
``tota_sample_coded.jsonl``, before any rule was run on them).
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "benchmarks"))

from eval_tota_titles import part_of, shared_tota  # noqa: E402


def main() -> None:
    from lxml import etree

    paras = []
    for path in sorted((shared_tota() / "xml").glob("pta_*.xml")):
        if part_of(path.stem) != "held-out":
            continue
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        if (root.findtext("meta/language") or "en").strip() != "en":
            continue
        for art in root.iter("article"):
            text = "".join(art.itertext())
            for block in re.split(r"\n\s*\n", text):
                block = " ".join(block.split())
                if 80 <= len(block) <= 700:
                    paras.append((path.stem, art.get("article_identifier") or "", block))
    rng = random.Random(20261207)
    sample = rng.sample(paras, 30)
    with open(HERE / "tota_sample.jsonl", "w", encoding="utf-8") as f:
        for i, (treaty, ident, text) in enumerate(sample):
            f.write(json.dumps({"id": f"t{i:02d}", "treaty": treaty, "article": ident, "text": text,
                                "lang": "en", "codes": []}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
