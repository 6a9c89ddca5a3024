"""correction extensions (issue 15): the enterprise's request for more time on a correction order
(延期整改申请) with its reasons and optional proof, and the officer's answer (a new deadline
within the pack's bound, or a refusal with a reason); the order's deadline moves when granted.

Revision ID: 0010q
Revises: 0010p
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0010q'
down_revision = '0010p'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)

FOREIGN_KEYS = (('correction_extensions', 'order_id'),)


def upgrade():
    op.create_table('correction_extensions',
    sa.Column('id', BIG, nullable=False),
    sa.Column('order_id', BIG, nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('asked_until', sa.Date(), nullable=True),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('filed_by', BIG, nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_name', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('old_due_on', sa.Date(), nullable=False),
    sa.Column('new_due_on', sa.Date(), nullable=True),
    sa.Column('deadline_text', sa.Text(), nullable=False),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', BIG, nullable=True),
    sa.Column('rule_ids', sa.JSON(), nullable=False),
    sa.Column('policy_version', sa.String(length=255), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_correction_extensions_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['order_id'], ['correction_orders.id'], name=op.f('fk_correction_extensions_order_id_correction_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['filed_by'], ['users.id'], name=op.f('fk_correction_extensions_filed_by_users')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_correction_extensions_decided_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_extensions'))
    )
    op.create_index('ix_correction_extensions_tenant_order', 'correction_extensions', ['tenant_id', 'order_id', 'id'], unique=False)
    op.create_index('ix_correction_extensions_tenant_status', 'correction_extensions', ['tenant_id', 'status', 'id'], unique=False)
    rls.enable('correction_extensions')
    for table, column in FOREIGN_KEYS:
        op.create_index(f'ix_{table}_fk_{column}', table, [column], unique=False)


def downgrade():
    for table, column in FOREIGN_KEYS:
        op.drop_index(f'ix_{table}_fk_{column}', table_name=table)
    op.drop_index('ix_correction_extensions_tenant_status', table_name='correction_extensions')
    op.drop_index('ix_correction_extensions_tenant_order', table_name='correction_extensions')
    op.drop_table('correction_extensions')
