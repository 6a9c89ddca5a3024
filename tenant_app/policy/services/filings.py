"""Filing a subordinate tenant's policy with its ancestor (SX-12: 鼓励各市进一步细化量化裁量要素，
拓展完善“轻微违法行为不予处罚”事项清单，并报省生态环境厅备案).

Which keys and which level come from the pack (``Policy.policy_filing``, ``discretion.filing``);
the core names no region. A version that changes a filed key is filed in the transaction that
saves it. The filing row lives in the filing tenant; the ancestor's receiving staff read and
acknowledge it through ``tenancy/filings.py``, as listing filings (PostgreSQL: the extra RLS
read of migration 0010x). Filing is not approval: the version is in force from its own date.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import select

from policies import Policy
from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.calendar.years import work_calendar
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ServiceError, ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import PolicyFiling, PolicyVersion, Tenant
from tenant_app.tenancy import filings as child_filings


class NotFound(ServiceError):
    status = 404
    code = "not_found"


def file_if_required(
    ctx: Context, version: PolicyVersion, effective: dict[str, Any], chain: list[Tenant]
) -> PolicyFiling | None:
    """File ``version`` with the ancestor the effective pack names when it changes a filed key;
    ``chain`` is the tenant's line, root first (policy.service.chain_of)."""
    policy = Policy(effective, str(version.id), calendar=work_calendar())
    decision = policy.policy_filing(d["path"] for d in version.diff)
    if decision.answer is None:
        return None
    tenant = chain[-1]
    parent = next((t for t in chain[:-1] if t.level == decision.answer), None)
    if parent is None:
        return None  # the tenant is itself at that level, or has no such ancestor
    touched = set(decision.facts["touched"])
    filing = PolicyFiling(
        tenant_id=tenant.id,
        version_id=version.id,
        version_number=version.number,
        parent_tenant_id=parent.id,
        rule_id=decision.rule_id,
        explanation=decision.explanation[:500],
        changes=[d for d in version.diff if d["path"] in touched],
        effective_from=version.effective_from,
        filed_on=ctx.today,
        filed_by_name=ctx.actor.name[:64],
    )
    db.session.add(filing)
    db.session.flush()
    audit.record(
        ctx,
        "policy.filed",
        object_type="policy_filing",
        object_id=filing.id,
        after={
            "version": version.number,
            "filed_with": parent.id,
            "rule_id": decision.rule_id,
            "keys": sorted(touched),
            "policy_version": decision.policy_version,
        },
    )
    return filing


def of_versions(versions: list[PolicyVersion]) -> dict[int, PolicyFiling]:
    """The filings of these versions (a tenant's history, its policy page), by version id."""
    ids = [v.id for v in versions]
    if not ids:
        return {}
    rows = db.session.execute(select(PolicyFiling).where(PolicyFiling.version_id.in_(ids)))
    return {f.version_id: f for f in rows.scalars()}


def inbox(ctx: Context) -> list[PolicyFiling]:
    """The filings addressed to the acting tenant by its descendants, newest first."""
    require_action(ctx, Perm.FILINGS_RECEIVE)
    stmt = child_filings.addressed_to(ctx, PolicyFiling).order_by(PolicyFiling.id.desc())
    return list(db.session.execute(stmt.limit(500)).scalars())


def get_filing(ctx: Context, filing_id: int) -> PolicyFiling:
    row = child_filings.one_addressed_to(ctx, PolicyFiling, filing_id)
    if row is None:
        raise NotFound("没有该政策备案")
    return cast(PolicyFiling, row)


def acknowledge(ctx: Context, filing: PolicyFiling, note: Any) -> PolicyFiling:
    require_action(ctx, Perm.FILINGS_RECEIVE)
    if filing.parent_tenant_id != ctx.tenant_id:
        raise NotFound("没有该政策备案")
    if filing.acknowledged_at is not None:
        raise Conflict("该政策备案已签收", {"filing": ["已签收"]})
    text = str(note or "").strip()
    if len(text) > 500:
        raise ValidationFailed.field("note", "签收意见不超过500字")
    child_filings.record_acknowledgement(
        ctx, filing, "policy.filing_acknowledged", "policy_filing", text
    )
    return filing
