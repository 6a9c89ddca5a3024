"""Demo regions and accounts (idempotent): the small world `tenant-app demo` and the tests share."""

from __future__ import annotations

from sqlalchemy import select

from tenant_app.accounts import users as user_service
from tenant_app.extensions import db
from tenant_app.models import Tenant, User
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_by_slug
from tenant_app.tenancy.scope import use_scope
from tenant_app.tenants import service as tenant_service

DEMO_PASSWORD = "Demo-2026-pass"

REGIONS = [
    # slug, name, level, code, parent slug, pack
    ("xj", "新疆维吾尔自治区", "province", "650000", "platform", "xinjiang"),
    ("xj-urumqi", "乌鲁木齐市", "city", "650100", "xj", None),
    ("xj-urumqi-tianshan", "天山区", "county", "650102", "xj-urumqi", None),
    ("sx", "山西省", "province", "140000", "platform", "shanxi"),
    ("sx-taiyuan", "太原市", "city", "140100", "sx", None),
    ("sx-taiyuan-xiaodian", "小店区", "county", "140105", "sx-taiyuan", None),
]

ACCOUNTS = [
    # tenant, username, display name, roles, certificate
    ("platform", "admin", "平台管理员", ["superadmin"], None),
    ("xj", "xj-auditor", "自治区稽查员", ["auditor"], None),
    ("xj-urumqi", "urumqi-admin", "乌市管理员", ["tenant_admin"], None),
    ("xj-urumqi", "urumqi-officer1", "张执法", ["officer"], "65010020260001"),
    ("xj-urumqi", "urumqi-officer2", "李执法", ["officer"], "65010020260002"),
    ("xj-urumqi", "urumqi-head", "王负责人", ["agency_head"], None),
    ("xj-urumqi", "urumqi-principal", "赵局长", ["principal_head"], None),
    ("xj-urumqi", "urumqi-fazhi", "马审核", ["legal_reviewer"], None),
    ("sx-taiyuan", "taiyuan-admin", "太原管理员", ["tenant_admin"], None),
    ("sx-taiyuan", "taiyuan-officer1", "刘执法", ["officer"], "14010020260001"),
    ("sx-taiyuan", "taiyuan-officer2", "陈执法", ["officer"], "14010020260002"),
    ("sx-taiyuan", "taiyuan-principal", "孙局长", ["principal_head"], None),
    ("sx-taiyuan", "taiyuan-fazhi", "周审核", ["legal_reviewer"], None),
    # last, so that the ids of the accounts above stay what tests and bookmarks know
    ("sx", "sx-auditor", "省厅稽查员", ["auditor"], None),
]


def seed_demo() -> list[tuple[str, str, str]]:
    with use_scope(system_scope()):
        for slug, name, level, code, parent_slug, pack in REGIONS:
            if tenant_by_slug(slug) is None:
                parent = tenant_by_slug(parent_slug)
                with use_scope(system_scope(parent.id if parent else None)):
                    tenant_service.create_tenant(
                        scope_context(),
                        slug=slug,
                        name=name,
                        level=level,
                        division_code=code,
                        parent=parent,
                        policy_pack=pack,
                    )
                    db.session.commit()
    out = []
    for slug, username, display, roles, cert in ACCOUNTS:
        with use_scope(system_scope()):
            tenant = tenant_by_slug(slug)
            exists = db.session.execute(select(User.id).where(User.username == username)).first()
        assert isinstance(tenant, Tenant)
        if not exists:
            with use_scope(system_scope(tenant.id)):
                user_service.create_user(
                    scope_context(),
                    tenant=tenant,
                    username=username,
                    display_name=display,
                    password=DEMO_PASSWORD,
                    roles=roles,
                    certificate_no=cert,
                )
                db.session.commit()
        out.append((slug, username, "、".join(roles)))
    return out
