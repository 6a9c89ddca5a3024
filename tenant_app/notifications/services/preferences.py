"""Each person's choices (issue 16 item 5): in-app is always on; per kind, whether it also
comes by email (to the address given here); how many working days ahead reminders come (empty:
the pack's default, ``Policy.reminder_lead``). Webhooks are the tenant's (services/webhooks.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import NotificationSetting
from tenant_app.models.notification import NOTIFICATION_KINDS

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
MAX_LEAD_DAYS = 30


def setting_of(ctx: Context, user_id: int | None = None) -> NotificationSetting | None:
    uid = user_id if user_id is not None else ctx.user_id
    if uid is None:
        return None
    return db.session.execute(
        select(NotificationSetting).where(
            NotificationSetting.tenant_id == ctx.tenant_id, NotificationSetting.user_id == uid
        )
    ).scalar_one_or_none()


def lead_days_by_user(ctx: Context, user_ids: Iterable[int]) -> dict[int, int]:
    """The people among ``user_ids`` who chose their own reminder lead (working days)."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(NotificationSetting.user_id, NotificationSetting.reminder_lead_days).where(
            NotificationSetting.tenant_id == ctx.tenant_id,
            NotificationSetting.user_id.in_(ids),
            NotificationSetting.reminder_lead_days.is_not(None),
        )
    ).all()
    return {uid: int(days) for uid, days in rows if days is not None}


def save(
    ctx: Context,
    *,
    email: str,
    email_kinds: Iterable[str],
    reminder_lead_days: int | str | None,
) -> NotificationSetting:
    require_action(ctx, Perm.DASHBOARD_VIEW)
    if ctx.user_id is None:
        raise ValidationFailed.field("email", str(_l("没有登录用户")))
    errors: dict[str, list[str]] = {}
    email = (email or "").strip()
    if len(email) > 254 or (email and not _EMAIL.match(email)):
        errors["email"] = [str(_l("电子邮箱格式不正确"))]
    kinds = list(dict.fromkeys(k for k in email_kinds if k))
    unknown = [k for k in kinds if k not in NOTIFICATION_KINDS]
    if unknown:
        errors["email_kinds"] = [str(_l("通知类型不存在"))]
    elif kinds and not email:
        errors["email"] = [str(_l("选择了邮件通知，请填写电子邮箱"))]
    lead: int | None = None
    if reminder_lead_days not in (None, ""):
        try:
            lead = int(str(reminder_lead_days).strip())
        except ValueError:
            lead = -1
        if not 0 <= lead <= MAX_LEAD_DAYS:
            errors["reminder_lead_days"] = [
                str(_l("提前提醒天数应为 0 到 %(n)s 之间的整数", n=MAX_LEAD_DAYS))
            ]
    if errors:
        raise ValidationFailed(str(_l("提交的内容有误")), errors)
    row = setting_of(ctx)
    before = None
    if row is None:
        row = NotificationSetting(user_id=ctx.user_id)
        db.session.add(row)
    else:
        before = {
            "email": row.email,
            "email_kinds": row.email_kinds,
            "reminder_lead_days": row.reminder_lead_days,
        }
    row.email, row.email_kinds, row.reminder_lead_days, row.updated_at = email, kinds, lead, ctx.at
    db.session.flush()
    audit.record(
        ctx,
        "notifications.preferences",
        object_type="user",
        object_id=ctx.user_id,
        before=before,
        after={"email": email, "email_kinds": kinds, "reminder_lead_days": lead},
    )
    return row
