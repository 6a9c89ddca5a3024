"""Screening (XJ-C1..C7, XJ-D, XJ-X, XJ-R bans): one enterprise (the full Decision with every
deciding record) and tenant-wide runs (a job; the set-based path of bulk_screening)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select

from policies.decision import ScreeningResult as PolicyResult
from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError, ValidationFailed
from tenant_app.core.row_fields import FieldProblem, a_date
from tenant_app.core.spreadsheet import safe_row
from tenant_app.extensions import db
from tenant_app.jobs.registry import Progress
from tenant_app.listing.services import bulk_screening
from tenant_app.listing.services.common import policy, tenant
from tenant_app.models import Enterprise
from tenant_app.models.listing import VERDICTS, ScreeningResult, ScreeningRun
from tenant_app.registry.services.enterprise_facts import facts_for
from tenant_app.tenancy.queries import Page, keyset_page

MAX_ID = 2**63 - 1


def screen_one(ctx: Context, e: Enterprise, on: date | None = None) -> PolicyResult:
    """The full Decision for one enterprise on ``on`` (default: the day of the act)."""
    on = on or ctx.today
    return policy(ctx, on).screen(facts_for(e, on), on)


def decision(ctx: Context, e: Enterprise, on: date | None = None) -> dict[str, Any]:
    """The one-enterprise Decision as the page and the API both show it: the verdict in words
    (XJ-D named whenever a direct route holds), each condition with its facts and rule id,
    direct routes, exclusions and those to check, bans, policy version and explanation."""
    from tenant_app.listing.services.verdicts import from_result

    on = on or ctx.today
    r = screen_one(ctx, e, on)
    v = from_result(e.id, r)

    def cond(c: Any) -> dict[str, Any]:
        return {
            "id": c.id,
            "rule_id": c.rule_id,
            "title": c.title,
            "passed": c.passed,
            "mark": "满足" if c.passed else ("无法判断" if c.passed is None else "不满足"),
            "reason": c.reason,
            "records": [dict(x) for x in c.records],
        }

    plain = r.to_dict()
    return {
        "enterprise_id": e.id,
        "on": on.isoformat(),
        "verdict": v.verdict,
        "verdict_label": VERDICTS[v.verdict],
        "answer": bool(r.answer),
        "route": r.route,
        "rule_id": r.rule_id,
        "rule_ids": list(r.rule_ids),
        "policy_version": str(r.policy_version or ""),
        "conditions": [cond(c) for c in r.conditions],
        "direct_routes": [cond(c) for c in r.direct_routes],
        "excluded_by": plain["excluded_by"],
        "exclusions_to_review": plain["facts"].get("exclusions_to_review", []),
        "bans": plain["bans"],
        "barred_until": r.barred_until.isoformat() if r.barred_until else None,
        "facts": {"industry_code": r.facts.get("industry_code"), "tags": r.facts.get("tags")},
        "explanation": r.explanation,
    }


def start_run(ctx: Context, on: date | None = None) -> ScreeningRun:
    """Record a run and queue its job (dispatched after commit)."""
    from tenant_app.jobs import enqueue

    require_action(ctx, Perm.LISTING_SCREEN)
    on = on or ctx.today
    if on > ctx.today:
        raise ValidationFailed.field("on", "筛选日期不能晚于今天")
    run = ScreeningRun(
        on_date=on,
        policy_version=str(policy(ctx, on).version_id or ""),
        status="pending",
        created_by=ctx.actor.user_id,
    )
    db.session.add(run)
    db.session.flush()
    job = enqueue("listing.screen_tenant", {"run_id": run.id}, job_id=f"listing-screen:{run.id}")
    run.job_id = job.id
    audit.record(
        ctx,
        "listing.screening_started",
        object_type="listing_screening_run",
        object_id=run.id,
        after={"on": on, "policy_version": run.policy_version},
    )
    return run


def execute_run(ctx: Context, run_id: int, progress: Progress) -> dict[str, Any]:
    """The job body: idempotent (a rerun replaces the results of the run)."""
    run = db.session.execute(select(ScreeningRun).where(ScreeningRun.id == run_id)).scalar_one()
    t = tenant(ctx)
    pol = policy(ctx, run.on_date)
    version = str(pol.version_id or "")
    conditions = pol.screening_conditions()
    total = db.session.execute(
        select(db.func.count()).select_from(Enterprise).where(Enterprise.tenant_id == t.id)
    ).scalar_one()
    # before this run's first write: on SQLite the progress row waits for the run's transaction
    progress(1, "正在筛选", done=0, total=total)
    db.session.execute(
        delete(ScreeningResult).where(
            ScreeningResult.tenant_id == t.id, ScreeningResult.run_id == run.id
        )
    )
    run.status, run.policy_version = "running", version
    counts: Counter[str] = Counter()
    batch: list[dict[str, Any]] = []
    done = 0
    for v in bulk_screening.screen_tenant(pol, t.id, run.on_date):
        counts[v.verdict] += 1
        batch.append(
            {
                "tenant_id": t.id,
                "run_id": run.id,
                "enterprise_id": v.enterprise_id,
                "verdict": v.verdict,
                "failed": ",".join(v.failed)[:64],
                "barred_until": v.barred_until,
                "rule_id": v.rule_id,
                "policy_version": version,
                "decision": v.decision(conditions, run.on_date, version),
            }
        )
        if len(batch) >= 5000:
            done += _flush(batch)
            progress(
                min(99, int(done * 100 / max(total, 1))),
                f"已筛选 {done}/{total} 家",
                done=done,
                total=total,
            )
    done += _flush(batch)
    run.status, run.total, run.counts, run.finished_at = "done", done, dict(counts), utcnow()
    audit.record(
        ctx,
        "listing.screening_done",
        object_type="listing_screening_run",
        object_id=run.id,
        after={"total": done, "counts": dict(counts), "policy_version": version},
    )
    return {"run_id": run.id, "total": done, "counts": dict(counts)}


def _flush(batch: list[dict[str, Any]]) -> int:
    n = len(batch)
    if batch:
        db.session.execute(insert(ScreeningResult), batch)
        batch.clear()
    return n


def runs(ctx: Context, limit: int = 20) -> list[ScreeningRun]:
    return list(
        db.session.execute(
            select(ScreeningRun).order_by(ScreeningRun.id.desc()).limit(limit)
        ).scalars()
    )


def get_run(ctx: Context, run_id: int) -> ScreeningRun:
    from tenant_app.listing.services.entries import NotFound

    run = None
    if 0 < run_id <= MAX_ID:
        run = db.session.execute(
            select(ScreeningRun).where(ScreeningRun.id == run_id)
        ).scalar_one_or_none()
    if run is None:
        raise NotFound("没有该筛选批次")
    return run


def _filtered(run: ScreeningRun, verdict: str | None, failed: str | None, q: str | None) -> Any:
    stmt = select(ScreeningResult).where(ScreeningResult.run_id == run.id)
    if verdict:
        if verdict not in VERDICTS:
            raise ValidationFailed.field("verdict", "没有这种筛选结论")
        stmt = stmt.where(ScreeningResult.verdict == verdict)
    if failed:
        stmt = stmt.where(ScreeningResult.failed.contains(failed.strip()[:8]))
    if q:
        stmt = stmt.join(Enterprise, Enterprise.id == ScreeningResult.enterprise_id).where(
            (Enterprise.name.contains(q.strip()[:50]))
            | (Enterprise.uscc.startswith(q.strip()[:18]))
        )
    return stmt


def results(
    ctx: Context,
    run: ScreeningRun,
    *,
    verdict: str | None = None,
    failed: str | None = None,
    q: str | None = None,
    after: int | None = None,
    limit: int = 50,
) -> Page:
    return keyset_page(_filtered(run, verdict, failed, q), ScreeningResult.id, after, limit)


def export_xlsx(
    ctx: Context,
    run: ScreeningRun,
    *,
    verdict: str | None = None,
    failed: str | None = None,
    q: str | None = None,
) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("筛选结果")
    conds = list(policy(ctx, run.on_date).screening_conditions())
    ws.append(
        [
            "统一社会信用代码",
            "企业名称",
            "结论",
            "规则",
            "禁止纳入至",
            *conds,
            "政策版本",
            "筛选日期",
        ]
    )
    stmt = (
        _filtered(run, verdict, failed, q)
        .order_by(ScreeningResult.id)
        .execution_options(yield_per=2000)
    )
    for r in db.session.execute(stmt).scalars():
        c = r.decision["facts"]["conditions"]
        marks = [
            "满足" if c[k]["passed"] else ("无法判断" if c[k]["passed"] is None else "不满足")
            for k in conds
            if k in c
        ]
        ws.append(
            safe_row(
                [
                    r.enterprise.uscc,
                    r.enterprise.name,
                    VERDICTS[r.verdict],
                    r.rule_id,
                    r.barred_until.isoformat() if r.barred_until else "",
                    *marks,
                    r.policy_version,
                    run.on_date.isoformat(),
                ]
            )
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def check_date(raw: Any) -> date | None:
    """A screening date from a form or query string; refused with a reason, never a 500."""
    try:
        return a_date(raw, label="筛选日期")
    except FieldProblem as exc:
        raise ServiceError(str(exc), {"on": [str(exc)]}) from None
