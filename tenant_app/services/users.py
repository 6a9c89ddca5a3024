"""Accounts, role grants and API tokens."""

from __future__ import annotations

import re

from sqlalchemy import select

from ..auth.passwords import hash_password, password_problem
from ..auth.permissions import require_action
from ..auth.roles import ROLE_LABELS, Perm, Role
from ..auth.tokens import issue_token
from ..extensions import db
from ..models import ApiToken, Enterprise, RoleGrant, Tenant, User
from ..models.tenant import Level
from ..tenancy.scope import current_scope
from . import audit
from . import uscc as uscc_rules
from .errors import Conflict, ValidationFailed

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")


def _check_role(role: str, tenant: Tenant) -> Role:
    try:
        r = Role(role)
    except ValueError:
        raise ValidationFailed.field("role", f"未知角色：{role}") from None
    if (r is Role.SUPERADMIN) != (tenant.level == Level.PLATFORM):
        raise ValidationFailed.field(
            "role", "平台超级管理员只能在平台租户授予，平台租户也只授予该角色"
        )
    return r


def create_user(
    *,
    tenant: Tenant,
    username: str,
    display_name: str,
    password: str,
    roles: list[str],
    certificate_no: str | None = None,
    enterprise_uscc: str | None = None,
) -> User:
    """A new account whose home is ``tenant``, with its first roles there. An enterprise user
    acts for one enterprise of this tenant's registry, named by its credit code: the account is
    created already linked (as if its registration had been verified), never without a link."""
    require_action(Perm.USERS_MANAGE)
    username, display_name = username.strip(), display_name.strip()
    if not USERNAME_RE.match(username):
        raise ValidationFailed.field("username", "用户名为 3–64 位字母、数字或 _ . @ -")
    if not display_name:
        raise ValidationFailed.field("display_name", "请填写姓名")
    if (problem := password_problem(password)) is not None:
        raise ValidationFailed.field("password", problem)
    if not roles:
        raise ValidationFailed.field("roles", "至少选择一个角色")
    checked = [_check_role(r, tenant) for r in roles]
    if Role.OFFICER in checked and not (certificate_no or "").strip():
        raise ValidationFailed.field("certificate_no", "执法人员须填写执法证件号")
    enterprise = _enterprise_for(tenant, checked, enterprise_uscc)
    if db.session.execute(select(User.id).where(User.username == username)).first():
        raise Conflict("用户名已被使用", {"username": ["已被占用"]})
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        home_tenant_id=tenant.id,
        certificate_no=(certificate_no or "").strip() or None,
    )
    db.session.add(user)
    db.session.flush()
    for role in checked:
        db.session.add(
            RoleGrant(
                tenant_id=tenant.id,
                user_id=user.id,
                role=role.value,
                granted_by=current_scope().user_id,
            )
        )
    if enterprise is not None:
        from .enterprise_accounts import link_verified

        link_verified(user, enterprise)
    audit.record(
        "user.created",
        object_type="user",
        object_id=user.id,
        after={
            "username": username,
            "display_name": display_name,
            "roles": [r.value for r in checked],
            "certificate_no": user.certificate_no,
            "enterprise_uscc": enterprise.uscc if enterprise else None,
        },
    )
    return user


def _enterprise_for(tenant: Tenant, roles: list[Role], uscc: str | None) -> Enterprise | None:
    """The enterprise an enterprise user acts for, found in this tenant's registry."""
    if Role.ENTERPRISE not in roles:
        if (uscc or "").strip():
            raise ValidationFailed.field("enterprise_uscc", "只有企业用户才关联企业")
        return None
    if len(roles) > 1:
        raise ValidationFailed.field("roles", "企业用户不能同时担任工作人员角色")
    if not (uscc or "").strip():
        raise ValidationFailed.field(
            "enterprise_uscc", "企业用户须关联企业：请填写该企业的统一社会信用代码"
        )
    # Looked up as the registry holds it: the registry validated the code when it took it in.
    code = (uscc or "").strip().upper()
    # The account's home tenant, named: an operator's system scope reads every tenant's registry.
    enterprise = db.session.execute(
        select(Enterprise).where(Enterprise.tenant_id == tenant.id, Enterprise.uscc == code)
    ).scalar_one_or_none()
    if enterprise is None:
        _normalised, problem = uscc_rules.check(code)
        raise ValidationFailed.field(
            "enterprise_uscc", problem or f"本单位企业名录中没有统一社会信用代码为 {code} 的企业"
        )
    return enterprise


def grant_role(*, tenant: Tenant, user: User, role: str) -> RoleGrant:
    """Grant a role in this tenant, also to a user whose home is another tenant."""
    require_action(Perm.USERS_MANAGE)
    r = _check_role(role, tenant)
    if r is Role.ENTERPRISE:
        raise ValidationFailed.field(
            "role", "企业用户角色随企业账号授予：请新建企业用户并填写企业信用代码，或审核其注册申请"
        )
    if r is Role.OFFICER and not user.certificate_no:
        raise ValidationFailed.field("role", "该用户没有执法证件号，不能授予执法人员角色")
    exists = db.session.execute(
        select(RoleGrant).where(
            RoleGrant.tenant_id == tenant.id,
            RoleGrant.user_id == user.id,
            RoleGrant.role == r.value,
        )
    ).scalar_one_or_none()
    if exists:
        return exists
    grant = RoleGrant(
        tenant_id=tenant.id, user_id=user.id, role=r.value, granted_by=current_scope().user_id
    )
    db.session.add(grant)
    audit.record(
        "role.granted",
        object_type="user",
        object_id=user.id,
        after={"role": r.value, "username": user.username},
    )
    return grant


def revoke_role(*, tenant: Tenant, user: User, role: str) -> None:
    require_action(Perm.USERS_MANAGE)
    grant = db.session.execute(
        select(RoleGrant).where(
            RoleGrant.tenant_id == tenant.id, RoleGrant.user_id == user.id, RoleGrant.role == role
        )
    ).scalar_one_or_none()
    if grant is None:
        raise ValidationFailed.field("role", "该用户在本租户没有这个角色")
    db.session.delete(grant)
    audit.record(
        "role.revoked",
        object_type="user",
        object_id=user.id,
        before={"role": role, "username": user.username},
    )


def set_active(user: User, active: bool) -> None:
    require_action(Perm.USERS_MANAGE)
    if user.id == current_scope().user_id and not active:
        raise ValidationFailed.field("active", "不能停用自己的账号")
    before = user.active
    user.active = active
    audit.record(
        "user.activated" if active else "user.deactivated",
        object_type="user",
        object_id=user.id,
        before={"active": before},
        after={"active": active},
    )


def members(tenant: Tenant) -> list[tuple[User, list[str]]]:
    """Users holding a role in this tenant, with those roles (the scope keeps it to this tenant)."""
    rows = db.session.execute(
        select(User, RoleGrant.role)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.tenant_id == tenant.id)
        .order_by(User.username, RoleGrant.role)
    ).all()
    out: dict[int, tuple[User, list[str]]] = {}
    for user, role in rows:
        out.setdefault(user.id, (user, []))[1].append(role)
    return list(out.values())


def member_or_none(tenant: Tenant, user_id: int) -> User | None:
    """A user is visible to a tenant only when they hold a role there."""
    return db.session.execute(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.tenant_id == tenant.id, User.id == user_id)
        .limit(1)
    ).scalar_one_or_none()


def user_by_username(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token; the raw value is returned once and never stored."""
    token, raw = issue_token(user, name)
    db.session.flush()
    audit.record(
        "token.created",
        object_type="api_token",
        object_id=token.id,
        after={"user": user.username, "name": name, "prefix": token.prefix},
    )
    return token, raw


def role_choices(tenant: Tenant) -> list[tuple[str, str]]:
    platform = tenant.level == Level.PLATFORM
    return [
        (r.value, label) for r, label in ROLE_LABELS.items() if (r is Role.SUPERADMIN) == platform
    ]
