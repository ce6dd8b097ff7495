"""Codebook files: find, read, validate and write codebooks and dictionaries.

>>> from qualcoop.codebook import load_codebook, validate_codebook
>>> cb = load_codebook("international_cooperation")        # doctest: +SKIP
>>> [p for p in validate_codebook(cb) if p.kind == "error"]  # doctest: +SKIP
[]

A codebook source is a path or the name of a codebook shipped in the repository's
``codebooks/`` folder or in a folder listed in ``QUALCOOP_CODEBOOK_PATH`` (separated by
``os.pathsep``; these folders are searched first, so they can override shipped codebooks).
The format follows the suffix (``.yaml``/``.yml`` qualcoop's own, or a quanteda dictionary
when the YAML has no ``codes:`` and no ``name``/``version``; ``.json`` qualcoop's own;
``.dic`` LIWC; ``.csv``) unless ``format=`` names a registered reader/writer
(:data:`qualcoop.registry.codebook_readers` / ``codebook_writers``).

Errors are collected, never reported one at a time: loading raises one
:class:`~qualcoop.errors.CodebookError` listing every problem with its file, line, code
and rule; warnings (a term in two codes, a code that can never apply, ...) are emitted
once per load as one :class:`~qualcoop.errors.CodebookWarning` and are also returned by
:func:`validate_codebook`.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from ..errors import CodebookError, CodebookWarning, Problem
from ..model import Codebook
from .validate import check_codebook, problem_at

__all__ = [
    "CODEBOOK_PATH_ENV", "available_codebooks", "codebook_dirs", "codebook_format", "codebook_suffixes", "find_codebook",
    "load_codebook", "save_codebook", "validate_codebook",
]

#: environment variable with extra codebook folders (``os.pathsep``-separated)
CODEBOOK_PATH_ENV = "QUALCOOP_CODEBOOK_PATH"

#: file suffix -> format name for writing, and for reading where no registered reader claims the
#: suffix (readers claim suffixes themselves: their ``suffixes`` and ``sniff``; see :func:`codebook_format`)
SUFFIX_FORMATS = {
    ".yaml": "qualcoop.yaml.v1",
    ".yml": "qualcoop.yaml.v1",
    ".json": "qualcoop.json.v1",
    ".dic": "liwc.dic.v1",
    ".csv": "csv.v1",
    ".qdc": "refi.qdc.v1",
}


def codebook_suffixes() -> tuple[str, ...]:
    """Every suffix a registered codebook reader claims (plugins' too), and those of :data:`SUFFIX_FORMATS`."""
    from ..registry import codebook_readers

    claimed = {str(x).lower() for _, r in codebook_readers.items() for x in getattr(r, "suffixes", ()) or ()}
    return tuple(sorted(claimed | set(SUFFIX_FORMATS)))


def codebook_dirs() -> list[Path]:
    """Folders searched for codebooks by name: ``$QUALCOOP_CODEBOOK_PATH`` first, then the
    repository's ``codebooks/`` folder."""
    import qualcoop

    dirs = [Path(p) for p in os.environ.get(CODEBOOK_PATH_ENV, "").split(os.pathsep) if p.strip()]
    dirs.append(Path(qualcoop.__file__).resolve().parents[1] / "codebooks")
    return dirs


def available_codebooks() -> list[str]:
    """Names of the codebooks :func:`load_codebook` can find by name, sorted.

    Returns
    -------
    list of str
        File stems of the files with a known suffix in :func:`codebook_dirs`.
    """
    names: set[str] = set()
    for d in codebook_dirs():
        if d.is_dir():
            suffixes = codebook_suffixes()
            names.update(f.stem for f in d.iterdir() if f.is_file() and f.suffix.lower() in suffixes)
    return sorted(names)


def find_codebook(name: str) -> Path:
    """The file of the codebook called ``name`` (see :func:`codebook_dirs` for the order).

    Raises
    ------
    CodebookError
        If no folder has it; the message lists the available names.
    """
    for d in codebook_dirs():
        for suffix in codebook_suffixes():
            cand = d / f"{name}{suffix}"
            if cand.is_file():
                return cand
    known = ", ".join(available_codebooks()) or "none"
    raise CodebookError(name, [problem_at(name, f"no codebook file and no shipped codebook named {name!r} "
                                                f"(available: {known}; folders: "
                                                f"{', '.join(map(str, codebook_dirs()))})")])


def _resolve(source: str | os.PathLike[str]) -> Path:
    path = Path(source)
    if path.is_file():
        return path
    text = str(source)
    is_name = isinstance(source, str) and "/" not in text and os.sep not in text \
        and path.suffix.lower() not in codebook_suffixes()
    if is_name:
        return find_codebook(text)
    raise CodebookError(text, [problem_at(text, "no such file")])


def codebook_format(path: str | os.PathLike[str]) -> str:
    """The registered reader for ``path``: among the readers claiming its suffix (their ``suffixes``),
    one whose ``sniff(path)`` says yes (a quanteda dictionary among ``.yaml`` files), else the first
    without ``sniff`` (built-ins before plugins).

    Raises
    ------
    CodebookError
        If no registered reader claims the suffix.
    """
    from ..registry import by_suffix, codebook_readers

    p = Path(path)
    suffix = p.suffix.lower()
    claims = by_suffix(codebook_readers, suffix) if suffix else []
    for name in claims:  # a reader that can tell by the content goes first when it says yes
        sniff = getattr(codebook_readers.get(name), "sniff", None)
        if sniff is not None and sniff(p):
            return name
    plain = [n for n in claims if getattr(codebook_readers.get(n), "sniff", None) is None]
    fmt = plain[0] if plain else SUFFIX_FORMATS.get(suffix)
    if fmt is None:
        raise CodebookError(str(p), [problem_at(p, f"cannot tell the codebook format from the suffix "
                                                   f"{p.suffix!r}; pass format= one of "
                                                   f"{', '.join(codebook_readers.names())}")])
    return fmt


def load_codebook(source: str | os.PathLike[str], *, format: str | None = None) -> Codebook:
    """Load and validate a codebook from a path or by name.

    Parameters
    ----------
    source : str or path-like
        A file, or the name of a shipped codebook (``"international_cooperation"``).
    format : str, optional
        A registered reader name (``"qualcoop.yaml.v1"``, ``"qualcoop.json.v1"``,
        ``"quanteda.yaml.v1"``, ``"liwc.dic.v1"``, ``"csv.v1"``, or a plugin's);
        by default chosen from the suffix.

    Returns
    -------
    Codebook
        ``Codebook.path`` is the file read; codes and rules carry their line numbers.

    Raises
    ------
    CodebookError
        Listing every error in the file (or saying why it could not be found).
    RegistryError
        If ``format`` is not a registered reader.

    Warns
    -----
    CodebookWarning
        Once, listing every warning-level problem.

    Examples
    --------
    >>> cb = load_codebook("international_cooperation")                    # doctest: +SKIP
    >>> load_codebook("dict.yml", format="quanteda.yaml.v1")               # doctest: +SKIP
    """
    from ..registry import codebook_readers

    path = _resolve(source)
    reader = codebook_readers.get(format or codebook_format(path))
    return reader(path)


def save_codebook(codebook: Codebook, path: str | os.PathLike[str], *, format: str | None = None) -> None:
    """Write ``codebook`` to ``path``.

    Parameters
    ----------
    codebook : Codebook
    path : str or path-like
    format : str, optional
        A registered writer name (``"qualcoop.yaml.v1"``, ``"qualcoop.json.v1"``,
        ``"quanteda.yaml.v1"``); by default ``.json`` -> JSON, ``.yaml``/``.yml`` -> qualcoop YAML.

    Raises
    ------
    CodebookError
        If the format cannot be told from the suffix (or the writer refuses the codebook).
    RegistryError
        If ``format`` is not a registered writer.

    Examples
    --------
    >>> save_codebook(cb, "out/codebook.yaml")                              # doctest: +SKIP
    >>> save_codebook(cb, "out/dictionary.yml", format="quanteda.yaml.v1")  # doctest: +SKIP
    """
    from ..registry import codebook_writers

    p = Path(path)
    fmt = format or SUFFIX_FORMATS.get(p.suffix.lower())
    if format is None and (fmt is None or fmt not in codebook_writers):
        raise CodebookError(str(p), [problem_at(p, f"cannot tell the format to write from the suffix "
                                                       f"{p.suffix!r}; pass format= one of "
                                                   f"{', '.join(codebook_writers.names())}")])
    codebook_writers.get(fmt)(codebook, p)  # type: ignore[arg-type]


def validate_codebook(codebook_or_path: Codebook | str | os.PathLike[str], *, format: str | None = None
                      ) -> list[Problem]:
    """Every problem in a codebook or codebook file: errors and warnings, in file order.

    Never raises for problems in the codebook (that is :func:`load_codebook`'s job); a file
    that cannot be found or parsed gives its problems as well.

    Parameters
    ----------
    codebook_or_path : Codebook, str or path-like
        A codebook value, a file, or the name of a shipped codebook.
    format : str, optional
        A registered reader name (for files), as in :func:`load_codebook`.

    Returns
    -------
    list of Problem
        ``Problem.kind`` is ``"error"`` or ``"warning"``.

    Examples
    --------
    >>> [str(p) for p in validate_codebook("tests/data/codebooks/bad.yaml")][:1]  # doctest: +SKIP
    ["tests/data/codebooks/bad.yaml:5: code 'x': unknown key 'defintion' in a code (did you mean 'definition'?)"]
    """
    if isinstance(codebook_or_path, Codebook):
        return check_codebook(codebook_or_path)
    from ..registry import codebook_readers

    try:
        path = _resolve(codebook_or_path)
        reader = codebook_readers.get(format or codebook_format(path))
    except CodebookError as e:
        return list(e.problems)
    parse = getattr(reader, "parse", None)
    if parse is not None:
        _, problems = parse(path)
        return sorted(problems, key=lambda p: (p.line is None, p.line or 0))
    # a plugin reader: keep what it raises and warns
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CodebookWarning)
        try:
            codebook = reader(path)
        except CodebookError as e:
            return list(e.problems)
    found = [p for w in caught if isinstance(w.message, CodebookWarning) for p in w.message.problems]
    return found or [p for p in check_codebook(codebook, path=str(path)) if p.kind == "warning"]
