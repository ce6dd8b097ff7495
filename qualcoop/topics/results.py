"""Fit a topic model on documents' segments and read the results as tables.

:func:`fit_topics` segments documents (paragraphs, turns, windows, ...), tokenises each
segment in its document's language, fits the model with segments as documents, and
returns a :class:`TopicResult`, whose methods return pandas DataFrames: topic-term
table, segment-topic table, topics by a document attribute, coherence, topic codings
(a :class:`~qualcoop.model.CodingSet` with method ``"topic"``) and agreement with rule
codings. :meth:`TopicResult.write` writes them all, byte-identically for the same input.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import TopicModelError
from ..model import Codebook, Coding, CodingSet, Document, FrozenMap, Provenance, Segment
from .base import TopicModel

__all__ = ["TopicResult", "corpus_size_problem", "fit_topics", "topic_code_id"]

#: unit-level columns of :meth:`TopicResult.document_topics`
UNIT_COLUMNS = ("doc_id", "unit", "segment_index", "start", "end", "speaker", "section", "lang")
_SPECIAL = {"doc_id", "speaker", "section", "lang", "unit"}


def topic_code_id(k: int) -> str:
    """The code id a free topic's codings carry (``"topic.3"``)."""
    return f"topic.{k}"


#: fewer units (segments) per topic than this and the topics are not worth reading
MIN_UNITS_PER_TOPIC = 5
#: fewer vocabulary terms per topic than this and topics share their words
MIN_TERMS_PER_TOPIC = 10


def corpus_size_problem(n_units: int, n_terms: int, n_topics: int) -> str | None:
    """A one-line warning when ``n_units`` segments and ``n_terms`` terms are too few for ``n_topics``.

    Rule of thumb: at least :data:`MIN_UNITS_PER_TOPIC` units and :data:`MIN_TERMS_PER_TOPIC`
    vocabulary terms per topic; below that topics are mostly noise and seeded topics get
    confident code labels on it.

    Examples
    --------
    >>> corpus_size_problem(1000, 5000, 10) is None
    True
    >>> corpus_size_problem(12, 80, 10)  # doctest: +ELLIPSIS
    '12 unit(s) and 80 term(s) are too few for 10 topics (...); use fewer topics (--k ...'
    """
    if n_topics <= 0:
        return None
    short_units = n_units < MIN_UNITS_PER_TOPIC * n_topics
    short_terms = n_terms < MIN_TERMS_PER_TOPIC * n_topics
    if not (short_units or short_terms):
        return None
    fit = max(1, min(n_units // MIN_UNITS_PER_TOPIC, n_terms // MIN_TERMS_PER_TOPIC))
    return (f"{n_units} unit(s) and {n_terms} term(s) are too few for {n_topics} topics (rule of thumb: "
            f"{MIN_UNITS_PER_TOPIC} units and {MIN_TERMS_PER_TOPIC} terms per topic); use fewer topics "
            f"(--k {fit} or less, fewer seeded --codes), a smaller --unit, or more documents: topics on "
            "so little text are mostly noise")


def fit_topics(
    documents: Iterable[Document],
    model: TopicModel,
    *,
    unit: str = "paragraph",
    lang: str | None = None,
    segment_options: Mapping[str, Any] | None = None,
    min_tokens: int = 1,
) -> TopicResult:
    """Fit ``model`` with the segments of ``documents`` as its documents.

    Parameters
    ----------
    documents : iterable of Document, or a Corpus
    model : TopicModel
        An unfitted estimator (it is fitted in place and kept in the result).
    unit : str
        Segment unit (see :func:`qualcoop.segment.segment`): ``"paragraph"``, ``"turn"``,
        ``"article"``, ``"window"``, ... so long reports do not blur into one topic mix.
    lang : str, optional
        Language of documents without one (default: the preprocessor's).
    segment_options : mapping, optional
        Options for the segmenter (e.g. ``{"size": 150}`` for windows).
    min_tokens : int
        Segments with fewer tokens (after stop words) are left out of fitting and results.

    Returns
    -------
    TopicResult

    Notes
    -----
    For a :class:`~qualcoop.topics.SeededLDA` whose ``seed_langs`` is unset, seed terms are
    normalised in every language of the corpus (``seed_langs`` is set on the estimator).

    Examples
    --------
    >>> from qualcoop.corpus import Corpus                                    # doctest: +SKIP
    >>> from qualcoop.topics import LDA, fit_topics                           # doctest: +SKIP
    >>> result = fit_topics(Corpus.from_paths(["corpora/ungd_indonesia"]), LDA(10),
    ...                     unit="window", segment_options={"size": 150})     # doctest: +SKIP
    >>> result.terms(10).head()                                               # doctest: +SKIP
    """
    from ..segment import segment

    pre = model._preprocessor()
    docs: dict[str, Document] = {}
    for d in documents:
        docs.setdefault(d.id, d)
    units: list[Segment] = []
    langs: list[str] = []
    tokens: list[list[str]] = []
    for doc in docs.values():
        dlang = doc.lang or lang or pre.lang
        for seg in segment(doc, unit, **dict(segment_options or {})):
            toks = pre.tokens(doc.text[seg.start:seg.end], dlang)
            if len(toks) >= min_tokens:
                units.append(seg)
                langs.append(dlang)
                tokens.append(toks)
    if not units:
        raise TopicModelError(f"no {unit} segment with at least {min_tokens} token(s) in "
                              f"{len(docs)} document(s)")
    params = model.get_params(deep=False)
    if "seed_langs" in params and params["seed_langs"] is None:
        model.set_params(seed_langs=tuple(sorted(set(langs))))
    model.fit(tokens)
    problem = corpus_size_problem(len(units), len(model.vocabulary_), model.n_topics_)
    if problem:
        import warnings

        from ..errors import TopicWarning

        warnings.warn(problem, TopicWarning, stacklevel=2)
    weights = model.transform_tokens(tokens)
    return TopicResult(model=model, documents=docs, units=tuple(units), langs=tuple(langs),
                       tokens=tuple(tuple(t) for t in tokens), weights=weights, unit=unit)


@dataclass(frozen=True, eq=False)
class TopicResult:
    """A fitted topic model with the segments it was fitted on and their topic weights.

    Attributes
    ----------
    model : TopicModel
    documents : dict of str to Document
    units : tuple of Segment
        The segments used as documents (views into ``documents``).
    langs : tuple of str
        The language each unit was tokenised in.
    tokens : tuple of tuple of str
        Each unit's tokens (before phrases and the vocabulary filter).
    weights : ndarray of shape (n_units, n_topics)
        Topic weights per unit (rows sum to 1, or are all 0 when no term is known).
    unit : str
    """

    model: TopicModel
    documents: Mapping[str, Document]
    units: tuple[Segment, ...]
    langs: tuple[str, ...]
    tokens: tuple[tuple[str, ...], ...]
    weights: np.ndarray
    unit: str

    # ------------------------------------------------------------------ topics
    def terms(self, top_n: int = 10) -> Any:
        """Topic-term table: ``topic``, ``label``, ``code_id``, ``rank``, ``term``, ``weight``, ``seed``."""
        import pandas as pd

        m = self.model
        seeds = getattr(m, "seed_words_", {}) or {}
        rows = []
        for k, topic in enumerate(m.top_terms(top_n)):
            code = m.topic_codes_[k]
            seed_set = set(seeds.get(code, ())) if code else set()
            for r, (term, w) in enumerate(topic, 1):
                rows.append({"topic": k, "label": m.topic_labels_[k], "code_id": code, "rank": r,
                             "term": term, "weight": w, "seed": term in seed_set})
        return pd.DataFrame(rows, columns=["topic", "label", "code_id", "rank", "term", "weight", "seed"])

    def topics(self, top_n: int = 10) -> Any:
        """One row per topic: ``topic``, ``label``, ``code_id``, ``top_terms``, ``seed_words``,
        ``prevalence`` (mean weight over units), ``n_dominant`` (units where it is the largest)."""
        import pandas as pd

        m = self.model
        seeds = getattr(m, "seed_words_", {}) or {}
        known = self.weights.sum(axis=1) > 0
        dominant = np.bincount(self.weights[known].argmax(axis=1), minlength=m.n_topics_) if known.any() \
            else np.zeros(m.n_topics_, dtype=int)
        prevalence = self.weights.mean(axis=0)
        rows = []
        for k, words in enumerate(m.topic_words(top_n)):
            code = m.topic_codes_[k]
            rows.append({"topic": k, "label": m.topic_labels_[k], "code_id": code, "top_terms": " ".join(words),
                         "seed_words": " ".join(seeds.get(code, ())) if code else "",
                         "prevalence": float(prevalence[k]), "n_dominant": int(dominant[k])})
        return pd.DataFrame(rows, columns=["topic", "label", "code_id", "top_terms", "seed_words", "prevalence",
                                           "n_dominant"])

    # ------------------------------------------------------------------ units
    def _unit_rows(self) -> list[dict[str, Any]]:
        return [{"doc_id": s.doc_id, "unit": s.kind, "segment_index": s.index, "start": s.start, "end": s.end,
                 "speaker": s.speaker, "section": s.section, "lang": lang}
                for s, lang in zip(self.units, self.langs)]

    def document_topics(self) -> Any:
        """Segment-topic table: :data:`UNIT_COLUMNS`, ``dominant_topic``, ``dominant_weight``, ``topic_0`` ..."""
        import pandas as pd

        frame = pd.DataFrame(self._unit_rows(), columns=list(UNIT_COLUMNS))
        known = self.weights.sum(axis=1) > 0
        dom = self.weights.argmax(axis=1)
        frame["dominant_topic"] = pd.array(np.where(known, dom, -1), dtype="int64")
        frame["dominant_weight"] = self.weights.max(axis=1)
        for k in range(self.model.n_topics_):
            frame[f"topic_{k}"] = self.weights[:, k]
        return frame

    def attribute_values(self, name: str) -> list[str]:
        """The value of ``name`` for each unit: a document attribute, or ``doc_id``/``speaker``/
        ``section``/``lang``/``unit`` (missing values are ``""``)."""
        out = []
        for s, lang in zip(self.units, self.langs):
            if name in _SPECIAL:
                v = {"doc_id": s.doc_id, "speaker": s.speaker, "section": s.section, "lang": lang,
                     "unit": s.kind}[name]
            else:
                v = self.documents[s.doc_id].attributes.get(name)
            out.append("" if v is None else str(v))
        return out

    def by_attribute(self, name: str) -> Any:
        """Topics by a document attribute (``year``, ``type``, ...) or ``speaker``/``section``/``lang``.

        Returns
        -------
        pandas.DataFrame
            One row per (value, topic): ``attribute``, ``value``, ``topic``, ``label``, ``code_id``,
            ``n_units`` (units with that value), ``weight_sum`` (summed topic weight; over the topics
            of one value it adds up to the number of units with known terms), ``weight_mean``.

        Raises
        ------
        TopicModelError
            When no document has the attribute.
        """
        import pandas as pd

        values = self.attribute_values(name)
        if name not in _SPECIAL and not any(name in d.attributes for d in self.documents.values()):
            known = sorted({k for d in self.documents.values() for k in d.attributes})
            raise TopicModelError(f"no document has the attribute {name!r}; known: {', '.join(known) or '(none)'}")
        m = self.model
        rows = []
        for value in sorted(set(values)):
            idx = np.array([i for i, v in enumerate(values) if v == value])
            sums = self.weights[idx].sum(axis=0)
            for k in range(m.n_topics_):
                rows.append({"attribute": name, "value": value, "topic": k, "label": m.topic_labels_[k],
                             "code_id": m.topic_codes_[k], "n_units": len(idx), "weight_sum": float(sums[k]),
                             "weight_mean": float(sums[k] / len(idx))})
        return pd.DataFrame(rows, columns=["attribute", "value", "topic", "label", "code_id", "n_units",
                                           "weight_sum", "weight_mean"])

    # ------------------------------------------------------------------ quality
    def coherence(self, *, measures: Iterable[str] = ("c_v", "u_mass", "c_npmi"), top_n: int = 10) -> Any:
        """Per-topic coherence on the units (see :func:`qualcoop.topics.coherence`)."""
        from .quality import coherence

        return coherence(self.model, [list(t) for t in self.tokens], measures=measures, top_n=top_n)

    # ------------------------------------------------------------------ codings
    def run_id(self) -> str:
        """A deterministic id of this fit: model, parameters, vocabulary, units."""
        from .persist import _jsonable

        params = self.model.get_params(deep=False)
        pre = params.pop("preprocessor", None)
        seeds = params.pop("seeds", None)
        payload = {
            "model": self.model.registry_name,
            "params": _jsonable({k: v for k, v in params.items()}),
            "preprocessor": pre.to_dict() if pre is not None else None,
            "seeds": seeds.fingerprint() if isinstance(seeds, Codebook) else _jsonable(seeds),
            "vocabulary": hashlib.sha256("\n".join(self.model.vocabulary_.terms).encode()).hexdigest(),
            "units": [[s.doc_id, s.start, s.end] for s in self.units],
        }
        blob = json.dumps(payload, sort_keys=True, default=str).encode("utf-8")
        return "topics-" + hashlib.sha256(blob).hexdigest()[:16]

    def codings(self, threshold: float = 0.3, *, coder: str = "qualcoop.topics") -> CodingSet:
        """Codings with method ``"topic"`` for each unit whose topic weight is at least ``threshold``.

        A seeded topic codes with its code id; a free topic with :func:`topic_code_id` (``"topic.3"``).
        ``confidence`` is the topic weight; provenance details name the model, topic, label and threshold.
        """
        from .. import __version__

        if not 0.0 < threshold <= 1.0:
            raise TopicModelError(f"threshold must be in (0, 1], got {threshold}")
        m = self.model
        seeds = m.get_params(deep=False).get("seeds")
        cb = seeds if isinstance(seeds, Codebook) else None
        run = self.run_id()
        provs = [Provenance(method="topic", coder=coder, codebook=cb.name if cb else None,
                            codebook_version=cb.version if cb else None, tool_version=__version__, run_id=run,
                            details=FrozenMap({"model": m.registry_name, "topic": k, "label": m.topic_labels_[k],
                                               "threshold": threshold}))
                 for k in range(m.n_topics_)]
        out = []
        rows, cols = np.nonzero(self.weights >= threshold)
        for i, k in zip(rows.tolist(), cols.tolist()):
            s = self.units[i]
            out.append(Coding(doc_id=s.doc_id, start=s.start, end=s.end,
                              code_id=m.topic_codes_[k] or topic_code_id(k), provenance=provs[k],
                              segment_index=s.index, unit=s.kind, speaker=s.speaker,
                              confidence=round(float(self.weights[i, k]), 6)))
        return CodingSet(out, documents=self.documents, codebook=cb)

    def _compare(self, rule_codings: Iterable[Coding], threshold: float):
        topic = {(c.doc_id, c.start, c.end, c.code_id): c.confidence for c in self.codings(threshold)}
        codes = [c for c in self.model.topic_codes_ if c]
        wanted = set(codes)
        rule = {(c.doc_id, c.start, c.end, c.code_id) for c in rule_codings if c.code_id in wanted}
        return codes, topic, rule

    def agreement(self, rule_codings: Iterable[Coding], *, threshold: float = 0.3) -> Any:
        """Agree/disagree table of topic codings against rule codings, per seeded code.

        Units are this result's segments (rule codings must use the same unit: they are
        matched by document and span). Returns one row per seeded code: ``code_id``, ``label``,
        ``n_units``, ``both``, ``topic_only``, ``rule_only``, ``neither``, ``agreement``
        (share of units where both say the same) and ``kappa`` (Cohen's kappa; NaN when
        undefined).
        """
        import pandas as pd

        codes, topic, rule = self._compare(rule_codings, threshold)
        keys = [(s.doc_id, s.start, s.end) for s in self.units]
        n = len(keys)
        rows = []
        for code in codes:
            t = {k for k in keys if (*k, code) in topic}
            r = {k for k in keys if (*k, code) in rule}
            both = len(t & r)
            t_only = len(t - r)
            r_only = len(r - t)
            neither = n - both - t_only - r_only
            po = (both + neither) / n
            pe = (len(t) * len(r) + (n - len(t)) * (n - len(r))) / (n * n)
            kappa = (po - pe) / (1 - pe) if pe < 1 else float("nan")
            rows.append({"code_id": code, "label": self.model.topic_labels_[self.model.topic_codes_.index(code)],
                         "n_units": n, "both": both, "topic_only": t_only, "rule_only": r_only,
                         "neither": neither, "agreement": po, "kappa": kappa})
        return pd.DataFrame(rows, columns=["code_id", "label", "n_units", "both", "topic_only", "rule_only",
                                           "neither", "agreement", "kappa"])

    def disagreements(self, rule_codings: Iterable[Coding], *, threshold: float = 0.3) -> Any:
        """The units where topic and rule codings differ, for reading: ``doc_id``, ``segment_index``,
        ``start``, ``end``, ``code_id``, ``coded_by`` (``"topic"`` or ``"rule"``), ``topic_weight``, ``text``."""
        import pandas as pd

        codes, topic, rule = self._compare(rule_codings, threshold)
        col = {c: self.model.topic_codes_.index(c) for c in codes}
        rows = []
        for i, s in enumerate(self.units):
            for code in codes:
                key = (s.doc_id, s.start, s.end, code)
                in_t, in_r = key in topic, key in rule
                if in_t != in_r:
                    rows.append({"doc_id": s.doc_id, "segment_index": s.index, "start": s.start, "end": s.end,
                                 "code_id": code, "coded_by": "topic" if in_t else "rule",
                                 "topic_weight": float(self.weights[i, col[code]]),
                                 "text": self.documents[s.doc_id].text[s.start:s.end]})
        return pd.DataFrame(rows, columns=["doc_id", "segment_index", "start", "end", "code_id", "coded_by",
                                           "topic_weight", "text"])

    # ------------------------------------------------------------------ writing
    def write(
        self,
        folder: str | Path,
        *,
        top_n: int = 10,
        threshold: float = 0.3,
        attributes: Sequence[str] = (),
        measures: Iterable[str] = ("c_v", "u_mass", "c_npmi"),
        rule_codings: Iterable[Coding] | None = None,
        save_model: bool = True,
    ) -> list[Path]:
        """Write every table (CSV, floats to 6 decimals), a JSON summary and the model; returns the paths.

        Files: ``topics.csv``, ``topic_terms.csv``, ``document_topics.csv``, ``topic_codings.csv``,
        ``coherence.csv`` (with an ``overall`` row), ``topics_by_<attribute>.csv`` per attribute,
        ``agreement.csv`` and ``disagreements.csv`` when ``rule_codings`` are given, ``summary.json``
        and the model in ``model/`` (see :mod:`qualcoop.topics.persist`). Same input, same bytes.
        """
        import pandas as pd

        from ..model import CODING_COLUMNS

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []

        def put(name: str, frame: Any) -> None:
            path = folder / name
            frame.to_csv(path, index=False, lineterminator="\n", float_format="%.6f")
            written.append(path)

        put("topics.csv", self.topics(top_n))
        put("topic_terms.csv", self.terms(top_n))
        put("document_topics.csv", self.document_topics())
        codings = self.codings(threshold)
        recs = codings.to_records()
        for rec, c in zip(recs, codings):
            rec["topic"] = c.provenance.details["topic"]
            rec["confidence"] = c.confidence
        put("topic_codings.csv", pd.DataFrame(recs, columns=[*CODING_COLUMNS, "topic", "confidence"]))
        measures = tuple(measures)
        coh = self.coherence(measures=measures, top_n=top_n) if measures else None
        overall = {}
        if coh is not None:
            overall = {m: float(np.nanmean(coh[m].to_numpy())) for m in measures}
            total = pd.DataFrame([{"topic": -1, "label": "overall (mean)", "code_id": None, **overall}])
            put("coherence.csv", pd.concat([coh, total], ignore_index=True))
        for name in attributes:
            put(f"topics_by_{_slug(name)}.csv", self.by_attribute(name))
        agreement = None
        if rule_codings is not None:
            rule_codings = list(rule_codings)
            agreement = self.agreement(rule_codings, threshold=threshold)
            put("agreement.csv", agreement)
            put("disagreements.csv", self.disagreements(rule_codings, threshold=threshold))
        m = self.model
        summary = {
            "model": m.registry_name,
            "run_id": self.run_id(),
            "unit": self.unit,
            "n_documents": len(self.documents),
            "n_units": len(self.units),
            "n_terms": len(m.vocabulary_),
            "n_topics": m.n_topics_,
            "languages": sorted(set(self.langs)),
            "threshold": threshold,
            "n_topic_codings": len(codings),
            "coherence": {k: round(v, 6) for k, v in overall.items()},
            "perplexity": (round(m._perplexity_bows(m._bows(self.tokens)), 6) if m.has_perplexity else None),
            "topics": [{"topic": k, "label": m.topic_labels_[k], "code_id": m.topic_codes_[k]}
                       for k in range(m.n_topics_)],
            "dropped_codes": list(getattr(m, "dropped_codes_", ())),
        }
        path = folder / "summary.json"
        path.write_text(json.dumps(summary, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
        if save_model:
            from .persist import save_model as _save

            model_dir = _save(m, folder / "model")
            written.extend(sorted(model_dir.iterdir()))
        return written


def _slug(name: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower() or "attribute"
