"""``qualcoop project ...``: a project store (SQLite file or PostgreSQL URL) for a coding team.

Exit codes: 0 success; 1 some files failed (the rest was stored, failures are recorded with the run);
2 bad usage (no such project, bad codebook, invalid codings table).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..errors import QualcoopError
from .app import (Coder, DocLang, MemoryLimit, ModelPath, ModelThreshold, Password, PdfEngine, Quiet, Recursive,
                  Replace, Timeout, Unit, _esc, _fail_with_problems, _load_quietly, _options, _report_failures, app,
                  err, out)

project_app = typer.Typer(help="A project store for a coding team: documents, codebooks, machine and "
                               "human codings, runs. PROJECT is a file path (SQLite) or a "
                               "postgresql+psycopg://user@host/db URL.", no_args_is_help=True)
app.add_typer(project_app, name="project")

ProjectArg = Annotated[str, typer.Argument(help="Project file (SQLite) or postgresql+psycopg:// URL.",
                                           show_default=False)]


def _open(project: str, *, create: bool = False):
    from ..project import Project

    try:
        return Project.open(project, create=create)
    except QualcoopError as e:
        err.print(f"[red]error:[/] {_esc(e.message)}", highlight=False)
        raise typer.Exit(2) from None


@project_app.command("init")
def project_init(project: ProjectArg) -> None:
    """Create a project (or migrate an existing one to the newest schema)."""
    with _open(project, create=True) as p:
        out.print(f"project {p.url}: schema {p.store.revision()}, {len(p.document_ids())} document(s)",
                  highlight=False)


@project_app.command("add")
def project_add(
    project: ProjectArg,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders.", show_default=False)],
    recursive: Recursive = True,
    lang: DocLang = None,
    password: Password = None,
    pdf_engine: PdfEngine = None,
    replace_undecodable: Replace = False,
    timeout: Timeout = None,
    memory_limit: MemoryLimit = None,
) -> None:
    """Extract files and add the documents to the project (a document already there is kept)."""
    from ..corpus import discover

    options = _options(password, pdf_engine, replace_undecodable, lang, None, None, timeout,
                       memory_limit=memory_limit)
    if not discover(paths, recursive=recursive):
        err.print("[red]no input files found[/]")
        raise typer.Exit(2)
    with _open(project) as p:
        added, failures = p.add_files(paths, recursive=recursive, options=options)
        err.print(f"{len(added)} new document(s) -> {p.url} ({len(p.document_ids())} in the project)",
                  highlight=False)
    _report_failures(failures)
    raise typer.Exit(1 if failures else 0)


@project_app.command("code")
def project_code(
    project: ProjectArg,
    codebook: Annotated[str, typer.Option("--codebook", "-c", help="Codebook file or shipped codebook name.")],
    paths: Annotated[Optional[list[Path]], typer.Argument(
        help="Files or folders to extract and code straight into the project (a resumable batch); "
             "default: the project's documents.", show_default=False)] = None,
    unit: Unit = "paragraph",
    lang: DocLang = None,
    coder: Coder = "qualcoop",
    recursive: Recursive = True,
    password: Password = None,
    pdf_engine: PdfEngine = None,
    replace_undecodable: Replace = False,
    timeout: Timeout = None,
    memory_limit: MemoryLimit = None,
    quiet: Quiet = False,
    model: ModelPath = None,
    model_threshold: ModelThreshold = None,
) -> None:
    """Code documents with a codebook as a recorded run; documents already coded with the same content,
    codebook version and settings (and model) are skipped, so an interrupted run is completed by running
    it again."""
    try:
        cb = _load_quietly(codebook)
    except QualcoopError as e:
        _fail_with_problems(e)
    learner = None
    if model is not None or model_threshold is not None:  # checked before the project is touched
        from ..errors import RunSettingsError
        from ..run.settings import resolve_model

        try:
            if model is None:
                raise RunSettingsError("--model-threshold needs --model")
            learner = resolve_model(model, cb, model_threshold)
        except QualcoopError as e:
            err.print(f"[red]error:[/] {_esc(e.message)}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
    with_model = {"model": learner, "model_threshold": model_threshold} if learner is not None else {}
    from .run_cmd import Reporter

    with _open(project) as p:
        try:
            with Reporter(quiet=quiet, what="documents") as reporter:
                if paths:
                    options = _options(password, pdf_engine, replace_undecodable, lang, None, None, timeout,
                                       memory_limit=memory_limit)
                    result = p.code_files(paths, cb, unit=unit, lang=lang, coder=coder, recursive=recursive,
                                          options=options, progress=reporter, **with_model)
                else:
                    result = p.code(cb, unit=unit, lang=lang, coder=coder, progress=reporter, **with_model)
        except QualcoopError as e:
            err.print(f"[red]error:[/] {_esc(e.message)}", highlight=False)
            raise typer.Exit(2) from None
    _say_result(result)


def batch_into_project(project: str, settings, *, quiet: bool) -> None:
    """``qualcoop batch ... --project P``: the resolved run into a project (created when missing); exits."""
    from .run_cmd import Reporter

    with _open(project, create=True) as p:
        try:
            with Reporter(quiet=quiet) as reporter:
                result = p.run_batch(settings, progress=reporter)
        except KeyboardInterrupt:
            err.print(f"interrupted: every document coded so far is in {p.url}; run the same command again "
                      f"to complete the rest", highlight=False)
            raise typer.Exit(130) from None
        except QualcoopError as e:
            err.print(f"[red]error:[/] {_esc(e.message)}", highlight=False)
            raise typer.Exit(2) from None
        url = p.url
    _say_result(result, url)


def _say_result(result, url: str | None = None) -> None:
    from .messages import print_warnings

    err.print(f"run {result.run_id}: {result.coded} document(s) coded ({result.codings} coding(s)), "
              f"{result.skipped} already coded, {result.failed} failed" + (f" -> {_esc(url)}" if url else ""),
              highlight=False, soft_wrap=True)
    print_warnings(result.warnings, err)  # one line each, grouped by kind, as the other runs print them
    if result.errors:
        err.print(f"[bold red]{result.failed} file(s) failed:[/]")
        for e in result.errors:
            err.print(f"  {_esc(e.path)}: [red]{e.type}[/] {_esc(' '.join(e.message.split()))}", highlight=False,
                      soft_wrap=True)  # one line per failed file
    raise typer.Exit(1 if result.errors else 0)


@project_app.command("export")
def project_export(
    project: ProjectArg,
    output: Annotated[Path, typer.Argument(help="Codings table: .csv, .xlsx, .parquet or .jsonl; or .qdpx.",
                                           show_default=False)],
    coder: Annotated[Optional[list[str]], typer.Option("--coder", help="Only this coder's codings (repeatable).")]
    = None,
    run: Annotated[Optional[list[str]], typer.Option(
        "--run", help="Only the codings of this run (their run_id column, or a run of `project status`; "
                      "repeatable).")] = None,
) -> None:
    """Write the project's current codings as a codings table, or the project as REFI-QDA (.qdpx)."""
    from ..export.tables import TABLE_SUFFIXES

    if output.suffix.lower() == ".qdpx":  # branch refi: the project for NVivo, ATLAS.ti, MAXQDA, ...
        from .refi_cmd import export_project_qdpx

        return export_project_qdpx(project, output, coder)
    if output.suffix.lower() not in TABLE_SUFFIXES:
        err.print(f"[red]error:[/] {output}: use one of {', '.join(TABLE_SUFFIXES)}", highlight=False)
        raise typer.Exit(2)
    if run and output.suffix.lower() == ".qdpx":
        err.print("[red]error:[/] --run applies to codings tables, not .qdpx")
        raise typer.Exit(2)
    with _open(project) as p:
        keys = None
        runs = p.store.coding_runs(coders=coder or None)
        if run:  # the run_id column of the codings (a run's key), or a run of `project status`
            by_id = {r["id"]: r["key"] for r in p.runs()}
            known = set(by_id.values()).union(*runs.values())
            unknown = sorted(x for x in run if x not in known and x not in by_id)
            if unknown:
                err.print(f"[red]error:[/] no run {', '.join(unknown)} in {_esc(str(project))} (the run_id column of "
                          "its codings, or a run of `qualcoop project status`)", highlight=False, soft_wrap=True)
                raise typer.Exit(2)
            keys = sorted({by_id.get(x, x) for x in run})
        n = p.export(output, coders=coder or None, runs=keys)
    mixed = {} if run else {who: sorted(ids) for who, ids in runs.items() if len(ids) > 1}
    err.print(f"{n} coding(s) -> {output}", highlight=False)
    for who, ids in sorted(mixed.items()):
        err.print(f"note: coder {who}'s codings come from {len(ids)} runs ({', '.join(ids)}); `--run RUN_ID` "
                  "exports one", highlight=False, soft_wrap=True)


@project_app.command("add-codings")
def project_add_codings(
    project: ProjectArg,
    table: Annotated[Path, typer.Argument(help="Codings table (.csv, .xlsx, .parquet, .jsonl).", show_default=False)],
    codebook: Annotated[Optional[str], typer.Option("--codebook", "-c",
                                                    help="Check code ids against this codebook.")] = None,
    coder: Annotated[Optional[str], typer.Option("--coder", help="Coder of every row (instead of the coder column).")]
    = None,
) -> None:
    """Add a codings table (e.g. a coder's work, or spans coded elsewhere): all rows or, on any problem, none."""
    cb = None
    if codebook:
        try:
            cb = _load_quietly(codebook)
        except QualcoopError as e:
            _fail_with_problems(e)
    with _open(project) as p:
        try:
            n = p.add_codings_table(table, codebook=cb, coder=coder)
        except QualcoopError as e:
            _fail_with_problems(e)
    err.print(f"{n} coding(s) added from {table}", highlight=False)


@project_app.command("status")
def project_status(project: ProjectArg) -> None:
    """Documents, codings per coder, and the runs with their failures."""
    with _open(project) as p:
        n_docs = len(p.document_ids())
        per_coder: dict[str, int] = {}
        for s in p.stored_codings():
            per_coder[s.coding.provenance.coder] = per_coder.get(s.coding.provenance.coder, 0) + 1
        runs = p.runs()
        errors = p.run_errors()
        url = p.url
    out.print(f"{url}: {n_docs} document(s), {sum(per_coder.values())} current coding(s)", highlight=False)
    table = Table(title="Runs")
    table.add_column("run", overflow="fold")
    for col in ("command", "codebook", "status", "coded", "skipped", "failed", "codings"):
        table.add_column(col)
    for r in runs:
        st = r["stats"]
        table.add_row(r["id"], r["command"], f"{r['settings'].get('codebook', '')} {r['settings'].get('codebook_version', '')}",
                      r["status"], *(str(st.get(k, "")) for k in ("coded", "skipped", "failed", "codings")))
    out.print(table)
    for coder_name, n in sorted(per_coder.items()):
        out.print(f"  {_esc(coder_name)}: {n} coding(s)", highlight=False)
    for e in errors:
        err.print(f"  {e.run_id} {e.path}: {e.type} {_esc(e.message)}", highlight=False)


