"""Case services, one module per part: common (lookups, the policy, refusals, the step log),
proposal (the discretion proposal of one violation: benchmark, treatments, national no-penalty
rules), cases (opening and listing), violations (facts and factor levels), stages (what comes
next, the deadlines, the checks every step repeats), notice (告知), party (the enterprise's
statements, hearing request and waiver), procedure (answers, hearing, legal review, collective
discussion, extension) and decision (decision, service, closing). Every state change is audited
in the same transaction."""
