"""The audit log viewer (issue 17 item 4): filter by person, action, object, period and region,
newest first with keyset paging, and export. Scoped like every read (guard.py and RLS): a tenant
admin reads its own tenant's log, an auditor its subtree's, never a sibling's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.clock import SHANGHAI
from tenant_app.context import Context
from tenant_app.models import AuditEntry
from tenant_app.oversight.services.stats import MAX_YEAR, MIN_YEAR, BadFilter, subtree
from tenant_app.tenancy.queries import Page, keyset_page

EXPORT_LIMIT = 10_000
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    person: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    start: date | None = None
    end: date | None = None
    region: int | None = None
    after: int | None = None

    def query(self) -> dict[str, str]:
        q = {
            "person": self.person,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "region": str(self.region or ""),
        }
        return {k: v for k, v in q.items() if v}


def _text(args: Mapping[str, Any], key: str, label: str, size: int) -> str:
    value = str(args.get(key) or "").strip()
    if len(value) > size:
        raise BadFilter(f"{label}过长", {key: [f"最多 {size} 个字"]})
    return value


def _day(args: Mapping[str, Any], key: str, label: str) -> date | None:
    raw = str(args.get(key) or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw[:10])
    except ValueError:
        raise BadFilter(f"{label}格式不正确", {key: ["请填写日期，如 2026-01-31"]}) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise BadFilter(f"{label}超出范围", {key: [f"请填写 {MIN_YEAR}—{MAX_YEAR} 年的日期"]})
    return day


def parse(ctx: Context, args: Mapping[str, Any]) -> AuditFilters:
    require_action(ctx, Perm.AUDIT_VIEW)
    start, end = _day(args, "start", "开始日期"), _day(args, "end", "结束日期")
    if start and end and end < start:
        raise BadFilter("结束日期早于开始日期", {"end": ["结束日期不能早于开始日期"]})
    region = None
    raw_region = str(args.get("region") or "").strip()
    if raw_region:
        ids = {str(r.id): r.id for r in subtree(ctx)}
        if raw_region not in ids:
            raise BadFilter("地区不在本单位辖区内", {"region": ["请选择本单位辖区内的地区"]})
        region = ids[raw_region]
    after = None
    raw_after = str(args.get("after") or "").strip()
    if raw_after:
        if not raw_after.isdigit() or len(raw_after) > 18:
            raise BadFilter("翻页参数不正确", {"after": ["翻页参数不正确"]})
        after = int(raw_after)
    return AuditFilters(
        person=_text(args, "person", "操作人", 64),
        action=_text(args, "action", "操作", 64),
        object_type=_text(args, "object_type", "对象类型", 64),
        object_id=_text(args, "object_id", "对象编号", 64),
        start=start,
        end=end,
        region=region,
        after=after,
    )


def _utc(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI).astimezone(UTC)


def statement(ctx: Context, f: AuditFilters) -> Select[Any]:
    stmt = select(AuditEntry)
    if f.person:
        stmt = stmt.where(AuditEntry.actor_name.contains(f.person, autoescape=True))
    if f.action:
        stmt = stmt.where(AuditEntry.action.startswith(f.action, autoescape=True))
    if f.object_type:
        stmt = stmt.where(AuditEntry.object_type == f.object_type)
    if f.object_id:
        stmt = stmt.where(AuditEntry.object_id == f.object_id)
    if f.start:
        stmt = stmt.where(AuditEntry.at >= _utc(f.start))
    if f.end:
        stmt = stmt.where(AuditEntry.at < _utc(f.end + timedelta(days=1)))
    if f.region is not None:
        regions = subtree(ctx)
        path = next(r.path for r in regions if r.id == f.region)
        stmt = stmt.where(
            AuditEntry.tenant_id.in_([r.id for r in regions if r.path.startswith(path)])
        )
    return stmt


def page(ctx: Context, f: AuditFilters) -> Page:
    require_action(ctx, Perm.AUDIT_VIEW)
    return keyset_page(
        statement(ctx, f), AuditEntry.id, f.after, PAGE_SIZE, descending=True, count=True
    )


def export_rows(ctx: Context, f: AuditFilters) -> list[AuditEntry]:
    require_action(ctx, Perm.AUDIT_VIEW)
    from tenant_app.extensions import db

    stmt = statement(ctx, f).order_by(AuditEntry.id.desc()).limit(EXPORT_LIMIT)
    return list(db.session.execute(stmt).scalars())
