"""The project store's tables (SQLAlchemy Core), as of the newest migration.

The migrations in ``migrations/versions`` create these tables; this module is what queries use.
``tests/store/test_schema.py`` checks that a database built by the migrations matches it.

Vocabulary follows :mod:`qualcoop.model`: documents, segments, codebooks and their codes, coders,
codings (with the columns of :class:`~qualcoop.model.Provenance`), runs and memos.

Codings are **append-only**: a row is never updated or deleted (triggers refuse it). An edit inserts a
new row whose ``supersedes`` names the old one; a deletion inserts a row with ``deleted = true``. A
coding is *current* when no row supersedes it and it is not a deletion. ``supersedes`` is unique, so
two people editing the same coding at once cannot both win: the second edit fails and must be retried
against the new current coding.
"""

from __future__ import annotations

from sqlalchemy import (Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

metadata = MetaData()

documents = Table(
    "documents", metadata,
    Column("id", String(255), primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),  # of the source file (of the text if none)
    Column("text", Text, nullable=False),
    Column("lang", String(32)),
    Column("attributes", Text, nullable=False, default="{}"),  # JSON
    Column("source", Text),  # JSON: Source.to_dict()
    Column("regions", Text, nullable=False, default="[]"),  # JSON: [Region.to_dict()]
    Column("added_at", String(32), nullable=False),
)

segments = Table(
    "segments", metadata,
    Column("doc_id", String(255), ForeignKey("documents.id"), primary_key=True),
    Column("unit", String(64), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("speaker", Text),
    Column("section", Text),
    Column("start_time", Float),
    Column("end_time", Float),
)

codebooks = Table(
    "codebooks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("version", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("body", Text, nullable=False),  # JSON: Codebook.to_dict()
    Column("added_at", String(32), nullable=False),
)

codes = Table(
    "codes", metadata,
    Column("codebook_id", Integer, ForeignKey("codebooks.id"), primary_key=True),
    Column("code_id", String(255), primary_key=True),
    Column("name", Text, nullable=False),
    Column("parent", String(255)),
    Column("definition", Text, nullable=False, default=""),
    Column("position", Integer, nullable=False),
)

coders = Table(
    "coders", metadata,
    Column("name", String(255), primary_key=True),
    Column("kind", String(16), nullable=False),  # "human" or "machine"
    Column("added_at", String(32), nullable=False),
)

runs = Table(
    "runs", metadata,
    Column("id", String(64), primary_key=True),  # one row per invocation
    Column("key", String(64), index=True),  # deterministic: codebook + settings (added by 0002)
    Column("command", Text, nullable=False),
    Column("settings", Text, nullable=False),  # JSON
    Column("versions", Text, nullable=False),  # JSON
    Column("codebook_id", Integer, ForeignKey("codebooks.id")),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("status", String(16), nullable=False),  # running, done, failed
    Column("stats", Text, nullable=False, default="{}"),  # JSON: documents, skipped, failed, codings, seconds
)

codings = Table(
    "codings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("doc_id", String(255), ForeignKey("documents.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("code_id", String(255), nullable=False),  # "" = the coder read the unit and applied no code
    Column("coder", String(255), ForeignKey("coders.name"), nullable=False),
    Column("method", String(16), nullable=False),
    Column("codebook", String(255)),
    Column("codebook_version", String(64)),
    Column("codebook_id", Integer, ForeignKey("codebooks.id")),
    Column("tool_version", String(64)),
    Column("run_id", String(64), index=True),  # the run *key* of the provenance
    Column("details", Text, nullable=False, default="{}"),  # JSON: Provenance.details
    Column("segment_index", Integer),
    Column("unit", String(64)),
    Column("speaker", Text),
    Column("evidence", Text, nullable=False, default="[]"),  # JSON: evidence_json
    Column("confidence", Float),
    Column("supersedes", Integer, ForeignKey("codings.id"), unique=True),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("author", String(255)),  # who made this row (the editor of an edit)
    Column("created_at", String(32), nullable=False),
    Index("ix_codings_doc", "doc_id", "start"),
    Index("ix_codings_coder", "coder"),
)

memos = Table(
    "memos", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target_kind", String(16), nullable=False),  # project, document, code, coding, run
    Column("target_id", String(255)),
    Column("author", String(255), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

# ---- revision 0002: resumable batches ------------------------------------------------------------

run_errors = Table(
    "run_errors", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), ForeignKey("runs.id"), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("type", String(16), nullable=False),  # one of qualcoop.store.ERROR_TYPES
    Column("message", Text, nullable=False),
)

coded_documents = Table(
    "coded_documents", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("run_key", String(64), primary_key=True),
    Column("doc_id", String(255), ForeignKey("documents.id"), nullable=False),
    Column("run_id", String(64), ForeignKey("runs.id"), nullable=False),
    Column("n_codings", Integer, nullable=False),
    Column("coded_at", String(32), nullable=False),
    UniqueConstraint("doc_id", "run_key", name="uq_coded_documents_doc_key"),
)

# ---- revision 0003: sets (named groups of documents and of codes; REFI-QDA <Sets>) ----------------

sets = Table(
    "sets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("added_at", String(32), nullable=False),
    UniqueConstraint("name", name="uq_sets_name"),
)

set_documents = Table(
    "set_documents", metadata,
    Column("set_id", Integer, ForeignKey("sets.id"), primary_key=True),
    Column("doc_id", String(255), ForeignKey("documents.id"), primary_key=True),
    Column("position", Integer, nullable=False),
)

set_codes = Table(
    "set_codes", metadata,
    Column("set_id", Integer, ForeignKey("sets.id"), primary_key=True),
    Column("code_id", String(255), primary_key=True),  # a code id of any stored codebook version
    Column("position", Integer, nullable=False),
)
