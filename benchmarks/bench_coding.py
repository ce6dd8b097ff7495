"""Coding speed against spaCy's bare blank tokenizer, and prefilter equivalence.

Builds ~20 MB of text by resampling (deterministically) paragraphs of the real
English and Indonesian texts in shared/data/policy_docs (UN General Debate
speeches, ToTA treaties, Dutch treaty database, Indonesian regulations), codes it
with a realistic codebook (codebooks/international_cooperation.yaml when present,
else a generated one of 25 codes x ~20 terms with glob, lemma, near and regex rules),
unit paragraph, and times spaCy's bare ``blank(lang)`` tokenizer (``nlp.pipe``)
over the same paragraphs. Prints words/s of both (CPU time, one core) for a first
pass (empty vocabularies and caches) and the median of repeated passes (warm
vocabularies and tokenizer caches on both sides, codebook compiled afresh each
time), the ratio (target >= 1.0), checks that the reference path
``prefilter=False`` (a spaCy Doc and spaCy's matchers per segment) gives the
identical CodingSet (count and sha256 of the records), and measures the
per-document overhead.

Usage::

    .venv/bin/python benchmarks/bench_coding.py [--mb 20] [--repeat 3] [--shared PATH] [--no-reference]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qualcoop.model import Code, Codebook, Document, Rule, Segment  # noqa: E402

_PARA = re.compile(r"\n\s*\n")


def find_shared() -> Path:
    for base in (REPO, *REPO.parents):
        cand = base / "shared" / "data"
        if cand.is_dir():
            return cand
    raise SystemExit("shared/data not found; pass --shared")


def paragraphs(shared: Path) -> dict[str, list[str]]:
    """Paragraphs (blank-line separated blocks of >= 5 words) of the real texts, by language."""
    pd = shared / "policy_docs"
    out: dict[str, list[str]] = {"en": [], "id": []}

    def add(lang: str, text: str) -> None:
        for block in _PARA.split(text):
            block = block.strip()
            if len(block.split()) >= 5:
                out[lang].append(block)

    for f in sorted((pd / "ungdc_indonesia").glob("*.txt")):
        add("en", f.read_text(encoding="utf-8", errors="replace"))
    for f in sorted((pd / "nl_treaty_db_cooperation_agreements").glob("*.md")):
        add("en", f.read_text(encoding="utf-8", errors="replace"))
    for f in sorted((pd / "tota" / "xml").glob("*.xml")):
        root = ET.parse(f).getroot()
        if (root.findtext("meta/language") or "en").strip() != "en":
            continue
        for art in root.iter("article"):
            add("en", "".join(art.itertext()))
    for f in sorted((pd / "indonesian_regulations").glob("*.md")):
        if f.name.startswith("README"):
            continue
        add("id", f.read_text(encoding="utf-8", errors="replace"))
    return out


def build_corpus(paras: dict[str, list[str]], mb: float, *, seed: int = 20240607,
                 per_doc: int = 40) -> tuple[list[Document], dict[str, tuple[Segment, ...]]]:
    """Documents of ``per_doc`` resampled paragraphs (85% English, 15% Indonesian) up to ``mb`` MB."""
    rng = random.Random(seed)
    docs: list[Document] = []
    segs: dict[str, tuple[Segment, ...]] = {}
    total = 0
    n = 0
    while total < mb * 1_000_000:
        lang = "id" if rng.random() < 0.15 else "en"
        chosen = [rng.choice(paras[lang]) for _ in range(per_doc)]
        doc_id = f"bench-{n:05d}"
        text = "\n\n".join(chosen)
        pos = 0
        ss = []
        for i, p in enumerate(chosen):
            ss.append(Segment(doc_id, pos, pos + len(p), "paragraph", i))
            pos += len(p) + 2
        docs.append(Document(doc_id, text, lang=lang))
        segs[doc_id] = tuple(ss)
        total += len(text)
        n += 1
    return docs, segs


_CODES = {
    "cooperation": (["cooperation", "co-operation", "collaboration", "partnership", "joint programme",
                     "bilateral", "multilateral", "south-south", "triangular cooperation", "mutual benefit"],
                    ["kerja sama", "kerjasama", "kemitraan", "bilateral", "multilateral"]),
    "training": (["training", "capacity building", "workshop", "training of trainers", "seminar",
                  "fellowship", "scholarship", "course", "curriculum", "skills"],
                 ["pelatihan", "peningkatan kapasitas", "lokakarya", "beasiswa", "kursus"]),
    "technical_assistance": (["technical assistance", "technical cooperation", "expert", "advisory services",
                              "know-how", "consultant", "adviser", "feasibility study"],
                             ["bantuan teknis", "tenaga ahli", "konsultan"]),
    "funding": (["grant", "loan", "financial assistance", "funding", "budget", "official development assistance",
                 "donor", "trust fund", "financing", "aid"],
                ["hibah", "pinjaman", "anggaran", "pendanaan", "bantuan keuangan"]),
    "labour": (["labour", "labor", "worker", "employment", "labour administration", "labour inspection",
                "wages", "trade union", "collective bargaining", "forced labour", "decent work"],
               ["tenaga kerja", "pekerja", "buruh", "ketenagakerjaan", "upah", "serikat pekerja"]),
    "trade": (["trade", "tariff", "customs", "export", "import", "market access", "free trade",
               "rules of origin", "quota", "investment"],
              ["perdagangan", "bea masuk", "kepabeanan", "ekspor", "impor", "investasi"]),
    "dispute": (["dispute settlement", "arbitration", "arbitral tribunal", "consultations", "mediation",
                 "conciliation", "panel", "complaint"],
                ["penyelesaian sengketa", "arbitrase", "mediasi", "prosedur persetujuan bersama"]),
    "peace_security": (["peace", "security", "peacekeeping", "disarmament", "nuclear weapons", "conflict",
                        "terrorism", "war", "aggression", "ceasefire"],
                       ["perdamaian", "keamanan", "konflik", "terorisme"]),
    "development": (["development", "sustainable development", "poverty", "millennium development goals",
                     "sdgs", "growth", "developing countries", "least developed countries"],
                    ["pembangunan", "pembangunan berkelanjutan", "kemiskinan"]),
    "environment": (["environment", "climate change", "emissions", "biodiversity", "pollution", "forest",
                     "renewable energy", "natural disaster", "tsunami"],
                    ["lingkungan hidup", "perubahan iklim", "bencana alam", "hutan"]),
    "health": (["health", "pandemic", "epidemic", "vaccine", "hiv", "malaria", "medical"],
               ["kesehatan", "pandemi", "vaksin"]),
    "human_rights": (["human rights", "freedom", "discrimination", "equality", "self-determination",
                      "apartheid", "colonialism"],
                     ["hak asasi manusia", "kebebasan", "diskriminasi"]),
    "un_system": (["united nations", "general assembly", "security council", "secretary-general", "charter",
                   "specialized agencies", "ilo", "unesco", "unicef", "undp"],
                  ["perserikatan bangsa-bangsa", "pbb"]),
    "asean_region": (["asean", "southeast asia", "asia-pacific", "asian", "apec", "non-aligned movement"],
                     ["asean", "asia tenggara"]),
    "governance": (["governance", "transparency", "accountability", "corruption", "rule of law", "democracy",
                    "institutional reform"],
                   ["tata kelola", "transparansi", "akuntabilitas", "korupsi"]),
    "privileges": (["privileges", "immunities", "exemption", "tax exemption", "exempt from", "duty-free"],
                   ["pembebasan", "dibebaskan", "fasilitas", "pengecualian"]),
    "equipment": (["equipment", "materials", "supplies", "vehicles", "machinery", "spare parts"],
                  ["peralatan", "barang", "kendaraan", "mesin"]),
    "monitoring": (["monitoring", "evaluation", "review", "report", "indicators", "assessment", "audit"],
                   ["pemantauan", "evaluasi", "laporan", "pengawasan"]),
    "gender": (["gender", "women", "girls", "gender equality", "empowerment of women", "maternal"],
               ["perempuan", "kesetaraan gender", "wanita"]),
    "migration": (["migrant", "migration", "refugees", "displaced persons", "asylum", "trafficking"],
                  ["migran", "pengungsi", "perdagangan orang"]),
    "maritime": (["maritime", "sea", "ocean", "fisheries", "archipelagic", "law of the sea", "navigation"],
                 ["maritim", "laut", "perikanan", "kepulauan"]),
    "tax": (["tax", "taxation", "double taxation", "income tax", "fiscal", "withholding"],
            ["pajak", "penghindaran pajak berganda", "pajak penghasilan", "perpajakan"]),
    "education": (["education", "school", "university", "literacy", "research", "science and technology"],
                  ["pendidikan", "sekolah", "universitas", "penelitian"]),
    "agriculture": (["agriculture", "food security", "farmers", "rice", "irrigation", "rural development"],
                    ["pertanian", "ketahanan pangan", "petani", "beras"]),
    "entry_into_force": (["entry into force", "ratification", "instrument of ratification", "denunciation",
                          "amendment", "shall enter into force"],
                         ["mulai berlaku", "ratifikasi", "pengesahan"]),
}


def generated_codebook() -> Codebook:
    """25 codes x ~20 terms: phrase rules (en, id), plus globs, lemma, near and regex rules."""
    codes = []
    for i, (cid, (en, idn)) in enumerate(_CODES.items()):
        rules = [Rule("terms-en", "phrase", terms=en, lang="en"),
                 Rule("terms-id", "phrase", terms=idn, lang="id")]
        head = en[0].split()[0]
        if i % 3 == 0:
            rules.append(Rule("glob", "glob", terms=[head[: max(4, len(head) - 3)] + "*", "inter* " + head]))
        if i % 3 == 1:
            rules.append(Rule("lemma", "lemma", terms=[en[0].split()[-1], en[1].split()[-1]], lang="en"))
        if i % 5 == 2:
            rules.append(Rule("near", "near", groups=[[en[0]], [f"{en[2].split()[0]}*"]], window=8))
        if i % 8 == 3:
            rules.append(Rule("regex", "regex", pattern=r"\b" + re.escape(en[1].split()[0]) + r"\w*\b"))
        if i % 6 == 4:
            rules.append(Rule("not-x", "exclude", terms=[f"non-{en[0]}"]))
        codes.append(Code(f"c.{cid}", cid.replace("_", " ").title(), rules=rules))
    return Codebook("bench_generated", "1.0.0", codes, languages=("en", "id"))


def load_realistic() -> tuple[Codebook, str]:
    path = REPO / "codebooks" / "international_cooperation.yaml"
    if path.exists():
        try:
            from qualcoop.codebook import load_codebook

            return load_codebook(path), str(path.relative_to(REPO))
        except Exception as e:  # noqa: BLE001 - fall back, but say why
            print(f"(could not load {path.name}: {e}; using the generated codebook)")
    return generated_codebook(), "generated (25 codes)"


def bare_tokenise(nlps: dict, docs: list[Document], segs: dict[str, tuple[Segment, ...]]) -> float:
    """CPU seconds of spaCy's blank tokenizer (``nlp.pipe``) over every paragraph."""
    t0 = time.process_time()
    for lang, nlp in nlps.items():
        texts = (d.text[s.start:s.end] for d in docs if d.lang == lang for s in segs[d.id])
        for _ in nlp.pipe(texts, batch_size=256):
            pass
    return time.process_time() - t0


def code(compiled, docs, segs):
    """(CPU seconds, CodingSet) of coding with a compiled codebook."""
    from qualcoop.match import apply_codebook

    t0 = time.process_time()
    cs = apply_codebook(docs, compiled, segments=segs)
    return time.process_time() - t0, cs


def digest(cs) -> str:
    """sha256 of the coded records (JSON lines) and every piece of evidence."""
    import hashlib
    import json

    h = hashlib.sha256()
    for rec, c in zip(cs.to_records(), cs, strict=True):
        h.update(json.dumps(rec, sort_keys=True, default=str).encode("utf-8"))
        h.update(repr(c.evidence).encode("utf-8"))
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=20.0)
    ap.add_argument("--repeat", type=int, default=3, help="timed repetitions (medians are reported)")
    ap.add_argument("--shared", type=Path, default=None)
    ap.add_argument("--no-reference", action="store_true", help="skip the prefilter=False equivalence run")
    args = ap.parse_args()

    import statistics

    import spacy

    from qualcoop.match import apply_codebook, compile_codebook

    shared = args.shared or find_shared()
    paras = paragraphs(shared)
    docs, segs = build_corpus(paras, args.mb)
    n_chars = sum(len(d.text) for d in docs)
    n_words = sum(len(d.text.split()) for d in docs)
    n_segs = sum(len(v) for v in segs.values())
    codebook, cb_name = load_realistic()
    n_rules = sum(len(c.rules) for c in codebook.codes)
    print(f"corpus: {len(docs)} documents, {n_segs} paragraphs, {n_chars / 1e6:.1f} MB, {n_words:,} words "
          f"(source paragraphs: {len(paras['en'])} en, {len(paras['id'])} id)")
    print(f"codebook: {cb_name}: {len(codebook.codes)} codes, {n_rules} rules")
    print("CPU time (time.process_time), one process, one core; words/s = whitespace-separated words / CPU s")

    # building the pipelines (once per process) is not timed
    nlps = {lang: spacy.blank(lang) for lang in ("en", "id")}
    for lang in ("en", "id"):
        compile_codebook(codebook).matchers(lang)  # builds the qualcoop pipelines

    # first pass: empty vocabularies and caches on both sides (the codebook compiles in
    # ~0.05 s, not timed, like building spaCy's tokenizer)
    cc = compile_codebook(codebook, prefilter=True)
    t_bare0 = bare_tokenise(nlps, docs, segs)
    t_fast0, fast = code(cc, docs, segs)
    print(f"first pass  bare spaCy blank tokenizer (nlp.pipe): {t_bare0:6.2f} s {n_words / t_bare0:>10,.0f} words/s")
    print(f"first pass  qualcoop coding (fast path):           {t_fast0:6.2f} s {n_words / t_fast0:>10,.0f} words/s"
          f"  ratio {t_bare0 / t_fast0:.2f}")

    # steady state: warm vocabularies and tokenizer caches on both sides (spaCy's tokenizer
    # cache; the compiled codebook's chunk cache), like a long-running process
    tb, tf = [], []
    for _ in range(args.repeat):
        tb.append(bare_tokenise(nlps, docs, segs))
        t, again = code(cc, docs, segs)
        tf.append(t)
        if again != fast:
            raise SystemExit("coding is not deterministic")
    t_bare, t_fast = statistics.median(tb), statistics.median(tf)
    print(f"median of {args.repeat}: bare spaCy blank tokenizer:        {t_bare:6.2f} s {n_words / t_bare:>10,.0f} words/s"
          f"  (runs {', '.join(f'{x:.2f}' for x in tb)})")
    print(f"median of {args.repeat}: qualcoop coding (fast path):       {t_fast:6.2f} s {n_words / t_fast:>10,.0f} words/s"
          f"  (runs {', '.join(f'{x:.2f}' for x in tf)})  {len(fast):,} codings")
    print(f"ratio ours/bare: {t_bare / t_fast:.2f} (target >= 1.0)")

    if not args.no_reference:
        t_ref, ref = code(compile_codebook(codebook, prefilter=False), docs, segs)
        same = ref == fast and [c.evidence for c in ref] == [c.evidence for c in fast]
        d_fast, d_ref = digest(fast), digest(ref)
        print(f"reference (prefilter=False, spaCy Doc + PhraseMatcher per segment): {t_ref:6.2f} s "
              f"{n_words / t_ref:>10,.0f} words/s")
        print(f"fast and reference identical: {same and d_fast == d_ref} "
              f"({len(fast):,} vs {len(ref):,} codings; sha256 {d_fast[:16]} vs {d_ref[:16]})")
        if not (same and d_fast == d_ref):
            raise SystemExit("the fast path changed the result")

    # per-document overhead: the same paragraphs as 1-paragraph documents vs within big documents
    sample = docs[:50]
    small = [Document(f"{d.id}-{s.index}", d.text[s.start:s.end], lang=d.lang) for d in sample for s in segs[d.id]]
    small_segs = {d.id: (Segment(d.id, 0, len(d.text), "paragraph", 0),) for d in small}
    cc2 = compile_codebook(codebook)
    apply_codebook(sample, cc2, segments=segs)  # warm caches
    t0 = time.process_time()
    apply_codebook(sample, cc2, segments=segs)
    t_big = time.process_time() - t0
    t0 = time.process_time()
    apply_codebook(small, cc2, segments=small_segs)
    t_small = time.process_time() - t0
    per_doc = (t_small - t_big) / max(1, len(small) - len(sample))
    print(f"per-document overhead: {per_doc * 1e6:.0f} us/document "
          f"({len(small)} one-paragraph documents {t_small:.2f} s vs {len(sample)} documents {t_big:.2f} s)")


if __name__ == "__main__":
    main()
