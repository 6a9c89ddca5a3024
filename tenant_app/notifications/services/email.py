"""Notification emails by SMTP (issue 16 item 4), sent by the job ``notifications.send_email``:
the server comes from the environment (SMTP_HOST/PORT/USER/PASSWORD/FROM, SMTP_STARTTLS;
docs/configuration.md). Without SMTP_HOST nothing is sent (the preferences page says so)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from sqlalchemy import select

from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import Notification, NotificationSetting


def configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def full_link(link: str) -> str:
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}{link}" if link.startswith("/") and base else link


def build_message(row: Notification, to: str) -> EmailMessage:
    cfg = current_app.config
    msg = EmailMessage()
    sender = cfg["SMTP_FROM"] or cfg["SMTP_USER"] or "noreply@localhost"
    msg["From"] = formataddr(("生态环境执法监管平台", sender))
    msg["To"] = to
    msg["Subject"] = row.title
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    link = full_link(row.link)
    text = f"{row.title}\n\n" + (f"查看：{link}\n\n" if link else "")
    text += "本邮件由系统自动发送；可在“我的账号 → 通知设置”中关闭邮件通知。\n"
    msg.set_content(text)
    return msg


def send_for(ctx: Context, notification_id: int) -> bool:
    """Send one notification to its recipient's address; False when there is nothing to send
    (no SMTP, no address, the person turned the kind off since)."""
    if not configured():
        return False
    row = db.session.execute(
        select(Notification).where(
            Notification.id == notification_id, Notification.tenant_id == ctx.tenant_id
        )
    ).scalar_one_or_none()
    if row is None:
        return False
    setting = db.session.execute(
        select(NotificationSetting).where(
            NotificationSetting.tenant_id == row.tenant_id,
            NotificationSetting.user_id == row.user_id,
        )
    ).scalar_one_or_none()
    if setting is None or not setting.email or row.kind not in (setting.email_kinds or []):
        return False
    cfg = current_app.config
    msg = build_message(row, setting.email)
    with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=30) as smtp:
        if cfg["SMTP_STARTTLS"]:
            smtp.starttls()
        if cfg["SMTP_USER"]:
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
        smtp.send_message(msg)
    return True
