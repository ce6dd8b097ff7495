"""One streaming run for every scale: settings resolved once, files -> extract -> segment -> code ->
sinks, one document at a time, on a serial, process-pool or Dask executor.

The API, in the order a run uses it:

- :func:`resolve_settings` -> :class:`RunSettings` (every option checked before any work);
- :func:`plan_files` -> :class:`FileTask` list (sha256 and a unique document id per file;
  :class:`DocumentIds` takes the ids a project already holds);
- :func:`iter_results` -> :class:`FileResult` per file in input order (plain records, or an
  :class:`ErrorRecord` with a type from :data:`qualcoop.errors.ERROR_TYPES`);
- :func:`run` feeds them to sinks (:class:`CodingTable`, :class:`SegmentTable`, :class:`ErrorTable`
  or any object with ``accept/commit/abort``) and returns a :class:`RunSummary`.
"""

from __future__ import annotations

from .driver import Progress, RunSummary, Sink, iter_results, plan_files, run, run_id_for
from .ids import DocumentIds, file_sha256
from .settings import RunSettings, canonical_unit, resolve_settings
from .sinks import CodingTable, ErrorTable, SegmentTable
from .tasks import (
    SEGMENT_COLUMNS,
    ErrorRecord,
    FileResult,
    FileTask,
    RunContext,
    document_record,
    process_file,
    segment_records,
)

__all__ = ["SEGMENT_COLUMNS", "CodingTable", "DocumentIds", "ErrorRecord", "ErrorTable", "FileResult",
           "FileTask", "Progress", "RunContext", "RunSettings", "RunSummary", "SegmentTable", "Sink",
           "canonical_unit", "document_record", "file_sha256", "iter_results", "plan_files", "process_file",
           "resolve_settings", "run", "run_id_for", "segment_records"]
