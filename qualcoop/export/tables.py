"""Tables out (and back in): CSV, JSONL, Parquet and XLSX, chosen by file suffix, byte-for-byte reproducible.

Each format is a class registered in :data:`qualcoop.registry.table_formats` (``"csv.v1"``,
...; third-party ones through the entry-point group ``qualcoop.table_formats``) with
``name``, ``suffixes``, ``media_type``, ``write(records, path, *, columns, sheet_name)`` and
``read(path) -> pandas.DataFrame`` (every cell text where the format has no types).
:func:`write_table` and :func:`read_table` pick the format by suffix.

Every writer takes a list of flat records (dicts with the same keys) and a column
order. Same records -> same bytes: CSV and JSONL are written by hand with fixed
formatting, Parquet without timestamps, XLSX with fixed document properties and
zip entry dates.

No format loses text. In XLSX, control characters (the ``\f`` between PDF pages) are written as
OOXML escapes (``_x000C_``) and a text longer than Excel's 32,767-character cell limit continues in
columns named ``"<column> (part 2)"``, ``"<column> (part 3)"``, ... at the right end of the sheet;
qualcoop's table reader (``report``, ``stats``) undoes both, so offsets still slice the text.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import QualcoopError
from ..model.cells import XLSX_CELL_LIMIT, continuation_column, escape_cell, split_cell

__all__ = ["TABLE_SUFFIXES", "read_table", "table_format_for", "table_suffixes", "write_table", "write_jsonl",
           "JsonlWriter"]

#: the built-in formats' suffixes (:func:`table_suffixes` adds the plugins')
TABLE_SUFFIXES = (".csv", ".jsonl", ".parquet", ".xlsx")
_FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class TableFormatError(QualcoopError):
    code = "Q500"


def _cell(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return ";".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return v


_CSV_QUOTE = re.compile(r'[",\r\n]')


def _csv_field(v: Any) -> str:
    s = v if isinstance(v, str) else "" if v is None else str(_cell(v))
    return '"' + s.replace('"', '""') + '"' if _CSV_QUOTE.search(s) else s


def csv_line(values: Iterable[Any]) -> str:
    """One CSV line (RFC 4180, CRLF) of ``values``: ``None`` empty, lists and dicts flattened. The bytes
    ``csv.writer(lineterminator="\r\n")`` writes, built without it: that writer scans every character
    of long texts and took a quarter of a coding run's time."""
    fields = list(map(_csv_field, values))
    return ('""' if fields == [""] else ",".join(fields)) + "\r\n"


def csv_lines(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """The :func:`csv_line` of each row's values in ``columns`` (missing keys empty), joined."""
    return "".join([csv_line(map(row.get, columns)) for row in rows])


def _json_default(v: Any) -> Any:
    if hasattr(v, "to_dict"):
        return v.to_dict()
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    raise TypeError(f"cannot serialise {type(v).__name__}")


def dumps_line(record: dict[str, Any], *, sort_keys: bool = True) -> str:
    """One JSON line without ASCII escaping, keys sorted unless told (stable across runs)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=sort_keys, default=_json_default) + "\n"


class JsonlWriter:
    """Streams records to a JSONL file (one JSON object per line)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("w", encoding="utf-8", newline="\n")
        self.count = 0

    def write(self, record: dict[str, Any], *, sort_keys: bool = True) -> None:
        self._fh.write(dumps_line(record, sort_keys=sort_keys))
        self.count += 1

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_jsonl(records: Iterable[dict[str, Any]], path: str | Path, *, sort_keys: bool = True) -> int:
    with JsonlWriter(path) as w:
        for r in records:
            w.write(r, sort_keys=sort_keys)
        return w.count


def table_suffixes() -> tuple[str, ...]:
    """Every suffix a registered table format claims (built-ins and plugins)."""
    from ..registry import table_formats

    return tuple(sorted({str(x).lower() for _, fmt in table_formats.items() for x in getattr(fmt, "suffixes", ())}))


def table_format_for(path: str | Path) -> Any:
    """The registered table format (an instance) for ``path``'s suffix; built-ins first.

    Raises
    ------
    TableFormatError
        No registered format claims the suffix.
    """
    from ..registry import by_suffix, table_formats

    suffix = Path(path).suffix.lower()
    names = by_suffix(table_formats, suffix) if suffix else []
    if not names:
        raise TableFormatError(f"{path}: unknown table format {suffix or '(none)'!r}; "
                               f"use one of {', '.join(table_suffixes())}")
    return table_formats.get(names[0])()


def write_table(records: Sequence[dict[str, Any]], path: str | Path, *,
                columns: Sequence[str] | None = None, sheet_name: str = "data") -> Path:
    """Write ``records`` to ``path``; the format follows the suffix (.csv .jsonl .parquet .xlsx, or a plugin's).

    Parameters
    ----------
    records : sequence of dict
        Flat records. Lists become ``;``-joined strings in CSV/XLSX/Parquet; dicts become JSON.
    path : path-like
        Output file; its folder is created.
    columns : sequence of str, optional
        Column order (default: keys of the first record, then any new keys in order of appearance).
    """
    path = Path(path)
    fmt = table_format_for(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = list(columns) if columns is not None else _columns(records)
    fmt.write(records, path, columns=cols, sheet_name=sheet_name)
    return path


def read_table(path: str | Path):
    """A table file back as a pandas DataFrame; the format follows the suffix.

    Raises
    ------
    TableFormatError
        No registered format claims the suffix.
    OSError, ValueError, UnicodeDecodeError
        From the format's reader (the caller names the table).
    """
    return table_format_for(path).read(Path(path))


class CsvFormat:
    """CSV (RFC 4180, UTF-8, CRLF); read back with every cell as text."""

    name = "csv.v1"
    suffixes = (".csv",)
    media_type = "text/csv"

    def write(self, records: Sequence[dict[str, Any]], path: Path, *, columns: Sequence[str],
              sheet_name: str = "data") -> None:
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(csv_line(columns))
            for r in records:
                fh.write(csv_line(r.get(c) for c in columns))

    def read(self, path: Path):
        import pandas as pd

        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


class JsonlFormat:
    """JSON Lines: one object per record, keys in column order, no ASCII escaping."""

    name = "jsonl.v1"
    suffixes = (".jsonl",)
    media_type = "application/jsonl"

    def write(self, records: Sequence[dict[str, Any]], path: Path, *, columns: Sequence[str],
              sheet_name: str = "data") -> None:
        write_jsonl(({c: r.get(c) for c in columns} for r in records), path, sort_keys=False)

    def read(self, path: Path):
        import pandas as pd

        return pd.read_json(path, lines=True, dtype=False)


class ParquetFormat:
    """Parquet (zstd, no pandas schema metadata: the same records give the same bytes)."""

    name = "parquet.v1"
    suffixes = (".parquet",)
    media_type = "application/vnd.apache.parquet"

    def write(self, records: Sequence[dict[str, Any]], path: Path, *, columns: Sequence[str],
              sheet_name: str = "data") -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        data = {c: [_cell(r.get(c)) for r in records] for c in columns}
        table = pa.table(data) if records else pa.table({c: pa.array([], pa.string()) for c in columns})
        pq.write_table(table, path, compression="zstd", store_schema=False)

    def read(self, path: Path):
        import pandas as pd

        return pd.read_parquet(path)


class XlsxFormat:
    """Excel workbook with one sheet; fixed properties and zip dates; text never becomes a formula."""

    name = "xlsx.v1"
    suffixes = (".xlsx",)
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def write(self, records: Sequence[dict[str, Any]], path: Path, *, columns: Sequence[str],
              sheet_name: str = "data") -> None:
        _write_xlsx(records, list(columns), path, sheet_name)

    def read(self, path: Path):
        import pandas as pd

        from ..analysis.tables import _from_xlsx  # the XLSX cell codec undone (model/cells.py)

        return _from_xlsx(pd.read_excel(path, dtype=str, keep_default_na=False))


def _columns(records: Sequence[dict[str, Any]]) -> list[str]:
    cols: dict[str, None] = {}
    for r in records:
        for k in r:
            cols.setdefault(k, None)
    return list(cols)


def _write_xlsx(records: Sequence[dict[str, Any]], cols: list[str], path: Path, sheet_name: str) -> None:
    """XLSX with text kept whole: control characters escaped (``_x000C_``) and texts over Excel's
    cell limit continued in ``"<column> (part N)"`` columns (see :mod:`qualcoop.model.cells`)."""
    from openpyxl import Workbook

    rows = [[_xlsx_parts(_cell(r.get(c))) for c in cols] for r in records]
    extra = [max((len(row[i]) for row in rows), default=1) - 1 for i in range(len(cols))]
    header = list(cols) + [continuation_column(c, n + 2) for i, c in enumerate(cols) for n in range(extra[i])]
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name[:31]
    ws.append(header)
    for row in rows:
        values = [parts[0] for parts in row]
        for i, parts in enumerate(row):
            values.extend(parts[1:] + [None] * (extra[i] - len(parts) + 1))
        ws.append(values)
        for cell in ws[ws.max_row]:
            if cell.data_type == "f":  # text that starts with "=": keep it text, never a formula
                cell.data_type = "s"
    save_xlsx(wb, path)


def fix_xlsx_properties(wb: Any) -> None:
    """Fixed creation/modification dates and creator, so the same rows give the same bytes."""
    import datetime as dt

    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "qualcoop"


def save_xlsx(wb: Any, path: str | Path) -> None:
    """Save an openpyxl workbook reproducibly: fixed properties, then re-packed with fixed entry dates."""
    fix_xlsx_properties(wb)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _strip_core_dates(data)
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)


def _xlsx_value(v: Any) -> Any:
    """One XLSX cell value for writers that cannot add continuation columns (streaming writers):
    control characters escaped; a text over Excel's cell limit is an error, never a silent cut."""
    if isinstance(v, str):
        escaped = escape_cell(v)
        if len(split_cell(escaped)) > 1:
            raise TableFormatError(f"a text of {len(v)} characters does not fit an XLSX cell "
                                   f"({XLSX_CELL_LIMIT:,} at most); write .csv, .parquet or .jsonl, "
                                   "or a table written whole (continuation columns)")
        return escaped
    return v


def _xlsx_parts(v: Any) -> list[Any]:
    if isinstance(v, str):
        return split_cell(escape_cell(v))
    return [v]


def _strip_core_dates(data: bytes) -> bytes:
    import re

    return re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                  rb"\g<1>2000-01-01T00:00:00Z\g<3>", data)
