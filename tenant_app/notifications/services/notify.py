"""The one call features make to tell people something (issue 16 seam)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tenant_app.context import Context


def notify(
    ctx: Context,
    *,
    kind: str,
    title: str,
    link: str,
    users: Sequence[int] = (),
    enterprise_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
) -> None:
    """stub until the notifications package lands"""
    return None
