"""The in-app notification centre (issue 16 item 4): a person's own notifications, newest
first, the unread count the page header shows, mark one or all read. Only the acting person's
rows, in the acting tenant (the scope), are ever read or changed."""

from __future__ import annotations

from sqlalchemy import func, select, update

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.models import Notification

PAGE_SIZE = 50


class NotificationNotFound(ServiceError):
    status = 404
    code = "not_found"


def _me(ctx: Context) -> int:
    require_action(ctx, Perm.DASHBOARD_VIEW)
    if ctx.user_id is None:
        raise NotificationNotFound("没有登录用户")
    return ctx.user_id


def unread_count(ctx: Context) -> int:
    if ctx.user_id is None or ctx.tenant_id is None:
        return 0
    return int(
        db.session.execute(
            select(func.count(Notification.id)).where(
                Notification.tenant_id == ctx.tenant_id,
                Notification.user_id == ctx.user_id,
                Notification.read_at.is_(None),
            )
        ).scalar_one()
    )


def my_notifications(
    ctx: Context, *, unread_only: bool = False, limit: int = PAGE_SIZE, before_id: int | None = None
) -> list[Notification]:
    user_id = _me(ctx)
    stmt = select(Notification).where(
        Notification.tenant_id == ctx.tenant_id, Notification.user_id == user_id
    )
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    if before_id is not None:
        stmt = stmt.where(Notification.id < before_id)
    return list(db.session.execute(stmt.order_by(Notification.id.desc()).limit(limit)).scalars())


def get_mine(ctx: Context, notification_id: int) -> Notification:
    user_id = _me(ctx)
    row = db.session.execute(
        select(Notification).where(
            Notification.id == notification_id,
            Notification.tenant_id == ctx.tenant_id,
            Notification.user_id == user_id,
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotificationNotFound("没有这条通知")
    return row


def mark_read(ctx: Context, notification_id: int) -> Notification:
    row = get_mine(ctx, notification_id)
    if row.read_at is None:
        row.read_at = ctx.at
        audit.record(ctx, "notifications.read", object_type="notification", object_id=row.id)
    return row


def mark_all_read(ctx: Context) -> int:
    user_id = _me(ctx)
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.tenant_id == ctx.tenant_id,
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=ctx.at)
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        audit.record(ctx, "notifications.read_all", object_type="user", after={"count": count})
    return count
