"""The one way a feature tells people something (issue 16 item 4).

``notify`` writes the in-app notifications in the caller's transaction and asks for the channel
deliveries as jobs (tenant_app/jobs/enqueue.py: rows in the same transaction, dispatched after
commit), so a refused act notifies nobody and nothing is sent while the request runs:

* email, per recipient, for the kinds the person chose on their preferences page (and only with
  an address there);
* webhook, once per event, to each active subscription of the tenant that takes the kind
  (tenant-level: a subscription of another tenant is never read here, the scope forbids it).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.roles import ROLE_PERMISSIONS, Perm
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.jobs.enqueue import enqueue
from tenant_app.models import (
    EnterpriseAccount,
    Notification,
    NotificationSetting,
    RoleGrant,
    User,
    WebhookDelivery,
    WebhookSubscription,
)


def enterprise_users(ctx: Context, enterprise_id: int) -> list[int]:
    """The active accounts of an enterprise in the scope's tenant (verified registrations)."""
    return list(
        db.session.execute(
            select(EnterpriseAccount.user_id)
            .join(User, User.id == EnterpriseAccount.user_id)
            .where(
                EnterpriseAccount.tenant_id == ctx.tenant_id,
                EnterpriseAccount.enterprise_id == enterprise_id,
                EnterpriseAccount.status == "verified",
                User.active.is_(True),
            )
        ).scalars()
    )


def staff_with(ctx: Context, perm: Perm) -> list[int]:
    """The active staff of the scope's tenant whose roles there grant ``perm``: who is told when a
    feature's event concerns "the officers" rather than one named person."""
    roles = [r.value for r, perms in ROLE_PERMISSIONS.items() if perm in perms]
    return list(
        db.session.execute(
            select(RoleGrant.user_id)
            .join(User, User.id == RoleGrant.user_id)
            .where(
                RoleGrant.tenant_id == ctx.tenant_id,
                RoleGrant.role.in_(roles),
                User.active.is_(True),
            )
            .distinct()
            .order_by(RoleGrant.user_id)
        ).scalars()
    )


def notify(
    ctx: Context,
    *,
    kind: str,
    title: str,
    link: str,
    users: Sequence[int] = (),
    enterprise_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
) -> None:
    """Tell ``users`` (and every active user of ``enterprise_id``) about something: in-app now,
    by email and webhook through jobs, each as the recipients' and the tenant's choices say."""
    if ctx.tenant_id is None:
        raise RuntimeError("notify needs a write tenant in the context")
    recipients = list(dict.fromkeys(int(u) for u in users))
    if enterprise_id is not None:
        recipients += [u for u in enterprise_users(ctx, enterprise_id) if u not in recipients]
    # Stored as JSON and sent as JSON: dates and decimals become their text once, here.
    data = json.loads(json.dumps(dict(payload or {}), ensure_ascii=False, default=str))
    title = title[:300]
    link = link[:500]
    rows = [
        Notification(user_id=u, kind=kind, title=title, link=link, payload=data) for u in recipients
    ]
    db.session.add_all(rows)
    db.session.flush()
    if recipients:
        settings = db.session.execute(
            select(NotificationSetting).where(
                NotificationSetting.tenant_id == ctx.tenant_id,
                NotificationSetting.user_id.in_(recipients),
            )
        ).scalars()
        wants_email = {s.user_id for s in settings if s.email and kind in (s.email_kinds or [])}
        for row in rows:
            if row.user_id in wants_email:
                enqueue("notifications.send_email", {"notification_id": row.id})
    _webhooks(ctx, kind, title, link, recipients, data)
    audit.record(
        ctx,
        "notifications.sent",
        object_type="notification",
        object_id=rows[0].id if rows else "",
        after={"kind": kind, "title": title, "link": link, "recipients": recipients},
    )


def _webhooks(
    ctx: Context, kind: str, title: str, link: str, recipients: list[int], data: dict[str, Any]
) -> None:
    subs = [
        s
        for s in db.session.execute(
            select(WebhookSubscription).where(
                WebhookSubscription.tenant_id == ctx.tenant_id,
                WebhookSubscription.active.is_(True),
            )
        ).scalars()
        if not s.kinds or kind in s.kinds
    ]
    if not subs:
        return
    tenant_slug = ctx.tenant.slug if ctx.tenant is not None else ""
    for sub in subs:
        body = json.dumps(
            {
                "id": secrets.token_hex(12),
                "tenant": tenant_slug,
                "kind": kind,
                "title": title,
                "link": link,
                "recipients": recipients,
                "payload": data,
                "created_at": utcnow().isoformat(),
            },
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        )
        delivery = WebhookDelivery(subscription_id=sub.id, kind=kind, body=body)
        db.session.add(delivery)
        db.session.flush()
        enqueue("notifications.deliver_webhook", {"delivery_id": delivery.id})
