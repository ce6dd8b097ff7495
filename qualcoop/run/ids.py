"""Unique, stable document ids for a run (and a project).

The id keeps the readable part :func:`qualcoop.extract.document_id` gives (slugged stem + first 8 hex
digits of the file's sha256). Two different source paths never share an id: when a path's base id
is already held by another path (same content under names that slug or truncate alike, or the same
file name in two folders), it gets a suffix derived from its own path (``-p`` + 6 hex digits of the
path's sha256), so it is stable across runs over the same inputs and does not depend on order unless
a base id is contested.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

__all__ = ["DocumentIds", "file_sha256"]


def file_sha256(path: str | Path, *, chunk: int = 1 << 20) -> str | None:
    """The file's sha256 (read in chunks), or ``None`` for what is not a readable regular file."""
    p = Path(path)
    try:
        if not p.is_file():
            return None
        h = hashlib.sha256()
        with p.open("rb") as fh:
            while block := fh.read(chunk):
                h.update(block)
        return h.hexdigest()
    except OSError:
        return None


def _path_key(path: str | Path) -> str:
    return Path(path).as_posix()


class DocumentIds:
    """Hands out document ids; ``taken`` maps ids already in use (a project) to their path."""

    def __init__(self, taken: Mapping[str, str] | None = None) -> None:
        self._owner: dict[str, str] = {k: _path_key(v) for k, v in (taken or {}).items()}
        self._by_path: dict[str, str] = {v: k for k, v in self._owner.items()}

    def assign(self, path: str | Path, sha256: str) -> str:
        """The id of ``path`` (content ``sha256``): the base id unless another path holds it."""
        from ..extract import document_id

        key = _path_key(path)
        base = document_id(Path(path), sha256)
        prev = self._by_path.get(key)
        if prev is not None and prev.startswith(base):
            return prev
        cand = base
        if cand in self._owner and self._owner[cand] != key:
            suffix = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
            cand = f"{base}-p{suffix[:6]}"
            n = 2
            while cand in self._owner and self._owner[cand] != key:
                cand = f"{base}-p{suffix[:6]}-{n}"
                n += 1
        self._owner[cand] = key
        self._by_path[key] = cand
        return cand
