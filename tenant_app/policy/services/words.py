"""Words for what a pack holds: its keys, units, the layer a value comes from, and the small
closed vocabularies the schema checks (period events, notice fields, grades…).

Each table is keyed by the code the pack stores and gives the Chinese words; the pages translate
them at render time (the English is in the catalogue, tests/policy_service/test_policy_page.py
holds every word to have it). Vocabularies the pack schema already names (triggers, roles,
levels, record types, permit statuses, credit lists) are the schema's own dicts, referenced here.
The codes of these tables stay out of ``ui.labels.LABELS`` on purpose: many are plain English
words ("name", "file", "min") that the human-words test would then refuse on every page.
"""

from __future__ import annotations

from collections.abc import Mapping

from policies.national_layer import BASES, REGIONAL_MODES
from policies.schema_inspection import FILED_WITH, LADDER_KINDS
from policies.schema_listing import NOTICE_FIELDS, PERIOD_EVENTS, PERIOD_UNITS, PROCEDURE_STEPS
from policies.vocab import (
    CONSEQUENCES,
    CREDIT_LISTS,
    INCIDENT_LEVELS,
    INSPECTION_CATEGORIES,
    LEVELS,
    OUTCOMES,
    PERMIT_STATUSES,
    RECORD_TYPES,
    ROLES,
    TRIGGERS,
    VIOLATION_FLAGS,
)
from tenant_app.models.enterprise import ENTERPRISE_TAGS, PERFORMANCE_GRADES
from tenant_app.models.inspection import MODES
from tenant_app.policy.service import ORIGINS

# A pack key (the last part of a dotted path) in words.
FIELD_NAMES: dict[str, str] = {
    # sections and tables
    "screening": "正面清单筛选条件",
    "direct_inclusion": "直接纳入",
    "exclusions": "不得纳入的行业",
    "procedure": "纳入程序",
    "listing": "清单有效期与编制",
    "removal": "移出与禁止再纳入",
    "supervision": "对清单企业的监管",
    "inspection": "涉企检查",
    "enforcement": "执法方式",
    "discretion": "行政处罚裁量",
    "obligations": "其他工作要求",
    "conditions": "条件",
    "routes": "纳入途径",
    "industries": "行业",
    "periods": "期间",
    "reasons": "移出情形",
    "bans": "禁止再纳入",
    "off_site_means": "非现场检查手段",
    "categories": "监管类别",
    "caps": "检查频次上限",
    "per_year": "每年现场检查次数上限",
    "approval": "入企检查审批",
    "levels": "审批层级",
    "quiet": "企业安静期",
    "special_campaign": "专项执法检查",
    "warnings": "预警",
    "kinds": "预警事项",
    "treatments": "裁量情形",
    "ladder": "执法步骤",
    "proposable": "可作为建议措施",  # issue 15 (SX-0)
    "first_rung": "首次一般违法建议的措施",
    "serious_rung": "严重违法建议的措施",
    "serious_flags": "严重违法情节",
    "lookback_years": "统计执法记录的年数",
    "feedback": "检查后反馈",
    # values
    "value": "规定值",
    "lookback_months": "回溯期",
    "record_types": "记录类型",
    "record_type": "记录类型",
    "only_verified": "仅计查证属实的投诉",
    "min_incident_level": "最低事件等级",
    "ok_statuses": "符合要求的许可状态",
    "require_procedures_complete": "须环保手续齐全",
    "exempt_if_no_monitoring_needed": "无需监测的行业除外",
    "lists": "信用名单",
    "rating": "评价结果",
    "years": "年数",
    "max_lag_years": "最近评定年度最多早于当年",
    "grades": "绩效等级",
    "discretionary": "由执法机构裁量（可以纳入）",
    "codes": "据此排除的行业代码",
    "code_basis": "行业代码的依据",
    "review_codes": "提示核实的行业代码",
    "tags": "认定标注",
    "separate_rules": "另按相关规定执行",
    "order": "程序步骤顺序",
    "enterprise_may_apply": "企业可自行申请",
    "bureau_may_nominate": "生态环境部门可推荐",
    "notice_content": "公示内容",
    "unit": "计量单位",
    "n": "期限",
    "bound": "期限类型",
    "from_event": "起算事件",
    "validity_years": "有效期",
    "health_check_visits_per_year": "体检式帮扶次数",
    "compiled_by": "清单编制层级",
    "filed_with": "备案对象",
    "publish": "须公开",
    "file": "须备案",
    "only_malicious": "仅限恶意违法",
    "proactive_on_site": "主动入企检查",
    "special_campaign_mode": "专项行动的检查方式",
    "random_draw_mode": "“双随机”抽查的检查方式",
    "joint_requires_prior_notice": "联合检查须事先告知",
    "on_site_triggers": "可以入企检查的事由",
    "on_site_approvers": "入企检查批准人",
    "anomaly_triggers": "数据异常类事由",
    "anomaly_requires_reviewed_self_inspection": "须先审核企业自查报告",
    "ledger_required": "须记入台账",
    "ratio": "年度抽查比例",
    "exempt_triggers": "不受上限限制的事由",
    "roles": "审批角色",
    "approvers": "批准人",
    "approving_roles": "批准角色",
    "approving_levels": "批准层级",
    "external_approvers": "其他批准机关",
    "blanket_scope_forbidden": "禁止全覆盖、无差别检查",
    "required_fields": "方案必备要素",
    "filed": "须备案",
    "published": "须公开",
    "blanket_share": "视为全覆盖的企业比例",
    "lead_days": "提前提醒",
    "workdays": "反馈期限",
    "benchmark": "裁量基准",
    "minor_violation_list": "轻微违法不予处罚事项清单",
    "filing": "下级修改须报备",
    "keys": "须报备的政策项",
    "similar": "类案同罚：明显偏离的判断标准",
    "low_percentile": "低于该百分位为明显偏离",
    "high_percentile": "高于该百分位为明显偏离",
    "min_count": "作出判断的最少类案数",
    "fine_deferral_allowed": "可以暂缓或分期缴纳罚款",
    "coercive_measures_sparingly": "审慎采取行政强制措施",
    "coercive_rule_id": "强制及停产类措施的依据条款",
    "decision_number": "处罚决定书文号格式",
    "always": "一律采取的措施",
    "when_any": "适用情形",
    "outcome": "处理结果",
    "consequences": "后续措施",
    "priority": "优先级",
    "applies_to": "适用环节",
    "key_discharger": "重点排污单位",
    "other": "其他企业",
    "construction_project": "建设项目",
    "title": "名称",
    "note": "说明",
}

# A value's unit: the national rules name theirs (``unit``); regional keys imply one.
UNIT_OF_KEY: dict[str, str] = {
    "lookback_months": "months",
    "validity_years": "years",
    "years": "years",
    "max_lag_years": "years",
    "lead_days": "days",
    "health_check_visits_per_year": "times_per_year",
    "ratio": "share",
    "blanket_share": "share",
    "workdays": "workdays",
}
# The parent key whose every child has one unit (inspection.caps.per_year.<category>).
UNIT_OF_PARENT: dict[str, str] = {"per_year": "times_per_year"}

SOURCES: dict[str, str] = dict(ORIGINS)
BASIS: dict[str, str] = {"text": "依据原文", "default": "平台默认值", "unverified": "未核实原文"}
BOUNDS: dict[str, str] = {"min": "不少于", "max": "不超过"}
PERIOD_UNIT_WORDS: dict[str, str] = {
    "workdays": "工作日",
    "days": "日",
    "months": "个月",
    "years": "年",
}
PERIOD_EVENT_WORDS: dict[str, str] = {
    "notice_start": "公示开始",
    "notice_end": "公示期满",
    "publication": "正式发布",
    "discovery": "发现应移出的情形",
}
NOTICE_FIELD_WORDS: dict[str, str] = {
    "name": "企业名称",
    "location": "地址",
    "uscc": "统一社会信用代码",
    "industry": "行业",
    "permit_no": "排污许可证或登记编号",
    "list_type": "清单类型",
    "validity": "有效期",
    "complaint_channel": "投诉渠道",
}
PROCEDURE_STEP_WORDS: dict[str, str] = {
    "screening": "筛选",
    "site_verification": "现场核查",
    "opinions": "征求意见",
    "commitment": "守法承诺",
    "notice": "社会公示",
    "publication": "正式发布",
    "filing": "备案",
}
GRADE_WORDS: dict[str, str] = {g: f"{g}级" for g in PERFORMANCE_GRADES}
INCIDENT_LEVEL_WORDS: dict[str, str] = {
    "": "不限",
    "general": "一般",
    "larger": "较大",
    "major": "重大",
    "especially_major": "特别重大",
}
# Policy keys a pack names as data (``discretion.filing.keys``), in words.
POLICY_KEY_WORDS: dict[str, str] = {
    "discretion.minor_violation_list": "轻微违法不予处罚事项清单",
    "discretion.factors": "裁量因素",
    "discretion.grades": "裁量阶次",
}
FILED_WITH_WORDS: dict[str, str] = {"parent": "上一级生态环境部门", "government": "本级人民政府"}
CAMPAIGN_FIELD_WORDS: dict[str, str] = {
    "scope": "检查范围",
    "content": "检查内容",
    "start": "开始日期",
    "end": "结束日期",
}
APPLIES_TO_WORDS: dict[str, str] = {
    "inspection": "检查",
    "listing": "正面清单",
    "penalty": "处罚",
    "publicity": "公开",
    "oversight": "执法稽查",
}
OBLIGATION_WORDS: dict[str, str] = {"may": "可以", "shall": "应当"}

# Vocabulary name -> code -> words: what a code in a value means, and the options of a field.
VOCABS: dict[str, Mapping[str, str]] = {
    "field": FIELD_NAMES,
    "source": SOURCES,
    "basis": {**BASES, **BASIS},
    "regional_mode": REGIONAL_MODES,
    "bound": BOUNDS,
    "period_unit": PERIOD_UNIT_WORDS,
    "period_event": PERIOD_EVENT_WORDS,
    "notice_field": NOTICE_FIELD_WORDS,
    "procedure_step": PROCEDURE_STEP_WORDS,
    "grade": GRADE_WORDS,
    "incident_level": INCIDENT_LEVEL_WORDS,
    "filed_with": FILED_WITH_WORDS,
    "campaign_field": CAMPAIGN_FIELD_WORDS,
    "applies_to": APPLIES_TO_WORDS,
    "policy_key": POLICY_KEY_WORDS,
    "obligation": OBLIGATION_WORDS,
    "record_type": RECORD_TYPES,
    "permit_status": PERMIT_STATUSES,
    "credit_list": CREDIT_LISTS,
    "trigger": TRIGGERS,
    "role": ROLES,
    "level": LEVELS,
    "mode": {k: MODES[k] for k in ("on_site", "off_site")},
    "tag": ENTERPRISE_TAGS,
    "inspection_category": INSPECTION_CATEGORIES,
    "outcome": OUTCOMES,
    "consequence": CONSEQUENCES,
    "violation_flag": VIOLATION_FLAGS,
    "ladder_rung": LADDER_KINDS,
}

# Which vocabulary a key's codes come from: the key name, or a dotted suffix for a name used
# twice with two meanings (``filed_with`` is a level in ``listing``, a body in a campaign).
VOCAB_OF_KEY: dict[str, str] = {
    "record_types": "record_type",
    "record_type": "record_type",
    "ok_statuses": "permit_status",
    "lists": "credit_list",
    "grades": "grade",
    "exempt_triggers": "trigger",
    "on_site_triggers": "trigger",
    "anomaly_triggers": "trigger",
    "on_site_approvers": "role",
    "approvers": "role",
    "roles": "role",
    "approving_roles": "role",
    "approving_levels": "level",
    "compiled_by": "level",
    "filed_with": "level",
    "special_campaign.filed_with": "filed_with",
    "filing.keys": "policy_key",
    "special_campaign_mode": "mode",
    "random_draw_mode": "mode",
    "from_event": "period_event",
    "bound": "bound",
    "unit": "period_unit",
    "notice_content": "notice_field",
    "order": "procedure_step",
    "tags": "tag",
    "min_incident_level": "incident_level",
    "required_fields": "campaign_field",
    "applies_to": "applies_to",
    "outcome": "outcome",
    "consequences": "consequence",
    "always": "consequence",
    "when_any": "violation_flag",
    "categories": "inspection_category",
    "first_rung": "ladder_rung",
    "serious_rung": "ladder_rung",
    "serious_flags": "violation_flag",
}
# Options a field offers: the schema's closed list, where it differs from the words above.
OPTIONS: dict[str, tuple[str, ...]] = {
    "period_unit": PERIOD_UNITS,
    "period_event": PERIOD_EVENTS,
    "notice_field": NOTICE_FIELDS,
    "procedure_step": PROCEDURE_STEPS,
    "filed_with": FILED_WITH,
    "incident_level": ("", *INCIDENT_LEVELS),
}


def vocab_of(path: str) -> str | None:
    """The vocabulary of the codes at a dotted path (by its last key, or a longer suffix)."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        found = VOCAB_OF_KEY.get(".".join(parts[-n:]))
        if found:
            return found
    return None


def options_of(vocab: str) -> tuple[str, ...]:
    return OPTIONS.get(vocab) or tuple(VOCABS[vocab])


def unit_of(path: str) -> str:
    """The unit a regional value at ``path`` is counted in ("" when it has none)."""
    parts = path.split(".")
    if len(parts) > 1 and parts[-2] in UNIT_OF_PARENT:
        return UNIT_OF_PARENT[parts[-2]]
    return UNIT_OF_KEY.get(parts[-1], "")
