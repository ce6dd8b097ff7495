"""extract -> segment -> code, as plain functions the CLI (and notebooks) drive.

The streaming run (settings resolved once, executors, sinks, atomic outputs) is :mod:`qualcoop.run`;
its main names are re-exported here.

Nothing here prints: progress is reported through an optional callback and
failures come back as :class:`~qualcoop.errors.Failure` records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .corpus import Corpus
from .errors import Failure, QualcoopError, internal_error
from .extract.base import ExtractOptions
from .model import Document, Segment
from .run import (
    SEGMENT_COLUMNS,
    CodingTable,
    ErrorRecord,
    ErrorTable,
    FileResult,
    RunSettings,
    RunSummary,
    SegmentTable,
    iter_results,
    resolve_settings,
    document_record,
    run,
    segment_records,
)
from .segment import segment

__all__ = ["SEGMENT_COLUMNS", "CodingTable", "ErrorRecord", "ErrorTable", "FileResult", "RunSettings",
           "RunSummary", "SegmentTable", "code_documents", "document_record", "iter_results", "iter_segmented",
           "resolve_settings", "run", "segment_records"]

Progress = Callable[[str], None]


def iter_segmented(
    paths: Iterable[str | Path],
    *,
    unit: str = "paragraph",
    recursive: bool = True,
    options: ExtractOptions | None = None,
    progress: Progress | None = None,
    keep_furniture: bool = False,
) -> Iterator[tuple[Document, tuple[Segment, ...]] | Failure]:
    """Extract and segment every file under ``paths``, one at a time.

    Yields ``(document, segments)`` for files that work and a :class:`Failure` for those
    that do not (the run goes on). ``progress`` is called with each path when it is done.
    """
    corpus = Corpus.from_paths(paths, recursive=recursive, options=options)
    for path, result in zip(corpus.paths, corpus.iter_results()):
        if isinstance(result, Failure):
            yield result
        else:
            try:
                segs = segment(result, unit, keep_furniture=keep_furniture)
            except QualcoopError as e:  # e.g. sentences of a language without a profile
                yield Failure(str(path), e)
            except Exception as e:  # nothing escapes a document (e.g. spaCy's E088 on a huge text)
                yield Failure(str(path), internal_error(e, "segmenting"))
            else:
                yield result, segs
        if progress is not None:
            progress(str(path))


def code_documents(documents: Iterable[Document], codebook: Any, *, unit: str = "paragraph",
                   lang: str | None = None, coder: str = "qualcoop",
                   keep_furniture: bool = False) -> tuple[Any, list[Failure]]:
    """Code documents one at a time so that one bad document fails alone.

    Returns the :class:`~qualcoop.model.CodingSet` of every document that could be coded
    (one deterministic run id for the whole batch) and a :class:`Failure` for each that
    could not (for example a language with no profile). ``codebook`` may be compiled.
    Documents that look like another language than the one they are coded in are named in
    one warning per language pair (:mod:`qualcoop.lang.mismatch`); page furniture is not
    coded unless ``keep_furniture``.
    """
    import warnings as _warnings

    from .match import CompiledCodebook, apply_codebook, compile_codebook, make_run_id
    from .match.compile import timeout_messages
    from .model import CodingSet

    compiled = codebook if isinstance(codebook, CompiledCodebook) else compile_codebook(codebook)
    docs = list(documents)
    run_id = make_run_id(compiled.codebook, docs, unit=unit, lang=lang)
    codings: list = []
    kept: dict[str, Document] = {}
    failures: list[Failure] = []
    before = dict(compiled.timeouts)
    for doc in docs:
        with _warnings.catch_warnings(record=True):
            _warnings.simplefilter("ignore")  # collected below, once per run, from the coding sets
            try:
                part = apply_codebook([doc], compiled, unit=unit, lang=lang, coder=coder, run_id=run_id,
                                      check_language=False, keep_furniture=keep_furniture)
            except QualcoopError as e:
                failures.append(Failure(doc.source.path if doc.source else doc.id, e))
                continue
            except Exception as e:  # nothing escapes a document: it fails alone, typed
                failures.append(Failure(doc.source.path if doc.source else doc.id, internal_error(e, "coding")))
                continue
        codings.extend(part)
        kept[doc.id] = doc
    # apply_codebook's warnings are per document; the run's are the time-outs summed over the run
    # (the compiled codebook keeps counting across documents: a rule that ran out stays off)
    run_counts = {q: n - before.get(q, 0) for q, n in compiled.timeouts.items() if n > before.get(q, 0)}
    messages = timeout_messages(run_counts, max_timeouts=compiled.max_timeouts, budget=compiled.regex_timeout)
    messages.extend(_language_warnings(kept.values(), compiled.codebook, lang))
    return CodingSet(codings, documents=kept, codebook=compiled.codebook, warnings=messages), failures


def _language_warnings(docs: Iterable[Document], codebook: Any, lang: str | None) -> list[str]:
    from .lang.mismatch import language_mismatch, mismatch_messages
    from .match import document_languages

    return mismatch_messages(language_mismatch(d, document_languages(d, codebook, lang)) for d in docs)
