"""REFI-QDA projects in and out of a project store.

The store decides nothing about the format: :func:`import_qdpx` reads a ``.qdpx`` with
:func:`qualcoop.export.refi.read_qdpx` and stores what it holds through :class:`~qualcoop.project.Project`
calls; :func:`export_qdpx` builds a :class:`~qualcoop.export.refi_model.QdaProject` from the store and
writes it with :func:`qualcoop.export.refi.write_qdpx`.

>>> from qualcoop.project_refi import import_qdpx, export_qdpx
>>> result = import_qdpx("nvivo.qdpx", "team.sqlite")      # doctest: +SKIP
>>> export_qdpx("team.sqlite", "back.qdpx")                 # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .model import Code, Codebook

__all__ = ["ImportResult", "import_qdpx", "export_qdpx", "project_to_qda"]


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_qdpx` stored, and what it could not carry over."""

    project: str
    users: int
    codes: int
    documents: int
    new_documents: int
    codings: int
    notes: int
    sets: int
    report: tuple[str, ...]


def _target(target: tuple) -> tuple[str, str | None]:
    kind = target[0]
    if kind == "project":
        return "project", None
    if kind == "selection":
        return "selection", f"{target[1]}:{target[2]}:{target[3]}"
    return kind, str(target[1])


def import_qdpx(source: str | os.PathLike[str], project: Any, *, extract_rich: bool = True) -> ImportResult:
    """Read a REFI-QDA project and add it to a project store (created when it does not exist).

    Parameters
    ----------
    source : path-like
        The ``.qdpx`` (or bare ``.qde``).
    project : Project, path or URL
        An open :class:`~qualcoop.project.Project`, or where to open (and create) one.

    Returns
    -------
    ImportResult
        Counts, and the report of what the reader could not carry over.

    Raises
    ------
    UnsafeInputError, RefiError
        From the reader (hostile or unreadable file); nothing is stored then.
    StoreError
        If the store refuses the documents or codings.
    """
    from .export.refi import read_qdpx
    from .project import Project

    qda = read_qdpx(source, extract_rich=extract_rich)
    own = not isinstance(project, Project)
    p = Project.open(project, create=True) if own else project
    report = list(qda.report)
    try:
        if qda.codebook.codes:
            p.store.add_codebook(qda.codebook)
        for user in qda.users:
            p.store.add_coder(user, kind="machine" if user == "qualcoop" else "human")
        new = p.add_documents(qda.documents)
        n = p.add_codings(qda.codings) if qda.codings else 0
        for note in qda.notes:
            kind, target_id = _target(note.target)
            text = f"{note.name}\n\n{note.text}" if note.name and note.name not in note.text else note.text
            p.add_memo(text, author=note.author or "unknown", target_kind=kind, target_id=target_id)
        held = set(p.document_ids()) if qda.sets else set()
        for s in qda.sets:
            lost = [d for d in s.doc_ids if d not in held]
            if lost:  # a member whose source could not be read: the set is kept without it
                report.append(f"set {s.name!r}: document(s) not in the project are left out: {', '.join(lost)}")
            p.add_set(s.name, description=s.description, doc_ids=[d for d in s.doc_ids if d in held],
                      code_ids=s.code_ids)
        url = p.url
    finally:
        if own:
            p.close()
    return ImportResult(project=url, users=len(qda.users), codes=len(qda.codebook), documents=len(qda.documents),
                        new_documents=len(new), codings=n, notes=len(qda.notes), sets=len(qda.sets),
                        report=tuple(report))


def project_to_qda(project: Any, *, name: str | None = None, coders: Any = None,
                   codebook: Codebook | None = None) -> Any:
    """The :class:`~qualcoop.export.refi_model.QdaProject` of an open project: its documents, current
    codings (of ``coders``, or all), codebook (``codebook``, or the project's newest stored codebook
    version whole, rules included, plus the codes only older versions know), coders, memos and sets."""
    from .export.refi_model import QdaNote, QdaProject, QdaSet

    codings = project.codings(coders=coders)
    docs = project.documents()
    cb = codebook if codebook is not None else project.full_codebook()
    report: list[str] = []
    codes = list(cb.codes) if cb is not None else []
    known = {c.id for c in codes}
    for cid in sorted({c.code_id for c in codings} - known):
        codes.append(Code(id=cid, name=cid))
        report.append(f"code {cid!r} is used by codings but not in a stored codebook; exported by its id")
    codebook = (replace(cb, codes=tuple(codes)) if cb is not None
                else Codebook(name="project", version="1", codes=tuple(codes), languages=("en",)))
    notes = []
    for m in project.memos():
        kind, tid = m.get("target_kind") or "project", m.get("target_id")
        if kind == "selection" and tid and tid.count(":") >= 2:
            doc, start, end = tid.rsplit(":", 2)
            target: tuple = ("selection", doc, int(start), int(end))
        elif kind in ("document", "code") and tid:
            target = (kind, tid)
        else:
            target = ("project",)
        created = m.get("created_at")
        notes.append(QdaNote(name="memo", text=m.get("text") or "", target=target, author=m.get("author"),
                             created=str(created).replace(" ", "T") if created else None))
    exported = {c.id for c in codebook.codes}
    sets = []
    for st in project.sets():
        gone = [c for c in st.code_ids if c not in exported]
        if gone:
            report.append(f"set {st.name!r}: code(s) not in the exported codebook are left out: {', '.join(gone)}")
        sets.append(QdaSet(name=st.name, description=st.description, doc_ids=st.doc_ids,
                           code_ids=tuple(c for c in st.code_ids if c in exported)))
    users = tuple(c["name"] for c in project.store.coders())
    label = name or Path(str(project.url)).stem or "project"
    return QdaProject(name=label, codebook=codebook, documents=tuple(docs), codings=tuple(codings), users=users,
                      notes=tuple(notes), sets=tuple(sets), origin="qualcoop", report=tuple(report))


def export_qdpx(project: Any, path: str | os.PathLike[str], *, offsets: str = "codepoints",
                coders: Any = None, codebook: Codebook | None = None) -> tuple[str, ...]:
    """Write a project store as a REFI-QDA project archive; returns the report (codes made up for
    codings without a stored codebook). The codebook is the project's newest stored version whole
    (inclusion, exclusion, examples, labels and rules in each code's structured ``Description``), with
    the codes only older versions know, unless ``codebook`` is given."""
    from .export.refi import write_qdpx
    from .project import Project

    own = not isinstance(project, Project)
    p = Project.open(project, create=False) if own else project
    try:
        qda = project_to_qda(p, coders=coders, codebook=codebook)
    finally:
        if own:
            p.close()
    write_qdpx(qda, path, offsets=offsets)
    return qda.report
