"""The registry pages: staff lists and forms, records, and the enterprise portal."""
