"""REFI-QDA exchange on the command line: ``codebook convert`` and the ``refi`` commands
(``refi inspect``, ``refi convert``, ``refi code``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import Failure, QualcoopError
from .app import (UNITS_HELP, PathsArg, Recursive, _esc, _fail_with_problems, _load_quietly, app, codebook_app, err,
                  out)

refi_app = typer.Typer(help="REFI-QDA projects (.qdpx) to and from NVivo, ATLAS.ti, MAXQDA, QualCoder.",
                       no_args_is_help=True)
app.add_typer(refi_app, name="refi")


@codebook_app.command("convert")
def codebook_convert(
    source: Annotated[str, typer.Argument(help="Codebook file (.yaml .json .qdc .dic .csv) or shipped name.")],
    target: Annotated[Path, typer.Argument(help="File to write; the format follows the suffix.")],
    to: Annotated[Optional[str], typer.Option(
        "--to", help="Target format (e.g. quanteda.yaml.v1 to write a .yml as a quanteda dictionary).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 2) if the target loses anything.")] = False,
    show_all: Annotated[bool, typer.Option("--all", help="List every item the target cannot hold.")] = False,
) -> None:
    """Convert a codebook between qualcoop YAML/JSON, REFI-QDA .qdc, quanteda YAML, LIWC .dic and CSV.

    Everything the target format cannot hold is listed (nothing is dropped silently).
    """
    from ..codebook import load_codebook
    from ..codebook.convert import conversion_losses, convert_codebook

    try:
        if strict:
            cb = _load_quietly(source)
            from ..codebook import SUFFIX_FORMATS

            lost = conversion_losses(cb, to or SUFFIX_FORMATS.get(target.suffix.lower(), ""))
            if lost:
                for line in lost:
                    err.print(f"  lost: {line}", highlight=False, markup=False, soft_wrap=True)
                err.print(f"[bold red]{len(lost)} item(s) cannot be held by {_esc(target.suffix)}[/]; nothing written")
                raise typer.Exit(2)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lost = convert_codebook(source, target, to_format=to)
            n = len(load_codebook(target, format=to))
    except QualcoopError as e:
        _fail_with_problems(e)
    limit = len(lost) if show_all else 20
    for line in lost[:limit]:
        err.print(f"  lost: {line}", highlight=False, markup=False, soft_wrap=True)
    if len(lost) > limit:
        err.print(f"  ... and {len(lost) - limit} more (--all lists them)", highlight=False, markup=False)
    out.print(f"wrote {target} ({n} codes; {len(lost)} item(s) the format cannot hold)", highlight=False, markup=False)


def _print_report(report: tuple[str, ...], limit: int) -> None:
    for line in report[:limit]:
        err.print(f"  not carried over / repaired: {line}", highlight=False, markup=False, soft_wrap=True)
    if len(report) > limit:
        err.print(f"  ... and {len(report) - limit} more (--all lists them)", highlight=False, markup=False)


@refi_app.command("inspect")
def refi_inspect(
    path: Annotated[Path, typer.Argument(help="A .qdpx project (or a bare .qde).")],
    show_all: Annotated[bool, typer.Option("--all", help="List every report line.")] = False,
) -> None:
    """Read a REFI-QDA project safely and summarise it: users, codes, documents, codings, sets, notes,
    and what could not be carried over."""
    from ..export.refi import read_qdpx

    try:
        p = read_qdpx(path)
    except QualcoopError as e:
        err.print(f"[bold red]error:[/] {_esc(e.message)}", highlight=False)
        raise typer.Exit(2) from None
    out.print(f"{p.name} (from {p.origin or 'unknown tool'}): {len(p.users)} user(s), {len(p.codebook)} code(s), "
              f"{len(p.documents)} document(s), {len(p.codings)} coding(s), {len(p.sets)} set(s), "
              f"{len(p.notes)} note(s)", highlight=False, markup=False)
    coders: dict[str, int] = {}
    for c in p.codings:
        coders[c.provenance.coder] = coders.get(c.provenance.coder, 0) + 1
    for name, n in coders.items():
        out.print(f"  coder {name}: {n} coding(s)", highlight=False, markup=False)
    _print_report(p.report, 10**9 if show_all else 20)


@refi_app.command("convert")
def refi_convert(
    source: Annotated[Path, typer.Argument(help="A .qdpx project from any tool.")],
    target: Annotated[Path, typer.Argument(help="The .qdpx (or .qdc: the codebook only) to write.")],
    utf16: Annotated[bool, typer.Option("--utf16", help="Write positions as UTF-16 code units (as NVivo).")] = False,
) -> None:
    """Re-write a project (or its codebook) as schema-valid REFI-QDA with deterministic GUIDs."""
    from ..codebook.qdc import write_qdc
    from ..export.refi import read_qdpx, write_qdpx

    try:
        p = read_qdpx(source)
        if target.suffix.lower() == ".qdc":
            write_qdc(p.codebook, target)
        else:
            write_qdpx(p, target, offsets="utf16" if utf16 else "codepoints")
    except QualcoopError as e:
        err.print(f"[bold red]error:[/] {_esc(e.message)}", highlight=False)
        raise typer.Exit(2) from None
    _print_report(p.report, 20)
    out.print(f"wrote {target}", highlight=False, markup=False)


@refi_app.command("code")
def refi_code(
    paths: PathsArg,
    codebook: Annotated[str, typer.Option("--codebook", "-c", help="Codebook file (.yaml .qdc ...) or shipped name.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The .qdpx to write.")],
    unit: Annotated[str, typer.Option("--unit", help=UNITS_HELP)] = "paragraph",
    name: Annotated[Optional[str], typer.Option("--name", help="Project name (default: the output's stem).")] = None,
    recursive: Recursive = False,
    utf16: Annotated[bool, typer.Option("--utf16", help="Write positions as UTF-16 code units (as NVivo).")] = False,
) -> None:
    """Extract and code documents, and write them with their machine codings as a .qdpx project that
    NVivo, ATLAS.ti, MAXQDA or QualCoder can open (coder and rule provenance in each selection's
    description)."""
    from ..corpus import Corpus
    from ..export.refi import project_from_codings, write_qdpx
    from ..match import compile_codebook
    from ..pipeline import code_documents
    from .app import _report_failures

    try:
        cb = _load_quietly(codebook)
        compiled = compile_codebook(cb)
    except QualcoopError as e:
        _fail_with_problems(e)
    corpus = Corpus.from_paths(paths, recursive=recursive)
    if not corpus.paths:
        err.print("[red]no input files found[/]")
        raise typer.Exit(2)
    failures: list = []
    docs = []
    for result in corpus.iter_results():
        (failures if isinstance(result, Failure) else docs).append(result)
    codings, failed = code_documents(docs, compiled, unit=unit)
    failures.extend(failed)
    try:
        write_qdpx(project_from_codings(codings, name=name or output.stem), output,
                   offsets="utf16" if utf16 else "codepoints")
    except QualcoopError as e:
        err.print(f"[bold red]error:[/] {_esc(e.message)}", highlight=False)
        raise typer.Exit(2) from None
    out.print(f"wrote {output}: {len(codings.documents)} document(s), {len(codings)} coding(s)", highlight=False, markup=False)
    _report_failures(failures)
    if failures:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- project store glue
from .project_cmd import ProjectArg, project_app  # noqa: E402


@project_app.command("import")
def project_import(
    source: Annotated[Path, typer.Argument(help="A .qdpx project from NVivo, ATLAS.ti, MAXQDA, QualCoder, ...",
                                           show_default=False)],
    project: ProjectArg,
    show_all: Annotated[bool, typer.Option("--all", help="List every report line.")] = False,
) -> None:
    """Import a REFI-QDA project (.qdpx) into PROJECT (created when it does not exist): users, codebook,
    documents with their attributes, codings with their coders and dates, memos, sets."""
    from ..project_refi import import_qdpx

    try:
        r = import_qdpx(source, project)
    except QualcoopError as e:
        err.print(f"[bold red]error:[/] {_esc(e.message)}", highlight=False)
        raise typer.Exit(2) from None
    _print_report(r.report, 10**9 if show_all else 20)
    out.print(f"imported {source} -> {r.project}: {r.users} user(s), {r.codes} code(s), {r.documents} document(s) "
              f"({r.new_documents} new), {r.codings} coding(s), {r.notes} memo(s), {r.sets} set(s)",
              highlight=False, markup=False)


def export_project_qdpx(project: str, output: Path, coders: list[str] | None, *, utf16: bool = False) -> None:
    """``project export PROJECT out.qdpx``: the project as a REFI-QDA archive (called by project_cmd)."""
    from ..project_refi import export_qdpx

    try:
        report = export_qdpx(project, output, coders=coders, offsets="utf16" if utf16 else "codepoints")
    except QualcoopError as e:
        err.print(f"[bold red]error:[/] {_esc(e.message)}", highlight=False)
        raise typer.Exit(2) from None
    _print_report(report, 20)
    err.print(f"project -> {output}", highlight=False, markup=False)


def project_location(paths: list[Path]) -> str | None:
    """The project a command was given instead of tables or documents (one SQLite project file or a
    ``postgresql`` URL), else ``None``. (Typer's Path turns ``scheme://`` into ``scheme:/``.)"""
    if len(paths) != 1:
        return None
    text = str(paths[0])
    if text.startswith("postgresql"):
        return text if "://" in text else text.replace(":/", "://", 1)
    try:
        with open(paths[0], "rb") as fh:
            return text if fh.read(16) == b"SQLite format 3\x00" else None
    except OSError:
        return None


def project_codings(location: str):
    """The current codings of a project, with their documents and codebook (e.g. one imported from NVivo)."""
    from ..project import Project

    with Project.open(location, create=False) as p:
        return p.codings()
