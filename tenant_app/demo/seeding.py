"""``seed_demo_data``: the demo population, part by part, after ``seed_demo``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tenant_app.demo import (
    cases,
    enforcement,
    inspections,
    listing,
    notifications,
    rectification,
    registry,
    warnings,
)
from tenant_app.demo.context import POPULATION


def _parts() -> tuple[tuple[str, Iterable[str], Callable[[str], bool]], ...]:
    """Each part of the demo, in the order it builds on the others: (name, tenants, seeder)."""
    return (
        ("registry", POPULATION, registry.seed_registry),
        ("listing", listing.LISTING_TENANTS, listing.seed_listing),
        ("inspections", inspections.CITIES, inspections.seed_inspections),
        ("cases", cases.CASE_CITIES, cases.seed_cases),
        ("notifications", notifications.NOTIFY_CITIES, notifications.seed_notifications),
        ("warnings", warnings.WARNING_CITIES, warnings.seed_warnings),
        ("rectification", rectification.RECTIFICATION_CITIES, rectification.seed_rectification),
        ("enforcement", enforcement.ENFORCEMENT_CITIES, enforcement.seed_enforcement),
    )


def seed_demo_data() -> dict[str, list[str]]:
    """Seed every part that is not there yet; returns the tenants seeded, by part."""
    return {name: [slug for slug in tenants if seed(slug)] for name, tenants, seed in _parts()}
