"""The facts a policy question is answered from: plain dataclasses, filled by the DB layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Record:
    """One dated record (penalty, coercive measure, judicial transfer, criminal judgment,
    incident, complaint). ``date`` is the decision/judgment/occurrence/receipt date."""

    date: date
    ref: str = ""  # document number or row id, quoted back in explanations
    malicious: bool = False  # penalty for 恶意偷排/篡改台账/逃避监管 (XJ-R 3-year ban)
    verified: bool = False  # complaint 查证属实 (XJ-C6)
    level: str | None = None  # incident level, see vocab.INCIDENT_LEVELS

    def as_fact(self) -> dict[str, object]:
        out: dict[str, object] = {"date": self.date.isoformat()}
        if self.ref:
            out["ref"] = self.ref
        if self.malicious:
            out["malicious"] = True
        if self.verified:
            out["verified"] = True
        if self.level:
            out["level"] = self.level
        return out


@dataclass(frozen=True)
class CreditEntry:
    """A stay on a credit list (vocab.CREDIT_LISTS): entered on ``entered``, left on ``exited``."""

    list_name: str
    entered: date
    exited: date | None = None

    def active_on(self, on: date) -> bool:
        return self.entered <= on and (self.exited is None or self.exited > on)


@dataclass(frozen=True)
class EnterpriseFacts:
    name: str = ""
    uscc: str = ""
    industry_code: str | None = None  # GB/T 4754-2017, e.g. "C2614" or "2614"
    category: str | None = None  # inspection category key in the pack (e.g. "key", "general")
    tags: frozenset[str] = frozenset()  # e.g. {"heavy_metal_tailings_pond"} (XJ-X by designation)
    penalties: tuple[Record, ...] = ()
    coercive_measures: tuple[Record, ...] = ()
    judicial_transfers: tuple[Record, ...] = ()
    criminal_judgments: tuple[Record, ...] = ()
    incidents: tuple[Record, ...] = ()
    complaints: tuple[Record, ...] = ()
    credit_entries: tuple[CreditEntry, ...] = ()
    permit_status: str | None = None  # vocab.PERMIT_STATUSES
    procedures_complete: bool | None = None  # 环保手续齐全
    facilities_running: bool | None = None  # 污染防治设施齐备并运行正常
    pollutants_compliant: bool | None = None  # 主要污染物达标排放
    needs_monitoring: bool = True  # False for 无需监测的行业企业
    online_monitoring_required: bool = False
    online_monitoring_installed: bool = False
    online_monitoring_networked: bool = False
    integrity_ratings: dict[int, str] = field(default_factory=dict)  # year -> rating title
    performance_grade: str | None = None  # 重污染天气重点行业绩效分级: "A", "B", ...

    def records(self, record_type: str) -> tuple[Record, ...]:
        return {
            "penalty": self.penalties,
            "coercive_measure": self.coercive_measures,
            "judicial_transfer": self.judicial_transfers,
            "criminal_judgment": self.criminal_judgments,
            "incident": self.incidents,
            "complaint": self.complaints,
        }[record_type]
