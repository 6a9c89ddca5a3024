"""Tenant isolation, walked over every registered route.

A tenant admin of 太原 (tenant B) requests every page and API operation, under 乌鲁木齐's slug
(tenant A) and under their own slug with A's object ids. Nothing of A may come back: only 401,
403 or 404. A new route with a parameter this test does not know fails here until it is added.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tenant_app.extensions import db
from tenant_app.jobs import enqueue
from tenant_app.models import ApiToken
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from .helpers import bearer, csrf_from, login, tenant, token_for

ALLOWED = {401, 403, 404, 405}
# Routes that are public by design and show no tenant's private data.
PUBLIC_BY_DESIGN = {
    "public.index",
    "public.set_language",
    "public.healthz",
    "web.auth.login",
    "web.auth.logout",
    "api_tenants.TenantList",
    "api-docs.openapi_json",
    "static",
    "web.enterprise_portal.register",
}
# Positive-list public pages (issue 5): A's public list shows only what A published (none here).
# Inspection publicity (issue 6, SX-7 / SX-4 / 双随机): officers, published campaigns, draws.
PUBLIC_BY_DESIGN |= {
    "web.inspections_public.publicity",
    "web.inspections_public.draw",
    "web.inspections_public.draw_data",
}
PUBLIC_BY_DESIGN |= {
    "web.listing_public.current",
    "web.listing_public.notices",
    "web.listing_public.publications",
}


@pytest.fixture()
def tenant_a_objects(world: dict[str, Any]) -> dict[str, Any]:
    a = tenant("xj-urumqi")
    officer = world["users"]["urumqi-officer1"]
    with use_scope(tenant_scope(a, officer.id)):
        job_id = enqueue(
            "housekeeping.self_check", {"steps": 1, "pause": 0}, job_id="selfcheck:a"
        ).id
        db.session.commit()
    token_for("urumqi-officer1")
    with use_scope(system_scope()):
        token_id = db.session.query(ApiToken.id).filter(ApiToken.user_id == officer.id).scalar()
    with use_scope(tenant_scope(a, world["users"]["urumqi-admin"].id)):
        from tenant_app.accounts.users import grant_or_propose
        from tenant_app.auth.sessions import open_session

        session_id = open_session(officer, a.id, "10.0.0.1", "test")[0].id
        proposal_id = grant_or_propose(
            scope_context(), tenant=a, username="iso-nobody", role="officer"
        ).id
        db.session.commit()
    registry = _registry_objects(a, officer.id)
    registry.update(_listing_objects(a, officer.id, registry["enterprise_id"]))
    registry.update(_inspection_objects(a, officer.id, registry["enterprise_id"]))
    registry.update(_case_objects(a, officer.id, registry["enterprise_id"]))
    registry.update(_notification_objects(a, officer.id))
    registry.update(_warning_objects(a, officer.id, registry["enterprise_id"]))
    registry.update(_order_objects(a, officer.id, registry["enterprise_id"]))
    registry.update(_enforcement_objects(a, officer.id, registry["enterprise_id"]))
    registry.update(_correction_objects(a, officer.id))
    return {
        "job_id": job_id,
        "user_id": officer.id,
        "token_id": token_id,
        "session_id": session_id,
        "proposal_id": proposal_id,
        **registry,
        # Data only A may see (ids typed into a URL are echoed back, so they are no secret).
        "secrets": [
            "65010020260001",
            "第 1/1 步",
            "urumqi-officer1",
            "乌鲁木齐隔离测试化工",
            registry["uscc"],
            "乌环罚〔2025〕隔离1号",
            "乌鲁木齐隔离批次",
            "乌鲁木齐隔离结论",
            "乌鲁木齐隔离专项",
            "乌鲁木齐隔离自查报告",
            "乌鲁木齐隔离申请",
            "乌鲁木齐隔离记录仪",
            "乌鲁木齐隔离案件",
            "乌鲁木齐隔离陈述",
            "乌鲁木齐隔离纠错事项",
            "乌鲁木齐隔离预警说明",
            "乌鲁木齐隔离困难理由",
            "乌鲁木齐隔离教育引导",
            "乌鲁木齐隔离普法",
        ],
    }


def _inspection_objects(a: Any, officer_id: int, enterprise_id: int) -> dict[str, Any]:
    """A's inspection objects (issue 6): an inspection with evidence, a plan, a campaign, a
    draw, a self-inspection report and an enterprise request."""
    from datetime import date

    from tenant_app.models import (
        Campaign,
        Draw,
        Inspection,
        InspectionEvidence,
        InspectionPlan,
        InspectionRequest,
        SelfInspectionReport,
    )

    with use_scope(tenant_scope(a, officer_id)):
        insp = Inspection(
            enterprise_id=enterprise_id,
            mode="off_site",
            trigger="data_lead",
            planned_date=date(2026, 12, 1),
            status="done",
            conclusion="乌鲁木齐隔离结论",
        )
        plan = InspectionPlan(year=2027, title="乌鲁木齐隔离计划")
        campaign = Campaign(
            title="乌鲁木齐隔离专项",
            scope={"enterprise_ids": [enterprise_id]},
            content="x",
            start_date=date(2026, 12, 1),
            end_date=date(2026, 12, 31),
        )
        draw = Draw(
            title="乌鲁木齐隔离抽查",
            planned_date=date(2026, 12, 1),
            seed_hash="0" * 64,
            seed="1" * 64,
            pool={"enterprises": {"general": [enterprise_id]}, "officers": [officer_id]},
        )
        report = SelfInspectionReport(enterprise_id=enterprise_id, summary="乌鲁木齐隔离自查报告")
        req = InspectionRequest(enterprise_id=enterprise_id, reason="乌鲁木齐隔离申请")
        db.session.add_all([insp, plan, campaign, draw, report, req])
        db.session.flush()
        ev = InspectionEvidence(
            inspection_id=insp.id, kind="bodycam", reference="乌鲁木齐隔离记录仪"
        )
        db.session.add(ev)
        db.session.commit()
        return {
            "inspection_id": insp.id,
            "evidence_id": ev.id,
            "plan_id": plan.id,
            "campaign_id": campaign.id,
            "draw_id": draw.id,
            "report_id": report.id,
            "request_id": req.id,
        }


def _case_objects(a: Any, officer_id: int, enterprise_id: int) -> dict[str, Any]:
    """A's case objects (issue 14): a noticed case with a violation and a statement."""
    from datetime import date

    from tenant_app.models import Case, CaseMeasure, CaseStatement, CaseViolation

    with use_scope(tenant_scope(a, officer_id)):
        case = Case(
            enterprise_id=enterprise_id,
            origin="manual",
            title="乌鲁木齐隔离案件",
            facts="乌鲁木齐隔离案件事实",
            stage="notice",
            filed_on=date(2026, 7, 3),
            limit_due=date(2026, 10, 8),
            noticed_on=date(2026, 7, 6),
            statement_due=date(2099, 1, 1),
        )
        db.session.add(case)
        db.session.flush()
        v = CaseViolation(
            case_id=case.id, violation_key="air_outlet", title="乌鲁木齐隔离案件违法行为"
        )
        st = CaseStatement(
            case_id=case.id, kind="statement", content="乌鲁木齐隔离陈述", filed_on=date(2026, 7, 7)
        )
        m = CaseMeasure(
            case_id=case.id,
            kind="seal_or_seize",
            reason="乌鲁木齐隔离措施理由",
            proposed_on=date(2026, 7, 7),
        )
        db.session.add_all([v, st, m])
        db.session.commit()
        return {
            "case_id": case.id,
            "violation_id": v.id,
            "statement_id": st.id,
            "measure_id": m.id,
        }


def _notification_objects(a: Any, officer_id: int) -> dict[str, Any]:
    """A's notification centre and webhooks (issue 16): a notification for A's officer, a
    subscription of A."""
    from tenant_app.models import Notification, WebhookSubscription

    with use_scope(tenant_scope(a, officer_id)):
        n = Notification(user_id=officer_id, kind="system", title="乌鲁木齐隔离通知", link="")
        sub = WebhookSubscription(
            name="乌鲁木齐隔离订阅", url="https://example.com/a", secret="s" * 64, kinds=[]
        )
        db.session.add_all([n, sub])
        db.session.commit()
        return {"notification_id": n.id, "subscription_id": sub.id}


def _warning_objects(a: Any, officer_id: int, enterprise_id: int) -> dict[str, Any]:
    """A's warning (issue 16), answered with an explanation only A may read."""
    from datetime import date

    from tenant_app.models import EnterpriseWarning

    with use_scope(tenant_scope(a, officer_id)):
        w = EnterpriseWarning(
            enterprise_id=enterprise_id,
            cause="permit_expiry",
            period="2026-09-30",
            due_on=date(2026, 9, 30),
            status="answered",
            sent_on=date(2026, 7, 1),
            answer_due=date(2026, 7, 15),
            explanation="乌鲁木齐隔离预警说明",
            evidence_name="x.png",
            evidence_type="image/png",
            evidence=b"\x89PNG",
        )
        db.session.add(w)
        db.session.commit()
        return {"warning_id": w.id}


def _order_objects(a: Any, officer_id: int, enterprise_id: int) -> dict[str, Any]:
    """A's correction order (issue 15) with a plan and a progress line only A may read."""
    from datetime import date

    from tenant_app.models import CorrectionExtension, CorrectionOrder, RectificationEntry

    with use_scope(tenant_scope(a, officer_id)):
        o = CorrectionOrder(
            enterprise_id=enterprise_id,
            source="warning",
            content="乌鲁木齐隔离责令改正",
            days=10,
            day_unit="days",
            issued_on=date(2026, 7, 1),
            due_on=date(2026, 7, 13),
            status="planned",
            plan_measures="乌鲁木齐隔离整改措施",
            plan_milestones=[],
            removal={},
        )
        db.session.add(o)
        db.session.flush()
        db.session.add(
            RectificationEntry(
                order_id=o.id, kind="progress", text="乌鲁木齐隔离整改进展", day=date(2026, 7, 2)
            )
        )
        db.session.commit()
        x = CorrectionExtension(
            order_id=o.id,
            reasons="乌鲁木齐隔离延期理由",
            filed_on=date(2026, 7, 2),
            old_due_on=o.due_on,
        )
        db.session.add(x)
        db.session.commit()
        return {"order_id": o.id, "extension_id": x.id}


def _enforcement_objects(a: Any, officer_id: int, enterprise_id: int) -> dict[str, Any]:
    """A's fine with an application, a ladder step with its document, a 普法 event (issue 15)."""
    from datetime import date

    from tenant_app.models import (
        Case,
        EducationAttendance,
        EducationEvent,
        FineReview,
        LadderStep,
        PaymentApplication,
    )

    with use_scope(tenant_scope(a, officer_id)):
        case = Case(
            enterprise_id=enterprise_id,
            origin="manual",
            title="乌鲁木齐隔离罚款",
            stage="served",
            filed_on=date(2026, 1, 5),
            limit_due=date(2026, 4, 5),
            decided_on=date(2026, 3, 2),
            served_on=date(2026, 3, 2),
            total_fine=1000,
            decision_no="乌环罚〔2026〕隔离2号",
        )
        db.session.add(case)
        db.session.flush()
        app = PaymentApplication(
            case_id=case.id,
            enterprise_id=enterprise_id,
            kind="deferral",
            reasons="乌鲁木齐隔离困难理由",
            defer_until=date(2026, 6, 1),
            proof_name="p.pdf",
            proof_type="application/pdf",
            proof=b"%PDF-1",
            filed_on=date(2026, 3, 3),
        )
        step = LadderStep(
            enterprise_id=enterprise_id,
            on_date=date(2026, 3, 3),
            origin="manual",
            finding="乌鲁木齐隔离教育引导",
            rung="guidance",
            document_title="教育引导书",
            document_body="乌鲁木齐隔离教育引导",
        )
        ev = EducationEvent(kind="training", topic="乌鲁木齐隔离普法", held_on=date(2026, 3, 1))
        db.session.add_all([app, step, ev])
        db.session.flush()
        db.session.add(
            EducationAttendance(event_id=ev.id, enterprise_id=enterprise_id, present=True)
        )
        review = FineReview(
            case_id=case.id, kind="review", filed_on=date(2026, 3, 10), body="乌鲁木齐隔离复议"
        )
        db.session.add(review)
        db.session.commit()
        return {
            "review_id": review.id,
            "fine_case_id": case.id,
            "application_id": app.id,
            "step_id": step.id,
            "event_id": ev.id,
        }


def _correction_objects(a: Any, officer_id: int) -> dict[str, Any]:
    """A correction item (issue 17) assigned to A by its parent, with a finding only A may read."""
    from datetime import date

    from tenant_app.models import CorrectionItem

    with use_scope(tenant_scope(a, officer_id)):
        item = CorrectionItem(
            issuer_tenant_id=a.parent_id,
            topic="on_site",
            finding="乌鲁木齐隔离纠错事项",
            due_on=date(2026, 12, 31),
        )
        db.session.add(item)
        db.session.commit()
        return {"correction_id": item.id}


def _listing_objects(a: Any, officer_id: int, enterprise_id: int) -> dict[str, Any]:
    """A's positive-list objects (issue 5): a screening run, an entry, a draft batch with an
    objection, a filing addressed to A's parent."""
    from datetime import date

    from tenant_app.listing.services import entries
    from tenant_app.models.listing import (
        ListingBatch,
        ListingFiling,
        ListingObjection,
        ScreeningRun,
    )
    from tenant_app.registry.services import enterprises
    from tenant_app.tenancy.acting import scope_context

    with use_scope(tenant_scope(a, officer_id)):
        ctx = scope_context()
        run = ScreeningRun(on_date=date(2025, 6, 1), policy_version="x", status="done")
        entry = entries.create(ctx, enterprises.get_enterprise(enterprise_id), origin="nomination")
        batch = ListingBatch(kind="addition", title="乌鲁木齐隔离批次", state="draft")
        db.session.add_all([run, batch])
        db.session.flush()
        obj = ListingObjection(batch_id=batch.id, content="乌鲁木齐隔离批次异议")
        filing = ListingFiling(
            batch_id=batch.id,
            parent_tenant_id=a.parent_id,
            filed_on=date(2025, 6, 2),
            summary={"title": "乌鲁木齐隔离批次", "entries": []},
        )
        db.session.add_all([obj, filing])
        db.session.commit()
        return {
            "run_id": run.id,
            "entry_id": entry.id,
            "batch_id": batch.id,
            "objection_id": obj.id,
            "filing_id": filing.id,
        }


def _registry_objects(a: Any, officer_id: int) -> dict[str, Any]:
    """An enterprise of A with a record and a pending account (issue 4 routes)."""
    from tenant_app.core.uscc import with_check_digit
    from tenant_app.registry.services import enterprise_accounts, enterprises, records

    code = with_check_digit("91650100MA7G0001X")
    with use_scope(tenant_scope(a, officer_id)):
        ctx = scope_context()
        # Meets every XJ-C condition, so the bureau may nominate it (issue 11: screened first).
        e = enterprises.create_enterprise(
            ctx,
            {
                "uscc": code,
                "name": "乌鲁木齐隔离测试化工有限公司",
                "industry_code": "C2822",
                "permit_class": "key",
                "permit_no": f"{code}001P",
                "permit_valid_from": "2023-01-01",
                "permit_valid_to": "2035-12-31",
                "procedures_complete": True,
                "facilities_running": True,
                "pollutants_compliant": True,
            },
        )
        rec = records.add_record(
            ctx,
            e,
            "penalty",
            {
                "record_date": "2025-01-02",
                "source": "测试",
                "ref": "乌环罚〔2025〕隔离1号",
                "summary": "超标排放",
            },
        )
        acc = enterprise_accounts.register(
            ctx,
            {
                "uscc": code,
                "enterprise_name": "乌鲁木齐隔离测试化工有限公司",
                "contact_name": "联系人",
                "contact_phone": "0991-1234567",
                "username": "iso-qiye",
                "password": "Qiye-2026-pass",
            },
        )
        db.session.commit()
        return {"enterprise_id": e.id, "record_id": rec.id, "account_id": acc.id, "uscc": code}


def _values(arg: str, slug: str, objs: dict[str, Any]) -> str:
    known = {
        "tenant": slug,
        "job_id": objs["job_id"],
        "user_id": objs["user_id"],
        "token_id": objs["token_id"],
        "session_id": objs["session_id"],
        "proposal_id": objs["proposal_id"],
        "role": "officer",
        "code": "en",
        "filename": "app.css",
        "state": "0",
        "year": "2027",
        "enterprise_id": objs["enterprise_id"],
        "record_id": objs["record_id"],
        "account_id": objs["account_id"],
        "kind": "penalty",
        "key": "cases",  # an oversight chart (issue 17)
        # positive list (issue 5)
        "run_id": objs["run_id"],
        "entry_id": objs["entry_id"],
        "batch_id": objs["batch_id"],
        "objection_id": objs["objection_id"],
        "filing_id": objs["filing_id"],
        "step": "notice",
        # cases (issue 14)
        "case_id": objs["case_id"],
        "violation_id": objs["violation_id"],
        "statement_id": objs["statement_id"],
        "measure_id": objs["measure_id"],
        # notifications (issue 16)
        "notification_id": objs["notification_id"],
        "subscription_id": objs["subscription_id"],
        "warning_id": objs["warning_id"],  # warnings (issue 16)
        "order_id": objs["order_id"],  # correction orders (issue 15)
        "extension_id": objs["extension_id"],
        "row_id": objs["extension_id"],  # a file on a correction order (entry or extension)
        # enforcement (issue 15)
        "application_id": objs["application_id"],
        "step_id": objs["step_id"],
        "event_id": objs["event_id"],
        "review_id": objs["review_id"],
        "correction_id": objs["correction_id"],  # correction items (issue 17)
        # inspections (issue 6); a checklist item saved on its own (issue 10 item 6)
        "item_key": "procedures",
        **{
            k: objs[k]
            for k in (
                "inspection_id",
                "evidence_id",
                "plan_id",
                "campaign_id",
                "draw_id",
                "report_id",
                "request_id",
            )
        },
    }
    if arg not in known:
        pytest.fail(f"route parameter {arg!r} is new: teach test_isolation_routes a tenant-A value")
    return str(known[arg])


def _routes(app: Any) -> list[tuple[str, str, list[str]]]:
    out = []
    for rule in app.url_map.iter_rules():
        methods = sorted(m for m in rule.methods if m not in {"HEAD", "OPTIONS"})
        out.append((rule.endpoint, rule.rule, methods))
    return out


def _has_object_param(rule: str) -> bool:
    return any(
        p not in {"tenant", "code", "filename"}
        for p in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule)
    )


def _url(rule: str, slug: str, objs: dict[str, Any]) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: _values(m.group(1), slug, objs), rule)


def test_tenant_b_sees_nothing_of_tenant_a_on_any_route(app, client, tenant_a_objects):
    assert login(client, "sx-taiyuan", "taiyuan-admin").status_code == 302
    csrf = csrf_from(client.get("/sx-taiyuan/admin/users/").get_data(as_text=True))
    api_headers = bearer("taiyuan-admin")
    checked = 0
    for endpoint, rule, methods in _routes(app):
        if endpoint in PUBLIC_BY_DESIGN:
            continue
        for slug in ("xj-urumqi", "sx-taiyuan"):
            if "<tenant>" not in rule and slug == "sx-taiyuan":
                continue
            url = _url(rule, slug, tenant_a_objects)
            for method in methods:
                # a body only where the route takes one (http/bodies.py answers 413 elsewhere)
                takes_body = method not in ("GET", "HEAD", "OPTIONS", "DELETE")
                body_kw: dict[str, Any]
                if rule.startswith("/api/"):
                    body_kw = {"json": {}} if takes_body else {}
                    resp = client.open(url, method=method, headers=api_headers, **body_kw)
                else:
                    body_kw = {"data": {"csrf_token": csrf}} if takes_body else {}
                    resp = client.open(url, method=method, **body_kw)
                body = resp.get_data().decode("utf-8", "replace")  # XLSX/CSV downloads are bytes
                leaked = [s for s in tenant_a_objects["secrets"] if s in body]
                own = slug == "sx-taiyuan" or "<tenant>" not in rule
                own_listing = own and not _has_object_param(rule)
                assert (own_listing or resp.status_code in ALLOWED) and not leaked, (
                    f"{method} {url} ({endpoint}) answered {resp.status_code} leaking {leaked}"
                )
                checked += 1
    assert checked >= 15


def test_missing_and_foreign_objects_answer_the_same_404(client, tenant_a_objects):
    headers = bearer("taiyuan-admin")
    foreign = client.get(
        f"/api/v1/tenants/sx-taiyuan/jobs/{tenant_a_objects['job_id']}", headers=headers
    )
    missing = client.get("/api/v1/tenants/sx-taiyuan/jobs/no-such-job", headers=headers)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_json() == missing.get_json()


def test_auditor_of_province_reads_descendant_but_not_sibling(client, world):
    """Oversight reads descendants (XJ auditor → 乌鲁木齐), never siblings or other provinces."""
    headers = bearer("xj-auditor")
    own_child = client.get("/api/v1/tenants/xj-urumqi/audit", headers=headers)
    assert own_child.status_code == 200
    assert any(e["action"] == "user.created" for e in own_child.get_json()["items"])
    other_province = client.get("/api/v1/tenants/sx-taiyuan/audit", headers=headers)
    assert other_province.status_code == 403


def test_officer_cannot_read_parent_tenant(client, world):
    headers = bearer("urumqi-officer1")
    assert client.get("/api/v1/tenants/xj/audit", headers=headers).status_code == 403
    assert client.get("/api/v1/tenants/xj/users", headers=headers).status_code == 403
