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

from ..errors import QualcoopError
from .app import _esc, _fail_with_problems, _load_quietly, app, err, out

sheets_app = typer.Typer(help="Blinded coding sheets for human coders: export, then import the filled sheet.",
                         no_args_is_help=True)
app.add_typer(sheets_app, name="sheets")

TablesArg = Annotated[Optional[list[Path]], typer.Argument(
    help="Codings tables (.csv, .xlsx, .parquet, .jsonl), or a project.", show_default=False)]
ProjectOpt = Annotated[Optional[str], typer.Option(
    "--project", "-p", help="A project (file or postgresql+psycopg:// URL): use its current codings.")]
CodebookOpt = Annotated[Optional[str], typer.Option(
    "--codebook", "-c", help="Codebook file or shipped name; code ids are then checked against it.")]
CorpusOpt = Annotated[Optional[list[Path]], typer.Option(
    "--corpus", help="The coded documents (folder or files): offsets and texts are then checked.")]
CodesOpt = Annotated[Optional[str], typer.Option("--codes", help="Only these codes (comma-separated ids).")]


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


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


def _is_project(source: str | Path) -> bool:
    """A project is a database URL or an SQLite file (whatever its suffix)."""
    text = str(source)
    if "://" in text:
        return True
    path = Path(text)
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def _open_project(source: str | Path):
    from ..project import Project

    try:
        return Project.open(str(source), create=False)
    except QualcoopError as e:
        _fail_with_problems(e)


def _project_codings(project, coders: list[str] | None):
    """The project's current codings (of ``coders``) as a codings-table DataFrame with their store ids
    (``coding_id``, which adjudication records as provenance)."""
    import pandas as pd

    stored = project.stored_codings(coders=coders)
    texts = {d.id: d.text for d in project.documents({s.coding.doc_id for s in stored})}
    records = []
    for s in stored:
        c = s.coding
        p = c.provenance
        records.append({"doc_id": c.doc_id, "start": c.start, "end": c.end, "code_id": c.code_id,
                        "coder": p.coder, "text": texts.get(c.doc_id, "")[c.start:c.end],
                        "segment_index": "" if c.segment_index is None else str(c.segment_index),
                        "unit": c.unit or "", "method": p.method, "coding_id": str(s.id),
                        "rule_ids": ";".join(c.rule_ids), "matched_terms": ";".join(e.text for e in c.evidence)})
    cols = ["doc_id", "start", "end", "code_id", "coder", "text", "segment_index", "unit", "method", "coding_id",
            "rule_ids", "matched_terms"]
    return pd.DataFrame(records, columns=cols)


def _add_to_project(project, frame, *, name: str, coder: str | None, codebook) -> int:
    """Add a validated codings DataFrame through the project's own table import (all or nothing).

    The codings are people's decisions, so their provenance method is ``manual``.
    """
    import tempfile

    from ..export import write_table

    from ..errors import CodingsTableError, Problem

    known = set(project.document_ids())
    missing = sorted({str(d) for d in frame["doc_id"]} - known) if "doc_id" in frame else []
    if missing:  # said here, about the user's file, not about the temporary table below
        counts = frame["doc_id"].astype(str).value_counts()
        raise CodingsTableError(name, [Problem(str(name), f"document {d!r} is not in the project ({counts[d]} "
                                               f"coding(s)); add it with `qualcoop project add`") for d in missing])
    frame = frame.assign(method="manual")
    with tempfile.TemporaryDirectory() as tmp:
        path = write_table(_records(frame), Path(tmp) / f"{Path(name).stem}.csv", columns=list(frame.columns))
        try:
            return project.add_codings_table(path, codebook=codebook, coder=coder)
        except CodingsTableError as e:  # name the user's file, never the temporary copy
            raise CodingsTableError(name, [p.replace(str(path), str(name)) if isinstance(p, str)
                                           else Problem(str(name), p.message, None, p.code_id, p.rule_id, p.kind)
                                           for p in e.problems]) from None


def _codebook(source: str | None):
    if not source:
        return None
    try:
        return _load_quietly(source)
    except QualcoopError as e:
        from .app import _fail_with_problems

        _fail_with_problems(e)


SHORT = {"n_units": "units", "n_coders": "coders", "percent_agreement": "agree", "cohen_kappa": "cohen",
         "fleiss_kappa": "fleiss", "krippendorff_alpha": "alpha", "alpha_ci_low": "ci low",
         "alpha_ci_high": "ci high", "code_id": "code"}


def _show(frame, title: str, columns: list[str]) -> None:
    """The frame as a terminal table; a ``note`` column is printed under it, one line per note."""
    table = Table(title=title)
    shown = [c for c in columns if c != "note"]
    for c in shown:
        table.add_column(SHORT.get(c, c), justify="left" if c == "code_id" else "right", no_wrap=c == "code_id")
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
    if out.is_terminal:
        out.print(table)
    else:  # piped or redirected: the whole table, never figures cut to "0.9…" at 80 columns
        from rich.console import Console
        from rich.measure import Measurement

        need = Measurement.get(out, out.options.update_width(10_000), table).maximum
        Console(file=out.file, width=max(out.width, need)).print(table)
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
    tables: TablesArg = None,
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
    project: ProjectOpt = None,
) -> None:
    """Intercoder agreement per code: percent, Cohen's and Fleiss' kappa, Krippendorff's alpha."""
    from ..analysis.agreement import AGREEMENT_COLUMNS, agreement
    from ..export import write_table

    cb = _codebook(codebook)
    sources = _sources(tables, project, _split(coders))
    try:
        frame = agreement(sources, coders=_split(coders), codes=_split(codes), level=level, overlap=overlap,
                          bootstrap=bootstrap, seed=seed, documents=_documents(corpus), codebook=cb)
        if output is not None:
            write_table(_records(frame), output, columns=AGREEMENT_COLUMNS)
    except QualcoopError as e:
        _fail_with_problems(e)
    _show(frame, f"Agreement ({level} level)", list(AGREEMENT_COLUMNS))
    if output is not None:
        err.print(f"{len(frame) - 1} code(s) -> {output}")


def _sources(tables: list[Path] | None, project: str | None, coders: list[str] | None, *,
             documents: dict | None = None) -> list:
    """Codings tables given, plus the current codings of a project (``--project`` or a project argument);
    ``documents``, when given, receives the project's documents that those codings are on."""
    sources: list = []
    for t in tables or []:
        if _is_project(t):
            project = project or str(t)
        else:
            sources.append(t)
    if project:
        with _open_project(project) as p:
            frame = _project_codings(p, coders)
            if documents is not None:
                documents.update((d.id, d) for d in p.documents(set(frame["doc_id"])))
            sources.append(frame)
    if not sources:
        err.print("[red]error:[/] give codings tables or --project")
        raise typer.Exit(2)
    return sources


@app.command("validate")
def validate_cmd(
    gold: Annotated[Optional[Path], typer.Option(
        "--gold", help="Codings table of the reference coder (its units count).")] = None,
    pred: Annotated[Optional[Path], typer.Option(
        "--pred", help="Codings table to score, e.g. `qualcoop code -o coded.csv`.")] = None,
    output: Annotated[Optional[Path], typer.Option(
        "-o", "--output", help="report.xlsx (scores + errors sheets), .html, or .csv (errors in <name>_errors.csv).")]
    = None,
    gold_coder: Annotated[Optional[str], typer.Option("--gold-coder", help="Coder in --gold (if several).")] = None,
    pred_coder: Annotated[Optional[str], typer.Option("--pred-coder", help="Coder in --pred (if several).")] = None,
    codes: CodesOpt = None,
    codebook: CodebookOpt = None,
    corpus: CorpusOpt = None,
    project: ProjectOpt = None,
) -> None:
    """Precision, recall and F1 per code of one table against a gold table, with every FP and FN.

    With --project, a side not given as a table is the project's codings of --gold-coder or
    --pred-coder (default: qualcoop).
    """
    from ..analysis.validation import ERROR_COLUMNS, VALIDATION_COLUMNS, validate
    from ..export import write_table
    from ..export.workbook import Sheet, write_html_tables, write_workbook

    cb = _codebook(codebook)
    gold_src, pred_src = gold, pred
    if project and (gold is None or pred is None):
        pred_coder = pred_coder or "qualcoop"
        if gold is None and not gold_coder:
            err.print("[red]error:[/] with --project, name the reference coder: --gold-coder NAME")
            raise typer.Exit(2)
        with _open_project(project) as p:
            gold_src = gold if gold is not None else _project_codings(p, [gold_coder])
            pred_src = pred if pred is not None else _project_codings(p, [pred_coder])
            cb = cb or p.codebook()
    elif gold is None or pred is None:
        err.print("[red]error:[/] give --gold and --pred tables (or --project with --gold-coder)")
        raise typer.Exit(2)
    gold_name = gold.name if gold is not None else f"{gold_coder} (project)"
    pred_name = pred.name if pred is not None else f"{pred_coder} (project)"
    try:
        report = validate(gold_src, pred_src, codes=_split(codes), gold_coder=gold_coder, pred_coder=pred_coder,
                          documents=_documents(corpus), codebook=cb)
        if output is not None:
            sheets = [Sheet("scores", VALIDATION_COLUMNS, _records(report.scores)),
                      Sheet("errors", ERROR_COLUMNS, _records(report.errors), wide=("text",))]
            suffix = output.suffix.lower()
            if suffix == ".xlsx":
                write_workbook(output, sheets)
            elif suffix in (".html", ".htm"):
                write_html_tables(output, f"Validation of {pred_name} against {gold_name}", sheets)
            else:
                write_table(sheets[0].records, output, columns=VALIDATION_COLUMNS)
                write_table(sheets[1].records, output.with_name(f"{output.stem}_errors{output.suffix}"),
                            columns=ERROR_COLUMNS)
    except QualcoopError as e:
        _fail_with_problems(e)
    _show(report.scores, f"Validation of {pred_name} against {gold_name}", list(VALIDATION_COLUMNS))
    fp = int((report.errors["error"] == "fp").sum())
    err.print(f"{fp} false positive(s), {len(report.errors) - fp} false negative(s)"
              + (f" -> {output}" if output else ""))


@sheets_app.command("export")
def sheets_export(
    source: Annotated[list[Path], typer.Argument(
        help="A project, or the documents to code (folder or files).", show_default=False)],
    coder: Annotated[str, typer.Option("--coder", help="Who will fill the sheet (written on its 'about' sheet).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="sheet.xlsx (1/0 cells, code definitions) or .csv.")],
    unit: Annotated[str, typer.Option("--unit", "-u", help="Segment unit: paragraph, turn, sentence, ...")]
    = "paragraph",
    codebook: Annotated[Optional[str], typer.Option(
        "--codebook", "-c", help="Codebook file or shipped name (default: the project's, else "
                                 "international_cooperation).")] = None,
    codes: CodesOpt = None,
    layout: Annotated[str, typer.Option("--layout", help="columns (one 1/0 column per code) or list "
                                                         "(one 'codes' column).")] = "columns",
    select: Annotated[Optional[str], typer.Option(
        "--select", help="Only some segments: uncertain or disagree (need --model), or random (keep one for "
                         "honest validation).")] = None,
    n: Annotated[Optional[int], typer.Option(
        "--n", min=1, help="How many segments --select picks.  [default: 50]", show_default=False)] = None,
    model: Annotated[Optional[Path], typer.Option(
        "--model", help="A trained coder (qualcoop learn), for --select uncertain or disagree.")] = None,
    seed: Annotated[Optional[int], typer.Option(
        "--seed", help="Seed of --select random.  [default: 0]", show_default=False)] = None,
) -> None:
    """Write a blinded coding sheet: one row per segment, with context, and no codings in it."""
    from ..export.sheets import coding_sheet, write_coding_sheet

    # options that only mean something with some --select: refused, not silently ignored
    misplaced = [f"{opt} applies to {where}" for opt, given, where in (
        ("--n", n is not None and select is None, "--select"),
        ("--seed", seed is not None and select != "random", "--select random"),
        ("--model", model is not None and select not in ("uncertain", "disagree"), "--select uncertain or disagree"),
    ) if given]
    if misplaced:
        err.print(f"[red]error:[/] {'; '.join(misplaced)}")
        raise typer.Exit(2)
    cb = _codebook(codebook)
    if len(source) == 1 and _is_project(source[0]):
        with _open_project(source[0]) as p:
            docs = {d.id: d for d in p.documents()}
            cb = cb or p.codebook()
    else:
        docs = _documents(source)
    cb = cb or _codebook("international_cooperation")
    try:
        rows = coding_sheet(docs.values(), unit=unit, codebook=cb, codes=_split(codes), layout=layout)
        if select is not None:  # branch learn: which segments to code next
            from ..learn import load_model
            from ..learn.select import select_rows

            rows = select_rows(rows, how=select, n=50 if n is None else n, documents=docs,
                               seed=0 if seed is None else seed,
                               model=load_model(model, cb) if model is not None else None)
        write_coding_sheet(rows, output, codebook=cb, codes=_split(codes), layout=layout, coder=coder)
    except QualcoopError as e:
        _fail_with_problems(e)
    err.print(f"{len(docs)} document(s), {len(rows)} {unit} segment(s) for {_esc(coder)} -> {output}")


@sheets_app.command("import")
def sheets_import(
    source: Annotated[Path, typer.Argument(help="A project, or the coded documents (folder or file).",
                                           show_default=False)],
    sheet: Annotated[Path, typer.Argument(help="The filled sheet (.xlsx or .csv).", show_default=False)],
    coder: Annotated[str, typer.Option("--coder", help="Whose codings these are.")],
    output: Annotated[Optional[Path], typer.Option(
        "-o", "--output", help="Write the coder's codings table (.csv, .xlsx, ...); needed without a project.")]
    = None,
    codebook: Annotated[Optional[str], typer.Option(
        "--codebook", "-c", help="Codebook file or shipped name (default: the project's, else "
                                 "international_cooperation).")] = None,
) -> None:
    """Check a filled coding sheet row by row; add it to the project and/or write it as a codings table."""
    from ..export import write_table
    from ..export.sheets import read_coding_sheet

    cb = _codebook(codebook)
    project = _open_project(source) if _is_project(source) else None
    if project is None and output is None:
        err.print("[red]error:[/] without a project, give -o for the coder's codings table")
        raise typer.Exit(2)
    try:
        docs = {d.id: d for d in project.documents()} if project is not None else _documents([source])
        cb = cb or (project.codebook() if project is not None else None) or _codebook("international_cooperation")
        try:
            frame = read_coding_sheet(sheet, coder=coder, documents=docs, codebook=cb)
            if project is not None:
                _add_to_project(project, frame, name=str(sheet), coder=coder, codebook=cb)
            if output is not None:
                write_table(_records(frame), output, columns=list(frame.columns))
        except QualcoopError as e:
            _fail_with_problems(e)
    finally:
        if project is not None:
            project.close()
    n_units = len(set(zip(frame["doc_id"], frame["start"], frame["end"])))
    where = " and ".join(x for x in (project and str(source), output and str(output)) if x)
    err.print(f"{_esc(coder)}: {n_units} segment(s) read, {int((frame['code_id'] != '').sum())} coding(s) -> "
              f"{_esc(where)}")


@app.command("adjudicate")
def adjudicate_cmd(
    coders: Annotated[str, typer.Option("--coders", help="The two coders to compare: A,B.")],
    tables: TablesArg = None,
    output: Annotated[Optional[Path], typer.Option(
        "-o", "--output", help="Without --decisions: the disagreement sheet (.xlsx or .csv). "
                               "With --decisions: the adjudicated codings table (optional with a project).")]
    = None,
    decisions: Annotated[Optional[Path], typer.Option(
        "--decisions", help="The filled disagreement sheet (decision column 1/0) to record.")] = None,
    decided_by: Annotated[Optional[str], typer.Option("--decided-by", help="Who decided (with --decisions).")]
    = None,
    as_coder: Annotated[str, typer.Option("--as-coder", help="Coder name of the adjudicated codings.")]
    = "adjudicated",
    codebook: CodebookOpt = None,
    corpus: CorpusOpt = None,
    project: ProjectOpt = None,
) -> None:
    """List every unit and code where two coders differ; with --decisions, record the decided codings.

    The codings come from codings tables or a project (a project argument or --project); with a
    project, the adjudicated codings are added to it (coder --as-coder).
    """
    from ..analysis.adjudication import adjudicate, disagreement_columns, disagreements
    from ..export import write_table
    from ..export.workbook import Sheet, write_workbook

    pair = tuple(_split(coders) or ())
    cb = _codebook(codebook)
    docs = _documents(corpus)
    project = project or next((str(t) for t in tables or [] if _is_project(t)), None)
    sources = _sources(tables, project, list(pair))
    if output is None and (decisions is None or project is None):
        err.print("[red]error:[/] give -o (the disagreement sheet, or the adjudicated table without a project)")
        raise typer.Exit(2)
    try:
        if decisions is None:
            rows = disagreements(sources, coders=pair, documents=docs, codebook=cb)
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
        result = adjudicate(sources, frame, coders=pair, decided_by=decided_by, as_coder=as_coder,
                            documents=docs, codebook=cb, name=str(decisions))
        if project is not None:
            with _open_project(project) as p:
                _add_to_project(p, result, name=str(decisions), coder=None, codebook=cb)
        if output is not None:
            write_table(_records(result), output, columns=list(result.columns))
    except QualcoopError as e:
        _fail_with_problems(e)
    decided = int((result["adjudication"] == "decided").sum())
    where = " and ".join(x for x in (project, output and str(output)) if x)
    err.print(f"{len(result)} adjudicated row(s) ({decided} decided by {_esc(decided_by)}) -> {_esc(where)}")


def _read_sheet(path: Path):
    import pandas as pd

    from ..analysis.codings_table import check_xlsx
    from ..errors import AnalysisError

    check_xlsx(path)
    try:
        if path.suffix.lower() == ".xlsx":
            from ..analysis.tables import _from_xlsx  # control characters and long texts (model/cells.py)

            return _from_xlsx(pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False))
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise AnalysisError(f"{path}: cannot read the sheet ({e})") from e
