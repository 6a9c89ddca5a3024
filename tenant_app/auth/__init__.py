"""Authentication and permissions: roles, passwords, credentials, sessions, login throttle, tokens; the login pages."""
