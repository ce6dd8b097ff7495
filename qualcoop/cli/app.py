"""The ``qualcoop`` command. The only place that prints, prompts or exits.

Exit codes: 0 success; 1 some input files failed (everything that succeeded was
written); 2 bad usage, bad codebook or bad options.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from .. import __version__
from ..errors import Failure, QualcoopError
from .inputs import Encoding, Exclude, FollowSymlinks, Include, report_skipped
from .messages import for_terminal

app = typer.Typer(
    name="qualcoop",
    help="Extract, segment and code policy documents and interview transcripts (English and Indonesian).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
codebook_app = typer.Typer(help="Check and show codebooks.", no_args_is_help=True)
app.add_typer(codebook_app, name="codebook")

out = Console()
err = Console(stderr=True, soft_wrap=True)  # a long path stays on one line, never cut mid-name

UNITS_HELP = "Segment unit: document, turn, paragraph, sentence, article (alias section) or window."


def _version(value: bool) -> None:
    if value:
        out.print(f"qualcoop {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                         help="Show the version and exit.")] = False,
) -> None:
    """qualcoop: computer-assisted qualitative analysis of international-cooperation documents."""
    from .messages import WarningSummary

    summary = WarningSummary()  # Python warnings: one line each, grouped by kind, at the end
    summary.install()
    ctx.call_on_close(lambda: summary.print(err))


def _progress(total: int):
    """A progress bar on stderr, shown only for runs long enough to need one."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    if total < 5:
        return None, (lambda _p: None)
    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), console=err, transient=True)
    task = bar.add_task("files", total=total)
    return bar, (lambda _p: bar.advance(task))


def _report_failures(failures: list[Failure]) -> None:
    if not failures:
        return
    err.print(f"[bold red]{len(failures)} file(s) failed:[/]")
    for f in failures:  # data (paths, parser messages) is never read as markup
        err.print(f"  {_esc(f.path)}: [red]{f.kind}[/] {_esc(' '.join(for_terminal(f.error.message).split()))}",
                  highlight=False, soft_wrap=True)  # one line per failed file


def _options(password: str | None, pdf_engine: str | None, errors_replace: bool, lang: str | None,
             transcript: bool | None, speaker_pattern: str | None, timeout: float | None,
             encoding: str | None = None, *, memory_limit: int | None = None):
    from ..extract.base import ExtractOptions

    kw = {}
    if timeout is not None:
        kw["timeout"] = timeout
    if memory_limit is not None:
        kw["memory_limit_mb"] = memory_limit
    if pdf_engine:
        kw["pdf_engine"] = pdf_engine if "." in pdf_engine else f"pdf.{pdf_engine}.v1"
    if encoding:
        kw["encoding"] = encoding
    return ExtractOptions(password=password, errors="replace" if errors_replace else "strict",
                          lang=lang, transcript=transcript, speaker_pattern=speaker_pattern, **kw)


PathsArg = Annotated[list[Path], typer.Argument(help="Files or folders.", show_default=False)]
Recursive = Annotated[bool, typer.Option("--recursive/--no-recursive", "-r",
                                         help="Walk folders recursively.")]
Password = Annotated[Optional[str], typer.Option("--password", help="Password for encrypted PDFs.")]
PdfEngine = Annotated[Optional[str], typer.Option("--pdf-engine",
                                                  help="pypdfium2 (default, fast) or pdfplumber (layout).")]
Replace = Annotated[bool, typer.Option("--replace-undecodable",
                                       help="Replace undecodable bytes with U+FFFD instead of failing.")]
Transcript = Annotated[Optional[bool], typer.Option("--transcript/--no-transcript",
                                                    help="Force or forbid speaker-turn parsing of TXT/DOCX.")]
SpeakerPattern = Annotated[Optional[str], typer.Option(
    "--speaker-pattern", help="Regex with a named group 'speaker' for speaker labels.")]
Timeout = Annotated[Optional[float], typer.Option(
    "--timeout", help="Seconds the extraction of one file may take (default 120; see README, Limits).")]
MemoryLimit = Annotated[Optional[int], typer.Option(
    "--memory-limit", metavar="MB", min=0,
    help="MB of memory the extraction of one file may add (default 2048; 0: no cap; see README, Limits).")]
Unit = Annotated[str, typer.Option("--unit", "-u", help=UNITS_HELP)]
DocLang = Annotated[Optional[str], typer.Option("--lang", help="Language for documents without one (en, id).")]
Coder = Annotated[str, typer.Option("--coder", help="Coder name recorded in provenance.")]
Workers = Annotated[int, typer.Option("--workers", "-w", min=1,
                                      help="Worker processes (output is identical to --workers 1).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress; only the summary and errors.")]
ModelPath = Annotated[Optional[Path], typer.Option(
    "--model", help="A trained coder (qualcoop learn) whose codings join the rules' (method rule, model or "
                    "rule+model, and a confidence); in a project the model is part of the run's key.")]
ModelThreshold = Annotated[Optional[float], typer.Option(
    "--model-threshold", help="One probability threshold instead of the model's learned ones.")]
KeepFurniture = Annotated[bool, typer.Option(
    "--keep-furniture", help="Keep running headers, footers and page numbers of PDFs as segments "
                             "(by default they are marked and left out).")]


@app.command()
def extract(
    paths: PathsArg,
    output: Annotated[Path, typer.Option("-o", "--output",
                                         help="Output: .jsonl (documents + segments), .csv, .parquet, .xlsx (segments).")]
    = Path("segments.jsonl"),
    unit: Unit = "paragraph",
    recursive: Recursive = True,
    lang: DocLang = None,
    password: Password = None,
    pdf_engine: PdfEngine = None,
    replace_undecodable: Replace = False,
    transcript: Transcript = None,
    speaker_pattern: SpeakerPattern = None,
    timeout: Timeout = None,
    memory_limit: MemoryLimit = None,
    include: Include = None,
    exclude: Exclude = None,
    follow_symlinks: FollowSymlinks = False,
    encoding: Encoding = None,
    workers: Workers = 1,
    quiet: Quiet = False,
    keep_furniture: KeepFurniture = False,
) -> None:
    """Extract documents and segment them; write documents and segments with exact offsets."""
    from .run_cmd import execute, report_failures, resolve_or_exit
    from ..run import SegmentTable

    options = _options(password, pdf_engine, replace_undecodable, lang, transcript, speaker_pattern, timeout,
                       encoding, memory_limit=memory_limit)
    settings = resolve_or_exit(paths, unit=unit, lang=lang, output=output, recursive=recursive, options=options,
                               workers=workers, include=include or (), exclude=exclude or (),
                               follow_symlinks=follow_symlinks,
                               keep_furniture=keep_furniture)
    summary = execute(settings, [SegmentTable(output)], quiet=quiet, segments=True,
                      documents=output.suffix.lower() == ".jsonl", codings=False)
    err.print(f"{summary.documents} document(s), {summary.segments} {settings.unit} segment(s) -> {_esc(str(output))}",
              highlight=False, soft_wrap=True)
    report_skipped(settings.skipped, err)
    report_failures(summary)
    raise typer.Exit(1 if summary.failures else 0)


@app.command()
def code(
    paths: PathsArg,
    codebook: Annotated[str, typer.Option("--codebook", "-c",
                                          help="Codebook file, or the name of a shipped one "
                                               "(international_cooperation).")],
    output: Annotated[Optional[Path], typer.Option(
        "-o", "--output", help="Coded segments: .csv, .parquet, .jsonl or .xlsx.")] = None,
    unit: Unit = "paragraph",
    lang: DocLang = None,
    coder: Coder = "qualcoop",
    recursive: Recursive = True,
    password: Password = None,
    pdf_engine: PdfEngine = None,
    replace_undecodable: Replace = False,
    transcript: Transcript = None,
    speaker_pattern: SpeakerPattern = None,
    timeout: Timeout = None,
    memory_limit: MemoryLimit = None,
    include: Include = None,
    exclude: Exclude = None,
    follow_symlinks: FollowSymlinks = False,
    encoding: Encoding = None,
    workers: Workers = 1,
    quiet: Quiet = False,
    keep_furniture: KeepFurniture = False,
    model: ModelPath = None,
    model_threshold: ModelThreshold = None,
) -> None:
    """Code documents with a codebook: one row per coded segment, with the rules and words behind it."""
    from .run_cmd import execute, report_failures, resolve_or_exit
    from ..run import CodingTable

    options = _options(password, pdf_engine, replace_undecodable, lang, transcript, speaker_pattern, timeout,
                       encoding, memory_limit=memory_limit)
    settings = resolve_or_exit(paths, codebook=codebook, unit=unit, lang=lang, coder=coder, output=output,
                               recursive=recursive, options=options, workers=workers, include=include or (),
                               exclude=exclude or (), follow_symlinks=follow_symlinks,
                               keep_furniture=keep_furniture,
                               **({"model": model, "model_threshold": model_threshold}
                                  if model is not None or model_threshold is not None else {}))
    summary = execute(settings, [CodingTable(output, model=model is not None)] if output is not None else [],
                      quiet=quiet)
    _print_counts(settings.codebook, summary.code_counts, summary.negated_counts)
    err.print(f"{summary.documents} document(s), {summary.codings} coding(s) of {settings.unit} segments"
              + (f" -> {_esc(str(output))}" if output else ""), highlight=False, soft_wrap=True)
    if model is not None:
        m = summary.method_counts
        err.print(f"model {_esc(str(model))}: {m.get('model', 0)} coding(s) added by the model, "
                  f"{m.get('rule+model', 0)} of the rules' confirmed by it (method rule+model)",
                  highlight=False, soft_wrap=True)
    report_skipped(settings.skipped, err)
    report_failures(summary)
    raise typer.Exit(1 if summary.failures else 0)


def _load_quietly(source: str):
    """Load a codebook; its warnings become one line (``codebook check`` lists them)."""
    import warnings

    from ..codebook import load_codebook
    from ..errors import CodebookWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CodebookWarning)
        cb = load_codebook(source)
    if caught:
        err.print(f"[yellow]codebook {_esc(cb.name)}: warnings; `qualcoop codebook check {_esc(source)}` lists them[/]")
    return cb


def _fail_with_problems(e: QualcoopError) -> None:
    """Print every problem of a bad codebook or codings table (or the error) and exit with status 2."""
    from .._codings_table import problem_line
    from ..errors import CodebookError, CodingsTableError

    if isinstance(e, CodebookError):
        err.print(f"[bold red]{len(e.problems)} problem(s)[/] in codebook {_esc(e.path)}:")
        for p in e.problems:
            err.print(f"  {p}", highlight=False, markup=False)
    elif isinstance(e, CodingsTableError):
        err.print(f"[bold red]{len(e.problems)} problem(s)[/] in {_esc(e.path)}; nothing was imported:")
        for p in e.problems:
            err.print(f"  {problem_line(p)}", highlight=False, markup=False)
    else:
        err.print(f"[red]error:[/] {_esc(str(e))}")
    raise typer.Exit(2) from None


def _print_frequencies(codings) -> None:
    """Code frequencies of a CodingSet: segments and documents per code, in codebook order; negated
    codings ("no funding": not evidence for the code) are counted apart."""
    counts: dict[str, list] = {}
    negated: dict[str, int] = {}
    for c in codings:
        slot = counts.setdefault(c.code_id, [0, set()])
        if c.negated:
            negated[c.code_id] = negated.get(c.code_id, 0) + 1
            continue
        slot[0] += 1
        slot[1].add(c.doc_id)
    _print_counts(codings.codebook, {k: [n, len(d)] for k, (n, d) in counts.items()}, negated)


def _print_counts(cb, counts: dict[str, list[int]], negated: dict[str, int] | None = None) -> None:
    """Code frequencies (``code -> [segments, documents]``, negated codings apart) as a table."""
    negated = negated or {}
    table = Table(title=_esc(f"Code frequencies ({cb.name} {cb.version})") if cb else "Code frequencies")
    table.add_column("code")
    table.add_column("name")
    table.add_column("segments", justify="right")
    table.add_column("documents", justify="right")
    table.add_column("negated", justify="right")
    order = [c.id for _, c in cb.walk()] if cb else sorted(set(counts) | set(negated))
    for cid in order:
        if cid in counts or cid in negated:
            name = cb.get(cid).name if cb else ""
            n, d = counts.get(cid, [0, 0])
            table.add_row(_esc(cid), _esc(name), str(n), str(d), str(negated.get(cid, 0)))
    out.print(table)


def _columns(rows: list[dict], fixed: tuple[str, ...]) -> list[str]:
    extra: dict[str, None] = {}
    for r in rows:
        for k in r:
            if k not in fixed:
                extra.setdefault(k, None)
    return [*fixed, *sorted(extra)]


@codebook_app.command("check")
def codebook_check(
    source: Annotated[str, typer.Argument(help="Codebook file or shipped codebook name.")],
) -> None:
    """Validate a codebook; list every problem with file, line, code and rule."""
    from ..codebook import validate_codebook

    try:
        cb = _load_quietly(source)
    except QualcoopError as e:
        _fail_with_problems(e)
    warnings = [p for p in validate_codebook(source) if p.kind == "warning"]  # located to the field
    for p in warnings:
        err.print(f"  warning: {p}", highlight=False, markup=False)
    n_rules = sum(len(c.rules) for c in cb.codes)
    out.print(_esc(f"{cb.name} {cb.version}") + f": OK ({len(cb.codes)} codes, {n_rules} rules, "
              f"languages {_esc(', '.join(cb.languages))}; {len(warnings)} warning(s))")


@codebook_app.command("show")
def codebook_show(
    source: Annotated[str, typer.Argument(help="Codebook file or shipped codebook name.")],
    lang: Annotated[Optional[str], typer.Option("--lang", help="Show labels in this language.")] = None,
    rules: Annotated[bool, typer.Option("--rules", help="List each rule with its kind and words.")] = False,
) -> None:
    """Print the codebook's tree with definitions, rule counts and the (versioned) rule kinds used."""
    from rich.tree import Tree

    from ..kinds import rule_terms, versioned_name

    try:
        cb = _load_quietly(source)
    except QualcoopError as e:
        _fail_with_problems(e)
    tree = Tree(f"[bold]{_esc(cb.name)}[/] {_esc(cb.version)} ({_esc(', '.join(cb.languages))})")
    nodes = {}
    for depth, code in cb.walk():
        parent = nodes.get(code.parent, tree)
        label = code.label(lang)
        used = ", ".join(dict.fromkeys(versioned_name(r.kind) or r.kind for r in code.rules))
        counts = f" [dim]{len(code.rules)} rule(s): {_esc(used)}[/]" if code.rules else ""
        node = parent.add(f"[bold]{_esc(code.id)}[/] {_esc(label)}{counts}")
        if code.definition:
            node.add(f"[dim]{_esc(code.definition)}[/]")
        if rules:
            for r in code.rules:
                words = ", ".join(rule_terms(r))
                node.add(f"[cyan]{_esc(r.id)}[/] {_esc(versioned_name(r.kind) or r.kind)}"
                         + (f" [dim]{_esc(words[:120])}[/]" if words else ""))
        nodes[code.id] = node
    out.print(tree)


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


# commands defined in sibling modules register themselves on `app` when imported
from . import analysis_cmd, topics_cmd  # noqa: E402,F401
from . import refi_cmd  # noqa: E402,F401  (branch refi: codebook convert, refi *)
from . import project_cmd  # noqa: E402,F401  (branch store)
from . import run_cmd  # noqa: E402,F401  (batch; shared run body of code/extract)
from . import team_cmd  # noqa: E402,F401  (branch team: agreement, validate, sheets, adjudicate)
from . import learn_cmd  # noqa: E402,F401  (branch learn: learn, suggest)
from . import formats_cmd  # noqa: E402,F401  (qualcoop formats: the registries)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except SystemExit:
        raise
    except QualcoopError as e:  # a typed error no command caught (e.g. an output format): bad usage
        err.print(f"error: {' '.join(str(e).split())}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
    except OSError as e:
        if e.errno in _DISK_FULL:
            where = f" ({e.filename})" if e.filename else ""
            err.print(f"error: cannot write{where}: {e.strerror or e}; free some disk space (or choose another "
                      "output place) and run again", markup=False, highlight=False, soft_wrap=True)
            sys.exit(1)
        _crash(e)
    except Exception as e:  # the last resort: one line on the terminal, the traceback in a log file
        _crash(e)


#: errno values of a full disk, a quota or a file-size limit
_DISK_FULL = {28, 27, 122}  # ENOSPC, EFBIG, EDQUOT


def _crash(e: BaseException) -> None:
    """Write the traceback to a log file, print one line naming it, exit 1."""
    import os
    import tempfile
    import time
    import traceback

    folder = os.environ.get("QUALCOOP_LOG_DIR") or tempfile.gettempdir()
    name = f"qualcoop-crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    log = Path(folder) / name
    try:
        log.write_text(f"qualcoop {__version__}\nargv: {sys.argv!r}\n\n" + traceback.format_exc(), encoding="utf-8")
        where = f"the traceback is in {log}"
    except OSError:
        where = "the traceback could not be written to a log file"
    first = (str(e).strip().splitlines() or [""])[0][:200]
    err.print(f"internal error: {type(e).__name__}: {first} ({where}; please report it)",
              markup=False, highlight=False, soft_wrap=True)
    sys.exit(1)


if __name__ == "__main__":
    main()
