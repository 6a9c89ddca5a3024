"""Similar cases, same penalty (类案同罚, issue 14 item 3).

Beside a proposal: the past decided fines for the same violation (catalogue key) and the same
factor profile — the grade the benchmark and the treatment put the proposal in (从轻 / 一般 /
从重, ``proposal["grade"]``) — in the tenant and across its province: count, median, the pack's
low and high percentiles, range, and the rank of the proposal's suggested fine (or of the fine
decided) among them. A decision outside [low, high] percentiles (``Policy.similar_cases``,
platform default 10th–90th, at least 5 cases) is "far": flagged on the violation for the legal
reviewer (the review step shows it) and for oversight (``far_decisions``).

* **Tenant**: one set-based query over the tenant's decided violations (index
  ix_case_violations_tenant_similar, led by tenant_id): ``percentile_cont`` on PostgreSQL; on
  SQLite the same percentiles from the ordered index by offset (two rows per percentile).
* **Province**: a city may not read another tenant's cases (scope and RLS), so each decision
  refreshes its tenant's aggregate rows in ``case_decision_stats`` in the same transaction: the
  count of fines in each twentieth of the statutory range, with their sum, min and max. The
  province sums them (``queries.province_aggregates``); the percentiles are interpolated within
  the twentieths (exact count, min, max; a percentile within 1/20 of the range).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from tenant_app.cases.services.common import policy_of
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import CaseDecisionStat, CaseViolation
from tenant_app.tenancy.queries import province_aggregates, province_of_write_tenant

BINS = 20


def profile_of(proposal: dict[str, Any]) -> str:
    """The factor profile a fine counts under: the proposal's grade (its treatment moved it)."""
    return str(proposal.get("grade") or proposal.get("outcome") or "")


def _bin(fine: int, lo: int, hi: int) -> int:
    if hi <= lo:
        return 0
    return max(0, min(BINS - 1, (fine - lo) * BINS // (hi - lo)))


def _interpolate(sorted_at: Any, n: int, q: float) -> float:
    """Percentile ``q`` (0..1) as percentile_cont does: between the rows at floor and ceil of
    q·(n-1), read by ``sorted_at(offset)``."""
    pos = q * (n - 1)
    lo = int(pos)
    a = sorted_at(lo)
    if pos == lo:
        return float(a)
    b = sorted_at(lo + 1)
    return a + (b - a) * (pos - lo)


def _quantiles(band: dict[str, Any] | None) -> tuple[float, float]:
    if not band:
        return 0.1, 0.9
    return band["low_percentile"] / 100, band["high_percentile"] / 100


def tenant_distribution(
    key: str, profile: str, x: int | None, band: dict[str, Any] | None, exclude: int | None = None
) -> dict[str, Any]:
    """The tenant's decided fines of ``key`` under ``profile`` (within the scope)."""
    ql, qh = _quantiles(band)
    conds = [
        CaseViolation.violation_key == key,
        CaseViolation.profile == profile,
        CaseViolation.outcome == "fine",
        CaseViolation.fine.is_not(None),
    ]
    if exclude is not None:
        conds.append(CaseViolation.id != exclude)
    where = and_(*conds)
    xv = x if x is not None else 0
    rank_cols = (
        func.count(),
        func.min(CaseViolation.fine),
        func.max(CaseViolation.fine),
        func.coalesce(func.sum(case((CaseViolation.fine < xv, 1), else_=0)), 0),
        func.coalesce(func.sum(case((CaseViolation.fine == xv, 1), else_=0)), 0),
    )
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres:
        pct = [
            func.percentile_cont(q).within_group(CaseViolation.fine.asc()) for q in (ql, 0.5, qh)
        ]
        row = db.session.execute(select(*rank_cols, *pct).where(where)).one()
        n, lo, hi, below, equal, p_low, median, p_high = row
    else:
        n, lo, hi, below, equal = db.session.execute(select(*rank_cols).where(where)).one()
        p_low = median = p_high = None
        if n:

            def at(offset: int) -> int:
                return int(
                    db.session.execute(
                        select(CaseViolation.fine)
                        .where(where)
                        .order_by(CaseViolation.fine)
                        .offset(offset)
                        .limit(1)
                    ).scalar_one()
                    or 0
                )

            p_low, median, p_high = (_interpolate(at, n, q) for q in (ql, 0.5, qh))
    return _shape("tenant", n, lo, hi, p_low, median, p_high, below, equal, x)


def _shape(
    where: str,
    n: int,
    lo: Any,
    hi: Any,
    p_low: Any,
    median: Any,
    p_high: Any,
    below: float,
    equal: float,
    x: int | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"where": where, "count": int(n or 0)}
    if not n:
        return out
    out.update(
        min=int(lo),
        max=int(hi),
        p_low=round(float(p_low)),
        median=round(float(median)),
        p_high=round(float(p_high)),
    )
    if x is not None:
        out["fine"] = x
        out["rank"] = round(100 * (float(below) + float(equal) / 2) / n)
    return out


def province_distribution(
    key: str, profile: str, x: int | None, lo: int, hi: int, band: dict[str, Any] | None
) -> dict[str, Any]:
    """The province's decided fines of ``key`` under ``profile``, summed from the tenants'
    aggregate rows (``lo``..``hi``: the statutory range the bins divide)."""
    province, _ids = province_of_write_tenant()
    if province is None:
        return {"where": "province", "count": 0}
    stmt: Any = (
        select(
            CaseDecisionStat.bin,
            func.sum(CaseDecisionStat.n),
            func.min(CaseDecisionStat.fine_min),
            func.max(CaseDecisionStat.fine_max),
        )
        .where(
            CaseDecisionStat.province_id == province,
            CaseDecisionStat.violation_key == key,
            CaseDecisionStat.profile == profile,
        )
        .group_by(CaseDecisionStat.bin)
    )
    rows: list[Any] = list(db.session.execute(province_aggregates(stmt)).all())
    counts = {int(b): int(c) for b, c, _mn, _mx in rows}
    n = sum(counts.values())
    if not n:
        return {"where": "province", "count": 0}
    fmin = min(int(r[2]) for r in rows)
    fmax = max(int(r[3]) for r in rows)
    width = (hi - lo) / BINS if hi > lo else 0.0

    def value_at(q: float) -> float:
        target = q * n
        seen = 0
        for b in range(BINS):
            c = counts.get(b, 0)
            if c and seen + c >= target:
                v = lo + width * (b + (target - seen) / c)
                return min(max(v, fmin), fmax)
            seen += c
        return float(fmax)

    ql, qh = _quantiles(band)
    below = equal = 0.0
    if x is not None:
        xb = _bin(x, lo, hi)
        below = float(sum(c for b, c in counts.items() if b < xb))
        equal = float(counts.get(xb, 0))  # within its twentieth: counted as half below
    return _shape(
        "province", n, fmin, fmax, value_at(ql), value_at(0.5), value_at(qh), below, equal, x
    )


def beside(ctx: Context, v: CaseViolation, fine: int | None = None) -> dict[str, Any]:
    """The distributions beside one violation's proposal (or its decided fine), the rule that
    says what is far, and whether ``fine`` is far from the tenant's similar cases."""
    band = policy_of(ctx).similar_cases()
    p = v.proposal or {}
    profile = profile_of(p)
    x = fine if fine is not None else p.get("fine_suggested")
    own = tenant_distribution(v.violation_key, profile, x, band.answer, exclude=v.id)
    prov = province_distribution(
        v.violation_key, profile, x, int(v.fine_min), int(v.fine_max), band.answer
    )
    return {
        "violation_key": v.violation_key,
        "profile": profile,
        "profile_title": p.get("grade_title", ""),
        "tenant": own,
        "province": prov,
        "rule_id": band.rule_id,
        "band": band.answer,
        "explanation": band.explanation,
        "far": bool(x is not None and _far(own, x, band.answer)),
    }


def _far(dist: dict[str, Any], x: int, band: dict[str, Any] | None) -> bool:
    if not band or dist.get("count", 0) < band["min_count"]:
        return False
    return bool(x < dist["p_low"] or x > dist["p_high"])


def record_decision(ctx: Context, v: CaseViolation) -> None:
    """At the decision (same transaction): the violation's profile, its distribution and the far
    flag, and its tenant's aggregate row for the province."""
    profile = profile_of(v.proposal or {})
    fine = v.fine if v.outcome == "fine" else None
    v.similar_cases = beside(ctx, v, fine) if fine is not None else {}
    v.similar_far = bool(v.similar_cases.get("far"))
    v.profile = profile
    if fine is None or ctx.tenant_id is None:
        return
    province, _ids = province_of_write_tenant()
    b = _bin(fine, int(v.fine_min), int(v.fine_max))
    values = {
        "tenant_id": ctx.tenant_id,
        "province_id": province or ctx.tenant_id,
        "violation_key": v.violation_key,
        "profile": profile,
        "bin": b,
        "n": 1,
        "fine_sum": fine,
        "fine_min": fine,
        "fine_max": fine,
    }
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = pg_insert(CaseDecisionStat).values(**values)
        ex = stmt.excluded
        db.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "violation_key", "profile", "bin"],
                set_={
                    "n": CaseDecisionStat.n + 1,
                    "fine_sum": CaseDecisionStat.fine_sum + ex.fine_sum,
                    "fine_min": func.least(CaseDecisionStat.fine_min, ex.fine_min),
                    "fine_max": func.greatest(CaseDecisionStat.fine_max, ex.fine_max),
                },
            )
        )
        return
    row = db.session.execute(
        select(CaseDecisionStat).where(
            CaseDecisionStat.tenant_id == ctx.tenant_id,
            CaseDecisionStat.violation_key == v.violation_key,
            CaseDecisionStat.profile == profile,
            CaseDecisionStat.bin == b,
        )
    ).scalar_one_or_none()
    if row is None:
        db.session.add(CaseDecisionStat(**values))
    else:
        row.n += 1
        row.fine_sum += fine
        row.fine_min, row.fine_max = min(row.fine_min, fine), max(row.fine_max, fine)


def for_case(ctx: Context, violations: list[CaseViolation]) -> dict[int, dict[str, Any]]:
    """Beside each violation of a case: the decision's stored distribution once decided, else
    the distribution now for the penalty told to the party (or the proposal's suggestion)."""
    out: dict[int, dict[str, Any]] = {}
    for v in violations:
        if v.similar_cases:
            out[v.id] = dict(v.similar_cases)
            continue
        fine = v.intended_fine if v.intended_outcome == "fine" else None
        out[v.id] = beside(ctx, v, fine)
    return out


def far_decisions(limit: int = 200) -> list[CaseViolation]:
    """Decided violations flagged far from their similar cases, within the scope (an oversight
    role reads its subtree): what oversight looks at."""
    return list(
        db.session.execute(
            select(CaseViolation)
            .where(CaseViolation.similar_far.is_(True))
            .order_by(CaseViolation.id.desc())
            .limit(limit)
        ).scalars()
    )
