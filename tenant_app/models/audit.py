"""The audit log: append-only, one hash chain per tenant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime


class AuditEntry(TenantScoped, Model):
    """One entry of a tenant's chain. On PostgreSQL the table is partitioned by month on ``at``
    (migration 0010u, audit/partitions.py), which needs the partition key in every unique key:
    there the primary key is ``(id, at)`` and the unique key ``(tenant_id, seq, at)``. The model
    keeps the logical keys (``id`` for the ORM; ``(tenant_id, seq)``, what SQLite enforces): the
    seq stays unique per tenant because appends take it under the chain head's row lock."""

    __tablename__ = "audit_log"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seq"),
        Index("ix_audit_log_tenant_id_object", "tenant_id", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int] = mapped_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # 0 = written before the chain was keyed (plain SHA-256); N = HMAC-SHA256 with AUDIT_KEY v N.
    key_version: Mapped[int] = mapped_column(default=0, server_default="0")


class AuditRefusalTally(TenantScoped, Model):
    """Anonymous refused attempts counted per tenant, action and hour instead of one audit row
    each; a closed hour becomes one aggregated audit entry (audit/log.py)."""

    __tablename__ = "audit_refusal_tallies"
    __table_args__ = (UniqueConstraint("tenant_id", "action", "window_start"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    action: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(default=0)
    # {"addresses": {ip: n}, "names": {typed name: n}, "reasons": {reason: n}}, capped
    detail: Mapped[Any] = mapped_column(JSON, default=dict)


class AuditHead(TenantScoped, Model):
    """The tip of a tenant's chain; locking this row serialises appends per tenant."""

    __tablename__ = "audit_heads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("tenant_id"),)


# What each audit action means, as the sentence a reader of the log sees (translated where
# shown: tenant_app/ui/labels.py). tests/ui/test_human_words.py checks that every action the
# code records is here.
AUDIT_ACTIONS: dict[str, str] = {
    # issue 15: payment, the ladder, legal education
    "payment.applied": "当事人申请暂缓或分期缴纳罚款",
    "payment.decided": "批准或不予批准暂缓、分期缴纳罚款",
    "payment.recorded": "登记罚款缴纳",
    "payment.imported": "导入缴款平台的缴款记录",
    "payment.enforcement_applied": "罚款逾期未缴，申请人民法院强制执行",
    "payment.review_recorded": "登记当事人申请行政复议或提起行政诉讼（期间不计加处罚款）",
    "payment.review_ended": "登记行政复议或行政诉讼的结果",
    "ladder.step": "渐进式执法：对新发现的问题采取措施",
    "education.recorded": "登记普法活动",
    "correction.issued": "下达内部纠错事项",
    "correction.answered": "报送纠错整改情况",
    "correction.closed": "核销内部纠错事项",
    "monitoring.batch_taken": "接收在线监测异常数据",
    "warning.acknowledged": "企业确认收到预警",
    "warning.answered": "企业答复预警",
    "warning.escalated": "预警升级",
    "warning.resolved": "预警办结（已整改）",
    "warning.closed": "预警关闭",
    "warnings.scanned": "预警扫描",
    "correction_order.issued": "下达责令改正",
    "rectification.plan_submitted": "企业提交整改方案",
    "rectification.progress": "企业报告整改进展",
    "rectification.comment": "执法部门提出整改意见",
    "rectification.help": "记录整改帮扶",
    "rectification.visit_scheduled": "安排整改核查检查",
    "rectification.verified": "整改核查并办结",
    "rectification.justified": "记录逾期正当理由",
    "rectification.overdue": "责令改正逾期",
    "rectification.removal_started": "逾期未改正启动移出",
    "rectification.extension_requested": "企业申请延期整改",
    "rectification.extension_granted": "准予延期整改，改正期限延后",
    "rectification.extension_refused": "不予延期整改",
    "audit.refusals_aggregated": "拒绝访问记录已汇总",
    "authz.denied": "访问被拒绝",
    "calendar.year_entered": "录入年度节假日安排",
    "campaign.approved": "批准专项检查",
    "case.closed": "处罚案件结案",
    "case.consequences": "严重违法行为决定的后果（提高检查频次、移出正面清单、特殊监管）",
    "case.decided": "作出行政处罚决定",
    "case.discussed": "记录负责人集体讨论",
    "case.extended": "延长办案期限",
    "case.filed": "处罚案件立案",
    "case.hearing_held": "举行听证",
    "case.hearing_requested": "当事人要求听证",
    "case.hearing_scheduled": "通知听证",
    "case.noticed": "告知拟作出的行政处罚",
    "case.review_routed": "决定偏离裁量建议，转法制审核",
    "case.reviewed": "法制审核",
    "case.rights_waived": "当事人放弃陈述、申辩和听证",
    "case.served": "送达行政处罚决定书",
    "case.measure_proposed": "提请采取强制或者停产类措施",
    "case.evidence_added": "为案件上传证据",
    "case.measure_reviewed": "对措施进行法制审核",
    "case.measure_approved": "主要负责人批准（或者不批准）措施",
    "case.typical": "标记或者取消典型案例（以案释法）",
    "case.statement_answered": "复核当事人陈述、申辩",
    "case.statement_filed": "当事人陈述、申辩",
    "case.updated": "修改案情",
    "case.violation_removed": "删除违法行为",
    "case.violation_saved": "记录违法行为与裁量情节",
    "campaign.created": "创建专项检查",
    "campaign.filed": "专项检查报备案",
    "campaign.published": "公开专项检查",
    "checklist_template.saved": "保存检查清单模板",
    "deadline.recomputed": "重新计算期限",
    "draw.abandoned": "作废抽查",
    "draw.committed": "锁定抽查企业库",
    "draw.executed": "执行抽查",
    "draw.inspections_created": "按抽查结果生成检查",
    "draw.revealed": "揭示抽查结果",
    "draw.sealed": "各方承诺完成",
    "draw.witness_committed": "见证人作出承诺",
    "enterprise.created": "新增企业",
    "enterprise.exported": "导出企业名录",
    "enterprise.rating_set": "记录企业评级",
    "enterprise.updated": "修改企业信息",
    "enterprise_account.registered": "企业注册账号",
    "enterprise_account.rejected": "驳回企业账号",
    "enterprise_account.verified": "审核通过企业账号",
    "import.completed": "批量导入完成",
    "job.retried": "重试失败的后台任务",
    "inspection.approved": "批准检查",
    "inspection.rejected": "驳回检查",
    "inspection.bodycam_added": "添加执法记录仪视频",
    "inspection.cancelled": "撤销检查",
    "inspection.created": "新建检查",
    "inspection.evidence_added": "添加证据材料",
    "inspection.feedback_given": "向企业反馈检查结果",
    "inspection.feedback_overdue": "检查结果反馈逾期",
    "inspection.feedback_read": "企业已阅检查结果",
    "inspection.findings_saved": "保存检查发现",
    "inspection.finished": "完成检查",
    "inspection.prior_notice": "记录事先告知",
    "inspection.record_saved": "保存检查记录",
    "inspection.replanned": "调整检查日期",
    "inspection.started": "开始检查",
    "inspection_plan.approved": "批准年度检查计划",
    "inspection_plan.created": "创建年度检查计划",
    "inspection_plan.published": "公开年度检查计划",
    "inspection_request.accepted": "同意企业检查申请",
    "inspection_request.declined": "不予安排企业检查申请",
    "inspection_request.submitted": "企业提交检查申请",
    "listing.attachment_added": "添加正面清单附件",
    "listing.batch_created": "创建正面清单批次",
    "listing.commitment_signed": "企业作出守法承诺",
    "listing.entry_created": "新增正面清单申请/推荐",
    "listing.entry_stopped": "终止正面清单程序",
    "listing.expired": "正面清单到期",
    "listing.filed": "正面清单报备案",
    "listing.filing_acknowledged": "上级确认收到备案",
    "listing.notice_started": "开始社会公示",
    "listing.objection_decided": "处理公示异议",
    "listing.objection_filed": "提出公示异议",
    "listing.opinion_recorded": "记录部门意见",
    "listing.published": "正式发布正面清单",
    "listing.removal_started": "启动移出程序",
    "listing.screening_done": "筛选完成",
    "listing.screening_started": "开始筛选",
    "listing.site_verified": "完成现场核查",
    "listing.visit_recorded": "记录体检式帮扶",
    "login.failed": "登录失败",
    "login.refused_elsewhere": "拒绝在其他单位登录",
    "login.succeeded": "登录成功",
    "login.throttled": "登录尝试过多，暂时锁定",
    "officer_conflict.declared": "执法人员申报利益冲突",
    "policy.changed": "修改政策配置",
    "policy.filed": "政策修改报上级备案",
    "policy.filing_acknowledged": "上级签收政策备案",
    "record.created": "新增企业记录",
    "record.updated": "修改企业记录",
    "role.granted": "授予角色",
    "role.proposal_accepted": "同意角色授予提议",
    "role.proposal_declined": "拒绝角色授予提议",
    "role.proposal_withdrawn": "撤回角色授予提议",
    "role.proposed": "提议授予角色",
    "role.revoked": "撤销角色",
    "self_report.reviewed": "审核企业自查报告",
    "self_report.submitted": "企业提交自查报告",
    "session.ended": "退出登录",
    "tenant.child_created": "创建下级单位",
    "tenant.created": "创建单位",
    "tenant.exported": "导出下级单位的全部数据（迁往另一数据库）",
    "tenant.imported": "导入下级单位的全部数据（从另一数据库迁入）",
    "token.created": "创建 API 令牌",
    "token.revoked": "吊销 API 令牌",
    "user.activated": "启用账号",
    "user.created": "创建账号",
    "user.deactivated": "停用账号",
    "user.password_changed": "修改密码",
    "visit.external_recorded": "记录其他部门的检查",
    # notifications (issue 16)
    "notifications.sent": "发送通知",
    "notifications.read": "通知标为已读",
    "notifications.read_all": "全部通知标为已读",
    "notifications.preferences": "修改通知设置",
    "webhooks.create": "新增 Webhook 推送订阅",
    "webhooks.deactivate": "停用 Webhook 推送订阅",
}
