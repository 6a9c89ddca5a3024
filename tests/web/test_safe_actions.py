"""Issue 10, item 4: safe actions.

1. Every form of the templates that posts is classified here: an irreversible step (publish,
   file, approve or decide, draw, remove from the list, close a case-like step, revoke) asks
   first with a sentence that names what happens and that it cannot be undone (``data-confirm``,
   tenant_app/ui/static/app.js); every other form says why it need not. A new form that is in
   neither list fails, so each one is decided.
2. A form the service refuses comes back as typed, with the reason beside the refused field
   (tenant_app/ui/refused.py): the annual plan, the batch selection and the site-check notes
   (the positive list's site verification and the inspection's checklist notes), and the other
   pages' forms built the same way. Another region's staff never see the form at all.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tenant_app.extensions import db
from tenant_app.listing.services import entries
from tenant_app.models import (
    Inspection,
    InspectionFinding,
    InspectionPlan,
    ListingBatch,
    ListingEntry,
)
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import csrf_from, login
from ..listing.factory import as_user, good_enterprise

ROOT = Path(__file__).resolve().parents[2] / "tenant_app"

# Irreversible steps: each form (or its submit button) carries data-confirm.
CONFIRMED = {
    "oversight/oversight/corrections.html::web.oversight.corrections_issue",  # issue 17: no recall
    "oversight/oversight/correction.html::web.oversight.correction_close",  # 核销 ends the item
    "cases/cases/new.html::web.cases.new",  # 立案 starts the case's time limit
    "cases/cases/show.html::web.cases.extension",
    "cases/cases/show.html::web.cases.give_notice",
    "cases/cases/show.html::web.cases.record_hearing",
    "cases/cases/show.html::web.cases.review",
    "cases/cases/show.html::web.cases.discussion",
    "cases/cases/show.html::web.cases.decide",
    "cases/cases/show.html::web.cases.serve",
    "cases/cases/show.html::web.cases.close",
    "cases/cases/show.html::web.cases.typical",  # 以案释法: published (or withdrawn) at once
    "cases/cases/show.html::web.cases.propose_measure",  # SX-13: goes to review and approval
    "cases/cases/show.html::web.cases.review_measure",
    "cases/cases/show.html::web.cases.approve_measure",
    "cases/cases/mine_show.html::web.cases_portal.file",  # the party's statement, hearing, waiver
    "notifications/notifications/webhooks.html::web.webhooks.webhook_deactivate",  # issue 16
    "accounts/me/index.html::web.me.end_session",
    "accounts/me/index.html::web.me.revoke_token",
    "accounts/users/index.html::web.users.revoke",
    "accounts/users/index.html::web.users.set_active",  # when it deactivates
    "accounts/users/index.html::web.users.decide",
    "accounts/users/index.html::web.users.withdraw",
    "imports/imports/index.html::self",
    "inspections/inspections/campaigns.html::web.inspections_admin.approve_campaign",
    "inspections/inspections/campaigns.html::web.inspections_admin.file_campaign",
    "inspections/inspections/campaigns.html::web.inspections_admin.publish_campaign",
    "inspections/inspections/draw.html::web.inspections_admin.draw_inspections",
    "inspections/inspections/draw.html::web.inspections_admin.witness_draw",
    "inspections/inspections/draw.html::web.inspections_admin.reveal_draw",
    "inspections/inspections/draw.html::web.inspections_admin.abandon_draw",
    "inspections/inspections/draw.html::web.inspections_admin.execute_draw",
    "inspections/inspections/draws.html::self",  # commit: locks the pool
    "inspections/inspections/mine.html::web.inspections_portal.submit_report",
    "inspections/inspections/plans.html::web.inspections_admin.approve_plan",
    "inspections/inspections/plans.html::web.inspections_admin.publish_plan",
    "inspections/inspections/reports.html::web.inspections_admin.review_report",
    "inspections/inspections/requests.html::web.inspections_admin.accept_request",
    "inspections/inspections/requests.html::web.inspections_admin.decline_request",
    "inspections/inspections/show.html::web.inspections.approve",  # and reject (formaction)
    "inspections/inspections/show.html::web.inspections.start",
    "inspections/inspections/show.html::web.inspections.finish",
    "inspections/inspections/show.html::web.inspections.give_feedback",
    "listing/listing/apply.html::self",
    "warnings/warnings/show.html::web.warnings.escalate",  # proposes the next rung (SX-1)
    "warnings/warnings/show.html::web.warnings.finish",  # ends the warning
    "warnings/warnings/mine_show.html::web.warnings_portal.answer",  # the answer is final
    "warnings/warnings/show.html::web.rectification.from_warning",  # orders the enterprise
    "rectification/rectification/show.html::web.rectification.verify",  # closes the order
    "rectification/rectification/show.html::web.rectification.visit",  # a visit, told to the party
    "rectification/rectification/show.html::web.rectification.justify",  # no removal (XJ-R)
    "rectification/rectification/show.html::web.rectification.decide_extension",  # new deadline
    "rectification/rectification/mine_show.html::web.rectification_portal.extension",  # to review
    # issue 15: fines, the ladder
    "enforcement/enforcement/payment.html::web.enforcement.decide",  # the schedule takes effect
    "enforcement/enforcement/payment.html::web.enforcement_portal.apply",  # goes to approval
    "enforcement/enforcement/payment.html::web.enforcement.record_payment",  # counts at once
    "enforcement/enforcement/payment.html::web.enforcement.enforcement",  # to the court
    "enforcement/enforcement/payment.html::web.enforcement.record_review",  # pauses, party told
    "enforcement/enforcement/payment.html::web.enforcement.end_review",  # settles what is owed
    "enforcement/enforcement/import.html::web.enforcement.import_payments",  # payments count
    "enforcement/enforcement/ladder.html::web.enforcement.record_step",  # document to the party
    "listing/listing/batch.html::web.listing.decide",
    "listing/listing/batch.html::web.listing.batch_step:notice",
    "listing/listing/batch.html::web.listing.batch_step:publication",
    "listing/listing/batch.html::web.listing.batch_step:filing",
    "listing/listing/entry.html::web.listing.entry_step:site-verification",
    "listing/listing/entry.html::web.listing.entry_step:removal",
    "listing/listing/entry.html::web.listing.entry_step:renewal",
    "listing/listing/filings.html::web.listing.ack",
    "policy/policy/filings.html::web.policy.filing_ack",  # 签收 cannot be undone
    "listing/listing/mine.html::web.listing_portal.commitment",
    "listing/listing/public_notice.html::self",
    "registry/enterprises/accounts.html::web.enterprise_portal.verify",
    "registry/enterprises/accounts.html::web.enterprise_portal.reject",
}
# Everything else that posts, and why it needs no question.
UNASKED = {
    "enforcement/enforcement/education.html::web.enforcement.education_create": "a record of an event held; nothing follows from it but the count on the ladder",
    "oversight/oversight/correction.html::web.oversight.correction_answer": "the issuer may return it",
    "warnings/warnings/monitoring.html::self": "all or nothing; the same file again writes nothing",
    "warnings/warnings/mine_show.html::web.warnings_portal.acknowledge": "only says it was read",
    "rectification/rectification/show.html::web.rectification.comment": "adds a line; more follow",
    "rectification/rectification/show.html::web.rectification.help_given": "adds a line of help",
    "rectification/rectification/mine_show.html::web.rectification_portal.plan": (
        "the plan is replaced by submitting again until the verification starts"
    ),
    "rectification/rectification/mine_show.html::web.rectification_portal.progress": (
        "adds a progress report; more follow"
    ),
    "cases/cases/show.html::web.cases.facts": "the facts are edited until the notice",
    "cases/cases/show.html::web.cases.add_violation": "violations are edited until the notice",
    "cases/cases/show.html::web.cases.update_violation": "as above",
    "cases/cases/show.html::web.cases.remove_violation": "added again before the notice",
    "cases/cases/show.html::web.cases.record_statement": (
        "the statement as received; a correction is recorded beside it"
    ),
    "cases/cases/show.html::web.cases.answer_statement": "an answer, given again until the decision",
    "cases/cases/show.html::web.cases.schedule_hearing": "the date is moved by scheduling again",
    "cases/cases/show.html::web.cases.add_evidence": (
        "one more file in the evidence list; nothing is decided by it"
    ),
    "policy/policy/show.html::web.policy.save_values": "a new version; the old one can be saved again",
    "imports/imports/export.html::web.imports.export_job": (
        "starts a file for the one who asked; nothing changes and it can be started again"
    ),
    "jobs/jobs/_progress.html::web.jobs.retry": (
        "runs a failed job again on the same arguments; a double click starts one retry"
    ),
    "accounts/me/index.html::web.me.password": "the current password is asked for instead",
    "accounts/users/index.html::web.users.grant": "a role is revoked again with one click",
    "accounts/users/new.html::self": "a new account, deactivated with one click",
    "auth/login.html::self": "signing in",
    "calendar/calendar/index.html::web.calendar.enter_year": "a year is entered again to fix it",
    "inspections/inspections/budget.html::web.inspections_admin.record_external_visit": (
        "registers another department's visit, a fact reported to the bureau"
    ),
    "inspections/inspections/campaigns.html::self": "a draft campaign, approved separately",
    "inspections/inspections/draws.html::web.inspections_admin.declare_conflict": (
        "only keeps an officer out of a draw"
    ),
    "inspections/inspections/mine.html::web.inspections_portal.submit_request": (
        "a request the bureau answers"
    ),
    "inspections/inspections/new.html::self": "the inspection goes to its approvers first",
    "inspections/inspections/plans.html::self": "a draft plan, approved separately",
    "inspections/inspections/show.html::web.inspections.prior_notice": "saved again to fix it",
    "inspections/inspections/show.html::web.inspections.replan": "goes back to the approvers",
    "inspections/inspections/show.html::web.inspections.findings": "kept open until finish",
    "inspections/inspections/show.html::web.inspections.record": "kept open until finish",
    "inspections/inspections/show.html::web.inspections.evidence": "kept open until finish",
    "inspections/inspections/show.html::web.inspections.bodycam": "kept open until finish",
    "listing/listing/entry.html::web.listing.entry_step:opinions": "one opinion among several",
    "listing/listing/entry.html::web.listing.entry_step:visits": "a record of a help visit",
    "listing/listing/index.html::web.listing.start_run": "a screening run, run again any day",
    "listing/listing/index.html::web.listing.new_batch": "a draft batch; the notice asks",
    "listing/listing/screening_one.html::web.listing.nominate": "opens an entry to be checked",
    "policy/policy/show.html::web.policy.save": "a new version; the old one can be saved again",
    "policy/policy/show.html::web.policy.save_quiet": "a new version, as above",
    "registry/enterprises/_profile.html::web.enterprises.add_rating": "edited afterwards",
    "registry/enterprises/form.html::self": "the enterprise is edited afterwards",
    "registry/enterprises/record_form.html::self": "the record is edited afterwards",
    "registry/enterprises/register.html::self": "an application the bureau verifies",
    "tenants/tenants/index.html::self": "a new region, configured afterwards",
    "ui/base.html::web.auth.logout": "signing out",
    # issue 16: the notification centre and channels
    "notifications/notifications/index.html::web.notifications.open_": "marks read and opens",
    "notifications/notifications/index.html::web.notifications.read": "only marks one read",
    "notifications/notifications/index.html::web.notifications.read_all": "only marks read",
    "notifications/notifications/settings.html::web.notification_settings.save_settings": (
        "one's own preferences, saved again to change them"
    ),
    "notifications/notifications/webhooks.html::web.webhooks.webhook_create": (
        "a new subscription, deactivated with one click"
    ),
    "ui/dashboard.html::web.jobs.self_check": "a harmless self-check job",
}

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
CALL = re.compile(r"\{% call form\('([^']+)'(.*?)%\}", re.S)
CONFIRM = re.compile(r"data-confirm=\"\{\{ _\('([^']+)'\) \}\}\"|confirm=_\('([^']+)'\)")


def _forms() -> dict[str, str]:
    """Every posting form of the templates: key -> its source (for a macro's call: the call)."""
    found: dict[str, str] = {}
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        feature = path.relative_to(ROOT).parts[0]
        name = f"{feature}/{path.relative_to(ROOT / feature / 'templates')}"
        source = path.read_text(encoding="utf-8")
        for m in FORM.finditer(source):
            tag = m.group(1)
            if 'method="post"' not in tag.lower():
                continue
            endpoint = re.search(r"url_for\('([^']+)'", tag)
            step = re.search(r"step='([^']+)'", tag)
            key = f"{name}::{endpoint.group(1) if endpoint else 'self'}"
            if "step=step" in tag:  # a macro: each {% call form('step', …) %} is one form
                for call in CALL.finditer(source):
                    found[f"{key}:{call.group(1)}"] = call.group(0)
                continue
            found[key + (f":{step.group(1)}" if step else "")] = m.group(0)
    return found


def test_every_irreversible_form_asks_first_and_names_the_consequence() -> None:
    forms = _forms()
    assert len(forms) > 60, len(forms)
    unclassified = sorted(set(forms) - CONFIRMED - set(UNASKED))
    assert not unclassified, f"irreversible (CONFIRMED) or not (UNASKED, why)? {unclassified}"
    gone = sorted((CONFIRMED | set(UNASKED)) - set(forms))
    assert not gone, f"no longer in the templates: {gone}"
    for key in sorted(CONFIRMED):
        asks = [a or b for a, b in CONFIRM.findall(forms[key])]
        assert asks, f"{key}: an irreversible step without a confirmation"
        for sentence in asks:
            # What happens, then the question: "…后…不能撤回。确定…吗？"
            assert sentence.endswith("吗？") and re.search(r"[。；]", sentence), (key, sentence)
            assert re.search(r"不能|即|将", sentence), (key, sentence)


def test_no_form_that_asks_is_left_unasked_by_the_script() -> None:
    """app.js reads data-confirm from the clicked button or the form: the attribute is on one
    of them, never on an input or a link that the script would not look at."""
    for key, source in _forms().items():
        for m in re.finditer(r"<(\w+)[^>]*data-confirm=", source):
            assert m.group(1) in ("button", "form"), (key, m.group(1))


# --- forms keep what was typed -------------------------------------------------------------


class _Fields(HTMLParser):
    """The inputs of a page: name -> value (textarea text, checked boxes, selected options)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.errors: dict[str, list[str]] = {}
        self.autofocus: list[str] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name") or ""
        if "autofocus" in a:
            self.autofocus.append(name)
        if tag == "input" and a.get("type") in ("checkbox", "radio"):
            if "checked" in a:
                self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "input":
            self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea":
            self._textarea = name
            self.values.setdefault(name, []).append("")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value") or "")
        elif tag == "p" and "error" in (a.get("class") or "") and a.get("data-field"):
            self._error = a["data-field"]
            self.errors.setdefault(self._error, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "p":
            self._error = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data
        if self._error:
            self.errors[self._error][-1] += data


def fields(html: str) -> _Fields:
    parser = _Fields()
    parser.feed(html)
    return parser


def _post(client: Any, page: str, url: str, data: dict[str, Any]) -> Any:
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def _count(model: Any) -> int:
    with use_scope(system_scope()):
        n = db.session.execute(select(func.count()).select_from(model)).scalar_one()
        db.session.rollback()
    return int(n)


@pytest.mark.today("2026-03-04")
def test_the_annual_plan_keeps_what_was_typed_and_names_the_bad_ratio(client, world) -> None:
    """SX-3 plan for 2027: a ratio of 1.5 for key enterprises is refused beside that field; the
    year, title, the other ratios and the caps typed stay in their inputs; nothing is stored."""
    login(client, "sx-taiyuan", "taiyuan-officer1")
    page = "/sx-taiyuan/inspections/plans/"
    typed = {
        "year": "2027",
        "title": "2027年度涉企执法检查计划（草案）",
        "ratio_key": "1.5",
        "ratio_general": "0.05",
        "cap_general": "2",
        "cap_key": "4",
    }
    resp = _post(client, page, page, typed)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    f = fields(html)
    for name, value in typed.items():
        assert f.values[name] == [value], name
    assert f.errors == {"ratio_key": ["超出范围（比例 0–1，次数 0–366）"]}
    assert f.autofocus == ["ratio_key"]  # the browser takes the officer to it
    assert "年度检查计划有误" in html  # the message at the top
    assert _count(InspectionPlan) == 0

    # Corrected, it is created and the page is the list again.
    ok = _post(client, page, page, {**typed, "ratio_key": "0.3"})
    assert ok.status_code == 302 and _count(InspectionPlan) == 1


@pytest.mark.today("2026-03-04")
def test_the_annual_plan_form_is_not_another_regions(client, world) -> None:
    """A Xinjiang officer posting to Taiyuan's plans is refused before any form is drawn."""
    login(client, "xj-urumqi", "urumqi-officer1")
    token = csrf_from(client.get("/xj-urumqi/").get_data(as_text=True))
    resp = client.post(
        "/sx-taiyuan/inspections/plans/", data={"csrf_token": token, "year": "x", "title": "t"}
    )
    assert resp.status_code in (403, 404)
    assert "2027" not in resp.get_data(as_text=True) and _count(InspectionPlan) == 0


def _committed_entries(world: dict[str, Any], n: int) -> list[int]:
    """``n`` entries ready for a batch (committed, in no batch), as the procedure leaves them."""
    ids = []
    with as_user(world, "urumqi-officer1") as ctx:
        for i in range(n):
            e = db.session.merge(good_enterprise(40 + i))
            entry = entries.create(ctx, e, origin="nomination")
            entry.state = "committed"  # the steps themselves are tested in tests/listing
            ids.append(entry.id)
        db.session.commit()
    return ids


@pytest.mark.today("2026-03-04")
def test_the_batch_selection_keeps_the_ticked_entries_and_names_the_missing_title(
    client, world
) -> None:
    """Two of three entries ticked, no batch name: the overview again with those two still
    ticked, the kind and the complaint channel as typed, the reason beside the name."""
    a, b, c = _committed_entries(world, 3)
    login(client, "xj-urumqi", "urumqi-officer1")
    resp = _post(
        client,
        "/xj-urumqi/listing/",
        "/xj-urumqi/listing/batches",
        {
            "entry_ids": [str(a), str(c)],
            "kind": "addition",
            "title": "",
            "complaint_channel": "0991-12369",
        },
    )
    assert resp.status_code == 422
    f = fields(resp.get_data(as_text=True))
    assert sorted(f.values["entry_ids"]) == sorted([str(a), str(c)])  # b stays unticked
    assert f.values["complaint_channel"] == ["0991-12369"]
    assert "kind" not in f.values  # no option marked: the first, 纳入, as sent
    assert list(f.errors) == ["title"] and "批次名称" in f.errors["title"][0]
    assert _count(ListingBatch) == 0

    # None ticked: the reason is by the list of entries, the name typed stays.
    resp = _post(
        client,
        "/xj-urumqi/listing/",
        "/xj-urumqi/listing/batches",
        {"kind": "removal", "title": "2026年第一批移出", "complaint_channel": ""},
    )
    f = fields(resp.get_data(as_text=True))
    assert resp.status_code == 422 and f.values["title"] == ["2026年第一批移出"]
    assert f.values["kind"] == ["removal"]
    assert f.errors == {"entry_ids": ["请至少选择一个事项"]}
    assert _count(ListingBatch) == 0


@pytest.mark.today("2026-03-04")
def test_the_site_verification_keeps_the_notes_when_the_date_is_ahead(client, world) -> None:
    """On 2026-03-04 a verification dated 2026-03-05 is refused ("不能晚于今天", issue 11): the
    officers, the record written on site and the pass box stay as typed; the entry stays
    "applied"."""
    with as_user(world, "urumqi-officer1") as ctx:
        entry = entries.create(ctx, db.session.merge(good_enterprise(50)), origin="nomination")
        db.session.commit()
        entry_id = entry.id
    login(client, "xj-urumqi", "urumqi-officer1")
    page = f"/xj-urumqi/listing/entries/{entry_id}"
    notes = "废气处理设施运行正常，在线监测数据完整；危废库房标识齐全。\n现场负责人：王某"
    resp = _post(
        client,
        page,
        f"{page}/site-verification",
        {"on_date": "2026-03-05", "officers": "张执法、李执法", "record": notes, "passed": "1"},
    )
    assert resp.status_code == 422
    f = fields(resp.get_data(as_text=True))
    assert f.values["record"] == [notes]
    assert f.values["officers"] == ["张执法、李执法"]
    assert f.values["on_date"] == ["2026-03-05"]
    assert f.values["passed"] == ["1"]
    assert f.errors == {"on_date": ["核查日期不能晚于今天"]}
    with use_scope(system_scope()):
        assert db.session.get(ListingEntry, entry_id).state == "applied"  # type: ignore[union-attr]
        db.session.rollback()


@pytest.mark.today("2026-03-04")
def test_another_regions_officer_never_gets_the_site_verification_form(client, world) -> None:
    with as_user(world, "urumqi-officer1") as ctx:
        entry = entries.create(ctx, db.session.merge(good_enterprise(51)), origin="nomination")
        db.session.commit()
        entry_id = entry.id
    login(client, "sx-taiyuan", "taiyuan-officer1")
    token = csrf_from(client.get("/sx-taiyuan/").get_data(as_text=True))
    for url in (
        f"/sx-taiyuan/listing/entries/{entry_id}/site-verification",
        f"/xj-urumqi/listing/entries/{entry_id}/site-verification",
    ):
        resp = client.post(
            url, data={"csrf_token": token, "on_date": "2026-03-05", "record": "越权记录"}
        )
        assert resp.status_code in (403, 404), url
        assert "越权记录" not in resp.get_data(as_text=True)


def test_a_form_not_sent_shows_the_pages_defaults(app) -> None:
    """sent() gives the page's own values when another form (or none) was refused."""
    from flask import g
    from werkzeug.datastructures import MultiDict

    from tenant_app.core.errors import ValidationFailed
    from tenant_app.ui.refused import Refusal, SentForm, page_reasons

    with app.test_request_context():
        g.refusal = Refusal("plan", MultiDict({"title": "键入的"}), {})
        other = SentForm("batch", g.refusal)
        assert other.value("title", "默认") == "默认" and not other.refused
        assert other.checked("entry_ids", 3, default=True) and str(other.mark("x")) == ""
        assert SentForm("plan", g.refusal).value("title", "默认") == "键入的"
    exc = ValidationFailed("有误", {"status": ["approved"], "year": ["请填写年度"]})
    assert page_reasons(exc) == {"year": ["请填写年度"]}  # a state code never shows


def _inspection_in_progress(slug: str = "sx-taiyuan") -> int:
    """An on-site inspection under way with a two-item checklist (how it got there: tests of
    tests/inspections)."""
    from tests.inspections.conftest import make_enterprise

    from ..helpers import tenant

    e = make_enterprise(slug)
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        insp = Inspection(
            tenant_id=t.id,
            enterprise_id=e.id,
            mode="on_site",
            trigger="proactive",
            planned_date=date(2026, 3, 4),
            status="in_progress",
            checklist=[
                {"key": "permit_valid", "title": "排污许可证在有效期内", "basis": "SX-1"},
                {"key": "facilities", "title": "污染防治设施正常运行", "basis": "SX-1"},
            ],
        )
        db.session.add(insp)
        db.session.commit()
        return insp.id


@pytest.mark.today("2026-03-04")
def test_the_checklist_notes_written_on_site_stay_when_a_result_is_missing(client, world) -> None:
    """A note typed for an item without choosing its result is not dropped: the checklist comes
    back with both notes and the chosen result, and the reason beside the item's result."""
    iid = _inspection_in_progress()
    login(client, "sx-taiyuan", "taiyuan-officer1")
    page = f"/sx-taiyuan/inspections/{iid}/"
    note = "除尘器压差表读数偏高，已拍照，请企业三日内说明。"
    resp = _post(
        client,
        page,
        f"/sx-taiyuan/inspections/{iid}/findings",
        {
            "result_permit_valid": "compliant",
            "note_permit_valid": "许可证有效期至2029年",
            "note_facilities": note,
        },
    )
    assert resp.status_code == 422
    f = fields(resp.get_data(as_text=True))
    assert f.values["note_facilities"] == [note]
    assert f.values["note_permit_valid"] == ["许可证有效期至2029年"]
    assert f.values["result_permit_valid"] == ["compliant"]
    assert f.errors == {"result_facilities": ["请选择检查结果"]}
    with use_scope(system_scope()):
        assert db.session.execute(select(func.count(InspectionFinding.id))).scalar() == 0
        db.session.rollback()

    # The finish form keeps its conclusion when items are still open, the reason above it.
    resp = _post(client, page, f"/sx-taiyuan/inspections/{iid}/finish", {"conclusion": "基本合规"})
    f = fields(resp.get_data(as_text=True))
    assert resp.status_code == 422 and f.values["conclusion"] == ["基本合规"]
    assert "以下检查项尚未记录结果" in f.errors["findings"][0]


@pytest.mark.today("2026-03-04")
def test_another_regions_officer_cannot_send_findings(client, world) -> None:
    iid = _inspection_in_progress()
    login(client, "xj-urumqi", "urumqi-officer1")
    token = csrf_from(client.get("/xj-urumqi/").get_data(as_text=True))
    for base in ("/xj-urumqi", "/sx-taiyuan"):
        resp = client.post(
            f"{base}/inspections/{iid}/findings",
            data={"csrf_token": token, "note_facilities": "越权记录"},
        )
        assert resp.status_code in (403, 404), base
        assert "越权记录" not in resp.get_data(as_text=True)
