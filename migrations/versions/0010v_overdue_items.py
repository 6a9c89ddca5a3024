"""reminders (issue 16 item 3): each tenant's overdue deadlines as the daily reminder run found
them, for oversight of the subtree (an overdue flag visible to oversight).

Revision ID: 0010v
Revises: 0010k
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls, tenant_keys

revision = '0010v'
down_revision = '0010k'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('overdue_items',
    sa.Column('id', BIG, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('object_ref', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('assignee', sa.String(length=100), nullable=False),
    sa.Column('rule_id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_overdue_items_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_overdue_items'))
    )
    op.create_index('ix_overdue_items_tenant_due', 'overdue_items', ['tenant_id', 'due'], unique=False)
    rls.enable('overdue_items')
    tenant_keys.apply(['overdue_items'])


def downgrade():
    op.drop_index('ix_overdue_items_tenant_due', table_name='overdue_items')
    op.drop_table('overdue_items')
