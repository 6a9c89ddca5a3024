"""Reminders for staff (issue 16 item 3): one "due soon / overdue" queue per person and per
tenant over every deadline the system computes.

Features declare their sources (``Feature.due`` in tenant_app/features.py); this package imports
no feature, so a new deadline means a new source in its own package and nothing here.
"""
