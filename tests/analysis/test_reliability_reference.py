"""Agreement measures reproduce published values (../shared/data/reliability/).

:func:`qualcoop.analysis.reliability` is the function :func:`qualcoop.analysis.agreement` calls for
every code; its coefficients come from krippendorff, scikit-learn and statsmodels. These tests check
that the reliability data we build for those libraries gives the published numbers: Krippendorff
(2011), Fleiss (1971), and Gwet's irrCAC datasets wherever the libraries compute the same coefficient
(Krippendorff's alpha with missing values; Fleiss' kappa on complete data; Cohen's kappa and percent
agreement for two raters).
"""

from __future__ import annotations

import csv
import json

import pytest

from qualcoop.analysis import reliability


@pytest.fixture(scope="module")
def ref(shared):
    return json.loads((shared / "reliability" / "reliability_reference_values.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def irrcac(shared):
    data = json.loads((shared / "reliability" / "irrCAC_reference_values.json").read_text(encoding="utf-8"))
    return {(c["dataset"], c["method"]): c for c in data["cases"] if c.get("weights", "").startswith("identity")}


def _case(ref, section, case_id):
    return next(c for c in ref[section] if c["id"] == case_id)


def _raw(shared, name):
    with open(shared / "reliability" / "gwet_irrCAC_datasets" / f"{name}.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    raters = [c for c in rows[0] if c not in ("Units", "Group")]
    return [[r[c] or None for r in rows] for c in raters]


def _table_to_pairs(shared, name):
    """A two-rater contingency table (rows = rater 1) as two rating vectors."""
    with open(shared / "reliability" / "gwet_irrCAC_datasets" / f"{name}.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    cats = rows[0][1:]
    a, b = [], []
    for row in rows[1:]:
        for j, n in enumerate(row[1:]):
            a += [row[0]] * int(n)
            b += [cats[j]] * int(n)
    return [a, b]


def test_krippendorff_2011_alpha_nominal(ref):
    case = _case(ref, "krippendorff_alpha", "krippendorff2011_reliability_data_matrix")
    result = reliability(case["reliability_data"])
    assert round(result["krippendorff_alpha"], 3) == case["expected_3dp"]["nominal"] == 0.743
    assert result["krippendorff_alpha"] == pytest.approx(case["verified_6dp"]["nominal"], abs=1e-6)
    assert result["n_units"] == 11  # unit 12 has one value: not pairable
    assert result["n_coders"] == 4
    assert result["cohen_kappa"] is None  # four coders


def test_wikipedia_and_string_label_alphas(ref):
    wiki = _case(ref, "krippendorff_alpha", "wikipedia_computational_example")
    assert reliability(wiki["reliability_data"])["krippendorff_alpha"] == pytest.approx(
        wiki["expected_6dp"]["nominal"], abs=1e-6)
    labels = _case(ref, "krippendorff_alpha", "string_labels_nominal")
    assert reliability(labels["reliability_data"])["krippendorff_alpha"] == pytest.approx(
        labels["expected_6dp"]["nominal"], abs=1e-6)


def test_fleiss_1971(ref):
    case = _case(ref, "fleiss_kappa", "fleiss1971_diagnoses")
    ratings = case["ratings"]  # subjects x raters
    result = reliability(list(zip(*ratings)))
    assert result["fleiss_kappa"] == pytest.approx(case["expected"]["kappa"], abs=1e-7)
    assert round(result["fleiss_kappa"], 4) == 0.4302
    assert result["n_units"] == 30 and result["n_coders"] == 6


def test_fleiss_wikipedia_table(ref):
    case = _case(ref, "fleiss_kappa", "wikipedia_fleiss_example")
    # raters are exchangeable for Fleiss' kappa: spell each subject's counts out as 14 ratings
    subjects = [[k for k, n in enumerate(counts) for _ in range(n)] for counts in case["table"]]
    result = reliability(list(zip(*subjects)))
    assert result["fleiss_kappa"] == pytest.approx(case["verified"]["kappa"], abs=1e-5)


@pytest.mark.parametrize("dataset", ["raw_4raters", "raw_5observers", "raw_g1g2", "raw_gender", "raw_ben_gerry"])
def test_gwet_raw_krippendorff_alpha_with_missing_values(shared, irrcac, dataset):
    expected = irrcac[(dataset, "krippendorff")]
    result = reliability(_raw(shared, dataset))
    assert round(result["krippendorff_alpha"], 3) == expected["coefficient_value"]


@pytest.mark.parametrize("dataset", ["raw_gender", "raw_ben_gerry"])
def test_gwet_raw_fleiss_where_every_rated_unit_is_complete(shared, irrcac, dataset):
    # raw_gender has no missing value; raw_ben_gerry's only incomplete unit has one rating (not
    # pairable for either definition), so statsmodels' complete-data Fleiss kappa is Gwet's value
    expected = irrcac[(dataset, "fleiss")]
    result = reliability(_raw(shared, dataset))
    assert round(result["fleiss_kappa"], 3) == expected["coefficient_value"]


@pytest.mark.parametrize("dataset, kappa, pa", [("table_cont3x3abstractors", 0.796, 0.89),
                                                ("table_cont4x4diagnosis", 0.432, 0.587)])
def test_gwet_tables_cohen_and_percent_agreement(shared, irrcac, dataset, kappa, pa):
    result = reliability(_table_to_pairs(shared, dataset))
    assert round(result["cohen_kappa"], 3) == kappa == irrcac[(dataset, "cohen")]["coefficient_value"]
    assert round(result["percent_agreement"], 3) == pa


def test_cohen_sas_table_and_irr_anxiety(ref):
    sas = _case(ref, "cohen_kappa", "sas_example_3x3")
    pairs = [[], []]
    for i, row in enumerate(sas["table"]):
        for j, n in enumerate(row):
            pairs[0] += [i] * n
            pairs[1] += [j] * n
    assert reliability(pairs)["cohen_kappa"] == pytest.approx(sas["expected_unweighted"]["kappa"], abs=1e-4)
    anxiety = _case(ref, "cohen_kappa", "irr_anxiety_kappa2")["anxiety_rater_columns"]
    result = reliability([anxiety["rater2"], anxiety["rater3"]])
    assert result["cohen_kappa"] == pytest.approx(-0.006289308, abs=1e-8)


def test_edge_cases_give_empty_values_with_a_reason():
    perfect = reliability([[1, 2, 3, 4]] * 3)
    assert perfect["krippendorff_alpha"] == pytest.approx(1.0)
    assert perfect["fleiss_kappa"] == pytest.approx(1.0)
    one = reliability([[1, 1], [1, 1]])
    assert one["krippendorff_alpha"] is None and one["cohen_kappa"] is None and one["fleiss_kappa"] is None
    assert "one category" in one["note"]
    assert one["percent_agreement"] == 1.0
    none = reliability([[1, None], [None, 2]])
    assert none["krippendorff_alpha"] is None and none["n_units"] == 0 and none["note"]
    single = reliability([[1, 0, 1]])
    assert single["krippendorff_alpha"] is None and "coder" in single["note"]


def test_bootstrap_interval_is_seeded_and_brackets_alpha(ref):
    data = _case(ref, "krippendorff_alpha", "krippendorff2011_reliability_data_matrix")["reliability_data"]
    a = reliability(data, bootstrap=300, seed=7)
    b = reliability(data, bootstrap=300, seed=7)
    c = reliability(data, bootstrap=300, seed=8)
    assert (a["alpha_ci_low"], a["alpha_ci_high"]) == (b["alpha_ci_low"], b["alpha_ci_high"])
    assert (a["alpha_ci_low"], a["alpha_ci_high"]) != (c["alpha_ci_low"], c["alpha_ci_high"])
    assert a["alpha_ci_low"] <= a["krippendorff_alpha"] <= a["alpha_ci_high"] <= 1.0
