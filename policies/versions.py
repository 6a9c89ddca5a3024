"""Policy versions: every change makes a new version with an effective date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class PolicyVersion:
    """One version of a tenant's effective pack (the DB stores ``effective`` and overrides)."""

    version_id: str | int
    effective_from: date
    effective: dict[str, Any] = field(compare=False, repr=False)


def version_in_force(versions: Iterable[PolicyVersion], on: date) -> PolicyVersion | None:
    """The version with the latest ``effective_from`` on or before ``on`` (ties: the last given)."""
    best: PolicyVersion | None = None
    for v in versions:
        if v.effective_from <= on and (best is None or v.effective_from >= best.effective_from):
            best = v
    return best
