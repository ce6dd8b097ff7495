"""The model file: safe to share inside a team.

A model file is a zip archive with exactly three members, written deterministically (fixed member
order and times, so the same training gives byte-identical files):

``model.json``
    format, qualcoop version, codebook name, version and fingerprint, training-data hash, the
    learner's parameters, the codes, skipped codes, vocabulary, calibration, thresholds, CV figures.
``coef.npy``, ``intercept.npy``
    float64 arrays (NumPy format, read with ``allow_pickle=False``).

Nothing is unpickled. Loading checks everything before use: zip size and members, JSON shape and
types, array dtypes, shapes and finiteness; a bad file is a :class:`~qualcoop.errors.ModelFileError`
naming the file and the reason. A model made for another codebook (name, version or content) is a
:class:`~qualcoop.errors.ModelCodebookError`.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from pathlib import Path
from typing import Any

from ..errors import ModelCodebookError, ModelFileError
from ..model import Codebook
from .estimator import CodeLearner
from .features import FEATURE_FAMILIES

__all__ = ["FORMAT", "check_model_codebook", "load_model", "save_model"]

FORMAT = "qualcoop.learn.v1"
MEMBERS = ("model.json", "coef.npy", "intercept.npy")
MAX_FILE = 256 << 20       # bytes of the model file
MAX_MEMBER = 512 << 20     # uncompressed bytes of one member
MAX_VOCAB = 2_000_000
_DATE = (2020, 1, 1, 0, 0, 0)


def _npy(array) -> bytes:
    import numpy as np

    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array, dtype="<f8"), allow_pickle=False)
    return buf.getvalue()


def save_model(learner: CodeLearner, path: str | os.PathLike[str]) -> Path:
    """Write a fitted learner to ``path`` (atomically: a temporary file, then a rename)."""
    from .. import __version__

    learner._check_fitted()
    cb = learner.codebook
    meta: dict[str, Any] = {
        "format": FORMAT,
        "qualcoop_version": __version__,
        "codebook": {"name": cb.name, "version": cb.version, "fingerprint": cb.fingerprint()},
        "data_hash": learner.data_hash_,
        "params": {"features": list(learner.features), "min_positives": learner.min_positives, "C": learner.C,
                   "n_splits": learner.n_splits, "min_df": learner.min_df, "random_state": learner.random_state,
                   "lang": learner.lang, "threshold_policy": learner.threshold_policy},
        "n_units": learner.n_units_, "n_groups": learner.n_groups_, "n_splits_used": learner.n_splits_,
        "codes": list(learner.codes_),
        "skipped": dict(sorted(learner.skipped_.items())),
        "vocabulary": list(learner.vocabulary_),
        "platt": [[float(a), float(b)] for a, b in learner.platt_],
        "thresholds": [float(t) for t in learner.thresholds_],
        "cv": {c: {k: (list(v) if isinstance(v, tuple) else v) for k, v in e.items()}
               for c, e in sorted(learner.cv_.items())},
        "cv_summary": learner.cv_summary(),
    }
    blobs = {"model.json": json.dumps(meta, sort_keys=True, ensure_ascii=False, indent=1).encode("utf-8"),
             "coef.npy": _npy(learner.coef_), "intercept.npy": _npy(learner.intercept_)}
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name in MEMBERS:
                info = zipfile.ZipInfo(name, date_time=_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                z.writestr(info, blobs[name])
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _bad(path: Path, reason: str) -> ModelFileError:
    return ModelFileError(str(path), reason)


def _array(path: Path, name: str, data: bytes):
    import numpy as np

    try:
        a = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as e:  # ValueError (pickled object arrays), format errors
        raise _bad(path, f"{name} is not a plain NumPy array ({type(e).__name__})") from None
    if not isinstance(a, np.ndarray) or a.dtype != np.float64:
        raise _bad(path, f"{name}: expected float64 array")
    if not np.isfinite(a).all():
        raise _bad(path, f"{name}: values that are not finite")
    return a


def _number(path: Path, what: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise _bad(path, f"{what}: not a finite number")
    return float(v)


def _check_made_for(where: str, name: str, version: str, fingerprint: str, codebook: Codebook) -> None:
    if (name, version) != (codebook.name, codebook.version):
        raise ModelCodebookError(where, f"{name} version {version}", f"{codebook.name} version {codebook.version}")
    if fingerprint != codebook.fingerprint():
        raise ModelCodebookError(where, f"{name} version {version} (other content)",
                                 f"{codebook.name} version {codebook.version} (changed without a new version)")


def check_model_codebook(learner: CodeLearner, codebook: Codebook, *, where: str = "model") -> CodeLearner:
    """``learner`` when it was trained for ``codebook`` (name, version and content), else
    :class:`~qualcoop.errors.ModelCodebookError` (what :func:`load_model` checks, for a learner in memory)."""
    learner._check_fitted()
    cb = learner.codebook
    if cb is None:
        raise ModelCodebookError(where, "no codebook", f"{codebook.name} version {codebook.version}")
    _check_made_for(where, cb.name, cb.version, cb.fingerprint(), codebook)
    return learner


def load_model(path: str | os.PathLike[str], codebook: Codebook | None = None) -> CodeLearner:
    """Read a model file (checking it) and, given ``codebook``, check it was made for that codebook.

    Raises
    ------
    ModelFileError
        Not a model file, or a damaged or hostile one (names the file and the reason).
    ModelCodebookError
        The model was trained with another codebook, version or codebook content.
    """
    import numpy as np

    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise _bad(path, f"cannot read ({e.strerror or e})") from None
    if not path.is_file():
        raise _bad(path, "not a regular file")
    if size > MAX_FILE:
        raise _bad(path, f"{size} bytes, more than the {MAX_FILE} a model file may have")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = [i.filename for i in infos]
            if sorted(names) != sorted(MEMBERS):
                raise _bad(path, f"members {names[:10]} are not {list(MEMBERS)}")
            for i in infos:
                if i.file_size > MAX_MEMBER:
                    raise _bad(path, f"{i.filename} inflates to {i.file_size} bytes")
            blobs = {}
            for i in infos:
                with z.open(i) as fh:
                    data = fh.read(MAX_MEMBER + 1)
                if len(data) > MAX_MEMBER:
                    raise _bad(path, f"{i.filename} inflates past {MAX_MEMBER} bytes")
                blobs[i.filename] = data
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as e:
        raise _bad(path, f"not a qualcoop model file ({type(e).__name__}: {e})") from None
    try:
        meta = json.loads(blobs["model.json"].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise _bad(path, f"model.json is not valid JSON ({type(e).__name__})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _bad(path, f"model.json: format is not {FORMAT!r}")
    try:
        cbm = meta["codebook"]
        params = meta["params"]
        codes, vocab, skipped = meta["codes"], meta["vocabulary"], meta["skipped"]
        platt, thresholds, cv = meta["platt"], meta["thresholds"], meta["cv"]
    except (KeyError, TypeError):
        raise _bad(path, "model.json lacks a required field") from None
    if not (isinstance(cbm, dict) and all(isinstance(cbm.get(k), str) for k in ("name", "version", "fingerprint"))):
        raise _bad(path, "model.json: codebook must give name, version and fingerprint")
    if not (isinstance(codes, list) and all(isinstance(c, str) for c in codes) and len(set(codes)) == len(codes)):
        raise _bad(path, "model.json: codes must be distinct strings")
    if not (isinstance(vocab, list) and len(vocab) <= MAX_VOCAB and all(isinstance(v, str) for v in vocab)):
        raise _bad(path, "model.json: vocabulary must be a list of strings")
    if not (isinstance(skipped, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in skipped.items())):
        raise _bad(path, "model.json: skipped must map codes to reasons")
    if not (isinstance(platt, list) and len(platt) == len(codes) and all(isinstance(p, list) and len(p) == 2 for p in platt)):
        raise _bad(path, "model.json: platt must hold two numbers per code")
    if not (isinstance(thresholds, list) and len(thresholds) == len(codes)):
        raise _bad(path, "model.json: thresholds must hold one number per code")
    if not isinstance(cv, dict) or not isinstance(params, dict):
        raise _bad(path, "model.json: cv and params must be objects")
    features = params.get("features")
    if not (isinstance(features, list) and features and all(f in FEATURE_FAMILIES for f in features)):
        raise _bad(path, f"model.json: features must be some of {list(FEATURE_FAMILIES)}")
    lang = params.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise _bad(path, "model.json: params.lang must be a string")
    coef = _array(path, "coef.npy", blobs["coef.npy"])
    intercept = _array(path, "intercept.npy", blobs["intercept.npy"])
    if coef.shape != (len(codes), len(vocab)) or intercept.shape != (len(codes),):
        raise _bad(path, f"array shapes {coef.shape}, {intercept.shape} do not fit {len(codes)} codes and "
                         f"{len(vocab)} features")
    if codebook is not None:
        _check_made_for(str(path), cbm["name"], cbm["version"], cbm["fingerprint"], codebook)
        known = {c.id for c in codebook.codes}
        if not set(codes) <= known:
            raise _bad(path, "codes not in the codebook")
    learner = CodeLearner(codebook, features=tuple(features), lang=lang)
    for k in ("min_positives", "n_splits", "min_df", "random_state"):
        v = params.get(k)
        if isinstance(v, int) and not isinstance(v, bool):
            setattr(learner, k, v)
    learner.C = _number(path, "params.C", params.get("C", 1.0))
    policy = params.get("threshold_policy", "per-code")  # models written before the pooled policy
    if policy not in ("pooled", "per-code"):
        raise _bad(path, "model.json: params.threshold_policy must be pooled or per-code")
    learner.threshold_policy = policy
    learner.codes_ = list(codes)
    learner.skipped_ = dict(skipped)
    learner.vocabulary_ = list(vocab)
    learner.coef_ = coef
    learner.intercept_ = intercept
    learner.platt_ = np.array([[_number(path, "platt", a), _number(path, "platt", b)] for a, b in platt])
    learner.thresholds_ = np.array([_number(path, "thresholds", t) for t in thresholds])
    learner.cv_ = {}
    for c, e in cv.items():
        try:
            learner.cv_[str(c)] = {"positives": int(e["positives"]),
                                   **{m: (tuple(int(x) for x in e[m]) if e[m] is not None else None)
                                      for m in ("rules", "model", "rules+model")}}
        except (KeyError, TypeError, ValueError):
            raise _bad(path, f"model.json: cv figures of {c!r} are malformed") from None
    learner.data_hash_ = str(meta.get("data_hash", ""))
    learner.n_units_ = int(meta.get("n_units", 0)) if isinstance(meta.get("n_units"), int) else 0
    learner.n_groups_ = int(meta.get("n_groups", 0)) if isinstance(meta.get("n_groups"), int) else 0
    learner.n_splits_ = int(meta.get("n_splits_used", 0)) if isinstance(meta.get("n_splits_used"), int) else 0
    learner.meta_ = {"qualcoop_version": meta.get("qualcoop_version"), "codebook": cbm,
                     "data_hash": learner.data_hash_}
    return learner
