"""Demo data for `tenant-app demo`, one module per area, each idempotent:

- regions.py      the demo regions and accounts (``seed_demo``): small and fast, the tests'
                  world too (tests/helpers.py)
- names.py        believable Chinese names, addresses, valid credit codes
- context.py      acting as a demo account, running enqueued jobs inline, dates from the clock
- registry.py     enterprises and three years of compliance records (bulk import service)
- listing.py      the positive list at every stage (Xinjiang: the pack that compiles it)
- inspections.py  plans, campaigns, draws and inspections in every state (both provinces)
- portal.py       enterprise-user accounts linked to demo enterprises
- cases.py        penalty cases: noticed from an inspection, a serious one, one decided and served
- warnings.py     SX-1 warnings: monitoring anomalies pushed, the scan run, one warning per state
- enforcement.py  fines in every payment state (applied, paid, instalments late, deferred,
                  refused and sent to the court), a 普法 training, a guidance letter, a warning
- tips.py         per role, three things to try, with their URLs

``seed_demo_data`` runs them in order. A later issue adds its demo rows as one more module
here and one more line in ``seed_demo_data``; each part checks for its own rows first, so a
second run adds nothing.
"""

from __future__ import annotations

from tenant_app.demo.regions import ACCOUNTS, DEMO_PASSWORD, REGIONS, seed_demo
from tenant_app.demo.seeding import seed_demo_data
from tenant_app.demo.tips import tips

__all__ = ["ACCOUNTS", "DEMO_PASSWORD", "REGIONS", "seed_demo", "seed_demo_data", "tips"]
