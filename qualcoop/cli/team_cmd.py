"""Coding as a team: ``agreement``, ``validate``, ``sheets export|import`` and ``adjudicate``.

Every command works on codings tables (``qualcoop code -o coded.csv`` is one, coder ``qualcoop``;
imported coding sheets are others) and, where texts are needed, on the corpus (a folder or files).
A bad table is reported with every problem, file and row, and exit status 2; nothing is written then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..errors import CodingsTableError, QualcoopError, _problem_line
from .app import _esc, _load_quietly, app, err, out

sheets_app = typer.Typer(help="Blinded coding sheets for human coders: export, then import the filled sheet.",
                         no_args_is_help=True)
app.add_typer(sheets_app, name="sheets")

TablesArg = Annotated[list[Path], typer.Argument(help="Codings tables (.csv, .xlsx, .parquet, .jsonl).",
                                                 show_default=False)]
CodebookOpt = Annotated[Optional[str], typer.Option(
    "--codebook", "-c", help="Codebook file or shipped name; code ids are then checked against it.")]
CorpusOpt = Annotated[Optional[list[Path]], typer.Option(
    "--corpus", help="The coded documents (folder or files): offsets and texts are then checked.")]
CodesOpt = Annotated[Optional[str], typer.Option("--codes", help="Only these codes (comma-separated ids).")]


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _fail(e: QualcoopError) -> None:
    """Print every problem of a bad table (or the error) and exit with status 2."""
    if isinstance(e, CodingsTableError):
        err.print(f"[bold red]{len(e.problems)} problem(s)[/] in {_esc(e.path)}; nothing imported:")
        for p in e.problems:
            err.print(f"  {_problem_line(p)}", highlight=False, markup=False)
    else:
        err.print(f"[red]error:[/] {_esc(str(e))}")
    raise typer.Exit(2) from None


def _documents(paths: list[Path] | None) -> dict:
    if not paths:
        return {}
    from ..corpus import Corpus

    corpus = Corpus.from_paths(paths)
    if not corpus.paths:
        err.print("[red]no input files found[/]")
        raise typer.Exit(2)
    docs = {d.id: d for d in corpus}
    for f in corpus.failures:
        err.print(f"[yellow]warning:[/] {_esc(f.path)}: {_esc(f.error.message)}")
    return docs


def _codebook(source: str | None):
    if not source:
        return None
    try:
        return _load_quietly(source)
    except QualcoopError as e:
        from .app import _fail_on_codebook

        _fail_on_codebook(e)


SHORT = {"n_units": "units", "n_coders": "coders", "percent_agreement": "agree", "cohen_kappa": "cohen",
         "fleiss_kappa": "fleiss", "krippendorff_alpha": "alpha", "alpha_ci_low": "ci low",
         "alpha_ci_high": "ci high", "code_id": "code"}


def _show(frame, title: str, columns: list[str]) -> None:
    """The frame as a terminal table; a ``note`` column is printed under it, one line per note."""
    table = Table(title=title)
    shown = [c for c in columns if c != "note"]
    for c in shown:
        table.add_column(SHORT.get(c, c), justify="left" if c == "code_id" else "right")
    notes = []
    for rec in frame.to_dict("records"):
        cells = []
        for c in shown:
            v = rec.get(c)
            if v is None or (isinstance(v, float) and v != v):
                cells.append("")
            elif isinstance(v, float):
                cells.append(f"{v:.3f}")
            else:
                cells.append(_esc(str(v)))
        table.add_row(*cells)
        if rec.get("note"):
            notes.append(f"{rec['code_id']}: {rec['note']}")
    out.print(table)
    for line in notes:
        out.print(f"  note: {line}", highlight=False, markup=False)


def _records(frame) -> list[dict]:
    recs = frame.to_dict("records")
    for r in recs:
        for k, v in r.items():
            if isinstance(v, float) and v != v:
                r[k] = None
    return recs


@app.command("agreement")
def agreement_cmd(
    tables: TablesArg,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="agreement.csv (.xlsx, .parquet, .jsonl)")]
    = None,
    coders: Annotated[Optional[str], typer.Option("--coders", help="Coders to compare (comma-separated).")] = None,
    codes: CodesOpt = None,
    level: Annotated[str, typer.Option("--level", help="segment (units = offsets) or span (free-form spans).")]
    = "segment",
    overlap: Annotated[float, typer.Option("--overlap", help="Span level: minimum overlap "
                                                             "(intersection / union) of two spans in one unit.")]
    = 0.5,
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Bootstrap resamples for alpha's 95% interval.")] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    codebook: CodebookOpt = None,
    corpus: CorpusOpt = None,
) -> None:
    """Intercoder agreement per code: percent, Cohen's and Fleiss' kappa, Krippendorff's alpha."""
    from ..analysis.agreement import AGREEMENT_COLUMNS, agreement
    from ..export import write_table

    cb = _codebook(codebook)
    try:
        frame = agreement(tables, coders=_split(coders), codes=_split(codes), level=level, overlap=overlap,
                          bootstrap=bootstrap, seed=seed, documents=_documents(corpus), codebook=cb)
        if output is not None:
            write_table(_records(frame), output, columns=AGREEMENT_COLUMNS)
    except QualcoopError as e:
        _fail(e)
    _show(frame, f"Agreement ({level} level)", list(AGREEMENT_COLUMNS))
    if output is not None:
        err.print(f"{len(frame) - 1} code(s) -> {output}")


@app.command("validate")
def validate_cmd(
    gold: Annotated[Path, typer.Option("--gold", help="Codings table of the reference coder (its units count).")],
    pred: Annotated[Path, typer.Option("--pred", help="Codings table to score, e.g. `qualcoop code -o coded.csv`.")],
    output: Annotated[Optional[Path], typer.Option(
        "-o", "--output", help="report.xlsx (scores + errors sheets), .html, or .csv (errors in <name>_errors.csv).")]
    = None,
    gold_coder: Annotated[Optional[str], typer.Option("--gold-coder", help="Coder in --gold (if several).")] = None,
    pred_coder: Annotated[Optional[str], typer.Option("--pred-coder", help="Coder in --pred (if several).")] = None,
    codes: CodesOpt = None,
    codebook: CodebookOpt = None,
    corpus: CorpusOpt = None,
) -> None:
    """Precision, recall and F1 per code of one table against a gold table, with every FP and FN."""
    from ..analysis.validation import ERROR_COLUMNS, VALIDATION_COLUMNS, validate
    from ..export import write_table
    from ..export.workbook import Sheet, write_html_tables, write_workbook

    cb = _codebook(codebook)
    try:
        report = validate(gold, pred, codes=_split(codes), gold_coder=gold_coder, pred_coder=pred_coder,
                          documents=_documents(corpus), codebook=cb)
        if output is not None:
            sheets = [Sheet("scores", VALIDATION_COLUMNS, _records(report.scores)),
                      Sheet("errors", ERROR_COLUMNS, _records(report.errors), wide=("text",))]
            suffix = output.suffix.lower()
            if suffix == ".xlsx":
                write_workbook(output, sheets)
            elif suffix in (".html", ".htm"):
                write_html_tables(output, f"Validation of {pred.name} against {gold.name}", sheets)
            else:
                write_table(sheets[0].records, output, columns=VALIDATION_COLUMNS)
                write_table(sheets[1].records, output.with_name(f"{output.stem}_errors{output.suffix}"),
                            columns=ERROR_COLUMNS)
    except QualcoopError as e:
        _fail(e)
    _show(report.scores, f"Validation of {pred.name} against {gold.name}", list(VALIDATION_COLUMNS))
    fp = int((report.errors["error"] == "fp").sum())
    err.print(f"{fp} false positive(s), {len(report.errors) - fp} false negative(s)"
              + (f" -> {output}" if output else ""))


@sheets_app.command("export")
def sheets_export(
    source: Annotated[list[Path], typer.Argument(help="The documents to code (folder or files).", show_default=False)],
    coder: Annotated[str, typer.Option("--coder", help="Who will fill the sheet (written on its 'about' sheet).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="sheet.xlsx (1/0 cells, code definitions) or .csv.")],
    unit: Annotated[str, typer.Option("--unit", "-u", help="Segment unit: paragraph, turn, sentence, ...")]
    = "paragraph",
    codebook: Annotated[str, typer.Option("--codebook", "-c", help="Codebook file or shipped name.")]
    = "international_cooperation",
    codes: CodesOpt = None,
    layout: Annotated[str, typer.Option("--layout", help="columns (one 1/0 column per code) or list "
                                                         "(one 'codes' column).")] = "columns",
) -> None:
    """Write a blinded coding sheet: one row per segment, with context, and no codings in it."""
    from ..export.sheets import coding_sheet, write_coding_sheet

    cb = _codebook(codebook)
    docs = _documents(source)
    try:
        rows = coding_sheet(docs.values(), unit=unit, codebook=cb, codes=_split(codes), layout=layout)
        write_coding_sheet(rows, output, codebook=cb, codes=_split(codes), layout=layout, coder=coder)
    except QualcoopError as e:
        _fail(e)
    err.print(f"{len(docs)} document(s), {len(rows)} {unit} segment(s) for {_esc(coder)} -> {output}")


@sheets_app.command("import")
def sheets_import(
    source: Annotated[Path, typer.Argument(help="The coded documents (folder or file).", show_default=False)],
    sheet: Annotated[Path, typer.Argument(help="The filled sheet (.xlsx or .csv).", show_default=False)],
    coder: Annotated[str, typer.Option("--coder", help="Whose codings these are.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The coder's codings table (.csv, .xlsx, ...).")],
    codebook: Annotated[str, typer.Option("--codebook", "-c", help="Codebook file or shipped name.")]
    = "international_cooperation",
) -> None:
    """Check a filled coding sheet row by row and write it as the coder's codings table."""
    from ..export import write_table
    from ..export.sheets import read_coding_sheet

    cb = _codebook(codebook)
    docs = _documents([source])
    try:
        frame = read_coding_sheet(sheet, coder=coder, documents=docs, codebook=cb)
        write_table(_records(frame), output, columns=list(frame.columns))
    except QualcoopError as e:
        _fail(e)
    n_units = len(set(zip(frame["doc_id"], frame["start"], frame["end"])))
    err.print(f"{_esc(coder)}: {n_units} segment(s) read, {int((frame['code_id'] != '').sum())} coding(s) -> {output}")


@app.command("adjudicate")
def adjudicate_cmd(
    tables: TablesArg,
    coders: Annotated[str, typer.Option("--coders", help="The two coders to compare: A,B.")],
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="Without --decisions: the disagreement sheet (.xlsx or .csv). "
                               "With --decisions: the adjudicated codings table.")],
    decisions: Annotated[Optional[Path], typer.Option(
        "--decisions", help="The filled disagreement sheet (decision column 1/0) to record.")] = None,
    decided_by: Annotated[Optional[str], typer.Option("--decided-by", help="Who decided (with --decisions).")]
    = None,
    as_coder: Annotated[str, typer.Option("--as-coder", help="Coder name of the adjudicated codings.")]
    = "adjudicated",
    codebook: CodebookOpt = None,
    corpus: CorpusOpt = None,
) -> None:
    """List every unit and code where two coders differ; with --decisions, record the decided codings."""
    from ..analysis.adjudication import adjudicate, disagreement_columns, disagreements
    from ..export import write_table
    from ..export.workbook import Sheet, write_workbook

    pair = tuple(_split(coders) or ())
    cb = _codebook(codebook)
    docs = _documents(corpus)
    try:
        if decisions is None:
            rows = disagreements(tables, coders=pair, documents=docs, codebook=cb)
            cols = disagreement_columns(pair) if len(pair) == 2 else []
            if output.suffix.lower() == ".xlsx":
                write_workbook(output, [Sheet("disagreements", cols, rows, choices={"decision": ("1", "0")},
                                              wide=("text",))])
            else:
                write_table(rows, output, columns=cols)
            units = len({r["segment_key"] for r in rows})
            err.print(f"{len(rows)} disagreement(s) on {units} unit(s) between {_esc(pair[0])} and "
                      f"{_esc(pair[1])} -> {output}")
            return
        if not decided_by:
            err.print("[red]error:[/] --decisions needs --decided-by NAME (who decided)")
            raise typer.Exit(2)
        frame = _read_sheet(decisions)
        result = adjudicate(tables, frame, coders=pair, decided_by=decided_by, as_coder=as_coder,
                            documents=docs, codebook=cb, name=str(decisions))
        write_table(_records(result), output, columns=list(result.columns))
    except QualcoopError as e:
        _fail(e)
    decided = int((result["method"] == "adjudicated").sum())
    err.print(f"{len(result)} adjudicated row(s) ({decided} decided by {_esc(decided_by)}) -> {output}")


def _read_sheet(path: Path):
    import pandas as pd

    from ..errors import AnalysisError

    try:
        if path.suffix.lower() == ".xlsx":
            return pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False)
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise AnalysisError(f"{path}: cannot read the sheet ({e})") from e
