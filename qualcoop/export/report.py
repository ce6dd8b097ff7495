"""A self-contained HTML report of a coded corpus: one file, inline CSS and JS, works offline.

Sections: the codebook (definitions, rules), code frequencies (rolled up), co-occurrence, the matrix
of codes by an attribute (cells drill down to their segments), exemplar quotes, codebook coverage,
and every document with its coded passages highlighted (paginated: see below): a coded segment is tinted and labelled
with its codes, each matched word is underlined in its code's colour (overlapping codes stack their
underlines), and hovering shows the code and the rule. A code filter and a document filter narrow
every view.

Documents are paginated so a report of thousands of documents stays usable in a browser: each
document's highlighted text ships inside its own inert ``<template>`` (parsed, but neither styled,
laid out nor counted by the page), and the script renders only the current page of
:data:`DOCS_PER_PAGE` documents (``--docs-per-page``); choosing a document, following a link to a
passage (matrix cells, quotes) or opening ``report.html#d12`` renders that document's page. The
file stays one self-contained offline page.

Every piece of user text (code names, definitions, titles, attributes, document text) is escaped
with :func:`html.escape`; the JSON the script reads escapes ``<``, ``>`` and ``&`` as ``\\u003c``
etc., so nothing in the data can close the script element. The output is deterministic: the same
codings give the same bytes (no dates, sorted keys).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path

from .. import __version__
from ..model import CodingSet, Document

__all__ = ["DOCS_PER_PAGE", "PALETTE", "code_colors", "render_report", "write_report"]

#: documents rendered at once in the report's documents section (the rest wait in <template>s)
DOCS_PER_PAGE = 20

#: colours for codes without a (valid, distinct) colour of their own (matplotlib's tab20)
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
           "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5")


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _hex(color: object) -> bool:
    c = str(color or "")
    return c.startswith("#") and len(c) in (4, 7) and all(ch in "0123456789abcdefABCDEF" for ch in c[1:])


def code_colors(codings: CodingSet) -> dict[str, str]:
    """A colour per code: the codebook's when it is a valid hex colour, else one from :data:`PALETTE`."""
    from ..analysis._common import code_infos

    cb = codings.codebook
    out = {}
    for i, cid in enumerate(code_infos(codings)):
        own = cb.get(cid).color if cb is not None and cid in cb else None
        out[cid] = own if _hex(own) else PALETTE[i % len(PALETTE)]
    return out


def _json_script(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, rep in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, rep)
    return text


def write_report(codings: CodingSet, path: str | Path, *, by: str | None = None, title: str | None = None,
                 exemplars_per_code: int = 3, window: int = 0, docs_per_page: int = DOCS_PER_PAGE,
                 progress: Callable[[int, int], None] | None = None) -> Path:
    """Write the HTML report of ``codings`` to ``path`` (UTF-8). See :func:`render_report`.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_report(codings, by=by, title=title, exemplars_per_code=exemplars_per_code, window=window,
                         docs_per_page=docs_per_page, progress=progress)
    path.write_text(html, encoding="utf-8", newline="\n")
    return path


def render_report(codings: CodingSet, *, by: str | None = None, title: str | None = None,
                  exemplars_per_code: int = 3, window: int = 0, docs_per_page: int = DOCS_PER_PAGE,
                  progress: Callable[[int, int], None] | None = None) -> str:
    """The HTML report of ``codings`` as one self-contained string.

    Parameters
    ----------
    codings : CodingSet
        Codings with their documents (needed for the text views) and codebook.
    by : str, optional
        The attribute for the matrix section (``type``, ``interviewee_role``, ``speaker``, ...);
        without it the matrix section is left out.
    title : str, optional
        Page title (default: from the codebook).
    exemplars_per_code : int
        Quotes per code in the exemplars section.
    window : int
        Co-occurrence window in segments (0: within a segment).
    docs_per_page : int
        Documents the page renders at once (the others are rendered when chosen or paged to).
    progress : callable, optional
        Called as ``progress(done, total)`` after each document's text is highlighted (the long part).

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> write_report(codings, "out/report.html", by="type")       # doctest: +SKIP
    """
    from ..analysis import (code_cooccurrence, code_frequencies, codebook_coverage, exemplars,
                            matrix_coding, rule_frequencies)
    from ..analysis._common import check_attributes, code_infos, select_negated
    from .report_assets import CSS, JS

    if docs_per_page < 1:
        raise ValueError(f"docs_per_page must be at least 1, not {docs_per_page}")
    if by is not None:
        check_attributes(codings, (by,))
    infos = code_infos(codings)
    index = {cid: i for i, cid in enumerate(infos)}
    colors = code_colors(codings)
    docs = _documents(codings)
    evidence = _evidence_by_doc(codings)
    doc_index = {d.id: i for i, d in enumerate(docs)}
    cb = codings.codebook
    freq = code_frequencies(codings, rollup=True)
    applied = {r.code_id for r in freq.itertuples() if r.codings or r.negated_codings}
    page_title = title or (f"{cb.name} {cb.version}: coding report" if cb else "qualcoop coding report")
    ctx = _Ctx(index=index, infos=infos, colors=colors, doc_index=doc_index, docs=docs)
    positive = select_negated(codings, "exclude")
    # results first (frequencies, matrix, quotes), then the codebook and the documents behind them
    sections = [("frequencies", "Code frequencies", _frequency_section(freq, ctx))]
    if by is not None:
        sections.append(("matrix", f"Matrix: codes \u00d7 {by}",
                         _matrix_section(matrix_coding(codings, by, rollup=True), ctx, codings)))
    sections += [
        ("exemplars", "Exemplar quotes", _exemplar_section(exemplars(codings, per_code=exemplars_per_code), ctx)),
        ("cooccurrence", "Co-occurrence", _cooccurrence_section(code_cooccurrence(positive, window=window),
                                                                ctx, window)),
        ("codebook", "Codebook", _codebook_section(codings, ctx, rule_frequencies(codings) if cb else None)),
        ("coverage", "Codebook coverage", _coverage_section(codebook_coverage(codings), ctx)),
        ("documents", "Documents", _documents_section(codings, ctx, evidence, progress)),
    ]
    data = {
        "codes": [{"i": index[cid], "id": cid, "name": info.name, "color": colors[cid],
                   "applied": cid in applied} for cid, info in infos.items()],
        "docs": [{"i": i, "id": d.id, "title": _doc_title(d)} for i, d in enumerate(docs)],
        "by": by,
        "per_page": docs_per_page,
    }
    n_segs = len({(c.doc_id, c.start, c.end) for c in codings})
    n_ev = sum(len(evidence.get(d.id, ())) for d in docs)
    style_vars = "".join(f".c{index[cid]}{{--c:{colors[cid]}}}" for cid in infos)
    nav = "".join(f"<a href='#{sid}'>{_e(name)}</a>" for sid, name, _ in sections)
    body = "".join(f"<section id='{sid}'><h2>{_e(name)}</h2>{html}</section>" for sid, name, html in sections)
    run_ids = sorted({c.provenance.run_id for c in codings if c.provenance.run_id})
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{_e(page_title)}</title><style>{CSS}{style_vars}</style></head>\n<body>"
        f"<header><h1>{_e(page_title)}</h1><div class='muted'>{len(docs)} document(s), {n_segs} coded "
        f"segment(s), {len(codings)} coding(s), {n_ev} matched span(s)"
        + (f"; codebook {_e(cb.name)} {_e(cb.version)}" if cb else "")
        + (f"; run {_e(', '.join(run_ids))}" if run_ids else "")
        + f"; qualcoop {_e(__version__)}</div></header>\n"
        f"<nav>{nav}<label>code <select id='qc-code'><option value=''>all codes</option></select></label>"
        "<label>document <select id='qc-doc'><option value=''>all documents</option></select></label>"
        "<span class='muted'><span id='qc-shown'></span> highlighted</span></nav>\n"
        f"<main>{body}</main>\n"
        f"<script type='application/json' id='qc-data'>{_json_script(data)}</script>\n"
        f"<script>{JS}</script>\n</body></html>\n"
    )


class _Ctx:
    def __init__(self, *, index, infos, colors, doc_index, docs) -> None:
        self.index = index
        self.infos = infos
        self.colors = colors
        self.doc_index = doc_index
        self.docs = docs

    def sw(self, cid: str) -> str:
        return f"<span class='sw c{self.index[cid]}'></span>"

    def anchor(self, doc_id: str, start: int, end: int) -> str:
        return f"s{self.doc_index.get(doc_id, 0)}-{start}-{end}"


def _documents(codings: CodingSet) -> list[Document]:
    ids = sorted(set(codings.documents) | {c.doc_id for c in codings})
    return [codings.documents[i] for i in ids if i in codings.documents]


def _doc_title(doc: Document) -> str:
    return str(doc.attributes.get("title") or doc.id)


# ----------------------------------------------------------------------------- codebook


def _codebook_section(codings: CodingSet, ctx: _Ctx, rules) -> str:
    cb = codings.codebook
    if cb is None:
        return "<p class='muted'>No codebook.</p>"
    fired = {}
    if rules is not None:
        fired = {r.rule_id: r.matches for r in rules.itertuples()}
    rows = []
    for cid, info in ctx.infos.items():
        code = cb.get(cid) if cid in cb else None
        if code is None:
            continue
        labels = ", ".join(f"{k}: {v}" for k, v in code.labels.items()) if code.labels else ""
        rule_items = []
        for r in code.rules:
            what = ", ".join(r.terms[:8]) + (" \u2026" if len(r.terms) > 8 else "") if r.terms else (
                str(r.pattern)[:80] if r.pattern is not None else "")
            n = fired.get(f"{cid}/{r.id}", 0)
            rule_items.append(f"<li><code>{_e(r.id)}</code> <i>{_e(r.kind)}</i>"
                              + (f" [{_e(r.lang)}]" if r.lang else "") + f": {_e(what)} "
                              f"<span class='muted'>({n} match{'es' if n != 1 else ''})</span></li>")
        rules_html = f"<ul class='rules'>{''.join(rule_items)}</ul>" if rule_items else ""
        defs = "".join(f"<div><b>{k}:</b> {_e(getattr(code, k))}</div>"
                       for k in ("definition", "inclusion", "exclusion") if getattr(code, k))
        rows.append(f"<tr data-ci='{ctx.index[cid]}'><td style='padding-left:{6 + 16 * info.depth}px'>"
                    f"{ctx.sw(cid)}<code>{_e(cid)}</code></td><td>{_e(code.name)}"
                    + (f"<div class='muted'>{_e(labels)}</div>" if labels else "")
                    + f"</td><td>{defs}{rules_html}</td></tr>")
    return (f"<p><b>{_e(cb.name)}</b> {_e(cb.version)}; languages {_e(', '.join(cb.languages))}. "
            f"{_e(cb.description)}</p><table class='t'><thead><tr><th>code</th><th>name</th>"
            f"<th>definition, inclusion, exclusion and rules</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


# ----------------------------------------------------------------------------- frequencies


def _frequency_section(freq, ctx: _Ctx) -> str:
    top = max([int(v) for v in freq["segments"]] + [1])
    per_k = len(freq) > 0 and not freq["per_1000_words"].isna().any()  # every document's full text known
    rows = []
    for r in freq.itertuples():
        words = "" if r.words is None or str(r.words) == "<NA>" else str(r.words)
        norm = f"<td class='n'>{r.per_1000_words:.2f}</td>" if per_k else ""
        rows.append(
            f"<tr data-ci='{ctx.index[r.code_id]}'><td style='padding-left:{6 + 16 * r.depth}px'>{ctx.sw(r.code_id)}"
            f"<code>{_e(r.code_id)}</code></td><td>{_e(r.code_name)}</td><td class='n'>{r.codings}</td>"
            f"<td class='n'>{r.segments}</td><td class='n'>{r.segment_share:.1%}</td><td class='n'>{r.documents}</td>"
            f"<td class='n'>{words}</td>{norm}<td class='n'>{r.negated_codings}</td><td class='barcell'><div class='bar c{ctx.index[r.code_id]}' "
            f"style='width:{100 * r.segments / top:.1f}%'></div></td></tr>")
    return ("<p class='muted'>Rolled up: a parent counts the codings of its whole subtree. Segments and "
            "documents are distinct (a union), so a parent's segments can be fewer than its children's sum. "
            "Negated codings (every match in a negation scope: \u201cno funding\u201d) are not counted; "
            "the <em>negated</em> column shows how many there were. They are also left out of the matrix, "
            "co-occurrence and quotes.</p>"
            "<table class='t'><thead><tr><th>code</th><th>name</th><th>codings</th><th>segments</th>"
            "<th>share of coded segments</th><th>documents</th><th>words</th>"
            + ("<th>codings per 1,000 words</th>" if per_k else "") + "<th>negated</th><th></th>"
            "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


# ----------------------------------------------------------------------------- co-occurrence


def _cooccurrence_section(co, ctx: _Ctx, window: int) -> str:
    if not len(co):
        return "<p class='muted'>No codings.</p>"
    order = list(dict.fromkeys(co["code_a"]))
    cells = {(r.code_a, r.code_b): r for r in co.itertuples()}
    head = "".join(f"<th title='{_e(c)}'>{ctx.index[c]}</th>" for c in order)
    rows = []
    for a in order:
        tds = []
        for b in order:
            r = cells[(a, b)]
            alpha = 0.0 if a == b else min(1.0, r.jaccard * 2)
            tip = (f"{a} \u00d7 {b}: {r.n_ab} unit(s) together; Jaccard {r.jaccard:.3f}, lift {r.lift:.2f}, "
                   f"chi\u00b2 {r.chi2:.1f}")
            style = f" style='background:rgba(31,119,180,{alpha:.2f})'" if alpha else ""
            shown = "\u2014" if a == b else (str(r.n_ab) if r.n_ab else "")
            tds.append(f"<td class='n'{style} title='{_e(tip)}'>{shown}</td>")
        rows.append(f"<tr><th>{ctx.index[a]} {ctx.sw(a)}{_e(a)}</th>{''.join(tds)}</tr>")
    unit = "segment" if window == 0 else f"window of \u00b1{window} segment(s)"
    return (f"<p class='muted'>Coded segments in which both codes are present (unit: {unit}); shading is "
            "the Jaccard index; hover for lift and chi-square. Column numbers are the row numbers.</p>"
            f"<table class='t co'><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


# ----------------------------------------------------------------------------- matrix


def _matrix_section(matrix, ctx: _Ctx, codings: CodingSet) -> str:
    values = sorted(dict.fromkeys(matrix["value"]))
    rows: dict[str, list[str]] = {}
    for r in matrix.itertuples():
        cell = ""
        if r.segments:
            items = []
            for sid in r.segment_ids:
                doc_id, span = sid.rsplit(":", 1)
                s, e = (int(x) for x in span.split("-"))
                doc = codings.documents.get(doc_id)
                label = f"{_doc_title(doc) if doc else doc_id} [{s}\u2013{e}]"
                items.append(f"<li><a href='#{ctx.anchor(doc_id, s, e)}'>{_e(label)}</a></li>")
            cell = (f"<details class='cell'><summary>{r.segments}</summary><ul>{''.join(items)}</ul></details>")
        rows.setdefault(r.code_id, []).append(f"<td class='n'>{cell}</td>")
    body = "".join(
        f"<tr data-ci='{ctx.index[cid]}'><td style='padding-left:{6 + 16 * ctx.infos[cid].depth}px'>{ctx.sw(cid)}"
        f"<code>{_e(cid)}</code></td>{''.join(tds)}</tr>" for cid, tds in rows.items())
    head = "".join(f"<th>{_e(v)}</th>" for v in values)
    return ("<p class='muted'>Coded segments per code and value (rolled up); open a cell for its segments.</p>"
            f"<table class='t'><thead><tr><th>code</th>{head}</tr></thead><tbody>{body}</tbody></table>")


# ----------------------------------------------------------------------------- exemplars


def _exemplar_section(ex, ctx: _Ctx) -> str:
    if not len(ex):
        return "<p class='muted'>No codings.</p>"
    out = []
    for cid in dict.fromkeys(ex["code_id"]):
        part = ex[ex["code_id"] == cid]
        cards = []
        for r in part.itertuples():
            text = r.text if len(r.text) <= 1500 else r.text[:1500] + " \u2026"
            cards.append(
                f"<div class='ex c{ctx.index[cid]}' data-ci='{ctx.index[cid]}' "
                f"data-di='{ctx.doc_index.get(r.doc_id, -1)}'><blockquote>{_e(text)}</blockquote>"
                f"<div class='cite'>{_e(r.citation)} \u00b7 matched: {_e(r.matched_terms)} \u00b7 "
                f"<a href='#{ctx.anchor(r.doc_id, r.start, r.end)}'>in context</a></div></div>")
        out.append(f"<h3>{ctx.sw(cid)}{_e(ctx.infos[cid].name)} <code class='muted'>{_e(cid)}</code></h3>"
                   + "".join(cards))
    return ("<p class='muted'>Per code, the clearest passages (several matched terms, few other codes, "
            "20\u2013120 words), spread across documents and speakers.</p>" + "".join(out))


# ----------------------------------------------------------------------------- coverage


def _coverage_section(cov, ctx: _Ctx) -> str:
    if not len(cov):
        return "<p>Every code was applied, every rule fired and no term is shared between codes.</p>"
    titles = {"code_never_applied": "Codes never applied", "rule_never_fired": "Rules that never fired",
              "shared_term": "Terms shared by two or more codes"}
    out = []
    for issue, name in titles.items():
        part = cov[cov["issue"] == issue]
        if not len(part):
            continue
        items = []
        for r in part.itertuples():
            if issue == "shared_term":
                items.append(f"<li>\u201c{_e(r.term)}\u201d: <code>{_e(r.code_id)}</code>, "
                             f"<code>{_e(', '.join(str(r.other_codes).split(';')))}</code></li>")
            elif issue == "rule_never_fired":
                items.append(f"<li><code>{_e(r.rule_id)}</code> <span class='muted'>{_e(r.detail)}</span></li>")
            else:
                items.append(f"<li><code>{_e(r.code_id)}</code> <span class='muted'>{_e(r.detail)}</span></li>")
        out.append(f"<h3>{name} ({len(part)})</h3><ul>{''.join(items)}</ul>")
    return "".join(out)


# ----------------------------------------------------------------------------- documents


def _evidence_by_doc(codings: CodingSet) -> dict[str, list[tuple[int, int, str, str, bool]]]:
    """Every document's matched spans, sorted, in one pass over the codings (linear in codings)."""
    spans: dict[str, dict] = {}
    for c in codings:
        per = spans.setdefault(c.doc_id, {})
        for e in c.evidence:
            if e.end > e.start:
                per[(e.start, e.end, c.code_id, e.rule_id)] = e.negated
    return {d: [(s, e, cid, rid, neg) for (s, e, cid, rid), neg in sorted(per.items())]
            for d, per in spans.items()}


def _evidence_spans(codings: CodingSet, doc_id: str) -> list[tuple[int, int, str, str, bool]]:
    return _evidence_by_doc(codings.filter(doc_id=doc_id)).get(doc_id, [])


def _documents_section(codings: CodingSet, ctx: _Ctx, evidence: dict | None = None,
                       progress: Callable[[int, int], None] | None = None) -> str:
    if evidence is None:
        evidence = _evidence_by_doc(codings)
    by_doc: dict[str, list] = {}
    for c in codings:
        by_doc.setdefault(c.doc_id, []).append(c)
    out = []
    for i, doc in enumerate(ctx.docs):
        attrs = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in doc.attributes.items())
        reconstructed = bool(doc.source is not None and doc.source.details.get("reconstructed"))
        note = ("<p class='muted'>Only the coded passages are known for this document (read from a coded "
                "table without its source file).</p>") if reconstructed else ""
        text = _highlight(doc, by_doc.get(doc.id, []), evidence.get(doc.id, []), ctx, reconstructed)
        src = doc.source.path if doc.source is not None and doc.source.path else ""
        out.append(
            f"<template class='qc-doc' data-di='{i}'><section class='doc' id='d{i}' data-di='{i}'><h3>{_e(_doc_title(doc))}</h3>"
            f"<div class='muted'><code>{_e(doc.id)}</code>" + (f" \u00b7 {_e(src)}" if src else "")
            + f" \u00b7 {len(by_doc.get(doc.id, []))} coding(s)</div>"
            + (f"<details><summary>attributes</summary><table class='t'>{attrs}</table></details>" if attrs else "")
            + f"{note}<div class='text'>{text}</div></section></template>")
        if progress is not None:
            progress(i + 1, len(ctx.docs))
    pager = ("<div class='pager' id='qc-pager' hidden><button type='button' id='qc-prev'>\u2039 previous</button> "
             "<span id='qc-page'></span> <button type='button' id='qc-next'>next \u203a</button></div>")
    return (f"<p class='muted'>{len(ctx.docs)} document(s); choose one above, or page through them.</p>"
            f"{pager}<div id='qc-docs'>{''.join(out)}</div>")


def _highlight(doc: Document, codings: Sequence, evidence, ctx: _Ctx, reconstructed: bool) -> str:
    """The document text with nested spans: coded segments outside, matched words inside.

    Intervals that cross are split into fragments; continuation fragments carry the class ``cont``
    so ``mark.ev:not(.cont)`` counts each piece of evidence once. ``textContent`` of the result is
    ``doc.text`` (for a reconstructed document: its coded passages, with ``[...]`` for the gaps).
    """
    text = doc.text
    segs: dict[tuple[int, int], list[str]] = {}
    for c in codings:
        if c.end > c.start:
            segs.setdefault((c.start, c.end), [])
            if c.code_id not in segs[(c.start, c.end)]:
                segs[(c.start, c.end)].append(c.code_id)
    # (start, end, rank, key, open-tag maker)
    ivs = []
    for (s, e), cids in sorted(segs.items()):
        cids = sorted(cids, key=lambda x: ctx.index[x])
        labels = " \u00b7 ".join(ctx.infos[c].name for c in cids)
        tip = "Codes: " + "; ".join(f"{ctx.infos[c].name} ({c})" for c in cids)
        ci = " ".join(str(ctx.index[c]) for c in cids)
        ivs.append((s, e, 0, f"seg{s}-{e}", ("seg", s, e, ci, labels, tip, ctx.anchor(doc.id, s, e))))
    for n, (s, e, cid, rid, neg) in enumerate(evidence):
        tip = f"{ctx.infos[cid].name} ({cid}) \u00b7 rule {rid}" + (" \u00b7 negated" if neg else "")
        ivs.append((s, e, 1, f"ev{n}", ("ev", n, cid, tip, neg)))
    points = sorted({0, len(text)} | {iv[0] for iv in ivs} | {iv[1] for iv in ivs})
    starts: dict[int, list] = {}
    for iv in ivs:
        starts.setdefault(iv[0], []).append(iv)
    active: list = []
    stack: list = []
    opened: set[str] = set()
    out: list[str] = []
    covered = _covered(segs) if reconstructed else None
    for a, b in zip(points, points[1:]):
        active = [iv for iv in active if iv[1] > a] + starts.get(a, [])
        want = sorted(active, key=lambda iv: (iv[0], -iv[1], iv[2], iv[3]))
        k = 0
        while k < len(stack) and k < len(want) and stack[k] is want[k]:
            k += 1
        for _ in range(len(stack) - k):
            out.append("</mark>" if stack.pop()[2] == 1 else "</span>")
        for iv in want[k:]:
            depth = sum(1 for x in stack if x[2] == 1)
            out.append(_open(iv, ctx, cont=iv[3] in opened, depth=depth))
            opened.add(iv[3])
            stack.append(iv)
        piece = text[a:b]
        if covered is not None and not _inside(covered, a, b):
            out.append("<span class='gap'> [\u2026] </span>" if piece.strip() == "" and a > 0 else _e(piece))
        else:
            out.append(_e(piece))
    out.extend("</mark>" if iv[2] == 1 else "</span>" for iv in reversed(stack))
    return "".join(out)


def _open(iv, ctx: _Ctx, *, cont: bool, depth: int) -> str:
    p = iv[4]
    c = " cont" if cont else ""
    if p[0] == "seg":
        _, s, e, ci, labels, tip, anchor = p
        ident = "" if cont else f" id='{anchor}'"
        return (f"<span class='seg{c}'{ident} data-ci='{ci}' data-labels='{_e(labels)}' title='{_e(tip)}' "
                f"data-span='{s}-{e}'>")
    _, n, cid, tip, neg = p
    return (f"<mark class='ev c{ctx.index[cid]}{' neg' if neg else ''} d{min(depth, 3)}{c}' "
            f"data-ci='{ctx.index[cid]}' data-ev='{n}' title='{_e(tip)}'>")


def _covered(segs) -> list[tuple[int, int]]:
    from ..analysis._common import merge_spans

    return merge_spans(segs)


def _inside(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    """Is ``[a, b)`` inside one of the merged, sorted ``spans``?"""
    import bisect

    k = bisect.bisect_right(spans, (a, float("inf"))) - 1
    return k >= 0 and spans[k][0] <= a and b <= spans[k][1]
