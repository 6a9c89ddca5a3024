"""security (issue 12, items 6 and 7): keyed audit chain, anonymous refusal tallies, RLS scope
bound to a signature the app role cannot forge, password hashes behind a definer function.

Revision ID: 0006c
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = '0006c'
down_revision = '0006a'
branch_labels = None
depends_on = None


def _rewrite_policies() -> None:
    """Every existing policy calls the scope functions once per query (rls.once_per_query)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = 'public'"
    )).fetchall()
    for table, name, qual, check in rows:
        parts = []
        if qual and rls.once_per_query(qual) != qual:
            parts.append(f"USING ({rls.once_per_query(qual)})")
        if check and rls.once_per_query(check) != check:
            parts.append(f"WITH CHECK ({rls.once_per_query(check)})")
        if parts:
            op.execute(f'ALTER POLICY "{name}" ON "{table}" ' + " ".join(parts))


def upgrade():
    # Rows written before the key existed stay verifiable as version 0 (plain SHA-256).
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_version', sa.Integer(), server_default='0', nullable=False))

    op.create_table('audit_refusal_tallies',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('tenant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_audit_refusal_tallies_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_refusal_tallies')),
    sa.UniqueConstraint('tenant_id', 'action', 'window_start', name=op.f('uq_audit_refusal_tallies_tenant_id_action_window_start'))
    )
    rls.enable("audit_refusal_tallies")

    if rls.is_postgres():
        # The key row itself is written by migrations/env.py (from DB_SCOPE_KEY) after every run.
        op.execute(rls.SIGNED_FUNCTIONS)
        _rewrite_policies()


def downgrade():
    if rls.is_postgres():
        op.execute(rls.FUNCTIONS)  # unsigned scope functions (policies keep the subquery form)
        op.execute("DROP FUNCTION IF EXISTS app_login_hash(text)")
        op.execute("DROP FUNCTION IF EXISTS app_scope_valid()")
        op.execute("DROP TABLE IF EXISTS app_scope_key")
    op.drop_table('audit_refusal_tallies')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('key_version')
