"""``qualcoop report``, ``qualcoop stats`` and ``qualcoop kwic``: the thematic-analysis commands.

Reading a coded table back (``qualcoop code -o coded.csv``): the table holds each coded segment's
text and offsets, not the full documents. ``report`` re-extracts each document from its ``source``
path (as written, else relative to the table's folder) or from ``--corpus`` paths, and checks the
coded text is still at the same offsets; a document whose file is missing or changed is rebuilt from
its coded segments (the report then shows only those passages) and a warning says so. ``stats``
never needs the full texts (words are counted inside coded segments): it rebuilds every document
and reads its attributes from the metadata sidecar next to its source file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..errors import QualcoopError
from .app import Quiet, Unit, Workers, _esc, _fail_with_problems, _load_quietly, app, err, out
from .inputs import report_skipped

ByOpt = Annotated[Optional[str], typer.Option(
    "--by", help="Document attribute (type, country, year, interviewee_role, ...) or speaker/unit/lang.")]
CorpusOpt = Annotated[Optional[list[Path]], typer.Option(
    "--corpus", help="Files or folders holding the coded documents (default: the table's source paths).")]
CodebookOpt = Annotated[Optional[str], typer.Option(
    "--codebook", "-c", help="Codebook file or shipped name (default: the one named in the table, if shipped).")]


def load_coded(table: Path, *, corpus: list[Path] | None, codebook: str | None, full_text: bool,
               quiet: bool = True):
    """:func:`qualcoop.run.coded.load_coded` with the codebook loaded the CLI's way, progress on stderr
    (unless ``quiet``) and its warnings printed."""
    from ..run.coded import load_coded as load
    from .run_cmd import Reporter

    cb = _load_quietly(codebook) if codebook else None
    with Reporter(quiet=quiet, what="documents read") as reporter:
        codings = load(table, corpus=corpus, codebook=cb, full_text=full_text, progress=reporter)
    for message in codings.warnings:
        err.print(f"[yellow]warning:[/] {_esc(message)}", highlight=False, soft_wrap=True)
    return codings


def _code_paths(paths: list[Path], codebook: str | None, unit: str, lang: str | None = None,
                keep_furniture: bool = False, quiet: bool = True, workers: int = 1):
    """Code ``paths`` with the streaming run (progress on stderr) for ``report PATHS``."""
    from ..run.coded import code_to_codings
    from .run_cmd import Reporter, resolve_or_exit

    settings = resolve_or_exit(paths, codebook=codebook or "international_cooperation", unit=unit, lang=lang,
                               options=_lang_options(lang), keep_furniture=keep_furniture, workers=workers)
    try:
        with Reporter(quiet=quiet) as reporter:
            codings = code_to_codings(settings, progress=reporter)
    except QualcoopError as e:
        err.print(f"[red]error:[/] {_esc(e.message)}", soft_wrap=True)
        raise typer.Exit(2) from None
    report_skipped(settings.skipped, err)
    for message in codings.warnings:
        err.print(f"[yellow]warning:[/] {_esc(message)}", highlight=False, soft_wrap=True)
    return codings


def _lang_options(lang: str | None):
    from ..extract.base import ExtractOptions

    return ExtractOptions(lang=lang) if lang else None


LangOpt = Annotated[Optional[str], typer.Option(
    "--lang", help="Language for documents without one (en, id), as in `qualcoop code`.")]


def _is_table(paths: list[Path]) -> bool:
    from ..export import table_suffixes  # the registered table formats (plugins' too)

    return len(paths) == 1 and paths[0].suffix.lower() in table_suffixes() and paths[0].is_file()


MethodOpt = Annotated[Optional[str], typer.Option(
    "--method", help="Only codings made this way (comma-separated: rule, model, rule+model, manual, ...).")]


def by_method(codings, method: str | None):
    """The codings whose provenance method is one of ``method`` (comma-separated); all without it."""
    if not method:
        return codings
    from ..model import CodingSet

    wanted = {m.strip() for m in method.split(",") if m.strip()}
    return CodingSet([c for c in codings if c.provenance.method in wanted], documents=codings.documents,
                     codebook=codings.codebook)


@app.command()
def report(
    inputs: Annotated[list[Path], typer.Argument(
        help="A coded table (coded.csv from `qualcoop code -o`), a project, or documents/folders to code first.",
        show_default=False)],
    output: Annotated[Path, typer.Option("-o", "--output", help="The HTML file to write.")] = Path("report.html"),
    by: ByOpt = None,
    corpus: CorpusOpt = None,
    codebook: CodebookOpt = None,
    unit: Unit = "paragraph",
    title: Annotated[Optional[str], typer.Option("--title", help="Report title.")] = None,
    exemplars_per_code: Annotated[int, typer.Option("--exemplars", help="Quotes per code.")] = 3,
    window: Annotated[int, typer.Option("--window", help="Co-occurrence window in segments.")] = 0,
    plots: Annotated[Optional[Path], typer.Option(
        "--plots", help="Also write PNG plots (frequencies, co-occurrence, matrix) into this folder.")] = None,
    lang: LangOpt = None,
    keep_furniture: Annotated[bool, typer.Option(
        "--keep-furniture", help="Code running headers, footers and page numbers of PDFs too.")] = False,
    quiet: Quiet = False,
    workers: Workers = 1,
    docs_per_page: Annotated[int, typer.Option(
        "--docs-per-page", min=1, help="Documents the page shows at once (the others load when chosen).")] = 20,
    method: MethodOpt = None,
) -> None:
    """Write a self-contained HTML report: codebook, frequencies, co-occurrence, matrix, quotes, documents."""

    from .refi_cmd import project_codings, project_location  # branch refi: `report PROJECT`

    try:
        if (location := project_location(inputs)) is not None:
            codings = project_codings(location)
        elif _is_table(inputs):
            codings = load_coded(inputs[0], corpus=corpus, codebook=codebook, full_text=True, quiet=quiet)
        else:
            codings = _code_paths(inputs, codebook, unit, lang, keep_furniture, quiet=quiet, workers=workers)
        codings = by_method(codings, method)
        path = _write_report(codings, output, quiet=quiet, by=by, title=title,
                             exemplars_per_code=exemplars_per_code, window=window, docs_per_page=docs_per_page)
        if plots is not None:
            _write_plots(codings, plots, by=by, window=window)
    except QualcoopError as e:
        _fail_with_problems(e)
    n_docs = len(codings.documents)
    err.print(f"{n_docs} document(s), {len(codings)} coding(s) -> {_esc(str(path))}"
              + (f"; plots in {plots}" if plots is not None else ""))


def _write_report(codings, output: Path, *, quiet: bool, **kw) -> Path:
    """:func:`qualcoop.export.report.write_report` with a progress line per rendered document."""
    from ..export.report import write_report
    from .run_cmd import Reporter

    with Reporter(quiet=quiet, what="documents rendered") as reporter:
        return write_report(codings, output, progress=reporter.step, **kw)


def _write_plots(codings, folder: Path, *, by: str | None, window: int) -> None:
    from ..analysis import code_cooccurrence, code_frequencies, matrix_coding
    from ..export.plots import plot_code_frequencies, plot_cooccurrence, plot_matrix, save_figure

    save_figure(plot_code_frequencies(code_frequencies(codings, rollup=True)), folder / "frequencies.png")
    save_figure(plot_cooccurrence(code_cooccurrence(codings, window=window)), folder / "cooccurrence.png")
    if by is not None:
        freq = code_frequencies(codings, by=by, rollup=True)
        save_figure(plot_code_frequencies(freq, by=by, depth=0), folder / f"frequencies_by_{_slug(by)}.png")
        save_figure(plot_matrix(matrix_coding(codings, by, rollup=True)), folder / f"matrix_{_slug(by)}.png")


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text)


@app.command()
def stats(
    table: Annotated[Path, typer.Argument(help="A coded table (coded.csv from `qualcoop code -o`).",
                                          show_default=False)],
    by: ByOpt = None,
    cooccurrence: Annotated[bool, typer.Option("--cooccurrence", help="Code co-occurrence instead of frequencies.")]
    = False,
    window: Annotated[int, typer.Option("--window", help="Co-occurrence window in segments.")] = 0,
    rollup: Annotated[bool, typer.Option("--rollup/--no-rollup", help="Frequencies: count codes for their ancestors too.")]
    = True,
    codebook: CodebookOpt = None,
    corpus: CorpusOpt = None,
    output: Annotated[Optional[Path], typer.Option(
        "-o", "--output", help="Write the full table (.csv, .parquet, .jsonl, .xlsx, or .graphml with "
                               "--cooccurrence).")] = None,
    negated: Annotated[str, typer.Option(
        "--negated", help="Negated codings ('no funding'): exclude (default; counted apart), include, only.")]
    = "exclude",
    method: MethodOpt = None,
) -> None:
    """Code frequencies (segments, documents, words, shares; by an attribute) or co-occurrence.

    With --corpus (the full texts) frequencies are also normalised: per 1,000 words of each group's
    documents and as a share of all their segments, coded or not."""
    from ..analysis import code_cooccurrence, code_frequencies
    from ..export import write_table

    try:
        codings = by_method(load_coded(table, corpus=corpus, codebook=codebook, full_text=bool(corpus)), method)
        if cooccurrence:
            frame = code_cooccurrence(codings, window=window, rollup=False)
            _print_cooccurrence(frame)
        else:
            frame = code_frequencies(codings, by=by, rollup=rollup, negated=negated,
                                     total_segments=_segment_counts(codings) if corpus else None)
            _print_frequencies(frame, by)
        if output is not None:
            if output.suffix.lower() == ".graphml":
                if not cooccurrence:
                    err.print("[red]error:[/] .graphml output needs --cooccurrence")
                    raise typer.Exit(2)
                from ..export.graphml import write_graphml

                write_graphml(frame, output)
            else:
                write_table(frame.astype(object).where(frame.notna(), None).to_dict("records"), output,
                            columns=list(frame.columns))
            err.print(f"{len(frame)} row(s) -> {_esc(str(output))}")
    except QualcoopError as e:
        _fail_with_problems(e)


def _segment_counts(codings) -> dict[str, int]:
    """Segments per full document, cut with the unit the table was coded with."""
    from ..segment import segment

    units = {c.unit for c in codings if c.unit}
    if len(units) != 1:
        return {}
    unit = units.pop()
    out = {}
    for doc_id, doc in codings.documents.items():
        if not (doc.source is not None and doc.source.details.get("reconstructed")):
            try:
                out[doc_id] = len(segment(doc, unit))
            except QualcoopError:
                continue
    return out


def _print_frequencies(frame, by: str | None) -> None:
    t = Table(title="Code frequencies" + (f" by {by}" if by else ""))
    normalised = not frame["per_1000_words"].isna().any() if len(frame) else False
    cols = ([by] if by else []) + ["code", "codings", "segments", "share", "documents", "words", "negated"] \
        + (["per 1k words", "of all segments"] if normalised else [])
    for c in cols:
        t.add_column(c, justify="right" if c not in (by, "code") else "left",
                     overflow="fold" if c in (by, "code") else "ellipsis")
    for r in frame.itertuples(index=False):
        if not r.codings and not r.negated_codings:
            continue
        words = "" if str(r.words) == "<NA>" else str(r.words)
        row = ([_esc(str(getattr(r, by)))] if by else []) + [
            _esc("  " * int(r.depth) + r.code_id), str(r.codings), str(r.segments), f"{r.segment_share:.1%}",
            str(r.documents), words, str(r.negated_codings)]
        if normalised:
            share = r.share_of_all_segments
            row += [f"{r.per_1000_words:.2f}", "" if str(share) == "<NA>" else f"{share:.1%}"]
        t.add_row(*row)
    out.print(t)


def _print_cooccurrence(frame) -> None:
    t = Table(title="Code co-occurrence (pairs seen together)")
    for c in ("code a", "code b", "together", "jaccard", "lift", "chi2"):
        t.add_column(c, justify="left" if c.startswith("code") else "right")
    pairs = frame[(frame["code_a"] < frame["code_b"]) & (frame["n_ab"] > 0)]
    pairs = pairs.sort_values(["n_ab", "code_a", "code_b"], ascending=[False, True, True])
    for r in pairs.itertuples(index=False):
        t.add_row(_esc(r.code_a), _esc(r.code_b), str(r.n_ab), f"{r.jaccard:.3f}", f"{r.lift:.2f}",
                  f"{r.chi2:.1f}")
    out.print(t)


@app.command()
def kwic(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (or one coded table).", show_default=False)],
    term: Annotated[list[str], typer.Option("--term", "-t", help="Term to find (repeatable; `*` ends a "
                                                                 "word stem).")],
    window: Annotated[int, typer.Option("--window", "-w", help="Words of context on each side.")] = 5,
    regex: Annotated[bool, typer.Option("--regex", help="Terms are regular expressions.")] = False,
    case_sensitive: Annotated[bool, typer.Option("--case-sensitive", help="Match case exactly.")] = False,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write the table (.csv, ...).")] = None,
    lang: LangOpt = None,
) -> None:
    """Keyword in context: every occurrence of a term with the words around it."""
    from ..analysis import kwic as kwic_table
    from ..corpus import Corpus
    from ..export import write_table

    try:
        if _is_table(paths):
            docs = list(load_coded(paths[0], corpus=None, codebook=None, full_text=True).documents.values())
        else:
            c = Corpus.from_paths(paths, options=_lang_options(lang))
            docs = list(c)
            report_skipped(c.skipped, err)
            for f in c.failures:
                err.print(f"[yellow]warning:[/] {_esc(f.path)}: {_esc(f.error.message)}")
        frame = kwic_table(docs, term, window=window, regex=regex, case_sensitive=case_sensitive)
    except QualcoopError as e:
        _fail_with_problems(e)
    t = Table(title=_esc(f"KWIC: {', '.join(term)}"), show_lines=False)
    t.add_column("document", overflow="fold", max_width=28)
    t.add_column("left", justify="right", overflow="ellipsis")
    t.add_column("keyword", style="bold")
    t.add_column("right", overflow="ellipsis")
    for r in frame.itertuples(index=False):
        t.add_row(_esc(r.doc_id), _esc(" ".join(r.left.split())), _esc(" ".join(r.keyword.split())),
                  _esc(" ".join(r.right.split())))
    out.print(t)
    if output is not None:
        write_table(frame.astype(object).where(frame.notna(), None).to_dict("records"), output,
                    columns=list(frame.columns))
    err.print(f"{len(frame)} match(es) in {len(docs)} document(s)" + (f" -> {_esc(str(output))}" if output else ""))
