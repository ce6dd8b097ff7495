"""The trained coder: learns what the rules miss, is deterministic, and its model files are safe."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from qualcoop.errors import ModelCodebookError, ModelFileError, QualcoopError
from qualcoop.learn import CodeLearner, Unit, load_model, read_units, save_model, train


@pytest.fixture
def fitted(planted):
    return train([planted["table"]], codebook=planted["codebook"], min_positives=5)


def test_units_from_table_keep_codes_and_negatives(planted):
    units = read_units([planted["table"]], codebook=planted["codebook"])
    assert len(units) == 12 * 8
    assert any(not u.codes for u in units)
    assert all(u.lang == "en" for u in units)
    assert {c for u in units for c in u.codes} == {"topic.care", "topic.money"}


def test_model_learns_a_term_absent_from_the_rules(fitted):
    assert fitted.codes_ == ["topic.care", "topic.money"]
    e = fitted.cv_["topic.care"]
    rules_tp, _, rules_fn = e["rules"]
    both_tp, both_fp, both_fn = e["rules+model"]
    assert rules_fn > 0  # the rules miss the clinic units
    assert both_fn < rules_fn and both_tp > rules_tp  # rules + model find them on held-out documents
    s = fitted.cv_summary()
    assert s["rules+model"]["micro_f1"] > s["rules"]["micro_f1"]
    assert s["rules+model"]["macro_f1"] >= s["rules"]["macro_f1"]
    new = Unit("x", 0, 40, "The clinic will stay open on Sunday.", "en")
    [rows] = fitted.code_units([new])
    care = [r for r in rows if r["code_id"] == "topic.care"]
    assert care and care[0]["method"] == "model"
    assert "t:clinic" in care[0]["features"]
    assert 0.5 <= care[0]["confidence"] <= 1.0
    # a rule coding the model agrees with is rule+model; nothing is coded in a unit about nothing
    [rows] = fitted.code_units([Unit("y", 0, 40, "Public health matters to every village.", "en")])
    assert {r["code_id"]: r["method"] for r in rows}["topic.care"] == "rule+model"
    assert fitted.code_units([Unit("z", 0, 30, "The chair thanked the secretariat.", "en")]) == [[]]


def test_too_few_positives_are_named_and_left_to_the_rules(planted):
    learner = train([planted["table"]], codebook=planted["codebook"], min_positives=10_000)
    assert learner.codes_ == []
    assert set(learner.skipped_) == {"topic.care", "topic.money"}
    assert "fewer than 10000" in learner.skipped_["topic.care"]
    [rows] = learner.code_units([Unit("y", 0, 40, "Public health matters.", "en")])
    assert rows == [{"code_id": "topic.care", "method": "rule", "confidence": None, "features": []}]


def test_threshold_policy_keeps_the_rules_precision():
    # rules: 2 right of 2 (precision 1.0); a low threshold would find the last positive but add 3 false ones
    y = np.array([1, 1, 1, 0, 0, 0, 0, 1], bool)
    rules = np.array([1, 1, 0, 0, 0, 0, 0, 0], bool)
    prob = np.array([0.9, 0.9, 0.3, 0.4, 0.4, 0.35, 0.1, 0.8])
    t = CodeLearner._threshold(prob, y, rules)
    pred = rules | (prob >= t)
    assert t == pytest.approx(0.8)  # adds unit 7 (precision stays 1.0), not the noisy ones below
    assert (pred & ~y).sum() == 0
    # with nothing to gain the model adds nothing
    assert CodeLearner._threshold(np.array([0.9, 0.1]), np.array([True, False]), np.array([True, False])) > 1


def test_training_and_model_file_are_deterministic(planted, tmp_path):
    a = save_model(train([planted["table"]], codebook=planted["codebook"], min_positives=5), tmp_path / "a.qcm")
    b = save_model(train([planted["table"]], codebook=planted["codebook"], min_positives=5), tmp_path / "b.qcm")
    assert a.read_bytes() == b.read_bytes()


def test_model_round_trip_and_metadata(fitted, planted, tmp_path):
    path = save_model(fitted, tmp_path / "m.qcm")
    loaded = load_model(path, planted["codebook"])
    units = read_units([planted["table"]], codebook=planted["codebook"])
    assert np.array_equal(loaded.predict_proba(units), fitted.predict_proba(units))
    assert loaded.code_units(units[:10]) == fitted.code_units(units[:10])
    meta = json.loads(zipfile.ZipFile(path).read("model.json"))
    assert meta["codebook"]["name"] == "planted" and meta["codebook"]["version"] == "1"
    assert meta["data_hash"] == fitted.data_hash_ and len(meta["data_hash"]) == 64
    assert meta["qualcoop_version"]
    assert set(meta["cv"]) == {"topic.care", "topic.money"}


def test_model_for_codebook_v1_is_refused_on_v2(fitted, planted, tmp_path):
    path = save_model(fitted, tmp_path / "m.qcm")
    with pytest.raises(ModelCodebookError, match="planted version 1.*not planted version 2"):
        load_model(path, planted["codebook_v2"])


def _rewrite(src, dst, **replace):
    with zipfile.ZipFile(src) as z:
        blobs = {n: z.read(n) for n in z.namelist()}
    blobs.update(replace)
    with zipfile.ZipFile(dst, "w") as z:
        for n, b in blobs.items():
            if b is not None:
                z.writestr(n, b)
    return dst


def _npy(a, **kw):
    buf = io.BytesIO()
    np.save(buf, a, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("case", ["pickle", "extra_member", "missing_member", "bad_json", "wrong_format", "shape",
                                  "nan", "not_zip", "int_dtype", "features", "deep_json", "platt_string"])
def test_hostile_model_files_are_refused(fitted, planted, tmp_path, case):
    good = save_model(fitted, tmp_path / "good.qcm")
    meta = json.loads(zipfile.ZipFile(good).read("model.json"))
    bad = tmp_path / "bad.qcm"
    if case == "pickle":
        _rewrite(good, bad, **{"coef.npy": _npy(np.array([{"x": 1}], dtype=object), allow_pickle=True)})
    elif case == "extra_member":
        _rewrite(good, bad, **{"payload.pkl": b"\x80\x04K\x01."})
    elif case == "missing_member":
        _rewrite(good, bad, **{"intercept.npy": None})
    elif case == "bad_json":
        _rewrite(good, bad, **{"model.json": b"{not json"})
    elif case == "wrong_format":
        _rewrite(good, bad, **{"model.json": json.dumps({**meta, "format": "other"}).encode()})
    elif case == "shape":
        _rewrite(good, bad, **{"coef.npy": _npy(np.zeros((1, 3)))})
    elif case == "nan":
        _rewrite(good, bad, **{"intercept.npy": _npy(np.full(len(meta["codes"]), np.nan))})
    elif case == "not_zip":
        bad.write_bytes(b"\x80\x04\x95" + b"pickle" * 10)
    elif case == "int_dtype":
        _rewrite(good, bad, **{"intercept.npy": _npy(np.zeros(len(meta["codes"]), dtype=np.int64))})
    elif case == "features":
        _rewrite(good, bad, **{"model.json": json.dumps({**meta, "params": {**meta["params"],
                                                                             "features": ["os.system"]}}).encode()})
    elif case == "deep_json":
        _rewrite(good, bad, **{"model.json": b"[" * 100_000 + b"]" * 100_000})
    elif case == "platt_string":
        _rewrite(good, bad, **{"model.json": json.dumps({**meta, "platt": [["a", 1]] * len(meta["codes"])}).encode()})
    with pytest.raises(ModelFileError) as info:
        load_model(bad, planted["codebook"])
    assert str(bad) in str(info.value)
    assert isinstance(info.value, QualcoopError)


def test_estimator_contract(planted):
    learner = CodeLearner(planted["codebook"], min_positives=5, C=0.5)
    assert learner.get_params()["C"] == 0.5
    assert learner.set_params(C=2.0).C == 2.0
    with pytest.raises(ValueError):
        learner.set_params(nonsense=1)
    with pytest.raises(QualcoopError, match="not fitted"):
        learner.predict([Unit("x", 0, 3, "abc", "en")])
    units = read_units([planted["table"]], codebook=planted["codebook"])
    learner.fit(units)
    preds = learner.predict(units)
    assert len(preds) == len(units) and all(isinstance(p, frozenset) for p in preds)
    assert learner.predict_proba(units).shape == (len(units), 2)


def test_one_document_is_not_enough(planted):
    units = [Unit("d", i * 10, i * 10 + 5, "Public health.", "en", frozenset({"topic.care"})) for i in range(10)]
    with pytest.raises(QualcoopError, match="at least two documents"):
        CodeLearner(planted["codebook"]).fit(units)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1, allow_nan=False), st.booleans(), st.booleans()), min_size=1, max_size=40))
def test_threshold_policy_invariant(rows):
    """Whatever the scores: the chosen threshold never lowers precision below the rules' nor F1 below theirs."""
    from qualcoop.learn import prf
    from qualcoop.learn.estimator import _counts

    prob = np.array([r[0] for r in rows])
    y = np.array([r[1] for r in rows])
    rules = np.array([r[2] for r in rows])
    t = CodeLearner._threshold(prob, y, rules)
    p0, _, f0 = prf(*_counts(rules, y))
    p, _, f = prf(*_counts(rules | (prob >= t), y))
    assert f >= f0 - 1e-12
    if rules.any():
        assert p >= p0 - 1e-9


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2000), as_zip=st.booleans(),
       meta=st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                         lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                         max_leaves=20))
def test_any_bytes_are_a_model_file_error_or_a_model(tmp_path_factory, data, as_zip, meta):
    import json as _json

    path = tmp_path_factory.mktemp("fuzz") / "m.qcm"
    if as_zip:
        body = {"format": "qualcoop.learn.v1", **meta} if isinstance(meta, dict) else meta
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("model.json", _json.dumps(body, allow_nan=True))
            z.writestr("coef.npy", data)
            z.writestr("intercept.npy", data[::-1])
    else:
        path.write_bytes(data)
    with pytest.raises(ModelFileError):
        load_model(path)


def _pooled_case(fp_prob):
    """Code A (20 positives, the rules find 10; the model is sure of the other 10 at 0.9) and code B
    (2 positives, both found by the rules; the model gives 3 negatives ``fp_prob``)."""
    import numpy as np

    n = 30
    Y = np.zeros((n, 2), bool)
    R = np.zeros((n, 2), bool)
    P = np.full((n, 2), 0.01)
    Y[:20, 0] = True
    R[:10, 0] = True
    P[10:20, 0] = 0.9
    Y[20:22, 1] = R[20:22, 1] = True
    P[22:25, 1] = fp_prob
    return P, Y, R


def test_pooled_threshold_gains_micro_without_losing_macro():
    from qualcoop.learn.estimator import NO_MODEL, _pooled_threshold

    # B's false positives rank below A's misses: 0.9 adds A's ten, B untouched
    assert _pooled_threshold(*_pooled_case(0.85)) == 0.9
    # B's rank above: any threshold that reaches A's misses also codes B's three negatives, which
    # raises micro-F1 (0.706 -> 0.936) but drops macro-F1 (0.833 -> 0.786): the model adds nothing
    assert _pooled_threshold(*_pooled_case(0.95)) == NO_MODEL


def test_threshold_policy_is_checked_and_kept_in_the_model_file(planted, tmp_path):
    with pytest.raises(QualcoopError, match="threshold_policy"):
        train([planted["table"]], codebook=planted["codebook"], min_positives=5, threshold_policy="best")
    learner = train([planted["table"]], codebook=planted["codebook"], min_positives=5, threshold_policy="per-code")
    loaded = load_model(save_model(learner, tmp_path / "p.qcm"), planted["codebook"])
    assert loaded.threshold_policy == "per-code" and list(loaded.thresholds_) == list(learner.thresholds_)
    pooled = train([planted["table"]], codebook=planted["codebook"], min_positives=5)
    assert pooled.threshold_policy == "pooled" and len(set(pooled.thresholds_.tolist())) == 1
