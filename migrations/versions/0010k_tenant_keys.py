"""issue 13 item 4: keys that distribute by tenant. Every tenant table's primary key leads with
tenant_id and every foreign key between tenant tables is a composite (tenant_id, …) reference,
so PostgreSQL refuses a row that points at another tenant's row (migrations/tenant_keys.py).
SQLite, the laptop database, keeps single-column keys.

Revision ID: 0010k
Revises: 0010u
"""
from migrations import tenant_keys

revision = '0010k'
down_revision = '0010u'
branch_labels = None
depends_on = None


def upgrade():
    tenant_keys.apply_all()


def downgrade():
    tenant_keys.revert_all()
