"""Apply a codebook to documents: :func:`apply_codebook` -> :class:`~qualcoop.model.CodingSet`."""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterable, Mapping, Sequence

from ..errors import RuleTimeoutWarning
from ..lang.mismatch import language_mismatch, mismatch_messages
from ..model import Codebook, Coding, CodingSet, Document, Provenance, Segment
from ..model.document import FrozenMap
from .compile import (
    DEFAULT_MAX_TIMEOUTS,
    DEFAULT_REGEX_TIMEOUT,
    CompiledCodebook,
    compile_codebook,
    timeout_messages,
)

__all__ = ["apply_codebook", "document_language", "document_languages", "make_run_id"]


def document_language(doc: Document, codebook: Codebook, lang: str | None = None) -> str:
    """The primary language of a document: the first of :func:`document_languages`."""
    return document_languages(doc, codebook, lang)[0]


def document_languages(doc: Document, codebook: Codebook, lang: str | None = None) -> tuple[str, ...]:
    """The languages a document is coded in, primary first.

    From the document's ``languages`` attribute ("id,en"), its ``lang``/``language`` attribute
    ("mixed" = the codebook's languages), ``doc.lang``, then ``lang`` (the run's setting), then
    the codebook's first language: :func:`qualcoop.lang.profile.document_languages`.

    Examples
    --------
    >>> from qualcoop.model import Codebook, Document
    >>> cb = Codebook("demo", "1", [], languages=("en", "id"))
    >>> document_languages(Document("d", "Kami ikut training-nya ILO.", attributes={"languages": "id,en"}), cb)
    ('id', 'en')
    >>> document_languages(Document("d", "Kami ikut training-nya ILO.", lang="id"), cb)
    ('id',)
    """
    from ..lang.profile import document_languages as _languages

    return _languages(doc, lang=lang, codebook_languages=codebook.languages or ("en",))


def _doc_hash(doc: Document) -> str:
    if doc.source is not None and doc.source.sha256:
        return doc.source.sha256
    return hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()


_LANG_ATTRIBUTES = ("languages", "lang", "language")


def _doc_entry(doc: Document) -> list:
    entry: list = [doc.id, _doc_hash(doc), doc.lang]
    attrs = doc.attributes or {}
    given = [[k, attrs[k]] for k in _LANG_ATTRIBUTES if k in attrs]
    if given:
        # languages given by attribute (code-switching) change the codings: they are part of the run
        # (as written: resolving them here would fail the whole run on one unsupported language)
        entry.append(given)
    return entry


def make_run_id(codebook: Codebook, documents: Sequence[Document], *, unit: str, lang: str | None,
                segments: Mapping[str, Sequence[Segment]] | None = None) -> str:
    """A deterministic run id from the codebook fingerprint, unit, language and documents.

    Same inputs give the same id; a different codebook, unit, language, document set,
    document languages (``languages`` / ``lang`` attributes) or segmentation gives a different one.
    """
    payload: dict = {
        "codebook": codebook.fingerprint(),
        "unit": unit,
        "lang": lang,
        "documents": [_doc_entry(d) for d in documents],
    }
    if segments is not None:
        payload["segments"] = {k: [[s.start, s.end, s.kind, s.index, s.speaker, s.section] for s in v]
                               for k, v in sorted(segments.items())}
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return "run-" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20]


def apply_codebook(
    documents: Iterable[Document],
    codebook: Codebook | CompiledCodebook,
    *,
    unit: str = "paragraph",
    lang: str | None = None,
    coder: str = "qualcoop",
    run_id: str | None = None,
    segments: Mapping[str, Sequence[Segment]] | None = None,
    prefilter: bool = True,
    regex_timeout: float = DEFAULT_REGEX_TIMEOUT,
    max_timeouts: int = DEFAULT_MAX_TIMEOUTS,
    check_language: bool = True,
    keep_furniture: bool = False,
) -> CodingSet:
    """Code documents with a codebook's rules.

    Parameters
    ----------
    documents : iterable of Document, or a Corpus
        Extracted documents (a :class:`~qualcoop.corpus.Corpus` is read once).
    codebook : Codebook or CompiledCodebook
        The codebook, or one already compiled (reused as is; its own options apply).
    unit : str
        Segment unit (``"paragraph"``, ``"turn"``, ``"sentence"``, ...) passed to
        :func:`qualcoop.segment.segment`.
    lang : str, optional
        Language of documents whose language is not given (default: the codebook's first language).
        A document's languages come from its ``languages`` attribute ("id,en"), its ``lang`` /
        ``language`` attribute ("mixed": the codebook's languages, ``lang`` first), then ``doc.lang``
        (see :func:`document_languages`). A document in several languages (code-switching) is
        tokenised in the first; rules written for any of them apply, and the negation cues of all
        of them count.
    coder : str
        Recorded in each coding's provenance.
    run_id : str, optional
        Recorded in provenance; by default derived from the inputs (see :func:`make_run_id`).
    segments : mapping of doc id to segments, optional
        Use these segments instead of segmenting (documents missing from it are segmented).
    prefilter : bool
        ``True``: the fast path (cached chunk tokens, terms matched in Python);
        ``False``: a spaCy ``Doc`` and spaCy's matchers per segment (the reference).
        Same codings either way; see :class:`~qualcoop.match.CompiledCodebook`.
    regex_timeout : float
        Seconds one regex rule may run on one segment.
    max_timeouts : int
        Time-outs after which a regex rule is no longer run.
    check_language : bool
        Warn (in ``warnings``) about documents the offline detector confidently reads as
        another language than the one they are coded in (:mod:`qualcoop.lang.mismatch`).
    keep_furniture : bool
        Code running headers, footers and page numbers too (``Region`` kinds ``header`` /
        ``footer``); by default they are no segment and evidence inside them does not count.

    Returns
    -------
    CodingSet
        One coding per (segment, code) with evidence and provenance; it carries the
        documents and the codebook. Regex time-outs are listed in ``warnings`` and
        emitted once per rule as :class:`~qualcoop.errors.RuleTimeoutWarning`.

    Examples
    --------
    >>> from qualcoop.model import Code, Codebook, Document, Rule
    >>> cb = Codebook("demo", "1", [Code("labour", "Labour",
    ...       rules=[Rule("t", "phrase", terms=["labour", "labour administration"])])])
    >>> docs = [Document("d1", "Labour administration matters.\\n\\nNothing here.", lang="en")]
    >>> cs = apply_codebook(docs, cb, unit="document")
    >>> [(c.code_id, [e.text for e in c.evidence]) for c in cs]
    [('labour', ['Labour administration'])]
    """
    from .. import __version__
    from ..segment import segment as segment_doc

    if isinstance(codebook, CompiledCodebook):
        compiled = codebook
        cb = compiled.codebook
    else:
        cb = codebook
        compiled = compile_codebook(cb, prefilter=prefilter, regex_timeout=regex_timeout,
                                    max_timeouts=max_timeouts)
    docs: dict[str, Document] = {}
    for d in documents:
        docs.setdefault(d.id, d)
    ordered = list(docs.values())
    if run_id is None:
        run_id = make_run_id(cb, ordered, unit=unit, lang=lang, segments=segments)
    prov = Provenance(method="rule", coder=coder, codebook=cb.name, codebook_version=cb.version,
                      tool_version=__version__, run_id=run_id,
                      details=FrozenMap({"rule_kinds": dict(sorted(compiled.kind_names.items()))}))
    codings: list[Coding] = []
    mismatches = []
    for doc in ordered:
        langs = document_languages(doc, cb, lang)
        segs = segments.get(doc.id) if segments is not None else None
        if segs is None:
            segs = segment_doc(doc, unit, keep_furniture=keep_furniture,
                               **({"lang": langs[0]} if _unit_takes_lang(unit) else {}))
        found = compiled.code_document(doc, segs, lang=langs, provenance=prov)
        codings.extend(found if keep_furniture else _off_furniture(doc, found))
        if check_language:
            mismatches.append(language_mismatch(doc, langs))
    messages = timeout_messages(compiled.take_timeouts(), max_timeouts=compiled.max_timeouts,
                                budget=compiled.regex_timeout)
    for msg in messages:
        warnings.warn(msg, RuleTimeoutWarning, stacklevel=2)
    messages = [*messages, *mismatch_messages(mismatches)]
    return CodingSet(codings, documents=docs, codebook=cb, warnings=messages)


def _unit_takes_lang(unit: str) -> bool:
    """Sentences are split with the document's (the run's) language."""
    return unit in ("sentence", "sentences")


def _off_furniture(doc: Document, codings: list[Coding]) -> list[Coding]:
    """``codings`` without those whose every piece of evidence lies in a header or footer."""
    from ..segment.furniture import furniture_spans, inside

    spans = furniture_spans(doc)
    if not spans:
        return codings
    return [c for c in codings
            if not c.evidence or not all(inside(spans, e.start, e.end) for e in c.evidence)]
