"""correction orders and rectification (issue 15 items 1 and 2; NL-28, SX-14, SX-15, XJ-R):
the order a decision or a warning makes, its calendar deadline, the enterprise's plan, the
progress, comments and help lines, and the verification.

Revision ID: 0009r
Revises: 0008p
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0009r'
down_revision = '0008p'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('correction_orders',
    sa.Column('id', BIG, nullable=False),
    sa.Column('enterprise_id', BIG, nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('case_id', BIG, nullable=True),
    sa.Column('warning_id', BIG, nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('day_unit', sa.String(length=16), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('deadline_text', sa.Text(), nullable=False),
    sa.Column('rule_ids', sa.JSON(), nullable=False),
    sa.Column('policy_version', sa.String(length=255), nullable=False),
    sa.Column('issued_by', BIG, nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('plan_measures', sa.Text(), nullable=False),
    sa.Column('plan_responsible', sa.String(length=100), nullable=False),
    sa.Column('plan_milestones', sa.JSON(), nullable=False),
    sa.Column('plan_submitted_at', TS, nullable=True),
    sa.Column('overdue_on', sa.Date(), nullable=True),
    sa.Column('overdue_justified', sa.Boolean(), nullable=False),
    sa.Column('overdue_reason', sa.Text(), nullable=False),
    sa.Column('removal', sa.JSON(), nullable=False),
    sa.Column('inspection_id', BIG, nullable=True),
    sa.Column('verify_method', sa.String(length=16), nullable=True),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('verified_by', BIG, nullable=True),
    sa.Column('verification_note', sa.Text(), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_correction_orders_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_correction_orders_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_correction_orders_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['warning_id'], ['warnings.id'], name=op.f('fk_correction_orders_warning_id_warnings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_correction_orders_inspection_id_inspections'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issued_by'], ['users.id'], name=op.f('fk_correction_orders_issued_by_users')),
    sa.ForeignKeyConstraint(['verified_by'], ['users.id'], name=op.f('fk_correction_orders_verified_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_orders'))
    )
    op.create_index('ux_correction_orders_tenant_case', 'correction_orders', ['tenant_id', 'case_id'], unique=True)
    op.create_index('ux_correction_orders_tenant_warning', 'correction_orders', ['tenant_id', 'warning_id'], unique=True)
    op.create_index('ix_correction_orders_tenant_status_id', 'correction_orders', ['tenant_id', 'status', 'id'], unique=False)
    op.create_index('ix_correction_orders_tenant_enterprise_id', 'correction_orders', ['tenant_id', 'enterprise_id', 'id'], unique=False)
    op.create_index('ix_correction_orders_tenant_due', 'correction_orders', ['tenant_id', 'due_on'], unique=False)
    op.create_index('ix_correction_orders_tenant_id_id', 'correction_orders', ['tenant_id', 'id'], unique=False)
    # Led by each foreign key (issue 13 item 6): deleting the parent finds its orders by index.
    for column in ('enterprise_id', 'case_id', 'warning_id', 'inspection_id'):
        op.create_index(f'ix_correction_orders_fk_{column}', 'correction_orders', [column], unique=False)
    rls.enable('correction_orders')

    op.create_table('rectification_entries',
    sa.Column('id', BIG, nullable=False),
    sa.Column('order_id', BIG, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('author_id', BIG, nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_name', sa.String(length=255), nullable=False),
    sa.Column('at', TS, nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rectification_entries_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['order_id'], ['correction_orders.id'], name=op.f('fk_rectification_entries_order_id_correction_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_rectification_entries_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_entries'))
    )
    op.create_index('ix_rectification_entries_tenant_order', 'rectification_entries', ['tenant_id', 'order_id', 'id'], unique=False)
    op.create_index('ix_rectification_entries_fk_order_id', 'rectification_entries', ['order_id'], unique=False)
    rls.enable('rectification_entries')


def downgrade():
    op.drop_index('ix_rectification_entries_fk_order_id', table_name='rectification_entries')
    op.drop_index('ix_rectification_entries_tenant_order', table_name='rectification_entries')
    op.drop_table('rectification_entries')
    for name in ('ix_correction_orders_tenant_due', 'ix_correction_orders_tenant_enterprise_id',
                 'ix_correction_orders_tenant_status_id', 'ux_correction_orders_tenant_warning',
                 'ux_correction_orders_tenant_case'):
        op.drop_index(name, table_name='correction_orders')
    for column in ('enterprise_id', 'case_id', 'warning_id', 'inspection_id'):
        op.drop_index(f'ix_correction_orders_fk_{column}', table_name='correction_orders')
    op.drop_index('ix_correction_orders_tenant_id_id', table_name='correction_orders')
    op.drop_table('correction_orders')
