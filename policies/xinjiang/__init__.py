"""Xinjiang positive-list pack: all data, in pack.toml (no rules.py needed)."""
