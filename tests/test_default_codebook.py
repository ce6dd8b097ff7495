"""The shipped codebook codebooks/international_cooperation.yaml and its hand-coded gold set.

What is checked: it loads and validates cleanly; every required code is complete (parent,
definition, inclusion, exclusion, labels, colour, examples and rules in English and Indonesian);
each code's own examples are coded with it; meaning traps are not; the gold files are sound
(offsets into the real shared files, known codes, deterministic split); and the evaluation figures
stay above the targets (held-out micro-F1 >= 0.80, macro-F1 >= 0.70, Indonesian within 0.05).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import warnings
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "codebooks" / "international_cooperation.yaml"
GOLD = REPO / "tests" / "data" / "gold"

REQUIRED = {
    "actor": None,
    "actor.international_org": "actor", "actor.national_government": "actor",
    "actor.local_government": "actor", "actor.donor": "actor", "actor.enterprise": "actor",
    "actor.workers": "actor", "actor.employers": "actor",
    "instrument": None,
    "instrument.agreement": "instrument", "instrument.legal_status": "instrument",
    "instrument.dispute_settlement": "instrument", "instrument.final_provisions": "instrument",
    "mechanism": None,
    "mechanism.training": "mechanism", "mechanism.technical_assistance": "mechanism",
    "mechanism.funding": "mechanism", "mechanism.knowledge_exchange": "mechanism",
    "mechanism.dialogue": "mechanism", "mechanism.monitoring": "mechanism",
    "domain": None,
    "domain.employment": "domain", "domain.enterprise_development": "domain",
    "domain.working_conditions": "domain", "domain.trade_investment": "domain",
    "outcome": None,
    "outcome.benefit": "outcome", "outcome.challenge": "outcome",
}
LEAVES = sorted(k for k, v in REQUIRED.items() if v)


@lru_cache(maxsize=1)
def _codebook():
    from qualcoop.codebook import load_codebook

    return load_codebook(CODEBOOK)


@lru_cache(maxsize=1)
def _compiled():
    from qualcoop.match import compile_codebook

    return compile_codebook(_codebook())


def _codes_for(text: str, lang: str) -> set[str]:
    from qualcoop.match import apply_codebook
    from qualcoop.model import Document

    cs = apply_codebook([Document(id="t", text=text, lang=lang)], _compiled(), unit="document", lang=lang)
    return {c.code_id for c in cs}


def _eval_module():
    name = "qualcoop_benchmarks_eval_codebook"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / "eval_codebook.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod  # dataclasses look their module up while the class is built
        spec.loader.exec_module(mod)
    return sys.modules[name]


def _gold(name: str) -> list[dict]:
    return [json.loads(x) for x in (GOLD / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if x]


# --------------------------------------------------------------------------- the file itself


def test_loads_without_errors_or_warnings():
    from qualcoop.errors import CodebookWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", CodebookWarning)
        from qualcoop.codebook import load_codebook

        cb = load_codebook(CODEBOOK)
    assert cb.name == "international_cooperation"
    assert cb.version == "1.0.0"
    assert set(cb.languages) == {"en", "id"}


def test_validator_reports_no_problems():
    from qualcoop.codebook.validate import check_codebook

    assert check_codebook(_codebook(), path=str(CODEBOOK)) == []


def test_loadable_by_name():
    from qualcoop.codebook import load_codebook

    assert load_codebook("international_cooperation").fingerprint() == _codebook().fingerprint()


@pytest.mark.parametrize("code_id", sorted(REQUIRED))
def test_required_code_present_with_parent(code_id):
    cb = _codebook()
    assert code_id in cb
    code = cb.get(code_id)
    assert code.parent == REQUIRED[code_id]
    assert code.definition.strip()
    assert set(code.labels) == {"en", "id"}
    assert code.color and code.color.startswith("#") and len(code.color) == 7


@pytest.mark.parametrize("code_id", LEAVES)
def test_leaf_code_is_complete_in_both_languages(code_id):
    code = _codebook().get(code_id)
    assert len(code.inclusion.split()) >= 8
    assert len(code.exclusion.split()) >= 5
    assert {e.lang for e in code.examples} == {"en", "id"}
    assert sum(e.lang == "en" for e in code.examples) >= 2
    assert sum(e.lang == "id" for e in code.examples) >= 2
    rule_langs = {r.lang for r in code.rules if r.kind != "exclude"}
    assert ("en" in rule_langs or None in rule_langs) and ("id" in rule_langs or None in rule_langs)


def test_the_leaves_are_exactly_the_gold_vocabulary():
    cb = _codebook()
    parents = {c.parent for c in cb.codes if c.parent}
    leaves = sorted(c.id for c in cb.codes if c.parent and c.id not in parents)
    assert leaves == LEAVES
    used = {c for name in ("dev", "test", "holdout") for r in _gold(name) for c in r["codes"]}
    assert used <= set(LEAVES)


# --------------------------------------------------------------------------- examples and traps


def _examples():
    from qualcoop.codebook import load_codebook

    cb = load_codebook(CODEBOOK)
    return [pytest.param(c.id, e.text, e.lang, id=f"{c.id}-{i}") for c in cb.codes for i, e in enumerate(c.examples)]


@pytest.mark.parametrize(("code_id", "text", "lang"), _examples())
def test_each_example_is_coded_with_its_code(code_id, text, lang):
    assert code_id in _codes_for(text, lang)


TRAPS = [
    # (text, lang, code that must NOT apply, code that must apply or None)
    ("The employment of experts shall be governed by this Agreement.", "en",
     "domain.employment", "mechanism.technical_assistance"),
    ("The candidates of the political party campaigned in the province.", "en",
     "actor.national_government", None),
    ("Pasangan calon diusulkan oleh partai politik.", "id", "actor.national_government", None),
    ("The Contracting Parties shall consult each other.", "en", "actor.enterprise", "actor.national_government"),
    ("Rancangan undang-undang itu tidak mendapat persetujuan bersama.", "id", "instrument.agreement", None),
    ("Memberikan persetujuan pemusnahan kendaraan bermotor.", "id", "instrument.agreement", None),
    ("The two arbitrators were unable to reach agreement on the choice.", "en",
     "instrument.agreement", "instrument.dispute_settlement"),
    ("These skills help students with problem solving.", "en", "outcome.challenge", None),
    ("Exempt the experts from import duties on household effects.", "en",
     "domain.trade_investment", "instrument.legal_status"),
    ("A benefit under the Covered Tax Agreement shall not be granted.", "en",
     "outcome.benefit", "instrument.legal_status"),
    ("A benefit under the Covered Tax Agreement shall not be granted.", "en", "mechanism.funding", None),
    ("Dalam rangka memperoleh manfaat Persetujuan Penghindaran Pajak Berganda.", "id",
     "outcome.benefit", "instrument.legal_status"),
    ("Provided such regulations do not conflict with any provision of this Agreement.", "en",
     "outcome.challenge", "instrument.agreement"),
    ("Upon termination of the contract a final settlement of all wages due shall be effected.", "en",
     "instrument.dispute_settlement", "domain.working_conditions"),
    ("Pengetahuan tentang flight inspection dan ground inspection.", "id", "mechanism.monitoring", None),
    ("Trade unions shall have the right to organise.", "en", "domain.trade_investment", "actor.workers"),
    ("After consultation with the Member concerned.", "en", "outcome.challenge", "mechanism.dialogue"),
    ("Some encouragement was made in the course of our deliberations.", "en",
     "mechanism.training", "mechanism.dialogue"),
    ("Persetujuan ekspor kembali kendaraan bermotor.", "id", "domain.trade_investment", None),
    ("Program ini dibantu oleh Kementerian Ketenagakerjaan.", "id",
     "domain.employment", "actor.national_government"),
    ("Pemerintahan daerah provinsi mengatur urusan pemerintahan.", "id",
     "actor.national_government", "actor.local_government"),
    ("National laws may exempt from the application of this Convention work in family undertakings.", "en",
     "instrument.legal_status", "instrument.agreement"),
    ("They shall be free of currency restrictions on funds introduced for their personal use.", "en",
     "mechanism.funding", None),
    ("Firmly desiring to intensify those relations.", "en", "actor.enterprise", None),
    ("Conventions for the Safety of Life at Sea.", "en", "domain.working_conditions", "instrument.agreement"),
]


@pytest.mark.parametrize(("text", "lang", "absent", "present"), TRAPS, ids=[f"trap{i}" for i in range(len(TRAPS))])
def test_meaning_traps(text, lang, absent, present):
    got = _codes_for(text, lang)
    assert absent not in got
    if present:
        assert present in got


@pytest.mark.parametrize(("text", "code_id"), [
    # affixed forms no phrase list named: found by the codebook's stem rules (root in brackets)
    ("Pelatih-pelatih dari ILO terlatih.", "mechanism.training"),                  # latih
    ("Para peserta pemagangan di perusahaan.", "mechanism.training"),             # magang
    ("Kegiatan ini didanai oleh mitra.", "mechanism.funding"),                    # dana
    ("Pemerintah daerah membiayainya.", "mechanism.funding"),                     # biaya
    ("Para pihak bernegosiasi dan merundingkan naskahnya.", "mechanism.dialogue"),  # negosiasi, runding
    ("Hal itu dikoordinasikan dengan dinas.", "mechanism.dialogue"),              # koordinasi
    ("Program ini dievaluasi setiap tahun.", "mechanism.monitoring"),             # evaluasi
    ("Pelapor menyampaikan hasil yang dipantau.", "mechanism.monitoring"),        # lapor, pantau
])
def test_indonesian_stem_rules_find_affixed_forms(text, code_id):
    assert code_id in _codes_for(text, "id")
    assert code_id not in _codes_for(text, "en")  # the stem rules are Indonesian rules


def test_code_switched_interview_uses_both_languages_rules():
    from qualcoop.match import apply_codebook
    from qualcoop.model import Document

    text = "Kami ikut training-nya ILO, tapi belum ada pendanaan."
    mixed = Document(id="m", text=text, attributes={"languages": "id,en"})
    got = {c.code_id: c for c in apply_codebook([mixed], _compiled(), unit="document")}
    assert set(got) == {"actor.international_org", "mechanism.training", "mechanism.funding"}
    assert not got["mechanism.training"].negated and got["mechanism.funding"].negated
    assert "mechanism.training" not in _codes_for(text, "id")


def test_negated_mention_is_flagged_not_dropped():
    from qualcoop.match import apply_codebook
    from qualcoop.model import Document

    doc = Document(id="n", text="Kegiatan ini tidak memerlukan pelatihan.", lang="id")
    cs = apply_codebook([doc], _compiled(), unit="document", lang="id")
    training = [c for c in cs if c.code_id == "mechanism.training"]
    assert len(training) == 1 and training[0].negated


# --------------------------------------------------------------------------- the gold set


@pytest.mark.parametrize("name", ["dev", "test", "holdout"])
def test_gold_lines_point_at_the_real_text(name, shared):
    seeds = shared.parent / "seeds"
    cache: dict[str, str] = {}
    for r in _gold(name):
        rel = r["source_file"]
        if rel not in cache:
            path = seeds / rel.split("/", 1)[1] if rel.startswith("seeds/") else shared / rel
            cache[rel] = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        assert cache[rel][r["start"]:r["end"]] == r["text"], r["id"]
        assert r["lang"] in ("en", "id")
        assert r["codes"] == sorted(set(r["codes"]))


def test_gold_sizes_and_split():
    dev, test, hold = _gold("dev"), _gold("test"), _gold("holdout")
    assert (len(dev), len(test), len(hold)) == (194, 120, 91)
    assert sum(r["lang"] == "id" for r in dev + test + hold) == 150
    for part, rows in (("dev", dev), ("test", test)):
        for r in rows:
            h = int(hashlib.sha256(f"{r['source_file']}:{r['start']}".encode()).hexdigest()[:8], 16)
            assert ("test" if h % 100 < 40 else "dev") == part
    first = {(r["source_file"], r["start"]) for r in dev + test}
    assert first.isdisjoint({(r["source_file"], r["start"]) for r in hold})


def test_hand_counted_gold_facts():
    by_id = {r["id"]: r for name in ("dev", "test", "holdout") for r in _gold(name)}
    # the seed abstract, English and Indonesian, carries the same eleven codes
    assert by_id["g152"]["codes"] == by_id["g154"]["codes"]
    assert len(by_id["g152"]["codes"]) == 11
    # "persetujuan bersama" (joint approval of a bill) is not an agreement
    assert by_id["g295"]["codes"] == ["actor.national_government"]


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(_gold("dev") + _gold("test"), key=lambda r: r["id"])))
def test_evidence_is_always_a_slice_of_the_text(row):
    from qualcoop.match import apply_codebook
    from qualcoop.model import Document

    doc = Document(id=row["id"], text=row["text"], lang=row["lang"])
    first = apply_codebook([doc], _compiled(), unit="document", lang=row["lang"])
    again = apply_codebook([doc], _compiled(), unit="document", lang=row["lang"])
    assert [c.to_dict() for c in first] == [c.to_dict() for c in again]
    for c in first:
        assert c.evidence
        for e in c.evidence:
            assert 0 <= e.start < e.end <= len(doc.text)
            assert doc.text[e.start:e.end] == e.text


# --------------------------------------------------------------------------- evaluation figures


@pytest.fixture(scope="module")
def figures():
    ev = _eval_module()
    out = {}
    for part in ("dev", "test", "holdout"):
        rows = ev.load_gold(part)
        pred = ev.predict(rows, _codebook())
        leaves = ev.leaf_codes(_codebook())
        out[part] = ev.score(rows, pred, leaves)
        for lang in ("en", "id"):
            idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
            out[part, lang] = ev.score([rows[i] for i in idx], [pred[i] for i in idx], leaves)
    return out


def test_holdout_meets_the_targets(figures):
    # the fresh sample was coded after the rules were written and was never tuned on
    s = figures["holdout"]
    assert s.micro[2] >= 0.80
    assert s.macro_f1 >= 0.70
    assert abs(figures["holdout", "id"].micro[2] - s.micro[2]) <= 0.05


def test_holdout_does_not_regress(figures):
    # measured at release: micro-F1 0.882, macro-F1 0.754, en 0.866, id 0.925
    assert figures["holdout"].micro[2] >= 0.87
    assert figures["holdout"].macro_f1 >= 0.74
    assert figures["holdout", "en"].micro[2] >= 0.85
    assert figures["holdout", "id"].micro[2] >= 0.91


def test_split_test_part_meets_the_targets(figures):
    s = figures["test"]
    assert s.micro[2] >= 0.80
    assert s.macro_f1 >= 0.70
    assert abs(figures["test", "id"].micro[2] - s.micro[2]) <= 0.05
    # measured at release: micro 0.964, macro 0.958 (rules were written by the coder of this part)
    assert s.micro[2] >= 0.94


def test_dev_part_does_not_regress(figures):
    # measured at release: micro 0.960, macro 0.947
    assert figures["dev"].micro[2] >= 0.94
    assert figures["dev"].macro_f1 >= 0.92


def test_scores_are_computed_as_documented():
    ev = _eval_module()
    rows = [{"codes": ["a", "b"]}, {"codes": []}, {"codes": ["a"]}]
    pred = [{"a"}, {"b"}, {"a", "b"}]
    s = ev.score(rows, pred, ["a", "b", "c"])
    assert s.per_code == {"a": (2, 0, 0), "b": (0, 2, 1), "c": (0, 0, 0)}
    assert s.micro == pytest.approx((0.5, 2 / 3, 4 / 7))
    assert s.macro_f1 == pytest.approx(0.5)  # mean of a (1.0) and b (0.0); c never occurs
