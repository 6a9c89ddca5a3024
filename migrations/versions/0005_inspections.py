"""inspections (issue 6): plans, campaigns, draws, inspections, approvals, findings, evidence,
self-inspection reports, requests, conflicts of interest, checklist templates.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TENANT_TABLES = ("inspection_plans", "inspection_campaigns", "inspection_draws", "inspections",
                 "inspection_approvals", "inspection_findings", "inspection_evidence",
                 "self_inspection_reports", "inspection_requests", "officer_conflicts",
                 "checklist_templates")


def upgrade():
    op.create_table('checklist_templates',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('industry_prefix', sa.String(length=5), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_checklist_templates_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_templates')),
    sa.UniqueConstraint('tenant_id', 'industry_prefix', name=op.f('uq_checklist_templates_tenant_id_industry_prefix'))
    )
    op.create_table('inspection_campaigns',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('approval_kind', sa.String(length=16), nullable=True),
    sa.Column('government_approval_ref', sa.String(length=200), nullable=False),
    sa.Column('approved_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['approved_by'], ['users.id'], name=op.f('fk_inspection_campaigns_approved_by_users')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_inspection_campaigns_created_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inspection_campaigns_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_campaigns'))
    )
    op.create_index('ix_inspection_campaigns_tenant_status', 'inspection_campaigns', ['tenant_id', 'status', 'id'], unique=False)
    op.create_table('inspection_plans',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('ratios', sa.JSON(), nullable=False),
    sa.Column('caps', sa.JSON(), nullable=False),
    sa.Column('exempt_triggers', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decision', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('approved_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['approved_by'], ['users.id'], name=op.f('fk_inspection_plans_approved_by_users')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_inspection_plans_created_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inspection_plans_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_plans')),
    sa.UniqueConstraint('tenant_id', 'year', name=op.f('uq_inspection_plans_tenant_id_year'))
    )
    op.create_table('inspection_draws',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('ratios', sa.JSON(), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=False),
    sa.Column('seed_hash', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('pool', sa.JSON(), nullable=False),
    sa.Column('conflicts', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('decision', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['inspection_campaigns.id'], name=op.f('fk_inspection_draws_campaign_id_inspection_campaigns')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_inspection_draws_created_by_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['inspection_plans.id'], name=op.f('fk_inspection_draws_plan_id_inspection_plans')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inspection_draws_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_draws'))
    )
    op.create_table('officer_conflicts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('enterprise_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_officer_conflicts_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_officer_conflicts_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_officer_conflicts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_conflicts')),
    sa.UniqueConstraint('tenant_id', 'user_id', 'enterprise_id', name=op.f('uq_officer_conflicts_tenant_id_user_id_enterprise_id'))
    )
    op.create_table('self_inspection_reports',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('enterprise_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('anomaly_record_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('submitted_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_comment', sa.String(length=1000), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['anomaly_record_id'], ['compliance_records.id'], name=op.f('fk_self_inspection_reports_anomaly_record_id_compliance_records')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_self_inspection_reports_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_self_inspection_reports_reviewed_by_users')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_self_inspection_reports_submitted_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_self_inspection_reports_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_inspection_reports'))
    )
    op.create_index('ix_self_inspection_reports_tenant_ent', 'self_inspection_reports', ['tenant_id', 'enterprise_id', 'status'], unique=False)
    op.create_table('inspections',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('enterprise_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('officers', sa.JSON(), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('decision', sa.JSON(), nullable=False),
    sa.Column('rule_ids', sa.JSON(), nullable=False),
    sa.Column('policy_version', sa.String(length=255), nullable=False),
    sa.Column('requirements', sa.JSON(), nullable=False),
    sa.Column('preconditions', sa.JSON(), nullable=False),
    sa.Column('joint_group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('draw_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('self_report_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('request_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('data_source', sa.String(length=32), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('record', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('feedback_text', sa.Text(), nullable=False),
    sa.Column('feedback_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('feedback_due', sa.Date(), nullable=True),
    sa.Column('feedback_overdue', sa.Boolean(), nullable=False),
    sa.Column('feedback_read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['inspection_campaigns.id'], name=op.f('fk_inspections_campaign_id_inspection_campaigns')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_inspections_created_by_users')),
    sa.ForeignKeyConstraint(['draw_id'], ['inspection_draws.id'], name=op.f('fk_inspections_draw_id_inspection_draws')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_inspections_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['self_report_id'], ['self_inspection_reports.id'], name=op.f('fk_inspections_self_report_id_self_inspection_reports')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inspections_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspections'))
    )
    op.create_index('ix_inspections_tenant_ent_date', 'inspections', ['tenant_id', 'enterprise_id', 'planned_date'], unique=False)
    op.create_index('ix_inspections_tenant_feedback_due', 'inspections', ['tenant_id', 'feedback_due'], unique=False)
    op.create_index('ix_inspections_tenant_status', 'inspections', ['tenant_id', 'status', 'id'], unique=False)
    op.create_table('inspection_approvals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('inspection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_name', sa.String(length=64), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('rule_ids', sa.JSON(), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_approvals_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inspection_approvals_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inspection_approvals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_approvals'))
    )
    op.create_index('ix_inspection_approvals_tenant_insp', 'inspection_approvals', ['tenant_id', 'inspection_id'], unique=False)
    op.create_table('inspection_evidence',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('inspection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_name', sa.String(length=255), nullable=False),
    sa.Column('reference', sa.String(length=255), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('uploaded_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_evidence_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inspection_evidence_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_inspection_evidence_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_evidence'))
    )
    op.create_index('ix_inspection_evidence_tenant_insp', 'inspection_evidence', ['tenant_id', 'inspection_id'], unique=False)
    op.create_table('inspection_findings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('inspection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('item_key', sa.String(length=64), nullable=False),
    sa.Column('item_title', sa.String(length=255), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.Column('entered_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['entered_by'], ['users.id'], name=op.f('fk_inspection_findings_entered_by_users')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_findings_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inspection_findings_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_findings')),
    sa.UniqueConstraint('tenant_id', 'inspection_id', 'item_key', name=op.f('uq_inspection_findings_tenant_id_inspection_id_item_key'))
    )
    op.create_table('inspection_requests',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('enterprise_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reason', sa.String(length=2000), nullable=False),
    sa.Column('preferred_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('inspection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('answer', sa.String(length=1000), nullable=False),
    sa.Column('submitted_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_inspection_requests_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_requests_inspection_id_inspections')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_inspection_requests_submitted_by_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_inspection_requests_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_requests'))
    )
    op.create_index('ix_inspection_requests_tenant_status', 'inspection_requests', ['tenant_id', 'status', 'id'], unique=False)
    for table in TENANT_TABLES:
        rls.enable(table)


def downgrade():
    op.drop_index('ix_inspection_requests_tenant_status', table_name='inspection_requests')
    op.drop_table('inspection_requests')
    op.drop_table('inspection_findings')
    op.drop_index('ix_inspection_evidence_tenant_insp', table_name='inspection_evidence')
    op.drop_table('inspection_evidence')
    op.drop_index('ix_inspection_approvals_tenant_insp', table_name='inspection_approvals')
    op.drop_table('inspection_approvals')
    op.drop_index('ix_inspections_tenant_status', table_name='inspections')
    op.drop_index('ix_inspections_tenant_feedback_due', table_name='inspections')
    op.drop_index('ix_inspections_tenant_ent_date', table_name='inspections')
    op.drop_table('inspections')
    op.drop_index('ix_self_inspection_reports_tenant_ent', table_name='self_inspection_reports')
    op.drop_table('self_inspection_reports')
    op.drop_table('officer_conflicts')
    op.drop_table('inspection_draws')
    op.drop_table('inspection_plans')
    op.drop_index('ix_inspection_campaigns_tenant_status', table_name='inspection_campaigns')
    op.drop_table('inspection_campaigns')
    op.drop_table('checklist_templates')
