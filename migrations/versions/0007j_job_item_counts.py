"""issue 10 item 5 (honest progress): a job counts what it has done ("已处理 N / M").

Two nullable columns on jobs: how many items the run has handled and how many there are (NULL
while a kind does not count, or does not know the total yet). The progress bar keeps its percent.

Revision ID: 0007j
Revises: 0007c
"""
import sqlalchemy as sa
from alembic import op

revision = '0007j'
down_revision = '0007c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as b:
        b.add_column(sa.Column('items_done', sa.Integer(), nullable=True))
        b.add_column(sa.Column('items_total', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as b:
        b.drop_column('items_total')
        b.drop_column('items_done')
