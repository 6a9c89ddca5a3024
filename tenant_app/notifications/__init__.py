"""Notifications (issue 16 items 3-5): the in-app centre, email by SMTP and signed webhooks, each
person's choices per kind. ``services.notify.notify`` is the one way a feature tells people
something; every channel but the in-app one is sent by a job, never in the request."""
