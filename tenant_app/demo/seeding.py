"""``seed_demo_data``: the demo population, part by part, after ``seed_demo``."""

from __future__ import annotations

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


def seed_demo_data() -> dict[str, list[str]]:
    """Seed every part that is not there yet; returns the tenants seeded, by part."""
    done: dict[str, list[str]] = {
        "registry": [],
        "listing": [],
        "inspections": [],
        "cases": [],
        "notifications": [],
        "warnings": [],
        "rectification": [],
        "enforcement": [],
    }
    for slug in POPULATION:
        if registry.seed_registry(slug):
            done["registry"].append(slug)
    for slug in listing.LISTING_TENANTS:
        if listing.seed_listing(slug):
            done["listing"].append(slug)
    for slug in inspections.CITIES:
        if inspections.seed_inspections(slug):
            done["inspections"].append(slug)
    for slug in cases.CASE_CITIES:
        if cases.seed_cases(slug):
            done["cases"].append(slug)
    for slug in notifications.NOTIFY_CITIES:
        if notifications.seed_notifications(slug):
            done["notifications"].append(slug)
    for slug in warnings.WARNING_CITIES:
        if warnings.seed_warnings(slug):
            done["warnings"].append(slug)
    for slug in rectification.RECTIFICATION_CITIES:
        if rectification.seed_rectification(slug):
            done["rectification"].append(slug)
    for slug in enforcement.ENFORCEMENT_CITIES:
        if enforcement.seed_enforcement(slug):
            done["enforcement"].append(slug)
    return done
