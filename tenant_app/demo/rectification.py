"""Demo correction orders and rectification (issue 15, SX-14/15), made through the services as
the city's people would, on the app's today. Every decided demo case already made its order
(the decision does). Then:

- the officer orders correction on the portal enterprise's answered warning (and on the
  escalated one): the portal account (``taiyuan-qiye`` / ``urumqi-qiye``) submits its plan and
  reports progress, so it sees an order in progress;
- the decided cases' orders are taken, one per state: verified done (off-site), partly done,
  not done, under verification (a follow-up visit arranged when the inspection checks allow
  it), planned with the officer's comment and help, and the rest stay issued;
- one order of an enterprise that is not listed, made 40 days ago (its dates moved back as if
  it had been), is flagged overdue by the daily job, so the overdue filter has a row.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tenant_app.core.errors import ServiceError
from tenant_app.demo.context import acting, user
from tenant_app.demo.inspections import CITIES
from tenant_app.demo.warnings import PORTAL, WARNING_CITIES
from tenant_app.extensions import db
from tenant_app.inspections.services.common import policy_of
from tenant_app.listing.services.listed_status import listed_on
from tenant_app.models import CorrectionOrder, EnterpriseWarning
from tenant_app.rectification.services import orders, rectify
from tenant_app.rectification.services.overdue import flag_overdue
from tenant_app.tenancy.acting import scope_context
from tenant_app.warnings.services.common import get_warning

RECTIFICATION_CITIES = WARNING_CITIES


def _plan(o: CorrectionOrder, measures: str) -> dict[str, object]:
    return {
        "measures": measures,
        "responsible": "环保负责人 王工",
        "milestones": [
            {"date": o.issued_on.isoformat(), "text": "制定整改方案并落实责任人"},
            {"date": o.due_on.isoformat(), "text": "完成整改并报送整改报告"},
        ],
    }


def seed_rectification(slug: str) -> bool:
    city = CITIES[slug]
    officer = city.officers[0]
    with acting(slug, officer):
        if db.session.execute(
            select(CorrectionOrder.id).where(CorrectionOrder.source == "warning").limit(1)
        ).first():
            return False
        ctx = scope_context()
        found = list(
            db.session.execute(
                select(EnterpriseWarning.id, EnterpriseWarning.status)
                .where(EnterpriseWarning.status.in_(("answered", "escalated")))
                .order_by(EnterpriseWarning.id)
            ).all()
        )
        made: list[int] = []
        for wid, status in found:
            made.append(
                orders.from_warning(
                    ctx,
                    get_warning(wid),
                    {
                        "content": "修复在线监测设施，确保监测数据真实、准确、完整并稳定联网",
                        "finding": "在线监测数据异常经核实属设施运行不正常"
                        if status == "answered"
                        else "预警逾期未答复，经核实监测设施未正常运行",
                        "days": 15,
                    },
                ).id
            )
        db.session.commit()
    portal = PORTAL[slug]
    with acting(slug, portal):
        ctx = scope_context()
        own = [o for o in orders.my_orders(ctx) if o.id in made][:1]
        for o in own:
            rectify.submit_plan(ctx, o, _plan(o, "更换监测设备传输模块，委托运维单位校准"))
            rectify.report_progress(ctx, o, "传输模块已更换，等待运维单位校准。")
        db.session.commit()
    with acting(slug, officer):
        ctx = scope_context()
        case_orders = list(
            db.session.execute(
                select(CorrectionOrder)
                .where(CorrectionOrder.source == "case", CorrectionOrder.status == "issued")
                .order_by(CorrectionOrder.id)
            ).scalars()
        )
        for o, state in zip(
            case_orders, ("done", "partly_done", "not_done", "verifying", "planned"), strict=False
        ):
            _to_state(slug, o.id, state, officer)
        _overdue(slug, officer, [o.id for o in case_orders[5:]])
    return True


def _to_state(slug: str, oid: int, state: str, officer: str) -> None:
    with acting(slug, None):
        o = orders.get_order(oid)
        accounts = _accounts(o.enterprise_id)
    if accounts:
        with acting(slug, accounts[0]):
            ctx = scope_context()
            rectify.submit_plan(ctx, orders.my_order(ctx, oid), _plan(o, "按决定书要求整改"))
            db.session.commit()
    with acting(slug, officer):
        ctx = scope_context()
        o = orders.get_order(oid)
        if state == "planned":
            rectify.comment(ctx, o, "请在整改报告中附整改前后对比照片。")
            rectify.record_help(ctx, o, "邀请技术专家上门指导治理设施改造方案。")
        elif state == "verifying":
            try:
                with db.session.begin_nested():
                    rectify.schedule_visit(
                        ctx,
                        o,
                        {
                            "planned_date": (o.due_on + timedelta(days=1)).isoformat(),
                            "officer_ids": [user(u).id for u in CITIES[slug].officers],
                        },
                    )
            except ServiceError:
                rectify.comment(ctx, o, "整改期限届满后安排现场核查。")
        else:
            notes = {
                "done": "调阅在线监测数据和整改报告，问题已整改到位。",
                "partly_done": "主要问题已整改，台账记录仍不完整，已提出意见。",
                "not_done": "企业未按期落实整改措施。",
            }
            rectify.verify(ctx, o, {"method": "off_site", "outcome": state, "note": notes[state]})
        db.session.commit()


def _accounts(enterprise_id: int) -> list[str]:
    from tenant_app.models import EnterpriseAccount, User

    return list(
        db.session.execute(
            select(User.username)
            .join(EnterpriseAccount, EnterpriseAccount.user_id == User.id)
            .where(
                EnterpriseAccount.enterprise_id == enterprise_id,
                EnterpriseAccount.status == "verified",
            )
        ).scalars()
    )


def _overdue(slug: str, officer: str, candidates: list[int]) -> None:
    """One order of an enterprise not listed, as if made 40 days ago, flagged by the job."""
    with acting(slug, officer):
        ctx = scope_context()
        policy = policy_of(ctx)
        for oid in candidates:
            o = orders.get_order(oid)
            if listed_on(o.enterprise_id, ctx.today).listed:
                continue
            o.issued_on = ctx.today - timedelta(days=40)
            d = policy.correction_deadline(o.issued_on, o.days)
            o.due_on, o.deadline_text = d.answer["due"], d.explanation
            db.session.commit()
            break
        else:
            return
    with acting(slug, None):
        flag_overdue(scope_context())
        db.session.commit()
