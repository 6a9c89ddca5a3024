"""The visit register (SX-3 综合一次查 across levels): one narrow row per inspection visit, so the
same enterprise (same unified social credit code) known to a province, its city and its county
has one inspection budget, counted as the enterprise experiences its visits.

Each row belongs to the tenant that made (or recorded) the visit. Besides its own tenant, a row is
readable by the tenants in the same line of the tree (ancestors and descendants, never siblings)
through ``tenancy.queries.lineage()``; PostgreSQL grants the same extra read on this table alone
(migration 0006f). It carries only what the budget and the 综合一次查 hint need: date, mode,
trigger, status, which level and department — no findings, officers or decisions.

Rows of the tenant's own inspections are kept in step with the inspection by a ``before_flush``
listener (same transaction as the inspection's own change and audit entry); visits by other
departments (市场监管, 应急管理…) are recorded by staff (inspections/services/visits.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime
from tenant_app.models.enterprise import Enterprise
from tenant_app.models.inspection import Inspection


class EnterpriseVisit(TenantScoped, Model):
    __tablename__ = "enterprise_visits"
    __table_args__ = (
        Index("ix_enterprise_visits_tenant_uscc_date", "tenant_id", "uscc", "visit_date"),
        Index("ix_enterprise_visits_tenant_inspection", "tenant_id", "inspection_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspections.id", ondelete="CASCADE")
    )
    # Joint visits (综合一次查) count once: the lead inspection's id (inspection ids are global),
    # also across levels when a visit joins another level's.
    joint_group_id: Mapped[int | None] = mapped_column(BigId)
    # '' = this tenant's environmental bureau; else the other department's name.
    department: Mapped[str] = mapped_column(String(100), default="")
    level: Mapped[str] = mapped_column(String(16), default="")
    visit_date: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(16), default="on_site")
    trigger: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection = relationship(Inspection)


SYNCED = ("planned_date", "mode", "trigger", "status", "joint_group_id")


def _sync(session: Session, insp: Inspection, row: EnterpriseVisit | None) -> None:
    from tenant_app.models.tenant import Tenant

    if row is None:
        ent = session.get(Enterprise, insp.enterprise_id)
        if ent is None:
            return
        tenant = session.get(Tenant, ent.tenant_id)
        row = EnterpriseVisit(
            tenant_id=ent.tenant_id,
            uscc=ent.uscc,
            enterprise_id=ent.id,
            level=tenant.level if tenant else "",
            recorded_by=insp.created_by,
        )
        row.inspection = insp
        session.add(row)
    row.visit_date = insp.planned_date
    row.mode, row.trigger, row.status = insp.mode, insp.trigger, insp.status
    if insp.joint_group_id is not None or row.joint_group_id in (None, insp.id):
        # a cross-level join (set by visits.join_other_level) is kept unless the inspection
        # itself joins a group of its own tenant
        row.joint_group_id = insp.joint_group_id


@event.listens_for(Session, "before_flush")
def _keep_register_in_step(session: Session, flush_context: Any, instances: Any) -> None:
    new = [o for o in session.new if isinstance(o, Inspection)]
    dirty = [o for o in session.dirty if isinstance(o, Inspection) and session.is_modified(o)]
    if not new and not dirty:
        return
    with session.no_autoflush:
        for insp in new:
            _sync(session, insp, None)
        if dirty:
            rows = {
                r.inspection_id: r
                for r in session.execute(
                    select(EnterpriseVisit).where(
                        EnterpriseVisit.inspection_id.in_([i.id for i in dirty])
                    )
                ).scalars()
            }
            for insp in dirty:
                _sync(session, insp, rows.get(insp.id))
