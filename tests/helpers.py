"""Small helpers the tests share: demo data, login through the real form, API tokens."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from tenant_app.accounts import users as user_service
from tenant_app.demo import DEMO_PASSWORD, seed_demo
from tenant_app.extensions import db
from tenant_app.models import Tenant, User
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_by_slug
from tenant_app.tenancy.scope import use_scope

PASSWORD = DEMO_PASSWORD
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def seed_world() -> dict[str, Any]:
    """The demo regions and accounts (tenant_app/demo/regions.py): real slugs, codes and roles."""
    seed_demo()
    with use_scope(system_scope()):
        tenants = {t.slug: t for t in db.session.execute(select(Tenant)).scalars()}
        users = {u.username: u for u in db.session.execute(select(User)).scalars()}
    return {"tenants": tenants, "users": users}


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: Any, slug: str, username: str, password: str = PASSWORD) -> Any:
    page = client.get(f"/{slug}/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        f"/{slug}/login", data={"username": username, "password": password, "csrf_token": token}
    )


def post_form(client: Any, page_url: str, post_url: str, data: dict[str, Any]) -> Any:
    """Submit a form the way a browser does: read the CSRF token from the page first."""
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(post_url, data={**data, "csrf_token": token})


def token_for(username: str) -> str:
    with use_scope(system_scope()):
        user = user_service.user_by_username(username)
        assert user is not None
    with use_scope(system_scope(user.home_tenant_id)):
        _row, raw = user_service.create_token(scope_context(), user, "test")
        db.session.commit()
    return raw


def bearer(username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(username)}"}


def tenant(slug: str) -> Tenant:
    with use_scope(system_scope()):
        t = tenant_by_slug(slug)
    assert t is not None
    return t
