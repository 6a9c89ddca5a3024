"""cases, third slice (issue 14 items 6, 7 and 8): coercive measures on a case (reason, legal
review, the principal head's approval), the decision's document number (sequential per tenant
per year, never reused: a unique index) and the typical-case mark for publication (以案释法).

Revision ID: 0007q
Revises: 0007k
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0007q'
down_revision = '0007k'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('case_measures',
    sa.Column('id', BIG, nullable=False),
    sa.Column('case_id', BIG, nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposed_on', sa.Date(), nullable=False),
    sa.Column('proposed_by', BIG, nullable=True),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.Column('reviewed_by', BIG, nullable=True),
    sa.Column('review_opinion', sa.Text(), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('approved_by', BIG, nullable=True),
    sa.Column('approval_note', sa.Text(), nullable=False),
    sa.Column('rule_ids', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_case_measures_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_measures_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by'], ['users.id'], name=op.f('fk_case_measures_proposed_by_users')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_case_measures_reviewed_by_users')),
    sa.ForeignKeyConstraint(['approved_by'], ['users.id'], name=op.f('fk_case_measures_approved_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_measures'))
    )
    op.create_index('ix_case_measures_tenant_case', 'case_measures', ['tenant_id', 'case_id'], unique=False)
    rls.enable('case_measures')
    with op.batch_alter_table('cases', schema=None) as b:
        b.add_column(sa.Column('typical', sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column('typical_note', sa.Text(), nullable=False, server_default=''))
        b.add_column(sa.Column('decision_no', sa.String(length=64), nullable=False, server_default=''))
        b.add_column(sa.Column('decision_year', sa.Integer(), nullable=True))
        b.add_column(sa.Column('decision_seq', sa.Integer(), nullable=True))
    op.create_index(
        'ux_cases_tenant_decision_number', 'cases', ['tenant_id', 'decision_year', 'decision_seq'],
        unique=True,
    )


def downgrade():
    op.drop_index('ux_cases_tenant_decision_number', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as b:
        b.drop_column('decision_seq')
        b.drop_column('decision_year')
        b.drop_column('decision_no')
        b.drop_column('typical_note')
        b.drop_column('typical')
    op.drop_index('ix_case_measures_tenant_case', table_name='case_measures')
    op.drop_table('case_measures')
