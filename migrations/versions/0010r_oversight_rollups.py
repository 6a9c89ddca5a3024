"""oversight (issue 17 item 5): inspection rollups per tenant × month × dimensions, rebuilt by a
periodic job, and the time each tenant's rollup was last rebuilt.

Revision ID: 0010r
Revises: 0010q
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0010r'
down_revision = '0010q'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('inspection_rollups',
    sa.Column('id', BIG, nullable=False),
    sa.Column('month_start', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('industry', sa.String(length=3), nullable=False),
    sa.Column('quiet', sa.Boolean(), nullable=False),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('feedback_overdue', sa.Boolean(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inspection_rollups_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_rollups'))
    )
    op.create_index('ix_inspection_rollups_tenant_month', 'inspection_rollups', ['tenant_id', 'month_start'], unique=False)
    rls.enable('inspection_rollups')
    op.create_table('rollup_refreshes',
    sa.Column('id', BIG, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('refreshed_at', TS, nullable=False),
    sa.Column('source_rows', sa.Integer(), nullable=False),
    sa.Column('rollup_rows', sa.Integer(), nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rollup_refreshes_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_refreshes')),
    sa.UniqueConstraint('tenant_id', 'kind', name='uq_rollup_refreshes_tenant_kind')
    )
    rls.enable('rollup_refreshes')
    op.create_index('ix_inspections_tenant_planned', 'inspections', ['tenant_id', 'planned_date'], unique=False)


def downgrade():
    op.drop_index('ix_inspections_tenant_planned', table_name='inspections')
    op.drop_table('rollup_refreshes')
    op.drop_index('ix_inspection_rollups_tenant_month', table_name='inspection_rollups')
    op.drop_table('inspection_rollups')
