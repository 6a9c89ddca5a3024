"""The positive list (正面清单), issue 5: screening, applications, the XJ-P procedure, batches,
objections, filings, listed enterprises, removal, ledger, public pages. See docs/positive-list.md.

Every public service takes the caller's ``Context`` (tenant_app/context.py) first: the tenant
whose list it is, who acts (steps, ledger lines and audit entries name ``ctx.actor``) and the
day of the act. Pure helpers (``listed_status``, ``verdicts``, ``bulk_screening``) take what
they compute from instead.

What other issues call:
* ``listed_status.listed_on(enterprise_id, on)`` / ``category_on(enterprise, on)``: listed
  status on a given day, from the procedure's own records;
* ``ledger.add_entry(ctx, enterprise, kind, when, summary, ref)``: append an on-/off-site check
  to the enterprise's 台账 (XJ-S).
"""
