"""Sinks that write a run's results to files, incrementally and atomically.

Each writes to ``<output>.partial`` and renames it over ``<output>`` on :meth:`commit`. On
:meth:`abort` (an exception or Ctrl-C in the run) the partial file is finished as far as it got and
left in place (:attr:`partial` says where); the previous output is never touched.
"""

from __future__ import annotations

from pathlib import Path

from ..export.stream import AtomicFile, SpooledTable, TableWriter
from .tasks import SEGMENT_COLUMNS, SEGMENT_TYPES, FileResult

__all__ = ["CodingTable", "ErrorTable", "SegmentTable", "CODING_TYPES"]

#: column types of a coding table (Parquet); every other column is text
CODING_TYPES = {"segment_index": "int", "start": "int", "end": "int", "negated": "bool"}


class _FileSink:
    def __init__(self, path: str | Path) -> None:
        self.atomic = AtomicFile(path)
        self.path = self.atomic.path
        self.partial = self.atomic.partial
        self._writer = self._open()
        self._closed = False

    def _open(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._writer.close()

    def commit(self) -> None:
        self._close()
        self.atomic.commit()

    def abort(self) -> None:
        self._close()

    @property
    def count(self) -> int:
        return self._writer.count


class CodingTable(_FileSink):
    """One row per coding (:data:`qualcoop.model.CODING_COLUMNS`); format from the suffix.

    ``model=True`` (a run with a trained coder) adds the columns ``confidence`` and ``model_features``."""

    def __init__(self, path: str | Path, *, model: bool = False) -> None:
        self.model = model
        super().__init__(path)

    def _open(self):
        from ..model import CODING_COLUMNS

        if self.model:
            return TableWriter(self.partial, (*CODING_COLUMNS, "confidence", "model_features"),
                               types={**CODING_TYPES, "confidence": "float"})
        return TableWriter(self.partial, CODING_COLUMNS, types=CODING_TYPES)

    @property
    def codings_as(self) -> str:
        """``"csv"``: this table takes CSV lines rendered with the coding (see ``driver.run``)."""
        return "csv" if self._writer.streams_csv else "records"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self._writer.columns)

    def accept(self, result: FileResult) -> None:
        if result.rendered is not None:
            self._writer.write_lines(result.rendered, len(result.codings))
        else:
            self._writer.write_many(result.codings)


class SegmentTable(_FileSink):
    """Documents and segments: JSONL holds a document record then its segment records; CSV, Parquet
    and XLSX hold one row per segment (:data:`SEGMENT_COLUMNS`, then the attributes, sorted)."""

    codings_as = None  # reads no codings

    def _open(self):
        if self.path.suffix.lower() == ".jsonl":
            from ..export import JsonlWriter

            return JsonlWriter(self.partial)
        return SpooledTable(self.partial, SEGMENT_COLUMNS, types=SEGMENT_TYPES)

    def accept(self, result: FileResult) -> None:
        if result.error is not None:
            return
        if self.path.suffix.lower() == ".jsonl":
            if result.document is not None:
                self._writer.write({"record": "document", **result.document})
            for r in result.segments:
                self._writer.write({"record": "segment", **r})
        else:
            for r in result.segments:
                self._writer.write(r)


class ErrorTable(_FileSink):
    """One row per failed file: path, type, code, message."""

    codings_as = None  # reads no codings

    def _open(self):
        return TableWriter(self.partial, ("path", "type", "code", "error", "message"))

    def accept(self, result: FileResult) -> None:
        if result.error is not None:
            self._writer.write(result.error.to_dict())
