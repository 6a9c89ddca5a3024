"""Demo cases (issue 14), made through the case services as the city's people would, on the
app's today:

- from a finished inspection, a case at the notice stage: in 太原 against the enterprise of the
  demo portal account ``taiyuan-qiye`` (a first, minor, corrected violation: the proposal is no
  penalty, SX-13), so that the enterprise sees it and files its statement online;
- a serious violation (exceeding the standards, SX-11 / malicious, XJ-H): the heavier range
  with its reason, a hearing right; marked complex, so legal review and collective discussion
  are required; the party waived its statement (recorded by staff), so it awaits legal review;
- a case decided without a penalty, with its education record and correction order, served;
- so that every stage has a case to click: one still under investigation (a violation recorded,
  its proposal shown, not yet noticed), one where the party asked for a hearing, one awaiting
  collective discussion after a passed legal review, one awaiting the decision (the party
  waived), one decided and not yet served, and one closed;
- 类案同罚 (SX-12): five fines decided for the same violation and profile around the proposal's
  middle, then a sixth at the bottom of the proposal's range — within the proposal, but far from
  the five, so it is flagged for the reviewer and listed under “明显偏离类案的决定”.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from tenant_app.cases.services import cases, decision, notice, party, procedure, violations
from tenant_app.cases.services.common import violations_of
from tenant_app.demo.context import acting, user
from tenant_app.demo.inspections import CITIES
from tenant_app.demo.portal import account_enterprise
from tenant_app.enforcement.services import payments
from tenant_app.extensions import db
from tenant_app.listing.services.listed_status import listed_on
from tenant_app.models import Case, Enterprise, Inspection, ListingEntry
from tenant_app.policy import service as policy_service
from tenant_app.tenancy.acting import scope_context

CASE_CITIES = ("sx-taiyuan", "xj-urumqi")
REVIEWER = {"sx-taiyuan": "taiyuan-fazhi", "xj-urumqi": "urumqi-fazhi"}
# An ordinary violation (一般 grade): what the stage cases and the 类案同罚 series use.
ORDINARY = {"harm": "general", "correction": "when_ordered", "history": "first"}
PORTAL = {"sx-taiyuan": "taiyuan-qiye", "xj-urumqi": "urumqi-qiye"}
# Per city: (violation, factor levels, the noticed penalty), for the three demo cases.
SCRIPT: dict[str, dict[str, Any]] = {
    "sx-taiyuan": {
        # SX-12: the city extends the minor-violation list; its version is filed with the province
        "minor_list_extension": (
            "taiyuan-admin",
            "未按照规定设置大气污染物排放口，首次被发现并于责令改正期限内改正的",
            "太原市拓展轻微违法行为不予处罚事项清单（SX-12，报省厅备案）",
        ),
        "from_inspection": (
            "air_outlet",
            {"harm": "minor", "correction": "promptly", "history": "first"},
            "未按规定设置废气排放口采样平台，检查当日已整改。",
        ),
        "serious": (
            "air_exceeding",
            {"harm": "general", "duration": "medium", "exceedance": "half_to_two"},
        ),
        "no_penalty": ("air_dust_materials", {"harm": "none", "correction": "promptly"}),
    },
    "xj-urumqi": {
        "from_inspection": (
            "water_self_monitoring",
            {"harm": "general", "correction": "when_ordered"},
            "未按规定保存原始监测记录。",
        ),
        "serious": ("water_evading", {"fault": "malicious", "harm": "general"}),
        "no_penalty": ("air_dust_materials", {"harm": "none", "correction": "promptly"}),
        # A listed enterprise's first, minor, promptly corrected violation that is an item of
        # the region's exemption list: the positive list's error tolerance, explained.
        "tolerance": (
            "air_dust_materials",
            {
                "harm": "minor",
                "correction": "promptly",
                "history": "first",
                "exemption_list": "listed_item",
            },
        ),
    },
}


def _officer_ids(slug: str) -> list[int]:
    return [user(u).id for u in CITIES[slug].officers]


def _noticed(
    slug: str,
    enterprise_id: int,
    spec: tuple[Any, ...],
    *,
    facts: str,
    notify: bool = True,
    **extra: Any,
) -> int:
    key, levels = spec[0], spec[1]
    with acting(slug, CITIES[slug].clerk):
        ctx = scope_context()
        case = cases.open_case(
            ctx,
            {
                "enterprise_id": enterprise_id,
                "facts": facts,
                "officer_ids": _officer_ids(slug),
                **extra,
            },
        )
        v = violations.add_violation(
            ctx, case, {"violation_key": key, "levels": levels, "facts": facts}
        )
        p = v.proposal
        if not notify:
            db.session.commit()
            return case.id
        penalty = {
            "violation_id": v.id,
            "outcome": p["outcome"],
            "fine": p["fine_suggested"] or None,
        }
        notice.notify(ctx, case, {"penalties": [penalty]})
        db.session.commit()
        return case.id


def _waived(slug: str, case_id: int) -> None:
    with acting(slug, CITIES[slug].clerk):
        case = db.session.get(Case, case_id)
        assert case is not None
        party.file(
            scope_context(), case, "waiver", "当事人书面声明放弃陈述、申辩和听证。", via="staff"
        )
        db.session.commit()


def seed_cases(slug: str) -> bool:
    with acting(slug, CITIES[slug].clerk):
        if db.session.execute(select(Case.id).limit(1)).first():
            return False
        done = (
            db.session.execute(
                select(Inspection)
                .where(Inspection.status == "done", Inspection.mode == "on_site")
                .order_by(Inspection.id)
            )
            .scalars()
            .all()
        )
        others = (
            db.session.execute(select(Enterprise.id).order_by(Enterprise.id.desc()).limit(14))
            .scalars()
            .all()
        )
    script = SCRIPT[slug]
    portal = account_enterprise(PORTAL[slug], slug)
    insp = next(
        (i for i in done if portal is not None and i.enterprise_id == portal.id),
        done[0] if done else None,
    )
    if insp is not None:
        key, levels, facts = script["from_inspection"]
        _noticed(slug, insp.enterprise_id, (key, levels), facts=facts, inspection_id=insp.id)
    serious = _noticed(
        slug,
        others[0],
        script["serious"],
        facts="在线监测数据显示连续超标排放，企业未主动报告。",
        complex_case=True,
    )
    _waived(slug, serious)
    case_id = _noticed(
        slug,
        others[1],
        script["no_penalty"],
        facts="煤炭堆场未完全覆盖，现场已整改，未造成危害后果。",
    )
    _waived(slug, case_id)
    _decided_without_penalty(slug, case_id)
    _every_stage(slug, others[2:8])
    _far_from_similar(slug, others[8:14])
    _tolerance(slug)
    _minor_list_extension(slug)
    return True


def _minor_list_extension(slug: str) -> None:
    """A city's policy version extending the minor-violation list, kept with its other
    overrides; where the pack files such a change (SX-12) it reaches the province's inbox."""
    spec = SCRIPT[slug].get("minor_list_extension")
    if spec is None:
        return
    admin, entry, comment = spec
    with acting(slug, admin):
        ctx = scope_context()
        assert ctx.tenant is not None
        own = policy_service.layers_for(ctx.tenant, ctx.today)[-1].overrides
        discretion = dict(own.get("discretion") or {})
        listed = list(discretion.get("minor_violation_list") or [])
        if entry in listed:
            return
        discretion["minor_violation_list"] = [*listed, entry]
        policy_service.save_version(
            ctx,
            overrides={**own, "discretion": discretion},
            effective_from=ctx.today,
            comment=comment,
        )
        db.session.commit()


def _tolerance(slug: str) -> None:
    """Where the pack has a positive-list tolerance: a listed enterprise's case, still under
    investigation, whose proposal shows which condition set matched and the facts used."""
    spec = SCRIPT[slug].get("tolerance")
    if spec is None:
        return
    with acting(slug, CITIES[slug].clerk):
        candidates = (
            db.session.execute(
                select(ListingEntry.enterprise_id)
                .where(ListingEntry.state == "listed")
                .order_by(ListingEntry.id)
            )
            .scalars()
            .all()
        )
        today = scope_context().today
        listed = next((eid for eid in candidates if listed_on(eid, today).listed), None)
    if listed is not None:
        _noticed(
            slug,
            listed,
            spec,
            facts="企业自查发现料堆苫盖破损，当日修复，未造成危害后果。",
            notify=False,
        )


def _every_stage(slug: str, enterprises: Sequence[int]) -> None:
    """One case in each stage the three above leave empty."""
    script = SCRIPT[slug]
    ordinary = ("air_outlet", ORDINARY)
    if len(enterprises) < 5:
        return
    # 立案调查中: a violation recorded and its proposal shown; not yet noticed.
    _noticed(
        slug,
        enterprises[0],
        ordinary,
        facts="废气排放口未设置规范化标志牌，正在调查取证。",
        notify=False,
    )
    # 听证: the party asked for a hearing within its window (recorded by staff).
    hearing = _noticed(
        slug, enterprises[1], script["serious"], facts="在线监测数据显示超标排放，企业未主动报告。"
    )
    _filed(slug, hearing, "hearing_request", "当事人书面要求举行听证。")
    # 待集体讨论: a complex case whose legal review passed.
    discussion = _noticed(
        slug,
        enterprises[2],
        script["serious"],
        facts="多个排放口超标排放，涉及多个法律关系。",
        complex_case=True,
    )
    _waived(slug, discussion)
    with acting(slug, REVIEWER[slug]):
        case = db.session.get(Case, discussion)
        assert case is not None
        procedure.legal_review(
            scope_context(), case, "passed", "事实清楚，证据确凿，适用依据正确，程序合法。"
        )
        db.session.commit()
    # 待作出决定: the party waived; nothing else is required before the decision.
    waiting = _noticed(slug, enterprises[3], ordinary, facts="废气排放口未设置采样平台。")
    _waived(slug, waiting)
    # 已作出决定，待送达 and 已结案.
    decided = _noticed(slug, enterprises[4], ordinary, facts="废气排放口未按规定设置。")
    _waived(slug, decided)
    _decide_fine(slug, decided, None)
    if len(enterprises) > 5:
        closed = _noticed(slug, enterprises[5], ordinary, facts="排放口标志牌缺失。")
        _waived(slug, closed)
        _decide_fine(slug, closed, None, serve=True)
        with acting(slug, CITIES[slug].clerk):
            case = db.session.get(Case, closed)
            assert case is not None
            ctx = scope_context()
            # A fine is settled before the case closes (issue 15): paid in full the day served.
            payments.record_payment(
                ctx,
                case,
                {
                    "paid_on": ctx.today.isoformat(),
                    "amount": str(case.total_fine),
                    "reference": f"DEMO-JA-{case.id}",
                    "note": "当场缴纳",
                },
            )
            decision.close(ctx, case, "罚款已缴纳，复查排放口已规范设置。")
            db.session.commit()


def _far_from_similar(slug: str, enterprises: Sequence[int]) -> None:
    """Five fines around the proposal's middle, then one at its bottom: far from the five."""
    if len(enterprises) < 6:
        return
    facts = "排放口未按规定设置。"
    ids = [
        _noticed(slug, eid, ("air_outlet", ORDINARY), facts=facts, notify=False)
        for eid in enterprises[:6]
    ]
    with acting(slug, CITIES[slug].clerk):
        case = db.session.get(Case, ids[0])
        assert case is not None
        p = violations_of(case)[0].proposal
    mid, low = int(p["fine_suggested"]), int(p["fine_low"])
    step = max((mid - low) // 10, 100) // 100 * 100
    fines = [mid - 2 * step, mid - step, mid, mid + step, mid + 2 * step, low]
    for cid, fine in zip(ids, fines, strict=True):
        _notify(slug, cid, fine)
        _waived(slug, cid)
        _decide_fine(slug, cid, fine, serve=True)


def _notify(slug: str, case_id: int, fine: int) -> None:
    with acting(slug, CITIES[slug].clerk):
        case = db.session.get(Case, case_id)
        assert case is not None
        v = violations_of(case)[0]
        penalty = {"violation_id": v.id, "outcome": "fine", "fine": fine}
        notice.notify(scope_context(), case, {"penalties": [penalty]})
        db.session.commit()


def _filed(slug: str, case_id: int, kind: str, content: str) -> None:
    with acting(slug, CITIES[slug].clerk):
        case = db.session.get(Case, case_id)
        assert case is not None
        party.file(scope_context(), case, kind, content, via="staff")
        db.session.commit()


def _decide_fine(slug: str, case_id: int, fine: int | None, *, serve: bool = False) -> None:
    """The noticed fine (or ``fine``) decided by the principal head; served when asked."""
    with acting(slug, CITIES[slug].principal):
        case = db.session.get(Case, case_id)
        assert case is not None
        v = violations_of(case)[0]
        decision.decide(
            scope_context(),
            case,
            {
                "penalties": [
                    {"violation_id": v.id, "outcome": "fine", "fine": fine or v.intended_fine}
                ],
                "correction_order": "立即按规定设置排放口及其采样平台、标志牌。",
            },
        )
        db.session.commit()
    if serve:
        with acting(slug, CITIES[slug].clerk):
            served = db.session.get(Case, case_id)
            assert served is not None
            decision.serve(scope_context(), served, "in_person")
            db.session.commit()


def _decided_without_penalty(slug: str, case_id: int) -> None:
    """免罚不免责: no penalty, with the education record and the correction order; served."""
    with acting(slug, CITIES[slug].principal):
        case = db.session.get(Case, case_id)
        assert case is not None
        violation_id = violations_of(case)[0].id
        decision.decide(
            scope_context(),
            case,
            {
                "penalties": [{"violation_id": violation_id, "outcome": "no_penalty"}],
                "correction_order": "立即对煤炭堆场全部密闭或者覆盖，并建立巡查记录。",
                "education_record": "执法人员当场宣讲大气污染防治法第七十二条，企业负责人签字确认。",
            },
        )
        db.session.commit()
    with acting(slug, CITIES[slug].clerk):
        served = db.session.get(Case, case_id)
        assert served is not None
        decision.serve(scope_context(), served, "in_person")
        db.session.commit()
