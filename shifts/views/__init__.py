"""Shifts views, by who uses them: responders, the roster (coordinators), the
line's setup, and the token-called endpoints (calendar feeds, call forwarding)."""
