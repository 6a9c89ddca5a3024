"""A tenant's effective policy: resolution from packs and overrides (service), its page and API."""
