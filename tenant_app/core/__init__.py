"""Shared building blocks every feature's services use: errors, uploads, rate limits, spreadsheets, field coercion, credit codes."""
