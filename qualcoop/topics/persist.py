"""Save and load fitted topic models without pickle.

A saved model is a folder:

- ``model.json``: format tag, registered model name (``"lda.gensim.v1"``, ...), the
  estimator's parameters, the preprocessor's options, the vocabulary (terms, document
  and term frequencies, phrases), topic labels and code ids, seed words, the model's
  small scalar state, and for each array its file, shape, dtype and sha256;
- one ``<name>.npy`` per array (gensim's sufficient statistics, priors; scikit-learn's
  components), written and read with ``allow_pickle=False``.

Loading rebuilds the model from these (for gensim: an ``LdaModel`` with the saved priors
and statistics), so a loaded model transforms documents exactly as the saved one did.
Neither gensim's own ``save`` nor ``joblib`` is used: both are pickle, and loading a
pickle from an untrusted source runs code. Files are written in a fixed order with
sorted JSON keys, so the same model gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import QualcoopError, TopicModelError
from ..model import Codebook
from .base import TopicModel
from .preprocess import Preprocessor, Vocabulary

__all__ = ["FORMAT", "load_model", "save_model"]

FORMAT = "qualcoop.topics.v1"
_MAX_JSON = 512 * 1024 * 1024


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return v


def save_model(model: TopicModel, path: str | Path) -> Path:
    """Write a fitted model to the folder ``path`` (created if needed); returns the folder.

    Raises
    ------
    TopicModelError
        When the model is not fitted or a parameter cannot be written as JSON.
    """
    from .. import __version__

    model._check_fitted()
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    params = model.get_params(deep=False)
    pre = params.pop("preprocessor", None)
    seeds_source = None
    if "seeds" in params:
        seeds = params["seeds"]
        if isinstance(seeds, Codebook):
            seeds_source = {"codebook": seeds.name, "version": seeds.version, "fingerprint": seeds.fingerprint()}
        # a loaded model is seeded with the resolved seed words (what the model actually used)
        params["seeds"] = {c: list(w) for c, w in model.seed_words_.items()}
        params["codes"] = None
    arrays = {k: np.ascontiguousarray(v) for k, v in sorted(model._state_arrays().items())}
    meta_arrays = {}
    for name, arr in arrays.items():
        if arr.dtype == object:
            raise TopicModelError(f"{type(model).__name__}: array {name!r} has dtype object; cannot save it")
        file = folder / f"{name}.npy"
        np.save(file, arr, allow_pickle=False)
        meta_arrays[name] = {"file": file.name, "shape": list(arr.shape), "dtype": str(arr.dtype),
                             "sha256": hashlib.sha256(file.read_bytes()).hexdigest()}
    doc = {
        "format": FORMAT,
        "model": model.registry_name,
        "qualcoop_version": __version__,
        "params": _jsonable(params),
        "preprocessor": pre.to_dict() if pre is not None else None,
        "seeds_source": seeds_source,
        "vocabulary": model.vocabulary_.to_dict(),
        "topic_labels": list(model.topic_labels_),
        "topic_codes": list(model.topic_codes_),
        "state": _jsonable(model._state_json()),
        "arrays": meta_arrays,
    }
    try:
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=1, allow_nan=True)
    except TypeError as e:
        raise TopicModelError(f"{type(model).__name__}: a parameter cannot be saved as JSON ({e})") from e
    (folder / "model.json").write_text(text + "\n", encoding="utf-8")
    return folder


def load_model(path: str | Path, *, preprocessor: Preprocessor | None = None) -> TopicModel:
    """Load a model saved by :func:`save_model` (or ``model.to_disk``).

    Parameters
    ----------
    path : path-like
        The folder (or its ``model.json``).
    preprocessor : Preprocessor, optional
        Use this instead of the saved preprocessor options (e.g. one whose normaliser
        is registered only in this process).

    Raises
    ------
    TopicModelError
        Names the file: missing, not a qualcoop topic model, unknown model name, or an
        array that does not match its recorded shape, dtype or checksum.
    """
    from . import topic_models

    folder = Path(path)
    if folder.name == "model.json":
        folder = folder.parent
    meta_file = folder / "model.json"
    try:
        if meta_file.stat().st_size > _MAX_JSON:
            raise TopicModelError(f"{meta_file}: too large for a model summary")
        doc = json.loads(meta_file.read_text(encoding="utf-8"))
    except OSError as e:
        raise TopicModelError(f"{meta_file}: cannot read ({e.strerror or e})") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise TopicModelError(f"{meta_file}: not valid JSON ({e})") from e
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise TopicModelError(f"{meta_file}: not a qualcoop topic model (format {FORMAT!r} expected)")
    try:
        cls = topic_models.get(doc["model"])
    except Exception as e:
        raise TopicModelError(f"{meta_file}: unknown topic model {doc.get('model')!r}") from e
    params = dict(doc.get("params") or {})
    if preprocessor is None and doc.get("preprocessor") is not None:
        try:
            preprocessor = Preprocessor.from_dict(doc["preprocessor"])
        except (TypeError, QualcoopError) as e:
            raise TopicModelError(f"{meta_file}: preprocessor options unusable ({e})") from e
    try:
        model = cls(**params, preprocessor=preprocessor)
    except TypeError as e:
        raise TopicModelError(f"{meta_file}: parameters do not fit {cls.__name__} ({e})") from e
    arrays: dict[str, np.ndarray] = {}
    for name, info in sorted((doc.get("arrays") or {}).items()):
        file = folder / Path(str(info["file"])).name
        try:
            data = file.read_bytes()
        except OSError as e:
            raise TopicModelError(f"{file}: cannot read ({e.strerror or e})") from e
        if hashlib.sha256(data).hexdigest() != info.get("sha256"):
            raise TopicModelError(f"{file}: checksum does not match model.json")
        try:
            arr = np.load(file, allow_pickle=False)
        except ValueError as e:
            raise TopicModelError(f"{file}: not a plain numeric array ({e})") from e
        if list(arr.shape) != list(info["shape"]) or str(arr.dtype) != info["dtype"]:
            raise TopicModelError(f"{file}: shape/dtype {arr.shape}/{arr.dtype} differ from model.json")
        arrays[name] = arr
    model.vocabulary_ = Vocabulary.from_dict(doc["vocabulary"])
    try:
        model._restore(arrays, doc.get("state") or {})
    except KeyError as e:
        raise TopicModelError(f"{meta_file}: missing state {e}") from e
    model.n_topics_ = int(model.components_.shape[0])
    model.topic_labels_ = tuple(doc["topic_labels"])
    model.topic_codes_ = tuple(doc["topic_codes"])
    return model

