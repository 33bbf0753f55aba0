"""release decisions, weekly terms and spike z-scores

Revision ID: 0002_release_decisions
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_release_decisions"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program", sa.String(length=64), nullable=False),
        sa.Column("iso_week", sa.String(length=8), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_by_name", sa.String(length=120), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("airflow_run_id", sa.String(length=250), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_decisions")),
    )
    op.create_index("ix_release_decisions_program_week", "release_decisions", ["program", "iso_week"])
    op.create_table(
        "weekly_terms",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program", sa.String(length=64), nullable=False),
        sa.Column("iso_week", sa.String(length=8), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("term", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("distinct_authors", sa.Integer(), nullable=False),
        sa.Column("scope_mentions", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_terms")),
        sa.UniqueConstraint("program", "iso_week", "scope", "term", name="uq_weekly_terms_term"),
    )
    op.create_index("ix_weekly_terms_program_week", "weekly_terms", ["program", "iso_week"])
    with op.batch_alter_table("weekly_trends") as batch:
        batch.add_column(sa.Column("spike_z", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("weekly_trends") as batch:
        batch.drop_column("spike_z")
    op.drop_index("ix_weekly_terms_program_week", table_name="weekly_terms")
    op.drop_table("weekly_terms")
    op.drop_index("ix_release_decisions_program_week", table_name="release_decisions")
    op.drop_table("release_decisions")
