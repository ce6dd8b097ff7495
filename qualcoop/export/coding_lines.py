"""A coded-segment table's CSV lines made straight from codings, without a record dict per row.

:func:`coding_csv_lines` gives the text ``csv_line(map(row.get, CODING_COLUMNS))`` gives for every row of
``CodingSet.to_records()`` (a property test checks it), with each document's, code's and provenance's
fields rendered once. A run's workers use it for a CSV coding table: rows are a third of a coding run's
time after matching, and most of that was building and reading the dicts.
"""

from __future__ import annotations

from typing import Any

from ..model import CodingSet
from ..model.coding import evidence_json
from .tables import _csv_field

__all__ = ["coding_csv_lines"]


def coding_csv_lines(codings: CodingSet) -> str:
    """The CSV lines (CRLF) of ``codings`` as a coding table with :data:`CODING_COLUMNS` holds them (in that
    order: ``tests/export/test_coding_lines.py`` compares every line with the records' lines)."""
    f = _csv_field
    docs = codings.documents
    codebook = codings.codebook
    heads: dict[str, tuple[str, Any]] = {}    # doc id -> ("doc_id,source", document)
    codes: dict[str, str] = {}                # code id -> "code_id,code_name,parent_id"
    provs: dict[int, tuple[Any, str]] = {}    # id(provenance) -> (provenance, "coder,...,run_id")
    texts: dict[tuple[str, int, int], str] = {}
    out: list[str] = []
    for c in codings:
        head = heads.get(c.doc_id)
        if head is None:
            doc = docs.get(c.doc_id)
            src = doc.source.path if doc is not None and doc.source else None
            head = heads[c.doc_id] = (f(c.doc_id) + "," + f(src), doc)
        doc = head[1]
        code = codes.get(c.code_id)
        if code is None:
            found = codebook.get(c.code_id) if codebook and c.code_id in codebook else None
            code = codes[c.code_id] = ",".join((f(c.code_id), f(found.name if found else None),
                                                 f(found.parent if found else None)))
        p = c.provenance
        prov = provs.get(id(p))
        if prov is None or prov[0] is not p:
            prov = provs[id(p)] = (p, ",".join(map(f, (p.coder, p.method, p.codebook, p.codebook_version,
                                                       p.tool_version, p.run_id))))
        key = (c.doc_id, c.start, c.end)
        text = texts.get(key)
        if text is None:
            text = texts[key] = f(doc.text[c.start:c.end] if doc is not None else None)
        ev = c.evidence
        out.append(",".join((head[0], f(c.unit), f(c.segment_index), str(c.start), str(c.end), f(c.speaker), code,
                             f(";".join(c.rule_ids)), f(";".join(e.text for e in ev)),
                             "True" if c.negated else "False", text, prov[1], f(evidence_json(ev)))) + "\r\n")
    return "".join(out)
