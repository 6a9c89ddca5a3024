"""Demo warnings (issue 16, SX-1), made through the warning services as the city's people and the
monitoring platform would, on the app's today:

- the monitoring platform pushes a batch: an exceedance and an anomaly of the enterprise of the
  demo portal account (``taiyuan-qiye`` / ``urumqi-qiye``), anomalies of two more enterprises,
  one of them already normal again;
- the daily scan sends every warning due (permit expiry, execution reports and disclosures where
  the pack configures them, the anomalies at once);
- then one warning in each state: acknowledged and answered by the portal enterprise, escalated
  by an officer with the next rung proposed, resolved by an officer, closed because its cause
  went (an anomaly reported normal, the scan run again); the rest stay sent.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tenant_app.demo.context import acting
from tenant_app.demo.inspections import CITIES
from tenant_app.demo.portal import account_enterprise
from tenant_app.extensions import db
from tenant_app.models import Enterprise, EnterpriseWarning, MonitoringBatch
from tenant_app.tenancy.acting import scope_context
from tenant_app.warnings.services import intake, lifecycle
from tenant_app.warnings.services.common import get_warning
from tenant_app.warnings.services.scan import scan

WARNING_CITIES = ("sx-taiyuan", "xj-urumqi")
PORTAL = {"sx-taiyuan": "taiyuan-qiye", "xj-urumqi": "urumqi-qiye"}


def _row(e: Enterprise, kind: str, day: str, **kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "uscc": e.uscc,
        "point": "DA001",
        "pollutant": "颗粒物" if kind == "exceedance" else "流量",
        "kind": kind,
        "observed_on": day,
        "unit": "mg/m3",
    }
    if kind == "exceedance":
        base.update(value="32.5", limit_value="20", note="小时均值超标")
    else:
        base.update(note="数据长时间恒值，疑似传输异常")
    return {**base, **kw}


def seed_warnings(slug: str) -> bool:
    city = CITIES[slug]
    with acting(slug, city.clerk):
        if db.session.execute(select(MonitoringBatch.id).limit(1)).first():
            return False
        ctx = scope_context()
        today = ctx.today
        others = list(
            db.session.execute(select(Enterprise).order_by(Enterprise.id).limit(2)).scalars()
        )
    portal = account_enterprise(PORTAL[slug], slug)
    targets = [e for e in [portal, *others] if e is not None]
    if len(targets) < 3:
        return False
    d1, d2 = (today - timedelta(days=1)).isoformat(), (today - timedelta(days=2)).isoformat()
    rows = [
        _row(targets[0], "exceedance", d1),
        _row(targets[0], "anomaly", d2, point="DA002"),
        _row(targets[1], "anomaly", d1),
        _row(targets[1], "anomaly", d2, point="DA004"),
        _row(targets[2], "anomaly", d2),
        _row(targets[2], "anomaly", d1, point="DA003", resolved_on=today.isoformat()),
    ]
    with acting(slug, city.clerk):
        intake.take_batch(scope_context(), f"demo-{today.isoformat()}-1", rows)
        db.session.commit()
    with acting(slug, None):
        scan(scope_context())
        db.session.commit()

    def anomaly_warning(e: Enterprise, day: str) -> int | None:
        with acting(slug, city.clerk):
            return db.session.execute(
                select(EnterpriseWarning.id).where(
                    EnterpriseWarning.enterprise_id == e.id,
                    EnterpriseWarning.cause == "monitoring_anomaly",
                    EnterpriseWarning.period == day,
                )
            ).scalar()

    answered, acknowledged = anomaly_warning(targets[0], d1), anomaly_warning(targets[0], d2)
    escalated, resolved = anomaly_warning(targets[1], d1), anomaly_warning(targets[2], d2)
    with acting(slug, PORTAL[slug]):
        ctx = scope_context()
        if acknowledged:
            lifecycle.acknowledge(ctx, get_warning(acknowledged))
        if answered:
            lifecycle.answer(
                ctx,
                get_warning(answered),
                "除尘器布袋破损导致颗粒物小时均值超标，已停产检修。",
                "已更换布袋并恢复运行，附维修记录。",
            )
        db.session.commit()
    with acting(slug, city.officers[0]):
        ctx = scope_context()
        if escalated:
            lifecycle.escalate(ctx, get_warning(escalated), "企业电话告知设备故障但未在线答复")
        if resolved:
            lifecycle.finish(
                ctx, get_warning(resolved), "resolved", "现场核实流量计已校准，数据恢复正常"
            )
        db.session.commit()
    # The second enterprise's earlier anomaly is reported normal: the scan closes its warning.
    with acting(slug, city.clerk):
        intake.take_batch(
            scope_context(),
            f"demo-{today.isoformat()}-2",
            [_row(targets[1], "anomaly", d2, point="DA004", resolved_on=today.isoformat())],
        )
        db.session.commit()
    with acting(slug, None):
        scan(scope_context())
        db.session.commit()
    return True
