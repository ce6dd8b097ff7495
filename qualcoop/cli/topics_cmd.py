"""``qualcoop topics``: fit a topic model (optionally seeded from a codebook) and write its tables."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..errors import Failure, QualcoopError
from .app import DocLang, PathsArg, Quiet, Recursive, Unit, _esc, _load_quietly, _report_failures, app, err, out
from .run_cmd import Reporter

#: --model choices -> registered topic model names
MODEL_NAMES = {"lda": "lda.gensim.v1", "lda-sklearn": "lda.sklearn.v1", "nmf": "nmf.sklearn.v1"}
#: attributes tabulated by default when the documents have them
DEFAULT_BY = ("type", "year", "speaker")


def parse_sweep(spec: str) -> list[int]:
    """``"5:30:5"`` -> ``[5, 10, ..., 30]`` (end included); ``"5:30"`` steps by 1."""
    parts = spec.split(":")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise typer.BadParameter(f"--sweep {spec!r}: expected START:STOP[:STEP] with whole numbers") from None
    if len(nums) not in (2, 3) or nums[0] < 1 or nums[1] < nums[0] or (len(nums) == 3 and nums[2] < 1):
        raise typer.BadParameter(f"--sweep {spec!r}: expected START:STOP[:STEP] with 1 <= START <= STOP, STEP >= 1")
    step = nums[2] if len(nums) == 3 else 1
    return list(range(nums[0], nums[1] + 1, step))


@app.command("topics")
def topics(
    paths: PathsArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder for the tables and the model.")],
    k: Annotated[int, typer.Option("--k", help="Number of topics (free topics with --seeded).")] = 10,
    seeded: Annotated[Optional[str], typer.Option(
        "--seeded", help="Seed topics from this codebook (file or shipped name) and compare with its rules.")] = None,
    codes: Annotated[Optional[str], typer.Option(
        "--codes", help="With --seeded: comma-separated code ids to seed (default: every code with terms).")] = None,
    model: Annotated[str, typer.Option("--model", help="lda (gensim, default), lda-sklearn or nmf.")] = "lda",
    unit: Unit = "paragraph",
    window_size: Annotated[int, typer.Option("--window-size", help="Words per window with --unit window.")] = 150,
    lang: DocLang = None,
    sweep: Annotated[Optional[str], typer.Option(
        "--sweep", help="Sweep the number of topics START:STOP:STEP (e.g. 5:30:5); writes sweep.csv only.")] = None,
    passes: Annotated[int, typer.Option("--passes", help="Training passes (gensim) / iterations (sklearn LDA).")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="random_state: same data, options and seed, same output.")] = 0,
    top_n: Annotated[int, typer.Option("--top-n", help="Top terms per topic in tables and coherence.")] = 10,
    threshold: Annotated[float, typer.Option("--threshold", help="Topic weight from which a unit is coded.")] = 0.3,
    by: Annotated[Optional[list[str]], typer.Option(
        "--by", help="Tabulate topics by this document attribute (repeatable; default: type, year, speaker).")] = None,
    phrases: Annotated[bool, typer.Option("--phrases/--no-phrases", help="Learn two-word phrases.")] = True,
    min_df: Annotated[int, typer.Option("--min-df", help="Minimum number of units a term must occur in.")] = 2,
    max_df: Annotated[float, typer.Option("--max-df", help="Maximum share of units a term may occur in.")] = 0.5,
    recursive: Recursive = True,
    quiet: Quiet = False,
) -> None:
    """Fit topic models on segments; write topic-term, segment-topic, attribute and coherence tables."""
    from ..corpus import Corpus
    from ..topics import Preprocessor, SeededLDA, fit_topics, topic_models
    from ..topics.quality import sweep as run_sweep

    if model not in MODEL_NAMES:
        err.print(f"[red]error:[/] --model {_esc(repr(model))}: choose one of {', '.join(MODEL_NAMES)}")
        raise typer.Exit(2)
    if seeded and model != "lda":
        err.print("[red]error:[/] --seeded works with --model lda (gensim) only")
        raise typer.Exit(2)
    ks = parse_sweep(sweep) if sweep else None
    try:
        pre = Preprocessor(lang=lang or "en", phrases=phrases, min_df=min_df, max_df=max_df)
        cb = _load_quietly(seeded) if seeded else None
        if cb is not None:
            code_ids = [c.strip() for c in codes.split(",") if c.strip()] if codes else None
            estimator = SeededLDA(cb, codes=code_ids, n_free_topics=k, passes=passes, random_state=seed,
                                  preprocessor=pre)
        else:
            cls = topic_models.get(MODEL_NAMES[model])
            params = {"n_topics": k, "random_state": seed, "preprocessor": pre}
            names = cls().get_params(deep=False)
            for name in ("passes", "max_iter"):
                if name in names:
                    params[name] = passes
            estimator = cls(**params)
    except QualcoopError as e:
        err.print(f"[red]error:[/] {_esc(str(e))}")
        raise typer.Exit(2) from None

    corpus = Corpus.from_paths(paths, recursive=recursive)
    if not corpus.paths:
        err.print("[red]no input files found[/]")
        raise typer.Exit(2)
    failures: list[Failure] = []
    docs = []
    with Reporter(quiet=quiet, what="files read") as step:
        for result in corpus.iter_results():
            (failures if isinstance(result, Failure) else docs).append(result)
            step.step(len(docs) + len(failures), len(corpus.paths), len(failures))
    if not docs:
        _report_failures(failures)
        err.print("[red]no document could be read[/]")
        raise typer.Exit(2 if not failures else 1)
    seg_opts = {"size": window_size} if unit in ("window", "windows") else None
    output.mkdir(parents=True, exist_ok=True)
    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if ks is not None:
                with Reporter(quiet=quiet, what="models fitted") as fits:
                    frame = _sweep(docs, estimator, ks, unit=unit, lang=lang, seg_opts=seg_opts,
                                   run_sweep=run_sweep, top_n=top_n, progress=fits.step)
                frame.to_csv(output / "sweep.csv", index=False, lineterminator="\n", float_format="%.6f")
                _print_sweep(frame)
                err.print(f"{len(docs)} document(s); sweep over {len(ks)} value(s) -> {_esc(str(output / 'sweep.csv'))}")
            else:
                if not quiet:
                    err.print(f"fitting {MODEL_NAMES[model] if cb is None else 'seeded lda'} on {len(docs)} "
                              "document(s) ...", highlight=False, markup=False)
                result = fit_topics(docs, estimator, unit=unit, lang=lang, segment_options=seg_opts)
                rule_codings = _rule_codings(docs, cb, result, lang) if cb is not None else None
                attrs = _attributes(result, by)
                result.write(output, top_n=top_n, threshold=threshold, attributes=attrs,
                             rule_codings=rule_codings)
                _print_topics(result, output, top_n)
                err.print(f"{len(docs)} document(s), {len(result.units)} {unit} unit(s), "
                          f"{result.model.n_topics_} topic(s) -> {output}")
    except QualcoopError as e:
        err.print(f"[red]error:[/] {_esc(str(e))}")
        raise typer.Exit(2) from None
    for w in _unique(caught):
        err.print(f"[yellow]warning:[/] {_esc(w)}", highlight=False)
    _report_failures(failures)
    raise typer.Exit(1 if failures else 0)


def _unique(caught: list) -> list[str]:
    from ..errors import QualcoopWarning

    seen: dict[str, None] = {}
    for w in caught:
        if issubclass(w.category, QualcoopWarning):
            seen.setdefault(str(w.message), None)
    return list(seen)


def _sweep(docs, estimator, ks, *, unit, lang, seg_opts, run_sweep, top_n, progress=None):
    from ..segment import segment

    pre = estimator._preprocessor()
    tokens = []
    langs = set()
    for doc in docs:
        dlang = doc.lang or lang or pre.lang
        langs.add(dlang)
        for s in segment(doc, unit, **(seg_opts or {})):
            toks = pre.tokens(doc.text[s.start:s.end], dlang)
            if toks:
                tokens.append(toks)
    params = estimator.get_params(deep=False)
    if "seed_langs" in params and params["seed_langs"] is None:
        estimator.set_params(seed_langs=tuple(sorted(langs)))
    return run_sweep(estimator, tokens, ks, measures=("c_v", "u_mass", "c_npmi"), top_n=top_n, progress=progress)


def _rule_codings(docs, cb, result, lang):
    from ..match import apply_codebook

    segments: dict = {}
    for s in result.units:
        segments.setdefault(s.doc_id, []).append(s)
    return apply_codebook(docs, cb, unit=result.unit, lang=lang, segments=segments)


def _attributes(result, by) -> list[str]:
    if by:
        return list(by)
    present = {k for d in result.documents.values() for k in d.attributes}
    names = [a for a in DEFAULT_BY if a in present
             or (a == "speaker" and any(s.speaker for s in result.units))]
    return list(dict.fromkeys(names))


def _print_topics(result, output: Path, top_n: int) -> None:
    import pandas as pd

    coh = pd.read_csv(output / "coherence.csv") if (output / "coherence.csv").exists() else None
    table = Table(title=f"Topics ({result.model.registry_name}, {result.model.n_topics_} topics)")
    table.add_column("topic", justify="right")
    table.add_column("code")
    table.add_column(f"top {min(top_n, 8)} terms")
    table.add_column("prevalence", justify="right")
    table.add_column("c_v", justify="right")
    for row in result.topics(top_n).itertuples():
        cv = ""
        if coh is not None:
            cv = f"{coh.loc[coh['topic'] == row.topic, 'c_v'].iloc[0]:.3f}"
        code = row.code_id if isinstance(row.code_id, str) else ""
        table.add_row(str(row.topic), _esc(code), _esc(" ".join(row.top_terms.split()[:8])),
                      f"{row.prevalence:.3f}", cv)
    out.print(table)
    if coh is not None:
        overall = coh[coh["topic"] == -1].iloc[0]
        out.print("overall coherence: " + ", ".join(
            f"{m} {overall[m]:.3f}" for m in ("c_v", "u_mass", "c_npmi") if m in coh.columns))


def _print_sweep(frame) -> None:
    table = Table(title="Number of topics: coherence and perplexity")
    for col in ("value", "n_topics", "perplexity", "c_v", "u_mass", "c_npmi"):
        table.add_column(col, justify="right")
    for row in frame.itertuples():
        table.add_row(str(row.value), str(row.n_topics), f"{row.perplexity:.1f}", f"{row.c_v:.3f}",
                      f"{row.u_mass:.3f}", f"{row.c_npmi:.3f}")
    out.print(table)
