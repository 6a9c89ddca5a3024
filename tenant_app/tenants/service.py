"""Creating and listing tenants (regions). Superadmin only; the CLI runs as the operator."""

from __future__ import annotations

import re

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.models.tenant import CHILD_LEVEL, Level
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
RESERVED_SLUGS = frozenset(
    {"api", "static", "healthz", "login", "logout", "lang", "admin", "public"}
)


def _check_code(level: Level, code: str, parent: Tenant | None) -> None:
    if not re.fullmatch(r"\d{6}", code):
        raise ValidationFailed.field("division_code", "行政区划代码应为 6 位数字（GB/T 2260）")
    if level is Level.PROVINCE and not code.endswith("0000"):
        raise ValidationFailed.field("division_code", "省级区划代码应以 0000 结尾")
    if level is Level.CITY and (code.endswith("0000") or not code.endswith("00")):
        raise ValidationFailed.field("division_code", "地市级区划代码应以 00 结尾且不以 0000 结尾")
    if level is Level.COUNTY and code.endswith("00"):
        raise ValidationFailed.field("division_code", "县级区划代码不应以 00 结尾")
    if parent is not None and parent.level != Level.PLATFORM:
        keep = 2 if level is Level.CITY else 4
        if code[:keep] != parent.division_code[:keep]:
            raise ValidationFailed.field(
                "division_code",
                f"区划代码 {code} 不属于上级 {parent.name}（{parent.division_code}）",
            )


def create_tenant(
    ctx: Context,
    *,
    slug: str,
    name: str,
    level: str,
    division_code: str,
    parent: Tenant | None,
    policy_pack: str | None = None,
) -> Tenant:
    """Add a region under its parent. Audited in the parent's chain and the new tenant's own."""
    require_action(ctx, Perm.TENANTS_MANAGE)
    slug, name, division_code = slug.strip().lower(), name.strip(), division_code.strip()
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise ValidationFailed.field(
            "slug", "标识只能包含小写字母、数字和连字符，以字母开头，且不能是保留词"
        )
    if not name:
        raise ValidationFailed.field("name", "请填写名称")
    try:
        lvl = Level(level)
    except ValueError:
        raise ValidationFailed.field("level", "层级应为 province、city 或 county") from None
    if lvl is Level.PLATFORM:
        raise ValidationFailed.field("level", "平台租户只有一个，不能再建")
    if parent is None or CHILD_LEVEL.get(Level(parent.level)) is not lvl:
        raise ValidationFailed.field(
            "parent", "上级租户的层级不对：省级在平台下，地市在省下，县在地市下"
        )
    _check_code(lvl, division_code, parent)
    taken = db.session.execute(
        select(Tenant.slug, Tenant.division_code).where(
            (Tenant.slug == slug) | (Tenant.division_code == division_code)
        )
    ).first()
    if taken is not None:
        field = "slug" if taken.slug == slug else "division_code"
        raise Conflict("已存在相同标识或区划代码的租户", {field: ["已被占用"]})
    tenant = Tenant(
        slug=slug,
        name=name,
        level=lvl.value,
        division_code=division_code,
        parent_id=parent.id,
        policy_pack=policy_pack or None,
    )
    db.session.add(tenant)
    db.session.flush()
    tenant.path = f"{parent.path}{tenant.id}/"
    facts = {
        "slug": slug,
        "name": name,
        "level": lvl.value,
        "division_code": division_code,
        "parent": parent.slug,
        "policy_pack": tenant.policy_pack,
    }
    with use_scope(tenant_scope(tenant)):
        audit.start_chain(db.session(), tenant)
        db.session.flush()
        audit.record(ctx, "tenant.created", object_type="tenant", object_id=tenant.id, after=facts)
        db.session.flush()
    with use_scope(tenant_scope(parent)):
        audit.record(
            ctx, "tenant.child_created", object_type="tenant", object_id=tenant.id, after=facts
        )
        db.session.flush()
    return tenant


def list_tenants() -> list[Tenant]:
    return list(db.session.execute(select(Tenant).order_by(Tenant.path)).scalars())


def platform_tenant() -> Tenant:
    return db.session.execute(select(Tenant).where(Tenant.parent_id.is_(None))).scalar_one()
