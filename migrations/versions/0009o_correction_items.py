"""oversight (issue 17 item 3): correction items (内部纠错) a parent region's auditor assigns to a
child region, kept in the child tenant and tracked to closure.

Revision ID: 0009o
Revises: 0009e
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0009o'
down_revision = '0009e'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('correction_items',
    sa.Column('id', BIG, nullable=False),
    sa.Column('issuer_tenant_id', BIG, nullable=False),
    sa.Column('topic', sa.String(length=16), nullable=False),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('issued_by', BIG, nullable=True),
    sa.Column('issued_by_name', sa.String(length=64), nullable=False),
    sa.Column('issued_at', TS, nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by_name', sa.String(length=64), nullable=False),
    sa.Column('answered_at', TS, nullable=True),
    sa.Column('closed_by_name', sa.String(length=64), nullable=False),
    sa.Column('closed_at', TS, nullable=True),
    sa.Column('close_note', sa.String(length=500), nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_correction_items_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['issuer_tenant_id'], ['tenants.id'], name=op.f('fk_correction_items_issuer_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['issued_by'], ['users.id'], name=op.f('fk_correction_items_issued_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_items'))
    )
    op.create_index('ix_correction_items_tenant_status', 'correction_items', ['tenant_id', 'status', 'id'], unique=False)
    rls.enable('correction_items')


def downgrade():
    op.drop_index('ix_correction_items_tenant_status', table_name='correction_items')
    op.drop_table('correction_items')
