"""Tenants are regions in a tree: platform → province → prefecture/city → county."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, UTCDateTime


class Level(enum.StrEnum):
    PLATFORM = "platform"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


LEVEL_LABELS = {
    Level.PLATFORM: "平台",
    Level.PROVINCE: "省级",
    Level.CITY: "地市级",
    Level.COUNTY: "县级",
}
# Which level may sit directly under which: the tree follows the administrative hierarchy.
CHILD_LEVEL = {Level.PLATFORM: Level.PROVINCE, Level.PROVINCE: Level.CITY, Level.CITY: Level.COUNTY}


class Tenant(Model):
    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint("level in ('platform','province','city','county')", name="level"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16))
    division_code: Mapped[str] = mapped_column(String(6), unique=True)
    # Materialised path "/1/4/9/": descendants are a prefix match, ancestors are the path's ids.
    path: Mapped[str] = mapped_column(String(512), index=True, default="")
    policy_pack: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped in the transaction of every change to what the public pages show
    # (ui/public_cache.py): their ETag, Last-Modified and server-side cache key.
    publication_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parent: Mapped[Tenant | None] = relationship(remote_side=[id])

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(x) for x in self.path.strip("/").split("/") if x][:-1]

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[Level(self.level)]

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"
