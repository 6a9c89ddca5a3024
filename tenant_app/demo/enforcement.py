"""Demo data after the decision (issue 15), through the enforcement services as the city's people
would, on the app's today. Fines decided in earlier months are entered as historical served
decisions (the case procedure has its own demo in cases.py); then, one per state:

- the portal enterprise's fine served 5 days ago, not yet due, with an instalment application
  waiting for the principal head (``taiyuan-principal`` / ``urumqi-principal``);
- a fine paid on time; a fine in three approved instalments, the second paid late and the third
  overdue (surcharge shown); a deferral approved to a later date; a deferral refused and the
  fine overdue long enough for the surcharge to reach the fine, sent to the court;
- the ladder: a 普法 training attended, a guidance letter on a first minor finding, a reasoned
  warning chosen instead of the proposal with the officer's reason.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tenant_app.demo.context import acting, user
from tenant_app.demo.inspections import CITIES
from tenant_app.demo.portal import account_enterprise
from tenant_app.enforcement.services import education, ladder, payments
from tenant_app.enforcement.services.common import get_case, get_enterprise
from tenant_app.extensions import db
from tenant_app.models import Case, Enterprise, PaymentApplication
from tenant_app.tenancy.acting import scope_context

ENFORCEMENT_CITIES = ("sx-taiyuan", "xj-urumqi")
PORTAL = {"sx-taiyuan": "taiyuan-qiye", "xj-urumqi": "urumqi-qiye"}
SHORT = {"sx-taiyuan": "并", "xj-urumqi": "乌"}
PROOF = ("困难证明.pdf", "application/pdf", b"%PDF-1.4\n% demo hardship proof\n")


def _fine(slug: str, e: Enterprise, n: int, yuan: int, served: date, officer_id: int) -> Case:
    case = Case(
        enterprise_id=e.id,
        origin="manual",
        title=f"{e.name}超标排放案",
        facts="在线监测数据显示颗粒物小时均值超标。",
        officers=[{"id": officer_id, "name": "", "certificate_no": ""}],
        stage="served",
        filed_on=served - timedelta(days=40),
        limit_due=served + timedelta(days=50),
        decided_on=served - timedelta(days=2),
        served_on=served,
        service_method="in_person",
        total_fine=yuan,
        correction_order="立即停止超标排放",
        decision_no=f"{SHORT[slug]}环罚〔{served.year}〕缴{n}号",
    )
    db.session.add(case)
    db.session.flush()
    return case


def seed_enforcement(slug: str) -> bool:
    city = CITIES[slug]
    officer = city.officers[0]
    with acting(slug, officer):
        if db.session.execute(select(PaymentApplication.id).limit(1)).first():
            return False
        ctx = scope_context()
        today = ctx.today
        others = list(
            db.session.execute(select(Enterprise).order_by(Enterprise.id).limit(6)).scalars()
        )
    portal = account_enterprise(PORTAL[slug], slug)
    if portal is None or len(others) < 6:
        return False
    oid = user(officer).id
    with acting(slug, officer):
        portal = db.session.get(Enterprise, portal.id)
        assert portal is not None
        pending = _fine(slug, portal, 1, 20000, today - timedelta(days=5), oid)
        on_time = _fine(slug, others[1], 2, 5000, today - timedelta(days=100), oid)
        parts = _fine(slug, others[2], 3, 30000, today - timedelta(days=120), oid)
        deferred = _fine(slug, others[3], 4, 8000, today - timedelta(days=20), oid)
        refused = _fine(slug, others[4], 5, 10000, today - timedelta(days=200), oid)
        ids = [c.id for c in (pending, on_time, parts, deferred, refused)]
        db.session.commit()
    with acting(slug, PORTAL[slug]):
        ctx = scope_context()
        payments.apply(
            ctx,
            payments.my_case(ctx, ids[0]),
            {"kind": "instalments", "parts": "4", "reasons": "主要客户回款延迟，流动资金紧张。"},
            PROOF,
        )
        db.session.commit()
    with acting(slug, officer):
        ctx = scope_context()
        app_parts = PaymentApplication(
            case_id=ids[2],
            enterprise_id=others[2].id,
            kind="instalments",
            parts=3,
            reasons="受市场影响，营业收入下降。",
            filed_on=today - timedelta(days=118),
            proof_name=PROOF[0],
            proof_type=PROOF[1],
            proof=PROOF[2],
        )
        app_defer = PaymentApplication(
            case_id=ids[3],
            enterprise_id=others[3].id,
            kind="deferral",
            defer_until=today + timedelta(days=30),
            reasons="设备改造投入较大，暂缓一个月。",
            filed_on=today - timedelta(days=18),
            proof_name=PROOF[0],
            proof_type=PROOF[1],
            proof=PROOF[2],
        )
        app_refused = PaymentApplication(
            case_id=ids[4],
            enterprise_id=others[4].id,
            kind="deferral",
            defer_until=today - timedelta(days=100),
            reasons="资金紧张。",
            filed_on=today - timedelta(days=198),
            proof_name=PROOF[0],
            proof_type=PROOF[1],
            proof=PROOF[2],
        )
        db.session.add_all([app_parts, app_defer, app_refused])
        db.session.commit()
        app_ids = [app_parts.id, app_defer.id, app_refused.id]
    with acting(slug, city.principal):
        ctx = scope_context()
        for aid, ok, note in zip(
            app_ids,
            (True, True, False),
            ("确有困难，同意分三期。", "同意暂缓。", "证明材料不足以证明确有困难。"),
            strict=True,
        ):
            payments.decide(ctx, payments.get_application(aid), "1" if ok else "0", note)
        db.session.commit()
    with acting(slug, officer):
        ctx = scope_context()
        payments.record_payment(
            ctx,
            get_case(ids[1]),
            {
                "paid_on": (today - timedelta(days=95)).isoformat(),
                "amount": "5000",
                "reference": f"DEMO-{slug}-1",
            },
        )
        s = payments.fine_state(ctx, get_case(ids[2]))
        first, second = s.parts[0], s.parts[1]
        payments.record_payment(
            ctx,
            get_case(ids[2]),
            {
                "paid_on": first.due_on.isoformat(),
                "amount": str(first.amount_fen // 100),
                "reference": f"DEMO-{slug}-2",
            },
        )
        payments.record_payment(
            ctx,
            get_case(ids[2]),
            {
                "paid_on": (second.due_on + timedelta(days=6)).isoformat(),
                "amount": str(second.amount_fen // 100),
                "reference": f"DEMO-{slug}-3",
            },
        )
        payments.record_payment(  # part of the deferred fine, before its new date
            ctx,
            get_case(ids[3]),
            {
                "paid_on": (today - timedelta(days=3)).isoformat(),
                "amount": "2000",
                "reference": f"DEMO-{slug}-4",
            },
        )
        payments.apply_enforcement(
            ctx, get_case(ids[4]), "经书面催告，当事人逾期仍未缴纳罚款及加处罚款。"
        )
        education.create(
            ctx,
            {
                "kind": "training",
                "topic": "排污许可与自行监测法规培训",
                "held_on": (today - timedelta(days=30)).isoformat(),
                "invited": [portal.id, others[1].id, others[5].id],
                "present": [portal.id, others[5].id],
                "materials": "《排污许可管理条例》解读；自行监测方案编制要点。",
            },
        )
        fresh = next(
            (
                e
                for e in db.session.execute(
                    select(Enterprise).order_by(Enterprise.id.desc()).limit(50)
                ).scalars()
                if (ladder.proposal(ctx, e).answer or {}).get("id") == "guidance"
            ),
            None,
        )
        assert fresh is not None, "a demo enterprise without enforcement history"
        ladder.record(
            ctx,
            fresh,
            {
                "origin": "inspection",
                "finding": "危险废物贮存场所标识不规范，台账记录不完整。",
                "flags": ["first_violation", "minor_harm"],
                "rung": "guidance",
                "document_title": "教育引导书",
                "document_body": "经现场检查，贵单位危险废物贮存场所标识不规范、台账记录不完整。"
                "依据《危险废物贮存污染控制标准》，请于十五日内完善标识和台账。本次为首次发现的"
                "轻微问题，依法予以教育引导。",
            },
        )
        ladder.record(
            ctx,
            get_enterprise(portal.id),
            {
                "origin": "warning",
                "finding": "在线监测数据多次异常未及时说明。",
                "rung": "reasoned_warning",
                "deviation_reason": "该企业一年内多次出现同类问题，已参加普法培训仍未改正，直接告诫说理。",
                "document_title": "告诫书",
                "document_body": "贵单位在线监测数据多次异常且未按要求说明情况。依据《排污许可管理"
                "条例》第二十条，现予告诫：请立即排查原因并书面报告，再次发生将依法查处。",
            },
        )
        db.session.commit()
    return True
