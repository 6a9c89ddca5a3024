"""issue 13 items 1, 2 and 6: the lean read path and cached public pages.

* ``(tenant_id, id)`` indexes for every list keyset-paged on id, so the planner reads one
  tenant's page in order from the index (under RLS) instead of walking the primary key and
  discarding the other tenants' rows;
* an index led by every foreign key that references a tenant table, so deleting an enterprise,
  an inspection or a case finds its children without a scan (ON DELETE CASCADE / RESTRICT);
* ``users.auth_version``: bumped in the transaction that changes a user's role grants, so the
  per-process cache of roles (tenancy/resolve.py) is keyed by it and a revocation is seen by
  every process on its next request;
* ``tenants.publication_version`` / ``published_at``: bumped in the transaction of every state
  change that alters the tenant's public pages; the pages' ETag, Last-Modified and server-side
  cache key (ui/public_cache.py).

Revision ID: 0008p
Revises: 0008w
"""
import sqlalchemy as sa
from alembic import op

revision = '0008p'
down_revision = '0008w'
branch_labels = None
depends_on = None

TENANT_ID_LISTS = (
    'enterprises', 'enterprise_accounts', 'listing_entries', 'listing_batches', 'cases',
    'audit_log', 'inspection_requests', 'inspection_draws', 'inspection_campaigns', 'inspections',
    'self_inspection_reports', 'warnings',
)

FOREIGN_KEYS = (
    ('case_measures', 'case_id'),
    ('case_statements', 'case_id'),
    ('case_steps', 'case_id'),
    ('case_violations', 'case_id'),
    ('cases', 'enterprise_id'),
    ('cases', 'inspection_id'),
    ('compliance_records', 'enterprise_id'),
    ('enterprise_accounts', 'enterprise_id'),
    ('enterprise_ratings', 'enterprise_id'),
    ('enterprise_visits', 'enterprise_id'),
    ('enterprise_visits', 'inspection_id'),
    ('inspection_approvals', 'inspection_id'),
    ('inspection_draws', 'plan_id'),
    ('inspection_draws', 'campaign_id'),
    ('inspection_evidence', 'inspection_id'),
    ('inspection_findings', 'inspection_id'),
    ('inspection_requests', 'enterprise_id'),
    ('inspection_requests', 'inspection_id'),
    ('inspections', 'campaign_id'),
    ('inspections', 'draw_id'),
    ('inspections', 'enterprise_id'),
    ('inspections', 'self_report_id'),
    ('listing_attachments', 'entry_id'),
    ('listing_entries', 'batch_id'),
    ('listing_entries', 'enterprise_id'),
    ('listing_entries', 'removal_batch_id'),
    ('listing_entries', 'renews_entry_id'),
    ('listing_filings', 'batch_id'),
    ('listing_ledger', 'enterprise_id'),
    ('listing_objections', 'batch_id'),
    ('listing_objections', 'entry_id'),
    ('listing_screening_results', 'enterprise_id'),
    ('listing_screening_results', 'run_id'),
    ('listing_steps', 'batch_id'),
    ('listing_steps', 'entry_id'),
    ('listing_visits', 'entry_id'),
    ('officer_conflicts', 'enterprise_id'),
    ('self_inspection_reports', 'anomaly_record_id'),
    ('self_inspection_reports', 'enterprise_id'),
    ('case_evidence', 'case_id'),
    ('monitoring_records', 'enterprise_id'),
    ('monitoring_records', 'batch_pk'),
    ('warnings', 'enterprise_id'),
    ('webhook_deliveries', 'subscription_id'),
)


def _fk_index(table: str, column: str) -> str:
    return f'ix_{table}_fk_{column}'[:63]


def upgrade():
    for table in TENANT_ID_LISTS:
        op.create_index(f'ix_{table}_tenant_id_id', table, ['tenant_id', 'id'])
    for table, column in FOREIGN_KEYS:
        op.create_index(_fk_index(table, column), table, [column])
    op.add_column('users', sa.Column('auth_version', sa.Integer(), nullable=False, server_default='0'))
    op.add_column(
        'tenants', sa.Column('publication_version', sa.Integer(), nullable=False, server_default='0')
    )
    op.add_column('tenants', sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('tenants', schema=None) as b:
        b.drop_column('published_at')
        b.drop_column('publication_version')
    with op.batch_alter_table('users', schema=None) as b:
        b.drop_column('auth_version')
    for table, column in FOREIGN_KEYS:
        op.drop_index(_fk_index(table, column), table_name=table)
    for table in TENANT_ID_LISTS:
        op.drop_index(f'ix_{table}_tenant_id_id', table_name=table)
