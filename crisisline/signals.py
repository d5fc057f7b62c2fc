"""Signals other apps may listen to."""

from django.dispatch import Signal

# Sent right after a person's password is verified or set, while it is still in
# hand: sender, request, response (the one about to be sent, so a receiver may set
# a cookie), user, password, and reason, one of "sign-in", "changed", "reset",
# "joined". For "changed", previous_password is the old one. The password must
# never be stored or logged by a receiver.
password_known = Signal()

PASSWORD_KNOWN_REASONS = ("sign-in", "changed", "reset", "joined")

# Sent by the sign-out view with request (the person still signed in) and
# response (the one about to be sent): a receiver deletes the cookies it set at
# sign-in. Whatever a receiver holds server-side for the session it forgets on
# Django's user_logged_out, which every way of signing out sends.
signing_out = Signal()
