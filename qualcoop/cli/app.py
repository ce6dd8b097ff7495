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
err = Console(stderr=True)

UNITS_HELP = "Segment unit: document, turn, paragraph, sentence, article (alias section) or window."


def _version(value: bool) -> None:
    if value:
        out.print(f"qualcoop {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                         help="Show the version and exit.")] = False,
) -> None:
    """qualcoop: computer-assisted qualitative analysis of international-cooperation documents."""


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
    for f in failures:
        err.print(f"  {f.path}: [red]{f.kind}[/] {f.error.message}", markup=True, highlight=False)


def _options(password: str | None, pdf_engine: str | None, errors_replace: bool, lang: str | None,
             transcript: bool | None, speaker_pattern: str | None, timeout: float):
    from ..extract.base import ExtractOptions

    kw = {}
    if pdf_engine:
        kw["pdf_engine"] = pdf_engine if "." in pdf_engine else f"pdf.{pdf_engine}.v1"
    return ExtractOptions(password=password, errors="replace" if errors_replace else "strict",
                          lang=lang, transcript=transcript, speaker_pattern=speaker_pattern,
                          timeout=timeout, **kw)


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
Timeout = Annotated[float, typer.Option("--timeout", help="Seconds one PDF may take.")]


@app.command()
def extract(
    paths: PathsArg,
    output: Annotated[Path, typer.Option("-o", "--output",
                                         help="Output: .jsonl (documents + segments), .csv, .parquet, .xlsx (segments).")]
    = Path("segments.jsonl"),
    unit: Annotated[str, typer.Option("--unit", "-u", help=UNITS_HELP)] = "paragraph",
    recursive: Recursive = True,
    lang: Annotated[Optional[str], typer.Option("--lang", help="Language for documents without one (en, id).")] = None,
    password: Password = None,
    pdf_engine: PdfEngine = None,
    replace_undecodable: Replace = False,
    transcript: Transcript = None,
    speaker_pattern: SpeakerPattern = None,
    timeout: Timeout = 120.0,
) -> None:
    """Extract documents and segment them; write documents and segments with exact offsets."""
    from ..corpus import discover
    from ..export import JsonlWriter, write_table
    from ..pipeline import SEGMENT_COLUMNS, document_record, iter_segmented, segment_records

    options = _options(password, pdf_engine, replace_undecodable, lang, transcript, speaker_pattern, timeout)
    files = discover(paths, recursive=recursive)
    if not files:
        err.print("[red]no input files found[/]")
        raise typer.Exit(2)
    failures: list[Failure] = []
    rows: list[dict] = []
    n_docs = n_segs = 0
    jsonl = output.suffix.lower() == ".jsonl"
    writer = JsonlWriter(output) if jsonl else None
    bar, tick = _progress(len(files))
    try:
        if bar:
            bar.start()
        for item in iter_segmented(files, unit=unit, recursive=recursive, options=options, progress=tick):
            if isinstance(item, Failure):
                failures.append(item)
                continue
            doc, segs = item
            n_docs += 1
            n_segs += len(segs)
            recs = segment_records(doc, segs)
            if writer:
                writer.write(document_record(doc))
                for r in recs:
                    writer.write({"record": "segment", **r})
            else:
                rows.extend(recs)
    except QualcoopError as e:
        err.print(f"[red]error:[/] {e}")
        raise typer.Exit(2) from None
    finally:
        if bar:
            bar.stop()
        if writer:
            writer.close()
    if not writer:
        write_table(rows, output, columns=_columns(rows, SEGMENT_COLUMNS))
    err.print(f"{n_docs} document(s), {n_segs} {unit} segment(s) -> {output}")
    _report_failures(failures)
    raise typer.Exit(1 if failures else 0)


@app.command()
def code(
    paths: PathsArg,
    codebook: Annotated[str, typer.Option("--codebook", "-c",
                                          help="Codebook file, or the name of a shipped one "
                                               "(international_cooperation).")],
    output: Annotated[Optional[Path], typer.Option(
        "-o", "--output", help="Coded segments: .csv, .parquet, .jsonl or .xlsx.")] = None,
    unit: Annotated[str, typer.Option("--unit", "-u", help=UNITS_HELP)] = "paragraph",
    lang: Annotated[Optional[str], typer.Option("--lang", help="Language for documents without one (en, id).")] = None,
    coder: Annotated[str, typer.Option("--coder", help="Coder name recorded in provenance.")] = "qualcoop",
    recursive: Recursive = True,
    password: Password = None,
    pdf_engine: PdfEngine = None,
    replace_undecodable: Replace = False,
    transcript: Transcript = None,
    speaker_pattern: SpeakerPattern = None,
    timeout: Timeout = 120.0,
) -> None:
    """Code documents with a codebook: one row per coded segment, with the rules and words behind it."""
    from ..corpus import Corpus
    from ..export import write_table
    from ..match import compile_codebook
    from ..model import CODING_COLUMNS
    from ..pipeline import code_documents

    options = _options(password, pdf_engine, replace_undecodable, lang, transcript, speaker_pattern, timeout)
    try:
        cb = _load_quietly(codebook)
        compiled = compile_codebook(cb)
    except QualcoopError as e:
        _fail_on_codebook(e)
        err.print(f"[red]error:[/] {e}")
        raise typer.Exit(2) from None
    corpus = Corpus.from_paths(paths, recursive=recursive, options=options)
    if not corpus.paths:
        err.print("[red]no input files found[/]")
        raise typer.Exit(2)
    failures: list[Failure] = []
    docs = []
    bar, tick = _progress(len(corpus.paths))
    try:
        if bar:
            bar.start()
        for path, result in zip(corpus.paths, corpus.iter_results()):
            (failures if isinstance(result, Failure) else docs).append(result)
            tick(str(path))
    finally:
        if bar:
            bar.stop()
    codings, failed = code_documents(docs, compiled, unit=unit, lang=lang, coder=coder)
    failures.extend(failed)
    for message in codings.warnings:
        err.print(f"[yellow]warning:[/] {message}", highlight=False)
    if output is not None:
        write_table(codings.to_records(), output, columns=CODING_COLUMNS)
    _print_frequencies(codings)
    n_segments = len({(c.doc_id, c.segment_index) for c in codings})
    err.print(f"{len(docs)} document(s), {n_segments} coded {unit} segment(s), {len(codings)} coding(s)"
              + (f" -> {output}" if output else ""))
    _report_failures(failures)
    raise typer.Exit(1 if failures else 0)


def _load_quietly(source: str):
    """Load a codebook; its warnings become one line (``codebook check`` lists them)."""
    import warnings

    from ..codebook import load_codebook
    from ..errors import CodebookWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CodebookWarning)
        cb = load_codebook(source)
    if caught:
        err.print(f"[yellow]codebook {cb.name}: warnings; `qualcoop codebook check {source}` lists them[/]")
    return cb


def _fail_on_codebook(e: QualcoopError) -> None:
    """Print every problem of a bad codebook (or the error) and exit with status 2."""
    from ..errors import CodebookError

    if isinstance(e, CodebookError):
        err.print(f"[bold red]{len(e.problems)} problem(s)[/] in codebook {e.path}:")
        for p in e.problems:
            err.print(f"  {p}", highlight=False, markup=False)
    else:
        err.print(f"[red]error:[/] {e}")
    raise typer.Exit(2) from None


def _print_frequencies(codings) -> None:
    """Code frequencies: segments and documents per code, in codebook order."""
    cb = codings.codebook
    segs: dict[str, int] = {}
    docs: dict[str, set] = {}
    for c in codings:
        segs[c.code_id] = segs.get(c.code_id, 0) + 1
        docs.setdefault(c.code_id, set()).add(c.doc_id)
    table = Table(title=f"Code frequencies ({cb.name} {cb.version})" if cb else "Code frequencies")
    table.add_column("code")
    table.add_column("name")
    table.add_column("segments", justify="right")
    table.add_column("documents", justify="right")
    order = [c.id for _, c in cb.walk()] if cb else sorted(segs)
    for cid in order:
        if cid in segs:
            name = cb.get(cid).name if cb else ""
            table.add_row(cid, _esc(name), str(segs[cid]), str(len(docs[cid])))
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
        _fail_on_codebook(e)
    warnings = [p for p in validate_codebook(source) if p.kind == "warning"]  # located to the field
    for p in warnings:
        err.print(f"  warning: {p}", highlight=False, markup=False)
    n_rules = sum(len(c.rules) for c in cb.codes)
    out.print(f"{cb.name} {cb.version}: OK ({len(cb.codes)} codes, {n_rules} rules, "
              f"languages {', '.join(cb.languages)}; {len(warnings)} warning(s))")


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
        _fail_on_codebook(e)
    tree = Tree(f"[bold]{cb.name}[/] {cb.version} ({', '.join(cb.languages)})")
    nodes = {}
    for depth, code in cb.walk():
        parent = nodes.get(code.parent, tree)
        label = code.label(lang)
        used = ", ".join(dict.fromkeys(versioned_name(r.kind) or r.kind for r in code.rules))
        counts = f" [dim]{len(code.rules)} rule(s): {_esc(used)}[/]" if code.rules else ""
        node = parent.add(f"[bold]{code.id}[/] {_esc(label)}{counts}")
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
from . import formats_cmd  # noqa: E402,F401  (qualcoop formats: the registries)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
