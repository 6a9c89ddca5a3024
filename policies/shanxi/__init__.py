"""Shanxi enterprise-inspection pack: all data, in pack.toml (no rules.py needed)."""
