"""Tenant isolation, walked over every registered route.

A tenant admin of 太原 (tenant B) requests every page and API operation, under 乌鲁木齐's slug
(tenant A) and under their own slug with A's object ids. Nothing of A may come back: only 401,
403 or 404. A new route with a parameter this test does not know fails here until it is added.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tenant_app.extensions import db
from tenant_app.jobs import enqueue
from tenant_app.models import ApiToken
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from .helpers import bearer, csrf_from, login, tenant, token_for

ALLOWED = {401, 403, 404, 405}
# Routes that are public by design and show no tenant's private data.
PUBLIC_BY_DESIGN = {"public.index", "public.set_language", "public.healthz", "web.auth.login",
                    "web.auth.logout", "api_tenants.TenantList", "api-docs.openapi_json", "static"}


@pytest.fixture()
def tenant_a_objects(world: dict[str, Any]) -> dict[str, Any]:
    a = tenant("xj-urumqi")
    officer = world["users"]["urumqi-officer1"]
    with use_scope(tenant_scope(a, officer.id)):
        job_id = enqueue("housekeeping.self_check", {"steps": 1, "pause": 0},
                         job_id="selfcheck:a").id
        db.session.commit()
    token_for("urumqi-officer1")
    with use_scope(system_scope()):
        token_id = db.session.query(ApiToken.id).filter(ApiToken.user_id == officer.id).scalar()
    return {"job_id": job_id, "user_id": officer.id, "token_id": token_id,
            # Data only A may see (ids typed into a URL are echoed back, so they are no secret).
            "secrets": ["65010020260001", "第 1/1 步", "urumqi-officer1"]}


def _values(arg: str, slug: str, objs: dict[str, Any]) -> str:
    known = {"tenant": slug, "job_id": objs["job_id"], "user_id": objs["user_id"],
             "token_id": objs["token_id"], "role": "officer", "code": "en",
             "filename": "app.css", "state": "0", "year": "2027"}
    if arg not in known:
        pytest.fail(f"route parameter {arg!r} is new: teach test_isolation_routes a tenant-A value")
    return str(known[arg])


def _routes(app: Any) -> list[tuple[str, str, list[str]]]:
    out = []
    for rule in app.url_map.iter_rules():
        methods = sorted(m for m in rule.methods if m not in {"HEAD", "OPTIONS"})
        out.append((rule.endpoint, rule.rule, methods))
    return out


def _has_object_param(rule: str) -> bool:
    return any(p not in {"tenant", "code", "filename"}
               for p in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule))


def _url(rule: str, slug: str, objs: dict[str, Any]) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: _values(m.group(1), slug, objs), rule)


def test_tenant_b_sees_nothing_of_tenant_a_on_any_route(app, client, tenant_a_objects):
    assert login(client, "sx-taiyuan", "taiyuan-admin").status_code == 302
    csrf = csrf_from(client.get("/sx-taiyuan/admin/users/").get_data(as_text=True))
    api_headers = bearer("taiyuan-admin")
    checked = 0
    for endpoint, rule, methods in _routes(app):
        if endpoint in PUBLIC_BY_DESIGN:
            continue
        for slug in ("xj-urumqi", "sx-taiyuan"):
            if "<tenant>" not in rule and slug == "sx-taiyuan":
                continue
            url = _url(rule, slug, tenant_a_objects)
            for method in methods:
                if rule.startswith("/api/"):
                    resp = client.open(url, method=method, headers=api_headers, json={})
                else:
                    resp = client.open(url, method=method, data={"csrf_token": csrf})
                body = resp.get_data(as_text=True)
                leaked = [s for s in tenant_a_objects["secrets"] if s in body]
                own = slug == "sx-taiyuan" or "<tenant>" not in rule
                own_listing = own and not _has_object_param(rule)
                assert (own_listing or resp.status_code in ALLOWED) and not leaked, (
                    f"{method} {url} ({endpoint}) answered {resp.status_code} leaking {leaked}")
                checked += 1
    assert checked >= 15


def test_missing_and_foreign_objects_answer_the_same_404(client, tenant_a_objects):
    headers = bearer("taiyuan-admin")
    foreign = client.get(f"/api/v1/tenants/sx-taiyuan/jobs/{tenant_a_objects['job_id']}",
                         headers=headers)
    missing = client.get("/api/v1/tenants/sx-taiyuan/jobs/no-such-job", headers=headers)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_json() == missing.get_json()


def test_auditor_of_province_reads_descendant_but_not_sibling(client, world):
    """Oversight reads descendants (XJ auditor → 乌鲁木齐), never siblings or other provinces."""
    headers = bearer("xj-auditor")
    own_child = client.get("/api/v1/tenants/xj-urumqi/audit", headers=headers)
    assert own_child.status_code == 200
    assert any(e["action"] == "user.created" for e in own_child.get_json()["items"])
    other_province = client.get("/api/v1/tenants/sx-taiyuan/audit", headers=headers)
    assert other_province.status_code == 403


def test_officer_cannot_read_parent_tenant(client, world):
    headers = bearer("urumqi-officer1")
    assert client.get("/api/v1/tenants/xj/audit", headers=headers).status_code == 403
    assert client.get("/api/v1/tenants/xj/users", headers=headers).status_code == 403
