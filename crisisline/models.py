"""People, roles, invitations and the line's public text."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.contrib.sessions.models import Session
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crisisline.i18n import in_reading_language
from crisisline.numbers import whole_number

# Sent after a person is deactivated, so that other apps revoke what they hold
# (calendar feed tokens and so on). Arguments: person.
person_deactivated = Signal()


def shown_name(display_name: str, username: str) -> str:
    """How a person is named wherever they are shown (their chosen name, else their
    username); for people read as plain rows too."""
    return display_name or username


def single_row(name: str, message: Any) -> models.CheckConstraint:
    """The constraint of a settings table that holds one row (id 1), read and
    changed in place: `message` is what someone adding a second is told."""
    return models.CheckConstraint(
        condition=models.Q(id=1), name=name, violation_error_message=message
    )


def keyed_hash(purpose: str, value: str) -> str:
    """A keyed, one-way digest: lets us match a value without storing it."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


class Skill(models.Model):
    """A skill, a training or a language a position may require."""

    class Kind(models.TextChoices):
        SKILL = "skill", _("Skill or training")
        LANGUAGE = "language", _("Language")

    name = models.CharField(
        _("name"),
        max_length=60,
        unique=True,
        error_messages={"unique": _("There is already a skill or language with this name.")},
    )
    name_es = models.CharField(
        _("name in Spanish"),
        max_length=60,
        blank=True,
        help_text=_("Shown to people reading in Spanish. Leave empty to use the name above."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SKILL)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("skill")

    def __str__(self) -> str:
        return in_reading_language(self.name, self.name_es)


def administrator_rank(person: object) -> int:
    """2 for a superuser, 1 for staff (the admin site), 0 for everyone else."""
    if getattr(person, "is_superuser", False):
        return 2
    return 1 if getattr(person, "is_staff", False) else 0


class PersonManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        """As Django's, but the password policy applies here too: createsuperuser
        without input (DJANGO_SUPERUSER_PASSWORD) and its "bypass validation" prompt
        would otherwise skip it."""
        from django.contrib.auth.password_validation import validate_password

        if password is not None:
            validate_password(password, user=self.model(username=username, **extra))
        return super().create_superuser(username, email, password, **extra)

    def manageable_by(self, actor: object) -> models.QuerySet[User]:
        """The people `actor` may manage (roles, password links, (de)activation).

        Coordinators manage the line's people; an administrator is managed only
        by an administrator of at least the same rank, so that nobody can take
        over an account that can do more than their own.
        """
        rank = administrator_rank(actor)
        if rank >= 2:
            return self.all()
        if rank == 1:
            return self.filter(is_superuser=False)
        return self.filter(is_superuser=False, is_staff=False)


class User(AbstractUser):
    """A member of the line. Roles are groups: Responder, Coordinator, Trainer."""

    # Removing an inherited field is done by setting it to None; the stubs only know it as a field.
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    display_name = models.CharField(_("name"), max_length=80)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=32,
        blank=True,
        help_text=_("Shown to teammates so they can call or text you."),
    )
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="people", verbose_name=_("skills, trainings, languages")
    )
    max_shifts_per_month = models.PositiveSmallIntegerField(
        _("most shifts a month"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(62)],
        help_text=_("Leave empty for no limit."),
    )
    min_rest_hours = models.PositiveSmallIntegerField(
        _("least rest between shifts (hours)"),
        default=8,
        validators=[MaxValueValidator(168)],
    )
    language = models.CharField(
        _("language for emails"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Reminders and alerts reach you in this language. Empty: the line's own."),
    )
    line_gap_emails = models.BooleanField(
        _("email me when nobody holds the line soon"),
        default=True,
        help_text=_(
            "Sent once per empty line-holder place in the next 48 hours, if you could take it."
        ),
    )

    # When the person was last deactivated or reactivated: part of every
    # password link (crisisline.tokens), so neither brings an older link back.
    access_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    REQUIRED_FIELDS = ["display_name"]

    objects: ClassVar[PersonManager] = PersonManager()

    class Meta:
        ordering = ["display_name"]
        permissions = [
            ("respond", "Can take shifts and write call notes"),
            ("coordinate", "Can manage people, the roster and the line's public text"),
            ("train", "Can edit protocols and decision trees"),
        ]

    def __str__(self) -> str:
        return shown_name(self.display_name, self.username)

    @property
    def phone_needs_fixing(self) -> bool:
        """A number kept as typed because it could not be read as E.164 (see phones.py)."""
        from crisisline.phones import is_e164

        return bool(self.phone) and not is_e164(self.phone)

    def role_names(self) -> list[str]:
        return sorted(group.name for group in self.groups.all())

    @transaction.atomic
    def deactivate(self) -> None:
        """Offboard: sign out everywhere at once and revoke every token.

        Invitations they issued and nobody used yet end too, for good: they stay
        ended if the person is reactivated later.
        """
        self.is_active = False
        self.access_changed_at = timezone.now()
        self.save(update_fields=["is_active", "access_changed_at"])
        end_sessions_of(self)
        self.clear_two_factor()
        now = timezone.now()
        Invitation.objects.filter(created_by=self, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        person_deactivated.send(sender=type(self), person=self)

    @property
    def has_two_factor(self) -> bool:
        """True once an authenticator is confirmed (RFC 6238 codes at sign-in)."""
        return TwoFactor.objects.filter(person=self, confirmed_at__isnull=False).exists()

    def must_use_two_factor(self) -> bool:
        """Coordinators and administrators hold people, the roster and the
        emergency wipe: they cannot sign in on a password alone."""
        from crisisline.roles import can

        return self.is_superuser or can(self, "coordinate")

    def sign_out_unless_second_step_set_up(self) -> None:
        """Someone who must use two-step sign-in (just made a coordinator, or whose
        authenticator was just reset) and has none is signed out everywhere: their
        next sign-in sets one up before anything opens."""
        if self.must_use_two_factor() and not self.has_two_factor:
            end_sessions_of(self)

    def clear_two_factor(self) -> None:
        """Forget the authenticator and every recovery code (deactivation, a
        password reset, or a coordinator's reset for a lost phone)."""
        TwoFactor.objects.filter(person=self).delete()
        RecoveryCode.objects.filter(person=self).delete()

    def reactivate(self) -> None:
        """Let them sign in again; password links from before stay dead."""
        self.is_active = True
        self.access_changed_at = timezone.now()
        self.save(update_fields=["is_active", "access_changed_at"])


class SkillGrantQuerySet(models.QuerySet["SkillGrant"]):
    def counting_on(self, on: date | models.Expression) -> SkillGrantQuerySet:
        """Grants that count on the day `on` (a date, or an expression such as a
        shift's local date): confirmed, granted by then, not lapsed."""
        return self.filter(confirmed=True, granted_on__lte=on).filter(
            models.Q(renew_by__isnull=True) | models.Q(renew_by__gte=on)
        )

    def lapsing_by(self, day: date) -> SkillGrantQuerySet:
        """Confirmed grants whose renewal date falls on or before `day`."""
        return self.filter(confirmed=True, renew_by__isnull=False, renew_by__lte=day)


class SkillGrant(models.Model):
    """A skill or training a trainer or coordinator confirmed a person holds.

    Languages are not granted: people say which they speak on their profile.
    A grant that is not confirmed (a skill people once ticked for themselves)
    is kept so that a trainer can confirm it, but it does not count.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_grants"
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="grants")
    granted_on = models.DateField(_("granted on"), default=timezone.localdate)
    renew_by = models.DateField(
        _("renew by"),
        null=True,
        blank=True,
        help_text=_("Optional: from the day after, the skill no longer counts until renewed."),
    )
    confirmed = models.BooleanField(default=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SkillGrantQuerySet.as_manager()

    class Meta:
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "skill"],
                name="skill_grant_once",
                violation_error_message=_(
                    "This person already holds this skill: renew it instead of granting it again."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(renew_by__isnull=True)
                | models.Q(renew_by__gte=models.F("granted_on")),
                violation_error_message=_("The renewal date is before the day it was granted."),
                name="skill_grant_renewed_after_granted",
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed=False) | ~models.Q(person=models.F("granted_by")),
                violation_error_message=_(
                    "Nobody can grant a skill to themselves: ask another trainer or coordinator."
                ),
                name="skill_grant_never_self_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} · {self.person}"

    def lapsed(self, on: date | None = None) -> bool:
        return self.renew_by is not None and self.renew_by < (on or timezone.localdate())


def end_sessions_of(person: User) -> int:
    """Delete every stored session that belongs to `person`; returns how many."""
    ended = 0
    wanted = str(person.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == wanted:
            session.delete()
            ended += 1
    return ended


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            used_at__isnull=True, expires_at__gt=timezone.now(), created_by__is_active=True
        )

    def find(self, token: str) -> Invitation | None:
        return (
            self.select_related("created_by")
            .filter(token_hash=keyed_hash("invitation", token))
            .first()
        )


class Invitation(models.Model):
    """A one-time link that lets one new person join with the roles it carries.

    Only a digest of the token is stored: a copy of the database cannot be
    turned into working links.
    """

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(
        _("for"),
        max_length=80,
        blank=True,
        help_text=_("A note for coordinators, e.g. the first name of the person invited."),
    )
    roles = models.ManyToManyField(Group, verbose_name=_("roles"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Declared like SkillGrant.granted_by, but a different fact: who joined with the link.
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation {self.pk}"

    @classmethod
    def issue(
        cls, *, created_by: User, roles: list[Group], label: str = ""
    ) -> tuple[Invitation, str]:
        """Create an invitation; the token is returned once and never stored."""
        token = secrets.token_urlsafe(24)
        invitation = cls.objects.create(
            token_hash=keyed_hash("invitation", token),
            label=label,
            created_by=created_by,
            expires_at=timezone.now() + timedelta(hours=settings.INVITATION_HOURS),
        )
        invitation.roles.set(roles)
        return invitation, token

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_revoked(self) -> bool:
        """An invitation is only as good as the active coordinator who issued it
        (however they were deactivated, even by a superuser in the admin)."""
        return self.created_by is None or not self.created_by.is_active

    def use(self, make_person: Callable[[], User]) -> User:
        """Make the person who joins and give them this invitation's roles, in one
        transaction that locks the invitation, so that two tabs cannot both use it.

        Raises InvitationGone when it was used, revoked or expired meanwhile, and
        IntegrityError when the username was just taken."""
        with transaction.atomic():
            locked = Invitation.objects.select_for_update().get(pk=self.pk)
            if locked.is_used or locked.is_revoked or locked.is_expired:
                raise InvitationGone
            person = make_person()
            person.groups.set(locked.roles.all())
            locked.used_at = timezone.now()
            locked.used_by = person
            locked.save(update_fields=["used_at", "used_by"])
        return person


class InvitationGone(Exception):
    """The invitation was used, revoked or expired while someone was joining with it."""


class FailedSignInQuerySet(models.QuerySet["FailedSignIn"]):
    def recent(self) -> FailedSignInQuerySet:
        window = timedelta(minutes=settings.SIGNIN_THROTTLE_MINUTES)
        return self.filter(at__gt=timezone.now() - window)

    def prune(self) -> int:
        window = timedelta(minutes=settings.SIGNIN_THROTTLE_MINUTES)
        deleted, _ = self.filter(at__lte=timezone.now() - window).delete()
        return deleted


class FailedSignIn(models.Model):
    """One failed sign-in, keyed by a keyed hash of the account or the client.

    Neither usernames nor client addresses are stored, and rows are deleted
    once they are older than the throttle window.
    """

    key = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = FailedSignInQuerySet.as_manager()

    def __str__(self) -> str:
        return f"FailedSignIn {self.pk}"


class TwoFactor(models.Model):
    """A person's authenticator app: the secret it shares with the server for
    time-based one-time codes (RFC 6238, 6 digits, 30 s steps; pyotp computes them).

    Unconfirmed until the person types one code it shows. `last_step` is the time
    step of the last code accepted: a code is never accepted twice, nor one older
    than a code already used.
    """

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor"
    )
    secret = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("two-step sign-in")

    def __str__(self) -> str:
        return f"TwoFactor {self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def accept(self, code: str) -> bool:
        """True, once, for a code the authenticator shows now (or one step either
        side, for a phone's clock a little off); the step is claimed in the same
        UPDATE that checks it, so two requests cannot both use one code."""
        import pyotp

        code = "".join(code.split())
        # ASCII digits only: '١٢٣٤٥٦'.isdigit() is True, and compare_digest refuses
        # text outside ASCII with a TypeError.
        if whole_number(code, most_digits=6) is None or len(code) != 6:
            return False
        totp = pyotp.TOTP(self.secret)
        current = totp.timecode(timezone.now())
        for step in (current - 1, current, current + 1):
            if hmac.compare_digest(totp.generate_otp(step), code):
                claimed = TwoFactor.objects.filter(pk=self.pk, last_step__lt=step).update(
                    last_step=step
                )
                if claimed:
                    self.last_step = step
                return bool(claimed)
        return False


RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODES = 10


def normalise_recovery_code(code: str) -> str:
    return "".join(character for character in code.lower() if character.isalnum())


class RecoveryCode(models.Model):
    """A single-use code for signing in without the authenticator. Only a keyed
    digest is stored; the codes are shown once, when issued."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"RecoveryCode {self.pk}"

    @staticmethod
    def _digest(code: str) -> str:
        return keyed_hash("recovery-code", normalise_recovery_code(code))

    @classmethod
    @transaction.atomic
    def issue_for(cls, person: User) -> list[str]:
        """New codes for `person`, replacing every earlier one; returned once."""
        cls.objects.filter(person=person).delete()
        codes = []
        for _number in range(RECOVERY_CODES):
            raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(10))
            codes.append(f"{raw[:5]}-{raw[5:]}")
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(person=person, code_hash=cls._digest(code)) for code in codes]
        )
        return codes

    @classmethod
    def use(cls, person: User, code: str) -> bool:
        """True if `code` is one of `person`'s unused codes; it is used up at once."""
        if len(normalise_recovery_code(code)) != 10:
            return False
        return bool(
            cls.objects.filter(
                person=person, code_hash=cls._digest(code), used_at__isnull=True
            ).update(used_at=timezone.now())
        )


class Line(models.Model):
    """The line's public description, edited by coordinators (a single row)."""

    name = models.CharField(_("name of the line"), max_length=80, default="Crisis line")
    public_phone = models.CharField(_("the line's phone number"), max_length=32, blank=True)
    responds_to = models.TextField(_("what the line responds to"), blank=True)
    does_not_respond_to = models.TextField(_("what the line does not respond to"), blank=True)
    responds_to_es = models.TextField(_("what the line responds to (Spanish)"), blank=True)
    does_not_respond_to_es = models.TextField(
        _("what the line does not respond to (Spanish)"), blank=True
    )

    class Meta:
        constraints = [
            single_row(
                "line_is_single_row",
                _("There is only one line: change its settings instead of adding another."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def public_phone_display(self) -> str:
        """The line's number grouped for reading (+52 55 1234 5678)."""
        from crisisline.phones import display

        return display(self.public_phone)

    @classmethod
    def current(cls) -> Line:
        line = cls.objects.filter(pk=1).first()
        return line if line is not None else cls(pk=1)

    def text_for(self, language: str) -> tuple[str, str]:
        """(responds to, does not respond to) in `language`, falling back to English."""
        if language == "es":
            return (
                self.responds_to_es or self.responds_to,
                self.does_not_respond_to_es or self.does_not_respond_to,
            )
        return self.responds_to, self.does_not_respond_to


class Heartbeat(models.Model):
    """When a periodic job last finished: one row per job, so a stopped scheduler
    shows (/healthz, the dashboard) instead of expiry quietly stopping."""

    name = models.CharField(max_length=64, primary_key=True)
    finished_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.finished_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, name: str) -> None:
        cls.objects.update_or_create(name=name, defaults={"finished_at": timezone.now()})

    @classmethod
    def last(cls, name: str) -> datetime | None:
        """When `name` last finished, or None: one primary-key query."""
        beat = cls.objects.filter(pk=name).only("finished_at").first()
        return beat.finished_at if beat is not None else None


# The record of roster and people changes lives in its own module.
from crisisline.audit import Change  # noqa: E402, F401
