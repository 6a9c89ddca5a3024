"""Listed status (正面清单) as the outcome of the procedure, on a given date (issue 11 item 6).

"Listed" is what publication (XJ-P 正式发布) makes and what removal (XJ-R, published) or the end
of validity (XJ-V) ends; it is read from the listing entries, never from a registry field. An
enterprise is listed on day D when one of its entries was published on or before D, is valid
through D, and was not removed on or before D. ``Enterprise.supervision_category == "listed"``
stays a cache the listing procedure alone writes (publication, removal, expiry); the rules that
protect listed enterprises (XJ-S, SX-9) ask ``listed_on`` for the day of the visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from tenant_app.extensions import db
from tenant_app.models import Enterprise
from tenant_app.models.listing import ListingEntry

# Entry states that went through publication (a withdrawn or refused round never listed anything).
PUBLISHED_STATES = ("listed", "removal_pending", "removed", "expired")


@dataclass(frozen=True)
class ListedStatus:
    listed: bool
    on: date
    entry_id: int | None = None
    listed_on: date | None = None
    valid_until: date | None = None

    def facts(self) -> dict[str, Any]:
        return {
            "listed": self.listed,
            "listed_status_on": self.on.isoformat(),
            "listing_entry_id": self.entry_id,
            "listed_since": self.listed_on.isoformat() if self.listed_on else None,
            "listed_until": self.valid_until.isoformat() if self.valid_until else None,
        }

    def text(self) -> str:
        if not self.listed:
            return (
                f"{self.on.isoformat()} 不在正面清单内（以纳入程序的正式发布、移出和有效期为准）。"
            )
        return (
            f"{self.on.isoformat()} 在正面清单内（{self.listed_on} 正式发布，"
            f"有效期至 {self.valid_until}，清单记录 #{self.entry_id}）。"
        )


def listed_on(enterprise_id: int, on: date) -> ListedStatus:
    """Is the enterprise listed on ``on``, by the procedure's own records (within the scope)."""
    row = (
        db.session.execute(
            select(ListingEntry)
            .where(
                ListingEntry.enterprise_id == enterprise_id,
                ListingEntry.state.in_(PUBLISHED_STATES),
                ListingEntry.listed_on <= on,
                ListingEntry.valid_until >= on,
                or_(ListingEntry.removed_on.is_(None), ListingEntry.removed_on > on),
            )
            .order_by(ListingEntry.listed_on.desc(), ListingEntry.id.desc())
            .limit(1)
        )
        .scalars()
        .first()
    )
    if row is None:
        return ListedStatus(False, on)
    return ListedStatus(True, on, row.id, row.listed_on, row.valid_until)


def category_on(e: Enterprise, on: date) -> tuple[str, ListedStatus]:
    """The pack's inspection category on ``on``: listed by the procedure on that day wins; else the
    registry's special supervision; else key discharger → 'key', otherwise 'general'."""
    status = listed_on(e.id, on)
    if status.listed:
        return "listed", status
    if e.supervision_category == "special":
        return "special", status
    return ("key" if e.key_discharger else "general"), status


__all__ = ["ListedStatus", "listed_on", "category_on", "PUBLISHED_STATES"]
