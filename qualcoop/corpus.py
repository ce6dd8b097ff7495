"""A corpus: a stream of documents from files, extracted one at a time.

A :class:`Corpus` holds paths, not texts: iterating it extracts each file when it
is reached, so a folder of thousands of transcripts never sits in memory at once.
Files that fail become :class:`~qualcoop.errors.Failure` records (typed error,
file named) and the stream goes on with the others.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ExtractionError, Failure, QualcoopError, QualcoopWarning, internal_error
from .extract import extract_file, supported_suffixes
from .extract.base import ExtractOptions
from .model import Document

#: file names that are never documents (sidecars, licences, readmes)
_NOT_DOCUMENTS = frozenset({"metadata.csv", "metadata.yaml", "metadata.yml", "readme.md", "readme.txt",
                            "license", "license.txt", "licence.txt"})
#: sidecars: read as metadata, so not reported as skipped
_SIDECARS = frozenset({"metadata.csv", "metadata.yaml", "metadata.yml"})


@dataclass(frozen=True)
class Skipped:
    """A path that discovery did not take, and why (``reason`` reads as a sentence fragment)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover_files` found: the files to read and every path it passed over."""

    files: tuple[Path, ...]
    skipped: tuple[Skipped, ...]


def discover(paths: Iterable[str | Path], *, recursive: bool = True) -> list[Path]:
    """Files under ``paths`` with a supported suffix, in a stable (sorted) order.

    See :func:`discover_files` for the rules, and for the paths skipped and why.
    """
    return list(discover_files(paths, recursive=recursive).files)


def discover_files(paths: Iterable[str | Path], *, recursive: bool = True, include: Sequence[str] = (),
                   exclude: Sequence[str] = (), follow_symlinks: bool = False) -> Discovery:
    """Files under ``paths`` in a stable (sorted) order, and every path skipped with its reason.

    A path given explicitly is kept (so an unsupported file fails loudly), unless it is not a
    regular file (a FIFO, a device, a socket: reading it could block forever) or is unreadable.
    Walking a folder skips, each reported with the reason:

    - hidden files and folders (name starting with ``.``) and folders starting with ``_`` (build
      sources, caches);
    - readmes and licences (``readme.txt``, ``readme.md``, ``license``, ``licence.txt``, ...);
      metadata sidecars (``metadata.csv``/``.yaml``) are read as metadata and not reported;
    - files of a type no extractor reads (``.xml``, ``.rtf``, ``.doc``, ...);
    - symbolic links that point outside the folder given (unless ``follow_symlinks``), and
      broken ones;
    - FIFOs, devices, sockets and files the user may not read.

    ``include`` globs take a walked file the rules above would skip (``--include '_drafts/*'``,
    ``--include 'readme.txt'``); ``exclude`` globs skip files that would be taken. A glob
    matches the path relative to the folder given (``/``-separated; ``*`` also crosses ``/``)
    or the file name alone. Exclusion wins over inclusion.
    """
    files: list[Path] = []
    skipped: list[Skipped] = []
    for p in map(Path, paths):
        if p.is_dir():
            found, passed = _walk(p, recursive=recursive, include=tuple(include), exclude=tuple(exclude),
                                  follow_symlinks=follow_symlinks)
            files.extend(sorted(found))
            skipped.extend(sorted(passed, key=lambda s: s.path))
        else:
            why = _special(p)
            if why:
                skipped.append(Skipped(str(p), why))
            else:
                files.append(p)
    seen: dict[Path, Path] = {}
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen[key] = f
            unique.append(f)
        elif f != seen[key]:
            skipped.append(Skipped(str(f), f"the same file as {seen[key]}"))
    return Discovery(tuple(unique), tuple(skipped))


def _special(p: Path) -> str | None:
    """Why a path given or found cannot be read as a file (None: it can, or it does not exist)."""
    import os
    import stat

    try:
        st = p.stat()
    except FileNotFoundError:
        return "broken symbolic link" if p.is_symlink() else None
    except OSError as e:
        return f"cannot be read ({e.strerror or e})"
    if stat.S_ISFIFO(st.st_mode):
        return "special file (FIFO)"
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return "special file (device)"
    if stat.S_ISSOCK(st.st_mode):
        return "special file (socket)"
    if stat.S_ISREG(st.st_mode) and not os.access(p, os.R_OK):
        return "unreadable (permission denied)"
    return None


def _matches(rel: str, name: str, globs: Sequence[str]) -> str | None:
    from fnmatch import fnmatchcase

    for g in globs:
        if fnmatchcase(rel, g) or fnmatchcase(name, g):
            return g
    return None


def _walk(root: Path, *, recursive: bool, include: tuple[str, ...], exclude: tuple[str, ...],
          follow_symlinks: bool) -> tuple[list[Path], list[Skipped]]:
    import os

    real_root = root.resolve()
    suffixes = frozenset(supported_suffixes())  # what the registered extractors claim (plugins' too)
    found: list[Path] = []
    skipped: list[Skipped] = []
    visited: set[Path] = {real_root}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as e:
            skipped.append(Skipped(str(folder), f"folder cannot be read ({e.strerror or e})"))
            continue
        for entry in entries:
            path = Path(entry.path)
            rel = path.relative_to(root).as_posix()
            name = entry.name
            if entry.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    skipped.append(Skipped(str(path), "broken symbolic link"))
                    continue
                if not follow_symlinks and not target.is_relative_to(real_root):
                    skipped.append(Skipped(str(path), f"symbolic link to {target}, outside the input folder "
                                                      "(--follow-symlinks to read it)"))
                    continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not recursive:
                    continue
                if name.startswith(".") and not _matches(rel + "/", name, include):
                    skipped.append(Skipped(str(path), "hidden folder"))
                    continue
                if name.startswith("_") and not _matches(rel + "/", name, include) \
                        and not any(g.startswith(rel + "/") for g in include):
                    skipped.append(Skipped(str(path), "folder starting with '_'"))
                    continue
                real = path.resolve()
                if real in visited:
                    continue  # a link back into a folder already walked
                visited.add(real)
                stack.append(path)
                continue
            why = _special(path)
            if why:
                skipped.append(Skipped(str(path), why))
                continue
            lower = name.lower()
            if lower in _SIDECARS:
                continue
            ex = _matches(rel, name, exclude)
            if ex:
                skipped.append(Skipped(str(path), f"excluded by --exclude {ex!r}"))
                continue
            if _matches(rel, name, include):
                found.append(path)
            elif name.startswith("."):
                skipped.append(Skipped(str(path), "hidden file"))
            elif lower in _NOT_DOCUMENTS:
                skipped.append(Skipped(str(path), "readme or licence"))
            elif path.suffix.lower() not in suffixes:
                skipped.append(Skipped(str(path), f"unsupported type {path.suffix.lower() or '(no suffix)'!r}"))
            else:
                found.append(path)
    return found, skipped


@dataclass
class Corpus:
    """Documents extracted lazily from files.

    Parameters
    ----------
    paths : list of Path
        Files (see :func:`discover` to build it from folders).
    options : ExtractOptions
        Extraction options shared by every file.

    Examples
    --------
    >>> corpus = Corpus.from_paths(["corpora/score_bali"])           # doctest: +SKIP
    >>> for doc in corpus: print(doc.id, len(doc.text))              # doctest: +SKIP
    >>> corpus.failures                                               # doctest: +SKIP
    """

    paths: list[Path]
    options: ExtractOptions = field(default_factory=ExtractOptions)
    failures: list[Failure] = field(default_factory=list, init=False)
    #: paths passed over while discovering the files, with the reason (see :func:`discover_files`)
    skipped: tuple[Skipped, ...] = ()

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path], *, recursive: bool = True,
                   options: ExtractOptions | None = None, include: Sequence[str] = (),
                   exclude: Sequence[str] = (), follow_symlinks: bool = False) -> Corpus:
        found = discover_files(paths, recursive=recursive, include=include, exclude=exclude,
                               follow_symlinks=follow_symlinks)
        return cls(list(found.files), options or ExtractOptions(), skipped=found.skipped)

    def __len__(self) -> int:
        return len(self.paths)

    def iter_results(self) -> Iterator[Document | Failure]:
        """Each file in order, as a Document or a Failure. Warnings are collected, not lost."""
        for path in self.paths:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", QualcoopWarning)
                try:
                    result: Document | Failure = extract_file(path, options=self.options)
                except QualcoopError as e:
                    result = Failure(str(path), e)
                except OSError as e:
                    result = Failure(str(path), ExtractionError(path, str(e)))
                except Exception as e:  # nothing escapes a document: it fails alone, typed
                    result = Failure(str(path), internal_error(e, "extracting"))
            for w in caught:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            yield result

    def __iter__(self) -> Iterator[Document]:
        """The documents that extract; failures go to :attr:`failures` (reset per iteration)."""
        self.failures = []
        for r in self.iter_results():
            if isinstance(r, Failure):
                self.failures.append(r)
            else:
                yield r
