"""accounts isolated like data (issue 12): server-side sessions, token lineage and expiry,
cross-tenant role proposals, one rate-limit table replacing login_failures.

Revision ID: 0006a
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0006a'
down_revision = '0005'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
# The home tenant (and, for oversight roles, its ancestors' readers) sees proposals made for
# its accounts; the proposing tenant sees its own through the ordinary policy.
PROPOSAL_HOME_READ = "home_tenant_id = ANY (app_read_tenants())"


def upgrade():
    op.create_table('rate_limits',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('bucket', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', 'bucket', name=op.f('pk_rate_limits'))
    )
    op.create_index(op.f('ix_rate_limits_expires_at'), 'rate_limits', ['expires_at'], unique=False)

    op.create_table('user_sessions',
    sa.Column('id', BigId, nullable=False),
    sa.Column('user_id', BigId, nullable=False),
    sa.Column('sid_hash', sa.String(length=64), nullable=False),
    sa.Column('login_tenant_id', BigId, nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['login_tenant_id'], ['tenants.id'], name=op.f('fk_user_sessions_login_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('sid_hash', name=op.f('uq_user_sessions_sid_hash'))
    )
    op.create_index(op.f('ix_user_sessions_user_id'), 'user_sessions', ['user_id'], unique=False)

    op.create_table('role_proposals',
    sa.Column('id', BigId, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('user_id', BigId, nullable=True),
    sa.Column('home_tenant_id', BigId, nullable=True),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposed_by', BigId, nullable=True),
    sa.Column('decided_by', BigId, nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', BigId, nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_role_proposals_decided_by_users')),
    sa.ForeignKeyConstraint(['home_tenant_id'], ['tenants.id'], name=op.f('fk_role_proposals_home_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['proposed_by'], ['users.id'], name=op.f('fk_role_proposals_proposed_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_role_proposals_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_role_proposals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_proposals'))
    )
    op.create_index('ix_role_proposals_tenant_id_status', 'role_proposals', ['tenant_id', 'status'], unique=False)
    op.create_index('ix_role_proposals_home_tenant_id_status', 'role_proposals', ['home_tenant_id', 'status'], unique=False)
    rls.enable('role_proposals', extra_read=PROPOSAL_HOME_READ)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', BigId, nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_api_tokens_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_parent_id_api_tokens'), 'api_tokens', ['parent_id'], ['id'])

    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failures_key_at')
    op.drop_table('login_failures')


def downgrade():
    op.create_table('login_failures',
    sa.Column('id', BigId, nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_key_at', ['key', 'at'], unique=False)
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_parent_id_api_tokens'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_tokens_parent_id'))
        batch_op.drop_column('expires_at')
        batch_op.drop_column('parent_id')
    op.drop_index('ix_role_proposals_home_tenant_id_status', table_name='role_proposals')
    op.drop_index('ix_role_proposals_tenant_id_status', table_name='role_proposals')
    op.drop_table('role_proposals')
    op.drop_index(op.f('ix_user_sessions_user_id'), table_name='user_sessions')
    op.drop_table('user_sessions')
    op.drop_index(op.f('ix_rate_limits_expires_at'), table_name='rate_limits')
    op.drop_table('rate_limits')
