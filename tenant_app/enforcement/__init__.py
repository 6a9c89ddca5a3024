"""After the decision (issue 15 items 3-5): paying fines with deferral and instalments (SX-13),
the progressive enforcement ladder per enterprise (SX-0) and legal education (SX-2)."""
