"""Enterprise inspections (issue 6), one module per step: checks (the pre-save checks), plans
(creating inspections and annual plans), approvals, conduct (findings, evidence, record,
off-site), feedback, campaigns (SX-4), draws (双随机), reports (self-inspection reports, XJ-S),
requests (enterprise requests), publicity (SX-7), ledger_link (the listed enterprise's ledger).
Views and the API call these; every state change is audited in the same transaction."""
