"""Run settings, resolved and checked once before any work.

:func:`resolve_settings` turns what a user typed (CLI options or keyword arguments) into one frozen
:class:`RunSettings`: input files discovered, unit checked against the registered segmenters,
language normalised by :func:`qualcoop.lang.pipelines.normalise_lang_code` (one alias table, qualcoop.model.langs),
codebook loaded, checked and compiled, output format chosen from the suffix and its folder checked
to be writable, executor and worker count checked. Every later layer takes the resolved values; a
bad option raises :class:`~qualcoop.errors.RunSettingsError` (or ``CodebookError``/``RuleError``
for the codebook) before any file is read and before any output file is touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Sequence
from typing import Any

from ..errors import QualcoopError, RunSettingsError
from ..extract.base import ExtractOptions

__all__ = ["RunSettings", "resolve_settings", "resolve_model", "canonical_unit"]


@dataclass(frozen=True, kw_only=True)
class RunSettings:
    """Everything a run needs, validated. Build it with :func:`resolve_settings`."""

    files: tuple[Path, ...]
    unit: str = "paragraph"
    lang: str | None = None
    codebook: Any = None  # qualcoop.model.Codebook, or None for extraction only
    coder: str = "qualcoop"
    options: ExtractOptions = field(default_factory=ExtractOptions)
    output: Path | None = None
    output_format: str | None = None
    workers: int = 1
    executor: str = "serial"
    scheduler: str | None = None
    prefilter: bool = True
    keep_furniture: bool = False  # code running headers, footers and page numbers too
    #: paths passed over while discovering ``files``, each with its reason (qualcoop.corpus.Skipped)
    skipped: tuple = ()
    #: a trained coder (qualcoop.learn.CodeLearner) whose codings join the rules' (branch learn)
    model: Any = None
    model_threshold: float | None = None

    def key(self) -> tuple:
        """What makes two runs' per-document results the same (for skipping work already done)."""
        fp = self.codebook.fingerprint() if self.codebook is not None else None
        key = (fp, self.unit, self.lang, self.coder, self.prefilter, repr(self.options),
               *(("keep_furniture",) if self.keep_furniture else ()))
        return key if self.model is None else key + (self.model.fingerprint(), self.model_threshold)


_UNIT_ALIASES = {"section": "article", "doc": "document", "turns": "turn", "paragraphs": "paragraph",
                 "sentences": "sentence", "articles": "article", "sections": "article", "windows": "window"}


def canonical_unit(unit: str) -> str:
    """The registered unit name for ``unit`` (aliases such as ``section`` resolved), or an error."""
    from ..registry import segmenters

    name = _UNIT_ALIASES.get(str(unit).strip().lower(), str(unit).strip().lower())
    if f"{name}.v1" not in segmenters:
        units = sorted(n.removesuffix(".v1") for n in segmenters.names() if n.endswith(".v1"))
        raise RunSettingsError(f"unknown unit {unit!r}; use one of {', '.join(units)} (or section)")
    return name


def _check_output(output: Path) -> str:
    from ..export.stream import check_table_path

    try:
        fmt = check_table_path(output)
    except QualcoopError as e:
        raise RunSettingsError(e.message) from None
    if output.is_dir():
        raise RunSettingsError(f"{output}: is a folder, not an output file")
    folder = output.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise RunSettingsError(f"{output}: cannot create it under {folder} (not a folder)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RunSettingsError(f"{output}: the folder {folder} is not writable")
    if output.exists() and not os.access(output, os.W_OK):
        raise RunSettingsError(f"{output}: the file exists and is not writable")
    return fmt


def resolve_settings(
    paths: Any,
    *,
    codebook: Any = None,
    unit: str = "paragraph",
    lang: str | None = None,
    coder: str = "qualcoop",
    output: str | Path | None = None,
    recursive: bool = True,
    options: ExtractOptions | None = None,
    workers: int = 1,
    executor: str | None = None,
    scheduler: str | None = None,
    prefilter: bool = True,
    compile: bool = True,
    keep_furniture: bool = False,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    follow_symlinks: bool = False,
    model: Any = None,
    model_threshold: float | None = None,
) -> RunSettings:
    """Check every option of a run and return the resolved :class:`RunSettings`.

    Parameters
    ----------
    paths : path-like or list of them
        Files and folders (folders are walked, see :func:`qualcoop.corpus.discover`).
    codebook : Codebook, path or shipped name, optional
        Loaded (and compiled, unless ``compile=False``) now; ``None`` for extraction only.
    executor : {"serial", "process", "dask"}, optional
        Default: ``process`` when ``workers > 1`` (or ``dask`` when ``scheduler`` is given), else ``serial``.
    include, exclude, follow_symlinks
        Discovery rules (see :func:`qualcoop.corpus.discover_files`); every path passed over is in
        ``RunSettings.skipped`` with its reason.
    model : path or qualcoop.learn.CodeLearner, optional
        A trained coder (``qualcoop learn``) made for ``codebook``; its codings join the rules'.
    model_threshold : float, optional
        One probability threshold for every modelled code instead of the learned ones.

    Raises
    ------
    RunSettingsError
        A bad unit, language, output path, input path, executor or worker count (one line).
    CodebookError, RuleError
        The codebook cannot be loaded or one of its rules cannot be compiled.

    Examples
    --------
    >>> resolve_settings(["corpora/score_bali"], unit="sentense")   # doctest: +SKIP
    Traceback (most recent call last):
    RunSettingsError: [Q700] unknown unit 'sentense'; use one of article, document, ...
    """
    from ..corpus import discover_files
    from ..exec import EXECUTORS
    from ..registry import extractors

    options = options or ExtractOptions()
    name = canonical_unit(unit)
    if lang is not None:
        from ..lang.pipelines import normalise_lang_code

        try:
            lang = normalise_lang_code(lang)
        except QualcoopError as e:
            raise RunSettingsError(e.message) from None
    if options.pdf_engine not in extractors:
        raise RunSettingsError(f"unknown PDF engine {options.pdf_engine!r}; use pypdfium2 or pdfplumber")
    if options.errors not in ("strict", "replace"):
        raise RunSettingsError(f"errors={options.errors!r}: use 'strict' or 'replace'")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise RunSettingsError(f"--workers must be a whole number >= 1, not {workers!r}")
    if executor is None:
        executor = "dask" if scheduler else ("process" if workers > 1 else "serial")
    if executor not in EXECUTORS:
        raise RunSettingsError(f"unknown executor {executor!r}; use one of {', '.join(EXECUTORS)}")
    if scheduler and executor != "dask":
        raise RunSettingsError("--scheduler needs --executor dask")
    if executor == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise RunSettingsError("--executor dask needs dask[distributed] (pip install 'qualcoop[dask]')") from None
    fmt = None
    out = None
    if output is not None:
        out = Path(output)
        fmt = _check_output(out)
    given = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not given:
        raise RunSettingsError("no input paths given")
    for p in map(Path, given):
        if not p.exists() and not p.is_symlink():
            raise RunSettingsError(f"{p}: no such file or folder")
    found = discover_files(given, recursive=recursive, include=include, exclude=exclude,
                           follow_symlinks=follow_symlinks)
    files = found.files
    if not files:
        why = "; ".join(f"{s.path}: {s.reason}" for s in found.skipped[:10])
        more = f" and {len(found.skipped) - 10} more" if len(found.skipped) > 10 else ""
        raise RunSettingsError(f"no input files found under {', '.join(map(str, given))}"
                               + (f" (skipped {why}{more}; --include/--exclude change the rules)" if why else ""))
    if out is not None and any(_same(out, f) for f in files):
        raise RunSettingsError(f"{out}: the output would overwrite one of the inputs")
    cb = codebook
    if codebook is not None and not hasattr(codebook, "fingerprint"):
        from ..codebook import load_codebook

        cb = load_codebook(codebook)
    if model is not None:
        model = resolve_model(model, cb, model_threshold)
    elif model_threshold is not None:
        raise RunSettingsError("--model-threshold needs --model")
    settings = RunSettings(files=files, unit=name, lang=lang, codebook=cb, coder=coder, options=options,
                           output=out, output_format=fmt, workers=workers, executor=executor,
                           scheduler=scheduler, prefilter=prefilter, skipped=found.skipped,
                           keep_furniture=bool(keep_furniture), model=model, model_threshold=model_threshold)
    if cb is not None and compile:
        from .tasks import compiled_codebook

        compiled_codebook(settings)  # rule errors surface now; cached for this process and forked workers
    return settings


def resolve_model(model: Any, codebook: Any, threshold: float | None = None) -> Any:
    """The trained coder of a run (loaded and checked against the codebook when given as a path)."""
    if codebook is None:
        raise RunSettingsError("--model needs --codebook (the model was trained for one codebook)")
    if threshold is not None and not (isinstance(threshold, (int, float)) and 0.0 <= threshold <= 1.0):
        raise RunSettingsError(f"--model-threshold must be a probability between 0 and 1, not {threshold!r}")
    if hasattr(model, "code_document"):
        from ..learn.modelfile import check_model_codebook

        return check_model_codebook(model, codebook)
    from ..learn import load_model

    return load_model(model, codebook)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and a.resolve() == b.resolve()
    except OSError:
        return False
