"""Registry services: enterprises, records, accounts, search, and the facts the rules read."""
