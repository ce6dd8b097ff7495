"""``qualcoop learn``: train a coder from the team's own codings tables (issue 12).

Prints (and with ``--report`` writes) grouped-CV precision, recall and F1 per code for the rules alone,
the model alone and rules + model, so the user sees whether the model helps before using it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import QualcoopError
from .app import _esc, _fail_with_problems, app, err, out
from .team_cmd import CodebookOpt, CorpusOpt, ProjectOpt, TablesArg, _codebook, _documents, _split


def _f(v) -> str:
    return "-" if v is None else f"{v:.2f}"


def _units(tables, project, corpus, cb, lang, coders) -> tuple[list, str | None]:
    """The units of ``learn`` and ``suggest``: codings tables, plus a project's codings (``--project`` or a
    project argument) with its documents, and ``--lang`` normalised; usage problems exit 2, and units
    whose language nobody gave (no ``lang`` column, no documents, no ``--lang``) are named."""
    from ..lang.pipelines import normalise_lang_code
    from ..learn import read_units
    from .team_cmd import _sources

    try:
        lang = normalise_lang_code(lang) if lang else None
    except QualcoopError as e:
        _fail_with_problems(e)
    wanted = _split(coders)
    docs: dict = {}
    try:
        sources = [s.drop(columns=["coding_id", "method", "rule_ids", "matched_terms"], errors="ignore")
                   if hasattr(s, "columns") else s  # a project's codings (a DataFrame)
                   for s in _sources(tables, project, wanted, documents=docs)]
        docs.update(_documents(corpus) if corpus else {})  # the corpus's documents win
        units = read_units(sources, codebook=cb, documents=docs, lang=lang, coders=wanted)
    except QualcoopError as e:
        _fail_with_problems(e)
    unknown = sum(u.lang is None for u in units)
    if unknown:
        first = (cb.languages or ("en",))[0]
        err.print(f"[yellow]warning:[/] {unknown} of {len(units)} unit(s) have no language (no `lang` column, no "
                  f"documents from --corpus or --project, no --lang): read as {first!r}, the codebook's first "
                  "language; give --corpus, --project or --lang", highlight=False)
    return units, lang


@app.command("learn")
def learn_cmd(
    tables: TablesArg = None,
    codebook: CodebookOpt = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The model file to write.")] = Path("model.qcm"),
    corpus: CorpusOpt = None,
    project: ProjectOpt = None,
    lang: Annotated[Optional[str], typer.Option(
        "--lang", help="Language of units with no `lang` column and no document language (en, id).")] = None,
    coders: Annotated[Optional[str], typer.Option(
        "--coders", help="Only these coders' rows (comma-separated; default: every coder but qualcoop).")] = None,
    min_positives: Annotated[int, typer.Option(
        "--min-positives", min=2, help="Codes with fewer positive units are left to the rules.")] = 8,
    features: Annotated[str, typer.Option(
        "--features", help="Feature families, comma-separated: terms, rules.")] = "terms,rules",
    seed: Annotated[int, typer.Option("--seed", help="random_state of the classifiers.")] = 0,
    threshold_policy: Annotated[str, typer.Option(
        "--threshold-policy", help="pooled: one threshold for all codes, the best micro-F1 of rules + model "
                                   "without macro-F1 below the rules'; per-code: per code, the best F1 without "
                                   "precision below the rules'.")] = "pooled",
    report: Annotated[Optional[Path], typer.Option(
        "--report", help="Also write the CV figures per code to this table (.csv, .xlsx, .jsonl).")] = None,
) -> None:
    """Train one calibrated classifier per code from people's codings; print grouped-CV figures."""
    from ..learn import CodeLearner, save_model

    if not codebook:
        err.print("[red]error:[/] --codebook is required")
        raise typer.Exit(2)
    cb = _codebook(codebook)
    if threshold_policy not in ("pooled", "per-code"):
        err.print(f"[red]error:[/] --threshold-policy must be pooled or per-code (got {_esc(threshold_policy)})")
        raise typer.Exit(2)
    fams = tuple(_split(features) or ())
    if not fams or any(f not in ("terms", "rules") for f in fams):
        err.print(f"[red]error:[/] --features must be some of terms, rules (got {_esc(features)})")
        raise typer.Exit(2)
    units, lang = _units(tables, project, corpus, cb, lang, coders)
    try:
        learner = CodeLearner(cb, features=fams, min_positives=min_positives, random_state=seed,
                              lang=lang, threshold_policy=threshold_policy).fit(units)
        save_model(learner, output)
    except QualcoopError as e:
        _fail_with_problems(e)
    rows = learner.cv_table()
    out.print(f"grouped cross-validation: {learner.n_splits_} folds by document, {learner.n_units_} units, "
              f"{learner.n_groups_} documents", highlight=False)
    width = max([len(r["code_id"]) for r in rows] + [4])
    out.print(f"{'code':{width}s}  {'pos':>4s}  {'rules P/R/F1':>16s}  {'model P/R/F1':>16s}  "
              f"{'rules+model P/R/F1':>18s}  threshold", markup=False, highlight=False, soft_wrap=True)
    thresholds = dict(zip(learner.codes_, learner.thresholds_))
    for r in rows:
        t = thresholds.get(r["code_id"])
        thr = "-" if t is None else ("off" if t > 1 else f"{t:.2f}")
        cells = [" ".join(_f(r[f"{m}_{k}"]) for k in ("precision", "recall", "f1"))
                 for m in ("rules", "model", "rules+model")]
        out.print(f"{r['code_id']:{width}s}  {r['positives']:>4d}  {cells[0]:>16s}  {cells[1]:>16s}  {cells[2]:>18s}  {thr}",
                  markup=False, highlight=False, soft_wrap=True)
    s = learner.cv_summary()
    for m in ("rules", "model", "rules+model"):
        out.print(f"{m:12s} micro P {s[m]['micro_precision']:.3f}  R {s[m]['micro_recall']:.3f}  "
                  f"F1 {s[m]['micro_f1']:.3f}   macro F1 {s[m]['macro_f1']:.3f}", highlight=False, soft_wrap=True)
    out.print("threshold: the learned probability above which the model adds a code to the rules' (off: the "
              f"model adds nothing to this code; policy {threshold_policy}); rules+model figures use thresholds "
              "chosen on the other folds",
              markup=False, highlight=False, soft_wrap=True)
    if learner.skipped_:
        out.print("left to the rules: " + "; ".join(f"{c} ({why})" for c, why in sorted(learner.skipped_.items())),
                  markup=False, highlight=False, soft_wrap=True)
    if report is not None:
        from ..export import write_table

        write_table(rows, report, columns=list(rows[0]) if rows else None)
        out.print(f"wrote {_esc(str(report))}")
    out.print(f"wrote model {_esc(str(output))} ({len(learner.codes_)} code(s) modelled)", soft_wrap=True)


@app.command("suggest")
def suggest_cmd(
    tables: TablesArg = None,
    codebook: CodebookOpt = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write the suggestions (with YAML) to this table (.csv, .xlsx, .jsonl).")] = None,
    corpus: CorpusOpt = None,
    project: ProjectOpt = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="Language of units without one (en, id).")] = None,
    coders: Annotated[Optional[str], typer.Option(
        "--coders", help="Only these coders' rows (comma-separated; default: every coder but qualcoop).")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Terms per code.")] = 5,
) -> None:
    """Suggest terms for rules (and rules to review) from people's codings; nothing is changed."""
    from ..learn import SUGGESTION_COLUMNS, suggest

    if not codebook:
        err.print("[red]error:[/] --codebook is required")
        raise typer.Exit(2)
    cb = _codebook(codebook)
    units, lang = _units(tables, project, corpus, cb, lang, coders)
    try:
        found = suggest(units, codebook=cb, lang=lang, top=top)
    except QualcoopError as e:
        _fail_with_problems(e)
    if not found:
        out.print("no suggestions: no term would raise a code's F1 on this table, and no rule fires mostly "
                  "where people did not code", soft_wrap=True)
    for s in found:
        if s.kind == "term":
            out.print(f"{s.code_id}: add {s.item!r} ({s.lang}, in {s.support} missed unit(s)): F1 {s.f1:.2f} "
                      f"({s.delta_f1:+.2f}), precision {s.precision:.2f} ({s.delta_precision:+.2f}), recall "
                      f"{s.recall:.2f} ({s.delta_recall:+.2f})", markup=False, highlight=False, soft_wrap=True)
        else:
            out.print(f"{s.code_id}: review rule {s.item} (fires on {s.support} unit(s), mostly uncoded); without it "
                      f"F1 {s.f1:.2f} ({s.delta_f1:+.2f})", markup=False, highlight=False, soft_wrap=True)
        for ex in s.examples:
            out.print(f"    e.g. {ex}", markup=False, highlight=False, soft_wrap=True)
        out.print("    " + s.yaml.replace("\n", "\n    "), markup=False, highlight=False, soft_wrap=True)
    if output is not None:
        from ..export import write_table

        write_table([s.to_dict() for s in found], output, columns=list(SUGGESTION_COLUMNS))
        out.print(f"wrote {len(found)} suggestion(s) to {_esc(str(output))}", soft_wrap=True)
