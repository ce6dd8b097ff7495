"""The streaming run: plan the files, map the per-file task over an executor, feed the sinks.

>>> from qualcoop.run import resolve_settings, run, CodingTable          # doctest: +SKIP
>>> s = resolve_settings(["corpora/score_bali"], codebook="international_cooperation",
...                      output="coded.csv")                            # doctest: +SKIP
>>> summary = run(s, sinks=[CodingTable(s.output)])                     # doctest: +SKIP

Only the driver writes. Results arrive one document at a time in input order, whatever the
executor, so outputs are byte-identical across ``serial``, ``process`` and ``dask`` and across
worker counts; memory holds one window of documents, not the corpus.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .ids import DocumentIds, file_sha256
from .settings import RunSettings
from .tasks import ErrorRecord, FileResult, FileTask, RunContext, process_file

__all__ = ["Progress", "RunSummary", "Sink", "iter_results", "plan_files", "run", "run_id_for"]


class Sink(Protocol):
    """Consumes per-document results in input order. ``commit`` ends a complete run; ``abort``
    ends an interrupted one (keeping what is worth keeping, never replacing a finished output)."""

    def accept(self, result: FileResult) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


@dataclass(frozen=True)
class Progress:
    """Where a run is, after each file (handed to the ``progress`` callback)."""

    files_done: int
    files_total: int
    segments: int
    codings: int
    failures: int
    elapsed: float
    path: str


@dataclass
class RunSummary:
    """Counts of a finished run, the failures (typed records) and the warnings (each once)."""

    files: int = 0
    documents: int = 0
    segments: int = 0
    codings: int = 0
    failures: list[ErrorRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    code_counts: dict[str, list[int]] = field(default_factory=dict)  # code -> [codings, documents]
    negated_counts: dict[str, int] = field(default_factory=dict)  # code -> negated codings (not in code_counts)
    #: codings by method where the rows say (``rule``, ``model``, ``rule+model``: runs with a trained coder)
    method_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    run_id: str | None = None

    def add(self, r: FileResult) -> None:
        self.files += 1
        if r.language_mismatch is not None:
            self._mismatches.append(r.language_mismatch)
        for w in r.warnings:
            if w not in self._seen:
                self._seen.add(w)
                self.warnings.append(w)
        if r.timeouts:  # one warning per rule with the run's total, not one per file
            from ..match.compile import timeout_messages

            for qid, n in r.timeouts.items():
                self._timeouts[qid] = self._timeouts.get(qid, 0) + n
            self.warnings[:] = [w for w in self.warnings if w not in self._timeout_msgs]
            self._timeout_msgs = timeout_messages(self._timeouts)
            self.warnings.extend(self._timeout_msgs)
        if r.error is not None:
            self.failures.append(r.error)
            return
        self.documents += 1
        self.segments += r.n_segments
        self.codings += len(r.codings)
        per_doc: dict[str, int] = {}
        methods = self.method_counts
        for c in r.codings:
            m = c.get("method")
            if m:
                methods[m] = methods.get(m, 0) + 1
            if c.get("negated"):  # "no funding": not evidence for the code, counted apart
                self.negated_counts[c["code_id"]] = self.negated_counts.get(c["code_id"], 0) + 1
                continue
            per_doc[c["code_id"]] = per_doc.get(c["code_id"], 0) + 1
        for code, n in per_doc.items():
            slot = self.code_counts.setdefault(code, [0, 0])
            slot[0] += n
            slot[1] += 1

    def __post_init__(self) -> None:
        self._seen: set[str] = set()
        self._timeouts: dict[str, int] = {}
        self._timeout_msgs: list[str] = []
        self._mismatches: list = []  # documents that look like another language, named once at the end

    def finish(self) -> None:
        """Add the run's summed-up warnings (documents that look like another language)."""
        from ..lang.mismatch import mismatch_messages

        for w in mismatch_messages(self._mismatches):
            if w not in self._seen:
                self._seen.add(w)
                self.warnings.append(w)


def plan_files(settings: RunSettings, *, ids: DocumentIds | None = None) -> list[FileTask]:
    """One task per input file, with its sha256 and a unique document id (see :class:`DocumentIds`)."""
    ids = ids or DocumentIds()
    tasks = []
    for i, path in enumerate(settings.files):
        sha = file_sha256(path)
        tasks.append(FileTask(i, str(path), ids.assign(path, sha) if sha else None, sha))
    return tasks


def run_id_for(settings: RunSettings, tasks: Sequence[FileTask]) -> str:
    """A deterministic run id: codebook fingerprint, unit, language, and every file's id, hash and
    language attributes from its metadata sidecar. Same inputs, same id, whatever the executor."""
    from ..extract.metadata import attributes_for

    files = []
    for t in tasks:
        try:
            attrs = attributes_for(t.path)
        except Exception:  # a bad sidecar fails that file in its task, not the plan
            attrs = {}
        langs = [[k, str(attrs[k])] for k in ("languages", "lang", "language") if k in attrs]
        files.append([t.doc_id, t.sha256, langs])
    payload = {"codebook": settings.codebook.fingerprint() if settings.codebook is not None else None,
               "unit": settings.unit, "lang": settings.lang, "files": files}
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return "run-" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20]


def _prepare(context: RunContext) -> None:
    """Run in the driver (and inherited by forked workers): compile the codebook once."""
    if context.codings and context.settings.codebook is not None:
        from ..match.budget import share_timeouts
        from .tasks import compiled_codebook

        # regex time-out counts shared with the forked workers: the budget is per run, not per worker
        share_timeouts(compiled_codebook(context.settings))
        # per-language matchers (spaCy) are built lazily, in each worker: a worker forks its lean
        # extraction helper (see run/tasks.py) before spaCy is loaded, and a pool forks from a lean driver


def iter_results(settings: RunSettings, *, tasks: Sequence[FileTask] | None = None, segments: bool = False,
                 documents: bool = False, codings: bool = True, executor: Any = None,
                 run_id: str | None = None, csv_columns: Sequence[str] | None = None) -> Iterator[FileResult]:
    """Per-file results in input order, streamed from the settings' executor (or ``executor``).

    ``csv_columns``: return each file's codings as the CSV lines of a coding table with these columns
    (``FileResult.rendered``), with only ``code_id`` and ``negated`` left in ``FileResult.codings``."""
    from ..exec import make_executor

    tasks = plan_files(settings) if tasks is None else list(tasks)
    if codings and settings.codebook is not None and run_id is None:
        run_id = run_id_for(settings, tasks)
    context = RunContext(settings=settings, run_id=run_id, segments=segments, documents=documents,
                         codings=codings, csv_columns=tuple(csv_columns) if csv_columns is not None else None)
    ex = executor or make_executor(settings.executor, workers=settings.workers, scheduler=settings.scheduler,
                                   prepare=_prepare)
    from .tasks import close_helper

    try:
        with ex:
            yield from ex.map(process_file, tasks, context=context)
    finally:
        close_helper()


def run(settings: RunSettings, *, sinks: Sequence[Sink] = (), segments: bool = False, documents: bool = False,
        codings: bool = True, executor: Any = None, tasks: Sequence[FileTask] | None = None,
        run_id: str | None = None, progress: Callable[[Progress], None] | None = None) -> RunSummary:
    """Run over every file, feeding each result to every sink; commit the sinks at the end.

    ``tasks`` (default: :func:`plan_files`) may be a subset of the plan, e.g. the files a project has
    not coded yet; pass ``run_id=run_id_for(settings, full_plan)`` then, so the codings of a resumed
    run carry the same run id as those of an uninterrupted one.

    On any exception (including ``KeyboardInterrupt``) every sink is aborted (an output file keeps its
    previous content; a table sink keeps its partial file) and the exception propagates.
    """
    t0 = time.perf_counter()
    tasks = plan_files(settings) if tasks is None else list(tasks)
    if run_id is None and codings and settings.codebook is not None:
        run_id = run_id_for(settings, tasks)
    summary = RunSummary(run_id=run_id)
    # a sink reads the codings as records unless it says otherwise (``codings_as``: "records"; "csv" for a
    # CSV coding table, which takes lines rendered with the coding; None for none): lines are rendered
    # with the coding only when one sink wants them and no other reads the records
    wants = [getattr(s, "codings_as", "records") for s in sinks]
    csv_columns = None
    if codings and wants.count("csv") == 1 and "records" not in wants:
        csv_columns = sinks[wants.index("csv")].columns  # type: ignore[attr-defined]
    try:
        for result in iter_results(settings, tasks=tasks, segments=segments, documents=documents,
                                   codings=codings, executor=executor, run_id=run_id, csv_columns=csv_columns):
            summary.add(result)
            for s in sinks:
                s.accept(result)
            if progress is not None:
                progress(Progress(summary.files, len(tasks), summary.segments, summary.codings,
                                  len(summary.failures), time.perf_counter() - t0, result.path))
    except BaseException:
        for s in sinks:
            try:
                s.abort()
            except Exception:  # noqa: S110 - the original error matters more
                pass
        raise
    for s in sinks:
        s.commit()
    summary.finish()
    summary.seconds = time.perf_counter() - t0
    return summary
