"""SX-6 doing the inspection: the single checklist (一表通查) per industry plus permit-based items
(一证式) from the enterprise's permit; findings per item; evidence files and body-camera
references; the inspection record (现场检查笔录); finishing (off-site: data source and
conclusion, SX-8). Finishing sets the feedback deadline and writes the listed enterprise's ledger."""

from __future__ import annotations

import re
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from policies.vocab import industry_matches
from tenant_app.audit import log as audit
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ServiceError, ValidationFailed
from tenant_app.extensions import db
from tenant_app.inspections.services import feedback, ledger_link, storage
from tenant_app.inspections.services.common import cite, policy_of
from tenant_app.listing.services.listed_status import listed_on
from tenant_app.models import (
    ChecklistTemplate,
    Enterprise,
    Inspection,
    InspectionEvidence,
    InspectionFinding,
)
from tenant_app.models.inspection import EVIDENCE_KINDS, FINDING_RESULTS, OFF_SITE_SOURCES

# The platform's default 一表通查 items, used when the tenant has no template for the industry.
DEFAULT_ITEMS = [
    {
        "key": "procedures",
        "title": "环评审批、竣工环保验收等环保手续",
        "basis": "《环境影响评价法》",
    },
    {
        "key": "facilities",
        "title": "污染防治设施正常运行及运行台账",
        "basis": "《环境保护法》第四十二条",
    },
    {
        "key": "discharge",
        "title": "污染物达标排放（废水、废气、噪声）",
        "basis": "《环境保护法》第四十二条",
    },
    {
        "key": "solid_waste",
        "title": "一般工业固体废物和危险废物贮存、转移、处置",
        "basis": "《固体废物污染环境防治法》",
    },
    {
        "key": "emergency",
        "title": "突发环境事件应急预案及演练",
        "basis": "《突发环境事件应急管理办法》",
    },
]
RECORD_FIELDS = {
    "location": "检查地点",
    "started_at": "检查开始时间",
    "ended_at": "检查结束时间",
    "present": "被检查单位在场人员（姓名、职务）",
    "notice": "告知事项（表明身份、出示证件、告知权利）",
    "statement": "检查情况记录",
    "enterprise_opinion": "被检查单位意见",
}


def permit_items(e: Enterprise) -> list[dict[str, str]]:
    """一证式: what the permit itself says is checked against the site."""
    if e.permit_class in (None, "not_required"):
        return []
    no = e.permit_no or "（未登记编号）"
    items = [
        {
            "key": "permit_valid",
            "title": f"排污许可证/登记（{no}）在有效期内"
            + (f"（至 {e.permit_valid_to.isoformat()}）" if e.permit_valid_to else ""),
            "basis": "《排污许可管理条例》第十四条",
        },
        {
            "key": "permit_outlets",
            "title": f"排放口、污染物种类及排放浓度与许可证（{no}）载明事项一致",
            "basis": "《排污许可管理条例》第十七条",
        },
    ]
    if e.permit_class in ("key", "simplified"):
        items.append(
            {
                "key": "permit_ledger",
                "title": "环境管理台账记录与执行报告按证提交",
                "basis": "《排污许可管理条例》第二十一、二十二条",
            }
        )
        items.append(
            {
                "key": "self_monitoring",
                "title": "按证开展自行监测并公开监测数据",
                "basis": "《排污许可管理条例》第十九条",
            }
        )
    if e.online_monitoring_required:
        items.append(
            {
                "key": "online_monitoring",
                "title": "自动监测设备安装、联网及正常运行",
                "basis": "《排污许可管理条例》第二十条",
            }
        )
    return items


def template_for(industry_code: str | None) -> ChecklistTemplate | None:
    best = None
    for t in db.session.execute(select(ChecklistTemplate)).scalars():
        fits = t.industry_prefix == "" or industry_matches(industry_code, t.industry_prefix)
        if fits and (best is None or len(t.industry_prefix) > len(best.industry_prefix)):
            best = t
    return best


def build_checklist(e: Enterprise, keys: list[str] | None = None) -> list[dict[str, str]]:
    t = template_for(e.industry_code)
    base = [dict(i, source="一表通查") for i in (t.items if t else DEFAULT_ITEMS)]
    items = base + [dict(i, source="一证式") for i in permit_items(e)]
    if keys:
        wanted = set(keys)
        items = [i for i in items if i["key"] in wanted] or items
    return items


def save_template(
    ctx: Context, industry_prefix: str, title: str, items: list[dict[str, str]]
) -> ChecklistTemplate:
    clean = [
        {
            "key": str(i["key"])[:64],
            "title": str(i["title"])[:255],
            "basis": str(i.get("basis", ""))[:255],
        }
        for i in items
        if i.get("key") and i.get("title")
    ]
    if not clean:
        raise ValidationFailed.field("items", "至少一项检查内容")
    t = db.session.execute(
        select(ChecklistTemplate).where(ChecklistTemplate.industry_prefix == industry_prefix)
    ).scalar_one_or_none()
    if t is None:
        t = ChecklistTemplate(industry_prefix=industry_prefix, title=title[:200], items=clean)
        db.session.add(t)
    else:
        t.title, t.items = title[:200], clean
    db.session.flush()
    audit.record(
        ctx,
        "checklist_template.saved",
        object_type="checklist_template",
        object_id=t.id,
        after={"industry_prefix": industry_prefix, "items": [i["key"] for i in clean]},
    )
    return t


def note_prior_notice(ctx: Context, insp: Inspection, text: str) -> Inspection:
    """XJ-S: a joint visit to a listed enterprise is notified to it beforehand; record how/when."""
    text = text.strip()
    if not text:
        raise ValidationFailed.field("prior_notice", "请填写事先告知的时间和方式")
    if insp.status not in ("pending", "approved"):
        raise Conflict("检查已开始或结束", {"status": [insp.status]})
    insp.record = {**(insp.record or {}), "prior_notice": text[:1000]}
    audit.record(
        ctx,
        "inspection.prior_notice",
        object_type="inspection",
        object_id=insp.id,
        after={"prior_notice": text[:1000]},
    )
    return insp


def start(ctx: Context, insp: Inspection) -> Inspection:
    """Nothing on-site starts unapproved (SX-5/SX-10/XJ-S), nor before its preconditions; and the
    day it actually starts governs (issue 11): the checks run again for today (listed status,
    quiet period, cap, conflicts of interest, the self-inspection lead) and today must hold every
    approval it requires. A day needing more than was approved is refused: replan it first."""
    from tenant_app.inspections.services import moments

    if insp.status != "approved":
        raise Conflict(
            "检查未经批准，不能开始" if insp.status == "pending" else "该检查不能开始",
            {"status": [insp.status]},
        )
    on = ctx.today
    report, reqs = moments.revalidate(ctx, insp, on)
    if not report.allowed:
        raise moments.refusal(report)
    missing = moments.open_titles(reqs)
    if missing:
        moved = on != insp.planned_date
        raise Conflict(
            (
                f"检查批准的日期为 {insp.planned_date.isoformat()}，今天（{on.isoformat()}）开始须另经审批："
                if moved
                else "开始检查前须另经审批："
            )
            + "；".join(missing)
            + "。请先改期（重新核验）报批。",
            {"approval": missing, "planned_date": [insp.planned_date.isoformat()]},
        )
    if "prior_notice_to_enterprise" in report.preconditions and not (insp.record or {}).get(
        "prior_notice"
    ):
        # The precondition comes from how the pack supervises listed enterprises (XJ-S).
        rid = policy_of(ctx, on).listed_supervision().rule_id
        raise Conflict(
            cite(rid, "联合检查正面清单企业须事先告知企业，请先登记告知情况"),
            {"prior_notice": ["未登记事先告知"]},
        )
    approved_for = insp.planned_date
    moments.store(ctx, insp, report, reqs, "start")
    insp.planned_date = on
    insp.status, insp.started_at = "in_progress", utcnow()
    audit.record(
        ctx,
        "inspection.started",
        object_type="inspection",
        object_id=insp.id,
        before={"status": "approved", "planned_date": approved_for},
        after={
            "status": "in_progress",
            "planned_date": on,
            "rule_ids": insp.rule_ids,
            "policy_version": insp.policy_version,
        },
    )
    return insp


def _must_be_running(insp: Inspection) -> None:
    if insp.status != "in_progress":
        raise Conflict("检查尚未开始或已结束", {"status": [insp.status]})


def _one_writer(insp: Inspection) -> None:
    """Saves of one record queue behind each other: the page saves each item as it is tapped
    while the officer may press "save" too, and two writers would both insert the same finding
    or each write back the record without the other's field. The lock holds to commit; the
    reads after it see what the writer before committed. (SQLite serialises writers itself.)"""
    db.session.execute(
        select(Inspection.id).where(Inspection.id == insp.id).with_for_update()
    ).scalar_one()
    db.session.refresh(insp, ["record", "status"])


def save_findings(
    ctx: Context, insp: Inspection, values: dict[str, dict[str, str]]
) -> list[InspectionFinding]:
    """``values``: item key -> {result, note}. Unknown keys and results are refused."""
    _must_be_running(insp)
    items = {i["key"]: i for i in insp.checklist or []}
    errors = {f"finding.{k}": ["不是本次检查表中的项目"] for k in values if k not in items}
    errors |= {
        f"finding.{k}": ["请选择检查结果"]
        for k, v in values.items()
        if k in items and v.get("result") not in FINDING_RESULTS
    }
    if errors:
        raise ValidationFailed("检查结果有误", errors)
    _one_writer(insp)
    _must_be_running(insp)
    existing = {f.item_key: f for f in findings(insp)}
    out, changed = [], {}
    for key, v in values.items():
        f = existing.get(key) or InspectionFinding(
            inspection_id=insp.id, item_key=key, item_title=items[key]["title"]
        )
        result, note = v["result"], str(v.get("note") or "")[:2000]
        out.append(f)
        if f.id is not None and (f.result, f.note) == (result, note):
            continue  # saved again as it was (the page saves an item on every pause)
        f.result, f.note = result, note
        f.entered_by = ctx.actor.user_id
        db.session.add(f)
        changed[key] = result
    if not changed:
        return out
    db.session.flush()
    audit.record(
        ctx,
        "inspection.findings_saved",
        object_type="inspection",
        object_id=insp.id,
        after=changed,
    )
    return out


def findings(insp: Inspection) -> list[InspectionFinding]:
    return list(
        db.session.execute(
            select(InspectionFinding)
            .where(InspectionFinding.inspection_id == insp.id)
            .order_by(InspectionFinding.id)
        ).scalars()
    )


def save_record(ctx: Context, insp: Inspection, values: dict[str, Any]) -> Inspection:
    """The fields of the record given in ``values`` (one at a time from the page, as they are
    typed; any number from the API); the others stay as they were. Nothing changed, no entry."""
    _must_be_running(insp)
    _one_writer(insp)
    _must_be_running(insp)
    before = insp.record or {}
    given = {k: str(values[k])[:4000] for k in RECORD_FIELDS if k in values}
    changed = {k: v for k, v in given.items() if before.get(k, "") != v}
    if not changed:
        return insp
    insp.record = {**before, **changed}
    audit.record(
        ctx,
        "inspection.record_saved",
        object_type="inspection",
        object_id=insp.id,
        before={k: before.get(k, "") for k in changed},
        after=changed,
    )
    return insp


UPLOAD_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def evidence_by_key(insp: Inspection, upload_key: str) -> InspectionEvidence | None:
    return db.session.execute(
        select(InspectionEvidence).where(
            InspectionEvidence.inspection_id == insp.id,
            InspectionEvidence.upload_key == upload_key,
        )
    ).scalar_one_or_none()


def add_evidence(
    ctx: Context,
    insp: Inspection,
    stream: IO[bytes],
    filename: str,
    kind: str,
    note: str = "",
    upload_key: str | None = None,
) -> InspectionEvidence:
    """Store one evidence file. ``upload_key`` (16–64 letters, digits, ``-`` or ``_``, chosen
    by the uploading page or API client once per file) makes a retry safe: a second upload with
    the key of one already stored returns that attachment, stores nothing and records nothing,
    even once the inspection is finished (the first upload arrived while it was running)."""
    if upload_key is not None:
        if not UPLOAD_KEY.match(upload_key):
            raise ValidationFailed.field(
                "upload_key", "上传标识应为16至64位字母、数字、连字符或下划线"
            )
        first = evidence_by_key(insp, upload_key)
        if first is not None:
            return first
    if insp.status not in ("in_progress", "done"):
        raise Conflict("检查开始后才能上传证据", {"status": [insp.status]})
    if kind not in EVIDENCE_KINDS or kind == "bodycam":
        raise ValidationFailed.field("kind", "请选择证据类型（照片、视频、文书材料）")
    s = storage.store(stream, filename, insp.tenant_id, "inspections")
    ev = InspectionEvidence(
        inspection_id=insp.id,
        kind=kind,
        filename=s.filename,
        content_type=s.content_type,
        size=s.size,
        sha256=s.sha256,
        stored_name=s.stored_name,
        note=note[:500],
        uploaded_by=ctx.actor.user_id,
        upload_key=upload_key,
    )
    try:
        with db.session.begin_nested():  # two retries racing: the unique key keeps one
            db.session.add(ev)
            db.session.flush()
    except IntegrityError:
        first = evidence_by_key(insp, upload_key) if upload_key else None
        if first is None:
            raise
        return first
    audit.record(
        ctx,
        "inspection.evidence_added",
        object_type="inspection",
        object_id=insp.id,
        after={"evidence_id": ev.id, "filename": s.filename, "sha256": s.sha256, "size": s.size},
    )
    return ev


def add_bodycam(
    ctx: Context, insp: Inspection, reference: str, note: str = ""
) -> InspectionEvidence:
    reference = reference.strip()[:255]
    if not reference:
        raise ValidationFailed.field("reference", "请填写执法记录仪设备编号及视频编号")
    if insp.status not in ("in_progress", "done"):
        raise Conflict("检查开始后才能登记", {"status": [insp.status]})
    ev = InspectionEvidence(
        inspection_id=insp.id,
        kind="bodycam",
        reference=reference,
        note=note[:500],
        uploaded_by=ctx.actor.user_id,
    )
    db.session.add(ev)
    db.session.flush()
    audit.record(
        ctx,
        "inspection.bodycam_added",
        object_type="inspection",
        object_id=insp.id,
        after={"evidence_id": ev.id, "reference": reference},
    )
    return ev


def evidence(insp: Inspection) -> list[InspectionEvidence]:
    return list(
        db.session.execute(
            select(InspectionEvidence)
            .where(InspectionEvidence.inspection_id == insp.id)
            .order_by(InspectionEvidence.id)
        ).scalars()
    )


def finish(
    ctx: Context, insp: Inspection, *, conclusion: str = "", data_source: str | None = None
) -> Inspection:
    """Close the inspection. Off-site (SX-8): a data source and a conclusion are required."""
    if insp.mode == "off_site" and insp.status == "approved":
        from tenant_app.inspections.services.checks import RECUSAL_RULE, conflicts_of

        clash = conflicts_of(insp.enterprise_id, [int(o["id"]) for o in insp.officers or []])
        if clash:  # a conflict declared since it was planned still bars the officer (回避)
            raise Conflict(
                f"{RECUSAL_RULE}：执法人员已申报与该企业存在利害关系（回避），不得参加该检查",
                {"officer_ids": [str(c.user_id) for c in clash]},
            )
        insp.status, insp.started_at = "in_progress", utcnow()  # off-site needs no entry approval
    _must_be_running(insp)
    conclusion = conclusion.strip()
    source = data_source or insp.data_source
    errors: dict[str, list[str]] = {}
    if insp.mode == "off_site" and source not in OFF_SITE_SOURCES:
        off_site_rule = policy_of(ctx).obligation("non_site").rule_id
        errors["data_source"] = [cite(off_site_rule, "请选择非现场检查的数据来源")]
    if not conclusion:
        errors["conclusion"] = ["请填写检查结论"]
    if insp.mode == "on_site":
        done = {f.item_key for f in findings(insp)}
        missing = [i["title"] for i in insp.checklist or [] if i["key"] not in done]
        if missing:
            errors["findings"] = ["以下检查项尚未记录结果：" + "、".join(missing)]
    if errors:
        raise ValidationFailed("检查尚不能结束", errors)
    insp.conclusion, insp.data_source = conclusion[:8000], source
    insp.status, insp.finished_at = "done", utcnow()
    insp.feedback_due = feedback.due_date(ctx, ctx.today)
    db.session.flush()
    in_ledger = (
        ledger_link.record_inspection(ctx, insp)
        if listed_on(insp.enterprise_id, insp.planned_date).listed
        else False
    )
    audit.record(
        ctx,
        "inspection.finished",
        object_type="inspection",
        object_id=insp.id,
        before={"status": "in_progress"},
        after={
            "status": "done",
            "data_source": source,
            "feedback_due": insp.feedback_due,
            "ledger": in_ledger,
        },
    )
    return insp


__all__ = [
    "ServiceError",
    "build_checklist",
    "note_prior_notice",
    "start",
    "save_findings",
    "save_record",
    "add_evidence",
    "add_bodycam",
    "finish",
    "findings",
    "evidence",
    "RECORD_FIELDS",
]
