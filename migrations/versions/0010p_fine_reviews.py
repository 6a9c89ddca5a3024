"""fine reviews (issue 15, 行政处罚法第七十三条第三款 NAT-APL-73.3): the party's administrative
review or suit against a fined decision, recorded by staff with its end and outcome, during which
the late-payment surcharge is not counted.

Revision ID: 0010p
Revises: 0009o
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0010p'
down_revision = '0009o'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)

FOREIGN_KEYS = (('fine_reviews', 'case_id'),)


def upgrade():
    op.create_table('fine_reviews',
    sa.Column('id', BIG, nullable=False),
    sa.Column('case_id', BIG, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('body', sa.String(length=200), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('changed_fine_fen', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('end_note', sa.Text(), nullable=False),
    sa.Column('recorded_by', BIG, nullable=True),
    sa.Column('ended_by', BIG, nullable=True),
    sa.Column('rule_ids', sa.JSON(), nullable=False),
    sa.Column('policy_version', sa.String(length=255), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_fine_reviews_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_fine_reviews_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_fine_reviews_recorded_by_users')),
    sa.ForeignKeyConstraint(['ended_by'], ['users.id'], name=op.f('fk_fine_reviews_ended_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fine_reviews'))
    )
    op.create_index('ix_fine_reviews_tenant_case', 'fine_reviews', ['tenant_id', 'case_id', 'id'], unique=False)
    rls.enable('fine_reviews')
    # Led by each foreign key (issue 13 item 6): deleting the parent finds its children by index.
    for table, column in FOREIGN_KEYS:
        op.create_index(f'ix_{table}_fk_{column}', table, [column], unique=False)


def downgrade():
    for table, column in FOREIGN_KEYS:
        op.drop_index(f'ix_{table}_fk_{column}', table_name=table)
    op.drop_index('ix_fine_reviews_tenant_case', table_name='fine_reviews')
    op.drop_table('fine_reviews')
