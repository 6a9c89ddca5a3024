"""Legal education (SX-2 谁执法谁普法; XJ-S 普法帮扶): the bureau records its 普法 activities —
kind, topic, date, materials, the enterprises invited and those present. Attending counts on
each present enterprise's ladder (普法宣传)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.core.row_fields import FieldProblem, a_date
from tenant_app.enforcement.services.common import get, text
from tenant_app.extensions import db
from tenant_app.models import EducationAttendance, EducationEvent, Enterprise
from tenant_app.models.enforcement import EDUCATION_KINDS

MAX_INVITED = 500


def _ids(raw: Any, field: str) -> list[int]:
    if raw is None or raw == "":
        return []
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    parts = [p for i in items for p in str(i).replace("，", ",").replace(" ", ",").split(",")]
    out: list[int] = []
    for item in parts:
        s = item.strip()
        if not s:
            continue
        if not s.isdigit() or not 0 < int(s) < 2**63:
            raise ValidationFailed.field(field, f"“{s}”不是企业编号")
        out.append(int(s))
    if len(out) > MAX_INVITED:
        raise ValidationFailed.field(field, f"一次活动最多登记 {MAX_INVITED} 家企业")
    return list(dict.fromkeys(out))


def create(ctx: Context, data: dict[str, Any]) -> EducationEvent:
    require_action(ctx, Perm.ENFORCEMENT_EDIT)
    kind = str(data.get("kind") or "")
    if kind not in EDUCATION_KINDS:
        raise ValidationFailed.field("kind", "请选择普法活动形式")
    topic = text(data.get("topic"), "topic", "主题", max_len=200)
    try:
        held_on = a_date(data.get("held_on"), required=True, label="举办日期")
    except FieldProblem as exc:
        raise ValidationFailed.field("held_on", str(exc)) from None
    assert held_on is not None
    if held_on > ctx.today:
        raise ValidationFailed.field("held_on", "举办日期不能晚于今天（登记已举办的活动）")
    invited = _ids(data.get("invited"), "invited")
    present = _ids(data.get("present"), "present")
    if not invited and not present:
        raise ValidationFailed.field("invited", "请至少选择一家受邀企业")
    invited = list(dict.fromkeys([*invited, *present]))
    own = set(
        db.session.execute(
            select(Enterprise.id).where(
                Enterprise.id.in_(invited), Enterprise.tenant_id == ctx.tenant_id
            )
        ).scalars()
    )
    missing = [i for i in invited if i not in own]
    if missing:
        raise ValidationFailed.field(
            "invited",
            "没有找到这些企业（只能邀请本单位登记的企业）：" + "、".join(map(str, missing)),
        )
    ev = EducationEvent(
        kind=kind,
        topic=topic,
        held_on=held_on,
        materials=text(data.get("materials"), "materials", "材料", required=False),
        created_by=ctx.actor.user_id,
    )
    db.session.add(ev)
    db.session.flush()
    db.session.add_all(
        EducationAttendance(event_id=ev.id, enterprise_id=i, present=i in present) for i in invited
    )
    audit.record(
        ctx,
        "education.recorded",
        object_type="education_event",
        object_id=ev.id,
        after={
            "kind": kind,
            "topic": topic,
            "held_on": held_on,
            "invited": invited,
            "present": present,
        },
    )
    return ev


def events(ctx: Context, limit: int = 200) -> list[tuple[EducationEvent, int, int]]:
    """Newest first, with how many were invited and how many came."""
    require_action(ctx, Perm.ENFORCEMENT_VIEW)
    rows = db.session.execute(
        select(
            EducationEvent,
            func.count(EducationAttendance.id),
            func.count(EducationAttendance.id).filter(EducationAttendance.present.is_(True)),
        )
        .outerjoin(EducationAttendance, EducationAttendance.event_id == EducationEvent.id)
        # the whole key: on PostgreSQL it is (tenant_id, id) (migration 0010k)
        .group_by(EducationEvent.tenant_id, EducationEvent.id)
        .order_by(EducationEvent.held_on.desc(), EducationEvent.id.desc())
        .limit(limit)
    ).all()
    return [(ev, int(n), int(p)) for ev, n, p in rows]


def get_event(event_id: Any) -> EducationEvent:
    return get(EducationEvent, event_id, "该普法活动")


def attendance(ev: EducationEvent) -> list[tuple[Enterprise, bool]]:
    return [
        (e, bool(present))
        for e, present in db.session.execute(
            select(Enterprise, EducationAttendance.present)
            .join(EducationAttendance, EducationAttendance.enterprise_id == Enterprise.id)
            .where(EducationAttendance.event_id == ev.id)
            .order_by(Enterprise.name)
        ).all()
    ]
