"""First schema: documents, segments, codebooks, codes, coders, append-only codings, runs, memos.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_NO_UPDATE_SQLITE = """
CREATE TRIGGER codings_append_only_{what} BEFORE {WHAT} ON codings
BEGIN SELECT RAISE(ABORT, 'codings are append-only: supersede a coding instead'); END
"""
_NO_CHANGE_PG = """
CREATE FUNCTION codings_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'codings are append-only: supersede a coding instead'; END $$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lang", sa.String(32)),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("regions", sa.Text, nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_documents_sha256", "documents", ["sha256"])
    op.create_table(
        "segments",
        sa.Column("doc_id", sa.String(255), sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("unit", sa.String(64), primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("speaker", sa.Text),
        sa.Column("section", sa.Text),
        sa.Column("start_time", sa.Float),
        sa.Column("end_time", sa.Float),
    )
    op.create_table(
        "codebooks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "codes",
        sa.Column("codebook_id", sa.Integer, sa.ForeignKey("codebooks.id"), primary_key=True),
        sa.Column("code_id", sa.String(255), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("parent", sa.String(255)),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "coders",
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("command", sa.Text, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("versions", sa.Text, nullable=False),
        sa.Column("codebook_id", sa.Integer, sa.ForeignKey("codebooks.id")),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stats", sa.Text, nullable=False),
    )
    op.create_table(
        "codings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("doc_id", sa.String(255), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("code_id", sa.String(255), nullable=False),
        sa.Column("coder", sa.String(255), sa.ForeignKey("coders.name"), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("codebook", sa.String(255)),
        sa.Column("codebook_version", sa.String(64)),
        sa.Column("codebook_id", sa.Integer, sa.ForeignKey("codebooks.id")),
        sa.Column("tool_version", sa.String(64)),
        sa.Column("run_id", sa.String(64)),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("segment_index", sa.Integer),
        sa.Column("unit", sa.String(64)),
        sa.Column("speaker", sa.Text),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float),
        sa.Column("supersedes", sa.Integer, sa.ForeignKey("codings.id"), unique=True),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("author", sa.String(255)),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_codings_doc", "codings", ["doc_id", "start"])
    op.create_index("ix_codings_coder", "codings", ["coder"])
    op.create_index("ix_codings_run_id", "codings", ["run_id"])
    op.create_table(
        "memos",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(255)),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for what in ("update", "delete"):
            op.execute(_NO_UPDATE_SQLITE.format(what=what, WHAT=what.upper()))
    elif dialect == "postgresql":
        op.execute(_NO_CHANGE_PG)
        op.execute("CREATE TRIGGER codings_append_only BEFORE UPDATE OR DELETE ON codings "
                   "FOR EACH ROW EXECUTE FUNCTION codings_append_only()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER codings_append_only ON codings")
        op.execute("DROP FUNCTION codings_append_only()")
    for name in ("memos", "codings", "runs", "coders", "codes", "codebooks", "segments", "documents"):
        op.drop_table(name)
