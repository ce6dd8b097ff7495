"""A coding project: documents, codebooks, machine and human codings, runs and memos in one store.

:class:`Project` is the stateful facade over :class:`qualcoop.store.Store` (the only place with SQL):
it extracts, segments and codes, and the store keeps the results. A path opens (or creates) a SQLite
project file; ``postgresql+psycopg://user@host/db`` a project on a PostgreSQL server shared by a team.

Coding is **resumable**: a run is identified by its *key* (codebook fingerprint, unit, language, coder,
qualcoop version and, for files, the extraction options). Each document is written with all its
codings in one transaction together with the mark that the key coded its content hash; a run skips
documents already marked, so a re-run after completion does nothing and a run killed half way
completes only what is missing, ending with exactly the codings of an uninterrupted run.

Examples
--------
>>> from qualcoop import Project
>>> with Project.open("team.qualcoop") as project:                       # doctest: +SKIP
...     project.add_files(["corpora/score_bali"])
...     result = project.code("international_cooperation", unit="paragraph")
...     frame = project.codings_frame(coders=["qualcoop"])
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Failure, QualcoopError, StoreError, error_type
from .model import CODING_COLUMNS, Code, Codebook, Coding, CodingSet, Document, Segment

if TYPE_CHECKING:
    from .extract.base import ExtractOptions
    from .store import RunError, Store, StoredCoding, StoredSet

__all__ = ["Project", "RunResult"]

Progress = Callable[[str], None]

@dataclass(frozen=True)
class RunResult:
    """What one coding run did: documents coded now, skipped (already coded under the key), failed."""

    run_id: str
    key: str
    coded: int
    skipped: int
    codings: int
    errors: tuple[RunError, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())

    @property
    def failed(self) -> int:
        return len(self.errors)


class Project:
    """A project store opened for work. Use :meth:`open`; close it or use ``with``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, path_or_url: str | os.PathLike[str], *, create: bool = True) -> Project:
        """Open a project (a SQLite file path or a ``postgresql+psycopg://`` URL), creating it unless
        ``create=False``; an older schema is migrated to the newest on open."""
        from .store import Store

        return cls(Store.open(path_or_url, create=create))

    @property
    def url(self) -> str:
        return self.store.display_url

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({self.url!r})"

    # ------------------------------------------------------------------ documents
    def add_documents(self, documents: Iterable[Document]) -> list[str]:
        """Store documents (one transaction each); the ids of those that were new."""
        return [d.id for d in documents if self.store.add_document(d)]

    def add_files(self, paths: Sequence[str | os.PathLike[str]], *, recursive: bool = True,
                  options: ExtractOptions | None = None, progress: Progress | None = None
                  ) -> tuple[list[str], list[Failure]]:
        """Extract files into the project; (ids of new documents, failures). A bad file fails alone.

        Recorded as a run (command ``project add``) whose error records are the failed files.
        """
        import warnings

        from .corpus import discover
        from .errors import ExtractionError
        from .extract import extract_file
        from .extract.base import ExtractOptions as _Options
        from .run import DocumentIds, file_sha256

        started = time.monotonic()
        run_id = self.store.start_run(command="project add", versions=_versions(),
                                      settings={"extract": _options_dict(options or _Options()),
                                                "paths": [str(p) for p in paths]})
        ids = DocumentIds(self.store.document_paths())  # unique per source path within the project
        added: list[str] = []
        failures: list[Failure] = []
        for path in discover(paths, recursive=recursive):
            sha = file_sha256(path)
            try:
                if sha is None:
                    raise ExtractionError(path, "cannot read: not a readable regular file")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    doc = extract_file(path, options=options, doc_id=ids.assign(path, sha))
                if self.store.add_document(doc):
                    added.append(doc.id)
            except QualcoopError as e:
                failures.append(Failure(str(path), e))
                self.store.add_run_error(run_id, path=str(path), type=error_type(e), message=e.message)
            if progress is not None:
                progress(str(path))
        self.store.finish_run(run_id, status="done", stats={
            "added": len(added), "failed": len(failures), "seconds": round(time.monotonic() - started, 3)})
        return added, failures

    def documents(self, ids: Iterable[str] | None = None) -> list[Document]:
        return list(self.store.documents(ids))

    def document_ids(self) -> list[str]:
        return self.store.document_ids()

    # ------------------------------------------------------------------ coding runs
    def code(self, codebook: Codebook | str | os.PathLike[str], *, unit: str = "paragraph",
             lang: str | None = None, coder: str = "qualcoop", doc_ids: Iterable[str] | None = None,
             progress: Callable[[Any], None] | None = None, model: Any = None,
             model_threshold: float | None = None) -> RunResult:
        """Code the project's documents with a codebook, as a recorded, resumable run.

        Documents already coded under the same key (content hash, codebook version, settings) are
        skipped. Each document is committed with all its codings in one transaction. ``progress``
        receives a :class:`qualcoop.run.Progress` after each document.

        ``model`` (a model file from ``qualcoop learn``, or a fitted :class:`qualcoop.learn.CodeLearner`)
        adds the trained coder's codings to the rules', stored as ``qualcoop code --model`` writes them:
        provenance method ``rule``, ``model`` or ``rule+model``, the model's ``confidence``, and for a
        model coding its top features in the provenance details (``features``). ``model_threshold``
        replaces the learned thresholds. The model (its fingerprint) and the threshold are part of the
        run's key: a run with another model codes the documents again, as another run.

        Raises
        ------
        ModelCodebookError
            The model was trained for another codebook (name, version or content), before any work.
        """
        from .lang.pipelines import normalise_lang_code
        from .run import Progress as _Progress
        from .run import canonical_unit

        unit = canonical_unit(unit)  # checked and resolved as a batch resolves them, before any work
        lang = normalise_lang_code(lang) if lang else None
        compiled, cb = _compile(codebook)
        settings: dict[str, Any] = {"unit": unit, "lang": lang, "coder": coder}
        learner = None
        if model is not None or model_threshold is not None:
            from .errors import RunSettingsError
            from .run.settings import resolve_model

            if model is None:
                raise RunSettingsError("model_threshold needs a model")
            learner = resolve_model(model, cb, model_threshold)
            settings["model"] = _model_key(learner, model_threshold)
        runner = _Run(self.store, compiled, cb, settings, command="project code", model=learner,
                      model_threshold=model_threshold)
        try:
            hashes = self.store.document_hashes()
            wanted = sorted(hashes if doc_ids is None else set(doc_ids) & set(hashes))
            started = time.monotonic()
            for n, doc_id in enumerate(wanted, 1):
                if hashes[doc_id] in runner.done:
                    runner.skipped += 1
                else:
                    doc = self.store.document(doc_id)
                    if doc is not None:
                        runner.code(doc, path=_doc_path(doc))
                if progress is not None:
                    progress(_Progress(n, len(wanted), runner.n_segments, runner.n_codings, len(runner.errors),
                                       time.monotonic() - started, doc_id))
        except BaseException as e:
            runner.finish(status="interrupted" if isinstance(e, KeyboardInterrupt) else "failed")
            raise
        return runner.finish(status="done")

    def code_files(self, paths: Iterable[str | os.PathLike[str]], codebook: Codebook | str | os.PathLike[str], *,
                   unit: str = "paragraph", lang: str | None = None, coder: str = "qualcoop",
                   recursive: bool = True, options: ExtractOptions | None = None, workers: int = 1,
                   executor: str | None = None, scheduler: str | None = None,
                   progress: Callable[[Any], None] | None = None, model: Any = None,
                   model_threshold: float | None = None) -> RunResult:
        """A resumable batch: extract, segment and code files straight into the project.

        Runs on :mod:`qualcoop.run`'s streaming pipeline (``serial``, ``process`` or ``dask`` executor;
        the same codings whatever the executor). A file whose content (sha256) was already coded under
        the same key is skipped before it is extracted. A file that fails becomes an error record of
        the run (file, a type from :data:`qualcoop.errors.ERROR_TYPES`, message); the batch goes on.
        ``model`` and ``model_threshold``: a trained coder, as in :meth:`code`.
        """
        from .run import resolve_settings

        extra = ({"model": model, "model_threshold": model_threshold}
                 if model is not None or model_threshold is not None else {})
        settings = resolve_settings(paths, codebook=codebook, unit=unit, lang=lang, coder=coder,
                                    recursive=recursive, options=options, workers=workers,
                                    executor=executor, scheduler=scheduler, **extra)
        return self.run_batch(settings, progress=progress)

    def run_batch(self, settings: Any, *, progress: Callable[[Any], None] | None = None,
                  command: str = "batch") -> RunResult:
        """Run resolved :class:`qualcoop.run.RunSettings` with this project as the sink (see :meth:`code_files`).

        ``progress`` receives :class:`qualcoop.run.Progress` after each file.
        """
        from .run import DocumentIds, Progress, iter_results, plan_files

        if settings.codebook is None:
            raise StoreError("a batch into a project needs a codebook")
        key_settings = {"unit": settings.unit, "lang": settings.lang, "coder": settings.coder,
                        "extract": _options_dict(settings.options)}
        if not settings.prefilter:
            key_settings["prefilter"] = False
        if getattr(settings, "model", None) is not None:  # another model: another run, never mixed
            key_settings["model"] = _model_key(settings.model, settings.model_threshold)
        runner = _Run(self.store, None, settings.codebook, key_settings, command=command)
        started = time.monotonic()
        try:
            tasks = plan_files(settings, ids=DocumentIds(self.store.document_paths()))
            todo = [t for t in tasks if t.sha256 is None or t.sha256 not in runner.done]
            runner.skipped = len(tasks) - len(todo)
            n_segments = done = 0
            mismatches: list[Any] = []  # documents that look like another language: one warning per run
            timeouts: dict[str, int] = {}  # regex time-outs per rule, summed over the run
            for result in iter_results(settings, tasks=todo, segments=True, documents=True, codings=True,
                                       run_id=runner.key):
                done += 1
                runner.warnings.extend(m for m in result.warnings if m not in runner.warnings)
                for qid, n in (result.timeouts or {}).items():
                    timeouts[qid] = timeouts.get(qid, 0) + n
                if getattr(result, "language_mismatch", None) is not None:
                    mismatches.append(result.language_mismatch)
                if result.error is not None:
                    runner.fail(result.path, result.error.type, result.error.message)
                else:
                    doc = Document.from_dict(result.document)
                    n_segments += result.n_segments
                    runner.commit(doc, _segments_of(doc.id, result.segments),
                                  _codings_of(doc, result.codings), path=result.path)
                if progress is not None:
                    progress(Progress(done, len(todo), n_segments, runner.n_codings, len(runner.errors),
                                      time.monotonic() - started, result.path))
            from .lang.mismatch import mismatch_messages
            from .match.compile import timeout_messages

            summed = [*(timeout_messages(timeouts) if timeouts else ()), *mismatch_messages(mismatches)]
            runner.warnings.extend(m for m in summed if m not in runner.warnings)
        except BaseException as e:
            runner.finish(status="interrupted" if isinstance(e, KeyboardInterrupt) else "failed")
            raise
        return runner.finish(status="done")

    def runs(self) -> list[dict[str, Any]]:
        return self.store.runs()

    def run_errors(self, run_id: str | None = None) -> list[RunError]:
        return self.store.run_errors(run_id)

    # ------------------------------------------------------------------ human codings
    def add_codings(self, codings: Iterable[Coding] | CodingSet, *, author: str | None = None) -> int:
        """Append codings (e.g. a human coder's); the number added. Their documents must be in the project."""
        return self.store.add_codings(codings, author=author)

    def add_codings_table(self, path: str | os.PathLike[str], *, codebook: Codebook | None = None,
                          coder: str | None = None) -> int:
        """Validate a codings table against the project and add its rows (all or nothing).

        Raises :class:`~qualcoop.errors.CodingsTableError` listing every problem with its row.
        """
        from ._codings_table import read_codings_table

        docs = {d: None for d in self.store.document_ids()}
        codings = read_codings_table(path, project=self, known_documents=docs, codebook=codebook, coder=coder)
        return self.store.add_codings(codings, author=coder)

    def edit_coding(self, coding_id: int, replacement: Coding, *, author: str) -> int:
        """Supersede a current coding with ``replacement`` (appended; the old one stays in the history)."""
        return self.store.supersede(coding_id, replacement, author=author)

    def delete_coding(self, coding_id: int, *, author: str) -> int:
        """Supersede a current coding with a deletion (appended; the history keeps it)."""
        return self.store.supersede(coding_id, None, author=author)

    def history(self, coding_id: int) -> list[StoredCoding]:
        """Every version of a coding, oldest first."""
        return self.store.history(coding_id)

    # ------------------------------------------------------------------ queries and export
    def stored_codings(self, *, coders: Iterable[str] | None = None, codes: Iterable[str] | None = None,
                       documents: Iterable[str] | None = None, runs: Iterable[str] | None = None,
                       current: bool = True) -> list[StoredCoding]:
        return self.store.codings(coders=coders, code_ids=codes, doc_ids=documents, run_ids=runs, current=current)

    def codings(self, *, coders: Iterable[str] | None = None, codes: Iterable[str] | None = None,
                documents: Iterable[str] | None = None, runs: Iterable[str] | None = None) -> CodingSet:
        """The current codings (optionally of some coders, codes, documents or runs) as a CodingSet.

        Every machine run keeps its codings (a rerun with another codebook version, model or threshold
        is another run): pass ``runs`` (the ``run_id`` of :meth:`runs`) to take one run's codings."""
        rows = self.stored_codings(coders=coders, codes=codes, documents=documents, runs=runs)
        doc_ids = {r.coding.doc_id for r in rows}
        return CodingSet((r.coding for r in rows), documents={d.id: d for d in self.store.documents(doc_ids)},
                         codebook=self.codebook())

    def codings_frame(self, **filters: Any):
        """The current codings as a pandas DataFrame with the columns of :data:`~qualcoop.model.CODING_COLUMNS`."""
        return self.codings(**filters).to_frame()

    def export(self, path: str | os.PathLike[str], *, coders: Iterable[str] | None = None,
               runs: Iterable[str] | None = None) -> int:
        """Write the current codings (of ``coders``, of ``runs``) as a codings table (.csv, .xlsx, .parquet,
        .jsonl); rows written. When a trained coder's codings are among them, the table also has
        ``confidence`` and ``model_features``, as ``qualcoop code --model`` writes them.

        The file is written next to ``path`` and renamed into place, so a failed export leaves an
        existing file untouched.
        """
        from .export import write_table

        path = Path(path)
        codings = self.codings(coders=coders, runs=runs)
        records = codings.to_records()
        columns: tuple[str, ...] = CODING_COLUMNS
        if any(c.provenance.method in ("model", "rule+model") for c in codings):
            # codings of a trained coder: the two columns `qualcoop code --model` writes
            columns = (*CODING_COLUMNS, "confidence", "model_features")
            from .run.tasks import model_columns

            for r, c in zip(records, codings):
                r.update(model_columns(c))
        tmp = path.with_name(f".{path.stem}.partial{path.suffix}")
        try:
            write_table(records, tmp, columns=columns)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return len(records)

    def codebook(self) -> Codebook | None:
        """Every code of every stored codebook version (newest version wins), for names and parents."""
        versions = self.store.codebooks()
        if not versions:
            return None
        codes: dict[str, Code] = {}
        last = None
        for v in versions:
            last = self.store.codebook(v["id"])
            codes.update({c.id: c for c in last.codes})
        assert last is not None
        return Codebook(name=last.name, version=last.version, codes=tuple(codes.values()),
                        languages=last.languages, description=last.description)

    def full_codebook(self) -> Codebook | None:
        """The newest stored codebook version whole (inclusion, exclusion, examples, labels, rules), then
        the codes only older versions know (ids, names, parents, definitions from the codes table, e.g.
        imported from NVivo before the project was coded); ``None`` when the project has no codebook."""
        from .codebook.qdc import build_codebook

        versions = self.store.codebooks()
        if not versions:
            return None
        newest = versions[-1]["id"]
        cb, problems = build_codebook(self.store.codebook_body(newest), f"{self.url}#codebook-{newest}")
        if cb is None or any(p.kind == "error" for p in problems):
            cb = self.store.codebook(newest)  # a body the current reader refuses: its codes at least
        merged = self.codebook()
        assert merged is not None
        have = {c.id for c in cb.codes}
        extra = tuple(c for c in merged.codes if c.id not in have)
        return replace(cb, codes=cb.codes + extra) if extra else cb

    # ------------------------------------------------------------------ sets
    def add_set(self, name: str, *, description: str = "", doc_ids: Iterable[str] = (),
                code_ids: Iterable[str] = ()) -> int:
        """Add a named set of documents and/or codes (adding to an existing name adds its missing members)."""
        return self.store.add_set(name, description=description, doc_ids=doc_ids, code_ids=code_ids)

    def sets(self) -> list[StoredSet]:
        """Every set with its document and code members."""
        return self.store.sets()

    # ------------------------------------------------------------------ memos
    def add_memo(self, text: str, *, author: str, target_kind: str = "project", target_id: str | None = None) -> int:
        return self.store.add_memo(text, author=author, target_kind=target_kind, target_id=target_id)

    def memos(self, **filters: Any) -> list[dict[str, Any]]:
        return self.store.memos(**filters)


# ---------------------------------------------------------------------- the run loop

class _Run:
    """One invocation of a coding run: records it, codes documents one by one, commits each whole."""

    def __init__(self, store: Store, compiled: Any, cb: Codebook, settings: dict[str, Any], *, command: str,
                 model: Any = None, model_threshold: float | None = None) -> None:
        from . import __version__
        from .segment import segment

        segment(Document(id="check", text="check"), settings["unit"])  # a bad unit fails before any work
        self.store = store
        self.compiled = compiled
        self.cb = cb
        self.model = model
        self.model_threshold = model_threshold
        self.settings = {**settings, "codebook": cb.name, "codebook_version": cb.version,
                         "codebook_fingerprint": cb.fingerprint()}
        self.key = run_key(cb, settings, tool_version=__version__)
        self.codebook_id = store.add_codebook(cb)
        self.run_id = store.start_run(command=command, settings=self.settings, versions=_versions(),
                                      key=self.key, codebook_id=self.codebook_id)
        self.done = set(store.coded_hashes(self.key))
        self.coded = self.skipped = self.n_codings = self.n_segments = 0
        self.errors: list[RunError] = []
        self.warnings: list[str] = []
        self.started = time.monotonic()

    def code(self, doc: Document, *, path: str) -> None:
        import warnings

        from .match import apply_codebook
        from .segment import segment

        unit, lang, coder = self.settings["unit"], self.settings["lang"], self.settings["coder"]
        try:
            segs = segment(doc, unit)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                part = apply_codebook([doc], self.compiled, unit=unit, lang=lang, coder=coder,
                                      run_id=self.key, segments={doc.id: segs})
            codings = list(part)
            if self.model is not None:  # the trained coder's codings join the rules' (as in qualcoop.run)
                codings = self._with_model(doc, segs, codings)
        except QualcoopError as e:
            self.fail(path, error_type(e), e.message)
            return
        self.warnings.extend(m for m in part.warnings if m not in self.warnings)
        self.commit(doc, segs, codings, path=path)

    def _with_model(self, doc: Document, segs: Sequence[Segment], codings: list[Coding]) -> list[Coding]:
        from . import __version__
        from .match import document_languages
        from .model import Provenance

        cb = self.cb
        prov = Provenance(method="rule", coder=self.settings["coder"], codebook=cb.name,
                          codebook_version=cb.version, tool_version=__version__, run_id=self.key)
        merged = self.model.code_document(doc, segs, codings, lang=document_languages(doc, cb, self.settings["lang"]),
                                          provenance=prov, threshold=self.model_threshold)
        # confidence rounded as a run's table holds it (qualcoop.run.tasks), so both paths store the same
        from .run.tasks import CONFIDENCE_DIGITS

        merged = [c if c.confidence is None else replace(c, confidence=round(c.confidence, CONFIDENCE_DIGITS))
                  for c in merged]
        return sorted(merged, key=lambda c: (c.start, c.end, c.code_id))

    def commit(self, doc: Document, segs: Sequence[Segment], codings: list[Coding], *, path: str) -> None:
        """The document, its segments and codings, and its done-mark: one transaction."""
        try:
            new = self.store.commit_coded_document(doc, segments=segs, codings=codings, run_id=self.run_id,
                                                   run_key=self.key, codebook_id=self.codebook_id)
        except StoreError as e:
            self.fail(path, "conflict", e.message)
            return
        if new:
            self.coded += 1
            self.n_codings += len(codings)
            self.n_segments += len(segs)
        else:
            self.skipped += 1
        self.done.add(_sha_of(doc))

    def fail(self, path: str, type_: str, message: str) -> None:
        from .store import RunError

        self.store.add_run_error(self.run_id, path=path, type=type_, message=message)
        self.errors.append(RunError(self.run_id, path, type_, message))

    def finish(self, *, status: str) -> RunResult:
        stats = {"coded": self.coded, "skipped": self.skipped, "failed": len(self.errors),
                 "codings": self.n_codings, "seconds": round(time.monotonic() - self.started, 3)}
        self.store.finish_run(self.run_id, status=status, stats=stats)
        return RunResult(run_id=self.run_id, key=self.key, coded=self.coded, skipped=self.skipped,
                         codings=self.n_codings, errors=tuple(self.errors), warnings=tuple(self.warnings))


def _segments_of(doc_id: str, rows: Iterable[dict[str, Any]]) -> tuple[Segment, ...]:
    return tuple(Segment(doc_id=doc_id, start=r["start"], end=r["end"], kind=r["unit"], index=r["index"],
                         speaker=r.get("speaker"), section=r.get("section"), start_time=r.get("start_time"),
                         end_time=r.get("end_time")) for r in rows)


def _codings_of(doc: Document, rows: Iterable[dict[str, Any]]) -> list[Coding]:
    """Codings back from the plain records a worker returns (:data:`~qualcoop.model.CODING_COLUMNS`)."""
    from .model import FrozenMap, Provenance, evidence_from_json

    out = []
    for r in rows:
        features = r.get("model_features") or ""  # a run with a trained coder (qualcoop.run.tasks)
        prov = Provenance(method=r["method"], coder=r["coder"], codebook=r["codebook"],
                          codebook_version=r["codebook_version"], tool_version=r["qualcoop_version"],
                          run_id=r["run_id"], details=FrozenMap({"features": features}) if features else FrozenMap())
        out.append(Coding(doc_id=doc.id, start=r["start"], end=r["end"], code_id=r["code_id"], provenance=prov,
                          segment_index=r["segment_index"], unit=r["unit"], speaker=r["speaker"],
                          evidence=evidence_from_json(r["evidence"], doc.text), confidence=r.get("confidence")))
    return out


def _model_key(model: Any, threshold: float | None) -> dict[str, Any]:
    """What a trained coder adds to a run's key and recorded settings."""
    return {"fingerprint": model.fingerprint(), "data_hash": getattr(model, "data_hash_", ""),
            "threshold": threshold}


def run_key(codebook: Codebook, settings: dict[str, Any], *, tool_version: str) -> str:
    """The deterministic key of a coding run: same codebook version, settings and qualcoop version ->
    same key, and so the same ``run_id`` in every coding's provenance."""
    payload = {"codebook": codebook.fingerprint(), "settings": settings, "qualcoop": tool_version}
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return "run-" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20]


def _compile(codebook: Codebook | str | os.PathLike[str]) -> tuple[Any, Codebook]:
    from .codebook import load_codebook
    from .match import compile_codebook

    cb = codebook if isinstance(codebook, Codebook) else _quiet(load_codebook, codebook)
    return compile_codebook(cb), cb


def _quiet(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _versions() -> dict[str, str]:
    import platform
    from importlib import metadata

    from . import __version__

    out = {"qualcoop": __version__, "python": platform.python_version()}
    for dist in ("spacy", "sqlalchemy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def _options_dict(options: ExtractOptions) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    d = asdict(options) if is_dataclass(options) else dict(vars(options))
    d.pop("password", None)  # never stored
    return d


def _sha_of(doc: Document) -> str:
    if doc.source is not None and doc.source.sha256:
        return doc.source.sha256
    return hashlib.sha256(doc.text.encode("utf-8")).hexdigest()


def _doc_path(doc: Document) -> str:
    return doc.source.path if doc.source is not None else doc.id


