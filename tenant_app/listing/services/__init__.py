"""The positive list (正面清单), issue 5: screening, applications, the XJ-P procedure, batches,
objections, filings, listed enterprises, removal, ledger, public pages. See docs/positive-list.md.

What other issues call:
* ``listed.is_listed(enterprise, on)`` / ``listed.current_entry(enterprise)``: listed status;
* ``ledger.add_entry(enterprise, kind, when, summary, ref)``: append an on-/off-site check to
  the enterprise's 台账 (XJ-S).
"""
