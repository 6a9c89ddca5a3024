"""Creating, changing and reading a tenant's enterprises, and their yearly ratings.

Every write validates the whole row first (enterprise_rows), then writes and audits in the
caller's transaction: a refused request leaves nothing behind.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core import row_fields as f
from tenant_app.core.errors import Conflict, ServiceError
from tenant_app.extensions import db
from tenant_app.models import Enterprise, EnterpriseRating
from tenant_app.models.enterprise import (
    INTEGRITY_RATINGS,
    PERFORMANCE_GRADES,
    RATING_KINDS,
    SUPERVISION_CATEGORIES,
)
from tenant_app.registry.services.enterprise_rows import (
    FIELDS,
    PROCEDURE_ONLY_CATEGORIES,
    RowContext,
    validate_enterprise_row,
)

MAX_ID = 2**63 - 1  # larger ids in a URL are simply not found (SQLite would overflow)


class NotFound(ServiceError):
    status = 404
    code = "not_found"


def get_enterprise(enterprise_id: int) -> Enterprise:
    """Within the request's scope; another tenant's enterprise and a missing one are one 404."""
    obj = None
    if 0 < enterprise_id <= MAX_ID:
        obj = db.session.execute(
            select(Enterprise).where(Enterprise.id == enterprise_id)
        ).scalar_one_or_none()
    if obj is None:
        raise NotFound("没有找到该企业")
    return obj


def as_row(e: Enterprise) -> dict[str, Any]:
    """The enterprise's editable values, in the shape validate_enterprise_row takes."""
    return {name: getattr(e, name) for name in FIELDS}


def _snapshot(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ServiceError("企业信息有误，请按提示修改", errors)


def uscc_taken(code: str, except_id: int | None = None) -> bool:
    stmt = select(Enterprise.id).where(Enterprise.uscc == code)
    if except_id is not None:
        stmt = stmt.where(Enterprise.id != except_id)
    return db.session.execute(stmt.limit(1)).first() is not None


def _duplicate(code: str) -> Conflict:
    return Conflict(
        "统一社会信用代码重复", {"uscc": [f"本单位已登记统一社会信用代码为 {code} 的企业"]}
    )


def _flush_unique(code: str) -> None:
    """The unique index is the last word: a concurrent insert of the same code is a 409 too."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise _duplicate(code) from None


def create_enterprise(
    ctx: Context, data: dict[str, Any], rows: RowContext | None = None
) -> Enterprise:
    require_action(ctx, Perm.ENTERPRISES_EDIT)
    clean, errors = validate_enterprise_row(data, rows or RowContext.load(ctx))
    _refuse(errors)
    if uscc_taken(clean["uscc"]):
        raise _duplicate(clean["uscc"])
    e = Enterprise(**clean, created_by=ctx.user_id)
    db.session.add(e)
    _flush_unique(clean["uscc"])
    audit.record(
        ctx, "enterprise.created", object_type="enterprise", object_id=e.id, after=_snapshot(clean)
    )
    return e


def update_enterprise(ctx: Context, e: Enterprise, changes: dict[str, Any]) -> Enterprise:
    """Apply ``changes`` (any subset of the fields) after validating the whole resulting row."""
    require_action(ctx, Perm.ENTERPRISES_EDIT)
    rows = RowContext.load(ctx)
    unknown = sorted(set(changes) - set(FIELDS) - {"county"})
    if unknown:
        raise ServiceError("提交的内容有误", {k: ["不是可修改的字段"] for k in unknown})
    current = as_row(e)
    merged = {**current, **changes}
    procedure_owned = current["supervision_category"] in PROCEDURE_ONLY_CATEGORIES
    if procedure_owned:
        # The procedure's category stays as it is; asking to change it is refused, not ignored.
        asked = changes.get("supervision_category", current["supervision_category"])
        if not f.blank(asked) and str(asked).strip() not in (
            current["supervision_category"],
            SUPERVISION_CATEGORIES[current["supervision_category"]],
        ):
            _refuse({"supervision_category": [rows.procedure_only_refusal]})
        merged["supervision_category"] = "general"  # validated as a registry value, then kept
    clean, errors = validate_enterprise_row(merged, rows)
    _refuse(errors)
    if procedure_owned:
        clean["supervision_category"] = current["supervision_category"]
    if clean["uscc"] != e.uscc and uscc_taken(clean["uscc"], except_id=e.id):
        raise _duplicate(clean["uscc"])
    before = {k: current[k] for k in clean if current[k] != clean[k]}
    after = {k: clean[k] for k in before}
    if not after:
        return e
    for k, v in after.items():
        setattr(e, k, v)
    _flush_unique(clean["uscc"])
    audit.record(
        ctx,
        "enterprise.updated",
        object_type="enterprise",
        object_id=e.id,
        before=_snapshot(before),
        after=_snapshot(after),
    )
    return e


def ratings(e: Enterprise) -> list[EnterpriseRating]:
    return list(
        db.session.execute(
            select(EnterpriseRating)
            .where(EnterpriseRating.enterprise_id == e.id)
            .order_by(EnterpriseRating.kind, EnterpriseRating.year.desc())
        ).scalars()
    )


def validate_rating_row(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    c = f.Collector()
    kind = c.add("kind", f.choice, row.get("kind"), RATING_KINDS, required=True, label="评价类型")
    c.add("year", f.integer, row.get("year"), 2000, 2100)
    allowed = {
        "performance": {g: g for g in PERFORMANCE_GRADES},
        "integrity": {r: r for r in INTEGRITY_RATINGS},
    }.get(kind or "", {})
    if kind:
        c.add("value", f.choice, row.get("value"), allowed, required=True, label="评价结果")
    c.add("source", f.text, row.get("source"), 255, required=True, label="来源")
    return c.clean, c.errors


def set_rating(ctx: Context, e: Enterprise, row: dict[str, Any]) -> EnterpriseRating:
    """One rating per enterprise, kind and year: a second one for the same year replaces it."""
    require_action(ctx, Perm.RECORDS_EDIT)
    clean, errors = validate_rating_row(row)
    _refuse(errors)
    existing = db.session.execute(
        select(EnterpriseRating).where(
            EnterpriseRating.enterprise_id == e.id,
            EnterpriseRating.kind == clean["kind"],
            EnterpriseRating.year == clean["year"],
        )
    ).scalar_one_or_none()
    before = None
    if existing is None:
        existing = EnterpriseRating(enterprise_id=e.id, kind=clean["kind"], year=clean["year"])
        db.session.add(existing)
    else:
        before = {"value": existing.value, "source": existing.source}
    existing.value, existing.source = clean["value"], clean["source"]
    existing.entered_by = ctx.user_id
    db.session.flush()
    audit.record(
        ctx,
        "enterprise.rating_set",
        object_type="enterprise",
        object_id=e.id,
        before=before,
        after=clean,
    )
    return existing
