"""Accounts: users, their roles in tenants, their own page (me) and API tokens — services, pages, API."""
