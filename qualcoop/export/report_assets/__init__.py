"""The HTML report's inline CSS and JavaScript (kept as strings so they ship inside the package).

The script reads its data from ``<script type="application/json" id="qc-data">`` and only ever sets
``textContent``/``classList``/``hidden``: it never builds HTML from strings. Documents arrive as inert
``<template class="qc-doc">`` elements; the script moves the current page's ones into the page (and
back into templates when the page changes), so the live DOM holds one page of documents at a time.
"""

CSS = r"""
:root{--fg:#1d1d1f;--muted:#666;--line:#ddd;--seg:rgba(255,214,102,.28)}
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;font-size:14px;color:var(--fg);margin:0;line-height:1.45}
header{padding:12px 20px;border-bottom:1px solid var(--line);background:#fafafa}
header h1{font-size:20px;margin:0 0 4px}
nav{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);padding:6px 20px;
  display:flex;gap:14px;flex-wrap:wrap;align-items:center}
nav a{color:#0b57d0;text-decoration:none}
nav select{max-width:360px}
main{padding:0 20px 40px;max-width:1200px}
h2{font-size:17px;border-bottom:2px solid #eee;padding-bottom:3px;margin-top:28px}
h3{font-size:15px;margin:18px 0 6px}
table.t{border-collapse:collapse;font-size:12.5px;margin:6px 0}
table.t th,table.t td{border:1px solid var(--line);padding:2px 6px;text-align:left;vertical-align:top}
table.t th{background:#f4f4f4}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}
.sw{display:inline-block;width:.85em;height:.85em;border-radius:2px;margin-right:5px;vertical-align:-1px;background:var(--c)}
.bar{height:10px;background:var(--c);min-width:1px}
.barcell{width:220px}
.rules{font-size:12px;color:#444}
.co td.n{min-width:28px;text-align:center}
details summary{cursor:pointer}
.cell ul{margin:2px 0;padding-left:16px;font-size:12px}
.ex{border-left:4px solid var(--c);margin:8px 0;padding:4px 10px;background:#fcfcfc}
.ex blockquote{margin:2px 0;white-space:pre-wrap}
.ex .cite{font-size:12px;color:var(--muted)}
.doc{border-top:1px solid var(--line);margin-top:16px}
.doc .text{white-space:pre-wrap;font-family:"DejaVu Serif",Georgia,serif;font-size:14.5px;line-height:1.9;
  padding:4px 0 8px}
.seg{background:var(--seg);border-radius:2px}
.seg:not(.cont)::before{content:attr(data-labels);font-family:"DejaVu Sans",sans-serif;font-size:10px;
  color:#7a5b00;background:#fff3c4;border-radius:3px;padding:0 3px;margin-right:3px;vertical-align:1px}
mark.ev{background:transparent;color:inherit;border-bottom:2px solid var(--c);padding-bottom:1px}
mark.ev.d1{padding-bottom:4px}mark.ev.d2{padding-bottom:7px}mark.ev.d3{padding-bottom:10px}
mark.ev.neg{border-bottom-style:dashed}
mark.ev:hover{background:rgba(0,0,0,.06)}
.off{background:transparent!important;border-bottom-color:transparent!important}
.seg.off::before{display:none}
.gap{color:#aaa}
.pager{margin:8px 0}.pager button{margin:0 4px}
[hidden]{display:none!important}
"""

JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("qc-data").textContent);
  var codeSel = document.getElementById("qc-code");
  var docSel = document.getElementById("qc-doc");
  function opt(sel, value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    sel.appendChild(o);
  }
  data.codes.forEach(function (c) { if (c.applied) { opt(codeSel, String(c.i), c.id + " \u2014 " + c.name); } });
  data.docs.forEach(function (d) { opt(docSel, String(d.i), d.title); });
  function has(el, ci) { return (" " + el.getAttribute("data-ci") + " ").indexOf(" " + ci + " ") >= 0; }
  // pagination: documents wait in <template>s; only the current page's are in the live DOM
  var perPage = data.per_page || 20;
  var pages = Math.max(1, Math.ceil(data.docs.length / perPage));
  var page = -1, tpls = {}, rendered = {};
  document.querySelectorAll("template.qc-doc").forEach(function (t) { tpls[t.getAttribute("data-di")] = t; });
  function showPage(p) {
    p = Math.max(0, Math.min(pages - 1, p));
    if (p === page) { return; }
    var lo = p * perPage, hi = lo + perPage;
    Object.keys(rendered).forEach(function (key) {
      var n = Number(key);
      if (n >= lo && n < hi) { return; }
      var sec = rendered[key], t = document.createElement("template");
      t.className = "qc-doc";
      t.setAttribute("data-di", key);
      sec.replaceWith(t);
      t.content.appendChild(sec);
      tpls[key] = t;
      delete rendered[key];
    });
    for (var n = lo; n < hi && n < data.docs.length; n++) {
      var key = String(n), t = tpls[key];
      if (!t) { continue; }
      var sec = t.content.firstElementChild;
      t.replaceWith(t.content);
      rendered[key] = sec;
      delete tpls[key];
    }
    page = p;
    var pager = document.getElementById("qc-pager");
    pager.hidden = pages < 2;
    document.getElementById("qc-page").textContent = "page " + (p + 1) + " of " + pages + " (documents " +
      (lo + 1) + "\u2013" + Math.min(hi, data.docs.length) + " of " + data.docs.length + ")";
    document.getElementById("qc-prev").disabled = p === 0;
    document.getElementById("qc-next").disabled = p === pages - 1;
  }
  function apply() {
    var ci = codeSel.value, di = docSel.value;
    showPage(di === "" ? Math.max(page, 0) : Math.floor(Number(di) / perPage));
    document.querySelectorAll("mark.ev, span.seg").forEach(function (el) {
      el.classList.toggle("off", ci !== "" && !has(el, ci));
    });
    document.querySelectorAll("section.doc").forEach(function (el) {
      el.hidden = di !== "" && el.getAttribute("data-di") !== di;
    });
    document.querySelectorAll(".ex").forEach(function (el) {
      el.hidden = (ci !== "" && !has(el, ci)) || (di !== "" && el.getAttribute("data-di") !== di);
    });
    document.querySelectorAll("tr[data-ci]").forEach(function (el) {
      el.hidden = ci !== "" && !has(el, ci);
    });
    var shown = 0;
    document.querySelectorAll("section.doc:not([hidden]) mark.ev:not(.cont):not(.off)").forEach(function () { shown++; });
    document.getElementById("qc-shown").textContent = String(shown);
    document.body.setAttribute("data-qc-rendered", String(Object.keys(rendered).length));
  }
  // a link to a passage (#s<doc>-<start>-<end>) or a document (#d<doc>) first renders that document's page
  function reveal(id) {
    var m = /^(?:s(\d+)-|d(\d+)$)/.exec(id || "");
    if (!m) { return; }
    var di = String(Number(m[1] || m[2]));
    if (docSel.value !== "" && docSel.value !== di) { docSel.value = ""; }
    showPage(Math.floor(Number(di) / perPage));
    apply();
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest("a[href^='#']") : null;
    if (a) { reveal(a.getAttribute("href").slice(1)); }
  });
  window.addEventListener("hashchange", function () { reveal(window.location.hash.slice(1)); });
  document.getElementById("qc-prev").addEventListener("click", function () {
    docSel.value = ""; showPage(page - 1); apply(); });
  document.getElementById("qc-next").addEventListener("click", function () {
    docSel.value = ""; showPage(page + 1); apply(); });
  // initial filters from the address: report.html?code=<code id>&doc=<document id>
  var params = new URLSearchParams(window.location.search);
  data.codes.forEach(function (c) { if (c.applied && params.get("code") === c.id) { codeSel.value = String(c.i); } });
  data.docs.forEach(function (d) { if (params.get("doc") === d.id) { docSel.value = String(d.i); } });
  codeSel.addEventListener("change", apply);
  docSel.addEventListener("change", apply);
  apply();
  if (window.location.hash) {
    reveal(window.location.hash.slice(1));
    var target = document.getElementById(window.location.hash.slice(1));
    if (target) { target.scrollIntoView(); }
  }
  document.body.setAttribute("data-qc-marks", String(document.querySelectorAll("mark.ev:not(.cont)").length));
  document.body.setAttribute("data-qc-ready", "1");
  window.__qualcoopReady = true;
})();
"""
