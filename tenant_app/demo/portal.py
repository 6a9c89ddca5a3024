"""Enterprise-user accounts for demo enterprises, made the way a real one is: the enterprise
registers with its credit code (enterprise_accounts.register) and a clerk verifies it."""

from __future__ import annotations

from sqlalchemy import select

from tenant_app.demo.context import CLERK, acting, user
from tenant_app.demo.regions import DEMO_PASSWORD
from tenant_app.extensions import db
from tenant_app.models import Enterprise, EnterpriseAccount, User
from tenant_app.registry.services import enterprise_accounts
from tenant_app.tenancy.acting import scope_context

# The accounts `tenant-app demo` prints: (tenant, username, what it shows).
PORTAL_ACCOUNTS = [
    ("xj-urumqi", "urumqi-qiye", "正面清单事项待企业作出守法承诺"),
    ("sx-taiyuan", "taiyuan-qiye", "已完成检查并收到反馈、可申请检查"),
]


def enterprise_user(slug: str, enterprise_id: int, username: str, contact: str) -> User:
    """The verified account of ``username`` for the enterprise (made once)."""
    with acting(slug, CLERK.get(slug)):
        ctx = scope_context()
        existing = db.session.execute(select(User).where(User.username == username)).scalar()
        if existing is not None:
            return existing
        e = db.session.execute(
            select(Enterprise).where(Enterprise.id == enterprise_id)
        ).scalar_one()
        acc = enterprise_accounts.register(
            ctx,
            {
                "uscc": e.uscc,
                "enterprise_name": e.name,
                "contact_name": contact,
                "contact_phone": e.contact_phone or "0991-4567890",
                "username": username,
                "password": DEMO_PASSWORD,
            },
        )
        db.session.flush()
        enterprise_accounts.verify(ctx, acc)
        db.session.commit()
    return user(username)


def account_enterprise(username: str, slug: str) -> Enterprise | None:
    with acting(slug, CLERK.get(slug)):
        return db.session.execute(
            select(Enterprise)
            .join(EnterpriseAccount, EnterpriseAccount.enterprise_id == Enterprise.id)
            .join(User, User.id == EnterpriseAccount.user_id)
            .where(User.username == username)
        ).scalar()
