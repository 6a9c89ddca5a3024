"""Enforcement cases (案件, issue 14): from a finding to a served decision, with discretion that
explains itself (SX-12) and the national procedure (行政处罚法) checked at every step."""
