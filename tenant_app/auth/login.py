"""Password login at a tenant: throttled, audited, and only for people with a role there."""

from __future__ import annotations

from flask_babel import gettext as _

from tenant_app.accounts.users import user_by_username
from tenant_app.audit import log as audit
from tenant_app.auth import throttle
from tenant_app.auth.credentials import stored_hash
from tenant_app.auth.passwords import hash_password, needs_rehash, verify_password
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError, Throttled
from tenant_app.extensions import db
from tenant_app.models import Tenant, User
from tenant_app.registry.services.enterprise_accounts import registration_of
from tenant_app.tenancy.resolve import roles_at, tenant_scope
from tenant_app.tenancy.scope import use_scope


class LoginRefused(ServiceError):
    status = 401
    code = "login_refused"


def _refusal(reason: str, user: User | None) -> str:
    """What the person is told. Only someone who typed the right password learns more than
    "wrong": a registrant whose enterprise account awaits review, or was turned down."""
    if reason == "no_role_here" and user is not None:
        registration = registration_of(user.id)
        if registration is not None and registration.status == "pending":
            return _("您的企业账号注册申请正在审核中，审核通过后即可登录")
        if registration is not None and registration.status == "rejected":
            return _("您的企业账号注册申请未通过审核：%(reason)s", reason=registration.reason)
    return _("用户名或密码错误，或您在本单位没有账号")


def _known_here(tenant: Tenant, user: User | None) -> bool:
    """Whether this tenant may learn why the account was refused: its own accounts and the
    accounts holding a role here. For anyone else its audit log says only "refused", so it
    never learns that a password of another tenant's user was right."""
    return user is not None and (user.home_tenant_id == tenant.id or bool(roles_at(tenant, user)))


def _log_refusal(
    ctx: Context, tenant: Tenant, username: str, user: User | None, reason: str
) -> None:
    address = ctx.address
    if user is None:  # nobody we know: tallied, one aggregated entry an hour (issue 12)
        audit.record_anonymous(ctx, "login.failed", name=username, reason="unknown_user")
        return
    shown = reason if _known_here(tenant, user) else "refused"
    audit.record_now(
        ctx,
        "login.failed",
        object_type="user",
        object_id=username,
        actor=username,
        after={"reason": shown, "address": address},
    )
    if shown != reason and reason != "bad_credentials":
        # The right password was typed at another tenant's login page: the account's home
        # tenant is told (it may mean the password is known to someone else).
        home = db.session.get(Tenant, user.home_tenant_id)
        if home is not None:
            with use_scope(tenant_scope(home)):
                audit.record_now(
                    ctx,
                    "login.refused_elsewhere",
                    object_type="user",
                    object_id=user.id,
                    actor=username,
                    after={"tenant": tenant.slug, "reason": reason, "address": address},
                )


def attempt_login(
    ctx: Context, username: str, password: str, device_cookie: str | None = None
) -> User:
    """Return the user, or raise. Every attempt is written to the tenant's audit log, with the
    address the context says it came from."""
    tenant, address = ctx.tenant, ctx.address
    if tenant is None:
        raise RuntimeError("a login happens at a tenant")
    username = username.strip()
    user = user_by_username(username)
    device = throttle.known_device(device_cookie, user.id if user else None)
    # Nothing is pending: hand the request's connection back before the limiter takes its
    # own, so N parallel logins never hold 2N connections of the pool at once.
    db.session.commit()
    try:
        admission = throttle.admit(username, address, device)
    except Throttled:
        if user is None:
            audit.record_anonymous(ctx, "login.throttled", name=username)
            raise
        audit.record_now(
            ctx,
            "login.throttled",
            object_type="user",
            object_id=username,
            actor=username,
            after={"address": address},
        )
        raise
    current_hash = stored_hash(user.username) if user else None
    ok = verify_password(current_hash, password)
    reason = None
    if not ok:
        reason = "bad_credentials"
    elif user is None or not user.active:
        reason = "inactive"
    elif not roles_at(tenant, user):
        reason = "no_role_here"
    if reason is not None:
        _log_refusal(ctx, tenant, username, user, reason)
        raise LoginRefused(_refusal(reason, user))
    assert user is not None and current_hash is not None
    admission.succeeded()
    if needs_rehash(current_hash):
        user.password_hash = hash_password(password)
    audit.record(
        ctx,
        "login.succeeded",
        object_type="user",
        object_id=user.id,
        actor=user.username,
        after={"address": address},
    )
    db.session.commit()
    return user
