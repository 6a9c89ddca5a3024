"""Enterprises of a tenant, their yearly ratings, and the accounts enterprise users hold.

Columns map one-to-one onto policies.facts.EnterpriseFacts (see registry/services/enterprise_facts.py),
so the positive-list screening reads them without translation.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime

# 排污许可管理类别; "not_required" = 依法无需许可或登记. None = not yet known.
PERMIT_CLASSES = {
    "key": "重点管理",
    "simplified": "简化管理",
    "registration": "登记管理",
    "not_required": "无需许可或登记",
}
# 监管类别 (the ordinary / listed / special supervision object). A key discharger in the
# ordinary category is the pack's "key" inspection category (see enterprise_facts.category_of).
SUPERVISION_CATEGORIES = {
    "general": "一般监管对象",
    "listed": "正面清单企业",
    "special": "特殊监管对象",
}
# Designations no industry code expresses; the names are the ``tags`` the packs' XJ-X list uses
# (staff record them on the enterprise; tests/listing/test_rules_at_the_moment.py checks that
# every tag a pack names is here).
ENTERPRISE_TAGS = {
    "household_waste_incineration_power": "生活垃圾焚烧发电",
    "centralised_hazardous_waste_disposal": "危险废物（含医废）集中处置",
    "centralised_urban_sewage_treatment": "城镇生活污水集中处理",
    "industrial_park_sewage_treatment": "工业集聚区工业污水集中处理",
    "heavy_metal_tailings_pond": "重点重金属尾矿库",
    "key_hazardous_chemical_unit": "重点危险化学品生产、使用单位",
    "nuclear_radiation": "涉及核与辐射",
}
RATING_KINDS = {"performance": "重污染天气重点行业绩效分级", "integrity": "环保信用（诚信）评价"}
PERFORMANCE_GRADES = ("A", "B", "C", "D")
# Titles of the environmental-integrity evaluation; XJ-D asks for "环保诚信企业" two years running.
INTEGRITY_RATINGS = ("环保诚信企业", "环保良好企业", "环保警示企业", "环保不良企业")


class Enterprise(TenantScoped, Model):
    __tablename__ = "enterprises"
    __table_args__ = (
        UniqueConstraint("tenant_id", "uscc"),
        Index("ix_enterprises_tenant_id_name", "tenant_id", "name"),
        Index("ix_enterprises_tenant_id_industry_code", "tenant_id", "industry_code"),
        Index("ix_enterprises_tenant_id_county", "tenant_id", "county_tenant_id"),
        Index("ix_enterprises_tenant_id_permit_valid_to", "tenant_id", "permit_valid_to"),
        Index("ix_enterprises_tenant_id_category", "tenant_id", "supervision_category"),
        # On PostgreSQL the migration adds ix_enterprises_name_trgm: GIN (name gin_trgm_ops).
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18))  # 统一社会信用代码, validated with stdnum.cn.uscc
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(255), default="")
    county_tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"))
    industry_code: Mapped[str | None] = mapped_column(ForeignKey("industries.code"))
    legal_representative: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    permit_class: Mapped[str | None] = mapped_column(String(16))  # PERMIT_CLASSES
    permit_no: Mapped[str] = mapped_column(String(64), default="")  # 许可证编号或登记编号
    permit_valid_from: Mapped[date | None] = mapped_column(Date)
    permit_valid_to: Mapped[date | None] = mapped_column(Date)
    permit_violating: Mapped[bool] = mapped_column(Boolean, default=False)  # 未按证排污 (found)
    procedures_complete: Mapped[bool | None] = mapped_column(Boolean)  # 环保手续齐全 (XJ-C2)
    facilities_running: Mapped[bool | None] = mapped_column(Boolean)  # 设施齐备正常运行 (XJ-C3)
    pollutants_compliant: Mapped[bool | None] = mapped_column(Boolean)  # 主要污染物达标 (XJ-C3)
    needs_monitoring: Mapped[bool] = mapped_column(Boolean, default=True)
    key_discharger: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点排污单位
    online_monitoring_required: Mapped[bool] = mapped_column(Boolean, default=False)
    online_monitoring_installed: Mapped[bool] = mapped_column(Boolean, default=False)
    online_monitoring_networked: Mapped[bool] = mapped_column(Boolean, default=False)
    supervision_category: Mapped[str] = mapped_column(String(16), default="general")
    construction_project: Mapped[bool] = mapped_column(Boolean, default=False)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # ENTERPRISE_TAGS keys
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    industry = relationship("Industry")
    county = relationship("Tenant", foreign_keys=[county_tenant_id])

    def __repr__(self) -> str:
        return f"<Enterprise {self.uscc} {self.name}>"


class EnterpriseRating(TenantScoped, Model):
    """One rating of one year: performance grade (A–D) or integrity title (INTEGRITY_RATINGS)."""

    __tablename__ = "enterprise_ratings"
    __table_args__ = (UniqueConstraint("tenant_id", "enterprise_id", "kind", "year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # RATING_KINDS
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(255), default="")
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


ACCOUNT_STATUSES = {"pending": "待审核", "verified": "已通过", "rejected": "已驳回"}


class EnterpriseAccount(TenantScoped, Model):
    """A user's claim to act for the enterprise with ``uscc`` in this tenant.

    The enterprise role is granted only when staff verify the claim (then ``enterprise_id`` is
    set); "my enterprise" is always resolved from this row, never from an id in a URL.
    """

    __tablename__ = "enterprise_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        Index("ix_enterprise_accounts_tenant_id_status", "tenant_id", "status", "id"),
        Index("ix_enterprise_accounts_tenant_id_enterprise_id", "tenant_id", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uscc: Mapped[str] = mapped_column(String(18))
    enterprise_name: Mapped[str] = mapped_column(String(200))  # as the applicant typed it
    contact_name: Mapped[str] = mapped_column(String(64))
    contact_phone: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # ACCOUNT_STATUSES
    reason: Mapped[str] = mapped_column(String(255), default="")  # why rejected
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    enterprise = relationship("Enterprise")

    def as_dict(self) -> dict[str, Any]:
        return {
            "uscc": self.uscc,
            "enterprise_name": self.enterprise_name,
            "contact_name": self.contact_name,
            "status": self.status,
            "enterprise_id": self.enterprise_id,
            "reason": self.reason,
        }
