"""The project store: every SQL statement qualcoop runs is in this module.

A :class:`Store` holds model values (:class:`~qualcoop.model.Document`, :class:`~qualcoop.model.Coding`,
...) and hands them back; it knows nothing about extraction, segmentation or matching (that is
:class:`qualcoop.project.Project`'s job). Every write is one short transaction; a document and all its
codings from a run are written in one transaction, so a reader or a crash never sees half of it.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ..errors import ERROR_TYPES, StoreError
from ..model import (Code, Codebook, Coding, Document, Evidence, FrozenMap, Provenance, Region, Segment,
                     Source, evidence_from_json, evidence_json)
from . import schema as t
from .engine import current_revision, head_revision, is_sqlite, make_engines, migrate, sqlite_path, store_url

__all__ = ["ERROR_TYPES", "RunError", "Store", "StoredCoding", "StoredSet"]  # ERROR_TYPES: the closed set, from qualcoop.errors


@dataclass(frozen=True)
class StoredCoding:
    """A coding as the store holds it: its row id, what it supersedes, and who wrote the row when."""

    id: int
    coding: Coding
    supersedes: int | None
    deleted: bool
    author: str | None
    created_at: str


@dataclass(frozen=True)
class RunError:
    """A file that failed in a run: its path, a type from :data:`ERROR_TYPES` and the message."""

    run_id: str
    path: str
    type: str
    message: str


@dataclass(frozen=True)
class StoredSet:
    """A named group of documents and/or codes (REFI-QDA's ``<Set>``), members in the order added."""

    id: int
    name: str
    description: str = ""
    doc_ids: tuple[str, ...] = ()
    code_ids: tuple[str, ...] = ()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)


def _plain(v: Any) -> Any:
    if isinstance(v, Mapping):
        return dict(v)
    if isinstance(v, (tuple, set, frozenset)):
        return list(v)
    return str(v)


class Store:
    """A project database. Use :meth:`open`; close it (or use ``with``) when done.

    Examples
    --------
    >>> with Store.open("project.qualcoop") as store:       # doctest: +SKIP
    ...     store.document_ids()
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._writer, self._reader = make_engines(url)

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path_or_url: str | os.PathLike[str], *, create: bool = True) -> Store:
        """Open (and create, unless ``create=False``) a project, migrating an older schema to the newest.

        A path is a SQLite file (whatever its suffix); ``postgresql+psycopg://user@host/db`` is a server.
        """
        url = store_url(path_or_url)
        path = sqlite_path(url)
        if path is not None:
            if not path.exists():
                if not create:
                    raise StoreError(f"{path}: no such project (create it with `qualcoop project init`)")
                path.parent.mkdir(parents=True, exist_ok=True)
            elif path.is_dir():
                raise StoreError(f"{path}: is a folder, not a project file")
        store = cls(url)
        try:
            if path is None and not create and current_revision(store._writer) is None:
                store.close()
                raise StoreError(f"{store.display_url}: no project in this database "
                                 f"(create it with `qualcoop project init`)")
            migrate(store._writer)
        except (OperationalError, DBAPIError) as e:
            store.close()
            raise StoreError(f"{store.display_url}: cannot open the project ({_reason(e)})") from e
        return store

    @property
    def display_url(self) -> str:
        from sqlalchemy.engine import make_url

        path = sqlite_path(self.url)
        return str(path) if path is not None else make_url(self.url).render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return "sqlite" if is_sqlite(self.url) else "postgresql"

    def revision(self) -> str | None:
        """The schema revision of the database (``head_revision()`` after :meth:`open`)."""
        return current_revision(self._writer)

    @staticmethod
    def head_revision() -> str:
        return head_revision()

    def close(self) -> None:
        self._writer.dispose()
        if self._reader is not self._writer:
            self._reader.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self._writer.begin() as conn:
                yield conn
        except IntegrityError:
            raise
        except (OperationalError, DBAPIError) as e:
            raise StoreError(f"{self.display_url}: write failed ({_reason(e)})") from e

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._reader.connect() as conn, conn.begin():
            yield conn

    # ------------------------------------------------------------------ documents
    def add_document(self, doc: Document) -> bool:
        """Store a document; ``False`` when it was already there with the same content.

        Raises :class:`StoreError` when the id is taken by a document with other content.
        """
        with self._write() as conn:
            return _put_document(conn, doc)

    def document_ids(self) -> list[str]:
        with self._read() as conn:
            return list(conn.scalars(select(t.documents.c.id).order_by(t.documents.c.id)))

    def documents(self, ids: Iterable[str] | None = None) -> Iterator[Document]:
        """Documents in id order (all, or those in ``ids``), read one at a time."""
        wanted = self.document_ids() if ids is None else sorted(set(ids))
        for doc_id in wanted:
            doc = self.document(doc_id)
            if doc is not None:
                yield doc

    def document(self, doc_id: str) -> Document | None:
        with self._read() as conn:
            row = conn.execute(select(t.documents).where(t.documents.c.id == doc_id)).mappings().first()
        return None if row is None else _document(row)

    def document_hashes(self) -> dict[str, str]:
        """doc id -> sha256 of every document."""
        with self._read() as conn:
            return dict(conn.execute(select(t.documents.c.id, t.documents.c.sha256)).all())

    def document_paths(self) -> dict[str, str]:
        """doc id -> source path of every document that has one (to keep ids unique in the project)."""
        with self._read() as conn:
            rows = conn.execute(select(t.documents.c.id, t.documents.c.source)
                                .where(t.documents.c.source.is_not(None))).all()
        return {doc_id: json.loads(src)["path"] for doc_id, src in rows}

    def document_lengths(self) -> dict[str, int]:
        with self._read() as conn:
            return dict(conn.execute(select(t.documents.c.id, func.length(t.documents.c.text))).all())

    def segments(self, doc_id: str, unit: str) -> tuple[Segment, ...]:
        with self._read() as conn:
            rows = conn.execute(select(t.segments).where(t.segments.c.doc_id == doc_id,
                                                         t.segments.c.unit == unit)
                                .order_by(t.segments.c.idx)).mappings().all()
        return tuple(Segment(doc_id=r["doc_id"], start=r["start"], end=r["end"], kind=r["unit"],
                             index=r["idx"], speaker=r["speaker"], section=r["section"],
                             start_time=r["start_time"], end_time=r["end_time"]) for r in rows)

    # ------------------------------------------------------------------ codebooks and coders
    def add_codebook(self, codebook: Codebook) -> int:
        """Store a codebook version (every version is kept); its row id. Same content -> same id."""
        with self._write() as conn:
            return _put_codebook(conn, codebook)

    def codebooks(self) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(select(t.codebooks.c.id, t.codebooks.c.name, t.codebooks.c.version,
                                       t.codebooks.c.fingerprint, t.codebooks.c.added_at)
                                .order_by(t.codebooks.c.id)).mappings().all()
        return [dict(r) for r in rows]

    def codebook_body(self, codebook_id: int) -> dict[str, Any]:
        """The whole stored codebook version as it was added (``Codebook.to_dict()``: codes with their
        inclusion, exclusion, examples, labels and rules)."""
        with self._read() as conn:
            body = conn.execute(select(t.codebooks.c.body).where(t.codebooks.c.id == codebook_id)).scalar()
        if body is None:
            raise StoreError(f"{self.display_url}: no codebook {codebook_id}")
        return json.loads(body)

    def codebook(self, codebook_id: int) -> Codebook:
        """The codes of a stored codebook version (ids, names, parents, definitions; not the rules)."""
        with self._read() as conn:
            cb = conn.execute(select(t.codebooks).where(t.codebooks.c.id == codebook_id)).mappings().first()
            if cb is None:
                raise StoreError(f"{self.display_url}: no codebook {codebook_id}")
            rows = conn.execute(select(t.codes).where(t.codes.c.codebook_id == codebook_id)
                                .order_by(t.codes.c.position)).mappings().all()
        body = json.loads(cb["body"])
        return Codebook(name=cb["name"], version=cb["version"],
                        codes=tuple(Code(id=r["code_id"], name=r["name"], parent=r["parent"],
                                         definition=r["definition"]) for r in rows),
                        languages=tuple(body.get("languages") or ("en",)),
                        description=body.get("description") or "")

    def add_coder(self, name: str, *, kind: str = "human") -> None:
        with self._write() as conn:
            _put_coder(conn, name, kind)

    def coders(self) -> list[dict[str, Any]]:
        with self._read() as conn:
            return [dict(r) for r in conn.execute(select(t.coders).order_by(t.coders.c.name)).mappings()]

    # ------------------------------------------------------------------ runs
    def start_run(self, *, command: str, settings: Mapping[str, Any], versions: Mapping[str, Any],
                  key: str | None = None, codebook_id: int | None = None) -> str:
        """Record the start of a run; its id (one per invocation; ``key`` is shared by re-runs)."""
        run_id = f"{key or 'run'}.{uuid.uuid4().hex[:12]}"
        with self._write() as conn:
            conn.execute(t.runs.insert().values(
                id=run_id, key=key or run_id, command=command, settings=_json(dict(settings)),
                versions=_json(dict(versions)), codebook_id=codebook_id, started_at=now(),
                status="running", stats="{}"))
        return run_id

    def finish_run(self, run_id: str, *, status: str, stats: Mapping[str, Any]) -> None:
        with self._write() as conn:
            conn.execute(t.runs.update().where(t.runs.c.id == run_id).values(
                status=status, stats=_json(dict(stats)), finished_at=now()))

    def add_run_error(self, run_id: str, *, path: str, type: str, message: str) -> None:
        if type not in ERROR_TYPES:
            raise ValueError(f"error type {type!r} is not one of {', '.join(ERROR_TYPES)}")
        with self._write() as conn:
            conn.execute(t.run_errors.insert().values(run_id=run_id, path=path, type=type, message=message))

    def runs(self) -> list[dict[str, Any]]:
        """Every run, oldest first, with settings, versions and stats decoded."""
        with self._read() as conn:
            rows = conn.execute(select(t.runs).order_by(t.runs.c.started_at, t.runs.c.id)).mappings().all()
        return [{**r, "settings": json.loads(r["settings"]), "versions": json.loads(r["versions"]),
                 "stats": json.loads(r["stats"] or "{}")} for r in rows]

    def run_errors(self, run_id: str | None = None) -> list[RunError]:
        q = select(t.run_errors).order_by(t.run_errors.c.id)
        if run_id is not None:
            q = q.where(t.run_errors.c.run_id == run_id)
        with self._read() as conn:
            return [RunError(r["run_id"], r["path"], r["type"], r["message"]) for r in conn.execute(q).mappings()]

    def coded_hashes(self, run_key: str) -> dict[str, str]:
        """sha256 -> doc id of the documents already coded under ``run_key`` (codebook + settings)."""
        with self._read() as conn:
            rows = conn.execute(select(t.coded_documents.c.sha256, t.coded_documents.c.doc_id)
                                .where(t.coded_documents.c.run_key == run_key)).all()
        return dict(rows)

    def commit_coded_document(self, doc: Document, *, segments: Sequence[Segment], codings: Iterable[Coding],
                              run_id: str, run_key: str, codebook_id: int | None) -> bool:
        """In one transaction: the document, its segments, its codings and the mark that ``run_key`` coded it.

        Returns ``False`` (and writes nothing) when the document was already coded under ``run_key``
        (by this run or a concurrent one).
        """
        codings = list(codings)
        try:
            with self._write() as conn:
                _put_document(conn, doc)
                conn.execute(t.coded_documents.insert().values(
                    sha256=_doc_sha(doc), run_key=run_key, doc_id=doc.id, run_id=run_id,
                    n_codings=len(codings), coded_at=now()))
                _put_segments(conn, segments)
                _insert_codings(conn, codings, codebook_id=codebook_id, author=None)
        except IntegrityError as e:
            with self._read() as conn:
                done = conn.execute(select(t.coded_documents.c.doc_id).where(
                    t.coded_documents.c.run_key == run_key, t.coded_documents.c.doc_id == doc.id)).first()
            if done is not None:
                return False
            raise StoreError(f"{self.display_url}: document {doc.id!r} could not be stored ({_reason(e)})") from e
        return True

    # ------------------------------------------------------------------ codings
    def add_codings(self, codings: Iterable[Coding], *, author: str | None = None) -> int:
        """Append codings (one transaction per document); the number added.

        Coders are registered as they appear (``human``, or ``machine`` for ``method="rule"``).
        """
        by_doc: dict[str, list[Coding]] = defaultdict(list)
        for c in codings:
            by_doc[c.doc_id].append(c)
        known = set(self.document_ids())
        missing = sorted(set(by_doc) - known)
        if missing:
            raise StoreError(f"{self.display_url}: codings refer to documents not in the project: "
                             f"{', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}")
        n = 0
        for doc_id in sorted(by_doc):
            with self._write() as conn:
                n += _insert_codings(conn, by_doc[doc_id], codebook_id=None, author=author)
        return n

    def supersede(self, coding_id: int, replacement: Coding | None, *, author: str) -> int:
        """Replace (or, with ``replacement=None``, delete) a current coding by appending a row; its id.

        Raises :class:`StoreError` when the coding does not exist or is no longer current (someone else
        edited it first: edit the current coding instead).
        """
        try:
            with self._write() as conn:
                row = conn.execute(select(t.codings).where(t.codings.c.id == coding_id)).mappings().first()
                if row is None:
                    raise StoreError(f"{self.display_url}: no coding {coding_id}")
                if row["deleted"]:
                    raise StoreError(f"{self.display_url}: coding {coding_id} is a deletion; it cannot be edited")
                if replacement is None:
                    values = {k: row[k] for k in row.keys() if k not in ("id", "created_at")}
                    values.update(deleted=True)
                else:
                    values = _coding_row(replacement, codebook_id=row["codebook_id"])
                values.update(supersedes=coding_id, author=author, created_at=now())
                _put_coder(conn, values["coder"], "human")
                if author:
                    _put_coder(conn, author, "human")
                return conn.execute(t.codings.insert().values(**values).returning(t.codings.c.id)).scalar_one()
        except IntegrityError as e:
            raise StoreError(f"{self.display_url}: coding {coding_id} was already edited or deleted; "
                             f"edit the current coding ({_reason(e)})") from e

    def history(self, coding_id: int) -> list[StoredCoding]:
        """Every version of a coding, oldest first (the original, its edits, a deletion)."""
        with self._read() as conn:
            first = coding_id
            while True:
                prev = conn.execute(select(t.codings.c.supersedes).where(t.codings.c.id == first)).first()
                if prev is None:
                    raise StoreError(f"{self.display_url}: no coding {coding_id}")
                if prev[0] is None:
                    break
                first = prev[0]
            chain = []
            current: int | None = first
            while current is not None:
                row = conn.execute(select(t.codings).where(t.codings.c.id == current)).mappings().first()
                chain.append(row)
                nxt = conn.execute(select(t.codings.c.id).where(t.codings.c.supersedes == current)).first()
                current = nxt[0] if nxt else None
            texts = _texts(conn, {r["doc_id"] for r in chain})
        return [_stored(r, texts) for r in chain]

    def codings(self, *, coders: Iterable[str] | None = None, code_ids: Iterable[str] | None = None,
                doc_ids: Iterable[str] | None = None, run_ids: Iterable[str] | None = None,
                current: bool = True) -> list[StoredCoding]:
        """Codings in (document, start, end, code, coder, id) order; by default only the current ones."""
        c = t.codings.c
        q = _filtered(select(t.codings), coders=coders, code_ids=code_ids, doc_ids=doc_ids, run_ids=run_ids,
                      current=current)
        q = q.order_by(c.doc_id, c.start, c.end, c.code_id, c.coder, c.id)
        with self._read() as conn:
            rows = conn.execute(q).mappings().all()
            texts = _texts(conn, {r["doc_id"] for r in rows})
        return [_stored(r, texts) for r in rows]

    def coding_runs(self, *, coders: Iterable[str] | None = None) -> dict[str, set[str]]:
        """Coder -> the run ids of their current codings (one query; no coding is loaded)."""
        c = t.codings.c
        q = _filtered(select(c.coder, c.run_id).distinct(), coders=coders).where(c.run_id.is_not(None),
                                                                                   c.run_id != "")
        with self._read() as conn:
            rows = conn.execute(q).all()
        out: dict[str, set[str]] = {}
        for coder, run_id in rows:
            out.setdefault(coder, set()).add(run_id)
        return out

    def count_codings(self, *, current: bool = True) -> int:
        c = t.codings.c
        q = select(func.count()).select_from(t.codings)
        if current:
            later = t.codings.alias("later")
            q = q.where(~exists().where(later.c.supersedes == c.id), c.deleted.is_(False))
        with self._read() as conn:
            return conn.execute(q).scalar_one()

    # ------------------------------------------------------------------ memos
    def add_memo(self, text: str, *, author: str, target_kind: str = "project", target_id: str | None = None) -> int:
        with self._write() as conn:
            return conn.execute(t.memos.insert().values(
                target_kind=target_kind, target_id=target_id, author=author, text=text, created_at=now())
                .returning(t.memos.c.id)).scalar_one()

    def memos(self, *, target_kind: str | None = None, target_id: str | None = None) -> list[dict[str, Any]]:
        q = select(t.memos).order_by(t.memos.c.id)
        if target_kind is not None:
            q = q.where(t.memos.c.target_kind == target_kind)
        if target_id is not None:
            q = q.where(t.memos.c.target_id == target_id)
        with self._read() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    # ------------------------------------------------------------------ sets
    def add_set(self, name: str, *, description: str = "", doc_ids: Iterable[str] = (),
                code_ids: Iterable[str] = ()) -> int:
        """Store a set of documents and/or codes; its row id.

        Set names are unique: adding to an existing name adds the members it lacks (after those it has)
        and keeps its description (set when it had none), so importing the same file twice changes
        nothing. Raises :class:`StoreError` when a document is not in the project (nothing is stored).
        """
        if not name:
            raise StoreError(f"{self.display_url}: a set needs a name")
        docs, codes = list(dict.fromkeys(doc_ids)), list(dict.fromkeys(code_ids))
        with self._write() as conn:
            known = set(conn.scalars(select(t.documents.c.id).where(t.documents.c.id.in_(docs)))) if docs else set()
            missing = [d for d in docs if d not in known]
            if missing:
                raise StoreError(f"{self.display_url}: set {name!r} names documents not in the project: "
                                 f"{', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}")
            conn.execute(_insert_ignore(conn, t.sets).values(name=name, description=description or "",
                                                             added_at=now()))
            row = conn.execute(select(t.sets.c.id, t.sets.c.description).where(t.sets.c.name == name)).one()
            set_id = row[0]
            if description and not row[1]:
                conn.execute(t.sets.update().where(t.sets.c.id == set_id).values(description=description))
            for table, col, members in ((t.set_documents, "doc_id", docs), (t.set_codes, "code_id", codes)):
                have = set(conn.scalars(select(table.c[col]).where(table.c.set_id == set_id)))
                start = conn.execute(select(func.count()).select_from(table)
                                     .where(table.c.set_id == set_id)).scalar_one()
                new = [m for m in members if m not in have]
                if new:
                    conn.execute(table.insert(), [{"set_id": set_id, col: m, "position": start + i}
                                                  for i, m in enumerate(new)])
            return set_id

    def sets(self) -> list[StoredSet]:
        """Every set, in the order they were added, with their members."""
        with self._read() as conn:
            rows = conn.execute(select(t.sets).order_by(t.sets.c.id)).mappings().all()
            docs: dict[int, list[str]] = defaultdict(list)
            codes: dict[int, list[str]] = defaultdict(list)
            for table, col, out in ((t.set_documents, "doc_id", docs), (t.set_codes, "code_id", codes)):
                for set_id, member in conn.execute(select(table.c.set_id, table.c[col])
                                                   .order_by(table.c.set_id, table.c.position)):
                    out[set_id].append(member)
        return [StoredSet(id=r["id"], name=r["name"], description=r["description"] or "",
                          doc_ids=tuple(docs[r["id"]]), code_ids=tuple(codes[r["id"]])) for r in rows]

    # ------------------------------------------------------------------ maintenance
    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` (``"ok"`` when the file is sound); ``"ok"`` on PostgreSQL."""
        if self.dialect != "sqlite":
            return "ok"
        with self._read() as conn:
            return "\n".join(r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check"))


# ---------------------------------------------------------------------- helpers (inside a transaction)

def _filtered(q, *, coders=None, code_ids=None, doc_ids=None, run_ids=None, current: bool = True):
    """``q`` over ``codings`` restricted to the current codings (not superseded, not deleted) and the
    given coders, codes, documents and runs."""
    c = t.codings.c
    if current:
        later = t.codings.alias("later")
        q = q.where(~exists().where(later.c.supersedes == c.id), c.deleted.is_(False))
    for col, values in ((c.coder, coders), (c.code_id, code_ids), (c.doc_id, doc_ids), (c.run_id, run_ids)):
        if values is not None:
            q = q.where(col.in_(list(values)))
    return q


def _reason(e: Exception) -> str:
    orig = getattr(e, "orig", None)
    return str(orig or e).strip().splitlines()[0]


def _insert_ignore(conn: Connection, table: Any):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def _doc_sha(doc: Document) -> str:
    if doc.source is not None and doc.source.sha256:
        return doc.source.sha256
    import hashlib

    return hashlib.sha256(doc.text.encode("utf-8")).hexdigest()


def _put_document(conn: Connection, doc: Document) -> bool:
    sha = _doc_sha(doc)
    res = conn.execute(_insert_ignore(conn, t.documents).values(
        id=doc.id, sha256=sha, text=doc.text, lang=doc.lang, attributes=_json(doc.attributes.to_dict()),
        source=_json(doc.source.to_dict()) if doc.source else None,
        regions=_json([r.to_dict() for r in doc.regions]), added_at=now()).returning(t.documents.c.id))
    if res.first() is not None:
        return True
    have = conn.execute(select(t.documents.c.sha256, t.documents.c.text).where(t.documents.c.id == doc.id)).first()
    if have is not None and (have[0] != sha or have[1] != doc.text):
        raise StoreError(f"document id {doc.id!r} is already in the project with other content "
                         f"(sha256 {have[0][:12]}, new {sha[:12]})")
    return False


def _document(row: Mapping[str, Any]) -> Document:
    return Document(id=row["id"], text=row["text"], lang=row["lang"],
                    attributes=FrozenMap(json.loads(row["attributes"] or "{}")),
                    source=Source.from_dict(json.loads(row["source"])) if row["source"] else None,
                    regions=tuple(Region.from_dict(r) for r in json.loads(row["regions"] or "[]")))


def _put_segments(conn: Connection, segments: Sequence[Segment]) -> None:
    if segments:
        conn.execute(_insert_ignore(conn, t.segments), [
            {"doc_id": s.doc_id, "unit": s.kind, "idx": s.index, "start": s.start, "end": s.end,
             "speaker": s.speaker, "section": s.section, "start_time": s.start_time, "end_time": s.end_time}
            for s in segments])


def _put_codebook(conn: Connection, cb: Codebook) -> int:
    fp = cb.fingerprint()
    found = conn.execute(select(t.codebooks.c.id).where(t.codebooks.c.fingerprint == fp)).scalar()
    if found is not None:
        return found
    conn.execute(_insert_ignore(conn, t.codebooks).values(
        name=cb.name, version=cb.version, fingerprint=fp, body=_json(cb.to_dict()), added_at=now()))
    cb_id = conn.execute(select(t.codebooks.c.id).where(t.codebooks.c.fingerprint == fp)).scalar_one()
    conn.execute(_insert_ignore(conn, t.codes), [
        {"codebook_id": cb_id, "code_id": c.id, "name": c.name, "parent": c.parent,
         "definition": c.definition or "", "position": i} for i, c in enumerate(cb.codes)])
    return cb_id


def _put_coder(conn: Connection, name: str, kind: str) -> None:
    conn.execute(_insert_ignore(conn, t.coders).values(name=name, kind=kind, added_at=now()))


def _coding_row(c: Coding, *, codebook_id: int | None) -> dict[str, Any]:
    p = c.provenance
    return {"doc_id": c.doc_id, "start": c.start, "end": c.end, "code_id": c.code_id or "",
            "coder": p.coder, "method": p.method, "codebook": p.codebook,
            "codebook_version": p.codebook_version, "codebook_id": codebook_id,
            "tool_version": p.tool_version, "run_id": p.run_id, "details": _json(dict(p.details)),
            "segment_index": c.segment_index, "unit": c.unit, "speaker": c.speaker,
            "evidence": evidence_json(c.evidence), "confidence": c.confidence,
            "supersedes": None, "deleted": False}


def _insert_codings(conn: Connection, codings: Sequence[Coding], *, codebook_id: int | None,
                    author: str | None) -> int:
    if not codings:
        return 0
    for name, method in sorted({(c.provenance.coder, c.provenance.method) for c in codings}):
        _put_coder(conn, name, "machine" if method in ("rule", "topic", "model", "rule+model") else "human")
    stamp = now()
    conn.execute(t.codings.insert(), [{**_coding_row(c, codebook_id=codebook_id), "author": author,
                                       "created_at": stamp} for c in codings])
    return len(codings)


def _texts(conn: Connection, doc_ids: set[str]) -> dict[str, str]:
    if not doc_ids:
        return {}
    ids = sorted(doc_ids)
    out: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        out.update(conn.execute(select(t.documents.c.id, t.documents.c.text)
                                .where(t.documents.c.id.in_(ids[i:i + 500]))).all())
    return out


def _stored(row: Mapping[str, Any], texts: Mapping[str, str]) -> StoredCoding:
    text = texts.get(row["doc_id"], "")
    prov = Provenance(method=row["method"], coder=row["coder"], codebook=row["codebook"],
                      codebook_version=row["codebook_version"], tool_version=row["tool_version"],
                      run_id=row["run_id"], details=FrozenMap(json.loads(row["details"] or "{}")))
    evidence: tuple[Evidence, ...] = evidence_from_json(row["evidence"], text)
    coding = Coding(doc_id=row["doc_id"], start=row["start"], end=row["end"], code_id=row["code_id"],
                    provenance=prov, segment_index=row["segment_index"], unit=row["unit"],
                    speaker=row["speaker"], evidence=evidence, confidence=row["confidence"])
    return StoredCoding(id=row["id"], coding=coding, supersedes=row["supersedes"], deleted=bool(row["deleted"]),
                        author=row["author"], created_at=row["created_at"])


