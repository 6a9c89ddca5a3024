"""Issue 10 item 3: pickers instead of ids, and no list that stops silently.

- The new-inspection page's enterprise picker (was a <select> cut at 500) searches as one types
  (htmx) by part of the name or by the credit code, over the keyset-paged enterprise search, and
  never offers another tenant's enterprise; without scripts its search button re-renders the page
  with the matches and keeps what was typed. Officers are picked by name or certificate number.
- The lists that stopped at 200 page by keyset and say how many there are ("共 N 条"); the next
  link reaches the rows after the first page; the API says the same in its headers.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import InspectionRequest, ListingBatch, User
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import bearer, csrf_from, login, tenant

from .conftest import future, make_enterprise

pytestmark = pytest.mark.date_sensitive

HX = {"HX-Request": "true"}


def _pick(client, q: str, field: str = "enterprise_id", slug: str = "sx-taiyuan", **extra: str):
    return client.get(
        f"/{slug}/enterprises/pick",
        query_string={"field": field, f"{field}_q": q, **extra},
        headers=HX,
    )


def test_the_enterprise_picker_finds_by_name_or_credit_code_only_in_its_own_tenant(client, sx):
    steel = make_enterprise(
        "sx-taiyuan", name="太原钢铁（集团）有限公司", uscc="91140100110114391C"
    )
    make_enterprise("sx-taiyuan", name="太原化肥厂")
    urumqi_steel = make_enterprise(
        "xj-urumqi", name="乌鲁木齐钢铁有限公司", uscc="91650100228581818X"
    )
    login(client, "sx-taiyuan", "taiyuan-officer1")

    by_name = _pick(client, "钢铁")
    body = by_name.get_data(as_text=True)
    assert by_name.status_code == 200
    assert f'value="{steel.id}"' in body and "太原钢铁（集团）有限公司" in body
    assert "乌鲁木齐" not in body and "化肥" not in body
    assert "找到 1 条" in body

    by_code = _pick(client, "9114010011011")  # the beginning of the credit code
    assert f'value="{steel.id}"' in by_code.get_data(as_text=True)
    # Another tenant's enterprise is not found, by its name or by its full credit code.
    for q in ("乌鲁木齐钢铁", urumqi_steel.uscc):
        other = _pick(client, q).get_data(as_text=True)
        assert f'value="{urumqi_steel.id}"' not in other and "没有符合条件的结果" in other
    # An empty query asks for one instead of listing the register.
    assert "请输入名称或编号的一部分" in _pick(client, "").get_data(as_text=True)
    # A query too long is refused by its field, not a 500.
    long = _pick(client, "钢" * 300)
    assert long.status_code == 422 and "200" in long.get_data(as_text=True)


def test_the_picker_pages_past_its_first_screen(client, sx):
    """25 matches: 20 on the first screen with "更多", the other 5 behind it."""
    ids = [make_enterprise("sx-taiyuan", name=f"阳曲县煤矿{n:02d}").id for n in range(25)]
    login(client, "sx-taiyuan", "taiyuan-officer1")
    first = _pick(client, "阳曲县煤矿").get_data(as_text=True)
    assert "找到 25 条" in first
    shown = {int(v) for v in re.findall(r'name="enterprise_id" value="(\d+)"', first)}
    assert len(shown) == 20
    more = re.search(r'hx-get="([^"]+)"', first)
    assert more, "no 更多 button"
    rest = client.get(more.group(1).replace("&amp;", "&"), headers=HX).get_data(as_text=True)
    shown |= {int(v) for v in re.findall(r'name="enterprise_id" value="(\d+)"', rest)}
    assert shown == set(ids) and "更多" not in rest


def test_the_new_inspection_page_picks_without_scripts_and_keeps_what_was_typed(client, sx):
    e = make_enterprise("sx-taiyuan", name="清徐县精细化工有限公司")
    login(client, "sx-taiyuan", "taiyuan-officer1")
    page = client.get("/sx-taiyuan/inspections/new").get_data(as_text=True)
    assert 'name="enterprise_id_q"' in page and '<select id="enterprise_id"' not in page
    # The officers are offered by name and certificate number before any search.
    assert "刘执法（执法证 14010020260001）" in page and "陈执法（执法证 14010020260002）" in page
    token = csrf_from(page)
    planned = future(11, 3).isoformat()
    searched = client.post(
        "/sx-taiyuan/inspections/new",
        data={
            "csrf_token": token,
            "pick": "enterprise_id",
            "enterprise_id_q": "精细化工",
            "planned_date": planned,
            "title": "信访核查",
            "officer_ids": sx["officers"][:1],
        },
    )
    body = searched.get_data(as_text=True)
    assert searched.status_code == 200
    assert f'name="enterprise_id" value="{e.id}"' in body
    assert f'value="{planned}"' in body and 'value="信访核查"' in body
    # the officer ticked before the search stays ticked
    assert re.search(rf'name="officer_ids" value="{sx["officers"][0]}" checked', body)
    # Chosen, then checked (preview): the enterprise shows as chosen.
    preview = client.post(
        "/sx-taiyuan/inspections/new",
        data={
            "csrf_token": token,
            "action": "preview",
            "enterprise_id": e.id,
            "mode": "on_site",
            "trigger": "proactive",
            "planned_date": planned,
            "officer_ids": sx["officers"],
        },
    ).get_data(as_text=True)
    assert re.search(
        rf'name="enterprise_id" value="{e.id}" checked> 清徐县精细化工有限公司', preview
    )
    assert 'id="checks"' in preview


def test_officers_are_picked_by_name_or_certificate_never_another_tenants(client, sx):
    login(client, "sx-taiyuan", "taiyuan-officer1")

    def pick(q: str) -> str:
        return client.get(
            "/sx-taiyuan/inspections/pick/officers",
            query_string={"field": "officer_ids", "multiple": "1", "officer_ids_q": q},
            headers=HX,
        ).get_data(as_text=True)

    with use_scope(system_scope()):
        ids = dict(db.session.execute(select(User.username, User.id)).all())
    chen = pick("陈")
    assert f'value="{ids["taiyuan-officer2"]}"' in chen and "刘执法" not in chen
    assert 'type="checkbox"' in chen
    assert f'value="{ids["taiyuan-officer1"]}"' in pick("20260001")
    everyone = pick("")
    assert "刘执法" in everyone and "陈执法" in everyone
    assert "张执法" not in everyone and "65010020260001" not in pick("6501002026")


def _requests(n: int) -> list[int]:
    e = make_enterprise("sx-taiyuan", name="申请检查的企业")
    t = tenant("sx-taiyuan")
    with use_scope(system_scope(t.id)):
        rows = [
            InspectionRequest(tenant_id=t.id, enterprise_id=e.id, reason=f"申请事项{k}")
            for k in range(n)
        ]
        db.session.add_all(rows)
        db.session.commit()
        return [r.id for r in rows]


def test_a_long_list_says_how_many_and_its_next_link_reaches_the_rest(client, sx):
    """57 enterprise requests (the list stopped at 200 without a word; now 50 a page): "共 57
    条", a next link, and the seven oldest behind it; the first page's link leads back."""
    ids = _requests(57)
    login(client, "sx-taiyuan", "taiyuan-officer1")
    first = client.get("/sx-taiyuan/inspections/requests/").get_data(as_text=True)
    assert "共 57 条" in first and "本页 50 条" in first
    assert "申请事项56" in first and "申请事项6<" not in first
    nxt = re.search(r'<a class="button secondary" rel="next" href="([^"]+)"', first)
    assert nxt
    rest = client.get(nxt.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert all(f"申请事项{k}<" in rest for k in range(7)) and "申请事项7<" not in rest
    assert 'rel="next"' not in rest and "回到第一页" in rest
    # The API pages the same list: the total and where the next page starts, in the headers.
    api = client.get(
        "/api/v1/tenants/sx-taiyuan/inspection-requests",
        query_string={"limit": 50},
        headers=bearer("taiyuan-officer1"),
    )
    assert api.headers["X-Total-Count"] == "57" and len(api.get_json()) == 50
    tail = client.get(
        "/api/v1/tenants/sx-taiyuan/inspection-requests",
        query_string={"limit": 50, "after": api.headers["X-Next-After"]},
        headers=bearer("taiyuan-officer1"),
    )
    assert sorted(r["id"] for r in tail.get_json()) == sorted(ids[:7])
    assert "X-Next-After" not in tail.headers


def test_the_positive_list_batches_page_on_their_own(client, world):
    """Xinjiang's batches (were cut at 200): counted and paged with their own parameter, so the
    entries list of the same page keeps its place; never another tenant's batches."""
    t = tenant("xj-urumqi")
    with use_scope(system_scope(t.id)):
        db.session.add_all(
            ListingBatch(tenant_id=t.id, title=f"第{k:02d}批", kind="addition") for k in range(53)
        )
        db.session.commit()
    sx = tenant("sx-taiyuan")
    with use_scope(system_scope(sx.id)):
        db.session.add(ListingBatch(tenant_id=sx.id, title="太原的批次", kind="addition"))
        db.session.commit()
    login(client, "xj-urumqi", "urumqi-officer1")
    first = client.get("/xj-urumqi/listing/").get_data(as_text=True)
    assert "共 53 条" in first and "太原的批次" not in first
    nxt = re.search(r'href="([^"]*batches_after=\d+[^"]*)"', first)
    assert nxt
    rest = client.get(nxt.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert all(f"第{k:02d}批" in rest for k in range(3)) and "第03批" not in rest
