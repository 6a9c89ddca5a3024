"""Kept for old imports: the demo lives in tenant_app/demo/ (regions, accounts, demo rows)."""

from __future__ import annotations

from tenant_app.demo import DEMO_PASSWORD, seed_demo, seed_demo_data

__all__ = ["DEMO_PASSWORD", "seed_demo", "seed_demo_data"]
