"""cases (issue 14 item 1): a case opened from a warning that went unanswered records that
warning; on PostgreSQL the reference is composite (tenant_id, warning_id) like every other.

Revision ID: 0010w
Revises: 0010v
"""
import sqlalchemy as sa
from alembic import op

revision = '0010w'
down_revision = '0010v'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # the keys of tenant tables lead with tenant_id since 0010k: the reference is composite
        op.add_column('cases', sa.Column('warning_id', BIG, nullable=True))
        op.create_foreign_key(
            'fk_cases_warning_id_warnings', 'cases', 'warnings',
            ['tenant_id', 'warning_id'], ['tenant_id', 'id'],
        )
        op.create_index('ix_cases_fk_warning_id', 'cases', ['warning_id'], unique=False)
        return
    with op.batch_alter_table('cases') as b:
        b.add_column(sa.Column('warning_id', BIG, nullable=True))
        b.create_foreign_key('fk_cases_warning_id_warnings', 'warnings', ['warning_id'], ['id'])
        b.create_index('ix_cases_fk_warning_id', ['warning_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cases') as b:
        b.drop_index('ix_cases_fk_warning_id')
        b.drop_constraint('fk_cases_warning_id_warnings', type_='foreignkey')
        b.drop_column('warning_id')
