"""The positive-list pages: staff, enterprise portal and the public list and notices."""
