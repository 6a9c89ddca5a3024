"""Oversight fixtures (issue 17): a hand-counted world in Xinjiang.

xj (province) ─ xj-urumqi (city, where ``urumqi-auditor`` oversees) ─ xj-urumqi-tianshan (county)
             └ xj-kashi (a sibling city: its rows must never reach urumqi's figures)

Inspections (2026, the clock on 2026-06-15):
  urumqi   on-site  2026-03-10 random_draw  approved
  urumqi   on-site  2026-03-20 complaint    done
  urumqi   off-site 2026-05-05 data_lead    done
  urumqi   on-site  2026-05-06 proactive    rejected (never counted)
  tianshan on-site  2026-05-12 complaint    approved, in a quiet period, to a listed enterprise,
                                            approved by 王负责人
  kashi    on-site  2026-03-11 complaint    approved (sibling)
Key dischargers never inspected on site: tianshan's 重点企业B (counted), kashi's (not).
Warnings: tianshan sent 2026-04-01 and answered; kashi sent 2026-04-02.
Listing: urumqi one entry listed 2026-02-01; kashi one listed 2026-02-01.
Cases: tianshan decided 2026-05-20, one violation no_penalty outside the proposal; kashi decided
2026-05-21 (fine).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tenant_app.accounts import users as user_service
from tenant_app.extensions import db
from tenant_app.models import (
    Case,
    CaseViolation,
    Enterprise,
    EnterpriseWarning,
    Inspection,
    InspectionApproval,
    User,
)
from tenant_app.models.listing import ListingEntry
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_by_slug
from tenant_app.tenancy.scope import use_scope
from tenant_app.tenants.service import create_tenant
from tests.helpers import PASSWORD, tenant

_n = [0]


def ent(slug: str, name: str, **kw: Any) -> int:
    t = tenant(slug)
    _n[0] += 1
    with use_scope(system_scope(t.id)):
        e = Enterprise(tenant_id=t.id, uscc=f"91{t.division_code}MA{_n[0]:08d}", name=name, **kw)
        db.session.add(e)
        db.session.commit()
        return e.id


def inspection(slug: str, enterprise_id: int, day: date, mode: str, trigger: str, **kw: Any) -> int:
    t = tenant(slug)
    facts = {"in_quiet_period": kw.pop("quiet", False), "listed": kw.pop("listed", False)}
    with use_scope(system_scope(t.id)):
        i = Inspection(
            tenant_id=t.id,
            enterprise_id=enterprise_id,
            mode=mode,
            trigger=trigger,
            planned_date=day,
            status=kw.pop("status", "approved"),
            title=kw.pop("title", f"检查{day.isoformat()}"),
            decision={"facts": facts},
            officers=kw.pop("officers", []),
            requirements=kw.pop("requirements", []),
            **kw,
        )
        db.session.add(i)
        db.session.commit()
        return i.id


def add_user(slug: str, username: str, roles: list[str], name: str = "测试用户") -> int:
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        u = user_service.create_user(
            scope_context(),
            tenant=t,
            username=username,
            display_name=name,
            password=PASSWORD,
            roles=roles,
        )
        db.session.commit()
        return u.id


def user_id(username: str) -> int:
    with use_scope(system_scope()):
        return db.session.execute(db.select(User.id).where(User.username == username)).scalar_one()


def _kashi() -> None:
    with use_scope(system_scope(1)):
        create_tenant(
            scope_context(),
            slug="xj-kashi",
            name="喀什地区",
            level="city",
            division_code="653100",
            parent=tenant_by_slug("xj"),
        )
        db.session.commit()


def _warning(slug: str, enterprise_id: int, sent: date, answered: bool) -> None:
    from datetime import UTC, datetime

    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        db.session.add(
            EnterpriseWarning(
                tenant_id=t.id,
                enterprise_id=enterprise_id,
                cause="permit_expiry",
                period=sent.isoformat(),
                due_on=sent,
                status="answered" if answered else "sent",
                sent_on=sent,
                answer_due=sent,
                answered_at=datetime(2026, 4, 3, 2, tzinfo=UTC) if answered else None,
            )
        )
        db.session.commit()


def _listed(slug: str, enterprise_id: int, on: date) -> None:
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        db.session.add(
            ListingEntry(
                tenant_id=t.id,
                enterprise_id=enterprise_id,
                origin="nomination",
                state="listed",
                listed_on=on,
                valid_until=date(2029, 1, 31),
            )
        )
        db.session.commit()


def _case(slug: str, enterprise_id: int, decided: date, outcome: str, outside: bool) -> int:
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        c = Case(
            tenant_id=t.id,
            enterprise_id=enterprise_id,
            origin="manual",
            title=f"案件{decided.isoformat()}",
            filed_on=date(2026, 4, 1),
            limit_due=date(2026, 7, 1),
            stage="decided",
            decided_on=decided,
        )
        db.session.add(c)
        db.session.flush()
        db.session.add(
            CaseViolation(
                tenant_id=t.id,
                case_id=c.id,
                violation_key="v1",
                title="违法行为",
                outcome=outcome,
                fine=0 if outcome == "no_penalty" else 10000,
                outside_proposal=outside,
            )
        )
        db.session.commit()
        return c.id


@pytest.fixture()
def oversight_world(world: dict[str, Any]) -> dict[str, Any]:
    _kashi()
    add_user("xj-urumqi", "urumqi-auditor", ["auditor"], "乌市稽查员")
    u1 = ent("xj-urumqi", "乌市企业A")
    u2 = ent("xj-urumqi", "乌市企业B")
    t1 = ent("xj-urumqi-tianshan", "天山企业A", supervision_category="listed")
    t2 = ent("xj-urumqi-tianshan", "重点企业B", key_discharger=True)
    k1 = ent("xj-kashi", "喀什企业A", key_discharger=True)
    ids = {
        "u_draw": inspection("xj-urumqi", u1, date(2026, 3, 10), "on_site", "random_draw"),
        "u_complaint": inspection(
            "xj-urumqi", u1, date(2026, 3, 20), "on_site", "complaint", status="done"
        ),
        "u_off": inspection("xj-urumqi", u2, date(2026, 5, 5), "off_site", "data_lead"),
        "u_rejected": inspection(
            "xj-urumqi", u2, date(2026, 5, 6), "on_site", "proactive", status="rejected"
        ),
        "t_quiet": inspection(
            "xj-urumqi-tianshan",
            t1,
            date(2026, 5, 12),
            "on_site",
            "complaint",
            quiet=True,
            listed=True,
        ),
        "k_site": inspection("xj-kashi", k1, date(2026, 3, 11), "on_site", "complaint"),
    }
    t = tenant("xj-urumqi-tianshan")
    with use_scope(system_scope(t.id)):
        db.session.add(
            InspectionApproval(
                tenant_id=t.id,
                inspection_id=ids["t_quiet"],
                user_id=user_id("urumqi-head"),
                user_name="王负责人",
                roles=["principal_head"],
                rule_ids=[],
                verdict="approved",
            )
        )
        db.session.commit()
    _warning("xj-urumqi-tianshan", t1, date(2026, 4, 1), answered=True)
    _warning("xj-kashi", k1, date(2026, 4, 2), answered=False)
    _listed("xj-urumqi", u1, date(2026, 2, 1))
    _listed("xj-kashi", k1, date(2026, 2, 1))
    ids["t_case"] = _case("xj-urumqi-tianshan", t2, date(2026, 5, 20), "no_penalty", True)
    ids["k_case"] = _case("xj-kashi", k1, date(2026, 5, 21), "fine", False)
    return {**world, "ids": ids, "ent": {"u1": u1, "t1": t1, "t2": t2, "k1": k1}}
