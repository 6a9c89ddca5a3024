"""Human words for stored codes: the one place a page turns a code into a translated label.

Each kind points at the dict that already defines that enum (models, services, the pack
vocabulary): one source per enum, never a copy. Templates call ``label(kind, code)`` (a Jinja
global and filter: ``{{ label('entry_state', e.state) }}`` or ``{{ e.state|label('entry_state') }}``);
an unknown code shows as "未知（code）" so that a gap is visible instead of a raw word.
tests/ui/test_human_words.py renders every demo page in both languages and fails on a raw code.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterator, Mapping
from typing import Any

from flask import Flask
from flask_babel import gettext
from markupsafe import Markup, escape

from policies.vocab import INSPECTION_CATEGORIES, PERMIT_STATUSES, TRIGGERS
from tenant_app.auth.roles import ROLE_LABELS
from tenant_app.jobs.registry import REGISTRY as JOB_KINDS
from tenant_app.listing.services.entries import PARTY_TYPES
from tenant_app.listing.services.ledger import KINDS as LEDGER_KINDS
from tenant_app.models.audit import AUDIT_ACTIONS
from tenant_app.models.case import (
    CASE_DEADLINES,
    CASE_ORIGINS,
    CASE_STAGES,
    CASE_STEPS,
    CONSEQUENCE_KINDS,
    DECISION_OUTCOMES,
    PROPOSAL_OUTCOMES,
    REVIEW_VERDICTS,
    SERVICE_METHODS,
    STATEMENT_KINDS,
    STATEMENT_VIA,
)
from tenant_app.models.enforcement import (
    APPLICATION_KINDS,
    APPLICATION_STATUSES,
    EDUCATION_KINDS,
    LADDER_ORIGINS,
    LADDER_RUNGS,
    PAYMENT_SOURCES,
    PAYMENT_STATES,
    REVIEW_KINDS,
    REVIEW_OUTCOMES,
)
from tenant_app.models.enterprise import (
    ACCOUNT_STATUSES,
    ENTERPRISE_TAGS,
    PERMIT_CLASSES,
    RATING_KINDS,
    SUPERVISION_CATEGORIES,
)
from tenant_app.models.inspection import (
    CAMPAIGN_STATUSES,
    DRAW_STATUSES,
    EVIDENCE_KINDS,
    FINDING_RESULTS,
    MODES,
    OFF_SITE_SOURCES,
    PLAN_STATUSES,
    REPORT_STATUSES,
    REQUEST_STATUSES,
    STATUSES,
)
from tenant_app.models.job import JOB_STATUS_LABELS
from tenant_app.models.listing import (
    BATCH_KINDS,
    BATCH_STATES,
    ENTRY_STATES,
    OBJECTION_STATES,
    ORIGINS,
    VERDICTS,
)
from tenant_app.models.notification import (
    DELIVERY_STATUSES,
    DUE_KINDS,
    NOTIFICATION_KINDS,
    REMINDER_THRESHOLDS,
)
from tenant_app.models.records import RECORD_KINDS
from tenant_app.models.rectification import (
    DAY_UNITS,
    ENTRY_KINDS,
    EXTENSION_STATUSES,
    ORDER_SOURCES,
    ORDER_STATUSES,
    VERIFY_METHODS,
)
from tenant_app.models.tenant import LEVEL_LABELS
from tenant_app.models.warning import (
    CLOSE_REASONS,
    MONITORING_KINDS,
    WARNING_CAUSES,
    WARNING_RUNGS,
    WARNING_STATUSES,
)

# Steps of a positive-list entry's procedure (listing_steps.step).
LISTING_STEPS = {
    "screening": "申请/推荐（筛选）",
    "site_verification": "现场核查",
    "opinion": "征求意见",
    "commitment": "守法承诺",
    "eligibility": "重新筛选：终止",
    "objection_upheld": "异议成立",
    "objection_dismissed": "异议不成立",
}
# What one step of the procedure concluded (listing_steps.result); a verdict or an objection's
# outcome otherwise (removal reasons are the pack's: the entry page names them).
STEP_OUTCOMES = {
    "pass": "通过",
    "fail": "未通过",
    "agree": "同意",
    "disagree": "不同意",
    "signed": "已签署",
    "stopped": "已终止",
}
STEP_RESULTS: Mapping[str, str] = ChainMap(STEP_OUTCOMES, VERDICTS, OBJECTION_STATES)
# Whether one screening condition holds (decision["conditions"][i]["passed"]).
CONDITION_RESULTS = {"passed": "满足", "failed": "不满足", "unknown": "无法判断"}
# Cross-tenant role proposals (services.users.PROPOSAL_STATES).
PROPOSAL_STATES = {
    "pending": "待对方单位确认",
    "accepted": "已同意",
    "declined": "已拒绝",
    "withdrawn": "已撤回",
}


class _JobTitles(Mapping[str, str]):
    """Job kinds by their title, read from the registry each time (a feature registers its
    kinds in its own jobs.py, with ``title=``)."""

    def __getitem__(self, name: str) -> str:
        return JOB_KINDS[name].title

    def __iter__(self) -> Iterator[str]:
        return iter(list(JOB_KINDS))

    def __len__(self) -> int:
        return len(JOB_KINDS)


# Audit log viewer (issue 17): what kind of object an entry is about.
AUDIT_OBJECTS: dict[str, str] = {
    "inspection": "检查",
    "user": "用户",
    "listing_entry": "正面清单条目",
    "draw": "双随机抽取",
    "warning": "预警提醒",
    "listing_batch": "正面清单批次",
    "campaign": "专项执法",
    "tenant": "单位",
    "role_proposal": "角色授予申请",
    "inspection_request": "企业检查申请",
    "inspection_plan": "年度检查计划",
    "enterprise_account": "企业用户注册",
    "enterprise": "企业",
    "api_token": "接口令牌",
    "webhook_subscription": "Webhook 订阅",
    "self_inspection_report": "企业自查报告",
    "notification": "通知",
    "listing_screening_run": "正面清单筛选",
    "listing_objection": "公示异议",
    "listing_filing": "正面清单备案",
    "enterprise_export": "企业名录导出",
    "compliance_record": "守法记录",
    "user_session": "登录会话",
    "refusals": "拒绝访问统计",
    "policy_version": "政策版本",
    "permission": "权限",
    "officer_conflict": "回避声明",
    "monitoring_batch": "监测数据批次",
    "job": "后台任务",
    "import": "数据导入",
    "enterprise_visit": "入企记录",
    "checklist_template": "检查表模板",
    "case": "处罚案件",
    "calendar_year": "工作日日历",
    "correction_item": "内部纠错事项",
}


LABELS: dict[str, Mapping[str, str]] = {
    # positive list
    "entry_state": ENTRY_STATES,
    "batch_state": BATCH_STATES,
    "batch_kind": BATCH_KINDS,
    "objection_state": OBJECTION_STATES,
    "origin": ORIGINS,
    "verdict": VERDICTS,
    "condition_result": CONDITION_RESULTS,
    "party": PARTY_TYPES,
    "ledger_kind": LEDGER_KINDS,
    "listing_step": LISTING_STEPS,
    "step_result": STEP_RESULTS,
    # inspections
    "inspection_status": STATUSES,
    "inspection_category": INSPECTION_CATEGORIES,
    "mode": MODES,
    "trigger": TRIGGERS,
    "data_source": OFF_SITE_SOURCES,
    "finding_result": FINDING_RESULTS,
    "evidence_kind": EVIDENCE_KINDS,
    "plan_status": PLAN_STATUSES,
    "campaign_status": CAMPAIGN_STATUSES,
    "draw_status": DRAW_STATUSES,
    "report_status": REPORT_STATUSES,
    "request_status": REQUEST_STATUSES,
    # cases (issue 14)
    "case_stage": CASE_STAGES,
    "case_origin": CASE_ORIGINS,
    "case_step": CASE_STEPS,
    "case_consequence": CONSEQUENCE_KINDS,
    "case_deadline": CASE_DEADLINES,
    "decision_outcome": DECISION_OUTCOMES,
    "proposal_outcome": PROPOSAL_OUTCOMES,
    "statement_kind": STATEMENT_KINDS,
    "statement_via": STATEMENT_VIA,
    "review_verdict": REVIEW_VERDICTS,
    "service_method": SERVICE_METHODS,
    # warnings (issue 16)
    "warning_cause": WARNING_CAUSES,
    "warning_status": WARNING_STATUSES,
    "warning_rung": WARNING_RUNGS,
    "warning_close": CLOSE_REASONS,
    "monitoring_kind": MONITORING_KINDS,
    # correction orders and rectification (issue 15)
    "order_status": ORDER_STATUSES,
    "order_source": ORDER_SOURCES,
    "rectification_entry": ENTRY_KINDS,
    "verify_method": VERIFY_METHODS,
    "day_unit": DAY_UNITS,
    "extension_status": EXTENSION_STATUSES,
    # after the decision (issue 15)
    "payment_application": APPLICATION_KINDS,
    "application_status": APPLICATION_STATUSES,
    "payment_source": PAYMENT_SOURCES,
    "payment_state": PAYMENT_STATES,
    "review_kind": REVIEW_KINDS,
    "review_outcome": REVIEW_OUTCOMES,
    "ladder_origin": LADDER_ORIGINS,
    "ladder_rung": LADDER_RUNGS,
    "education_kind": EDUCATION_KINDS,
    # registry
    "category": SUPERVISION_CATEGORIES,
    "permit_class": PERMIT_CLASSES,
    "permit_status": PERMIT_STATUSES,
    "tag": ENTERPRISE_TAGS,
    "rating_kind": RATING_KINDS,
    "record_kind": RECORD_KINDS,
    "account_status": ACCOUNT_STATUSES,
    # notifications and reminders (issue 16)
    "notification_kind": NOTIFICATION_KINDS,
    "delivery_status": DELIVERY_STATUSES,
    "due_kind": DUE_KINDS,
    "reminder_threshold": REMINDER_THRESHOLDS,
    # platform
    "role": {str(k): v for k, v in ROLE_LABELS.items()},
    "level": {str(k): v for k, v in LEVEL_LABELS.items()},
    "audit_action": AUDIT_ACTIONS,
    "audit_object": AUDIT_OBJECTS,
    "job_status": JOB_STATUS_LABELS,
    "job_kind": _JobTitles(),
    "proposal_state": PROPOSAL_STATES,
}


def label(kind: str, code: Any) -> str:
    """The translated label of ``code`` in enum ``kind``; "" for no code; "未知（code）" otherwise."""
    if code is None or code == "":
        return ""
    table = LABELS[kind]  # a wrong kind is a programming error: let it fail loudly
    text = table.get(str(code))
    if text is None:
        return gettext("未知（%(code)s）", code=code)
    return gettext(text)


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, translated label) pairs of an enum, for select fields."""
    return [(code, gettext(text)) for code, text in LABELS[kind].items()]


def all_codes() -> set[str]:
    """Every stored code a page could show (for the raw-word check in the tests)."""
    return {str(code) for table in LABELS.values() for code in table}


# Where a bare code in a policy value is looked up, first match wins (policy page).
_VALUE_KINDS = (
    "trigger",
    "role",
    "inspection_category",
    "record_kind",
    "tag",
    "permit_status",
    "permit_class",
    "level",
    "listing_step",
    "ledger_kind",
    "mode",
    "data_source",
    "verdict",
)


def policy_value(value: Any) -> Markup:
    """A pack value in words: yes/no, "not set", lists joined, and each known code by its label
    with the code beside it in <code> (the override editor is keyed by codes)."""
    if value is None:
        return Markup(escape(gettext("未设置")))
    if isinstance(value, bool):
        return Markup(escape(gettext("是") if value else gettext("否")))
    if isinstance(value, list | tuple):
        if not value:
            return Markup(escape(gettext("无")))
        return Markup("、").join(policy_value(v) for v in value)
    if isinstance(value, dict):
        if not value:
            return Markup(escape(gettext("无")))
        return Markup("；").join(
            Markup("{}：{}").format(policy_value(k), policy_value(v)) for k, v in value.items()
        )
    if isinstance(value, str):
        for kind in _VALUE_KINDS:
            text = LABELS[kind].get(value)
            if text is not None:
                return Markup("{} <code>{}</code>").format(gettext(text), value)
    return Markup(escape(str(value)))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(label=label, label_choices=choices)
    app.jinja_env.filters["policy_value"] = policy_value
    app.jinja_env.filters["label"] = lambda code, kind: label(kind, code)
