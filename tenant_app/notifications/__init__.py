"""Notifications (issue 16 part B): stub until the notifications package lands."""
