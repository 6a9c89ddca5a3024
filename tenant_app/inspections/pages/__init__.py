"""The inspection pages: staff, administration, enterprise portal and public publicity."""
