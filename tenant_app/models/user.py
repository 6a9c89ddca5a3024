"""People and their rights: a platform-wide identity, role grants per tenant, API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime


class User(UserMixin, Model):
    """An account. Identity is platform-wide so one person can be granted roles in several
    tenants; what they may do lives in RoleGrant, which is tenant data (docs/decisions.md)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    # Deferred: on PostgreSQL the app role has no SELECT on this column (auth/credentials.py).
    password_hash: Mapped[str] = mapped_column(String(255), deferred=True)
    home_tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    certificate_no: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped in the transaction that changes the user's role grants (tenancy/resolve.py): the
    # per-process cache of roles is keyed by it, so every process sees a revocation at once.
    auth_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    home_tenant = relationship("Tenant")

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active


class RoleGrant(TenantScoped, Model):
    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id", "role"),
        Index("ix_role_grants_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(32))
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A token minted with a token: never outlives it (expiry capped, revoked with it).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"), index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class UserSession(Model):
    """A page session, server-side: the cookie carries a random id whose SHA-256 is stored here.
    Logout, password change, deactivation and role revocation set ``revoked_at``; the user's own
    page lists and revokes them. Platform-wide like the account (one person, one list)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    login_tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(32))

    login_tenant = relationship("Tenant")


class RateLimitCounter(Model):
    """One fixed window of one rate-limit key (core/ratelimit.py, database backend)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RoleProposal(TenantScoped, Model):
    """A role in this tenant proposed for an account whose home is elsewhere, decided by that
    account's home tenant (docs/security.md). The row is the proposing tenant's; the home
    tenant reads it through an extra RLS read policy on ``home_tenant_id``. ``user_id`` and
    ``home_tenant_id`` are NULL when the typed username matches no account: the proposer is
    answered the same either way and never sees them."""

    __tablename__ = "role_proposals"
    __table_args__ = (
        Index("ix_role_proposals_tenant_id_status", "tenant_id", "status"),
        Index("ix_role_proposals_home_tenant_id_status", "home_tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    home_tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"))
    role: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    tenant = relationship("Tenant", foreign_keys="RoleProposal.tenant_id")
