"""Issue 11 item 10: special campaigns are filed (备案) and published (SX-4), and a scope that
still reaches nearly every enterprise is refused like a blanket one, at each moment it bites
(creation, approval, filing, publication), against the registry of that moment.

SX-4 (山西省生态环境厅实施意见 二(二)4)：严格控制专项检查的数量、范围、内容和时限，坚决杜绝全覆盖、
无差别检查。专项检查方案经…主要负责人批准后按照规定备案，并向社会公开。The share that counts as
blanket is the pack's ``inspection.special_campaign.blanket_share`` (Shanxi: 0.9, a default).

Dates: the plan is drawn up on Monday 2026-04-27, for a campaign from Wednesday 2026-05-06 (the first
working day after the Labour Day holiday, 2026-05-01 to 05-05) to Friday 2026-05-29.
"""

from __future__ import annotations

from typing import Any

import pytest

from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.inspections.services import campaigns
from tenant_app.inspections.services.checks import preview
from tenant_app.tenancy.acting import scope_context

from .conftest import acting, make_enterprise

BASE = {
    "title": "化工企业危险废物专项检查",
    "content": "危险废物贮存、转移联单",
    "start_date": "2026-05-06",
    "end_date": "2026-05-29",
}


def _registry(chemical: int, other: int) -> list[int]:
    ids = [make_enterprise("sx-taiyuan", industry_code="C2611").id for _ in range(chemical)]
    ids += [make_enterprise("sx-taiyuan", industry_code="C13").id for _ in range(other)]
    return ids


def _as(username: str, fn: Any) -> Any:
    with acting(username, "sx-taiyuan"):
        try:
            out = fn()
        except ServiceError:
            db.session.rollback()
            raise
        db.session.commit()
        if hasattr(out, "__table__"):  # detached with its values: RLS would hide a reload
            db.session.refresh(out)
            db.session.expunge(out)
        return out


@pytest.mark.today("2026-04-27")
def test_SX_4_a_scope_reaching_the_packs_share_is_blanket(world: dict[str, Any]) -> None:
    _registry(chemical=9, other=1)  # C26 reaches 9 of 10 = 90%: the pack's share
    with pytest.raises(ServiceError) as exc:
        _as(
            "taiyuan-officer1",
            lambda: campaigns.create_campaign(
                scope_context(), {**BASE, "scope": {"industry_prefixes": "C26"}}
            ),
        )
    reason = exc.value.errors["scope"][0]
    assert "SX-4" in reason and "90%" in reason and "9家" in reason


@pytest.mark.today("2026-04-27")
def test_SX_4_filed_with_whom_and_when_then_published(world: dict[str, Any], client: Any) -> None:
    ids = _registry(chemical=8, other=2)  # 80%: bounded
    c = _as(
        "taiyuan-officer1",
        lambda: campaigns.create_campaign(
            scope_context(), {**BASE, "scope": {"industry_prefixes": "C26"}}
        ),
    )
    cid = c.id
    assert c.decision["scope_checks"][0]["reached"] == 8

    def get() -> Any:
        return next(x for x in campaigns.campaigns().items if x.id == cid)

    with pytest.raises(ServiceError):  # not approved: cannot be filed
        _as("taiyuan-principal", lambda: campaigns.file_campaign(scope_context(), get(), {}))
    _as("taiyuan-principal", lambda: campaigns.approve_campaign(scope_context(), get()))
    with pytest.raises(ServiceError):  # approved but not filed: cannot be published
        _as("taiyuan-principal", lambda: campaigns.publish_campaign(scope_context(), get()))
    # An inspection under a campaign not yet filed and published is refused.
    with acting("taiyuan-officer1", "sx-taiyuan"):
        from .conftest import officer_ids

        data = {
            "enterprise_id": ids[0],
            "mode": "on_site",
            "trigger": "special_campaign",
            "campaign_id": cid,
            "planned_date": "2026-05-11",
            "officer_ids": officer_ids("taiyuan-officer1", "taiyuan-officer2"),
        }
        assert not preview(scope_context(), data).allowed
    with pytest.raises(ServiceError) as exc:  # a filing dated after today is refused
        _as(
            "taiyuan-principal",
            lambda: campaigns.file_campaign(scope_context(), get(), {"filed_on": "2026-04-28"}),
        )
    assert "filed_on" in exc.value.errors
    with pytest.raises(ServiceError):  # and one dated before the approval
        _as(
            "taiyuan-principal",
            lambda: campaigns.file_campaign(scope_context(), get(), {"filed_on": "2026-04-24"}),
        )
    c = _as(
        "taiyuan-principal",
        lambda: campaigns.file_campaign(
            scope_context(), get(), {"filed_on": "2026-04-27", "filing_ref": "并环执备〔2026〕3号"}
        ),
    )
    # With whom: the pack says the parent tenant (山西省) — the filing record names it.
    assert c.status == "filed" and c.filed_with == "山西省生态环境主管部门"
    assert str(c.filed_on) == "2026-04-27" and c.filing_ref == "并环执备〔2026〕3号"
    assert c.filed_with_tenant_id is not None and c.filed_by is not None
    assert [x["moment"] for x in c.decision["scope_checks"]] == ["created", "approved", "filed"]
    c = _as("taiyuan-principal", lambda: campaigns.publish_campaign(scope_context(), get()))
    assert c.status == "published" and c.published_at is not None
    with acting("taiyuan-officer1", "sx-taiyuan"):
        assert preview(scope_context(), data).allowed
    page = client.get("/sx-taiyuan/public/enforcement").get_data(as_text=True)
    assert "化工企业危险废物专项检查" in page and "山西省生态环境主管部门" in page
    assert "并环执备〔2026〕3号" in page


@pytest.mark.today("2026-04-27")
def test_SX_4_scope_judged_again_when_filed_against_that_days_registry(
    world: dict[str, Any],
) -> None:
    _registry(chemical=8, other=2)
    c = _as(
        "taiyuan-officer1",
        lambda: campaigns.create_campaign(
            scope_context(), {**BASE, "scope": {"industry_prefixes": "C26"}}
        ),
    )
    cid = c.id
    _as(
        "taiyuan-principal",
        lambda: campaigns.approve_campaign(
            scope_context(), next(x for x in campaigns.campaigns().items if x.id == cid)
        ),
    )
    _registry(chemical=10, other=0)  # the registry grows: C26 now reaches 18 of 20 = 90%
    with pytest.raises(ServiceError) as exc:
        _as(
            "taiyuan-principal",
            lambda: campaigns.file_campaign(
                scope_context(), next(x for x in campaigns.campaigns().items if x.id == cid), {}
            ),
        )
    assert "18家" in exc.value.errors["scope"][0]
    with acting("taiyuan-principal", "sx-taiyuan"):
        assert next(x for x in campaigns.campaigns().items if x.id == cid).status == "approved"
