"""Signals other apps may listen to."""

from django.dispatch import Signal

# Sent right after a person's password is verified or set, while it is still in
# hand: sender, request, response (the one about to be sent, so a receiver may set
# a cookie), user, password, and reason, one of "sign-in", "changed", "reset",
# "joined". For "changed", previous_password is the old one. The password must
# never be stored or logged by a receiver.
password_known = Signal()

PASSWORD_KNOWN_REASONS = ("sign-in", "changed", "reset", "joined")
