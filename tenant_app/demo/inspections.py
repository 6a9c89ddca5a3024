"""Inspections of a demo city in every state, through the inspection services: a published
annual plan (SX-3), an approved and published special campaign (SX-4), an executed random
draw (双随机) with its inspections, and single inspections awaiting approval (in Shanxi inside
a city quiet period, SX-10), approved, rejected, in progress, done with feedback, done with the
feedback overdue, and off-site (SX-8; in Xinjiang on a listed enterprise, written to its ledger,
XJ-S).

A visit cannot be planned in the past (issue 11 item 7) and the services stamp start, finish and
the feedback deadline "now": the on-site inspections the demo presents as history are planned,
approved and done today, then ``_backdate`` sets the day they happened (planned date, start,
finish) on those rows in the same transaction, and the feedback deadline with the service's own
rule (feedback.due_date).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from tenant_app.clock import today
from tenant_app.demo.context import (
    CLERK,
    acting,
    days_ago,
    days_ahead,
    rng_for,
    user,
    workday_on_or_before,
)
from tenant_app.demo.portal import enterprise_user
from tenant_app.extensions import db
from tenant_app.inspections.services import (
    annual,
    approvals,
    campaigns,
    conduct,
    draws,
    feedback,
    plans,
)
from tenant_app.inspections.services import requests as inspection_requests
from tenant_app.models import Enterprise, Inspection, InspectionPlan, User
from tenant_app.policy import service as policy_service
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope


class City:
    def __init__(self, slug: str, officers: tuple[str, str], approver: str, principal: str) -> None:
        self.slug, self.officers, self.approver, self.principal = (
            slug,
            officers,
            approver,
            principal,
        )

    @property
    def clerk(self) -> str:
        return CLERK[self.slug]


CITIES = {
    "xj-urumqi": City(
        "xj-urumqi", ("urumqi-officer1", "urumqi-officer2"), "urumqi-head", "urumqi-principal"
    ),
    "sx-taiyuan": City(
        "sx-taiyuan",
        ("taiyuan-officer1", "taiyuan-officer2"),
        "taiyuan-principal",
        "taiyuan-principal",
    ),
}
# SX-10: Taiyuan's own quiet period for food processing (a city override of the Shanxi pack).
QUIET_DAYS = (21, 28)  # every month, days 21–28
QUIET: dict[str, object] = {
    "id": "food-peak",
    "kind": "monthly",
    "start_day": QUIET_DAYS[0],
    "end_day": QUIET_DAYS[1],
    "industries": ["C13", "C14", "C15"],
    "note": "农副食品加工、食品、酒饮料企业每月下旬集中生产期，非必要不入企",
}
CAMPAIGNS = {
    "xj-urumqi": (
        "水泥、建材行业大气污染防治专项执法检查",
        {"industry_prefixes": ["C30"]},
        "检查水泥、建材企业除尘、脱硝设施运行情况，无组织排放管控，错峰生产措施落实情况。",
    ),
    "sx-taiyuan": (
        "焦化、煤炭行业超低排放改造专项执法检查",
        {"industry_prefixes": ["C25", "B06"]},
        "检查焦化、煤炭企业超低排放改造进度、在线监测联网、物料堆场抑尘措施落实情况。",
    ),
}
FINDING_NOTES = {
    "compliant": "现场查看相关设施及台账，符合要求",
    "issue": "危险废物暂存间标识不全、台账未按日登记，已当场责令改正",
}


def seed_inspections(slug: str) -> bool:
    city = CITIES[slug]
    with acting(slug, city.clerk):
        if db.session.execute(select(InspectionPlan.id).limit(1)).first():
            return False
    rng = rng_for(slug, "inspections")
    if slug.startswith("sx-"):
        _quiet_period(slug)
    _plan(city)
    _campaign(city)
    drawn = _draw(city)
    pool = _candidates(city, exclude=drawn)
    rng.shuffle(pool)
    take = iter(pool)
    officers = [user(u).id for u in city.officers]

    if slug.startswith("sx-"):
        food = _candidates(city, exclude=drawn, industries=("C13", "C14", "C15"))
        _new(
            city,
            rng.choice(food),
            "on_site",
            "proactive",
            _quiet_day(),
            officers,
            "食品企业年度计划内现场检查",
        )
    _new(city, next(take), "on_site", "complaint", days_ahead(3), officers, "群众投诉夜间异味核查")
    ok = _new(
        city,
        next(take),
        "on_site",
        "complaint",
        days_ahead(4),
        officers,
        "12345 转办噪声扰民投诉核查",
    )
    _approve(city, ok, "同意，注意出示执法证件并全程使用执法记录仪。")
    no = _new(
        city, next(take), "on_site", "proactive", days_ahead(6), officers, "年度计划内现场检查"
    )
    _reject(city, no, "该企业本季度已接受综合检查，避免重复入企，改为非现场检查。")
    going = _new(
        city,
        next(take),
        "on_site",
        "assignment",
        today(),
        officers,
        "上级交办信访件现场核查",
    )
    _approve(city, going, "同意。")
    _start(city, going)

    done_ent = next(take)
    done = _new(
        city,
        done_ent,
        "on_site",
        "proactive",
        today(),
        officers,
        "年度计划内现场检查",
    )
    _approve(city, done, "同意。")
    _conduct(city, done, workday_on_or_before(days_ago(30)))
    _feedback(
        city,
        done,
        "经检查，贵单位污染防治设施运行正常，危废暂存间标识不全已当场整改。请继续按证排污，按时提交执行报告。",
    )
    late = _new(
        city,
        next(take),
        "on_site",
        "proactive",
        today(),
        officers,
        "年度计划内现场检查",
    )
    _approve(city, late, "同意。")
    _conduct(city, late, workday_on_or_before(days_ago(25)))
    with acting(slug, city.clerk):
        feedback.flag_overdue(scope_context())  # the daily job's rule, over the back-dated deadline
        db.session.commit()

    listed = _listed(city)
    off_ent = listed[0] if listed else next(take)
    off = _new(
        city,
        off_ent,
        "off_site",
        "data_lead",
        workday_on_or_before(days_ago(7)),
        officers[:1],
        "在线监测数据非现场核查",
        data_source="auto_monitoring",
    )
    _finish_off_site(city, off, workday_on_or_before(days_ago(7)))
    _feedback(city, off, "非现场核查：近一月在线监测数据完整、达标，未发现异常，无需入企。")

    if slug.startswith("sx-"):
        u = enterprise_user(slug, done_ent, "taiyuan-qiye", "郝经理")
        with acting(slug, u.username):
            inspection_requests.submit(
                scope_context(),
                "我公司新建的污水处理设施已调试完成，申请执法人员上门检查指导，确认是否符合排放要求。",
                days_ahead(10).isoformat(),
            )
            db.session.commit()
    return True


def _quiet_period(slug: str) -> None:
    with acting(slug, "taiyuan-admin"):
        policy_service.save_version(
            scope_context(),
            overrides={"inspection": {"quiet": {"periods": [QUIET]}}},
            effective_from=today(),
            comment="太原市设定食品加工企业安静期（SX-10）",
        )
        db.session.commit()


def _quiet_day() -> date:
    d = days_ahead(3)
    while not (QUIET_DAYS[0] <= d.day <= QUIET_DAYS[1] and d.weekday() < 5):
        d += timedelta(days=1)
    return d


def _outside_quiet(d: date) -> date:
    while QUIET_DAYS[0] <= d.day <= QUIET_DAYS[1] or d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _plan(city: City) -> None:
    year = today().year
    with acting(city.slug, city.clerk):
        p = annual.create_plan(
            scope_context(), {"year": year, "title": f"{year}年度涉企执法检查计划"}
        )
        plan_id = p.id
        db.session.commit()
    with acting(city.slug, city.approver):
        annual.approve_plan(scope_context(), annual.get_plan(plan_id))
        db.session.commit()
    with acting(city.slug, city.clerk):
        annual.publish_plan(scope_context(), annual.get_plan(plan_id))
        db.session.commit()


def _campaign(city: City) -> None:
    title, scope, content = CAMPAIGNS[city.slug]
    with acting(city.slug, city.clerk):
        c = campaigns.create_campaign(
            scope_context(),
            {
                "title": f"{today().year}年{title}",
                "content": content,
                "scope": scope,
                "start_date": days_ago(10).isoformat(),
                "end_date": days_ahead(50).isoformat(),
            },
        )
        cid = c.id
        db.session.commit()
    with acting(city.slug, city.principal):
        campaigns.approve_campaign(scope_context(), _campaign_row(cid))
        db.session.commit()
    with acting(city.slug, city.principal):  # SX-4: filed with the department one level up
        campaigns.file_campaign(
            scope_context(), _campaign_row(cid), {"filing_ref": f"备〔{today().year}〕1号"}
        )
        db.session.commit()
    with acting(city.slug, city.clerk):
        campaigns.publish_campaign(scope_context(), _campaign_row(cid))
        in_scope = sorted(campaigns.in_scope_ids(scope))
        db.session.commit()
    target = _first_general(city, in_scope)
    if target is not None:
        officers = [user(u).id for u in city.officers]
        iid = _new(
            city,
            target,
            "on_site",
            "special_campaign",
            _outside_quiet(days_ahead(8)),
            officers,
            title,
            campaign_id=cid,
        )
        _approve(city, iid, "同意，按专项行动方案开展检查。")


def _campaign_row(cid: int) -> Any:
    from tenant_app.models import Campaign

    return db.session.execute(select(Campaign).where(Campaign.id == cid)).scalar_one()


def _first_general(city: City, ids: list[int]) -> int | None:
    with acting(city.slug, city.clerk):
        row = db.session.execute(
            select(Enterprise.id)
            .where(Enterprise.id.in_(ids or [0]), Enterprise.supervision_category == "general")
            .order_by(Enterprise.id)
            .limit(1)
        ).scalar()
    return row


def _witness(city: City) -> str:
    """The draw's witness: the city's legal reviewer (法制审核), created once."""
    from tenant_app.accounts import users as user_service
    from tenant_app.demo.regions import DEMO_PASSWORD

    username = f"{city.slug.split('-')[-1]}-legal"
    with use_scope(system_scope()):
        exists = db.session.execute(select(User.id).where(User.username == username)).first()
    if exists is None:
        with acting(city.slug, None) as t:
            user_service.create_user(
                scope_context(),
                tenant=t,
                username=username,
                display_name="法制审核员",
                password=DEMO_PASSWORD,
                roles=["legal_reviewer"],
            )
            db.session.commit()
    return username


def _draw(city: City) -> set[int]:
    """Two parties: the clerk commits the pool and their secret, the legal reviewer witnesses;
    both reveal (docs/draws.md). The secrets live only in this function."""
    planned = _outside_quiet(days_ahead(14))
    officer_secret, witness_secret = draws.new_secret(), draws.new_secret()
    witness = _witness(city)
    with acting(city.slug, city.clerk):
        d = draws.commit_draw(
            scope_context(),
            {
                "planned_date": planned.isoformat(),
                "title": f"{planned.year}年第{(planned.month - 1) // 3 + 1}季度“双随机、一公开”抽查",
                "filters": {},
                "secret": officer_secret,
            },
        )
        did = d.id
        db.session.commit()
    with acting(city.slug, witness):
        ctx = scope_context()
        draws.commit_witness(ctx, draws.get_draw(did), {"secret": witness_secret})
        draws.reveal(ctx, draws.get_draw(did), witness_secret)
        db.session.commit()
    with acting(city.slug, city.clerk):
        ctx = scope_context()
        d = draws.reveal(ctx, draws.get_draw(did), officer_secret)
        draws.create_inspections(ctx, d)
        drawn = {int(r["enterprise_id"]) for r in d.result}
        db.session.commit()
    return drawn


def _candidates(city: City, exclude: set[int], industries: tuple[str, ...] = ()) -> list[int]:
    """General-category enterprises, by id (the draw's are left out: one visit each)."""
    with acting(city.slug, city.clerk):
        stmt = select(Enterprise.id, Enterprise.industry_code).where(
            Enterprise.supervision_category == "general"
        )
        rows = db.session.execute(stmt.order_by(Enterprise.id)).all()
    return [
        eid
        for eid, code in rows
        if eid not in exclude and (not industries or (code or "")[:3] in industries)
    ]


def _listed(city: City) -> list[int]:
    with acting(city.slug, city.clerk):
        return list(
            db.session.execute(
                select(Enterprise.id)
                .where(Enterprise.supervision_category == "listed")
                .order_by(Enterprise.id)
            ).scalars()
        )


def _new(
    city: City,
    enterprise_id: int,
    mode: str,
    trigger: str,
    planned: date,
    officers: list[int],
    title: str,
    **extra: Any,
) -> int:
    with acting(city.slug, city.clerk):
        insp = plans.create_inspection(
            scope_context(),
            {
                "enterprise_id": enterprise_id,
                "mode": mode,
                "trigger": trigger,
                "planned_date": planned.isoformat(),
                "officer_ids": officers,
                "title": title,
                **extra,
            },
        )
        iid = insp.id
        db.session.commit()
    return iid


def _approve(city: City, iid: int, comment: str) -> None:
    with acting(city.slug, city.approver):
        approvals.approve(scope_context(), plans.get_inspection(iid), comment)
        db.session.commit()


def _reject(city: City, iid: int, comment: str) -> None:
    with acting(city.slug, city.approver):
        approvals.reject(scope_context(), plans.get_inspection(iid), comment)
        db.session.commit()


def _start(city: City, iid: int) -> None:
    with acting(city.slug, city.officers[0]):
        ctx, insp = scope_context(), plans.get_inspection(iid)
        conduct.start(ctx, insp)
        conduct.add_bodycam(ctx, insp, "DSJ-0231 / 视频 20261129-0930", "进入厂区前开启")
        db.session.commit()


def _backdate(insp: Inspection, on: date) -> None:
    """The services stamp start and finish "now"; this inspection happened on ``on``. Inside the
    acting scope of the caller."""
    insp.planned_date = on
    insp.started_at = datetime.combine(on, time(1, 30), UTC)
    insp.finished_at = datetime.combine(on, time(4, 0), UTC)
    insp.feedback_due = feedback.due_date(scope_context(), on)


def _conduct(city: City, iid: int, on: date) -> None:
    with acting(city.slug, city.officers[0]):
        ctx, insp = scope_context(), plans.get_inspection(iid)
        conduct.start(ctx, insp)
        keys = [i["key"] for i in insp.checklist]
        conduct.save_findings(
            ctx,
            insp,
            {
                k: {
                    "result": "issue" if k == "solid_waste" else "compliant",
                    "note": FINDING_NOTES["issue" if k == "solid_waste" else "compliant"],
                }
                for k in keys
            },
        )
        conduct.save_record(
            ctx,
            insp,
            {
                "location": insp.enterprise.address,
                "started_at": f"{on.isoformat()} 09:30",
                "ended_at": f"{on.isoformat()} 12:00",
                "present": f"{insp.enterprise.legal_representative}（法定代表人）、安环部负责人",
                "notice": "执法人员出示执法证件，告知检查依据、申请回避和陈述申辩的权利",
                "statement": "检查了生产车间、污染防治设施、危废暂存间及环境管理台账。",
                "enterprise_opinion": "对检查记录无异议，危废标识当日整改完毕。",
            },
        )
        conduct.add_bodycam(ctx, insp, f"DSJ-0231 / 视频 {on:%Y%m%d}-0930", "全程记录")
        conduct.finish(
            ctx, insp, conclusion="污染防治设施运行正常；危废暂存间标识不全，已当场责令改正。"
        )
        _backdate(insp, on)
        db.session.commit()


def _finish_off_site(city: City, iid: int, on: date) -> None:
    with acting(city.slug, city.officers[0]):
        insp = plans.get_inspection(iid)
        conduct.finish(
            scope_context(),
            insp,
            conclusion="调阅近 30 日自动监测数据：颗粒物、二氧化硫、氮氧化物小时均值均达标，数据传输有效率 99%。",
            data_source="auto_monitoring",
        )
        _backdate(insp, on)
        db.session.commit()


def _feedback(city: City, iid: int, text: str) -> None:
    with acting(city.slug, city.officers[0]):
        insp = plans.get_inspection(iid)
        feedback.give_feedback(scope_context(), insp, text)
        assert insp.finished_at is not None
        insp.feedback_at = insp.finished_at + timedelta(days=2)  # given on time, back then
        db.session.commit()
