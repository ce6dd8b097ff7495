"""A corpus: a stream of documents from files, extracted one at a time.

A :class:`Corpus` holds paths, not texts: iterating it extracts each file when it
is reached, so a folder of thousands of transcripts never sits in memory at once.
Files that fail become :class:`~qualcoop.errors.Failure` records (typed error,
file named) and the stream goes on with the others.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ExtractionError, Failure, QualcoopError, QualcoopWarning, internal_error
from .extract import extract_file, supported_suffixes
from .extract.base import ExtractOptions
from .model import Document

#: file names that are never documents (sidecars, licences, readmes)
_NOT_DOCUMENTS = frozenset({"metadata.csv", "metadata.yaml", "metadata.yml", "readme.md", "readme.txt",
                            "license", "license.txt", "licence.txt"})


def discover(paths: Iterable[str | Path], *, recursive: bool = True) -> list[Path]:
    """Files under ``paths`` with a supported suffix, in a stable (sorted) order.

    A path given explicitly is always kept (so an unsupported file fails loudly);
    files found by walking a folder are kept only if their suffix is supported, they are not
    sidecars or readmes, and no folder on the way starts with ``.`` or ``_`` (build sources, caches).
    """
    out: list[Path] = []
    suffixes = frozenset(supported_suffixes())
    for p in map(Path, paths):
        if p.is_dir():
            walker = p.rglob("*") if recursive else p.glob("*")
            found = [f for f in walker if f.is_file() and f.suffix.lower() in suffixes
                     and f.name.lower() not in _NOT_DOCUMENTS and not f.name.startswith(".")
                     and not any(part.startswith((".", "_")) for part in f.relative_to(p).parts[:-1])]
            out.extend(sorted(found))
        else:
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


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

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path], *, recursive: bool = True,
                   options: ExtractOptions | None = None) -> Corpus:
        return cls(discover(paths, recursive=recursive), options or ExtractOptions())

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
