"""Enterprise users: online registration, verification by staff, and "my enterprise".

Flow (docs/registry.md): an enterprise registers at /<tenant>/enterprise/register with its
credit code, a contact and a username/password → a User with *no role* and a pending
EnterpriseAccount. Without a role the login page refuses the account, so a pending or rejected
applicant can see nothing. Staff with ENTERPRISE_ACCOUNTS_VERIFY verify it — linking the account
to the registry's enterprise with that code and granting the 'enterprise' role in this tenant
only — or reject it with a reason. A verified user's enterprise is always resolved from this
link (``my_enterprise``), never from an id in a URL.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from sqlalchemy import select

from tenant_app.accounts.users import USERNAME_RE
from tenant_app.audit import log as audit
from tenant_app.auth.passwords import hash_password, password_problem
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm, Role
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core import ratelimit
from tenant_app.core import row_fields as f
from tenant_app.core import uscc as uscc_rules
from tenant_app.core.errors import Conflict, ServiceError, Throttled, ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import Enterprise, EnterpriseAccount, RoleGrant, User
from tenant_app.registry.services.enterprises import MAX_ID, NotFound
from tenant_app.tenancy.queries import Page, keyset_page

PHONE_RE = re.compile(r"^[0-9+\-()（） ]{7,20}$")


def _key(address: str) -> str:
    return f"register:{address}"


def note_registration_attempt(ctx: Context) -> None:
    """At most LOGIN_MAX_FAILURES registration attempts per address per LOGIN_WINDOW_SECONDS,
    counted by the one rate limiter (atomically, whether the attempt then succeeds or not)."""
    h = ratelimit.hit(
        _key(ctx.address),
        current_app.config["LOGIN_MAX_FAILURES"],
        current_app.config["LOGIN_WINDOW_SECONDS"],
    )
    if not h.allowed:
        raise Throttled("注册请求过于频繁，请稍后再试", retry_after=h.retry_after)


def _phone(raw: Any) -> str:
    value = f.text(raw, 32, required=True, label="联系电话")
    if not PHONE_RE.match(value):
        raise f.FieldProblem("请填写有效的联系电话（7–20 位数字，可含 - + 括号）")
    return value


def _username(raw: Any) -> str:
    value = f.text(raw, 64, required=True, label="用户名")
    if not USERNAME_RE.match(value):
        raise f.FieldProblem("用户名为 3–64 位字母、数字或 _ . @ -")
    return value


def _password(raw: Any) -> str:
    value = "" if raw is None else str(raw)
    if len(value) > 256:
        raise f.FieldProblem("密码过长")
    if (problem := password_problem(value)) is not None:
        raise f.FieldProblem(problem)
    return value


def _uscc(raw: Any) -> str:
    code, problem = uscc_rules.check("" if raw is None else str(raw))
    if problem:
        raise f.FieldProblem(problem)
    return code


def register(ctx: Context, data: dict[str, Any]) -> EnterpriseAccount:
    """A public action (no permission): the pending account at the context's tenant, audited in
    its chain under the applicant's username."""
    tenant = ctx.tenant
    if tenant is None:
        raise ServiceError("没有可写入的单位")
    c = f.Collector()
    c.add("uscc", _uscc, data.get("uscc"))
    c.add(
        "enterprise_name", f.text, data.get("enterprise_name"), 200, required=True, label="企业名称"
    )
    c.add("contact_name", f.text, data.get("contact_name"), 64, required=True, label="联系人")
    c.add("contact_phone", _phone, data.get("contact_phone"))
    c.add("username", _username, data.get("username"))
    c.add("password", _password, data.get("password"))
    if c.errors:
        raise ServiceError("注册信息有误，请按提示修改", c.errors)
    v = c.clean
    if db.session.execute(select(User.id).where(User.username == v["username"])).first():
        raise Conflict("用户名已被使用", {"username": ["已被占用，请换一个"]})
    user = User(
        username=v["username"],
        display_name=v["contact_name"],
        password_hash=hash_password(v["password"]),
        home_tenant_id=tenant.id,
    )
    db.session.add(user)
    db.session.flush()
    account = EnterpriseAccount(
        user_id=user.id,
        uscc=v["uscc"],
        enterprise_name=v["enterprise_name"],
        contact_name=v["contact_name"],
        contact_phone=v["contact_phone"],
    )
    db.session.add(account)
    db.session.flush()
    audit.record(
        ctx,
        "enterprise_account.registered",
        object_type="enterprise_account",
        object_id=account.id,
        actor=v["username"],
        after={**account.as_dict(), "username": v["username"]},
    )
    return account


def get_account(account_id: int) -> EnterpriseAccount:
    acc = None
    if 0 < account_id <= MAX_ID:
        acc = db.session.execute(
            select(EnterpriseAccount).where(EnterpriseAccount.id == account_id)
        ).scalar_one_or_none()
    if acc is None:
        raise NotFound("没有找到该注册申请")
    return acc


def accounts(
    ctx: Context, status: str = "pending", after: int | None = None, limit: int = 50
) -> Page:
    require_action(ctx, Perm.ENTERPRISE_ACCOUNTS_VERIFY)
    stmt = select(EnterpriseAccount).where(EnterpriseAccount.status == status)
    return keyset_page(stmt, EnterpriseAccount.id, after, limit)


def _undecided(acc: EnterpriseAccount) -> None:
    if acc.status != "pending":
        raise Conflict("该注册申请已处理", {"status": [f"当前状态：{acc.status}"]})


def verify(ctx: Context, acc: EnterpriseAccount) -> EnterpriseAccount:
    """Link to the registry's enterprise with the applicant's code; grant the enterprise role."""
    require_action(ctx, Perm.ENTERPRISE_ACCOUNTS_VERIFY)
    _undecided(acc)
    enterprise = db.session.execute(
        select(Enterprise).where(Enterprise.uscc == acc.uscc)
    ).scalar_one_or_none()
    if enterprise is None:
        raise ValidationFailed.field(
            "uscc",
            f"本单位企业名录中没有统一社会信用代码为 {acc.uscc} 的企业，请先登记该企业再审核",
        )
    acc.enterprise_id, acc.status = enterprise.id, "verified"
    acc.decided_by, acc.decided_at = ctx.user_id, utcnow()
    has_role = db.session.execute(
        select(RoleGrant.id).where(
            RoleGrant.user_id == acc.user_id,
            RoleGrant.role == Role.ENTERPRISE.value,
            RoleGrant.tenant_id == ctx.tenant_id,
        )
    ).first()
    if not has_role:
        db.session.add(
            RoleGrant(user_id=acc.user_id, role=Role.ENTERPRISE.value, granted_by=ctx.user_id)
        )
    db.session.flush()
    audit.record(
        ctx,
        "enterprise_account.verified",
        object_type="enterprise_account",
        object_id=acc.id,
        before={"status": "pending"},
        after=acc.as_dict(),
    )
    return acc


def reject(ctx: Context, acc: EnterpriseAccount, reason: str) -> EnterpriseAccount:
    require_action(ctx, Perm.ENTERPRISE_ACCOUNTS_VERIFY)
    _undecided(acc)
    try:
        reason = f.text(reason, 255, required=True, label="驳回理由")
    except f.FieldProblem as exc:
        raise ValidationFailed.field("reason", str(exc)) from None
    acc.status, acc.reason = "rejected", reason
    acc.decided_by, acc.decided_at = ctx.user_id, utcnow()
    db.session.flush()
    audit.record(
        ctx,
        "enterprise_account.rejected",
        object_type="enterprise_account",
        object_id=acc.id,
        before={"status": "pending"},
        after=acc.as_dict(),
    )
    return acc


def link_verified(ctx: Context, user: User, enterprise: Enterprise) -> EnterpriseAccount:
    """The link of an enterprise user created by staff (no registration to review): verified
    at once by whoever creates it. The caller grants the enterprise role."""
    account = EnterpriseAccount(
        user_id=user.id,
        uscc=enterprise.uscc,
        enterprise_name=enterprise.name,
        contact_name=user.display_name,
        contact_phone="",
        enterprise_id=enterprise.id,
        status="verified",
        decided_by=ctx.user_id,
        decided_at=utcnow(),
    )
    db.session.add(account)
    db.session.flush()
    return account


def registration_of(user_id: int) -> EnterpriseAccount | None:
    """The user's registration with this tenant, if any (for the login page's answer)."""
    return (
        db.session.execute(
            select(EnterpriseAccount)
            .where(EnterpriseAccount.user_id == user_id)
            .order_by(EnterpriseAccount.id.desc())
        )
        .scalars()
        .first()
    )


def my_enterprise(ctx: Context) -> Enterprise:
    """The acting enterprise user's own enterprise, from their verified account link only."""
    require_action(ctx, Perm.OWN_ENTERPRISE_VIEW)
    user_id = ctx.user_id
    row = (
        db.session.execute(
            select(Enterprise)
            .join(EnterpriseAccount, EnterpriseAccount.enterprise_id == Enterprise.id)
            .where(EnterpriseAccount.user_id == user_id, EnterpriseAccount.status == "verified")
        )
        .scalars()
        .first()
    )
    if row is None:
        raise NotFound("您的账号尚未关联企业")
    return row
