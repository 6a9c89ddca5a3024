"""Enterprise inspections (Shanxi rulebook and the national layer): plans, approvals, campaigns, draws, visits, records — services, pages, API, jobs."""
