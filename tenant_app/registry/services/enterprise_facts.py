"""Enterprises and their records → policies.EnterpriseFacts, the input of the positive-list
screening (XJ-C1..C7, XJ-D, XJ-X, XJ-R) and the inspection rules.

``facts_for_many`` is the set-based path: three queries for any number of enterprises (the
enterprises, their screening-relevant records, their ratings), grouped in Python; the screening
job calls it per batch of a few thousand ids. A pure-SQL pre-filter for C1/C5/C6 is one GROUP BY
on compliance_records' (tenant_id, kind, record_date) index, e.g.
``SELECT enterprise_id FROM compliance_records WHERE kind IN ('penalty', …) AND record_date >= :d
GROUP BY enterprise_id`` — those enterprises fail C1 without being loaded at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from policies.facts import CreditEntry, EnterpriseFacts, Record
from tenant_app.clock import today
from tenant_app.extensions import db
from tenant_app.models import ComplianceRecord, Enterprise, EnterpriseRating

# Record kinds EnterpriseFacts carries, by its attribute name.
FACT_KINDS = {
    "penalty": "penalties",
    "coercive_measure": "coercive_measures",
    "judicial_transfer": "judicial_transfers",
    "criminal_judgment": "criminal_judgments",
    "incident": "incidents",
    "complaint": "complaints",
}


def permit_status_of(e: Enterprise, on: date) -> str | None:
    """policies.vocab.PERMIT_STATUSES from the permit columns; None when the class is unknown."""
    if e.permit_class is None:
        return None
    if e.permit_class == "not_required":
        return "not_required"
    if e.permit_violating:
        return "violating"
    if not e.permit_no:
        return "missing"
    if e.permit_valid_to is not None and e.permit_valid_to < on:
        return "expired"
    return "registration" if e.permit_class == "registration" else "permit"


def category_of(e: Enterprise) -> str:
    """The pack's inspection category: special and listed win; else key dischargers are 'key'."""
    if e.supervision_category in ("special", "listed"):
        return e.supervision_category
    return "key" if e.key_discharger else "general"


def _record(r: ComplianceRecord) -> Record:
    return Record(
        date=r.record_date,
        ref=r.ref or f"#{r.id}",
        malicious=r.malicious,
        verified=r.verified,
        level=r.level,
    )


def _facts(
    e: Enterprise, recs: list[ComplianceRecord], ratings: list[EnterpriseRating], on: date
) -> EnterpriseFacts:
    by_kind: dict[str, list[Record]] = defaultdict(list)
    credit: list[CreditEntry] = []
    for r in sorted(recs, key=lambda x: (x.record_date, x.id)):
        if r.kind in FACT_KINDS:
            by_kind[FACT_KINDS[r.kind]].append(_record(r))
        elif r.kind == "credit_listing" and r.list_name:
            credit.append(
                CreditEntry(list_name=r.list_name, entered=r.record_date, exited=r.end_date)
            )
    integrity = {x.year: x.value for x in ratings if x.kind == "integrity" and x.year <= on.year}
    grades = sorted(
        (x.year, x.value) for x in ratings if x.kind == "performance" and x.year <= on.year
    )
    return EnterpriseFacts(
        name=e.name,
        uscc=e.uscc,
        industry_code=e.industry_code,
        category=category_of(e),
        tags=frozenset(e.tags or ()),
        **{attr: tuple(by_kind[attr]) for attr in FACT_KINDS.values()},
        credit_entries=tuple(credit),
        permit_status=permit_status_of(e, on),
        procedures_complete=e.procedures_complete,
        facilities_running=e.facilities_running,
        pollutants_compliant=e.pollutants_compliant,
        needs_monitoring=e.needs_monitoring,
        online_monitoring_required=e.online_monitoring_required,
        online_monitoring_installed=e.online_monitoring_installed,
        online_monitoring_networked=e.online_monitoring_networked,
        integrity_ratings=integrity,
        performance_grade=grades[-1][1] if grades else None,  # the latest graded year
    )


def facts_for_many(
    enterprise_ids: Iterable[int], on: date | None = None
) -> dict[int, EnterpriseFacts]:
    """Facts of many enterprises (within the scope) as of ``on``: records dated after it are left
    out, so a screening on a past date sees what was known then."""
    on = on or today()
    ids = sorted(set(enterprise_ids))
    out: dict[int, EnterpriseFacts] = {}
    for i in range(0, len(ids), 1000):
        chunk = ids[i : i + 1000]
        ents = (
            db.session.execute(select(Enterprise).where(Enterprise.id.in_(chunk))).scalars().all()
        )
        recs: dict[int, list[ComplianceRecord]] = defaultdict(list)
        for r in db.session.execute(
            select(ComplianceRecord).where(
                ComplianceRecord.enterprise_id.in_(chunk),
                ComplianceRecord.kind.in_([*FACT_KINDS, "credit_listing"]),
                ComplianceRecord.record_date <= on,
            )
        ).scalars():
            recs[r.enterprise_id].append(r)
        rates: dict[int, list[EnterpriseRating]] = defaultdict(list)
        for x in db.session.execute(
            select(EnterpriseRating).where(EnterpriseRating.enterprise_id.in_(chunk))
        ).scalars():
            rates[x.enterprise_id].append(x)
        for e in ents:
            out[e.id] = _facts(e, recs[e.id], rates[e.id], on)
    return out


def facts_for(e: Enterprise, on: date | None = None) -> EnterpriseFacts:
    return facts_for_many([e.id], on)[e.id]
