"""warnings (issue 16 part A, SX-1): monitoring batches and anomaly/exceedance rows taken from a
monitoring platform or an upload, and the warnings the daily scan sends (one per tenant,
enterprise, cause and period: a unique key), with the enterprise's answer and the escalation.

Revision ID: 0008w
Revises: 0008n
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0008w'
down_revision = '0008n'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('monitoring_batches',
    sa.Column('id', BIG, nullable=False),
    sa.Column('batch_id', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('received_by', BIG, nullable=True),
    sa.Column('received_at', TS, nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_monitoring_batches_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['received_by'], ['users.id'], name=op.f('fk_monitoring_batches_received_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_batches'))
    )
    op.create_index('ux_monitoring_batches_tenant_batch', 'monitoring_batches', ['tenant_id', 'batch_id'], unique=True)
    rls.enable('monitoring_batches')

    op.create_table('monitoring_records',
    sa.Column('id', BIG, nullable=False),
    sa.Column('enterprise_id', BIG, nullable=False),
    sa.Column('batch_pk', BIG, nullable=True),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('permit_no', sa.String(length=64), nullable=False),
    sa.Column('point', sa.String(length=64), nullable=False),
    sa.Column('pollutant', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(16, 4), nullable=True),
    sa.Column('limit_value', sa.Numeric(16, 4), nullable=True),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_monitoring_records_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_monitoring_records_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['batch_pk'], ['monitoring_batches.id'], name=op.f('fk_monitoring_records_batch_pk_monitoring_batches'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_records'))
    )
    op.create_index('ix_monitoring_records_tenant_enterprise_day', 'monitoring_records', ['tenant_id', 'enterprise_id', 'observed_on'], unique=False)
    op.create_index(
        'ix_monitoring_records_tenant_open', 'monitoring_records',
        ['tenant_id', 'enterprise_id', 'observed_on'], unique=False,
        postgresql_where=sa.text('resolved_on IS NULL'), sqlite_where=sa.text('resolved_on IS NULL'),
    )
    rls.enable('monitoring_records')

    op.create_table('warnings',
    sa.Column('id', BIG, nullable=False),
    sa.Column('enterprise_id', BIG, nullable=False),
    sa.Column('cause', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('answer_due', sa.Date(), nullable=False),
    sa.Column('acknowledged_at', TS, nullable=True),
    sa.Column('answered_at', TS, nullable=True),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('measure', sa.Text(), nullable=False),
    sa.Column('evidence_name', sa.String(length=255), nullable=False),
    sa.Column('evidence_type', sa.String(length=100), nullable=False),
    sa.Column('evidence', sa.LargeBinary(), nullable=True),
    sa.Column('escalated_on', sa.Date(), nullable=True),
    sa.Column('rung', sa.String(length=32), nullable=True),
    sa.Column('escalation_reason', sa.Text(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('close_reason', sa.String(length=16), nullable=True),
    sa.Column('officer_note', sa.Text(), nullable=False),
    sa.Column('rule_id', sa.String(length=16), nullable=False),
    sa.Column('policy_version', sa.String(length=255), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_warnings_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_warnings_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warnings'))
    )
    op.create_index('ux_warnings_tenant_enterprise_cause_period', 'warnings', ['tenant_id', 'enterprise_id', 'cause', 'period'], unique=True)
    op.create_index('ix_warnings_tenant_status_id', 'warnings', ['tenant_id', 'status', 'id'], unique=False)
    op.create_index('ix_warnings_tenant_enterprise_id', 'warnings', ['tenant_id', 'enterprise_id', 'id'], unique=False)
    rls.enable('warnings')


def downgrade():
    op.drop_index('ix_warnings_tenant_enterprise_id', table_name='warnings')
    op.drop_index('ix_warnings_tenant_status_id', table_name='warnings')
    op.drop_index('ux_warnings_tenant_enterprise_cause_period', table_name='warnings')
    op.drop_table('warnings')
    op.drop_index('ix_monitoring_records_tenant_open', table_name='monitoring_records')
    op.drop_index('ix_monitoring_records_tenant_enterprise_day', table_name='monitoring_records')
    op.drop_table('monitoring_records')
    op.drop_index('ux_monitoring_batches_tenant_batch', table_name='monitoring_batches')
    op.drop_table('monitoring_batches')
