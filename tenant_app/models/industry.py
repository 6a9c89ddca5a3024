"""The GB/T 4754-2017 industry catalog: a global reference table (no tenant_id).

Codes are stored the way the policy packs write them: the section letter, then the digits of the
division (2), group (3) or class (4): "C", "C26", "C261", "C2614". Input without the letter
("2614") is normalised with policies.vocab.parse_industry_code before it is looked up, so a pack's
prefix match (``industry_matches``) works on every stored code. On Citus this is a reference table.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.models.base import Model

INDUSTRY_LEVELS = {"section": "门类", "division": "大类", "group": "中类", "class": "小类"}


class Industry(Model):
    __tablename__ = "industries"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16))  # INDUSTRY_LEVELS
    parent_code: Mapped[str | None] = mapped_column(String(5))

    def __repr__(self) -> str:
        return f"<Industry {self.code} {self.name}>"
