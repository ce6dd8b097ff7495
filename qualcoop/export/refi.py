"""REFI-QDA export: projects (``.qdpx``) and codebooks (``.qdc``), schema-valid and deterministic.

:func:`write_qdpx` writes a :class:`~qualcoop.export.refi_model.QdaProject` (read one with
:func:`read_qdpx`, or make one from coded documents with :func:`project_from_codings`):
``project.qde`` plus one ``sources/<GUID>.txt`` per document. The XML is built with lxml and
validates against the REFI-QDA Project schema shipped in ``qualcoop/export/schemas/``
(:func:`validate_refi`). GUIDs are uuid5 of stable keys and no clock is read, so the same project
gives the same bytes.

What goes where:

- users: every coder, note author and project user (``<Users>``);
- the codebook: ``<CodeBook>``, each code's extra fields in its description's ``[qualcoop]``
  block (see :mod:`qualcoop.codebook.qdc`);
- documents: ``<TextSource>`` named by document id, attributes as ``<Variables>`` with
  ``<VariableValue>`` on the source, the ``case`` attribute as ``<Cases>``;
- codings: one ``<PlainTextSelection>`` per coded span (its ``name`` is the exact coded text, so
  an import can verify the offsets), one ``<Coding>`` per code and coder, with the date from
  ``provenance.details["created"]``; machine codings also get a ``[qualcoop]`` block in the
  selection's description with their method, rules, evidence, codebook version and run;
- notes: ``<Notes>`` with ``<NoteRef>`` from their target; sets: ``<Sets>``.

Positions are code points by default (``offsets="utf16"`` writes UTF-16 code units for tools
that count like NVivo).
"""

from __future__ import annotations

import json
import math
import os
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..codebook.qdc import BLOCK_END, BLOCK_START, code_guid, codes_element, meta_pi, write_qdc, xml_name, xml_safe
from ..errors import RefiError
from ..model import Codebook, Coding, CodingSet, Document
from .refi_model import QdaNote, QdaProject, QdaSet, guid_for, index_to_utf16, utf16_length
from .refi_reader import ZipLimits, read_qde, read_qdpx

__all__ = ["NS_PROJECT", "write_qdpx", "dump_qde", "project_from_codings", "validate_refi", "schema_path",
           "read_qdpx", "read_qde", "write_qdc", "ZipLimits", "QdaProject", "QdaNote", "QdaSet"]

NS_PROJECT = "urn:QDA-XML:project:1.0"
_SCHEMAS = {"project": "Project-mrt2019.xsd", "codebook": "Codebook_requal_clean.xsd"}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_OFFSETS = ("codepoints", "utf16")
_DT_CHARS = set("0123456789-:TZ.+")


def schema_path(kind: str) -> Path:
    """The shipped REFI-QDA schema: ``"project"`` (Project-mrt2019.xsd) or ``"codebook"``."""
    return Path(__file__).with_name("schemas") / _SCHEMAS[kind]


def validate_refi(data: bytes, kind: str) -> list[str]:
    """Schema problems of a ``.qde`` (``kind="project"``) or ``.qdc`` (``"codebook"``); empty when valid.

    Needs the ``xmlschema`` package (in the ``dev`` extra).
    """
    try:
        import xmlschema
    except ImportError as e:  # pragma: no cover - dev extra
        raise RefiError(schema_path(kind), "validating needs the xmlschema package") from e
    from lxml import etree

    schema = xmlschema.XMLSchema(str(schema_path(kind)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(data, parser)
    return [f"{e.path}: {e.reason}" for e in schema.iter_errors(root)]


def _dt(value: Any) -> str | None:
    """A value fit for an ``xsd:dateTime`` attribute, or ``None``."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T" \
            and set(value) <= _DT_CHARS:
        return value
    return None


# --------------------------------------------------------------------------- building a project


def project_from_codings(codings: CodingSet | Iterable[Coding], *, name: str,
                         documents: Iterable[Document] | None = None, codebook: Codebook | None = None
                         ) -> QdaProject:
    """A :class:`QdaProject` from codings (e.g. the output of ``qualcoop code``) and their documents.

    ``documents`` and ``codebook`` default to those the :class:`~qualcoop.model.CodingSet` carries.

    Raises
    ------
    RefiError
        If a coding's document or codebook is not given.
    """
    docs = {d.id: d for d in (documents if documents is not None else getattr(codings, "documents", {}).values())}
    cb = codebook if codebook is not None else getattr(codings, "codebook", None)
    if cb is None:
        raise RefiError(name, "a project needs the codebook the codings were made with")
    items = tuple(codings)
    missing = sorted({c.doc_id for c in items} - set(docs))
    if missing:
        raise RefiError(name, f"codings refer to documents that were not given: {', '.join(missing[:5])}")
    users = tuple(dict.fromkeys(c.provenance.coder for c in items))
    return QdaProject(name=name, codebook=cb, documents=tuple(docs.values()), codings=items, users=users,
                      origin="qualcoop")


# --------------------------------------------------------------------------- XML


class _Writer:
    def __init__(self, project: QdaProject, offsets: str) -> None:
        from lxml import etree

        if offsets not in _OFFSETS:
            raise ValueError(f"offsets must be one of {_OFFSETS}, not {offsets!r}")
        self.etree, self.p, self.offsets = etree, project, offsets
        self.users: dict[str, str] = {}
        self.docs = {d.id: d for d in project.documents}
        self.doc_guid = {d.id: guid_for("doc", d.id) for d in project.documents}
        self.by_doc: dict[str, list[Coding]] = {}
        for c in project.codings:
            self.by_doc.setdefault(c.doc_id, []).append(c)

    def el(self, parent: Any, tag: str, /, **attrs: Any) -> Any:
        e = self.etree.SubElement(parent, f"{{{NS_PROJECT}}}{tag}")
        for k, v in attrs.items():
            if v is not None:
                e.set(k, xml_name(str(v)))
        return e

    def user(self, name: str | None) -> str | None:
        if not name:
            return None
        if name not in self.users:
            self.users[name] = guid_for("user", name)
        return self.users[name]

    def pos(self, text: str, indices: list[int]) -> list[int]:
        return index_to_utf16(text, indices) if self.offsets == "utf16" else indices

    def build(self) -> Any:
        from .. import __version__

        p = self.p
        root = self.etree.Element(f"{{{NS_PROJECT}}}Project", nsmap={None: NS_PROJECT})
        root.set("name", p.name)
        root.set("origin", f"qualcoop {__version__}")
        root.append(self.etree.ProcessingInstruction("qualcoop-offsets", self.offsets))
        for u in p.users:
            self.user(u)
        for c in p.codings:
            self.user(c.provenance.coder)
            self.user(c.provenance.details.get("selection_by"))
        for n in p.notes:
            self.user(n.author)
        if self.users:
            users = self.el(root, "Users")
            for name, guid in self.users.items():
                self.el(users, "User", guid=guid, name=name)
        if p.codebook.codes:
            root.append(meta_pi(p.codebook))
            cb = self.el(root, "CodeBook")
            cb.append(codes_element(p.codebook, NS_PROJECT))
        elif p.codebook.name:
            root.append(meta_pi(p.codebook))
        variables = self.variables(root)
        self.cases(root, variables)
        note_guids = [(n, guid_for("note", str(i), n.name)) for i, n in enumerate(p.notes)]
        if p.documents:
            sources = self.el(root, "Sources")
            for d in p.documents:
                self.source(sources, d, variables, note_guids)
        if p.notes:
            notes = self.el(root, "Notes")
            for n, guid in note_guids:
                e = self.el(notes, "Note", guid=guid, name=n.name, creatingUser=self.users.get(n.author or ""),
                            creationDateTime=_dt(n.created))
                self.el(e, "PlainTextContent").text = xml_name(n.text)
        self.code_note_refs(root, note_guids)
        if p.sets:
            sets = self.el(root, "Sets")
            for i, s in enumerate(p.sets):
                e = self.el(sets, "Set", guid=guid_for("set", str(i), s.name), name=s.name)
                if s.description:
                    self.el(e, "Description").text = xml_name(s.description)
                for cid in s.code_ids:
                    self.el(e, "MemberCode", targetGUID=code_guid(p.codebook.name, cid))
                for did in s.doc_ids:
                    if did in self.doc_guid:
                        self.el(e, "MemberSource", targetGUID=self.doc_guid[did])
        for n, guid in note_guids:
            if n.target[0] == "project":
                self.el(root, "NoteRef", targetGUID=guid)
        return root

    # ------------------------------------------------------------------ attributes
    def variables(self, root: Any) -> dict[str, tuple[str, str]]:
        values: dict[str, list[Any]] = {}
        for d in self.p.documents:
            for k, v in d.attributes.items():
                if k != "case":
                    values.setdefault(k, []).append(v)
        out: dict[str, tuple[str, str]] = {}
        if not values:
            return out
        el = self.el(root, "Variables")
        for name in sorted(values):
            vs = values[name]
            if all(isinstance(v, bool) for v in vs):
                kind = "Boolean"
            elif all(isinstance(v, int) and not isinstance(v, bool) for v in vs):
                kind = "Integer"
            elif all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in vs):
                kind = "Float"
            else:
                kind = "Text"
            guid = guid_for("variable", name)
            self.el(el, "Variable", guid=guid, name=name, typeOfVariable=kind)
            out[name] = (guid, kind)
        return out

    def value(self, parent: Any, guid: str, kind: str, v: Any) -> None:
        vv = self.el(parent, "VariableValue")
        self.el(vv, "VariableRef", targetGUID=guid)
        if kind == "Boolean":
            text = "true" if v else "false"
        elif kind == "Float":
            text = format(Decimal(repr(float(v))), "f")
        elif kind == "Integer":
            text = str(int(v))
        else:
            text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
        self.el(vv, f"{kind}Value").text = xml_name(text)

    def cases(self, root: Any, variables: dict[str, tuple[str, str]]) -> None:
        members: dict[str, list[str]] = {}
        for d in self.p.documents:
            case = d.attributes.get("case")
            names = [case] if isinstance(case, str) else list(case) if isinstance(case, (list, tuple)) else []
            for n in names:
                members.setdefault(str(n), []).append(d.id)
        if not members:
            return
        el = self.el(root, "Cases")
        for name in sorted(members):
            c = self.el(el, "Case", guid=guid_for("case", name), name=name)
            for did in members[name]:
                self.el(c, "SourceRef", targetGUID=self.doc_guid[did])

    # ------------------------------------------------------------------ sources and codings
    def source(self, sources: Any, d: Document, variables: dict[str, tuple[str, str]],
               note_guids: list[tuple[QdaNote, str]]) -> None:
        guid = self.doc_guid[d.id]
        src = self.el(sources, "TextSource", guid=guid, name=d.id, plainTextPath=f"internal://{guid}.txt")
        spans: dict[tuple[int, int, str], list[Coding]] = {}  # (start, end, who made the selection)
        for c in self.by_doc.get(d.id, ()):
            by = c.provenance.details.get("selection_by") or c.provenance.coder
            spans.setdefault((c.start, c.end, by), []).append(c)
        sel_notes: dict[tuple[int, int], list[str]] = {}
        for n, ng in note_guids:
            if n.target[0] == "selection" and n.target[1] == d.id:
                span = (int(n.target[2]), int(n.target[3]))
                sel_notes.setdefault(span, []).append(ng)
                if not any(k[:2] == span for k in spans):
                    spans[(*span, "")] = []
        for (start, end, by) in sorted(spans):
            cods = sorted(spans[(start, end, by)], key=lambda c: (c.code_id, c.provenance.coder, c.provenance.method))
            a, b = self.pos(d.text, [start, end])
            first = cods[0] if cods else None
            sel = self.el(src, "PlainTextSelection", guid=guid_for("selection", d.id, str(start), str(end), by),
                          name=d.text[start:end] if xml_safe(d.text[start:end]) else None, startPosition=a,
                          endPosition=b, creatingUser=self.user(by or None),
                          creationDateTime=_dt(first.provenance.details.get("created")) if first else None)
            desc = self.provenance_block(cods)
            if desc:
                self.el(sel, "Description").text = xml_name(desc)
            for c in cods:
                e = self.el(sel, "Coding", guid=guid_for("coding", d.id, str(start), str(end), c.code_id,
                                                         c.provenance.coder, c.provenance.method),
                            creatingUser=self.user(c.provenance.coder),
                            creationDateTime=_dt(c.provenance.details.get("created")))
                self.el(e, "CodeRef", targetGUID=code_guid(self.p.codebook.name, c.code_id))
            for ng in sel_notes.pop((start, end), []):
                self.el(sel, "NoteRef", targetGUID=ng)
        for n, ng in note_guids:
            if n.target[0] == "document" and n.target[1] == d.id:
                self.el(src, "NoteRef", targetGUID=ng)
        for name, (vguid, kind) in variables.items():
            if name in d.attributes:
                self.value(src, vguid, kind, d.attributes[name])

    def provenance_block(self, cods: list[Coding]) -> str:
        import yaml

        from ..codebook.yaml_format import yaml_dumper

        entries, summary = [], []
        for c in cods:
            pv = c.provenance
            details = {k: v for k, v in pv.details.items() if k not in ("created", "selection_by")
                       or (k == "created" and _dt(v) is None)}
            prov = {k: v for k, v in (("method", pv.method), ("codebook", pv.codebook),
                                      ("codebook_version", pv.codebook_version), ("tool_version", pv.tool_version),
                                      ("run_id", pv.run_id)) if v is not None}
            if details:
                prov["details"] = details
            entry: dict[str, Any] = {}
            if set(prov) != {"method"} or pv.method != "manual":
                entry["provenance"] = prov
            if c.evidence:
                entry["evidence"] = [[e.start, e.end, e.rule_id, e.negated] for e in c.evidence]
            for k in ("segment_index", "unit", "speaker", "confidence"):
                if getattr(c, k) is not None:
                    entry[k] = getattr(c, k)
            if entry:
                entries.append({"code": c.code_id, "coder": pv.coder, **entry})
                rules = ", ".join(c.rule_ids)
                summary.append(f"{c.code_id}: {pv.method} coding by {pv.coder}" + (f" (rules {rules})" if rules else ""))
        if not entries:
            return ""
        block = yaml.dump({"codings": entries}, Dumper=yaml_dumper(), sort_keys=False, allow_unicode=True,
                          width=100, default_flow_style=False)
        return "\n".join(summary) + f"\n\n{BLOCK_START}\n{block}{BLOCK_END}"

    def code_note_refs(self, root: Any, note_guids: list[tuple[QdaNote, str]]) -> None:
        targets = [(n.target[1], g) for n, g in note_guids if n.target[0] == "code"]
        if not targets:
            return
        by_guid = {e.get("guid"): e for e in root.iter(f"{{{NS_PROJECT}}}Code")}
        for cid, ng in targets:
            e = by_guid.get(code_guid(self.p.codebook.name, cid))
            if e is None:
                continue
            ref = self.etree.Element(f"{{{NS_PROJECT}}}NoteRef", targetGUID=ng)
            kids = [k for k in e if k.tag == f"{{{NS_PROJECT}}}Code"]
            if kids:
                kids[0].addprevious(ref)
            else:
                e.append(ref)


def dump_qde(project: QdaProject, *, offsets: str = "codepoints") -> bytes:
    """The project's ``project.qde`` XML (UTF-8 bytes, deterministic)."""
    from lxml import etree

    root = _Writer(project, offsets).build()
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_qdpx(project: QdaProject, path: str | os.PathLike[str], *, offsets: str = "codepoints") -> None:
    """Write ``project`` as a REFI-QDA project archive.

    Parameters
    ----------
    project : QdaProject
    path : str or path-like
        The ``.qdpx`` to write (replaced atomically).
    offsets : {"codepoints", "utf16"}
        How selection positions count characters.

    Examples
    --------
    >>> write_qdpx(read_qdpx("in.qdpx"), "out.qdpx")         # doctest: +SKIP
    """
    qde = dump_qde(project, offsets=offsets)
    members = [("project.qde", qde)]
    for d in project.documents:
        members.append((f"sources/{guid_for('doc', d.id)}.txt", d.text.encode("utf-8")))
    out = Path(path)
    tmp = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    os.replace(tmp, out)


_ = (utf16_length, read_qde, read_qdpx, ZipLimits, QdaSet, write_qdc)  # re-exported
