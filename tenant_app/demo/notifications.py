"""Demo notifications and reminders (issue 16): each city's officers get the reminders the
daily run finds in the demo's cases, inspections and positive list (due soon or overdue, from
the real deadlines), everyone at the city gets a welcome notice (the admin's already read), the
first officer chose email for reminders (the pack's lead), and the enterprise account is
told through its enterprise."""

from __future__ import annotations

from sqlalchemy import select

from tenant_app.demo.cases import CASE_CITIES, PORTAL
from tenant_app.demo.context import acting, jobs_inline, user
from tenant_app.demo.portal import account_enterprise
from tenant_app.demo.regions import ACCOUNTS
from tenant_app.extensions import db
from tenant_app.models import Notification
from tenant_app.notifications.services import centre, preferences
from tenant_app.notifications.services.notify import notify
from tenant_app.reminders.services.queue import send_reminders
from tenant_app.tenancy.acting import scope_context

NOTIFY_CITIES = CASE_CITIES


def seed_notifications(slug: str) -> bool:
    staff = [username for t, username, _n, _r, _c in ACCOUNTS if t == slug]
    officer = next(u for u in staff if "officer1" in u)
    admin = next(u for u in staff if u.endswith("-admin"))
    with acting(slug, None):
        # Other features notify as their demo runs (a served decision's correction order):
        # the welcome notice is what says this step ran.
        if db.session.execute(
            select(Notification.id).where(Notification.kind == "system").limit(1)
        ).first():
            return False
    with jobs_inline():
        with acting(slug, officer):
            preferences.save(
                scope_context(),
                email=f"{officer}@example.gov.cn",
                email_kinds=["reminder_due", "reminder_overdue"],
                reminder_lead_days=None,
            )
            db.session.commit()
        with acting(slug, None):
            ctx = scope_context()
            notify(
                ctx,
                kind="system",
                title="通知中心已开通：期限提醒、预警和系统通知都会在这里出现",
                link=f"/{slug}/reminders/",
                users=[user(u).id for u in staff],
            )
            portal = account_enterprise(PORTAL[slug], slug)
            if portal is not None:
                notify(
                    ctx,
                    kind="system",
                    title="贵企业的执法检查、处罚案件和正面清单事项会在这里提醒",
                    link=f"/{slug}/",
                    enterprise_id=portal.id,
                )
            send_reminders(ctx)
            db.session.commit()
        with acting(slug, admin):
            centre.mark_all_read(scope_context())
            db.session.commit()
    return True
