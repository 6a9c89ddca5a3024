"""issue 10 item 6: an evidence upload carries the idempotency key its page (or API client)
chose, unique per inspection, so a retry over a flaky connection never stores it twice.

Revision ID: 0007a
Revises: 0006f
"""
import sqlalchemy as sa
from alembic import op

revision = '0007a'
down_revision = '0006f'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column and an index: no data step, so FORCE RLS needs no lifting.
    with op.batch_alter_table('inspection_evidence', schema=None) as b:
        b.add_column(sa.Column('upload_key', sa.String(length=64), nullable=True))
    op.create_index('uq_inspection_evidence_upload_key', 'inspection_evidence',
                    ['tenant_id', 'inspection_id', 'upload_key'], unique=True)


def downgrade():
    op.drop_index('uq_inspection_evidence_upload_key', table_name='inspection_evidence')
    with op.batch_alter_table('inspection_evidence', schema=None) as b:
        b.drop_column('upload_key')
