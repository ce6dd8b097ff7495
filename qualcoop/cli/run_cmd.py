"""Running over files: the shared body of ``code``, ``extract`` and ``batch`` (progress, summary,
exit codes), and the ``batch`` command. The work itself is :mod:`qualcoop.run`.

Exit codes: 0 every file succeeded; 1 some files failed (each has a typed error record; everything
else was written); 2 bad usage (checked before any work: the previous output is untouched);
130 interrupted (the previous output is untouched; the partial one is named).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import QualcoopError
from .app import (Coder, DocLang, MemoryLimit, ModelPath, ModelThreshold, Password, PathsArg, Quiet, Recursive,
                  Timeout, Unit, Workers, _esc, _fail_with_problems, _load_quietly, _options, app, err)
from .messages import for_terminal, print_warnings



class Reporter:
    """Progress on stderr: a live bar on a terminal, a plain line every few seconds otherwise."""

    def __init__(self, *, quiet: bool, every: float = 5.0, what: str = "files") -> None:
        self.quiet = quiet
        self.every = every
        self.what = what
        self._bar = None
        self._task = None
        self._last = 0.0
        self._t0 = time.perf_counter()

    def __call__(self, p) -> None:
        if self.quiet:
            return
        rate = p.files_done / p.elapsed if p.elapsed > 0 else 0.0
        unit = self.what.split()[0]  # "files", "documents", ...
        info = (f"{p.segments} segments, {p.codings} codings, {p.failures} failed" if self.what == "files"
                else f"{p.failures} failed" if p.failures else "")
        if err.is_terminal:
            if self._bar is None:
                from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                           TimeRemainingColumn)

                self._bar = Progress(TextColumn(f"[bold]{self.what}"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[info]} · {task.fields[rate]}"),
                                     TimeRemainingColumn(), console=err, transient=True)
                self._bar.start()
                self._task = self._bar.add_task(self.what, total=p.files_total, info="", rate="")
            self._bar.update(self._task, completed=p.files_done, info=info, rate=f"{rate:.1f} {unit}/s")
            return
        now = time.monotonic()
        if now - self._last >= self.every or p.files_done == p.files_total:
            self._last = now
            left = (p.files_total - p.files_done) / rate if rate > 0 else 0.0
            err.print(f"{p.files_done}/{p.files_total} {self.what} ({100 * p.files_done // max(p.files_total, 1)}%), "
                      + (f"{info}, " if info else "") + f"{rate:.1f} {unit}/s, ETA {left:.0f} s",
                      highlight=False, markup=False)

    def step(self, done: int, total: int, failures: int = 0) -> None:
        """Progress of a loop that is not a run (documents rendered, models fitted): ``done`` of ``total``."""
        from ..run import Progress

        self(Progress(done, total, 0, 0, failures, time.perf_counter() - self._t0, ""))

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()  # before anything else is printed: an error line must not land inside the live bar


def resolve_or_exit(paths, **kw):
    """Resolve run settings; a bad option or codebook exits 2 with one clear message, before any work."""
    from ..errors import CodebookError, RuleError
    from ..run import resolve_settings

    codebook = kw.pop("codebook", None)
    try:
        cb = _load_quietly(codebook) if codebook is not None else None
        return resolve_settings(paths, codebook=cb, **kw)
    except (CodebookError, RuleError) as e:
        _fail_with_problems(e)
    except QualcoopError as e:
        err.print(f"[red]error:[/] {_esc(e.message)}", soft_wrap=True)
        raise typer.Exit(2) from None


def execute(settings, sinks, *, quiet: bool, **kw):
    """Run with progress; Ctrl-C or a setup error leaves the old outputs untouched and says so."""
    from ..run import run

    try:
        with Reporter(quiet=quiet) as reporter:
            summary = run(settings, sinks=sinks, progress=reporter, **kw)
    except KeyboardInterrupt:
        _say_partial(sinks, "interrupted")
        raise typer.Exit(130) from None
    except QualcoopError as e:
        err.print(f"[red]error:[/] {_esc(e.message)}", soft_wrap=True)
        _say_partial(sinks, "stopped")
        raise typer.Exit(2) from None
    print_warnings(summary.warnings, err)  # one line each, grouped by kind, CLI options named
    return summary


def _say_partial(sinks, what: str) -> None:
    for s in sinks:
        partial = getattr(s, "partial", None)
        if partial is not None and Path(partial).exists():
            err.print(f"{what}: {s.path} is unchanged; the partial output is {partial}", highlight=False,
                      markup=False, soft_wrap=True)


def report_failures(summary) -> None:
    if not summary.failures:
        return
    err.print(f"[bold red]{len(summary.failures)} file(s) failed:[/]")
    for f in summary.failures:
        err.print(f"  {_esc(f.path)}: [red]{f.type}[/] ({f.error}) {_esc(' '.join(for_terminal(f.message).split()))}",
                  highlight=False, soft_wrap=True)  # one line per failed file, whatever the message holds


@app.command()
def batch(
    paths: PathsArg,
    codebook: Annotated[str, typer.Option("--codebook", "-c", help="Codebook file or shipped name.")],
    output: Annotated[Optional[Path], typer.Option(
        "-o", "--output", help="Coded segments: .csv, .parquet, .jsonl or .xlsx.")] = None,
    errors: Annotated[Optional[Path], typer.Option(
        "--errors", help="Also write one row per failed file (path, type, code, message): .csv/.jsonl/...")]
    = None,
    unit: Unit = "paragraph",
    lang: DocLang = None,
    coder: Coder = "qualcoop",
    workers: Workers = 1,
    executor: Annotated[Optional[str], typer.Option(
        "--executor", help="serial, process (default with --workers > 1) or dask.")] = None,
    scheduler: Annotated[Optional[str], typer.Option(
        "--scheduler", help="Dask scheduler address (default: a local cluster of --workers processes).")] = None,
    recursive: Recursive = True,
    password: Password = None,
    timeout: Timeout = None,
    memory_limit: MemoryLimit = None,
    quiet: Quiet = False,
    project: Annotated[Optional[str], typer.Option(
        "--project", help="Code into this project (file path or postgresql+psycopg:// URL; created if missing): "
                          "resumable, files already coded with the same codebook and settings are skipped.")]
    = None,
    model: ModelPath = None,
    model_threshold: ModelThreshold = None,
) -> None:
    """Code many files with per-file isolation: a bad file becomes a typed error record, the batch goes on."""
    from ..run import CodingTable, ErrorTable

    if project is not None and output is not None:  # branch store: the project is the sink
        err.print("[red]error:[/] --project and -o exclude each other; write the project's codings with "
                  "`qualcoop project export PROJECT OUT`", highlight=False)
        raise typer.Exit(2)

    options = _options(password, None, False, lang, None, None, timeout, memory_limit=memory_limit)
    if errors is not None:
        from ..export.stream import check_table_path

        try:
            check_table_path(errors)
        except QualcoopError as e:
            err.print(f"[red]error:[/] {_esc(e.message)}", soft_wrap=True)
            raise typer.Exit(2) from None
    settings = resolve_or_exit(paths, codebook=codebook, unit=unit, lang=lang, coder=coder, output=output,
                               recursive=recursive, options=options, workers=workers, executor=executor,
                               scheduler=scheduler,
                               **({"model": model, "model_threshold": model_threshold}
                                  if model is not None or model_threshold is not None else {}))
    if project is not None:
        from .project_cmd import batch_into_project

        batch_into_project(project, settings, quiet=quiet)
    sinks = []
    if output is not None:
        sinks.append(CodingTable(output, model=model is not None))
    if errors is not None:
        sinks.append(ErrorTable(errors))
    summary = execute(settings, sinks, quiet=quiet)
    err.print(f"{summary.documents} document(s), {summary.segments} {settings.unit} segment(s), "
              f"{summary.codings} coding(s), {len(summary.failures)} failed, {summary.seconds:.1f} s"
              + (f" -> {output}" if output else ""), highlight=False, soft_wrap=True)
    report_failures(summary)
    raise typer.Exit(1 if summary.failures else 0)
