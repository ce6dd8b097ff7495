"""Multi-sheet XLSX workbooks (coding sheets, adjudication sheets, validation reports), byte-reproducible.

Same content -> same bytes: fixed document properties and zip entry dates, as
:func:`qualcoop.export.write_table`. Text that starts with ``=`` stays text, never a formula.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .tables import _cell, _xlsx_value, save_xlsx

__all__ = ["Sheet", "write_html_tables", "write_workbook"]


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a name, the column order, the records, and optional cell rules.

    ``choices`` maps a column name to the values a cell may take (an XLSX list validation on every
    data row); ``wide`` names columns shown wide with wrapped text.
    """

    name: str
    columns: Sequence[str]
    records: Sequence[dict[str, Any]]
    choices: dict[str, Sequence[str]] = field(default_factory=dict)
    wide: Sequence[str] = ()


def write_workbook(path: str | Path, sheets: Sequence[Sheet]) -> Path:
    """Write the sheets to one ``.xlsx`` file (header row frozen, list validations applied)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name[:31])
        cols = list(sheet.columns)
        ws.append(cols)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in sheet.records:
            ws.append([_xlsx_value(_cell(r.get(c))) for c in cols])
            for cell in ws[ws.max_row]:
                if cell.data_type == "f":
                    cell.data_type = "s"
        ws.freeze_panes = "B2"
        last = max(ws.max_row, 2)
        for k, col in enumerate(cols, start=1):
            letter = get_column_letter(k)
            if col in sheet.wide:
                ws.column_dimensions[letter].width = 60
                for (cell,) in ws.iter_rows(min_row=2, min_col=k, max_col=k):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            if col in sheet.choices:
                values = ",".join(str(v) for v in sheet.choices[col])
                dv = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True,
                                    showErrorMessage=True, errorTitle="qualcoop",
                                    error=f"Use one of: {values} (or leave empty)")
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{last}")
    save_xlsx(wb, path)
    return path


def write_html_tables(path: str | Path, title: str, sheets: Sequence[Sheet]) -> Path:
    """A self-contained HTML page with one table per sheet; every value escaped."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    esc = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{esc(title)}</title>",
             "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
             "td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}"
             "td.text{max-width:50em}</style></head><body>", f"<h1>{esc(title)}</h1>"]
    for sheet in sheets:
        parts.append(f"<h2>{esc(sheet.name)}</h2><table><thead><tr>")
        parts.extend(f"<th>{esc(str(c))}</th>" for c in sheet.columns)
        parts.append("</tr></thead><tbody>")
        for r in sheet.records:
            cells = []
            for c in sheet.columns:
                v = _cell(r.get(c))
                v = "" if v is None or (isinstance(v, float) and v != v) else v
                if isinstance(v, float):
                    v = f"{v:.3f}"
                cls = ' class="text"' if c in sheet.wide else ""
                cells.append(f"<td{cls}>{esc(str(v))}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>\n")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
