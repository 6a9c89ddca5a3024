"""enforcement (issue 15 items 3-5): payment applications (deferral, instalments) with their
proof and decision, the instalment schedule, fine payments (staff or imported, one platform
reference once per tenant), the ladder steps staff take on a new finding (SX-0), and legal
education events with their invited and present enterprises (SX-2).

Revision ID: 0009e
Revises: 0009r
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0009e'
down_revision = '0009r'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def _tenant(table):
    return [
        sa.Column('tenant_id', BIG, nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants')),
    ]


FOREIGN_KEYS = (
    ('education_attendance', 'event_id'),
    ('education_attendance', 'enterprise_id'),
    ('fine_instalments', 'case_id'),
    ('fine_instalments', 'application_id'),
    ('fine_payments', 'case_id'),
    ('ladder_steps', 'enterprise_id'),
    ('payment_applications', 'case_id'),
    ('payment_applications', 'enterprise_id'),
)


def upgrade():
    op.create_table('payment_applications',
    sa.Column('id', BIG, nullable=False),
    sa.Column('case_id', BIG, nullable=False),
    sa.Column('enterprise_id', BIG, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('defer_until', sa.Date(), nullable=True),
    sa.Column('parts', sa.Integer(), nullable=True),
    sa.Column('proof_name', sa.String(length=255), nullable=False),
    sa.Column('proof_type', sa.String(length=100), nullable=False),
    sa.Column('proof', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('filed_by', BIG, nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', BIG, nullable=True),
    sa.Column('decided_role', sa.String(length=32), nullable=False),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('rule_ids', sa.JSON(), nullable=False),
    sa.Column('policy_version', sa.String(length=255), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    *_tenant('payment_applications'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_payment_applications_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_payment_applications_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['filed_by'], ['users.id'], name=op.f('fk_payment_applications_filed_by_users')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_payment_applications_decided_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_applications'))
    )
    op.create_index('ix_payment_applications_tenant_case', 'payment_applications', ['tenant_id', 'case_id', 'id'], unique=False)
    op.create_index('ix_payment_applications_tenant_status', 'payment_applications', ['tenant_id', 'status', 'id'], unique=False)
    rls.enable('payment_applications')

    op.create_table('fine_instalments',
    sa.Column('id', BIG, nullable=False),
    sa.Column('case_id', BIG, nullable=False),
    sa.Column('application_id', BIG, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    *_tenant('fine_instalments'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_fine_instalments_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['application_id'], ['payment_applications.id'], name=op.f('fk_fine_instalments_application_id_payment_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fine_instalments'))
    )
    op.create_index('ix_fine_instalments_tenant_case', 'fine_instalments', ['tenant_id', 'case_id', 'seq'], unique=False)
    rls.enable('fine_instalments')

    op.create_table('fine_payments',
    sa.Column('id', BIG, nullable=False),
    sa.Column('case_id', BIG, nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('recorded_by', BIG, nullable=True),
    sa.Column('created_at', TS, nullable=False),
    *_tenant('fine_payments'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_fine_payments_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_fine_payments_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fine_payments'))
    )
    op.create_index('ix_fine_payments_tenant_case', 'fine_payments', ['tenant_id', 'case_id', 'paid_on'], unique=False)
    op.create_index('ux_fine_payments_tenant_reference', 'fine_payments', ['tenant_id', 'reference'], unique=True)
    rls.enable('fine_payments')

    op.create_table('ladder_steps',
    sa.Column('id', BIG, nullable=False),
    sa.Column('enterprise_id', BIG, nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('origin_ref', sa.String(length=64), nullable=False),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('proposed_rung', sa.String(length=32), nullable=False),
    sa.Column('proposal_reason', sa.Text(), nullable=False),
    sa.Column('rung', sa.String(length=32), nullable=False),
    sa.Column('deviation_reason', sa.Text(), nullable=False),
    sa.Column('document_title', sa.String(length=200), nullable=False),
    sa.Column('document_body', sa.Text(), nullable=False),
    sa.Column('rule_ids', sa.JSON(), nullable=False),
    sa.Column('policy_version', sa.String(length=255), nullable=False),
    sa.Column('actor_id', BIG, nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    *_tenant('ladder_steps'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_ladder_steps_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ladder_steps_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ladder_steps'))
    )
    op.create_index('ix_ladder_steps_tenant_enterprise_day', 'ladder_steps', ['tenant_id', 'enterprise_id', 'on_date'], unique=False)
    rls.enable('ladder_steps')

    op.create_table('education_events',
    sa.Column('id', BIG, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('materials', sa.Text(), nullable=False),
    sa.Column('created_by', BIG, nullable=True),
    sa.Column('created_at', TS, nullable=False),
    *_tenant('education_events'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_education_events_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_education_events'))
    )
    op.create_index('ix_education_events_tenant_day', 'education_events', ['tenant_id', 'held_on', 'id'], unique=False)
    rls.enable('education_events')

    op.create_table('education_attendance',
    sa.Column('id', BIG, nullable=False),
    sa.Column('event_id', BIG, nullable=False),
    sa.Column('enterprise_id', BIG, nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    *_tenant('education_attendance'),
    sa.ForeignKeyConstraint(['event_id'], ['education_events.id'], name=op.f('fk_education_attendance_event_id_education_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_education_attendance_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_education_attendance'))
    )
    op.create_index('ux_education_attendance_tenant_event_ent', 'education_attendance', ['tenant_id', 'event_id', 'enterprise_id'], unique=True)
    op.create_index('ix_education_attendance_tenant_enterprise', 'education_attendance', ['tenant_id', 'enterprise_id'], unique=False)
    rls.enable('education_attendance')
    # Led by each foreign key (issue 13 item 6): deleting the parent finds its children by index.
    for table, column in FOREIGN_KEYS:
        op.create_index(f'ix_{table}_fk_{column}', table, [column], unique=False)


def downgrade():
    for table, column in FOREIGN_KEYS:
        op.drop_index(f'ix_{table}_fk_{column}', table_name=table)
    for table, indexes in (
        ('education_attendance', ('ix_education_attendance_tenant_enterprise', 'ux_education_attendance_tenant_event_ent')),
        ('education_events', ('ix_education_events_tenant_day',)),
        ('ladder_steps', ('ix_ladder_steps_tenant_enterprise_day',)),
        ('fine_payments', ('ux_fine_payments_tenant_reference', 'ix_fine_payments_tenant_case')),
        ('fine_instalments', ('ix_fine_instalments_tenant_case',)),
        ('payment_applications', ('ix_payment_applications_tenant_status', 'ix_payment_applications_tenant_case')),
    ):
        for ix in indexes:
            op.drop_index(ix, table_name=table)
        op.drop_table(table)
