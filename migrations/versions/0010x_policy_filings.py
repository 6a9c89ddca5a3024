"""policy (issue 14 item 4, SX-12): a subordinate tenant's policy version that changes a key the
pack files (the minor-violation list, the discretion factors and grades) is filed with its
ancestor of the pack's level, which reads the row through its descendants and acknowledges it.

Revision ID: 0010x
Revises: 0010w
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls, tenant_keys

revision = '0010x'
down_revision = '0010w'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)
# The ancestor that writes (acts) reads its descendants' filings, as for listing_filings (0004).
FILING_PARENT_READ = ("(SELECT path FROM tenants WHERE id = tenant_id) LIKE "
                      "(SELECT path FROM tenants WHERE id = app_write_tenant()) || '%'")


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    # policy_versions' key is (tenant_id, id) on PostgreSQL since 0010k: the reference is composite
    version_fk = (
        sa.ForeignKeyConstraint(
            ['tenant_id', 'version_id'], ['policy_versions.tenant_id', 'policy_versions.id'],
            name=op.f('fk_policy_filings_version_id_policy_versions'), ondelete='CASCADE')
        if postgres else
        sa.ForeignKeyConstraint(
            ['version_id'], ['policy_versions.id'],
            name=op.f('fk_policy_filings_version_id_policy_versions'), ondelete='CASCADE')
    )
    op.create_table('policy_filings',
    sa.Column('id', BIG, nullable=False),
    sa.Column('version_id', BIG, nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('parent_tenant_id', BIG, nullable=False),
    sa.Column('rule_id', sa.String(length=16), nullable=False),
    sa.Column('explanation', sa.String(length=500), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('filed_by_name', sa.String(length=64), nullable=False),
    sa.Column('acknowledged_by_name', sa.String(length=64), nullable=False),
    sa.Column('acknowledged_at', TS, nullable=True),
    sa.Column('ack_note', sa.String(length=500), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_policy_filings_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['parent_tenant_id'], ['tenants.id'], name=op.f('fk_policy_filings_parent_tenant_id_tenants')),
    version_fk,
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_filings'))
    )
    op.create_index('ix_policy_filings_parent', 'policy_filings', ['parent_tenant_id', 'acknowledged_at'], unique=False)
    op.create_index('ix_policy_filings_fk_version_id', 'policy_filings', ['version_id'], unique=False)
    rls.enable('policy_filings', extra_read=FILING_PARENT_READ)
    tenant_keys.apply(['policy_filings'])  # the primary key led by tenant_id


def downgrade():
    op.drop_index('ix_policy_filings_fk_version_id', table_name='policy_filings')
    op.drop_index('ix_policy_filings_parent', table_name='policy_filings')
    op.drop_table('policy_filings')
