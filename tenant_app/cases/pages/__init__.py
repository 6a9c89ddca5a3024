"""Case pages: staff (list, open, the case page and its steps) and the enterprise portal."""
