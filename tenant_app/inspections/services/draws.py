"""Random draws (双随机, SX-3, XJ-S) that no single person can steer, verifiable by anyone.

Protocol 2 (issue 11 item 13; docs/draws.md has the protocol and its threat model):

1. ``commit_draw`` (an officer) freezes the pool (``{"enterprises": {category: [ids]},
   "officers": [ids]}``), the declared conflicts ``[[officer id, enterprise id]]``, the ratios
   and the planned date, publishes them with ``pool_hash`` = sha256 of their canonical JSON, and
   records the officer's **commitment** = sha256(officer's secret). The secret is never stored.
2. ``commit_witness`` (a different person holding a witness role: legal reviewer or auditor)
   records the witness's commitment. With every required party committed the draw is
   ``sealed``; no secret is accepted before that.
3. ``reveal`` (each party, own secret): sha256(secret) must equal the commitment, else refused.
   With every secret revealed, seed = ``derive_seed(pool_hash, contributions)`` and the result
   = ``compute(seed, pool, ratios, conflicts)``; both are published.
4. Anyone recomputes from the published JSON (``verify``).

Protocol 1 (draws made before): one server seed whose hash was published first; still verified.

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
import json
import math
import secrets
from typing import Any

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from policies.vocab import parse_industry_code
from tenant_app.audit import log as audit
from tenant_app.auth.roles import N_
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ServiceError, ValidationFailed
from tenant_app.extensions import db
from tenant_app.inspections.services.campaigns import clean_scope
from tenant_app.inspections.services.checks import plan_of_year
from tenant_app.inspections.services.common import (
    cite,
    get,
    officer_pool,
    parse_date,
    policy_of,
)
from tenant_app.models import Draw, Enterprise, OfficerConflict
from tenant_app.tenancy.queries import Page, keyset_page

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


# Protocol 2: who contributes randomness. The officer who commits the pool and a witness who is
# not that officer and not in the officer pool (they could be drawn): a legal reviewer or an
# auditor of the tenant (docs/draws.md).
PROTOCOL = 2
REQUIRED_PARTIES = ("officer", "witness")
WITNESS_ROLES = frozenset({"legal_reviewer", "auditor"})
PARTY_LABELS = {"officer": N_("执法人员"), "witness": N_("见证人")}
SEED_DOMAIN = "shuangsuiji-v2"
_HEX = frozenset("0123456789abcdef")


def canonical(obj: Any) -> str:
    """The canonical JSON hashed for the pool: sorted keys, no spaces, ASCII."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def pool_document(d: Draw) -> dict[str, Any]:
    """What the draw is made from, frozen at commit time."""
    return {
        "planned_date": d.planned_date.isoformat(),
        "pool": d.pool,
        "ratios": d.ratios,
        "conflicts": d.conflicts,
    }


def pool_hash_of(d: Draw) -> str:
    return hashlib.sha256(canonical(pool_document(d)).encode()).hexdigest()


def derive_seed(pool_hash: str, contributions: list[dict[str, Any]]) -> str:
    """seed = sha256("shuangsuiji-v2\n<pool_hash>\n<party>:<secret>\n…"), parties by name."""
    parts = [f"{c['party']}:{c['secret']}" for c in sorted(contributions, key=lambda c: c["party"])]
    return hashlib.sha256("\n".join([SEED_DOMAIN, pool_hash, *parts]).encode()).hexdigest()


def new_secret() -> str:
    """A fresh 256-bit secret for a party who has no tool of their own (shown, never stored)."""
    return secrets.token_hex(32)


def _hex64(raw: Any, field: str, what: str) -> str:
    value = str(raw or "").strip().lower()
    if len(value) != 64 or not set(value) <= _HEX:
        raise ValidationFailed.field(field, f"{what}应为64位十六进制数（256位）")
    return value


def _commitment_of(data: dict[str, Any]) -> str:
    """A party sends its commitment (sha256 of its secret), or its secret, hashed here and
    dropped: only the commitment is stored until the reveal."""
    if data.get("commitment"):
        return _hex64(data["commitment"], "commitment", "承诺值")
    if data.get("secret"):
        return seed_hash(_hex64(data["secret"], "secret", "随机数"))
    raise ValidationFailed.field("commitment", "请提交随机数或其承诺值（SHA-256）")


def _contribution(ctx: Context, party: str, commitment: str) -> dict[str, Any]:
    return {
        "party": party,
        "user_id": ctx.actor.user_id,
        "name": ctx.actor.name,
        "roles": sorted(ctx.roles),
        "commitment": commitment,
        "committed_at": utcnow().isoformat(),
        "secret": None,
        "revealed_at": None,
    }


def commit_draw(ctx: Context, data: dict[str, Any]) -> Draw:
    """Freeze and publish the pool with its hash, and record the officer's commitment."""
    planned = parse_date(data.get("planned_date"), "planned_date")
    assert planned is not None
    title = str(data.get("title") or "").strip()[:200] or f"{planned.year}年“双随机”抽查"
    filters = clean_scope(data.get("filters") or {})
    commitment = _commitment_of(data)
    policy = policy_of(ctx, planned)
    plan = plan_of_year(planned.year)
    ratios = dict(plan.ratios) if plan else dict(policy.inspection_plan_defaults().answer["ratios"])
    for k, v in (data.get("ratios") or {}).items():
        try:
            ratios[str(k)] = min(1.0, max(0.0, float(v)))
        except (TypeError, ValueError):
            raise ValidationFailed.field(f"ratios.{k}", "应为 0–1 的数") from None
    officers = [u.id for u in officer_pool(ctx) if (u.certificate_no or "").strip()]
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
    d = Draw(
        title=title,
        plan_id=plan.id if plan else None,
        filters=filters,
        ratios=ratios,
        planned_date=planned,
        seed_hash="",
        seed="",
        protocol=PROTOCOL,
        pool={"enterprises": enterprises, "officers": officers},
        conflicts=conflicts,
        contributions=[_contribution(ctx, "officer", commitment)],
        created_by=ctx.actor.user_id,
    )
    d.pool_hash = pool_hash_of(d)
    # The draw's rule (SX-3: 双随机 with 综合一次查) and how listed enterprises are drawn (XJ-S,
    # SX-9), as the tenant's pack names them.
    draw_rule = policy.obligation("joint_inspection").rule_id
    d.decision = {
        "rule_ids": [r for r in (draw_rule, policy.listed_supervision().rule_id) if r],
        "policy_version": str(policy.version_id),
        "protocol": PROTOCOL,
        "required_parties": list(REQUIRED_PARTIES),
        "facts": {
            "pool_size": size,
            "officers": len(officers),
            "ratios": ratios,
            "plan_id": plan.id if plan else None,
            "pool_hash": d.pool_hash,
        },
        "explanation": cite(
            draw_rule,
            "双随机抽查。企业库、执法人员库、回避关系与比例在承诺时锁定并公开（pool_hash）；"
            "随机种子由执法人员与见证人各自事先承诺的随机数共同生成，任何一方无法单独决定结果。",
        ),
    }
    db.session.add(d)
    db.session.flush()
    audit.record(
        ctx,
        "draw.committed",
        object_type="draw",
        object_id=d.id,
        after={
            "pool_hash": d.pool_hash,
            "pool_size": size,
            "ratios": ratios,
            "officer_commitment": commitment,
        },
    )
    return d


def _locked(d: Draw) -> Draw:
    db.session.refresh(d, with_for_update=True)
    return d


def _party_of(ctx: Context, d: Draw) -> dict[str, Any] | None:
    uid = ctx.actor.user_id
    return next((c for c in d.contributions if c["user_id"] == uid), None)


def commit_witness(ctx: Context, d: Draw, data: dict[str, Any]) -> Draw:
    """A witness (legal reviewer or auditor, not the committing officer, not in the officer
    pool) commits their secret's hash; with every party in, the draw is sealed."""
    d = _locked(d)
    if d.protocol < PROTOCOL or d.status != "committed":
        raise Conflict("该抽查不在等待见证人承诺的状态", {"status": [d.status]})
    uid = ctx.actor.user_id
    if not ctx.roles & WITNESS_ROLES:
        raise ServiceError(
            "见证人须为本机构的法制审核人员或稽查人员", {"witness": ["没有见证人角色"]}
        )
    if uid is None or uid == d.created_by or _party_of(ctx, d) is not None:
        raise ServiceError("见证人不能是锁定企业库的执法人员本人", {"witness": ["同一人"]})
    if uid in {int(o) for o in d.pool.get("officers", [])}:
        raise ServiceError("见证人不能是可能被抽中的执法人员", {"witness": ["在执法人员库中"]})
    commitment = _commitment_of(data)
    if any(c["commitment"] == commitment for c in d.contributions):
        raise ServiceError("承诺值与另一方相同，请使用自己的随机数", {"commitment": ["重复"]})
    d.contributions = [*d.contributions, _contribution(ctx, "witness", commitment)]
    audit.record(
        ctx,
        "draw.witness_committed",
        object_type="draw",
        object_id=d.id,
        after={"witness_commitment": commitment, "user_id": uid},
    )
    if {c["party"] for c in d.contributions} >= set(REQUIRED_PARTIES):
        d.status, d.sealed_at = "sealed", utcnow()
        audit.record(
            ctx, "draw.sealed", object_type="draw", object_id=d.id, after={"at": d.sealed_at}
        )
    return d


def reveal(ctx: Context, d: Draw, secret: Any) -> Draw:
    """A party reveals its secret; it must hash to its commitment. The last reveal draws."""
    d = _locked(d)
    if d.protocol < PROTOCOL:
        raise Conflict("该抽查按旧规程执行", {"status": [d.status]})
    if d.status == "committed":
        raise Conflict("各方承诺齐备前不能揭示随机数（见证人尚未承诺）", {"status": [d.status]})
    if d.status != "sealed":
        raise Conflict("该抽查已结束", {"status": [d.status]})
    mine = _party_of(ctx, d)
    if mine is None:
        raise ServiceError("只有作出承诺的一方可以揭示自己的随机数", {"secret": ["不是承诺方"]})
    if mine["secret"] is not None:
        raise Conflict("已揭示过", {"secret": ["已揭示"]})
    value = _hex64(secret, "secret", "随机数")
    if seed_hash(value) != mine["commitment"]:
        raise ServiceError(
            "揭示的随机数与承诺值不符，不予接受", {"secret": ["SHA-256 与承诺值不一致"]}
        )
    d.contributions = [
        {**c, "secret": value, "revealed_at": utcnow().isoformat()} if c is mine else c
        for c in d.contributions
    ]
    audit.record(
        ctx,
        "draw.revealed",
        object_type="draw",
        object_id=d.id,
        after={"party": mine["party"], "secret": value},
    )
    if all(c["secret"] for c in d.contributions):
        _draw(ctx, d)
    return d


def _draw(ctx: Context, d: Draw) -> None:
    if pool_hash_of(d) != d.pool_hash:  # the pool drawn from is the pool published
        raise ServiceError("企业库与承诺时公布的哈希不一致，不能抽取", {"pool": ["哈希不一致"]})
    d.seed = derive_seed(d.pool_hash, d.contributions)
    _drawn(ctx, d, canonical)


def _drawn(ctx: Context, d: Draw, serialise: Any) -> None:
    """Draw from the stored seed and record it; ``serialise`` is the protocol's way of writing
    the result for its audited digest (protocol 1 kept ``repr``)."""
    d.result = compute(d.seed, d.pool, d.ratios, d.conflicts)
    d.status, d.drawn_at = "drawn", utcnow()
    audit.record(
        ctx,
        "draw.executed",
        object_type="draw",
        object_id=d.id,
        after={
            "seed": d.seed,
            "drawn": len(d.result),
            "result_sha256": hashlib.sha256(serialise(d.result).encode()).hexdigest(),
        },
    )


def execute_draw(ctx: Context, d: Draw) -> Draw:
    """Protocol 1 draws (committed before protocol 2): draw with the stored seed. A protocol 2
    draw is drawn by the last reveal, never by one person."""
    if d.status != "committed" or d.protocol >= PROTOCOL:
        if d.protocol >= PROTOCOL:
            raise Conflict("须由执法人员和见证人各自揭示随机数后自动抽取", {"status": [d.status]})
        raise Conflict("该抽查已执行", {"status": [d.status]})
    _drawn(ctx, d, repr)
    return d


def abandon_draw(ctx: Context, d: Draw, reason: str) -> Draw:
    """A draw whose party does not reveal is abandoned openly (published, audited), never
    replaced silently."""
    d = _locked(d)
    if d.status not in ("committed", "sealed"):
        raise Conflict("只能作废未抽取的抽查", {"status": [d.status]})
    reason = reason.strip()[:500]
    if not reason:
        raise ValidationFailed.field("reason", "请说明作废原因")
    d.status = "abandoned"
    d.decision = {**d.decision, "abandoned": {"reason": reason, "by": ctx.actor.user_id}}
    audit.record(
        ctx, "draw.abandoned", object_type="draw", object_id=d.id, after={"reason": reason}
    )
    return d


def verify(d: Draw) -> bool:
    """What anyone can do with the published data: every hash matches and the result recomputes."""
    if d.status != "drawn":
        return False
    if d.protocol < PROTOCOL:
        return (
            seed_hash(d.seed) == d.seed_hash
            and compute(d.seed, d.pool, d.ratios, d.conflicts) == d.result
        )
    parties = {c["party"] for c in d.contributions}
    return (
        parties >= set(REQUIRED_PARTIES)
        and pool_hash_of(d) == d.pool_hash
        and all(c["secret"] and seed_hash(c["secret"]) == c["commitment"] for c in d.contributions)
        and derive_seed(d.pool_hash, d.contributions) == d.seed
        and compute(d.seed, d.pool, d.ratios, d.conflicts) == d.result
    )


def public_document(d: Draw) -> dict[str, Any]:
    """The published draw: pool and its hash from commit time, commitments, then the secrets,
    the seed and the result once drawn (docs/draws.md)."""
    body: dict[str, Any] = {
        "id": d.id,
        "title": d.title,
        "protocol": d.protocol,
        "status": d.status,
        "planned_date": d.planned_date.isoformat(),
        "pool": d.pool,
        "ratios": d.ratios,
        "conflicts": d.conflicts,
        "algorithm": "docs/draws.md",
    }
    if d.protocol < PROTOCOL:
        body["seed_hash"] = d.seed_hash
        if d.status == "drawn":
            body |= {"seed": d.seed, "result": d.result}
        return body
    drawn = d.status == "drawn"
    body |= {
        "pool_hash": d.pool_hash,
        "contributions": [
            {
                "party": c["party"],
                "name": c["name"],
                "commitment": c["commitment"],
                "committed_at": c["committed_at"],
                **({"secret": c["secret"], "revealed_at": c["revealed_at"]} if drawn else {}),
            }
            for c in d.contributions
        ],
        "sealed_at": d.sealed_at.isoformat() if d.sealed_at else None,
    }
    if drawn:
        body |= {"seed": d.seed, "result": d.result}
    if d.status == "abandoned":
        body["abandoned"] = d.decision.get("abandoned")
    return body


def create_inspections(ctx: Context, d: Draw) -> dict[str, Any]:
    """Turn the result into inspections, each through the pre-save checks (caps, quiet periods,
    XJ-S); a refused one is reported with its reasons, never forced."""
    from tenant_app.inspections.services import plans
    from tenant_app.inspections.services.checks import parse_draft, run_checks

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
        draft = parse_draft(ctx, data, internal=True)
        report = run_checks(ctx, draft)
        if report.allowed:
            made.append(plans.create_from_draft(ctx, draft, report).id)
        else:
            refused.append({"enterprise_id": row["enterprise_id"], "reasons": report.refusals})
    audit.record(
        ctx,
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


def declare_conflict(
    ctx: Context, officer_id: int, enterprise_id: int, reason: str
) -> OfficerConflict:
    from tenant_app.inspections.services.common import enterprise

    enterprise(enterprise_id)
    if db.session.execute(
        select(OfficerConflict.id).where(
            OfficerConflict.user_id == officer_id, OfficerConflict.enterprise_id == enterprise_id
        )
    ).first():
        raise Conflict("已申报过该回避关系", {"enterprise_id": ["已申报"]})
    if not officer_pool(ctx, [officer_id]):
        raise ValidationFailed.field("user_id", "不是本机构执法人员")
    row = OfficerConflict(
        user_id=officer_id, enterprise_id=enterprise_id, reason=reason.strip()[:500]
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        ctx,
        "officer_conflict.declared",
        object_type="officer_conflict",
        object_id=row.id,
        after={"user_id": officer_id, "enterprise_id": enterprise_id, "reason": row.reason},
    )
    return row


def get_draw(draw_id: Any) -> Draw:
    return get(Draw, draw_id, "该抽查")


def draws(*, after: int | None = None, limit: int = 50) -> Page:
    """Newest first, keyset-paged, with how many in all."""
    return keyset_page(select(Draw), Draw.id, after, limit, descending=True, count=True)
