"""cases (issue 14): enforcement cases, their violations with the discretion proposal, the
party's statements and hearing requests, and the steps of the procedure.

Revision ID: 0007c
Revises: 0007a
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0007c'
down_revision = '0007a'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TENANT_TABLES = ("cases", "case_violations", "case_statements", "case_steps")


def _tenant(table):
    return [
        sa.Column('tenant_id', BIG, nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants')),
    ]


def upgrade():
    op.create_table('cases',
    sa.Column('id', BIG, nullable=False),
    sa.Column('enterprise_id', BIG, nullable=False),
    sa.Column('inspection_id', BIG, nullable=True),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('officers', sa.JSON(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('complex_case', sa.Boolean(), nullable=False),
    sa.Column('public_interest', sa.Boolean(), nullable=False),
    sa.Column('major_violation', sa.Boolean(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('limit_due', sa.Date(), nullable=False),
    sa.Column('extended', sa.Boolean(), nullable=False),
    sa.Column('noticed_on', sa.Date(), nullable=True),
    sa.Column('statement_due', sa.Date(), nullable=True),
    sa.Column('hearing_eligible', sa.Boolean(), nullable=False),
    sa.Column('hearing_requested_on', sa.Date(), nullable=True),
    sa.Column('waived_on', sa.Date(), nullable=True),
    sa.Column('hearing_notified_on', sa.Date(), nullable=True),
    sa.Column('hearing_date', sa.Date(), nullable=True),
    sa.Column('hearing_place', sa.String(length=200), nullable=False),
    sa.Column('hearing_held_on', sa.Date(), nullable=True),
    sa.Column('hearing_record', sa.Text(), nullable=False),
    sa.Column('review_required', sa.Boolean(), nullable=False),
    sa.Column('review_reasons', sa.JSON(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.Column('review_verdict', sa.String(length=16), nullable=True),
    sa.Column('review_opinion', sa.Text(), nullable=False),
    sa.Column('reviewed_by', BIG, nullable=True),
    sa.Column('reviewed_penalty', sa.JSON(), nullable=False),
    sa.Column('discussion_required', sa.Boolean(), nullable=False),
    sa.Column('discussion_reasons', sa.JSON(), nullable=False),
    sa.Column('discussed_on', sa.Date(), nullable=True),
    sa.Column('discussion_record', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', BIG, nullable=True),
    sa.Column('total_fine', sa.BigInteger(), nullable=False),
    sa.Column('correction_order', sa.Text(), nullable=False),
    sa.Column('correction_due', sa.Date(), nullable=True),
    sa.Column('education_record', sa.Text(), nullable=False),
    sa.Column('service_due', sa.Date(), nullable=True),
    sa.Column('served_on', sa.Date(), nullable=True),
    sa.Column('service_method', sa.String(length=16), nullable=True),
    sa.Column('service_late', sa.Boolean(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('deadlines', sa.JSON(), nullable=False),
    sa.Column('policy_version', sa.String(length=255), nullable=False),
    sa.Column('created_by', BIG, nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    *_tenant('cases'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_cases_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_cases_inspection_id_inspections')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_cases_reviewed_by_users')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_cases_decided_by_users')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_cases_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    op.create_index('ix_cases_tenant_stage', 'cases', ['tenant_id', 'stage', 'id'], unique=False)
    op.create_index('ix_cases_tenant_enterprise', 'cases', ['tenant_id', 'enterprise_id', 'id'], unique=False)
    op.create_index('ix_cases_tenant_inspection', 'cases', ['tenant_id', 'inspection_id'], unique=False)

    op.create_table('case_violations',
    sa.Column('id', BIG, nullable=False),
    sa.Column('case_id', BIG, nullable=False),
    sa.Column('violation_key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('provision', sa.String(length=255), nullable=False),
    sa.Column('penalty_provision', sa.String(length=255), nullable=False),
    sa.Column('fine_min', sa.BigInteger(), nullable=False),
    sa.Column('fine_max', sa.BigInteger(), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('list_entry', sa.String(length=500), nullable=False),
    sa.Column('proposal', sa.JSON(), nullable=False),
    sa.Column('intended_outcome', sa.String(length=16), nullable=True),
    sa.Column('intended_fine', sa.BigInteger(), nullable=True),
    sa.Column('intended_measures', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('fine', sa.BigInteger(), nullable=True),
    sa.Column('measures', sa.JSON(), nullable=False),
    sa.Column('outside_proposal', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    *_tenant('case_violations'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_violations_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_violations'))
    )
    op.create_index('ix_case_violations_tenant_case', 'case_violations', ['tenant_id', 'case_id'], unique=False)

    op.create_table('case_statements',
    sa.Column('id', BIG, nullable=False),
    sa.Column('case_id', BIG, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('via', sa.String(length=8), nullable=False),
    sa.Column('filed_by', BIG, nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('adopted', sa.Boolean(), nullable=True),
    sa.Column('answered_by', BIG, nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    *_tenant('case_statements'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_statements_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['filed_by'], ['users.id'], name=op.f('fk_case_statements_filed_by_users')),
    sa.ForeignKeyConstraint(['answered_by'], ['users.id'], name=op.f('fk_case_statements_answered_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_statements'))
    )
    op.create_index('ix_case_statements_tenant_case', 'case_statements', ['tenant_id', 'case_id'], unique=False)

    op.create_table('case_steps',
    sa.Column('id', BIG, nullable=False),
    sa.Column('case_id', BIG, nullable=False),
    sa.Column('step', sa.String(length=24), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('actor_id', BIG, nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=False),
    sa.Column('rule_ids', sa.JSON(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    *_tenant('case_steps'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_steps_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_case_steps_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_steps'))
    )
    op.create_index('ix_case_steps_tenant_case', 'case_steps', ['tenant_id', 'case_id', 'id'], unique=False)
    for table in TENANT_TABLES:
        rls.enable(table)


def downgrade():
    op.drop_index('ix_case_steps_tenant_case', table_name='case_steps')
    op.drop_table('case_steps')
    op.drop_index('ix_case_statements_tenant_case', table_name='case_statements')
    op.drop_table('case_statements')
    op.drop_index('ix_case_violations_tenant_case', table_name='case_violations')
    op.drop_table('case_violations')
    op.drop_index('ix_cases_tenant_inspection', table_name='cases')
    op.drop_index('ix_cases_tenant_enterprise', table_name='cases')
    op.drop_index('ix_cases_tenant_stage', table_name='cases')
    op.drop_table('cases')
