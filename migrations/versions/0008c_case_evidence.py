"""cases: evidence uploaded on a case (issue 14 item 1: "evidence reused from inspections or
uploaded (hash recorded)"), stored through the one upload store with its SHA-256.

Revision ID: 0008c
Revises: 0007q
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0008c'
down_revision = '0007q'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table('case_evidence',
    sa.Column('id', BIG, nullable=False),
    sa.Column('case_id', BIG, nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_name', sa.String(length=255), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('collected_on', sa.Date(), nullable=False),
    sa.Column('uploaded_by', BIG, nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', BIG, nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_case_evidence_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_evidence_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_case_evidence_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_evidence'))
    )
    op.create_index('ix_case_evidence_tenant_case', 'case_evidence', ['tenant_id', 'case_id'], unique=False)
    rls.enable('case_evidence')


def downgrade():
    op.drop_index('ix_case_evidence_tenant_case', table_name='case_evidence')
    op.drop_table('case_evidence')
