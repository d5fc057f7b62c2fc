from django.urls import path

from shifts.paper import week_sheet_view
from shifts.views import endpoints, responder, roster, setup

app_name = "shifts"

urlpatterns = [
    path("oncall/", responder.oncall, name="oncall"),
    path("places/", responder.open_places, name="places"),
    path("places/<int:pk>/claim/", responder.claim, name="claim"),
    path("me/shifts/", responder.my_shifts, name="mine"),
    path("me/shifts/<int:pk>/release/", responder.release, name="release"),
    path("me/shifts/<int:pk>/cant-make-it/", responder.cant_make_it, name="cant_make_it"),
    path("me/shifts/<int:pk>/swap/", responder.offer_swap, name="offer_swap"),
    path("me/time-off/", responder.time_off, name="time_off"),
    path("me/time-off/<int:pk>/delete/", responder.delete_time_off, name="delete_time_off"),
    path("me/shift-settings/", responder.preferences, name="preferences"),
    path("me/shift-settings/feed/", responder.new_feed, name="new_feed"),
    path("me/shift-settings/feed/revoke/", responder.revoke_feed, name="revoke_feed"),
    path("swaps/<int:pk>/take/", responder.take_swap, name="take_swap"),
    path("swaps/<int:pk>/withdraw/", responder.withdraw_swap, name="withdraw_swap"),
    path("feed/<str:token>.ics", endpoints.feed, name="feed"),
    path("forward/<str:token>", endpoints.forward, name="forward"),
    path("roster/", roster.roster, name="roster"),
    path("roster/week/", roster.roster_week, name="roster_week"),
    path("roster/print/", roster.print_month, name="print_month"),
    path("roster/week/print/", roster.print_week, name="print_week"),
    path("roster/week/sheet/", week_sheet_view, name="week_sheet"),
    path("roster/coverage/", roster.coverage, name="coverage"),
    path("roster/generate/", roster.generate, name="generate"),
    path("roster/shifts/new/", roster.new_shift, name="new_shift"),
    path("roster/shifts/<int:pk>/", roster.edit_shift, name="edit_shift"),
    path("roster/shifts/<int:pk>/cancel/", roster.cancel_shift, name="cancel_shift"),
    path("roster/shifts/<int:pk>/restore/", roster.restore_shift, name="restore_shift"),
    path("roster/slots/<int:pk>/assign/", roster.assign, name="assign"),
    path("roster/assignments/<int:pk>/unassign/", roster.unassign, name="unassign"),
    path("roster/hours/", setup.hours, name="hours"),
    path("roster/hours/<int:pk>/delete/", setup.delete_window, name="delete_window"),
    path("roster/closures/", setup.add_closure, name="add_closure"),
    path("roster/closures/<int:pk>/delete/", setup.delete_closure, name="delete_closure"),
    path("roster/positions/", setup.positions, name="positions"),
    path("roster/positions/<int:pk>/", setup.edit_position, name="edit_position"),
    path("roster/rules/", setup.rules, name="rules"),
    path("roster/rules/forwarding/", setup.forwarding_token, name="forwarding_token"),
    path("roster/rules/chain/", setup.forwarding_chain, name="forwarding_chain"),
    path("roster/swaps/", roster.swaps, name="swaps"),
    path("roster/swaps/<int:pk>/decide/", roster.decide_swap, name="decide_swap"),
]
