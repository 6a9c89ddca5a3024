"""issue 11 (items 10, 11, 13): special campaigns' filing record (SX-4), the cross-level visit
register (SX-3 综合一次查), draws committed by two parties (双随机).

Revision ID: 0006f
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0006f'
down_revision = '0006c'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
# A register row is read by the tenants in its line of the tree: the writer's ancestors (the
# row's tenant path is a prefix of the writer's) and its descendants (the writer's path is a
# prefix of the row's). Never siblings. Writes stay with tenant_id = app_write_tenant().
LINEAGE_READ = (
    "(SELECT path FROM tenants WHERE id = app_write_tenant()) LIKE "
    "(SELECT path FROM tenants WHERE id = tenant_id) || '%' OR "
    "(SELECT path FROM tenants WHERE id = tenant_id) LIKE "
    "(SELECT path FROM tenants WHERE id = app_write_tenant()) || '%'"
)


# Tables whose existing rows this revision reads or updates. Their RLS is FORCEd, which binds
# the owner running the migration too (unless a superuser): lifted for the data steps only.
DATA_TABLES = ("inspection_campaigns", "inspection_draws", "inspections", "enterprises")


def _force(on: bool) -> None:
    if rls.is_postgres():
        for table in DATA_TABLES:
            op.execute(f"ALTER TABLE {table} {'' if on else 'NO '}FORCE ROW LEVEL SECURITY")


def upgrade():
    _force(False)
    with op.batch_alter_table('inspection_campaigns', schema=None) as b:
        b.add_column(sa.Column('filed_with', sa.String(length=200), nullable=False, server_default=''))
        b.add_column(sa.Column('filed_with_tenant_id', BIG, nullable=True))
        b.add_column(sa.Column('filed_on', sa.Date(), nullable=True))
        b.add_column(sa.Column('filing_ref', sa.String(length=200), nullable=False, server_default=''))
        b.add_column(sa.Column('filed_by', BIG, nullable=True))
        b.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
        b.create_foreign_key('fk_inspection_campaigns_filed_with_tenant_id_tenants', 'tenants',
                             ['filed_with_tenant_id'], ['id'])
        b.create_foreign_key('fk_inspection_campaigns_filed_by_users', 'users', ['filed_by'], ['id'])
    # Campaigns published before this revision: filed and published at the same moment.
    op.execute("UPDATE inspection_campaigns SET published_at = filed_at WHERE status = 'published'")
    with op.batch_alter_table('inspection_draws', schema=None) as b:
        b.add_column(sa.Column('protocol', sa.Integer(), nullable=False, server_default='1'))
        b.add_column(sa.Column('pool_hash', sa.String(length=64), nullable=False, server_default=''))
        b.add_column(sa.Column('contributions', sa.JSON(), nullable=True))
        b.add_column(sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE inspection_draws SET contributions = '[]'")
    with op.batch_alter_table('inspection_draws', schema=None) as b:
        b.alter_column('contributions', existing_type=sa.JSON(), nullable=False)

    op.create_table('enterprise_visits',
    sa.Column('id', BIG, nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('enterprise_id', BIG, nullable=False),
    sa.Column('inspection_id', BIG, nullable=True),
    sa.Column('joint_group_id', BIG, nullable=True),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('recorded_by', BIG, nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_visits_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_enterprise_visits_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_enterprise_visits_recorded_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_enterprise_visits_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_visits'))
    )
    op.create_index('ix_enterprise_visits_tenant_uscc_date', 'enterprise_visits', ['tenant_id', 'uscc', 'visit_date'], unique=False)
    op.create_index('ix_enterprise_visits_tenant_inspection', 'enterprise_visits', ['tenant_id', 'inspection_id'], unique=False)
    # The register starts with every inspection already planned (a 0005 database with data).
    op.execute(
        "INSERT INTO enterprise_visits (uscc, enterprise_id, inspection_id, joint_group_id,"
        " department, level, visit_date, mode, trigger, status, note, recorded_by, created_at,"
        " tenant_id)"
        " SELECT e.uscc, i.enterprise_id, i.id, i.joint_group_id, '', t.level, i.planned_date,"
        " i.mode, i.trigger, i.status, '', i.created_by, i.created_at, i.tenant_id"
        " FROM inspections i JOIN enterprises e ON e.id = i.enterprise_id"
        " JOIN tenants t ON t.id = i.tenant_id"
    )
    _force(True)
    rls.enable('enterprise_visits', extra_read=LINEAGE_READ)


def downgrade():
    op.drop_index('ix_enterprise_visits_tenant_inspection', table_name='enterprise_visits')
    op.drop_index('ix_enterprise_visits_tenant_uscc_date', table_name='enterprise_visits')
    op.drop_table('enterprise_visits')
    with op.batch_alter_table('inspection_draws', schema=None) as b:
        b.drop_column('sealed_at')
        b.drop_column('contributions')
        b.drop_column('pool_hash')
        b.drop_column('protocol')
    with op.batch_alter_table('inspection_campaigns', schema=None) as b:
        b.drop_constraint('fk_inspection_campaigns_filed_by_users', type_='foreignkey')
        b.drop_constraint('fk_inspection_campaigns_filed_with_tenant_id_tenants', type_='foreignkey')
        b.drop_column('published_at')
        b.drop_column('filed_by')
        b.drop_column('filing_ref')
        b.drop_column('filed_on')
        b.drop_column('filed_with_tenant_id')
        b.drop_column('filed_with')
