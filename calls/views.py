"""Call notes, their anonymous totals, retention settings and the public "what we keep" page."""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls import briefing, checkout, fieldcheck, followup_index, keyring, keyring_guard
from calls.evaluation import (
    CSV_HEADER,
    SMALL_COUNT,
    check_outs_by_week,
    completed_follow_ups,
    csv_rows,
    kind_by_police,
    measure_totals,
    monthly_totals,
    totals_by,
    weekly_totals,
)
from calls.forms import (
    HandOnForm,
    NoteForm,
    NoticeForm,
    RetentionForm,
    TeamReviewForm,
    WipeForm,
    wipe_phrase,
)
from calls.models import (
    BODY_MAX_CHARS,
    CallNote,
    CallNoteQuerySet,
    CheckOutAnswer,
    FollowUpOutcome,
    Kind,
    Measure,
    Need,
    NoKeyPair,
    NoteEnding,
    NoteExpired,
    NoteKeys,
    Notice,
    NoticeRead,
    Police,
    Response,
    RetentionPolicy,
    SealedToAnotherKey,
    Tally,
    TeamReview,
    WeeklyCount,
    retention_bounds,
)
from calls.purge import KeysNotDestroyed, burn, clean_up_deleted, wipe_everything
from calls.unlock import Locked, sign_in_again, unlocked_key
from crisisline.binding import posted
from crisisline.confirm import Confirmation, ask_first, delete_after_asking
from crisisline.numbers import whole_number
from crisisline.roles import SignedInRequest, role_required

logger = logging.getLogger(__name__)


class NoteGone(Exception):
    """The note is gone, and the person asking was one of its readers."""

    def __init__(self, what: str, at: datetime | None) -> None:
        super().__init__(what)
        self.what, self.at = what, at


def _note_for(request: SignedInRequest, public_id: str) -> CallNote:
    """A live note the signed-in person may read; NoteGone for a former reader of a
    note that is gone; else 404 (for everyone else alike)."""
    note: CallNote | None = (
        CallNote.objects.readable_by(request.user)
        .select_related("author", "follow_up_to")
        .filter(public_id=public_id)
        .first()
    )
    if note is not None:
        return note
    ending = NoteEnding.for_reader(request.user, public_id)
    if ending is not None:
        raise NoteGone(ending.what, ending.at)
    expired = (
        CallNoteQuerySet(model=CallNote)
        .readable_by(request.user)
        .filter(public_id=public_id)
        .values_list("expires_at", flat=True)
        .first()
    )
    if expired is not None:  # expired, not purged yet
        raise NoteGone(NoteEnding.What.EXPIRED, expired)
    raise Http404


def _gone(request: SignedInRequest, gone: NoteGone) -> HttpResponse:
    """410: what became of the note, for a former reader; nothing it said."""
    return render(request, "calls/gone.html", {"what": gone.what, "at": gone.at}, status=410)


def _could_not_store(failure: Exception) -> str:
    """What the writer is told when the keyring refuses a note (their text stays)."""
    if isinstance(failure, keyring_guard.KeyringRefused | keyring.WrongMasterKey):
        reason = _(
            "The note could not be stored: the server's keys are missing or are not the "
            "ones for these notes."
        )
    else:
        reason = _("The note could not be stored: the server cannot write its keys.")
    return " ".join([reason, _("Tell a coordinator. Nothing was saved; your text is still here.")])


@never_cache
@role_required("respond")
@require_http_methods(["GET", "POST"])
def new_note(request: SignedInRequest) -> HttpResponse:
    if request.method == "GET" and not NoteKeys.objects.filter(person=request.user).exists():
        # Signed in before notes were sealed: signing in again creates their key pair.
        return sign_in_again(request)
    if request.method == "POST" and "show_resources" in request.POST:
        # Without JavaScript: the needs ticked lead to their resources, and nothing
        # typed is lost (the form is shown again, unsaved, without complaints).
        form = NoteForm(initial=_as_initial(request.POST), writer=request.user)
        form.asked_for_resources = True
        return render(request, "calls/new.html", {"form": form, "body_max": BODY_MAX_CHARS})
    form = NoteForm(posted(request), writer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = CallNote.write(
                author=request.user,
                body=data["body"],
                kind=data["kind"],
                response=data["response"],
                police=data["police"],
                needs=data["needs"],
                keep_hours=data["keep_hours"],
                follow_up_to=data["follow_up_to"],
                follow_up_by=data["follow_up_by"],
                keep_until=form.keep_until,
                referrals=data["referrals"],
            )
        except NoKeyPair as missing:
            form.add_error(None, form.no_key_pair_message(missing.person))
        except (keyring.KeyringFailure, keyring.WrongMasterKey, OSError) as failure:
            # The cause, once, for the operator; never the note.
            logger.error("A note could not be stored: %s", failure)
            form.add_error(None, _could_not_store(failure))
        else:
            messages.success(request, _("Note saved. It is sealed and will expire on its own."))
            return redirect("calls:detail", public_id=note.public_id)
    return render(request, "calls/new.html", {"form": form, "body_max": BODY_MAX_CHARS})


def _while_the_keyring_reads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Note pages read the keyring; when the operating system refuses (a directory
    the server may no longer read, a failing disk), the reader gets a page saying
    so (503) instead of a server error, and the cause goes to the log once."""

    @wraps(view)
    def reading(request: SignedInRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except OSError as failure:
            logger.error("A note page could not read the notes' keyring: %s", failure)
            return render(request, "calls/keyring_unreadable.html", status=503)

    return reading


def _as_initial(sent: QueryDict) -> dict[str, Any]:
    many = {"needs", "referrals"}
    return {key: sent.getlist(key) if key in many else sent.get(key) for key in sent}


@never_cache
@role_required("respond")
@require_GET
def referral_options(request: SignedInRequest) -> HttpResponse:
    """The note form's "Referred to" choices for the needs ticked (htmx swaps them in)."""
    form = NoteForm(initial={"needs": request.GET.getlist("needs")}, writer=request.user)
    return render(request, "calls/new.html#referrals", {"form": form})


@never_cache
@role_required("respond")
@require_GET
@_while_the_keyring_reads
def note_list(request: SignedInRequest) -> HttpResponse:
    moment = keyring_guard.notice_time()
    try:
        private = unlocked_key(request)
    except Locked:
        private = None
    if private is None and CallNote.objects.readable_by(request.user).filter(sealed=True).exists():
        return sign_in_again(request)
    notes = CallNote.objects.opened_by(request.user, private, moment=moment)
    mine = [item for item in notes if item.note.author_id == request.user.pk]
    handed = [item for item in notes if item.note.author_id != request.user.pk]
    return render(request, "calls/list.html", {"mine": mine, "handed": handed})


def _readers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Per-note pages: the note's readers get the view, with the note; everyone else
    signed in gets 404, whatever their roles, before anything else (even the method)
    is looked at, so nobody learns whether a note exists. Anonymous: sign in."""

    @wraps(view)
    @login_required
    @_while_the_keyring_reads
    def for_a_reader(request: SignedInRequest, public_id: str) -> HttpResponse:
        # Even a 404 (an expired note) advances time: a clock moved back brings nothing back.
        keyring_guard.notice_time()
        try:
            note = _note_for(request, public_id)
        except NoteGone as gone:
            return _gone(request, gone)
        return view(request, note)

    return for_a_reader


@never_cache
@_readers_only
@require_GET
def note_detail(request: SignedInRequest, note: CallNote) -> HttpResponse:
    private = None
    if note.sealed:
        try:
            private = unlocked_key(request)
        except Locked:
            return sign_in_again(request)
    contents, key_missing = None, False
    try:
        contents = note.open_for(request.user, private)
    except SealedToAnotherKey:
        pass
    except NoteExpired:
        return _gone(request, NoteGone(NoteEnding.What.EXPIRED, None))
    except keyring.Unreadable:
        if keyring.has_key(note.body_bucket):
            # Past its own expiry, not this reader's copy, or tampered with.
            raise Http404 from None
        # Its key is gone: shown as such to its readers, and the operator is told.
        logger.warning(
            "A live note's key is missing (expiry hour %d): it cannot be read", note.body_bucket
        )
        key_missing = True
    return render(
        request,
        "calls/detail.html",
        {"note": note, "contents": contents, "key_missing": key_missing},
    )


@never_cache
@_readers_only
@require_http_methods(["GET", "POST"])
def burn_note(request: SignedInRequest, note: CallNote) -> HttpResponse:
    if request.method != "POST":
        mine = note.author_id == request.user.pk
        return ask_first(
            request,
            Confirmation(
                question=_("Burn this note now?")
                if mine
                else _("Burn the note %(name)s handed to you?") % {"name": note.author},
                explain=_(
                    "It is destroyed at once, for you and for your teammate. It cannot be undone."
                ),
                action=_("Burn now"),
                back=reverse("calls:detail", args=[note.public_id]),
            ),
        )
    burn(note)
    messages.success(request, _("The note is destroyed."))
    return redirect("calls:list")


# --- Follow-ups: the teammate a note is handed to ------------------------------------


def _for_the_follow_up(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Follow-up actions: the teammate the note is handed to only. Its author
    (who knows the note exists) is told so; everyone else gets 404 as before."""

    @wraps(view)
    def for_the_holder(request: SignedInRequest, note: CallNote) -> HttpResponse:
        if not note.is_follow_up_of(request.user) or not note.sealed:
            messages.error(request, _("Only the teammate it is handed to can do that."))
            return redirect("calls:detail", public_id=note.public_id)
        return view(request, note)

    return for_the_holder


def _back_to_queue(request: SignedInRequest) -> HttpResponse:
    return redirect("shifts:oncall")


def _cannot_open(request: SignedInRequest, note: CallNote, failure: Exception) -> HttpResponse:
    """A follow-up action on a note that no longer opens: its own page says why when
    it expired that moment or its key is gone; otherwise (a copy that does not open)
    the queue says it could not be done. Never a bare 404."""
    messages.error(request, _("That could not be done: the note can no longer be opened."))
    if isinstance(failure, NoteExpired) or not keyring.has_key(note.body_bucket):
        return redirect("calls:detail", public_id=note.public_id)
    return _back_to_queue(request)


@never_cache
@_readers_only
@require_http_methods(["GET", "POST"])
@_for_the_follow_up
def follow_up_done(request: SignedInRequest, note: CallNote) -> HttpResponse:
    """Done: the note is burned and one completed follow-up is counted anonymously.
    Destructive, so it asks first (a page of its own, with or without JavaScript)."""
    if request.method == "POST":
        with transaction.atomic():
            WeeklyCount.add(timezone.localdate(), Measure.FOLLOW_UP, [FollowUpOutcome.DONE])
            burn(note, ending=NoteEnding.What.DONE)
        messages.success(request, _("Follow-up done. The note is destroyed; it was counted."))
        return _back_to_queue(request)
    return render(request, "calls/follow_up_done.html", {"note": note})


@never_cache
@_readers_only
@require_POST
@_for_the_follow_up
def follow_up_unreachable(request: SignedInRequest, note: CallNote) -> HttpResponse:
    try:
        private = unlocked_key(request)
        note.mark_unreachable(request.user, private, timezone.localdate())
        followup_index.forget(request.user, private, note.pk)
    except Locked:
        return sign_in_again(request)
    except (keyring.Unreadable, NoteExpired) as failure:
        return _cannot_open(request, note, failure)
    messages.success(request, _("Noted: you couldn't reach them. The note stays until it expires."))
    return _back_to_queue(request)


@never_cache
@_readers_only
@require_http_methods(["GET", "POST"])
@_for_the_follow_up
def follow_up_hand_on(request: SignedInRequest, note: CallNote) -> HttpResponse:
    form = HandOnForm(posted(request), holder=request.user, author_id=note.author_id)
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["to"]
        try:
            note.hand_on(request.user, unlocked_key(request), to)
            clean_up_deleted()  # the first teammate's sealed copy
        except Locked:
            return sign_in_again(request)
        except NoKeyPair:
            form.add_error("to", _("The note cannot be sealed to them yet. Choose someone else."))
        except (keyring.Unreadable, NoteExpired) as failure:
            return _cannot_open(request, note, failure)
        else:
            messages.success(
                request,
                _("Handed on to %(name)s. Only they (and its author) can read it now.")
                % {"name": to},
            )
            return _back_to_queue(request)
    return render(request, "calls/follow_up_hand_on.html", {"note": note, "form": form})


# --- Shift check-out ----------------------------------------------------------------


@role_required("respond")
@require_POST
def check_out(request: SignedInRequest, pk: int) -> HttpResponse:
    """The answer to the one question after a shift."""
    shift = checkout.shift_to_check_out(request.user, timezone.now())
    choice = request.POST.get("answer", "")
    if shift is None or shift.pk != pk:
        messages.info(request, _("That check-out is already answered, or has closed."))
        return _back_to_queue(request)
    if choice not in CheckOutAnswer.values:
        messages.error(request, _("Choose one of the three answers."))
        return _back_to_queue(request)
    debrief_place = checkout.answer(
        request.user, shift, choice, show_name=bool(request.POST.get("show_name"))
    )
    if debrief_place is None:  # a second tab, or a second tap: the first answer stands
        messages.info(request, _("That check-out is already answered, or has closed."))
        return _back_to_queue(request)
    if choice == CheckOutAnswer.DEBRIEF and debrief_place:
        messages.success(request, _("Thank you. Someone from the debrief place will reach out."))
    elif choice == CheckOutAnswer.DEBRIEF:
        messages.success(
            request,
            _(
                "Thank you. Nobody holds a debrief place now: the coordinators are told, "
                "and one will reach out."
            ),
        )
    elif choice == CheckOutAnswer.BREAK:
        messages.success(
            request,
            _("Thank you. Take the time you need: add time off below, and the roster respects it."),
        )
        return redirect("shifts:time_off")
    else:
        messages.success(request, _("Thank you. Rest well."))
    return _back_to_queue(request)


@login_required
@require_POST
def acknowledge_request(request: SignedInRequest, pk: int) -> HttpResponse:
    if not checkout.acknowledge(request.user, pk):
        # Seen by another holder of the debrief place, or ended: said, not a bare 404.
        messages.info(request, _("That request was already seen, or has ended."))
        return _back_to_queue(request)
    messages.success(request, _("Marked as seen. The request is deleted."))
    return _back_to_queue(request)


@role_required("respond")
@require_POST
def briefing_read(request: SignedInRequest, pk: int) -> HttpResponse:
    """The start-of-shift briefing is read: it stays away for the rest of the shift."""
    briefing.mark_read(request, pk)
    return _back_to_queue(request)


# --- Field check-in -----------------------------------------------------------------


@role_required("respond")
@require_POST
def field_start(request: SignedInRequest) -> HttpResponse:
    try:
        minutes = whole_number(request.POST.get("minutes", ""), most_digits=3)
        if minutes is None:
            raise ValueError
        check_in = fieldcheck.start(request.user, minutes)
    except ValueError:
        messages.error(request, _("Choose 30, 45, 60 or 90 minutes."))
        return _back_to_queue(request)
    messages.success(
        request,
        _("Timer started: check in by %(due)s, or the line holder is alerted.")
        % {"due": timezone.localtime(check_in.due_at).strftime("%H:%M")},
    )
    return _back_to_queue(request)


@role_required("respond")
@require_POST
def field_check_in(request: SignedInRequest) -> HttpResponse:
    if fieldcheck.check_in(request.user):
        messages.success(request, _("Welcome back. The timer is gone."))
    else:  # ended already (or checked in from another tab): say so, not nothing
        messages.info(request, _("No timer of yours was running: there was nothing to check in."))
    return _back_to_queue(request)


# --- Notices ---------------------------------------------------------------------


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def notices(request: SignedInRequest) -> HttpResponse:
    """Coordinators post short notices to responders; each expires on its last day."""
    form = NoticeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        Notice.objects.create(
            text=form.cleaned_data["text"],
            posted_by=request.user,
            posted_at=timezone.now(),
            expires_at=form.end_of_last_day(),
        )
        messages.success(request, _("Notice posted. It goes by itself after its last day."))
        return redirect("calls:notices")
    return render(request, "calls/notices.html", {"form": form, "notices": Notice.objects.live()})


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def withdraw_notice(request: SignedInRequest, pk: int) -> HttpResponse:
    # Asked like the other removals: the one helper, with this notice's own words.
    notice = get_object_or_404(Notice.objects.live(), pk=pk)
    return delete_after_asking(
        request,
        notice,
        Confirmation(
            question=_("Withdraw this notice?"),
            explain=_(
                "Responders stop seeing it at once, and it cannot be brought back: post it "
                "again if you need to."
            ),
            action=_("Withdraw"),
            back=reverse("calls:notices"),
        ),
        _("Notice withdrawn."),
    )


@role_required("respond")
@require_POST
def notice_read(request: SignedInRequest, pk: int) -> HttpResponse:
    notice = Notice.objects.live().filter(pk=pk).first()
    if notice is None:
        raise Http404
    NoticeRead.objects.get_or_create(notice=notice, person=request.user)
    if request.POST.get("folded"):  # back into the fold, which the browser opens for it
        return redirect(reverse("shifts:oncall") + "#folded-notices")
    return _back_to_queue(request)


# --- Coordinators -----------------------------------------------------------------


@role_required("coordinate")
@require_GET
def evaluation(request: SignedInRequest) -> HttpResponse:
    tallies = list(Tally.objects.all())
    counts = list(WeeklyCount.objects.all())
    weeks = weekly_totals(tallies)
    return render(
        request,
        "calls/evaluation.html",
        {
            "weeks": weeks,
            "months": monthly_totals(tallies),
            "by_kind": totals_by(tallies, "kind", Kind),
            "by_response": totals_by(tallies, "response", Response),
            "by_police": totals_by(tallies, "police", Police),
            "follow_ups": sum(t.count for t in tallies if t.follow_up),
            "total": sum(t.count for t in tallies),
            "kind_by_police": kind_by_police(tallies),
            "by_need": measure_totals(counts, Measure.NEED),
            "by_check_out": measure_totals(counts, Measure.CHECK_OUT),
            "check_outs_by_week": check_outs_by_week(counts),
            "completed_follow_ups": completed_follow_ups(counts),
            "small": SMALL_COUNT,
            "reviews": TeamReview.objects.all()[:5],
        },
    )


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def team_review(request: SignedInRequest) -> HttpResponse:
    """The periodic review, stored as the team's own text."""
    form = TeamReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        review = form.save(commit=False)
        review.written_on = timezone.localdate()
        review.save()
        messages.success(request, _("The review is saved."))
        return redirect("calls:evaluation")
    return render(
        request,
        "calls/review.html",
        {"form": form, "reviews": TeamReview.objects.all()},
    )


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def delete_team_review(request: SignedInRequest, pk: int) -> HttpResponse:
    # Asked like the other removals: the one helper, with this review's own words.
    review = get_object_or_404(TeamReview, pk=pk)
    return delete_after_asking(
        request,
        review,
        Confirmation(
            question=_("Delete the review of %(period)s?") % {"period": review.period},
            explain=_("The team's words about that period are gone for good."),
            action=_("Delete"),
            back=reverse("calls:team_review"),
        ),
        _("Review deleted."),
    )


@role_required("coordinate")
@require_GET
def evaluation_csv(request: SignedInRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="call-totals.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    # Every week has a row for each combination, most of them 0: only those that count.
    writer.writerows(csv_rows(Tally.objects.filter(count__gt=0)))
    return response


@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def retention(request: SignedInRequest) -> HttpResponse:
    form = RetentionForm(posted(request), instance=RetentionPolicy.current())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Retention settings saved. New notes follow them."))
        return redirect("calls:retention")
    default_hours, longest = retention_bounds()
    return render(
        request,
        "calls/retention.html",
        {"form": form, "env_default_hours": default_hours, "longest_hours": longest},
    )


def wipe_report(notes: int, keys: int) -> str:
    """What the emergency wipe destroyed, in words (nothing, when there was nothing)."""
    if not notes and not keys:
        return _("There were no notes and no keys: nothing needed destroying.")
    return _("Every note and every key is destroyed: %(notes)s and %(keys)s.") % {
        "notes": ngettext("%(count)d note", "%(count)d notes", notes) % {"count": notes},
        "keys": ngettext("%(count)d key", "%(count)d keys", keys) % {"count": keys},
    }


def keys_not_destroyed(notes: int) -> str:
    return _(
        "%(notes)s deleted from the database, but the server could not destroy its keys: "
        "it cannot write to its keyring. Tell whoever runs the server to make the keyring "
        "writable, then wipe again."
    ) % {"notes": ngettext("%(count)d note", "%(count)d notes", notes) % {"count": notes}}


@never_cache
@role_required("coordinate")
@require_http_methods(["GET", "POST"])
def wipe(request: SignedInRequest) -> HttpResponse:
    form = WipeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            notes, keys = wipe_everything()
        except KeysNotDestroyed as failure:
            messages.error(request, keys_not_destroyed(failure.notes))
            return redirect("calls:wipe")
        messages.success(request, wipe_report(notes, keys))
        return redirect("calls:wipe")
    return render(request, "calls/wipe.html", {"form": form, "phrase": wipe_phrase()})


# --- Public -------------------------------------------------------------------------


@require_GET
def privacy(request: SignedInRequest) -> HttpResponse:
    policy = RetentionPolicy.current()
    return render(
        request,
        "calls/privacy.html",
        {
            "default_hours": policy.effective_hours,
            "longest_days": retention_bounds()[1] // 24,
            "statement": policy.statement_for(get_language() or settings.LANGUAGE_CODE),
            "kinds": Kind.labels,
            "needs": Need.labels,
            "responses": Response.labels,
            "police": Police.labels,
            "body_max": BODY_MAX_CHARS,
            "ending_days": settings.NOTE_ENDING_DAYS,
            "request_days": settings.AFTERCARE_REQUEST_DAYS,
            "check_out_hours": settings.CHECK_OUT_HOURS + 1,
            "notice_days": settings.NOTICE_MAX_DAYS,
            "device_days": settings.DEVICE_COOKIE_DAYS,
            "throttle_minutes": settings.SIGNIN_THROTTLE_MINUTES,
            "unsealed_until": CallNote.objects.filter(sealed=False).aggregate(
                until=Max("expires_at")
            )["until"],
            "details_in_clear_until": CallNote.objects.filter(kind__isnull=False).aggregate(
                until=Max("expires_at")
            )["until"],
        },
    )
