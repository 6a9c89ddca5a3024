"""The one shape every deadline source returns (issue 16 item 3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tenant_app.context import Context


@dataclass(frozen=True)
class DueItem:
    """Something a person (``assignee_id``, or the tenant's staff when None) must do by ``due``.

    ``kind`` names the deadline (``case.limit``, ``listing.publication``...: ui/labels.py
    "due_kind"), ``object_ref`` the object (``case:12``), ``rule_id`` the rule that set the
    deadline (from the pack, never a literal)."""

    due: date
    title: str
    link: str
    kind: str
    rule_id: str | None
    object_ref: str
    assignee_id: int | None


class DueSource(Protocol):
    """Every open deadline of the context's tenant up to ``horizon`` (overdue ones too), for one
    person (``user_id``) or everyone (None). Set-based: one query per deadline kind."""

    def __call__(self, ctx: Context, *, user_id: int | None, horizon: date) -> list[DueItem]: ...
