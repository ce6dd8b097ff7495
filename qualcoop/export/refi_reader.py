"""Reading REFI-QDA projects (``.qdpx``, or a bare ``.qde``) into a :class:`QdaProject`, safely.

Safety: the archive is never extracted; members are read by name, through caps on the number of
members, each member's size (checked while reading, not trusted from the header), the total size
and the compression ratio (:class:`ZipLimits`). XML is parsed with defusedxml (no DTD, no entities).
Source paths ``absolute://`` and ``relative://`` point outside the archive and are skipped with a
report line, as is any path with ``..`` or a leading ``/``.

Leniency: ``sources/`` or ``Sources/`` (any case), a bare ``plainTextPath`` without
``internal://``, a ``.qde`` named after the project, namespace variants, an empty ``<Sets/>``,
selections without codings, zero-length selections, cases without names, memos written as a
selection's ``<Description>`` - all read; what cannot be carried over is listed in
``QdaProject.report``.

Offsets: each source's selections are checked as code points and as UTF-16 code units (NVivo
counts UTF-16 units over the raw text, CRLF as two); the reading under which selections start on
word boundaries (and match their stored text, where a selection's name holds it) wins. A
selection whose stored text differs from the text at its offsets is reported and not imported.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree as ET

from ..codebook.qdc import (BLOCK_START, build_codebook, child, children, code_dicts, local, namespace,
                            parse_description, parse_xml, text_of)
from ..errors import RefiError, UnsafeInputError
from ..model import Codebook, Coding, Document, Evidence, FrozenMap, Provenance, Source
from .refi_model import QdaNote, QdaProject, QdaSet, utf16_length, utf16_to_index

__all__ = ["ZipLimits", "read_qdpx", "read_qde"]

PROJECT_NAMESPACES = ("urn:QDA-XML:project:1.0", "urn:QDA-XML:project:1:0", "urn:QDA-XML:project:0:4")
UNTRUSTED_SCHEMES = ("absolute://", "relative://")


def _limit(name: str) -> Any:
    from ..limits import current

    return field(default_factory=lambda: current(name))


@dataclass(frozen=True)
class ZipLimits:
    """Caps applied while reading a ``.qdpx`` (a zip bomb is refused, not unpacked). The defaults are
    :mod:`qualcoop.limits` (``MAX_ZIP_MEMBERS``, ``MAX_FILE_BYTES`` per member, ``MAX_ZIP_RATIO``; each
    can be raised with ``QUALCOOP_<NAME>``); a project's texts together may be 2 GiB."""

    max_members: int = _limit("MAX_ZIP_MEMBERS")
    max_member_bytes: int = _limit("MAX_FILE_BYTES")
    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    max_ratio: float = _limit("MAX_ZIP_RATIO")
    #: members up to this size are not held to ``max_ratio`` (a small repetitive text is no bomb)
    min_ratio_bytes: int = 1024 * 1024


class _Archive:
    """Members of a zip read by name under :class:`ZipLimits`; never extracted."""

    def __init__(self, path: Path, limits: ZipLimits) -> None:
        self.path, self.limits, self.read_total = path, limits, 0
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise RefiError(path, f"not a readable .qdpx (zip) archive: {e}") from e
        infos = self.zf.infolist()
        if len(infos) > limits.max_members:
            raise UnsafeInputError(path, f"{len(infos)} members in the archive, over the limit of "
                                         f"{limits.max_members}")
        self.by_lower: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            self.by_lower.setdefault(info.filename.lower(), info)

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.by_lower.get(name.lower())

    def read(self, info: zipfile.ZipInfo) -> bytes:
        lim = self.limits
        where = f"{self.path}!{info.filename}"
        if info.file_size > lim.max_member_bytes:
            raise UnsafeInputError(where, f"member of {info.file_size} bytes, over the limit of "
                                          f"{lim.max_member_bytes}")
        if info.file_size > lim.min_ratio_bytes and info.file_size / max(info.compress_size, 1) > lim.max_ratio:
            raise UnsafeInputError(where, f"compression ratio {info.file_size / max(info.compress_size, 1):.0f}"
                                          f" is over the limit of {lim.max_ratio:.0f} (a zip bomb?)")
        cap = min(lim.max_member_bytes, lim.max_total_bytes - self.read_total)
        try:
            with self.zf.open(info) as fh:
                data = fh.read(cap + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as e:
            raise RefiError(where, f"cannot read the member: {e}") from e
        if len(data) > cap:
            raise UnsafeInputError(where, "member inflates past the size cap (its header lies about its size)")
        if len(data) > max(info.compress_size, 1) * lim.max_ratio and len(data) > lim.min_ratio_bytes:
            raise UnsafeInputError(where, "member inflates past the compression-ratio cap")
        self.read_total += len(data)
        return data

    def project_member(self) -> zipfile.ZipInfo:
        info = self.find("project.qde")
        if info is not None:
            return info
        qdes = [i for i in self.zf.infolist() if i.filename.lower().endswith(".qde") and "/" not in i.filename]
        if len(qdes) == 1:
            return qdes[0]
        raise RefiError(self.path, "no project.qde in the archive" + (
            f" (and {len(qdes)} other .qde files, so none is the project)" if qdes else ""))


def safe_member_name(ref: str) -> str | None:
    """The archive member a source path refers to, or ``None`` when it is not inside the archive."""
    if ref.startswith(UNTRUSTED_SCHEMES) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", ref) and \
            not ref.startswith("internal://"):
        return None
    name = ref[len("internal://"):] if ref.startswith("internal://") else ref
    name = name.replace("\\", "/")
    pp = PurePosixPath(name)
    if not name or name.startswith("/") or ".." in pp.parts or re.match(r"^[a-zA-Z]:", name):
        return None
    return name


def read_qdpx(path: str | Path, *, limits: ZipLimits | None = None, extract_rich: bool = True
              ) -> QdaProject:
    """Read a REFI-QDA project archive (``.qdpx``) or a bare ``project.qde``.

    Parameters
    ----------
    path : str or Path
    limits : ZipLimits, optional
        Caps on member count, sizes and compression ratio.
    extract_rich : bool
        Extract text from a source's ``.docx``/``.pdf`` (through qualcoop's extractors) when the
        vendor ships no plain text for it.

    Returns
    -------
    QdaProject
        ``report`` lists what could not be carried over.

    Raises
    ------
    UnsafeInputError
        For a DTD or entity in the XML, or a member over the caps.
    RefiError
        If the file is not a REFI-QDA project at all.

    Examples
    --------
    >>> p = read_qdpx("oltas0517.qdpx")                                      # doctest: +SKIP
    >>> len(p.codings), len(p.codebook), p.users                             # doctest: +SKIP
    (303, 152, ('Gergo', 'floriansipos'))
    """
    p = Path(path)
    if p.suffix.lower() == ".qde":
        return read_qde(p.read_bytes(), where=str(p))
    archive = _Archive(p, limits or ZipLimits())
    info = archive.project_member()
    data = archive.read(info)
    return _Reader(f"{p}!{info.filename}", archive, extract_rich).project(parse_xml(data, f"{p}!{info.filename}"))


def read_qde(data: bytes, *, where: str = "<project.qde>") -> QdaProject:
    """Read the XML of a project (no archive: sources must carry ``PlainTextContent``)."""
    return _Reader(where, None, False).project(parse_xml(data, where))


_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


class _Reader:
    def __init__(self, where: str, archive: _Archive | None, extract_rich: bool) -> None:
        self.where, self.archive, self.extract_rich = where, archive, extract_rich
        self.units = ""  # "codepoints"/"utf16" when the file says (qualcoop's own exports)
        self.report: list[str] = []
        self.users: dict[str, str] = {}  # guid -> name
        self.codes: dict[str, str] = {}  # guid -> code id
        self.docs: dict[str, str] = {}  # guid -> doc id
        self.taken_doc_ids: set[str] = set()
        self.selections: dict[str, tuple[str, int, int]] = {}
        self.notes_by_guid: dict[str, tuple[str, str, str | None, str | None]] = {}
        self.note_targets: dict[str, list[tuple]] = {}

    def say(self, msg: str) -> None:
        self.report.append(msg)

    # ------------------------------------------------------------------ top
    def project(self, root: ET.Element) -> QdaProject:
        if local(root.tag) != "Project":
            raise RefiError(self.where, f"not a REFI-QDA project: the root element is <{local(root.tag)}>")
        ns = namespace(root.tag)
        if ns not in PROJECT_NAMESPACES:
            self.say(f"unexpected namespace {ns!r}; read anyway")
        name = root.get("name") or "project"
        self.units = next((str(n.text).strip() for n in root if n.tag is ET.ProcessingInstruction
                           and str(n.text or "").startswith("qualcoop-offsets")), "")
        self.units = self.units.split()[-1] if self.units else ""
        origin = root.get("origin") or ""
        users = self.read_users(child(root, "Users"))
        codebook = self.read_codebook(root, name)
        variables = self.read_variables(child(root, "Variables"))
        notes_el = child(root, "Notes")
        if notes_el is not None:
            self.read_notes(notes_el)
        documents: list[Document] = []
        codings: list[Coding] = []
        inline_notes: list[QdaNote] = []
        sources = child(root, "Sources")
        if sources is not None:
            for el in sources:
                kind = local(el.tag)
                if not kind:
                    continue
                got = self.read_source(el, kind, variables, origin, codings, inline_notes)
                if got is not None:
                    documents.append(got)
        documents = self.apply_cases(child(root, "Cases"), documents, variables)
        for el in children(root, "NoteRef"):
            self.note_targets.setdefault(el.get("targetGUID", "").strip("{}").upper(), []).append(("project",))
        for el in root:
            if local(el.tag) in ("Links", "Graphs"):
                self.say(f"<{local(el.tag)}> is not carried over")
        sets = self.read_sets(child(root, "Sets"))
        notes = self.finish_notes() + inline_notes
        return QdaProject(name=name, codebook=codebook, documents=tuple(documents), codings=tuple(codings),
                          users=tuple(dict.fromkeys(users.values())), notes=tuple(notes), sets=tuple(sets),
                          origin=origin, report=tuple(self.report))

    def read_users(self, el: ET.Element | None) -> dict[str, str]:
        if el is None:
            return {}
        names: set[str] = set()
        for u in children(el, "User"):
            guid = (u.get("guid") or "").strip("{}").upper()
            name = u.get("name") or u.get("id") or guid
            if name in names:
                name = f"{name} ({guid[:8]})"
            names.add(name)
            self.users[guid] = name
        return self.users

    def user(self, guid: str | None) -> str | None:
        if not guid:
            return None
        g = guid.strip("{}").upper()
        return self.users.get(g, g)

    def read_codebook(self, root: ET.Element, name: str) -> Codebook:
        from ..codebook.qdc import _meta, in_order
        from ..codebook.validate import slugify

        problems: list[Any] = []
        cb_el = child(root, "CodeBook")
        codes_el = child(cb_el, "Codes") if cb_el is not None else None
        codes, self.codes = code_dicts(codes_el, self.where, problems) if codes_el is not None else ([], {})
        meta = _meta(root)
        codes = in_order(codes, meta)
        data: dict[str, Any] = {"name": meta.get("name") or slugify(name), "version": meta.get("version") or "1",
                                "languages": meta.get("languages") or ["en"], "codes": codes}
        if meta.get("description"):
            data["description"] = meta["description"]
        codebook, more = build_codebook(data, self.where)
        if cb_el is not None:
            for el in cb_el.iter():
                if local(el.tag) == "Code" and (cid := self.codes.get((el.get("guid") or "").strip("{}").upper())):
                    self.note_refs(el, ("code", cid))
        for prob in problems + more:
            if prob.kind == "error" or "never be applied" not in prob.message:
                self.say(f"codebook: {prob}")
        if codebook is None:  # pragma: no cover - the builder always returns one for a dict
            codebook = Codebook(name=data["name"], version="1", codes=())
        return codebook

    def read_variables(self, el: ET.Element | None) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        if el is not None:
            for v in children(el, "Variable"):
                out[(v.get("guid") or "").strip("{}").upper()] = (v.get("name") or "variable",
                                                                 v.get("typeOfVariable") or "Text")
        return out

    def values(self, el: ET.Element, variables: dict[str, tuple[str, str]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for vv in children(el, "VariableValue"):
            ref = child(vv, "VariableRef")
            guid = (ref.get("targetGUID") if ref is not None else "") or ""
            name = variables.get(guid.strip("{}").upper(), (None, None))[0]
            if name is None:
                self.say(f"a value of an undeclared variable {guid!r} is not carried over")
                continue
            for val in vv:
                kind, text = local(val.tag), (val.text or "").strip()
                if kind == "VariableRef":
                    continue
                if kind == "BooleanValue":
                    out[name] = text.lower() in ("true", "1")
                elif kind == "IntegerValue" and re.fullmatch(r"[+-]?\d+", text):
                    out[name] = int(text)
                elif kind == "FloatValue" and re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
                    out[name] = float(text)
                else:
                    out[name] = val.text or ""
        return out

    # ------------------------------------------------------------------ notes
    def read_notes(self, el: ET.Element) -> None:
        for n in children(el, "Note"):
            guid = (n.get("guid") or "").strip("{}").upper()
            text = text_of(child(n, "PlainTextContent"))
            ref = n.get("plainTextPath")
            if not text and ref:
                got = self.member_text(ref, f"note {n.get('name') or guid}")
                text = got or ""
            self.notes_by_guid[guid] = (n.get("name") or "", text, self.user(n.get("creatingUser")),
                                        n.get("creationDateTime"))

    def note_refs(self, el: ET.Element, target: tuple) -> None:
        for ref in children(el, "NoteRef"):
            self.note_targets.setdefault((ref.get("targetGUID") or "").strip("{}").upper(), []).append(target)

    def finish_notes(self) -> list[QdaNote]:
        out = []
        for guid, (name, text, author, created) in self.notes_by_guid.items():
            targets = self.note_targets.get(guid) or [("project",)]
            for t in targets:
                out.append(QdaNote(name=name, text=text, target=t, author=author, created=created))
        return out

    # ------------------------------------------------------------------ sources
    def member_text(self, ref: str, what: str) -> str | None:
        data = self.member_bytes(ref, what)
        if data is None:
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                self.say(f"{what}: {ref} is neither UTF-8 nor UTF-16 text; skipped")
                return None

    def member_bytes(self, ref: str, what: str) -> bytes | None:
        name = safe_member_name(ref)
        if name is None:
            self.say(f"{what}: path {ref!r} points outside the archive; not read (untrusted)")
            return None
        if self.archive is None:
            self.say(f"{what}: {ref} cannot be read from a bare .qde")
            return None
        info = None
        for cand in (f"sources/{name}", name):
            info = self.archive.find(cand)
            if info is not None:
                break
        if info is None:
            self.say(f"{what}: {ref} is not in the archive")
            return None
        return self.archive.read(info)

    def rich_text(self, ref: str, what: str, doc_id: str) -> str | None:
        from ..errors import QualcoopError
        from ..extract import extract_file

        data = self.member_bytes(ref, what)
        if data is None:
            return None
        suffix = PurePosixPath(ref).suffix.lower() or ".txt"
        with tempfile.TemporaryDirectory(prefix="qualcoop-qdpx-") as tmp:
            f = Path(tmp) / f"source{suffix}"
            f.write_bytes(data)
            try:
                return extract_file(f, attributes={}, doc_id=doc_id).text
            except QualcoopError as e:
                self.say(f"{what}: text of {ref} could not be extracted ({e.message}); skipped")
                return None

    def read_source(self, el: ET.Element, kind: str, variables: dict[str, tuple[str, str]], origin: str,
                    codings: list[Coding], inline_notes: list[QdaNote]) -> Document | None:
        guid = (el.get("guid") or "").strip("{}").upper()
        path_stem = PurePosixPath((el.get("plainTextPath") or el.get("richTextPath") or "").replace("\\", "/")).stem
        name = el.get("name") or path_stem or guid
        what = f"source {name!r}"
        # a PDF's text and its text selections live in its <Representation> (a text source)
        rep = child(el, "Representation") if kind == "PDFSource" else None
        text_el = rep if rep is not None else el
        sels = list(children(text_el, "PlainTextSelection"))
        others = [c for c in el if local(c.tag).endswith("Selection") and local(c.tag) != "PlainTextSelection"]
        if others:
            self.say(f"{what}: {len(others)} non-text selection(s) (regions of pictures, PDF pages, media) "
                     "are not carried over")
        text = None
        content = child(text_el, "PlainTextContent")
        if content is not None:
            text = content.text or ""
        elif text_el.get("plainTextPath"):
            text = self.member_text(text_el.get("plainTextPath", ""), what)
        if text is None and self.extract_rich:
            rich = el.get("richTextPath") or el.get("path")
            if rich and kind in ("TextSource", "PDFSource"):
                text = self.rich_text(rich, what, name)
        if text is None:
            n = sum(len(list(children(s, "Coding"))) for s in sels)
            if kind not in ("TextSource", "PDFSource"):
                self.say(f"{what}: a {kind} is not carried over ({n} coding(s))")
            else:
                self.say(f"{what}: no text could be read; not carried over ({n} coding(s) lost)")
            return None
        doc_id = self.doc_id(name, text)
        self.docs[guid] = doc_id
        self.note_refs(el, ("document", doc_id))
        attrs = self.values(el, variables)
        desc = text_of(child(el, "Description"))
        if desc:
            inline_notes.append(QdaNote(name=f"{name} description", text=desc, target=("document", doc_id)))
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        source = Source(path=el.get("plainTextPath") or el.get("richTextPath") or f"qdpx:{guid}", sha256=sha,
                        media_type="text/plain", extractor="refi.qdpx.v1", extractor_version="1",
                        size=len(text.encode("utf-8")),
                        details=FrozenMap({"refi_guid": guid, "refi_name": name, "refi_origin": origin}))
        doc = Document(id=doc_id, text=text, attributes=FrozenMap(attrs), source=source)
        if sels:
            self.read_selections(doc, sels, origin, codings, inline_notes, what)
        if list(children(el, "Coding")):
            self.say(f"{what}: codings of the whole source are not carried over")
        return doc

    def doc_id(self, name: str, text: str) -> str:
        taken = self.taken_doc_ids
        if re.fullmatch(r"[a-z0-9][a-z0-9_.\-]*", name) and name not in taken:
            taken.add(name)
            return name
        stem = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "doc"
        base = f"{stem[:48]}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
        cid, n = base, 2
        while cid in taken:
            cid, n = f"{base}-{n}", n + 1
        taken.add(cid)
        return cid

    # ------------------------------------------------------------------ selections and codings
    def choose_units(self, text: str, spans: list[tuple[int, int, str]], origin: str) -> str:
        """``"codepoints"`` or ``"utf16"`` for one source's selections."""
        n16 = utf16_length(text)
        if n16 == len(text):
            return "codepoints"
        if any(e > len(text) for _, e, _ in spans) and all(e <= n16 for _, e, _ in spans):
            return "utf16"

        def score(units: str) -> tuple[int, int]:
            starts = [s for s, _, _ in spans]
            ends = [e for _, e, _ in spans]
            idx = utf16_to_index(text, starts + ends) if units == "utf16" else starts + ends
            good = stored = 0
            for k, (s, e, name) in enumerate(spans):
                a, b = idx[k], idx[len(spans) + k]
                if a is None or b is None or b > len(text) or a > b:
                    continue
                if name and text[a:b] == name:
                    stored += 1
                if a == 0 or a >= len(text) or not (text[a - 1].isalnum() and text[a].isalnum()):
                    good += 1
            return stored, good

        cp, u16 = score("codepoints"), score("utf16")
        if cp != u16:
            return "utf16" if u16 > cp else "codepoints"
        return "utf16" if "nvivo" in origin.lower() else "codepoints"

    def read_selections(self, doc: Document, sels: list[ET.Element], origin: str, codings: list[Coding],
                        inline_notes: list[QdaNote], what: str) -> None:
        text = doc.text
        spans = []
        for s in sels:
            try:
                spans.append((int(s.get("startPosition", "")), int(s.get("endPosition", "")), s.get("name") or ""))
            except ValueError:
                spans.append((-1, -1, ""))
        units = self.units if self.units in ("codepoints", "utf16") else \
            self.choose_units(text, [sp for sp in spans if sp[0] >= 0], origin)
        flat = [x for s, e, _ in spans for x in (s, e)]
        idx = utf16_to_index(text, flat) if units == "utf16" else [x if 0 <= x <= len(text) else None for x in flat]
        named = [(idx[2 * k], idx[2 * k + 1], n) for k, (_, _, n) in enumerate(spans) if n]
        stored_text = bool(named) and sum(
            1 for a, b, n in named if a is not None and b is not None and text[a:b] == n) * 2 >= len(named)
        empty = zero = 0
        for k, s in enumerate(sels):
            start, end = idx[2 * k], idx[2 * k + 1]
            sguid = (s.get("guid") or "").strip("{}").upper()
            if start is None or end is None or start > end:
                self.say(f"{what}: selection {sguid} at {spans[k][0]}-{spans[k][1]} ({units}) lies outside "
                         f"the text (length {len(text)}); not imported")
                continue
            if stored_text and spans[k][2] and text[start:end] != spans[k][2]:
                self.say(f"{what}: selection {sguid}: stored text {spans[k][2][:40]!r} differs from the text at "
                         f"{start}-{end} {text[start:end][:40]!r}; not imported")
                continue
            if start == end:
                zero += 1
            self.selections[sguid] = (doc.id, start, end)
            self.note_refs(s, ("selection", doc.id, start, end))
            desc = text_of(child(s, "Description"))
            definition, block, _ = parse_description(desc) if BLOCK_START in desc else (desc, {}, None)
            if definition.strip() and not block.get("codings"):  # with a block it is a generated summary
                inline_notes.append(QdaNote(name="selection memo", text=definition,
                                            target=("selection", doc.id, start, end),
                                            author=self.user(s.get("creatingUser")),
                                            created=s.get("creationDateTime")))
            extra = {(str(e.get("code")), str(e.get("coder"))): e for e in block.get("codings", [])
                     if isinstance(e, dict)}
            cods = list(children(s, "Coding"))
            if not cods and not definition.strip() and child(s, "NoteRef") is None:
                empty += 1
            for c in cods:
                ref = child(c, "CodeRef")
                cguid = ((ref.get("targetGUID") if ref is not None else "") or "").strip("{}").upper()
                code_id = self.codes.get(cguid)
                if code_id is None:
                    self.say(f"{what}: a coding refers to code {cguid or '(none)'}, which is not in the "
                             "codebook; not imported")
                    continue
                coder = self.user(c.get("creatingUser")) or self.user(s.get("creatingUser")) or "unknown"
                codings.append(self.coding(doc, start, end, code_id, coder, c, s, extra.get((code_id, coder))))
        if units == "utf16" and not self.units:
            self.say(f"{what}: positions read as UTF-16 code units (as NVivo writes them) and converted")
        if empty:
            self.say(f"{what}: {empty} selection(s) without a coding or memo are not carried over")
        if zero:
            self.say(f"{what}: {zero} zero-length selection(s) imported as empty codings")

    def coding(self, doc: Document, start: int, end: int, code_id: str, coder: str, c: ET.Element,
               s: ET.Element, extra: dict[str, Any] | None) -> Coding:
        details: dict[str, Any] = {}
        created = c.get("creationDateTime") or s.get("creationDateTime")
        if created and _DATETIME.fullmatch(created):
            details["created"] = created
        by = self.user(s.get("creatingUser"))
        if by and by != coder:
            details["selection_by"] = by
        if not extra:
            return Coding(doc_id=doc.id, start=start, end=end, code_id=code_id,
                          provenance=Provenance(method="manual", coder=coder, details=FrozenMap(details)))
        prov = extra.get("provenance") or {}
        details.update(prov.get("details") or {})
        evidence = tuple(Evidence(int(a), int(b), doc.text[int(a):int(b)], str(r), bool(n))
                         for a, b, r, n in extra.get("evidence") or ())
        return Coding(
            doc_id=doc.id, start=start, end=end, code_id=code_id,
            provenance=Provenance(method=str(prov.get("method") or "manual"), coder=coder,
                                  codebook=prov.get("codebook"), codebook_version=prov.get("codebook_version"),
                                  tool_version=prov.get("tool_version"), run_id=prov.get("run_id"),
                                  details=FrozenMap(details)),
            segment_index=extra.get("segment_index"), unit=extra.get("unit"), speaker=extra.get("speaker"),
            evidence=evidence, confidence=extra.get("confidence"))

    # ------------------------------------------------------------------ cases and sets
    def apply_cases(self, el: ET.Element | None, documents: list[Document],
                    variables: dict[str, tuple[str, str]]) -> list[Document]:
        if el is None:
            return documents
        extra: dict[str, dict[str, Any]] = {}
        for n, case in enumerate(children(el, "Case"), 1):
            guid = (case.get("guid") or "").strip("{}").upper()
            name = case.get("name") or f"case {n} ({guid[:8]})"
            vals = self.values(case, variables)
            members = [self.docs.get((r.get("targetGUID") or "").strip("{}").upper())
                       for r in children(case, "SourceRef")]
            sel_members = list(children(case, "SelectionRef"))
            if sel_members:
                self.say(f"case {name!r}: {len(sel_members)} selection member(s) are not carried over")
            for doc_id in members:
                if doc_id is None:
                    continue
                a = extra.setdefault(doc_id, {})
                a.setdefault("case", []).append(name)
                for k, v in vals.items():
                    if k in a and a[k] != v:
                        self.say(f"case {name!r}: variable {k!r} has another value from another case; kept first")
                        continue
                    a[k] = v
        out = []
        for d in documents:
            if d.id not in extra:
                out.append(d)
                continue
            attrs = dict(d.attributes)
            for k, v in extra[d.id].items():
                if k == "case":
                    v = v[0] if len(v) == 1 else tuple(sorted(v))
                if k in attrs and attrs[k] != v:
                    self.say(f"document {d.id!r}: attribute {k!r} from its case differs from its own; kept its own")
                    continue
                attrs[k] = v
            out.append(Document(id=d.id, text=d.text, lang=d.lang, attributes=FrozenMap(attrs), source=d.source,
                                regions=d.regions))
        return out

    def read_sets(self, el: ET.Element | None) -> list[QdaSet]:
        if el is None:
            return []
        out = []
        for s in children(el, "Set"):
            docs = tuple(d for r in children(s, "MemberSource")
                         if (d := self.docs.get((r.get("targetGUID") or "").strip("{}").upper())))
            codes = tuple(c for r in children(s, "MemberCode")
                          if (c := self.codes.get((r.get("targetGUID") or "").strip("{}").upper())))
            if list(children(s, "MemberNote")):
                self.say(f"set {s.get('name')!r}: note members are not carried over")
            out.append(QdaSet(name=s.get("name") or "set", description=text_of(child(s, "Description")),
                              doc_ids=docs, code_ids=codes))
        return out
