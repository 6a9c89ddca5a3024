"""issue 14, third slice (cases-a): similar cases (类案同罚) and the consequences of a decision.

* cases: the decision's police transfer (SX-11: 移送公安机关, with its reason);
* case_violations: the profile a decided fine counts under, its distribution among similar cases
  and whether it was far from them; ix_case_violations_tenant_similar (tenant_id, violation_key,
  profile, fine) serves the tenant's percentiles from the index;
* case_decision_stats: per tenant, violation, profile and position in the statutory range, the
  count of decided fines (with sum, min, max), refreshed in the decision's transaction; the
  province-wide distribution sums them. RLS: the usual tenant policies, plus a read of the rows
  whose province is the reading tenant's own (aggregates only, never another tenant's cases).

Revision ID: 0007k
Revises: 0007j
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0007k'
down_revision = '0007j'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
# The reading tenant's province is itself or one of its ancestors (its materialised path).
PROVINCE_READ = (
    "(SELECT path FROM tenants WHERE id = app_write_tenant()) LIKE '%/' || province_id || '/%'"
)


def upgrade():
    with op.batch_alter_table('cases', schema=None) as b:
        b.add_column(
            sa.Column('police_transfer', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        b.add_column(
            sa.Column('police_transfer_reason', sa.Text(), nullable=False, server_default='')
        )
    with op.batch_alter_table('case_violations', schema=None) as b:
        b.add_column(sa.Column('profile', sa.String(length=32), nullable=True))
        b.add_column(sa.Column('similar_cases', sa.JSON(), nullable=False, server_default='{}'))
        b.add_column(
            sa.Column('similar_far', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index(
        'ix_case_violations_tenant_similar',
        'case_violations',
        ['tenant_id', 'violation_key', 'profile', 'fine'],
        unique=False,
    )
    op.create_table(
        'case_decision_stats',
        sa.Column('id', BIG, nullable=False),
        sa.Column('province_id', sa.BigInteger(), nullable=False),
        sa.Column('violation_key', sa.String(length=64), nullable=False),
        sa.Column('profile', sa.String(length=32), nullable=False),
        sa.Column('bin', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('fine_sum', sa.BigInteger(), nullable=False),
        sa.Column('fine_min', sa.BigInteger(), nullable=False),
        sa.Column('fine_max', sa.BigInteger(), nullable=False),
        sa.Column('tenant_id', BIG, nullable=False),
        sa.ForeignKeyConstraint(
            ['tenant_id'], ['tenants.id'], name=op.f('fk_case_decision_stats_tenant_id_tenants')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_decision_stats')),
    )
    op.create_index(
        'ux_case_decision_stats_key',
        'case_decision_stats',
        ['tenant_id', 'violation_key', 'profile', 'bin'],
        unique=True,
    )
    rls.enable('case_decision_stats', extra_read=PROVINCE_READ)


def downgrade():
    op.drop_index('ux_case_decision_stats_key', table_name='case_decision_stats')
    op.drop_table('case_decision_stats')
    op.drop_index('ix_case_violations_tenant_similar', table_name='case_violations')
    with op.batch_alter_table('case_violations', schema=None) as b:
        b.drop_column('similar_far')
        b.drop_column('similar_cases')
        b.drop_column('profile')
    with op.batch_alter_table('cases', schema=None) as b:
        b.drop_column('police_transfer_reason')
        b.drop_column('police_transfer')
