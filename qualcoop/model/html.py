"""Small HTML views of codebooks and coding sets for Jupyter (``_repr_html_``). Standard library only.

Everything user-supplied (code ids and names, definitions, document ids, coded text) goes through
:func:`html.escape`, so a code called ``<img src=x onerror=alert(1)>`` shows as text.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .codebook import Codebook
    from .coding import CodingSet

__all__ = ["codebook_html", "codingset_html"]

_STYLE = ("<style>.qc-t{border-collapse:collapse;font-size:12px}.qc-t td,.qc-t th{border:1px solid #ddd;"
          "padding:2px 6px;text-align:left;vertical-align:top}.qc-t th{background:#f4f4f4}</style>")


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def codebook_html(codebook: Codebook, *, max_rows: int = 200) -> str:
    """An HTML table of a codebook's tree: id (indented by depth), name, definition, rules."""
    rows = []
    for i, (depth, code) in enumerate(codebook.walk()):
        if i >= max_rows:
            rows.append(f"<tr><td colspan='4'>\u2026 {len(codebook) - max_rows} more code(s)</td></tr>")
            break
        swatch = (f"<span style='display:inline-block;width:.8em;height:.8em;background:{_e(code.color)};"
                  f"margin-right:4px'></span>") if code.color and _safe_color(code.color) else ""
        rows.append(
            f"<tr><td style='padding-left:{6 + 14 * depth}px'>{swatch}<code>{_e(code.id)}</code></td>"
            f"<td>{_e(code.name)}</td><td>{_e(_clip(code.definition, 200))}</td>"
            f"<td>{len(code.rules)}</td></tr>")
    head = (f"<p><b>{_e(codebook.name)}</b> {_e(codebook.version)} \u2014 {len(codebook)} code(s), "
            f"languages {_e(', '.join(codebook.languages))}</p>")
    return (f"<div class='qc-codebook'>{_STYLE}{head}<table class='qc-t'><thead><tr><th>code</th>"
            f"<th>name</th><th>definition</th><th>rules</th></tr></thead><tbody>{''.join(rows)}"
            f"</tbody></table></div>")


def codingset_html(codings: CodingSet, *, max_rows: int = 20) -> str:
    """An HTML summary of a coding set: counts, then the first ``max_rows`` codings."""
    cb = codings.codebook
    n_docs = len({c.doc_id for c in codings})
    n_segs = len({(c.doc_id, c.start, c.end) for c in codings})
    head = (f"<p><b>CodingSet</b>: {len(codings)} coding(s) of {n_segs} segment(s) in {n_docs} document(s)"
            + (f"; codebook <b>{_e(cb.name)}</b> {_e(cb.version)}" if cb else "") + "</p>")
    rows = []
    for i, c in enumerate(codings):
        if i >= max_rows:
            rows.append(f"<tr><td colspan='6'>\u2026 {len(codings) - max_rows} more coding(s)</td></tr>")
            break
        doc = codings.documents.get(c.doc_id)
        text = _clip(doc.text[c.start:c.end], 160) if doc is not None else ""
        name = cb.get(c.code_id).name if cb is not None and c.code_id in cb else ""
        rows.append(
            f"<tr><td>{_e(c.doc_id)}</td><td>{c.start}\u2013{c.end}</td><td><code>{_e(c.code_id)}</code>"
            f"<br>{_e(name)}</td><td>{_e(', '.join(c.rule_ids))}</td>"
            f"<td>{_e('; '.join(e.text for e in c.evidence))}</td><td>{_e(text)}</td></tr>")
    return (f"<div class='qc-codings'>{_STYLE}{head}<table class='qc-t'><thead><tr><th>document</th>"
            f"<th>span</th><th>code</th><th>rules</th><th>matched</th><th>text</th></tr></thead><tbody>"
            f"{''.join(rows)}</tbody></table></div>")


def _safe_color(color: str) -> bool:
    """Only ``#rgb``/``#rrggbb`` colours are put into a style attribute."""
    c = color.strip()
    return c.startswith("#") and len(c) in (4, 7) and all(ch in "0123456789abcdefABCDEF" for ch in c[1:])
