"""notifications (issue 16 items 3 and 4): the in-app notification centre, each person's channel
settings, webhook subscriptions with their delivery log, and the reminders already sent.

Revision ID: 0008n
Revises: 0008c
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0008n'
down_revision = '0008c'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def _tenant(table):
    return [
        sa.Column('tenant_id', BIG, nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants')),
    ]


def upgrade():
    op.create_table('notifications',
    sa.Column('id', BIG, nullable=False),
    sa.Column('user_id', BIG, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('read_at', TS, nullable=True),
    sa.Column('created_at', TS, nullable=False),
    *_tenant('notifications'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    op.create_index('ix_notifications_tenant_user_unread', 'notifications', ['tenant_id', 'user_id', 'read_at', 'id'], unique=False)
    rls.enable('notifications')

    op.create_table('notification_settings',
    sa.Column('id', BIG, nullable=False),
    sa.Column('user_id', BIG, nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_kinds', sa.JSON(), nullable=False),
    sa.Column('reminder_lead_days', sa.Integer(), nullable=True),
    sa.Column('updated_at', TS, nullable=False),
    *_tenant('notification_settings'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_settings'))
    )
    op.create_index('ux_notification_settings_tenant_user', 'notification_settings', ['tenant_id', 'user_id'], unique=True)
    rls.enable('notification_settings')

    op.create_table('webhook_subscriptions',
    sa.Column('id', BIG, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', BIG, nullable=True),
    sa.Column('created_at', TS, nullable=False),
    *_tenant('webhook_subscriptions'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_webhook_subscriptions_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_subscriptions'))
    )
    op.create_index('ix_webhook_subscriptions_tenant', 'webhook_subscriptions', ['tenant_id', 'active', 'id'], unique=False)
    rls.enable('webhook_subscriptions')

    op.create_table('webhook_deliveries',
    sa.Column('id', BIG, nullable=False),
    sa.Column('subscription_id', BIG, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', TS, nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('delivered_at', TS, nullable=True),
    sa.Column('created_at', TS, nullable=False),
    *_tenant('webhook_deliveries'),
    sa.ForeignKeyConstraint(['subscription_id'], ['webhook_subscriptions.id'], name=op.f('fk_webhook_deliveries_subscription_id_webhook_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    op.create_index('ix_webhook_deliveries_tenant_id', 'webhook_deliveries', ['tenant_id', 'id'], unique=False)
    op.create_index('ix_webhook_deliveries_tenant_due', 'webhook_deliveries', ['tenant_id', 'status', 'next_attempt_at'], unique=False)
    rls.enable('webhook_deliveries')

    op.create_table('reminders_sent',
    sa.Column('id', BIG, nullable=False),
    sa.Column('object_ref', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('threshold', sa.String(length=16), nullable=False),
    sa.Column('user_id', BIG, nullable=False),
    sa.Column('rule_id', sa.String(length=32), nullable=False),
    sa.Column('sent_at', TS, nullable=False),
    *_tenant('reminders_sent'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_sent_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders_sent'))
    )
    op.create_index('ux_reminders_sent_item', 'reminders_sent', ['tenant_id', 'object_ref', 'kind', 'due', 'threshold', 'user_id'], unique=True)
    rls.enable('reminders_sent')


def downgrade():
    op.drop_index('ux_reminders_sent_item', table_name='reminders_sent')
    op.drop_table('reminders_sent')
    op.drop_index('ix_webhook_deliveries_tenant_due', table_name='webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_tenant_id', table_name='webhook_deliveries')
    op.drop_table('webhook_deliveries')
    op.drop_index('ix_webhook_subscriptions_tenant', table_name='webhook_subscriptions')
    op.drop_table('webhook_subscriptions')
    op.drop_index('ux_notification_settings_tenant_user', table_name='notification_settings')
    op.drop_table('notification_settings')
    op.drop_index('ix_notifications_tenant_user_unread', table_name='notifications')
    op.drop_table('notifications')
