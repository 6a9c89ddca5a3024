"""Calendar commands are added by the policy/calendar module when present."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
