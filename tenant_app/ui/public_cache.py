"""Cached public pages (issue 13 item 2): the positive list, notices, publications, enforcement
publicity and draws of a tenant, and their exports.

One number says when a tenant's public content last changed: ``tenants.publication_version``,
bumped (with ``published_at``) in the same transaction as every write that can alter what those
pages show (``_bump_publication`` below, a session event, so no service can forget it). A public
response then carries

* ``ETag``: a hash of the tenant, its publication version, the day (lists depend on today: an
  entry's validity ends), the language, the latest audit checkpoint shown on the list page and
  the URL with its query (print, export format, filters);
* ``Last-Modified``: ``published_at`` (a conditional GET is answered from the ETag only);
* ``Cache-Control: public, max-age=60, s-maxage=300``: a browser re-asks after a minute (and
  gets a 304 for the price of one indexed read), the reverse proxy (deploy/nginx.conf) serves a
  page for up to five minutes. A public notice runs for days (公示期), so a new publication
  showing up to five minutes late at the proxy costs nothing, while the app itself is exact;
* and the body is kept in the server-side cache (Flask-Caching: Redis when ``CACHE_REDIS_URL``
  or ``REDIS_URL`` is set, a per-process SimpleCache otherwise) under the ETag: a new version is
  a new key, so nothing is ever invalidated by hand and old keys simply expire.

Only anonymous visitors get the shared cache: a signed-in user (whose page carries their name
and a CSRF token) or a visitor with a pending flash message gets the page rendered for them,
``private, no-cache``. Only 200 answers are cached, never one that sets a cookie.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Flask, Response, g, make_response, request, session
from flask_babel import get_locale
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from tenant_app import clock
from tenant_app.audit import checkpoints as audit_checkpoints
from tenant_app.extensions import db
from tenant_app.models import (
    Campaign,
    Case,
    CaseViolation,
    Draw,
    Enterprise,
    InspectionPlan,
    ListingBatch,
    ListingEntry,
    ListingObjection,
    PolicyVersion,
    RoleGrant,
    Tenant,
    User,
)
from tenant_app.tenancy.scope import current_scope

cache = Cache()
CACHE_CONTROL = "public, max-age=60, s-maxage=300"
PRIVATE = "private, no-cache"

# Rows the public pages show, whole: any write to one changes its tenant's pages.
PUBLIC_ROWS: tuple[type, ...] = (
    ListingEntry,
    ListingBatch,
    ListingObjection,
    Draw,
    Campaign,
    InspectionPlan,
    Case,
    CaseViolation,
    RoleGrant,  # the officers published on the enforcement page
)
# Rows the public pages show in part: only these fields matter.
PUBLIC_FIELDS: dict[type, frozenset[str]] = {
    Enterprise: frozenset({"name", "uscc", "address", "industry_code", "permit_no"}),
    User: frozenset({"display_name", "certificate_no", "active"}),
}


def init_app(app: Flask) -> None:
    redis_url = app.config["CACHE_REDIS_URL"] or app.config["REDIS_URL"]
    config: dict[str, Any] = {
        "CACHE_DEFAULT_TIMEOUT": app.config["PUBLIC_CACHE_SECONDS"],
        "CACHE_KEY_PREFIX": "tenant_app:public:",
    }
    if redis_url:
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url)
    else:
        config.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=2000)
    cache.init_app(app, config=config)


def publication(tenant_id: int) -> tuple[int, datetime | None]:
    """The tenant's publication version and time, read now (the cached tenant may be older)."""
    version, at = db.session.execute(
        select(Tenant.publication_version, Tenant.published_at).where(Tenant.id == tenant_id)
    ).one()
    return int(version), at


def _etag(tenant: Tenant, version: int) -> str:
    checkpoint = audit_checkpoints.latest(tenant)
    parts = [
        str(tenant.id),
        str(version),
        clock.today().isoformat(),
        str(get_locale()),
        "" if checkpoint is None else repr(checkpoint),
        request.full_path,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _shareable() -> bool:
    return not current_user.is_authenticated and not session.get("_flashes")


def _stamp(rv: Response, etag: str, published_at: datetime | None) -> Response:
    rv.set_etag(etag)
    rv.last_modified = published_at or datetime(2026, 1, 1, tzinfo=UTC)
    rv.headers["Cache-Control"] = CACHE_CONTROL
    rv.vary.add("Cookie")
    return rv


def public_cached(view: Callable[..., Any]) -> Callable[..., Any]:
    """For GET views of the public pages (inside ``@permission(PUBLIC)``)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method != "GET" or not _shareable():
            rv = make_response(view(*args, **kwargs))
            rv.headers["Cache-Control"] = PRIVATE
            return rv
        tenant: Tenant = g.tenant
        version, published_at = publication(tenant.id)
        etag = _etag(tenant, version)
        if etag in request.if_none_match:
            return _stamp(Response(status=304), etag, published_at)
        stored = cache.get(etag)
        if stored is not None:
            body, mimetype, headers = stored
            return _stamp(Response(body, mimetype=mimetype, headers=headers), etag, published_at)
        rv = make_response(view(*args, **kwargs))
        if rv.status_code == 200 and "Set-Cookie" not in rv.headers and _shareable():
            headers = [(k, v) for k, v in rv.headers.items() if k == "Content-Disposition"]
            cache.set(etag, (rv.get_data(), rv.mimetype, headers))
            return _stamp(rv, etag, published_at)
        rv.headers["Cache-Control"] = PRIVATE
        return rv

    return wrapper


def _changes_public(session: Session, obj: object) -> bool:
    if isinstance(obj, PUBLIC_ROWS):
        return True
    fields = PUBLIC_FIELDS.get(type(obj))
    if fields is None:
        return False
    if obj in session.new or obj in session.deleted:
        return isinstance(obj, Enterprise) and obj in session.deleted
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _tenants_of(obj: object) -> set[int]:
    if isinstance(obj, User):
        return {obj.home_tenant_id} if obj.home_tenant_id is not None else set()
    # a new row is stamped with the write tenant later in this flush (tenancy/guard.py)
    tenant_id = getattr(obj, "tenant_id", None) or current_scope().tenant_id
    return {tenant_id} if tenant_id is not None else set()


@event.listens_for(Session, "before_flush")
def _bump_publication(session: Session, flush_context: Any, instances: Any) -> None:
    """Before the flush (while attribute histories still show what changes): bump the version
    of every tenant whose public pages this flush alters, in the same transaction. A policy
    version bumps its tenant's subtree: children inherit it."""
    tenants: set[int] = set()
    subtrees: set[int] = set()
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, PolicyVersion):
            subtrees |= _tenants_of(obj)
        elif _changes_public(session, obj):
            tenants |= _tenants_of(obj)
    if not tenants and not subtrees:
        return
    bump = {"publication_version": Tenant.publication_version + 1, "published_at": clock.utcnow()}
    conn = session.connection()
    if tenants:
        conn.execute(update(Tenant).where(Tenant.id.in_(sorted(tenants))).values(**bump))
    for tenant_id in sorted(subtrees):
        path = select(Tenant.path).where(Tenant.id == tenant_id).scalar_subquery()
        conn.execute(update(Tenant).where(Tenant.path.startswith(path)).values(**bump))
