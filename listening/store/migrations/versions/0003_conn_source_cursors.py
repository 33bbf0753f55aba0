"""source cursors: a watermark per program x source x query

Revision ID: 0003_conn_source_cursors
Revises: 0002_release_decisions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_conn_source_cursors"
down_revision = "0002_release_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_cursors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("watermark", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.String(length=64), nullable=False),
        sa.Column("last_read", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_cursors")),
        sa.UniqueConstraint("program", "source", "query", name="uq_source_cursors_query"),
    )


def downgrade() -> None:
    op.drop_table("source_cursors")
