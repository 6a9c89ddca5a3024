"""Correction orders (责令改正, NL-28 / SX-14) and supervised rectification (SX-15): issue 15
items 1 and 2. See docs/rectification.md."""
