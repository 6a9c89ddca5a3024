"""Random draws (双随机, SX-3, XJ-S), verifiable by anyone.

1. ``commit_draw`` fixes the pool (``{"enterprises": {category: [ids]}, "officers": [ids]}``
   and the declared conflicts ``[[officer id, enterprise id]]``) and a secret 256-bit seed, and publishes ``sha256(seed)`` with the pool.
2. ``execute_draw`` runs ``compute`` and publishes the seed and the result.
3. Anyone recomputes ``compute(seed, pool, ratios, conflicts)`` from the published data and
   checks ``sha256(seed)`` against the hash published before the draw (docs/inspections.md).

``compute`` (pure, the documented algorithm):
* key(x) = HMAC-SHA256(key = seed as ASCII, message = x as UTF-8), hex;
* per category c (sorted by name): the pool's enterprises of c sorted by (key("enterprise:<id>"), id),
  take the first k_c = ceil(n_c × ratio_c);
* the drawn enterprises, all categories together, sorted by (key("enterprise:<id>"), id); for each,
  the officers without a declared conflict with it sorted by (key("officer:<enterprise id>:<officer id>"),
  officer id), take the first two;
* mode: "off_site" for the listed category (XJ-S), "on_site" otherwise.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import math
import secrets
from typing import Any

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from policies.vocab import parse_industry_code

from ...clock import utcnow
from ...extensions import db
from ...models import Draw, Enterprise, OfficerConflict
from .. import audit
from ..errors import Conflict, ServiceError, ValidationFailed
from ..policy import policy_for
from .campaigns import clean_scope
from .checks import plan_of_year
from .common import current_tenant, get, officer_pool, parse_date, user_id

OFFICERS_PER_ENTERPRISE = 2


def _key(seed: bytes, message: str) -> bytes:
    # Raw digest: byte order is the same order as the hex strings the docs describe, and the
    # one-shot hmac.digest is several times faster than hmac.new(...).hexdigest().
    return hmac.digest(seed, message.encode(), "sha256")


def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def compute(
    seed: str, pool: dict[str, Any], ratios: dict[str, float], conflicts: list[list[int]]
) -> list[dict[str, Any]]:
    """The draw itself: deterministic in (seed, pool, ratios, conflicts). See the module doc."""
    sb = seed.encode()
    by_cat: dict[str, list[int]] = pool["enterprises"]
    chosen: list[tuple[bytes, int, str]] = []
    for cat in sorted(by_cat):
        ids = sorted(by_cat[cat])
        k = min(len(ids), math.ceil(len(ids) * float(ratios.get(cat, 0)) - 1e-9))
        if k <= 0:
            continue
        # The k smallest keys = the first k of the full sort, in O(n log k).
        for key, eid in heapq.nsmallest(k, ((_key(sb, f"enterprise:{i}"), i) for i in ids)):
            chosen.append((key, eid, cat))
    blocked = {(int(o), int(e)) for o, e in conflicts}
    officers = sorted(int(o) for o in pool["officers"])
    out = []
    for _k, eid, cat in sorted(chosen):
        cands = heapq.nsmallest(
            OFFICERS_PER_ENTERPRISE,
            ((_key(sb, f"officer:{eid}:{o}"), o) for o in officers if (o, eid) not in blocked),
        )
        out.append(
            {
                "enterprise_id": eid,
                "category": cat,
                "officers": [o for _, o in cands],
                "mode": "off_site" if cat == "listed" else "on_site",
            }
        )
    return out


def _category_expr() -> Any:
    """The pack's inspection category in SQL (as enterprise_facts.category_of)."""
    return case(
        (
            Enterprise.supervision_category.in_(("special", "listed")),
            Enterprise.supervision_category,
        ),
        (Enterprise.key_discharger.is_(True), literal("key")),
        else_=literal("general"),
    )


def _prefix_like(prefix: str) -> str | None:
    parsed = parse_industry_code(prefix)
    return f"{parsed[0]}{parsed[1]}%" if parsed else None


def pool_for(filters: dict[str, Any]) -> dict[str, list[int]]:
    """Inspection category -> sorted enterprise ids the filter reaches. On PostgreSQL one
    GROUP BY with array_agg (four rows back, whatever the pool size); elsewhere row by row."""
    cat = _category_expr().label("cat")
    conds: list[Any] = []
    if filters.get("county_tenant_ids"):
        conds.append(Enterprise.county_tenant_id.in_(filters["county_tenant_ids"]))
    if filters.get("enterprise_ids"):
        conds.append(Enterprise.id.in_(filters["enterprise_ids"]))
    if filters.get("categories"):
        conds.append(Enterprise.supervision_category.in_(sorted(filters["categories"])))
    likes = [p for p in (_prefix_like(x) for x in filters.get("industry_prefixes") or []) if p]
    if likes:
        conds.append(or_(*(Enterprise.industry_code.like(p) for p in likes)))
    out: dict[str, list[int]] = {}
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = (
            select(cat, func.array_agg(aggregate_order_by(Enterprise.id, Enterprise.id)))
            .where(*conds)
            .group_by(cat)
        )
        for name, ids in db.session.execute(stmt):
            out[name] = list(ids)
        return out
    for eid, name in db.session.execute(
        select(Enterprise.id, cat).where(*conds).order_by(Enterprise.id)
    ):
        out.setdefault(name, []).append(eid)
    return out


def commit_draw(data: dict[str, Any]) -> Draw:
    tenant = current_tenant()
    planned = parse_date(data.get("planned_date"), "planned_date")
    assert planned is not None
    title = str(data.get("title") or "").strip()[:200] or f"{planned.year}年“双随机”抽查"
    filters = clean_scope(data.get("filters") or {})
    policy = policy_for(tenant, planned)
    plan = plan_of_year(planned.year)
    ratios = (
        dict(plan.ratios)
        if plan
        else {k: v["ratio"] for k, v in policy.pack["inspection"]["categories"].items()}
    )
    for k, v in (data.get("ratios") or {}).items():
        try:
            ratios[str(k)] = min(1.0, max(0.0, float(v)))
        except (TypeError, ValueError):
            raise ValidationFailed.field(f"ratios.{k}", "应为 0–1 的数") from None
    officers = [u.id for u in officer_pool() if (u.certificate_no or "").strip()]
    if len(officers) < OFFICERS_PER_ENTERPRISE:
        raise ServiceError(
            "执法人员库不足两名持证人员，不能抽查", {"officers": [str(len(officers))]}
        )
    enterprises = pool_for(filters)
    size = sum(len(v) for v in enterprises.values())
    if not size:
        raise ValidationFailed.field("filters", "筛选条件下没有企业")
    conflicts = sorted(
        [int(o), int(e)]
        for o, e in db.session.execute(
            select(OfficerConflict.user_id, OfficerConflict.enterprise_id)
        )
    )
    seed = secrets.token_hex(32)
    d = Draw(
        title=title,
        plan_id=plan.id if plan else None,
        filters=filters,
        ratios=ratios,
        planned_date=planned,
        seed_hash=seed_hash(seed),
        seed=seed,
        pool={"enterprises": enterprises, "officers": officers},
        conflicts=conflicts,
        created_by=user_id(),
        decision={
            "rule_ids": ["SX-3", policy.pack.get("supervision", {}).get("rule_id", "")],
            "policy_version": str(policy.version_id),
            "facts": {
                "pool_size": size,
                "officers": len(officers),
                "ratios": ratios,
                "plan_id": plan.id if plan else None,
            },
        },
    )
    db.session.add(d)
    db.session.flush()
    audit.record(
        "draw.committed",
        object_type="draw",
        object_id=d.id,
        after={"seed_hash": d.seed_hash, "pool_size": size, "ratios": ratios},
    )
    return d


def execute_draw(d: Draw) -> Draw:
    if d.status != "committed":
        raise Conflict("该抽查已执行", {"status": [d.status]})
    d.result = compute(d.seed, d.pool, d.ratios, d.conflicts)
    d.status, d.drawn_at = "drawn", utcnow()
    audit.record(
        "draw.executed",
        object_type="draw",
        object_id=d.id,
        after={
            "seed": d.seed,
            "drawn": len(d.result),
            "result_sha256": hashlib.sha256(repr(d.result).encode()).hexdigest(),
        },
    )
    return d


def verify(d: Draw) -> bool:
    """What anyone can do with the published data: the hash matches and the result recomputes."""
    return (
        d.status == "drawn"
        and seed_hash(d.seed) == d.seed_hash
        and compute(d.seed, d.pool, d.ratios, d.conflicts) == d.result
    )


def create_inspections(d: Draw) -> dict[str, Any]:
    """Turn the result into inspections, each through the pre-save checks (caps, quiet periods,
    XJ-S); a refused one is reported with its reasons, never forced."""
    from . import plans
    from .checks import parse_draft, run_checks

    if d.status != "drawn":
        raise Conflict("尚未抽取", {"status": [d.status]})
    made, refused, repaired = [], [], []
    now_conflicts = conflicts_now()
    for row in d.result:
        officers = pair_officers(d, row, now_conflicts)
        if officers != row["officers"]:
            repaired.append(
                {"enterprise_id": row["enterprise_id"], "drawn": row["officers"], "now": officers}
            )
        data = {
            "enterprise_id": row["enterprise_id"],
            "mode": row["mode"],
            "trigger": "random_draw",
            "planned_date": d.planned_date,
            "officer_ids": officers,
            "draw_id": d.id,
            "title": d.title,
        }
        draft = parse_draft(data, internal=True)
        report = run_checks(draft)
        if report.allowed:
            made.append(plans.create_from_draft(draft, report).id)
        else:
            refused.append({"enterprise_id": row["enterprise_id"], "reasons": report.refusals})
    audit.record(
        "draw.inspections_created",
        object_type="draw",
        object_id=d.id,
        after={"created": len(made), "refused": refused, "officers_repaired": repaired},
    )
    return {"created": made, "refused": refused, "officers_repaired": repaired}


def conflicts_now() -> set[tuple[int, int]]:
    """Every declared conflict (回避) on record now: (officer id, enterprise id)."""
    return {
        (int(o), int(e))
        for o, e in db.session.execute(
            select(OfficerConflict.user_id, OfficerConflict.enterprise_id)
        )
    }


def pair_officers(d: Draw, row: dict[str, Any], conflicts: set[tuple[int, int]]) -> list[int]:
    """The drawn officers, unless one declared a conflict with the enterprise after the commit:
    then the enterprise's officers are paired again by the same published rule (``compute``'s
    officer keys for that enterprise) with the conflicts on record now, so anyone can recompute
    the replacement from the published seed, pool and the conflict register (issue 11 item 8)."""
    eid = int(row["enterprise_id"])
    if not any((int(o), eid) in conflicts for o in row["officers"]):
        return list(row["officers"])
    again = compute(
        d.seed,
        {"enterprises": {row["category"]: [eid]}, "officers": d.pool["officers"]},
        {row["category"]: 1},
        [[o, e] for o, e in sorted(conflicts) if e == eid],
    )
    return list(again[0]["officers"])


def declare_conflict(officer_id: int, enterprise_id: int, reason: str) -> OfficerConflict:
    from .common import enterprise

    enterprise(enterprise_id)
    if db.session.execute(
        select(OfficerConflict.id).where(
            OfficerConflict.user_id == officer_id, OfficerConflict.enterprise_id == enterprise_id
        )
    ).first():
        raise Conflict("已申报过该回避关系", {"enterprise_id": ["已申报"]})
    if not officer_pool([officer_id]):
        raise ValidationFailed.field("user_id", "不是本机构执法人员")
    row = OfficerConflict(
        user_id=officer_id, enterprise_id=enterprise_id, reason=reason.strip()[:500]
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "officer_conflict.declared",
        object_type="officer_conflict",
        object_id=row.id,
        after={"user_id": officer_id, "enterprise_id": enterprise_id, "reason": row.reason},
    )
    return row


def get_draw(draw_id: Any) -> Draw:
    return get(Draw, draw_id, "该抽查")


def draws() -> list[Draw]:
    return list(db.session.execute(select(Draw).order_by(Draw.id.desc()).limit(200)).scalars())
