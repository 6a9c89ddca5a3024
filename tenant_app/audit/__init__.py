"""The audit log: a keyed hash chain per tenant, its checkpoints, its API and its periodic jobs."""
