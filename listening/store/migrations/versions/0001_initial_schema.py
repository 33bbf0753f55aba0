"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 01:59:42.370819
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('budget_ledger',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('program', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('iso_week', sa.String(length=8), nullable=False),
    sa.Column('epsilon', sa.Float(), nullable=False),
    sa.Column('spent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_ledger')),
    sa.UniqueConstraint('program', 'iso_week', name='uq_budget_ledger_program_week')
    )
    op.create_table('mentions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('program', sa.String(length=64), nullable=False),
    sa.Column('post_key', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('platform', sa.String(length=40), nullable=False),
    sa.Column('created_hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('iso_week', sa.String(length=8), nullable=False),
    sa.Column('author_key', sa.String(length=64), nullable=True),
    sa.Column('text_redacted', sa.Text(), nullable=True),
    sa.Column('text_erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lang', sa.String(length=16), nullable=True),
    sa.Column('sentiment_compound', sa.Float(), nullable=False),
    sa.Column('sentiment_label', sa.String(length=8), nullable=False),
    sa.Column('entity_count', sa.Integer(), nullable=False),
    sa.Column('residual_flags', sa.Integer(), nullable=False),
    sa.Column('policy_version', sa.String(length=32), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentions')),
    sa.UniqueConstraint('program', 'post_key', name='uq_mentions_program_post_key')
    )
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.create_index('ix_mentions_program_day', ['program', 'day'], unique=False)
        batch_op.create_index('ix_mentions_program_week', ['program', 'iso_week'], unique=False)

    op.create_table('pipeline_keys',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('program', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.LargeBinary(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipeline_keys')),
    sa.UniqueConstraint('program', 'scope', name='uq_pipeline_keys_program_scope')
    )
    op.create_table('quarantine',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('program', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('shard', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=True),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('quarantined_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine')),
    sa.UniqueConstraint('program', 'source', 'shard', 'position', name='uq_quarantine_record')
    )
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.create_index('ix_quarantine_program_day', ['program', 'day'], unique=False)

    op.create_table('releases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('program', sa.String(length=64), nullable=False),
    sa.Column('iso_week', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('approved_by', sa.String(length=120), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_releases')),
    sa.UniqueConstraint('program', 'iso_week', name='uq_releases_program_week')
    )
    op.create_table('runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('program', sa.String(length=64), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('shard', sa.String(length=200), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('read', sa.Integer(), nullable=False),
    sa.Column('stored', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('quarantined', sa.Integer(), nullable=False),
    sa.Column('entities_redacted', sa.Integer(), nullable=False),
    sa.Column('residual_flags', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('config_fingerprint', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs')),
    sa.UniqueConstraint('run_id', 'program', 'stage', 'shard', name='uq_runs_unit')
    )
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.create_index('ix_runs_program_stage', ['program', 'stage'], unique=False)

    op.create_table('weekly_trends',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('program', sa.String(length=64), nullable=False),
    sa.Column('iso_week', sa.String(length=8), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('suppressed', sa.Boolean(), nullable=False),
    sa.Column('suppression', sa.String(length=16), nullable=True),
    sa.Column('mentions', sa.Integer(), nullable=True),
    sa.Column('distinct_authors', sa.Integer(), nullable=True),
    sa.Column('positive_share', sa.Float(), nullable=True),
    sa.Column('neutral_share', sa.Float(), nullable=True),
    sa.Column('negative_share', sa.Float(), nullable=True),
    sa.Column('mean_compound', sa.Float(), nullable=True),
    sa.Column('wow_change', sa.Float(), nullable=True),
    sa.Column('spike', sa.Boolean(), nullable=False),
    sa.Column('noisy', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_trends')),
    sa.UniqueConstraint('program', 'iso_week', 'topic', 'source', name='uq_weekly_trends_cell')
    )
    op.create_table('mention_topics',
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], name=op.f('fk_mention_topics_mention_id_mentions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mention_id', 'topic', name=op.f('pk_mention_topics'))
    )
    op.create_table('redaction_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('program', sa.String(length=64), nullable=False),
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('recognizer', sa.String(length=80), nullable=False),
    sa.Column('policy_version', sa.String(length=32), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('logged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], name=op.f('fk_redaction_log_mention_id_mentions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redaction_log'))
    )
    with op.batch_alter_table('redaction_log', schema=None) as batch_op:
        batch_op.create_index('ix_redaction_log_program_day', ['program', 'day'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('redaction_log', schema=None) as batch_op:
        batch_op.drop_index('ix_redaction_log_program_day')

    op.drop_table('redaction_log')
    op.drop_table('mention_topics')
    op.drop_table('weekly_trends')
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_index('ix_runs_program_stage')

    op.drop_table('runs')
    op.drop_table('releases')
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.drop_index('ix_quarantine_program_day')

    op.drop_table('quarantine')
    op.drop_table('pipeline_keys')
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_mentions_program_week')
        batch_op.drop_index('ix_mentions_program_day')

    op.drop_table('mentions')
    op.drop_table('budget_ledger')
