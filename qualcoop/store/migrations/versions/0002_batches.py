"""Resumable batches: a run key on runs, per-file error records, and the documents each run key coded.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("key", sa.String(64)))
        batch.create_index("ix_runs_key", ["key"])
    op.execute("UPDATE runs SET key = id")
    op.create_table(
        "run_errors",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_index("ix_run_errors_run_id", "run_errors", ["run_id"])
    op.create_table(
        "coded_documents",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("run_key", sa.String(64), primary_key=True),
        sa.Column("doc_id", sa.String(255), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("n_codings", sa.Integer, nullable=False),
        sa.Column("coded_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("doc_id", "run_key", name="uq_coded_documents_doc_key"),
    )


def downgrade() -> None:
    op.drop_table("coded_documents")
    op.drop_table("run_errors")
    with op.batch_alter_table("runs") as batch:
        batch.drop_index("ix_runs_key")
        batch.drop_column("key")
