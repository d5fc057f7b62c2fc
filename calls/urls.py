from django.urls import path

from calls import views

app_name = "calls"

urlpatterns = [
    path("notes/", views.note_list, name="list"),
    path("notes/new/", views.new_note, name="new"),
    path("notes/new/resources/", views.referral_options, name="referral_options"),
    path("notes/evaluation/", views.evaluation, name="evaluation"),
    path("notes/evaluation.csv", views.evaluation_csv, name="evaluation_csv"),
    path("notes/evaluation/review/", views.team_review, name="team_review"),
    path(
        "notes/evaluation/review/<int:pk>/delete/",
        views.delete_team_review,
        name="delete_team_review",
    ),
    path("notes/retention/", views.retention, name="retention"),
    path("notes/wipe/", views.wipe, name="wipe"),
    path("notes/<slug:public_id>/", views.note_detail, name="detail"),
    path("notes/<slug:public_id>/burn/", views.burn_note, name="burn"),
    path("notes/<slug:public_id>/done/", views.follow_up_done, name="follow_up_done"),
    path(
        "notes/<slug:public_id>/unreachable/",
        views.follow_up_unreachable,
        name="follow_up_unreachable",
    ),
    path("notes/<slug:public_id>/hand-on/", views.follow_up_hand_on, name="follow_up_hand_on"),
    path("privacy/", views.privacy, name="privacy"),
    # One row a page: alike in shape to the note rows above, each routing elsewhere.
    path("aftercare/check-out/<int:pk>/", views.check_out, name="check_out"),
    path("aftercare/briefing/<int:pk>/read/", views.briefing_read, name="briefing_read"),
    path("aftercare/field/", views.field_start, name="field_start"),
    path("aftercare/field/checked-in/", views.field_check_in, name="field_check_in"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice_read"),
    path("notices/<int:pk>/withdraw/", views.withdraw_notice, name="withdraw_notice"),
    path(
        "aftercare/requests/<int:pk>/seen/",
        views.acknowledge_request,
        name="acknowledge_request",
    ),
]
