"""Issue 14 in Chromium, through the real pages only: the browser journey from an inspection's
finding to the published decision. An officer opens the case from the finding (NAT-APL-42: two
certified officers), records a violation and its factors and sees the proposal with its rule
(SX-12), gives notice (NAT-APL-44); the party reads its case online, files a statement and waives
the rest of its window (NAT-APL-64.1, NAT-APL-62); the officer answers the statement
(NAT-APL-45.1); the principal head decides (NAT-APL-28.1: the correction order); the officer
serves (NAT-APL-61); the decision is on the tenant's public enforcement page with the legal
representative's name masked (SX-7, NAT-APL-50). Then the principal head publishes it as a typical
case (以案释法) from the case page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tenant_app import clock
from tenant_app.extensions import db
from tenant_app.models import Case, Inspection, InspectionFinding
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import PASSWORD, tenant
from tests.inspections.conftest import make_enterprise, make_enterprise_user, officer_ids
from tests.services import need_chromium

pytestmark = pytest.mark.browser

REPRESENTATIVE = "王建国"


def sign_in(page: Any, username: str, slug: str = "sx-taiyuan") -> None:
    page.goto(f"/{slug}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(rf"/{slug}/$"))


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/login"))


@pytest.fixture()
def finding(world: Any) -> dict[str, Any]:
    """A done inspection of a company whose legal representative is a natural person, with one
    finding: what the officer opens the case from."""
    need_chromium()
    e = make_enterprise(
        "sx-taiyuan", name="太原旅程测试化工有限公司", legal_representative=REPRESENTATIVE
    )
    make_enterprise_user("sx-taiyuan", e, "journey-co")
    t = tenant("sx-taiyuan")
    ids = officer_ids("taiyuan-officer1", "taiyuan-officer2")
    with use_scope(system_scope(t.id)):
        insp = Inspection(
            tenant_id=t.id,
            enterprise_id=e.id,
            mode="on_site",
            trigger="proactive",
            planned_date=clock.today(),
            status="done",
            officers=[{"id": i, "name": "执法", "certificate_no": "x"} for i in ids],
            conclusion="发现废气排放口未按规定设置",
        )
        db.session.add(insp)
        db.session.flush()
        db.session.add(
            InspectionFinding(
                tenant_id=t.id,
                inspection_id=insp.id,
                item_key="outlet",
                item_title="排放口设置",
                result="issue",
                note="废气排放口未设置采样平台",
            )
        )
        db.session.commit()
        return {"enterprise": e, "inspection_id": insp.id}


def test_from_finding_to_published_decision_in_the_browser(finding, browser_page, artifacts):
    page = browser_page
    e = finding["enterprise"]

    # 立案 from the inspection's finding: the finding is carried into the facts.
    sign_in(page, "taiyuan-officer1")
    page.goto(f"/sx-taiyuan/inspections/{finding['inspection_id']}/")
    page.get_by_role("link", name="据检查发现立案").click()
    page.wait_for_url(re.compile(r"/cases/new\?"))
    assert "废气排放口未设置采样平台" in page.get_by_label("违法事实").input_value()
    page.get_by_label("违法事实").fill(
        f"法定代表人{REPRESENTATIVE}经营的企业废气排放口未设置采样平台。"
    )
    page.get_by_label(re.compile("刘执法")).check()
    page.get_by_label(re.compile("陈执法")).check()
    # 涉及重大公共利益 → legal review (NAT-APL-58); 疑难复杂 → collective discussion (NAT-APL-57.2)
    page.get_by_label("涉及重大公共利益").check()
    page.get_by_label("案情疑难复杂、涉及多个法律关系").check()
    page.get_by_role("button", name="立案").last.click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case_url = page.url
    case_id = int(re.search(r"/cases/(\d+)/", case_url).group(1))
    assert page.locator("#stage").inner_text() == "立案调查中"
    expect(page.locator("#deadlines")).to_contain_text("NAT-APL-60")

    # The violation and its factors; the proposal with each factor's effect and its rule.
    page.locator("#violation_key").select_option("air_outlet")
    page.get_by_label("违法事实", exact=True).last.fill("废气排放口未设置采样平台")
    page.get_by_role("button", name="记录并给出建议").click()
    proposal = page.locator(".proposal").first
    proposal.wait_for()
    text = proposal.inner_text()
    assert "SX-12" in text and "裁量档次" in text
    page.screenshot(path=str(artifacts / "case-proposal-zh.png"), full_page=True)

    # 告知: the proposal's own suggestion, inside it, so no reason is asked.
    page.get_by_role("button", name="告知当事人").click()
    page.wait_for_url(re.compile(r"/cases/\d+/"))
    assert page.locator("#stage").inner_text() != "立案调查中"
    expect(page.locator("#stages")).to_contain_text("事先告知书")
    sign_out(page)

    # The party reads its case online, files a statement, then waives the rest of the window.
    sign_in(page, "journey-co")
    page.goto("/sx-taiyuan/enterprise/cases/")
    page.get_by_role("link", name=re.compile(e.name)).click()
    expect(page.locator("#rights")).to_contain_text("不得因您陈述、申辩而给予更重的处罚")
    page.get_by_label("陈述、申辩意见").fill("采样平台已于当日开始施工，请求从轻处理。")
    page.get_by_role("button", name="提交陈述、申辩").click()
    expect(page.locator("#statements")).to_contain_text("采样平台已于当日开始施工")
    page.get_by_role("button", name="明确放弃陈述、申辩和听证").click()
    expect(page.locator("#statements")).to_contain_text("陈述、申辩期间已结束")
    sign_out(page)

    # The officer answers the statement (NAT-APL-45.1) before anyone decides.
    sign_in(page, "taiyuan-officer1")
    page.goto(case_url)
    page.locator("#statements textarea[name=answer]").fill("整改尚未完成，不予采纳。")
    page.locator("#statements").get_by_role("button", name="答复").click()
    expect(page.locator("#statements")).to_contain_text("不予采纳")
    sign_out(page)

    # 法制审核 by the legal reviewer, then the principal head's collective discussion.
    sign_in(page, "taiyuan-fazhi")
    page.goto(case_url)
    assert page.locator("#stage").inner_text() == "待法制审核"
    expect(page.locator("#review-reasons")).to_contain_text("NAT-APL-58")
    page.get_by_label("审核意见").fill("事实清楚，证据确凿，适用依据正确。")
    page.get_by_role("button", name="提交审核意见").click()
    expect(page.locator("#review")).to_contain_text("审核通过")
    sign_out(page)
    sign_in(page, "taiyuan-principal")
    page.goto(case_url)
    assert page.locator("#stage").inner_text() == "待集体讨论"
    page.get_by_label("集体讨论记录（参加人员、意见、结论）").fill(
        "局长办公会讨论，同意按建议处罚。"
    )
    page.get_by_role("button", name="记录集体讨论").click()
    assert page.locator("#stage").inner_text() == "待作出决定"
    page.get_by_label("责令改正的内容（处罚或者不予处罚均须填写）").fill(
        "责令立即按规定设置废气采样平台。"
    )
    page.get_by_role("button", name="作出决定").click()
    decided = page.locator("#decision").inner_text()
    assert "决定书文号" in decided and "环罚〔" in decided, decided
    sign_out(page)

    # Service by the officer: the decision becomes public.
    sign_in(page, "taiyuan-officer1")
    page.goto(case_url)
    page.get_by_label("送达方式").select_option(label="当场交付")
    page.get_by_role("button", name="登记送达").click()
    expect(page.locator("#decision")).to_contain_text("已于")
    expect(page.locator("#decision")).to_contain_text("送达")
    sign_out(page)

    page.goto("/sx-taiyuan/public/enforcement")
    public = page.locator("main").inner_text()
    assert e.name in public and "责令立即按规定设置废气采样平台" in public
    assert REPRESENTATIVE not in public and "王某某" in public
    page.screenshot(path=str(artifacts / "case-public-decision-zh.png"), full_page=True)

    # 以案释法: the principal head publishes it as a typical case, from the case page.
    sign_in(page, "taiyuan-principal")
    page.goto(case_url)
    page.get_by_label("以案释法说明").fill(f"{REPRESENTATIVE}的企业未设采样平台被处罚。")
    page.get_by_role("button", name="作为典型案例公开").click()
    expect(page.locator("#typical")).to_contain_text("已作为典型案例公开")
    sign_out(page)
    page.goto("/sx-taiyuan/public/enforcement")
    typical = page.locator("#typical-cases").inner_text()
    assert "未设采样平台被处罚" in typical and REPRESENTATIVE not in typical

    with use_scope(system_scope(tenant("sx-taiyuan").id)):
        case = db.session.get(Case, case_id)
        assert case.stage == "served" and case.typical
        db.session.rollback()


def test_evidence_and_a_coercive_measure_by_each_role_in_the_browser(
    finding, browser_page, artifacts, tmp_path
):
    """A case opened by hand: the officer uploads evidence (its SHA-256 shown) and proposes
    sealing — refused without the reason why lighter means do not suffice (SX-13) — the legal
    reviewer passes it and only then the principal head sees the approval form and approves."""
    import hashlib

    page = browser_page
    e = finding["enterprise"]
    sign_in(page, "taiyuan-officer1")
    page.goto("/sx-taiyuan/cases/")
    page.get_by_role("link", name="立案").last.click()
    # the party from the enterprise picker (the register is larger than a list can show)
    page.wait_for_function("() => window.htmx !== undefined && document.readyState === 'complete'")
    page.get_by_label("搜索：当事人（本辖区企业）").fill(e.uscc)
    page.locator("#enterprise_id-results .picker-count").wait_for()
    page.get_by_label(f"{e.name}（{e.uscc}）").check()
    page.get_by_label("违法事实").fill("群众举报夜间偷排废水，现场查实。")
    page.get_by_label(re.compile("刘执法")).check()
    page.get_by_label(re.compile("陈执法")).check()
    page.get_by_role("button", name="立案").last.click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case_url = page.url

    pdf = tmp_path / "夜间采样记录.pdf"
    pdf.write_bytes(b"%PDF-1.4 night sampling record")
    page.get_by_label("证据文件（照片、视频、PDF，不超过 20 MB）").set_input_files(str(pdf))
    page.get_by_label("证据说明").fill("夜间采样记录")
    page.get_by_role("button", name="上传证据").click()
    evidence = page.locator("#evidence").inner_text()
    assert "夜间采样记录.pdf" in evidence
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() in evidence

    page.get_by_label("措施", exact=True).select_option(label="查封、扣押")
    page.get_by_role("button", name="提请采取措施").click()
    assert "SX-13" in page.get_by_role("status").first.inner_text()
    page.get_by_label("措施", exact=True).select_option(label="查封、扣押")
    page.get_by_label("对象（设施、物品、许可证编号等）").fill("暗管及其连接的提升泵")
    page.get_by_label("采取较轻手段不足以达到目的的理由").fill(
        "企业夜间通过暗管偷排，责令改正后仍继续排放，罚款不足以制止违法行为。"
    )
    page.get_by_role("button", name="提请采取措施").click()
    expect(page.locator("#measures")).to_contain_text("待法制审核")
    sign_out(page)

    sign_in(page, "taiyuan-principal")
    page.goto(case_url)
    assert page.get_by_role("button", name="提交批准意见").count() == 0  # not before the review
    sign_out(page)

    sign_in(page, "taiyuan-fazhi")
    page.goto(case_url)
    page.get_by_label("措施审核意见").fill("理由充分，程序合法，同意。")
    page.get_by_role("button", name="提交措施审核意见").click()
    expect(page.locator("#measures")).to_contain_text("待主要负责人批准")
    sign_out(page)

    sign_in(page, "taiyuan-principal")
    page.goto(case_url)
    page.get_by_label("说明", exact=True).fill("同意查封。")
    page.get_by_role("button", name="提交批准意见").click()
    expect(page.locator("#measures")).to_contain_text("主要负责人已批准，可以实施")
    page.screenshot(path=str(artifacts / "case-measure-approved-zh.png"), full_page=True)
