"""The enterprise registry of a demo tenant: a few hundred enterprises (valid credit codes,
GB/T 4754 codes, permits, some expiring soon) and three years of compliance records, loaded
through the bulk import service (the same validators, loader and audit summary as an upload),
plus a few yearly ratings (XJ-D direct inclusion) through the enterprise service."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from tenant_app.clock import today
from tenant_app.demo import names
from tenant_app.demo.context import (
    CLERK,
    POPULATION,
    acting,
    days_ago,
    jobs_inline,
    rng_for,
    tenant,
)
from tenant_app.extensions import db
from tenant_app.imports.services import storage
from tenant_app.imports.services.columns import ENTERPRISES, titles_for
from tenant_app.models import Enterprise, Job, JobStatus
from tenant_app.registry.services import enterprises as enterprise_service
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

PENALTIES = (
    ("超标排放大气污染物，颗粒物浓度超过排放标准限值", 100_000, 500_000),
    ("未按照排污许可证规定开展自行监测", 20_000, 100_000),
    ("危险废物贮存场所未设置识别标志，未按规定申报危险废物", 50_000, 200_000),
    ("污染防治设施未正常运行，废水超标排放", 100_000, 800_000),
    ("未采取有效措施防治扬尘污染，物料露天堆放未覆盖", 10_000, 100_000),
    ("未依法取得排污许可证排放污染物", 200_000, 1_000_000),
    ("环境影响评价文件未经批准擅自开工建设", 50_000, 300_000),
)
MALICIOUS = ("通过暗管偷排生产废水，逃避监管", "篡改在线监测数据，伪造运行台账")
COMPLAINTS = (
    "夜间生产噪声扰民，影响周边居民休息",
    "厂区烟囱冒黑烟，周边有明显异味",
    "雨天通过雨水管网排放有色废水",
    "原料堆场扬尘大，未见苫盖",
    "餐饮油烟直排，未安装油烟净化设施",
    "运输车辆抛洒滴漏，道路污染严重",
)
INCIDENTS = (
    "储罐阀门泄漏导致少量物料外溢，已及时围堵收集，未造成水体污染",
    "污水处理站停电导致短时超标排放，已启动应急预案",
    "危废暂存间发生小面积火情，已扑灭，消防废水已收集处置",
)
ANOMALIES = (
    "在线监测二氧化硫小时均值连续 3 小时超标",
    "自动监测数据长时间恒值，疑似设备故障",
    "化学需氧量在线数据传输中断超过 24 小时",
)
CLERK_NAMES = {"xj": "乌鲁木齐市生态环境局", "sx": "太原市生态环境局"}
REF_PREFIX = {"xj": "乌环", "sx": "并环"}
PERMIT_YEARS = 5


def seed_registry(slug: str) -> bool:
    """Seed ``slug``'s registry once; False when it already has enterprises (idempotent)."""
    clerk = CLERK.get(slug)
    with acting(slug, clerk):
        if db.session.execute(select(func.count(Enterprise.id))).scalar():
            return False
    rng = rng_for(slug, "registry")
    t = tenant(slug)
    codes: set[str] = set()
    taken: set[str] = set()
    rows = [
        _enterprise_row(rng, slug, t.division_code, codes, taken) for _ in range(POPULATION[slug])
    ]
    _import(slug, clerk, ENTERPRISES, rows, "演示-企业名录.csv")
    for kind, records in _records(rng, slug, rows).items():
        _import(slug, clerk, kind, records, f"演示-{kind}.csv")
    _ratings(rng, slug, clerk, rows)
    return True


def _children(slug: str) -> list[str]:
    return [s for s in POPULATION if s.startswith(slug + "-")]


def _enterprise_row(
    rng: random.Random, slug: str, division: str, codes: set[str], taken: set[str]
) -> dict[str, Any]:
    trade = names.pick_trade(rng)
    code = names.credit_code(rng, division, codes)
    name = names.company_name(rng, slug, trade, taken)
    permit = trade.permit
    if permit in ("key", "simplified") and rng.random() < 0.1:
        permit = "registration"
    row: dict[str, Any] = {
        "uscc": code,
        "name": name,
        "address": names.address(rng, slug),
        "industry_code": trade.code,
        "legal_representative": names.person(rng, slug),
        "contact_phone": names.phone(rng, slug),
        "permit_class": permit,
        "needs_monitoring": trade.code not in ("H62", "O81", "E48", "D4415", "D4416"),
        "construction_project": trade.construction,
        "supervision_category": "special" if rng.random() < 0.02 else "general",
    }
    children = _children(slug)
    if children and rng.random() < 0.25:
        row["county"] = rng.choice(children)
    if permit in ("key", "simplified"):
        row["permit_no"] = f"{code}001P"
        roll = rng.random()
        if roll < 0.07:  # expiring within the pack's 90-day warning
            valid_to = today() + timedelta(days=rng.randrange(5, 85))
        elif roll < 0.10:  # lapsed: screening fails XJ-C2
            valid_to = today() - timedelta(days=rng.randrange(10, 200))
        else:
            valid_to = today() + timedelta(days=rng.randrange(90, 365 * PERMIT_YEARS - 30))
        row["permit_valid_to"] = valid_to
        row["permit_valid_from"] = _years_before(valid_to, PERMIT_YEARS) + timedelta(days=1)
    elif permit == "registration":
        row["permit_no"] = f"{code}001W"
    key = rng.random() < trade.key_discharger
    row["key_discharger"] = key
    row["online_monitoring_required"] = key
    row["online_monitoring_installed"] = key and rng.random() < 0.95
    row["online_monitoring_networked"] = row["online_monitoring_installed"] and rng.random() < 0.93
    for fact, bad in (
        ("procedures_complete", 0.05),
        ("facilities_running", 0.04),
        ("pollutants_compliant", 0.05),
    ):
        roll = rng.random()
        row[fact] = None if roll < 0.03 else roll >= 0.03 + bad
    if trade.code == "C2614" and rng.random() < 0.3:
        row["tags"] = "key_hazardous_chemical_unit"
    if trade.code in DESIGNATED:  # the demo's trades of these codes are the units XJ-X names
        row["tags"] = DESIGNATED[trade.code]
    return row


# XJ-X excludes designated units, not industry codes: the demo's waste-to-energy plants, city
# sewage works and hazardous-waste disposal centres carry the designation staff would record.
DESIGNATED = {
    "D4417": "household_waste_incineration_power",
    "D4620": "centralised_urban_sewage_treatment",
    "N7724": "centralised_hazardous_waste_disposal",
}


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _pick_date(rng: random.Random, newest: int, oldest: int) -> date:
    return days_ago(rng.randrange(newest, oldest))


def _records(
    rng: random.Random, slug: str, rows: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Three years of history per enterprise, dated in the past, by kind."""
    prov = names.province_of(slug)
    ref = REF_PREFIX[prov]
    source = CLERK_NAMES[prov]
    out: dict[str, list[dict[str, Any]]] = {}

    def add(kind: str, row: dict[str, Any], **fields: Any) -> None:
        out.setdefault(kind, []).append({"uscc": row["uscc"], "source": source, **fields})

    n = 0
    for row in rows:
        if rng.random() < 0.16:
            for _ in range(rng.choice((1, 1, 2))):
                n += 1
                on = _pick_date(rng, 20, 3 * 365)
                malicious = rng.random() < 0.04
                text, lo, hi = rng.choice(PENALTIES)
                fine = Decimal(rng.randrange(lo, hi, 1000))
                add(
                    "penalty",
                    row,
                    record_date=on,
                    ref=f"{ref}罚〔{on.year}〕{n}号",
                    summary=rng.choice(MALICIOUS) if malicious else text,
                    fine_amount=fine,
                    secret_discharge=malicious,
                    evading_supervision=malicious,
                )
                due = on + timedelta(days=rng.choice((30, 60, 90)))
                fields: dict[str, Any] = {"due_date": due}
                if due >= today():
                    fields["outcome"] = "open"
                else:
                    fields["outcome"] = rng.choice(
                        ("completed", "completed", "completed", "late_completed", "overdue")
                    )
                    if fields["outcome"] == "completed":
                        fields["closed_on"] = due - timedelta(days=rng.randrange(0, 20))
                    elif fields["outcome"] == "late_completed":
                        fields["closed_on"] = min(
                            today(), due + timedelta(days=rng.randrange(5, 40))
                        )
                add(
                    "rectification",
                    row,
                    record_date=on,
                    ref=f"{ref}责改〔{on.year}〕{n}号",
                    summary=f"责令改正：{text}",
                    **fields,
                )
        if rng.random() < 0.03:
            on = _pick_date(rng, 30, 3 * 365)
            add(
                "coercive_measure",
                row,
                record_date=on,
                ref=f"{ref}封〔{on.year}〕{rng.randrange(1, 40)}号",
                summary="查封造成污染物排放的设施、设备（除尘器旁路阀门）",
            )
        if rng.random() < 0.008:
            add(
                "judicial_transfer",
                row,
                record_date=_pick_date(rng, 200, 3 * 365),
                summary="涉嫌非法处置危险废物，移送公安机关",
            )
        if rng.random() < 0.03:
            add(
                "incident",
                row,
                record_date=_pick_date(rng, 10, 3 * 365),
                summary=rng.choice(INCIDENTS),
                level="general",
            )
        if rng.random() < 0.22:
            for _ in range(rng.choice((1, 1, 2, 3))):
                on = _pick_date(rng, 3, 3 * 365)
                add(
                    "complaint",
                    row,
                    record_date=on,
                    ref=f"12345-{on:%Y%m%d}{rng.randrange(1000, 9999)}",
                    summary=rng.choice(COMPLAINTS),
                    verified=rng.random() < 0.35,
                )
        if rng.random() < 0.04:
            on = _pick_date(rng, 30, 3 * 365)
            ended = rng.random() < 0.5 and on + timedelta(days=120) < today()
            add(
                "credit_listing",
                row,
                record_date=on,
                summary="未按规定报送年度报告",
                list_name="abnormal_operations",
                end_date=on + timedelta(days=120) if ended else None,
            )
        if row["permit_class"] in ("key", "simplified"):
            for year in range(today().year - 3, today().year):
                due = date(year + 1, 1, 31)
                if due >= today() or rng.random() < 0.08:
                    continue  # not yet due, or never sent (an SX-1 warning)
                late = rng.random() < 0.1
                sent = due + timedelta(days=rng.randrange(1, 40) if late else -rng.randrange(0, 25))
                if sent <= today():
                    add(
                        "execution_report",
                        row,
                        record_date=sent,
                        period=str(year),
                        due_date=due,
                        summary=f"{year}年度排污许可证执行报告",
                    )
        if row["online_monitoring_installed"] and rng.random() < 0.1:
            add(
                "monitoring_anomaly",
                row,
                record_date=_pick_date(rng, 5, 400),
                summary=rng.choice(ANOMALIES),
            )
    return out


def _csv(kind: str, rows: list[dict[str, Any]]) -> bytes:
    """The rows as a CSV a clerk could have uploaded, headed by the importer's own titles."""
    titles = titles_for(kind)
    fields = [f for f in titles if any(f in r for r in rows)]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([titles[f][0] for f in fields])
    for r in rows:
        w.writerow([_cell(r.get(f)) for f in fields])
    return buf.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _import(slug: str, clerk: str | None, kind: str, rows: list[dict[str, Any]], name: str) -> None:
    """Upload ``rows`` through the bulk import (mode "all": every row valid or nothing)."""
    if not rows:
        return
    with acting(slug, clerk), jobs_inline():
        job = storage.start_import(scope_context(), io.BytesIO(_csv(kind, rows)), name, kind, "all")
        job_id = job.id
        db.session.commit()  # the job runs now (jobs_inline)
    with use_scope(system_scope()):
        done = db.session.execute(select(Job).where(Job.id == job_id)).scalar_one()
        result = done.result or {}
    if done.status != JobStatus.DONE or result.get("outcome") != "imported":
        raise RuntimeError(f"demo import of {kind} at {slug} failed: {done.error or result}")


def _ratings(rng: random.Random, slug: str, clerk: str | None, rows: list[dict[str, Any]]) -> None:
    """XJ-D: a few integrity titles two years running and performance grade A; other grades."""
    year = today().year - 1
    with acting(slug, clerk):
        ctx = scope_context()
        by_code = {
            e.uscc: e
            for e in db.session.execute(
                select(Enterprise).where(Enterprise.uscc.in_([r["uscc"] for r in rows[:60]]))
            ).scalars()
        }
        for i, row in enumerate(rows[:60]):
            e = by_code[row["uscc"]]
            if i % 12 == 0:
                for y in (year - 1, year):
                    enterprise_service.set_rating(
                        ctx,
                        e,
                        {
                            "kind": "integrity",
                            "year": y,
                            "value": "环保诚信企业",
                            "source": f"{y}年度企业环境信用评价结果公告",
                        },
                    )
            elif row.get("key_discharger") and i % 3 == 0:
                enterprise_service.set_rating(
                    ctx,
                    e,
                    {
                        "kind": "performance",
                        "year": year,
                        "value": rng.choice("AABCD"),
                        "source": f"{year}年重污染天气重点行业绩效分级名单",
                    },
                )
        db.session.commit()
