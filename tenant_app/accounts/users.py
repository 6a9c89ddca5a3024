"""Accounts, role grants and API tokens.

Accounts are isolated like data (docs/security.md): a tenant admin manages only accounts whose
home tenant is theirs or a descendant. A role for anyone else is *proposed* and decided by the
account's home tenant; the platform superadmin grants across tenants directly. The proposer is
answered the same whether the username exists or not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from tenant_app import clock
from tenant_app.audit import log as audit
from tenant_app.auth import sessions as session_store
from tenant_app.auth import tokens as token_store
from tenant_app.auth.credentials import stored_hash
from tenant_app.auth.passwords import hash_password, password_problem, verify_password
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import OVERSIGHT_ROLES, ROLE_LABELS, Perm, Role
from tenant_app.auth.tokens import issue_token
from tenant_app.context import Context
from tenant_app.core import uscc as uscc_rules
from tenant_app.core.errors import Conflict, ServiceError, ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import (
    ApiToken,
    Enterprise,
    RoleGrant,
    RoleProposal,
    Tenant,
    User,
    UserSession,
)
from tenant_app.models.tenant import Level
from tenant_app.tenancy.resolve import all_tenant_ids, subtree_ids, tenant_scope
from tenant_app.tenancy.scope import Scope, use_scope


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Refused(ServiceError):
    status = 403
    code = "forbidden"


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
    ctx: Context,
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
    require_action(ctx, Perm.USERS_MANAGE)
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
                granted_by=ctx.user_id,
            )
        )
    if enterprise is not None:
        from tenant_app.registry.services.enterprise_accounts import link_verified

        link_verified(ctx, user, enterprise)
    audit.record(
        ctx,
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


def _oversees_all(ctx: Context) -> bool:
    """The superadmin, and the operator's commands (no person acts), reach every account."""
    return not ctx.actor.is_person or ctx.has_role(Role.SUPERADMIN)


def manages(ctx: Context, tenant: Tenant, user: User) -> bool:
    """Whether the caller, acting at ``tenant``, manages this account: its home is ``tenant``
    or a descendant. The superadmin and operator commands manage every account."""
    if _oversees_all(ctx):
        return True
    home = db.session.get(Tenant, user.home_tenant_id)
    return home is not None and home.path.startswith(tenant.path)


def _grantable_role(role: str, tenant: Tenant) -> Role:
    r = _check_role(role, tenant)
    if r is Role.ENTERPRISE:
        raise ValidationFailed.field(
            "role", "企业用户角色随企业账号授予：请新建企业用户并填写企业信用代码，或审核其注册申请"
        )
    return r


def grant_role(ctx: Context, *, tenant: Tenant, user: User, role: str) -> RoleGrant:
    """Grant a role in this tenant to an account the caller manages (or, for the superadmin and
    operator commands, to any account). Anyone else's account is unknown here: 404."""
    require_action(ctx, Perm.USERS_MANAGE)
    r = _grantable_role(role, tenant)
    if not manages(ctx, tenant, user):
        raise NotFound("没有这个用户名")
    return _grant(ctx, tenant, user, r)


def _grant(ctx: Context, tenant: Tenant, user: User, r: Role) -> RoleGrant:
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
    grant = RoleGrant(tenant_id=tenant.id, user_id=user.id, role=r.value, granted_by=ctx.user_id)
    db.session.add(grant)
    audit.record(
        ctx,
        "role.granted",
        object_type="user",
        object_id=user.id,
        after={"role": r.value, "username": user.username},
    )
    return grant


def revoke_role(ctx: Context, *, tenant: Tenant, user: User, role: str) -> None:
    require_action(ctx, Perm.USERS_MANAGE)
    grant = db.session.execute(
        select(RoleGrant).where(
            RoleGrant.tenant_id == tenant.id, RoleGrant.user_id == user.id, RoleGrant.role == role
        )
    ).scalar_one_or_none()
    if grant is None:
        raise ValidationFailed.field("role", "该用户在本租户没有这个角色")
    db.session.delete(grant)
    # Page sessions opened at this tenant end with the role: the person signs in again with
    # what they still hold. Sessions elsewhere and API tokens are the other tenants' business
    # (a token's roles are resolved per request, so the revoked role is gone for it at once).
    # An oversight role also reached the descendants: sessions opened there end with it too.
    reach = subtree_ids(tenant) if role in {r.value for r in OVERSIGHT_ROLES} else (tenant.id,)
    ended = session_store.revoke_sessions(user.id, "role_revoked", tenant_ids=reach)
    audit.record(
        ctx,
        "role.revoked",
        object_type="user",
        object_id=user.id,
        before={"role": role, "username": user.username},
        after={"sessions_ended": len(ended)},
    )


def _grant_tenants(ctx: Context, user: User) -> set[int]:
    """Every tenant where the account holds a role. The one read across tenants this service
    makes: widened for this query only, as roles_at() does for a user's ancestors."""
    with use_scope(Scope(read_ids=all_tenant_ids(), user_id=ctx.user_id)):
        return set(
            db.session.execute(
                select(RoleGrant.tenant_id).where(RoleGrant.user_id == user.id).distinct()
            ).scalars()
        )


def set_active(ctx: Context, user: User, active: bool, *, tenant: Tenant) -> None:
    """Deactivate or re-activate an account the caller manages. An account that also holds
    roles outside the caller's tenant and its descendants is left to the superadmin: changing
    it would lock out (or let back in) someone another tenant relies on. Deactivation ends
    every session and API token of the account."""
    require_action(ctx, Perm.USERS_MANAGE)
    if user.id == ctx.user_id and not active:
        raise ValidationFailed.field("active", "不能停用自己的账号")
    if not manages(ctx, tenant, user):
        raise Refused(
            "该账号不属于本单位，只能由其所属单位或平台超级管理员停用或启用；"
            "如不再需要其在本单位工作，请撤销其在本单位的角色",
            {"active": ["该账号属于其他单位"]},
        )
    elsewhere = not _oversees_all(ctx) and bool(
        _grant_tenants(ctx, user) - set(subtree_ids(tenant))
    )
    if elsewhere:
        raise Refused(
            "该账号在本单位管辖范围以外的单位还担任角色，停用或启用会影响这些单位；"
            "请先由相关单位撤销其角色，或请平台超级管理员处理",
            {"active": ["该账号在其他单位还有角色"]},
        )
    before = user.active
    user.active = active
    ended_sessions: list[int] = []
    ended_tokens: list[ApiToken] = []
    if not active:
        ended_sessions = session_store.revoke_sessions(user.id, "deactivated")
        ended_tokens = token_store.revoke_all(user.id)
    audit.record(
        ctx,
        "user.activated" if active else "user.deactivated",
        object_type="user",
        object_id=user.id,
        before={"active": before},
        after={
            "active": active,
            "sessions_ended": len(ended_sessions),
            "tokens_revoked": len(ended_tokens),
        },
    )


# --- cross-tenant role proposals -------------------------------------------------------------

PROPOSAL_STATES = ("pending", "accepted", "declined", "withdrawn")


def grant_or_propose(
    ctx: Context, *, tenant: Tenant, username: str, role: str
) -> RoleGrant | RoleProposal:
    """The grant form's one entry point. An account the caller manages gets the role at once;
    for any other username (another tenant's account, or none at all) a proposal is recorded
    and answered identically, so the answer says nothing about other tenants' users."""
    require_action(ctx, Perm.USERS_MANAGE)
    r = _grantable_role(role, tenant)
    username = username.strip()
    user = user_by_username(username)
    if user is not None and manages(ctx, tenant, user):
        return _grant(ctx, tenant, user, r)
    existing = db.session.execute(
        select(RoleProposal).where(
            RoleProposal.tenant_id == tenant.id,
            RoleProposal.username == username,
            RoleProposal.role == r.value,
            RoleProposal.status == "pending",
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    proposal = RoleProposal(
        tenant_id=tenant.id,
        username=username,
        user_id=user.id if user is not None else None,
        home_tenant_id=user.home_tenant_id if user is not None else None,
        role=r.value,
        proposed_by=ctx.user_id,
    )
    db.session.add(proposal)
    db.session.flush()
    audit.record(
        ctx,
        "role.proposed",
        object_type="role_proposal",
        object_id=proposal.id,
        after={"username": username, "role": r.value},
    )
    return proposal


def proposals_made(tenant: Tenant) -> list[RoleProposal]:
    """This tenant's proposals (the scope keeps it to this tenant)."""
    return list(
        db.session.execute(
            select(RoleProposal)
            .where(RoleProposal.tenant_id == tenant.id)
            .order_by(RoleProposal.id.desc())
            .limit(200)
        ).scalars()
    )


def _received_stmt(tenant: Tenant) -> Select[Any]:
    # Other tenants' rows, narrowed to those addressed to this tenant's accounts; PostgreSQL's
    # RLS grants exactly this extra read on role_proposals (migration 0006a).
    return (
        select(RoleProposal)
        .where(RoleProposal.home_tenant_id == tenant.id)
        .execution_options(all_tenants=True)
    )


def proposals_received(tenant: Tenant) -> list[RoleProposal]:
    """Pending proposals for accounts whose home is this tenant."""
    stmt = _received_stmt(tenant).where(RoleProposal.status == "pending").order_by(RoleProposal.id)
    return [p for p in db.session.execute(stmt).scalars()]


def received_proposal(tenant: Tenant, proposal_id: int) -> RoleProposal:
    """A pending proposal addressed to this tenant's accounts, else NotFound/Conflict."""
    stmt = _received_stmt(tenant).where(RoleProposal.id == proposal_id)
    proposal: RoleProposal | None = db.session.execute(stmt).scalar_one_or_none()
    if proposal is None:
        raise NotFound("没有这项授权提议")
    if proposal.status != "pending":
        raise Conflict(f"该提议已处理（{proposal.status}）")
    return proposal


def decide_proposal(
    ctx: Context, *, tenant: Tenant, proposal_id: int, accept: bool, reason: str = ""
) -> RoleProposal:
    """The home tenant's admin accepts (the role is granted in the proposing tenant) or
    declines. Written in both tenants' audit chains; the grant itself in the proposer's scope,
    switched to for that one write as filings' acknowledgements do."""
    require_action(ctx, Perm.USERS_MANAGE)
    proposal = received_proposal(tenant, proposal_id)
    user = db.session.get(User, proposal.user_id) if proposal.user_id is not None else None
    if user is None:
        raise NotFound("没有这项授权提议")
    proposer = db.session.get(Tenant, proposal.tenant_id)
    assert proposer is not None
    reason = reason.strip()[:200]
    decider = ctx.user_id
    with use_scope(tenant_scope(proposer, decider)):
        if accept:
            _grant(ctx, proposer, user, Role(proposal.role))
        proposal.status = "accepted" if accept else "declined"
        proposal.decided_by, proposal.decided_at, proposal.reason = decider, clock.utcnow(), reason
        audit.record(
            ctx,
            "role.proposal_accepted" if accept else "role.proposal_declined",
            object_type="role_proposal",
            object_id=proposal.id,
            after={"username": proposal.username, "role": proposal.role, "reason": reason},
        )
        db.session.flush()  # the proposer's rows, while its scope is the write tenant
    audit.record(
        ctx,
        "role.proposal_accepted" if accept else "role.proposal_declined",
        object_type="user",
        object_id=user.id,
        after={
            "proposal": proposal.id,
            "tenant": proposer.slug,
            "role": proposal.role,
            "reason": reason,
        },
    )
    return proposal


def withdraw_proposal(ctx: Context, *, tenant: Tenant, proposal_id: int) -> RoleProposal:
    require_action(ctx, Perm.USERS_MANAGE)
    proposal = db.session.execute(
        select(RoleProposal).where(RoleProposal.id == proposal_id)
    ).scalar_one_or_none()
    if proposal is None:
        raise NotFound("没有这项授权提议")
    if proposal.status != "pending":
        raise Conflict("该提议已处理，不能撤回")
    proposal.status, proposal.decided_at = "withdrawn", clock.utcnow()
    proposal.decided_by = ctx.user_id
    audit.record(
        ctx,
        "role.proposal_withdrawn",
        object_type="role_proposal",
        object_id=proposal.id,
        after={"username": proposal.username, "role": proposal.role},
    )
    return proposal


# --- the user's own account: password, sessions, tokens --------------------------------------


@contextmanager
def _home(user: User) -> Iterator[None]:
    """Self-service changes are written to the account's home tenant's audit chain."""
    home = db.session.get(Tenant, user.home_tenant_id)
    assert home is not None
    with use_scope(tenant_scope(home, user.id)):
        yield
        db.session.flush()


def change_password(
    ctx: Context, user: User, current: str, new: str, keep_session_id: int | None = None
) -> list[int]:
    """Check the current password, set the new one, end every other session of the account."""
    stored = stored_hash(user.username)  # never user.password_hash: the app role cannot read it
    if not verify_password(stored, current):
        raise ValidationFailed.field("current_password", "当前密码不正确")
    if (problem := password_problem(new)) is not None:
        raise ValidationFailed.field("new_password", problem)
    if verify_password(stored, new):
        raise ValidationFailed.field("new_password", "新密码不能与当前密码相同")
    with _home(user):
        user.password_hash = hash_password(new)
        ended = session_store.revoke_sessions(user.id, "password_changed", keep_id=keep_session_id)
        audit.record(
            ctx,
            "user.password_changed",
            object_type="user",
            object_id=user.id,
            after={"sessions_ended": len(ended)},
        )
    return ended


def end_own_session(ctx: Context, user: User, session_id: int, reason: str = "revoked") -> None:
    row = db.session.execute(
        select(UserSession).where(
            UserSession.id == session_id,
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("没有这个会话")
    with _home(user):
        row.revoked_at, row.revoked_reason = clock.utcnow(), reason
        audit.record(
            ctx,
            "session.ended",
            object_type="user_session",
            object_id=row.id,
            after={"reason": reason, "address": row.address},
        )


def revoke_own_token(ctx: Context, user: User, token_id: int) -> None:
    token = db.session.execute(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None:
        raise NotFound("没有这个令牌")
    with _home(user):
        done = token_store.revoke(token)
        audit.record(
            ctx,
            "token.revoked",
            object_type="api_token",
            object_id=token.id,
            after={"prefix": token.prefix, "with_minted": [t.prefix for t in done[1:]]},
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


def create_token(
    ctx: Context,
    user: User,
    name: str = "",
    *,
    parent: ApiToken | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new API token; the raw value is returned once and never stored. Minted with a token
    (``parent``), it expires no later than that token and is revoked with it."""
    if expires_at is not None and expires_at <= clock.utcnow():
        raise ValidationFailed.field("expires_in_days", "有效期须在将来")
    token, raw = issue_token(user, name, parent=parent, expires_at=expires_at)
    db.session.flush()
    audit.record(
        ctx,
        "token.created",
        object_type="api_token",
        object_id=token.id,
        after={
            "user": user.username,
            "name": name,
            "prefix": token.prefix,
            "parent": parent.prefix if parent is not None else None,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        },
    )
    return token, raw


def role_choices(tenant: Tenant) -> list[tuple[str, str]]:
    platform = tenant.level == Level.PLATFORM
    return [
        (r.value, label) for r, label in ROLE_LABELS.items() if (r is Role.SUPERADMIN) == platform
    ]


def officer_pool(ctx: Context, ids: list[int] | None = None) -> list[User]:
    """Active users holding the officer role in the acting tenant (ordered by id): the pool
    inspections draw and pair from and cases assign."""
    stmt = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            RoleGrant.role == "officer",
            RoleGrant.tenant_id == ctx.tenant_id,
            User.active.is_(True),
        )
        .order_by(User.id)
    )
    if ids is not None:
        stmt = stmt.where(User.id.in_(ids))
    return list(db.session.execute(stmt).scalars().unique())
