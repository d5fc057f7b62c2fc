from django.urls import path

from shifts import views
from shifts.paper import week_sheet_view

app_name = "shifts"

urlpatterns = [
    path("oncall/", views.oncall, name="oncall"),
    path("places/", views.open_places, name="places"),
    path("places/<int:pk>/claim/", views.claim, name="claim"),
    path("me/shifts/", views.my_shifts, name="mine"),
    path("me/shifts/<int:pk>/release/", views.release, name="release"),
    path("me/shifts/<int:pk>/cant-make-it/", views.cant_make_it, name="cant_make_it"),
    path("me/shifts/<int:pk>/swap/", views.offer_swap, name="offer_swap"),
    path("me/time-off/", views.time_off, name="time_off"),
    path("me/time-off/<int:pk>/delete/", views.delete_time_off, name="delete_time_off"),
    path("me/shift-settings/", views.preferences, name="preferences"),
    path("me/shift-settings/feed/", views.new_feed, name="new_feed"),
    path("me/shift-settings/feed/revoke/", views.revoke_feed, name="revoke_feed"),
    path("swaps/<int:pk>/take/", views.take_swap, name="take_swap"),
    path("swaps/<int:pk>/withdraw/", views.withdraw_swap, name="withdraw_swap"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("forward/<str:token>", views.forward, name="forward"),
    path("roster/", views.roster, name="roster"),
    path("roster/week/", views.roster_week, name="roster_week"),
    path("roster/print/", views.print_month, name="print_month"),
    path("roster/week/print/", views.print_week, name="print_week"),
    path("roster/week/sheet/", week_sheet_view, name="week_sheet"),
    path("roster/coverage/", views.coverage, name="coverage"),
    path("roster/generate/", views.generate, name="generate"),
    path("roster/shifts/new/", views.new_shift, name="new_shift"),
    path("roster/shifts/<int:pk>/", views.edit_shift, name="edit_shift"),
    path("roster/shifts/<int:pk>/cancel/", views.cancel_shift, name="cancel_shift"),
    path("roster/shifts/<int:pk>/restore/", views.restore_shift, name="restore_shift"),
    path("roster/slots/<int:pk>/assign/", views.assign, name="assign"),
    path("roster/assignments/<int:pk>/unassign/", views.unassign, name="unassign"),
    path("roster/hours/", views.hours, name="hours"),
    path("roster/hours/<int:pk>/delete/", views.delete_window, name="delete_window"),
    path("roster/closures/", views.add_closure, name="add_closure"),
    path("roster/closures/<int:pk>/delete/", views.delete_closure, name="delete_closure"),
    path("roster/positions/", views.positions, name="positions"),
    path("roster/positions/<int:pk>/", views.edit_position, name="edit_position"),
    path("roster/rules/", views.rules, name="rules"),
    path("roster/rules/forwarding/", views.forwarding_token, name="forwarding_token"),
    path("roster/rules/chain/", views.forwarding_chain, name="forwarding_chain"),
    path("roster/swaps/", views.swaps, name="swaps"),
    path("roster/swaps/<int:pk>/decide/", views.decide_swap, name="decide_swap"),
]
