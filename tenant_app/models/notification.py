"""Notifications (issue 16 items 3 and 4): the in-app notification centre, each person's channel
preferences, the tenant's webhook subscriptions with their delivery log, and the reminders
already sent (one per item per threshold, so a periodic run twice a day sends nothing twice).

Every table leads its keys with ``tenant_id`` (RLS): the header reads a person's unread count
(ix_notifications_tenant_user_unread), the delivery log reads a tenant's deliveries newest first.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime

# What a notification is about (a msgid each; ui/labels.py "notification_kind").
NOTIFICATION_KINDS: dict[str, str] = {
    "reminder_due": "期限临近提醒",
    "reminder_overdue": "逾期提醒",
    "warning": "预警",
    "warning_escalated": "预警升级",
    "warning_answered": "企业答复预警",
    "correction_order": "责令改正",
    "rectification": "整改进展",
    "rectification_overdue": "整改逾期",
    "payment_application": "暂缓或分期缴纳罚款申请",
    "payment_decided": "暂缓或分期缴纳罚款的决定",
    "payment_enforcement": "罚款申请强制执行",
    "payment_review": "行政复议、行政诉讼与加处罚款",
    "rectification_extension": "延期整改申请",
    "ladder_document": "教育引导书、告诫书",
    "system": "系统通知",
}
CHANNELS = {"in_app": "站内通知", "email": "电子邮件", "webhook": "Webhook 推送"}
DELIVERY_STATUSES = {
    "pending": "待发送",
    "retrying": "发送失败，等待重试",
    "delivered": "已送达",
    "failed": "多次失败，已停止重试",
}
# What a reminder's deadline is (reminders.items.DueItem.kind), declared by the features' sources.
DUE_KINDS = {
    "listing.notice_end": "正面清单公示期届满",
    "listing.publication": "正面清单发布期限",
    "listing.filing": "正面清单报备案期限",
    "listing.removal": "正面清单移出期限",
    "inspection.visit": "计划检查日期",
    "inspection.approval": "检查计划待审批",
    "inspection.feedback": "检查结果反馈期限",
    "cases.decision_limit": "案件办理期限",
    "cases.statement": "陈述申辩期届满",
    "cases.service": "决定书送达期限",
    "registry.rectification": "责令整改期限",
    "warning.answer": "预警答复期限",
    "warning.escalated": "预警升级待处理",
    "rectification.party": "责令改正期限",
    "rectification.verify": "整改核查期限",
    "payment.due": "罚款缴纳期限",  # issue 15
}
# Reminder thresholds: "soon" (within the lead working days), "overdue" (past the due date).
REMINDER_THRESHOLDS = {"soon": "即将到期", "overdue": "已逾期"}


class Notification(TenantScoped, Model):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_tenant_user_unread", "tenant_id", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # NOTIFICATION_KINDS (open: features add kinds)
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(500), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationSetting(TenantScoped, Model):
    """One person's choices in one tenant: the email address, the kinds that also go by email,
    and how many working days ahead reminders come (None: the pack's default)."""

    __tablename__ = "notification_settings"
    __table_args__ = (
        Index("ux_notification_settings_tenant_user", "tenant_id", "user_id", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), default="")
    email_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    reminder_lead_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookSubscription(TenantScoped, Model):
    __tablename__ = "webhook_subscriptions"
    __table_args__ = (Index("ix_webhook_subscriptions_tenant", "tenant_id", "active", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(128))
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every kind
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookDelivery(TenantScoped, Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_tenant_id", "tenant_id", "id"),
        Index("ix_webhook_deliveries_tenant_due", "tenant_id", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)  # the exact bytes signed and sent (UTF-8 JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # DELIVERY_STATUSES
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderSent(TenantScoped, Model):
    """A reminder already sent: one per item (object, due date, rule) per threshold and person."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        Index(
            "ux_reminders_sent_item",
            "tenant_id",
            "object_ref",
            "kind",
            "due",
            "threshold",
            "user_id",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    object_ref: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    due: Mapped[date] = mapped_column(Date)
    threshold: Mapped[str] = mapped_column(String(16))  # REMINDER_THRESHOLDS
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(32), default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OverdueItem(TenantScoped, Model):
    """The tenant's overdue deadlines as the daily reminder run found them (issue 16 item 3:
    "an overdue flag visible to oversight"). The run replaces its tenant's rows in one
    transaction; an oversight role reads its subtree's rows set-based, where running every
    tenant's deadline sources per page would cost a query per source and tenant. The time of
    the run is the ``RollupRefresh`` of kind ``overdue``."""

    __tablename__ = "overdue_items"
    __table_args__ = (Index("ix_overdue_items_tenant_due", "tenant_id", "due"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # DUE_KINDS
    object_ref: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(500), default="")
    due: Mapped[date] = mapped_column(Date)
    assignee: Mapped[str] = mapped_column(String(100), default="")  # a name: read across tenants
    rule_id: Mapped[str] = mapped_column(String(32), default="")
