"""Merge two coders' work: list where they differ, and record the decisions with provenance.

:func:`disagreements` lists every unit both coders coded and every code on which they differ (one
applied it, the other did not), with the unit's text and each coder's value. An adjudicator fills the
``decision`` column (``1``: the code applies, ``0``: it does not) and, if they like, ``memo``.

:func:`adjudicate` turns the filled sheet into an adjudicated codings table for coder
``adjudicated`` (or ``as_coder``) over every unit both coders coded:

- a code both coders applied is kept, ``adjudication`` ``agreed``;
- a code they differ on is kept when the decision is 1, ``adjudication`` ``decided``;
- a unit left with no code gets a row with an empty ``code_id`` ("read, no code").

Every row says where it comes from: ``from_codings`` (each coder's value, e.g.
``ana:1;budi:0``), ``from_coding_ids`` (when the tables have a ``coding_id`` column, e.g. codings read
from a project: for an agreed code the two codings of it, for a decision every coding of the unit by
either coder), ``decided_by`` (the adjudicator,
for decided rows) and ``memo``. Units only one
coder coded are not part of the result. A decision that is missing or not 1/0, or a row that is not a
current disagreement, is a problem with its row number; any problem raises
:class:`~qualcoop.errors.CodingsTableError` and nothing is returned.
"""

from __future__ import annotations

from typing import Any

from ..errors import AnalysisError, CodingsTableError, Problem
from .codings_table import unit_key

__all__ = ["ADJUDICATED_COLUMNS", "adjudicate", "disagreement_columns", "disagreements"]

ADJUDICATED_COLUMNS = ("doc_id", "start", "end", "code_id", "coder", "text", "adjudication", "from_codings",
                       "from_coding_ids", "decided_by", "memo")
YES = {"1", "1.0", "yes", "y", "x", "true"}
NO = {"0", "0.0", "no", "n", "false", "-"}


def disagreement_columns(coders: tuple[str, str]) -> list[str]:
    """The columns of :func:`disagreements` for two coders."""
    return ["segment_key", "doc_id", "start", "end", "code_id", "text", *coders, "decision", "memo"]


def _state(tables: Any, coders: tuple[str, str] | list[str], documents: Any, codebook: Any):
    from .codings_table import concat_codings

    coders = tuple(coders)
    if len(coders) != 2 or coders[0] == coders[1]:
        raise AnalysisError(f"adjudication compares two different coders, got {', '.join(coders) or 'none'}")
    frame = concat_codings(tables, documents=documents, codebook=codebook)
    present = set(frame["coder"])
    unknown = [c for c in coders if c not in present]
    if unknown:
        raise AnalysisError(f"coder(s) {', '.join(unknown)} not in the tables; coders: {', '.join(sorted(present))}")
    seen: dict[str, set] = {c: set() for c in coders}
    applied: dict[tuple, dict[str, set]] = {}
    texts: dict[tuple, str] = {}
    ids: dict[tuple, list[str]] = {}
    docs = dict(documents) if isinstance(documents, dict) else {d.id: d for d in documents}
    text_col = frame["text"] if "text" in frame.columns else [""] * len(frame)
    id_col = frame["coding_id"] if "coding_id" in frame.columns else [""] * len(frame)
    for doc_id, start, end, code_id, coder, text, cid in zip(frame["doc_id"], frame["start"], frame["end"],
                                                             frame["code_id"], frame["coder"], text_col, id_col):
        if coder not in seen:
            continue
        u = (doc_id, int(start), int(end))
        seen[coder].add(u)
        if cid:
            ids.setdefault((u, code_id), []).append(str(cid))
            ids.setdefault((u, None), []).append(str(cid))
        if code_id:
            applied.setdefault(u, {c: set() for c in coders})[coder].add(code_id)
        if text:
            texts.setdefault(u, text)
    shared = sorted(seen[coders[0]] & seen[coders[1]])
    for u in shared:
        if u not in texts and u[0] in docs:
            texts[u] = docs[u[0]].text[u[1]:u[2]]
    return coders, shared, applied, texts, ids


def _id_order(value: str) -> tuple:
    return (0, int(value), "") if value.isdigit() else (1, 0, value)


def _order(codebook: Any, codes: set[str]) -> list[str]:
    if codebook is None:
        return sorted(codes)
    first = [c.id for _, c in codebook.walk() if c.id in codes]
    return first + sorted(codes - set(first))


def disagreements(tables: Any, *, coders: tuple[str, str] | list[str], documents: Any = (),
                  codebook: Any = None) -> list[dict[str, Any]]:
    """Every unit and code on which two coders differ (see the module docstring).

    Parameters
    ----------
    tables : path, DataFrame, CodingSet or a sequence of them
        Codings tables holding both coders.
    coders : pair of str
    documents, codebook
        Passed to the table validation; documents give the text when the tables have none.

    Returns
    -------
    list of dict
        Records with the columns :func:`disagreement_columns`, by document, offset, then code.
    """
    coders, shared, applied, texts, _ = _state(tables, coders, documents, codebook)
    rows = []
    for u in shared:
        a, b = (applied.get(u, {}).get(c, set()) for c in coders)
        for code_id in _order(codebook, a ^ b):
            rows.append({"segment_key": unit_key(*u), "doc_id": u[0], "start": u[1], "end": u[2],
                         "code_id": code_id, "text": texts.get(u, ""), coders[0]: int(code_id in a),
                         coders[1]: int(code_id in b), "decision": "", "memo": ""})
    return rows


def adjudicate(tables: Any, decisions: Any, *, coders: tuple[str, str] | list[str], decided_by: str,
               as_coder: str = "adjudicated", documents: Any = (), codebook: Any = None, name: str = "decisions"):
    """The adjudicated codings table from the coders' tables and a filled disagreement sheet.

    Parameters
    ----------
    tables : path, DataFrame, CodingSet or a sequence of them
        The same codings the sheet was made from.
    decisions : pandas.DataFrame
        The filled sheet (columns :func:`disagreement_columns`; ``decision`` 1 or 0).
    coders : pair of str
    decided_by : str
        Who decided (recorded on every decided row).
    as_coder : str
        The coder name of the result.
    name : str
        The sheet's file name, for problem messages (rows counted as in a spreadsheet).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ADJUDICATED_COLUMNS`; a valid codings table.
    """
    import pandas as pd

    from .codings_table import as_codings

    if not decided_by or not decided_by.strip():
        raise AnalysisError("adjudication needs the name of who decided (decided_by)")
    coders, shared, applied, texts, ids = _state(tables, coders, documents, codebook)
    problems: list[Problem] = []
    if not {"segment_key", "code_id", "decision"} <= set(decisions.columns):
        raise CodingsTableError(name, [Problem(name, "needs the columns segment_key, code_id and decision", line=1)])
    open_items = {}
    for u in shared:
        a, b = (applied.get(u, {}).get(c, set()) for c in coders)
        for code_id in a ^ b:
            open_items[(unit_key(*u), code_id)] = u
    decided: dict[tuple, tuple[bool, str]] = {}
    for i, row in enumerate(decisions.to_dict("records")):
        line = i + 2
        key = (str(row.get("segment_key", "")).strip(), str(row.get("code_id", "")).strip())
        value = str(row.get("decision", "")).strip().lower()
        if key not in open_items:
            problems.append(Problem(name, f"{key[1]!r} on {key[0]!r} is not a disagreement between "
                                          f"{coders[0]} and {coders[1]}", line=line))
        elif key in decided:
            problems.append(Problem(name, f"{key[1]!r} on {key[0]!r} is decided twice", line=line))
        elif not value:
            problems.append(Problem(name, f"no decision for {key[1]!r} on {key[0]!r}", line=line))
        elif value not in YES | NO:
            problems.append(Problem(name, f"decision {row.get('decision')!r} for {key[1]!r} on {key[0]!r}: "
                                          "enter 1 (the code applies) or 0 (it does not)", line=line))
        else:
            memo = row.get("memo", "")
            decided[key] = (value in YES, "" if memo is None or memo != memo else str(memo))
    undecided = sorted(set(open_items) - set(decided))
    if undecided and not problems:
        for key in undecided:
            problems.append(Problem(name, f"no decision for {key[1]!r} on {key[0]!r}"))
    if problems:
        raise CodingsTableError(name, problems)
    rows = []
    for u in shared:
        a, b = (applied.get(u, {}).get(c, set()) for c in coders)
        kept = []
        for code_id in _order(codebook, a | b):
            source = f"{coders[0]}:{int(code_id in a)};{coders[1]}:{int(code_id in b)}"
            if code_id in a and code_id in b:
                kept.append((code_id, "agreed", source, "", ""))
            else:
                yes, memo = decided[(unit_key(*u), code_id)]
                if yes:
                    kept.append((code_id, "decided", source, decided_by, memo))
        if not kept:
            others = ";".join(sorted(a | b))
            kept.append(("", "decided" if others else "agreed",
                         f"{coders[0]}:{';'.join(sorted(a)) or '-'}|{coders[1]}:{';'.join(sorted(b)) or '-'}",
                         decided_by if others else "", ""))
        for code_id, method, source, who, memo in kept:
            # agreed: the two codings of that code; decided or empty: every coding of the unit
            key = (u, code_id) if method == "agreed" and code_id else (u, None)
            from_ids = ";".join(sorted(ids.get(key, []), key=_id_order))
            rows.append({"doc_id": u[0], "start": u[1], "end": u[2], "code_id": code_id, "coder": as_coder,
                         "text": texts.get(u, ""), "adjudication": method, "from_codings": source,
                         "from_coding_ids": from_ids,
                         "decided_by": who, "memo": memo})
    frame = pd.DataFrame(rows, columns=list(ADJUDICATED_COLUMNS))
    return as_codings(frame, name="adjudicated codings")
