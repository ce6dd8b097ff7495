"""Tables written one row at a time, into a temporary file renamed into place at the end.

:class:`AtomicFile` gives the temporary path (``<name>.partial`` beside the output) and renames it
over the output only on :meth:`~AtomicFile.commit`; until then an existing output is untouched, and
after a crash or Ctrl-C the partial file is left where :attr:`~AtomicFile.partial` says.

:func:`open_table` returns a writer for the output's format (CSV, JSONL, Parquet, XLSX) that takes
rows one by one and keeps at most one batch of them in memory:

- CSV and JSONL rows go straight to the file (same bytes as :func:`qualcoop.export.write_table`);
- Parquet rows are written in row groups (``pyarrow.parquet.ParquetWriter``) with a fixed schema;
- XLSX uses openpyxl's write-only mode, then the zip is re-packed with fixed dates (deterministic).

:class:`SpooledTable` is for tables whose columns are known only at the end (document attributes):
rows are spooled to a temporary JSONL file and copied into the real format on commit.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..model.cells import continuation_column
from .tables import (TABLE_SUFFIXES, _cell, _FIXED_ZIP_DATE, _strip_core_dates, _xlsx_parts, csv_line, csv_lines,
                     dumps_line, fix_xlsx_properties)

__all__ = ["AtomicFile", "TableWriter", "SpooledTable", "open_table", "check_table_path"]



def check_table_path(path: str | Path) -> str:
    """The table format of ``path`` (its suffix), or :class:`TableFormatError`.

    The built-in formats stream; any other registered table format (a plugin's, see
    :data:`qualcoop.registry.table_formats`) is accepted too and written at the end by its ``write``.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        from .tables import table_format_for

        table_format_for(path)  # TableFormatError naming every registered suffix
    return suffix


class AtomicFile:
    """A temporary sibling of ``path`` that replaces ``path`` only when committed."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.done = False

    def commit(self) -> Path:
        os.replace(self.partial, self.path)
        self.done = True
        return self.path

    def discard(self) -> None:
        """Remove the partial file (after a failure that leaves nothing worth keeping)."""
        try:
            self.partial.unlink()
        except FileNotFoundError:
            pass


class TableWriter:
    """Rows in, one at a time; ``close()`` finishes the file (at ``target``)."""

    def __init__(self, target: Path, columns: Sequence[str], *, types: Mapping[str, str] | None = None,
                 sheet_name: str = "data", batch: int = 2000) -> None:
        self.target = Path(target)
        self.columns = list(columns)
        self.count = 0
        self._types = dict(types or {})
        self._sheet = sheet_name[:31]
        self._batch = batch
        self._rows: list[dict[str, Any]] = []
        self._fmt = check_table_path(self.target.name.removesuffix(".partial"))
        #: a registered format that does not stream (a plugin's): rows are kept and written on close
        self._plain = None
        if self._fmt not in TABLE_SUFFIXES:
            from .tables import table_format_for

            self._plain = table_format_for(self.target.name.removesuffix(".partial"))
        self._fh: Any = None
        self._pq: Any = None
        self._wb: Any = None
        self._ws: Any = None
        self._open()

    def _open(self) -> None:
        if self._fmt == ".csv":
            self._fh = self.target.open("w", encoding="utf-8", newline="")
            self._fh.write(csv_line(self.columns))
        elif self._fmt == ".jsonl":
            self._fh = self.target.open("w", encoding="utf-8", newline="\n")
        elif self._fmt == ".xlsx":
            # rows are spooled: a text over Excel's cell limit continues in "<column> (part N)" columns,
            # known only once every row is in (see qualcoop.model.cells)
            self._spool_path = self.target.with_name(self.target.name + ".spool")
            self._fh = self._spool_path.open("w", encoding="utf-8", newline="\n")
            self._parts = [1] * len(self.columns)

    @property
    def streams_csv(self) -> bool:
        """Whether rows go straight to a CSV file (so :meth:`write_lines` may take rendered lines)."""
        return self._fmt == ".csv" and self._plain is None

    def write_lines(self, text: str, n: int) -> None:
        """Write ``n`` rows already rendered as CSV lines (:func:`qualcoop.export.tables.csv_line` over
        :attr:`columns`); a CSV table only."""
        if not self.streams_csv:
            raise ValueError(f"{self.target}: rendered CSV lines need a CSV table")
        self.count += n
        self._fh.write(text)

    def write_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write ``rows`` (a CSV gets them in one write call: a coding table writes a document at a time)."""
        if self.streams_csv:
            self.count += len(rows)
            self._fh.write(csv_lines(rows, self.columns))
        else:
            for row in rows:
                self.write(row)

    def write(self, row: Mapping[str, Any]) -> None:
        self.count += 1
        if self._plain is not None:
            self._rows.append(dict(row))
        elif self._fmt == ".csv":
            self._fh.write(csv_line(map(row.get, self.columns)))
        elif self._fmt == ".jsonl":
            self._fh.write(dumps_line({c: row.get(c) for c in self.columns}, sort_keys=False))
        elif self._fmt == ".xlsx":
            values = [_xlsx_parts(_cell(row.get(c))) for c in self.columns]
            self._parts = [max(n, len(v)) for n, v in zip(self._parts, values, strict=True)]
            self._fh.write(json.dumps(values, ensure_ascii=False, default=str) + "\n")
        else:
            self._rows.append(row)
            if len(self._rows) >= self._batch:
                self._flush_parquet()

    def _schema(self):
        import pyarrow as pa

        kinds = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}
        return pa.schema([(c, kinds[self._types.get(c, "str")]) for c in self.columns])

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = self._schema()
        if self._pq is None:
            self._pq = pq.ParquetWriter(self.target, schema, compression="zstd", store_schema=False)
        data = {}
        for field in schema:
            vals = [_cell(r.get(field.name)) for r in self._rows]
            if pa.types.is_string(field.type):
                vals = [None if v is None else str(v) for v in vals]
            data[field.name] = pa.array(vals, type=field.type)
        self._pq.write_table(pa.table(data, schema=schema))
        self._rows = []

    def close(self) -> None:
        if self._plain is not None:
            rows, self._rows = self._rows, []
            self._plain.write(rows, self.target, columns=self.columns, sheet_name=self._sheet)
        elif self._fmt in (".csv", ".jsonl"):
            if self._fh is not None:
                self._fh.close()
                self._fh = None
        elif self._fmt == ".parquet":
            if self._rows or self._pq is None:
                self._flush_parquet()
            if self._pq is not None:
                self._pq.close()
                self._pq = None
        elif self._fh is not None:
            self._fh.close()
            self._fh = None
            try:
                self._write_xlsx()
                self._close_xlsx()
            finally:
                self._spool_path.unlink(missing_ok=True)

    def _write_xlsx(self) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet(self._sheet)
        extra = [n - 1 for n in self._parts]
        self._ws.append(list(self.columns) + [continuation_column(c, k + 2) for c, n in zip(self.columns, extra)
                                              for k in range(n)])
        with self._spool_path.open(encoding="utf-8") as fh:
            for line in fh:
                values = json.loads(line)
                flat = [v[0] for v in values]
                for v, n in zip(values, extra):
                    flat.extend(v[1:] + [None] * (n - len(v) + 1))
                cells = []
                for value in flat:
                    cell = WriteOnlyCell(self._ws, value=value)
                    if cell.data_type == "f":  # text that starts with "=": keep it text, never a formula
                        cell.data_type = "s"
                    cells.append(cell)
                self._ws.append(cells)

    def _close_xlsx(self) -> None:
        wb, self._wb = self._wb, None
        fix_xlsx_properties(wb)
        raw = self.target.with_name(self.target.name + ".raw")
        wb.save(raw)
        try:  # re-pack with fixed entry dates so the same rows give the same bytes
            with zipfile.ZipFile(raw) as src, zipfile.ZipFile(self.target, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_DATE)
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    if info.filename == "docProps/core.xml":
                        dst.writestr(zi, _strip_core_dates(src.read(info.filename)))
                        continue
                    with src.open(info) as fin, dst.open(zi, "w") as fout:
                        while chunk := fin.read(1 << 20):
                            fout.write(chunk)
        finally:
            raw.unlink(missing_ok=True)


def open_table(path: str | Path, columns: Sequence[str], *, types: Mapping[str, str] | None = None) -> TableWriter:
    """A :class:`TableWriter` for ``path``'s format writing to ``path`` directly."""
    return TableWriter(Path(path), columns, types=types)


class SpooledTable:
    """Rows whose columns are known only at the end: ``fixed`` columns, then the others sorted.

    Rows are spooled as JSON lines to ``<target>.spool`` and copied into ``target`` on :meth:`close`.
    """

    def __init__(self, target: Path, fixed: Sequence[str], *, types: Mapping[str, str] | None = None) -> None:
        self.target = Path(target)
        self.fixed = tuple(fixed)
        self.types = dict(types or {})
        self.count = 0
        self._extra: set[str] = set()
        self._spool_path = self.target.with_name(self.target.name + ".spool")
        self._spool = self._spool_path.open("w", encoding="utf-8", newline="\n")

    def write(self, row: Mapping[str, Any]) -> None:
        self.count += 1
        self._extra.update(k for k in row if k not in self.fixed)
        self._spool.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")

    def close(self) -> None:
        self._spool.close()
        try:
            w = TableWriter(self.target, [*self.fixed, *sorted(self._extra)], types=self.types)
            with self._spool_path.open(encoding="utf-8") as fh:
                for line in fh:
                    w.write(json.loads(line))
            w.close()
        finally:
            self._spool_path.unlink(missing_ok=True)
