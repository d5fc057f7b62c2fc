"""Call notes that really expire, the retention policy, and anonymous weekly totals."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.debug import sensitive_variables

from calls import envelope, keyring, keyring_guard, sealing
from calls.keyring_guard import KeyringRecord  # noqa: F401 - its model lives there
from crisisline.models import keyed_hash, single_row

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from crisisline.models import User

BODY_MAX_CHARS = 1000


class Kind(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    CRISIS_ACUTE = "crisis-acute", _("Crisis: acute")
    CRISIS_NON_ACUTE = "crisis-non-acute", _("Crisis: non-acute")
    CRISIS_CHRONIC = "crisis-chronic", _("Crisis: chronic")
    PREVENTION = "prevention", _("Prevention")
    AFTERCARE = "aftercare", _("Aftercare")
    INFORMATION = "information", _("Information")
    OTHER = "other", pgettext_lazy("kind of call", "Other")


class Response(models.TextChoices):
    PHONE = "phone", _("Phone support")
    IN_PERSON = "in-person", _("In person")
    REFERRAL = "referral", _("Referral")
    NONE = "none", pgettext_lazy("response", "None")


class Police(models.TextChoices):
    NONE = "none", _("No police")
    UNSOLICITED = "unsolicited", _("Arrived unsolicited")
    CALLED_BY_OTHER = "called-by-other", _("Called by someone else")
    # The line counts its own calls to emergency services.
    CALLED_BY_TEAM = "called-by-team", _("The team called emergency services")


class Need(models.TextChoices):
    HOUSING = "housing", _("Housing")
    FOOD = "food", _("Food")
    SAFETY = "safety", _("Safety")
    MEDICAL = "medical", _("Medical")
    HARM_REDUCTION = "harm-reduction", _("Harm reduction")
    MENTAL_HEALTH = "mental-health", _("Mental health")
    LEGAL = "legal", _("Legal")
    IMMIGRATION = "immigration", _("Immigration")
    TRANSPORT = "transport", _("Transport")
    COMPANY = "company", _("Company")


def _choice_check(field: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"callnote_{field}_is_known",
        violation_error_message=_("Choose one of the options listed."),
    )


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


def retention_bounds() -> tuple[int, int]:
    """(the environment's default hours, the most hours any note may live)."""
    return settings.NOTE_RETENTION_DEFAULT_HOURS, settings.NOTE_RETENTION_MAX_DAYS * 24


class RetentionPolicy(models.Model):
    """The coordinators' choices within the environment's bounds (a single row)."""

    default_hours = models.PositiveIntegerField(_("notes live for (hours)"))
    statement = models.TextField(
        _("the line's own statement"),
        blank=True,
        max_length=2000,
        help_text=_(
            "Shown on the public page, e.g. whether and when anyone outside the line is "
            "ever contacted."
        ),
    )
    statement_es = models.TextField(
        _("the line's own statement (Spanish)"), blank=True, max_length=2000
    )

    class Meta:
        constraints = [
            single_row(
                "retention_policy_is_single_row",
                _("There is only one retention policy: change it instead of adding another."),
            ),
            models.CheckConstraint(
                condition=Q(default_hours__gte=1),
                name="retention_default_is_positive",
                violation_error_message=_("Keep notes for at least one hour."),
            ),
        ]

    def __str__(self) -> str:
        return f"RetentionPolicy {self.default_hours} h"

    @classmethod
    def current(cls) -> RetentionPolicy:
        return cls.objects.filter(pk=1).first() or cls(
            pk=1, default_hours=settings.NOTE_RETENTION_DEFAULT_HOURS
        )

    @property
    def effective_hours(self) -> int:
        """The chosen default, kept within the environment's maximum."""
        return max(1, min(self.default_hours, retention_bounds()[1]))

    def statement_for(self, language: str) -> str:
        if language == "es":
            return self.statement_es or self.statement
        return self.statement


def note_expiry(
    *,
    now: datetime,
    keep_hours: int,
    follow_up_by: date | None = None,
    keep_until: datetime | None = None,
) -> datetime:
    """When a note expires: its retention (or an earlier instant such as the end of the
    writer's shift), extended to its follow-up day, never past the maximum."""
    longest = now + timedelta(hours=retention_bounds()[1])
    expires = now + timedelta(hours=keep_hours)
    if keep_until is not None and now < keep_until < expires:
        expires = keep_until
    if follow_up_by is not None:
        # The note lives to the end of the follow-up day in the line's zone.
        zone = timezone.get_default_timezone()
        end_of_day = datetime.combine(follow_up_by + timedelta(days=1), datetime.min.time(), zone)
        expires = max(expires, end_of_day)
    return min(expires, longest)


class NoKeyPair(Exception):
    """The person has never signed in since notes were sealed: nothing can be sealed to them."""

    def __init__(self, person: User) -> None:
        super().__init__(f"person {person.pk} has no note key pair")
        self.person = person


class SealedToAnotherKey(Exception):
    """The note was sealed to the reader's previous key pair (before a reset)."""


class CannotFollowUp(Exception):
    """Only the teammate a sealed note is handed to may act on its follow-up."""


class NoteExpired(keyring.Unreadable):
    """The note's own expiry (sealed inside it) has passed; its bucket lasts a little longer."""


@dataclass(frozen=True)
class NoteContents(envelope.Details):
    """A note as its reader sees it: everything about the call, and its text."""

    body: str

    def get_kind_display(self) -> str:
        return str(Kind(self.kind).label)

    def get_response_display(self) -> str:
        return str(Response(self.response).label)

    def get_police_display(self) -> str:
        return str(Police(self.police).label)

    @property
    def need_labels(self) -> list[str]:
        return [str(Need(need).label) for need in self.needs]


def expiry_bucket_end(expires_at: datetime) -> datetime:
    """The instant a note's bucket key is destroyed: the only expiry the row keeps."""
    return datetime.fromtimestamp(keyring.bucket_end(keyring.bucket_for(expires_at)), tz=UTC)


class NoteKeys(models.Model):
    """A person's key pair for sealed notes. The private key is stored only wrapped
    by a key derived from their password (Argon2id); the server cannot unwrap it."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="note_keys"
    )
    public_key = models.BinaryField(max_length=sealing.PUBLIC_KEY_BYTES)
    wrapped_private_key = models.BinaryField()
    salt = models.BinaryField(max_length=sealing.SALT_BYTES)
    argon2_time_cost = models.PositiveIntegerField()
    argon2_memory_kib = models.PositiveIntegerField()
    argon2_parallelism = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("public_key"), sealing.PUBLIC_KEY_BYTES),
                violation_error_message=_("This note key is damaged: make a new one."),
                name="note_keys_public_key_is_32_bytes",
            ),
            models.CheckConstraint(
                condition=Exact(Length("salt"), sealing.SALT_BYTES),
                violation_error_message=_("This note key is damaged: make a new one."),
                name="note_keys_salt_is_16_bytes",
            ),
            models.CheckConstraint(  # type: ignore[call-overload]  # a lookup is a condition
                condition=Q(argon2_time_cost__gte=1)
                & Q(argon2_parallelism__gte=1)
                & GreaterThanOrEqual(F("argon2_memory_kib"), F("argon2_parallelism") * 8),
                violation_error_message=_("This note key is damaged: make a new one."),
                name="note_keys_argon2_cost_is_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"NoteKeys of person {self.person_id}"

    @property
    def pair(self) -> sealing.WrappedKeyPair:
        return sealing.WrappedKeyPair(
            public_key=bytes(self.public_key),
            wrapped_private_key=bytes(self.wrapped_private_key),
            salt=bytes(self.salt),
            cost=sealing.Argon2Cost(
                time_cost=self.argon2_time_cost,
                memory_kib=self.argon2_memory_kib,
                parallelism=self.argon2_parallelism,
            ),
        )

    def _store(self, pair: sealing.WrappedKeyPair) -> None:
        self.public_key = pair.public_key
        self.wrapped_private_key = pair.wrapped_private_key
        self.salt = pair.salt
        self.argon2_time_cost = pair.cost.time_cost
        self.argon2_memory_kib = pair.cost.memory_kib
        self.argon2_parallelism = pair.cost.parallelism

    @sensitive_variables()
    def unlock(self, password: str) -> X25519PrivateKey:
        """The private key, or sealing.WrongPassword (and nothing changes)."""
        return sealing.unwrap(self.pair, password)

    @sensitive_variables()
    def rewrap(self, private: X25519PrivateKey, password: str) -> None:
        """Wrap the same private key under a new password (a password change)."""
        if sealing.public_bytes_of(private) != bytes(self.public_key):
            raise sealing.WrongPassword
        self._store(sealing.wrap(private, password))
        self.save()

    @classmethod
    @sensitive_variables()
    def create_for(cls, person: User, password: str) -> X25519PrivateKey:
        """A new key pair for `person`, replacing any old one (whose notes become unreadable)."""
        private, pair = sealing.new_key_pair(password)
        keys = cls(person=person, created_at=timezone.now())
        keys._store(pair)
        values = {
            field: getattr(keys, field)
            for field in (
                "public_key",
                "wrapped_private_key",
                "salt",
                "argon2_time_cost",
                "argon2_memory_kib",
                "argon2_parallelism",
                "created_at",
            )
        }
        try:
            with transaction.atomic():
                cls.objects.update_or_create(person=person, defaults=values)
        except IntegrityError:  # a concurrent first sign-in created a row: replace it
            cls.objects.filter(person=person).update(**values)
        return private


class CallNoteQuerySet(models.QuerySet["CallNote"]):
    def readable_by(self, person: User) -> CallNoteQuerySet:
        """Live notes that `person` wrote or was handed for follow-up."""
        if not person.is_authenticated or not person.is_active:
            return self.none()
        return self.filter(Q(author=person) | Q(follow_up_to=person))

    def opened_by(
        self, reader: User, private: X25519PrivateKey | None, *, moment: datetime | None = None
    ) -> list[OpenedNote]:
        """The notes here `reader` may read, opened with their unlocked key, newest
        written first; then those sealed to the reader's previous key and those
        whose key is gone (shown as such). Those past their own (sealed) expiry,
        checked against `moment` (by default keyring_guard.expiry_moment()), are
        left out. A fixed number of queries, however many notes."""
        notes = (
            self.readable_by(reader)
            .select_related("author", "follow_up_to")
            .prefetch_related(
                models.Prefetch(
                    "seals",
                    queryset=NoteSeal.objects.filter(recipient=reader),
                    to_attr="reader_seals",
                )
            )
        )
        opened: list[tuple[CallNote, NoteContents]] = []
        closed: list[OpenedNote] = []
        moment = moment or keyring_guard.expiry_moment()
        present = set(keyring.buckets())
        for note in notes:
            try:
                opened.append((note, note.open_for(reader, private, moment=moment)))
            except SealedToAnotherKey:
                closed.append(OpenedNote(note, None))
            except keyring.Unreadable:
                if note.body_bucket not in present:  # its key is gone: shown as such
                    closed.append(OpenedNote(note, None, key_missing=True))
                # else expired by its own clock, or not this reader's: as good as burned
        opened.sort(key=lambda pair: (pair[1].written_at, pair[0].pk), reverse=True)
        return [OpenedNote(note, contents) for note, contents in opened] + closed

    def seal_unsealed(self) -> int:
        """Seal each note here written before sealing whose readers all have key
        pairs (see CallNote.seal_unsealed); returns how many were sealed."""
        sealed = 0
        for pk in self.filter(sealed=False).values_list("pk", flat=True):
            with transaction.atomic():
                # Locked, and looked at again: a concurrent sign-in may have sealed it.
                note = (
                    CallNote.including_expired.select_for_update(of=("self",))
                    .filter(pk=pk, sealed=False)
                    .select_related("author", "follow_up_to")
                    .first()
                )
                if note is not None and note.seal_unsealed():
                    sealed += 1
        return sealed


@dataclass(frozen=True)
class OpenedNote:
    """A note on its reader's list: its contents, or None when it was sealed to
    the reader's previous key pair (a reset) or its key is gone (`key_missing`)
    and it says nothing to them any more."""

    note: CallNote
    contents: NoteContents | None
    key_missing: bool = False

    @property
    def sealed_to_old_key(self) -> bool:
        return self.contents is None and not self.key_missing


class LiveNoteManager(models.Manager.from_queryset(CallNoteQuerySet)):  # type: ignore[misc]
    """The only way the app reads notes: an expired note is gone the instant it expires."""

    def get_queryset(self) -> CallNoteQuerySet:
        # Against the later of the clock and the high-water mark: never backwards.
        notes: CallNoteQuerySet = super().get_queryset()
        return notes.filter(expires_at__gt=keyring_guard.expiry_now())


class CallNote(models.Model):
    """A minimal call note. The body is stored only as ciphertext under its expiry bucket's key.

    There is no field for a caller's name, number, address or location.
    """

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    # In clear, only what access and expiry need: the readers and the expiry bucket.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    follow_up_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("follow-up by"),
    )
    body_bucket = models.BigIntegerField(editable=False)
    # The end of the expiry bucket (its key is destroyed then); the exact expiry is sealed.
    expires_at = models.DateTimeField(db_index=True, editable=False)
    # Sealed notes: the envelope (calls/envelope.py: the details and the text, padded)
    # under a random data key, sealed per reader (NoteSeal). Notes written before
    # sealing: under the bucket key alone.
    sealed = models.BooleanField(default=False, editable=False)
    body_ciphertext = models.BinaryField(editable=False)
    # Notes written before the details were sealed kept them in these columns, and
    # only the text in the ciphertext. NULL for every note since; such a note is
    # sealed whole when a reader opens it or it is sealed (seal_unsealed), or it
    # expires within NOTE_RETENTION_MAX_DAYS. Then these columns can go.
    # NULL, not "", says "not kept here" (and passes the choice constraints).
    kind = models.CharField(  # noqa: DJ001
        _("kind of call"), max_length=20, choices=Kind.choices, null=True
    )
    needs = models.JSONField(_("needs"), null=True, blank=True, default=None)
    response = models.CharField(  # noqa: DJ001
        _("response"), max_length=20, choices=Response.choices, null=True
    )
    police = models.CharField(  # noqa: DJ001
        _("police presence"), max_length=20, choices=Police.choices, null=True
    )
    follow_up_by = models.DateField(_("follow up by"), null=True, blank=True)
    written_at = models.DateTimeField(null=True, editable=False)

    # Only the purge and the emergency wipe look at expired rows.
    including_expired = models.Manager()
    objects = LiveNoteManager()

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "including_expired"
        ordering = ["-pk"]
        indexes = [
            # A holder's live follow-ups (their queue, on /oncall/ and the dashboard),
            # read from the index alone. Most notes are handed to nobody, so an index on
            # the holder alone looks unselective to SQLite's planner, which then reads
            # every live note through the index on expiry instead.
            models.Index(fields=["follow_up_to", "expires_at"], name="callnote_follow_up_live"),
        ]
        constraints = [
            _choice_check("kind", Kind),
            _choice_check("response", Response),
            _choice_check("police", Police),
        ]

    def __str__(self) -> str:
        return self.public_id

    def __repr__(self) -> str:
        return f"<CallNote {self.public_id}>"

    def _context(self) -> bytes:
        # Binds the ciphertext to this note: it cannot be pasted onto another row.
        return f"callnote:{self.public_id}".encode()

    def _envelope_context(self) -> bytes:
        return f"callnote envelope:{self.public_id}".encode()

    @property
    def details_in_clear(self) -> bool:
        """Written before the details were sealed: they are in this row's columns."""
        return self.kind is not None

    def _details_from_columns(self) -> envelope.Details:
        assert self.kind is not None and self.written_at is not None
        return envelope.Details(
            kind=self.kind,
            needs=tuple(self.needs or ()),
            response=self.response or Response.NONE,
            police=self.police or Police.NONE,
            follow_up_by=self.follow_up_by,
            written_at=envelope.to_the_minute(self.written_at),
            expires_at=self.expires_at,
        )

    def _contents(self, plaintext: bytes) -> NoteContents:
        """The contents from a decrypted ciphertext (envelope.Malformed if it is not one)."""
        if self.details_in_clear:
            details, body = self._details_from_columns(), plaintext.decode()
        else:
            details, body = envelope.unpack(plaintext)
        return NoteContents(**vars(details), body=body)

    @staticmethod
    def _live(contents: NoteContents, moment: datetime | None) -> NoteContents:
        # Against the later of the clock and the high-water mark, like the rows:
        # moving the clock back brings no note back.
        if contents.expires_at <= (moment or keyring_guard.expiry_moment()):
            raise NoteExpired("the note's own expiry has passed")
        return contents

    @sensitive_variables()
    def contents_with(self, data_key: bytes) -> NoteContents:
        """What the note holds, opened with its data key (sealing.CannotOpen otherwise)."""
        ciphertext = bytes(self.body_ciphertext)
        if self.details_in_clear:
            body = sealing.decrypt_body(ciphertext, data_key, self._context())
            return self._contents(body.encode())
        plaintext = sealing.decrypt_data(ciphertext, data_key, self._envelope_context())
        try:
            return self._contents(plaintext)
        except envelope.Malformed as exc:
            raise sealing.CannotOpen from exc

    def _forget_clear_details(self, details: envelope.Details) -> None:
        """Once sealed whole: the columns of a note from before are emptied and its
        expiry rounded to its bucket (the exact one is sealed)."""
        self.kind = self.needs = self.response = self.police = None
        self.follow_up_by = self.written_at = None
        self.expires_at = expiry_bucket_end(details.expires_at)

    CLEAR_DETAIL_FIELDS = ("kind", "needs", "response", "police", "follow_up_by", "written_at")

    def legacy_body(self) -> str:
        """The body of a note written before sealing (bucket key only); raises
        keyring.Unreadable when its key is gone. Such notes expire within the maximum."""
        if self.sealed:
            raise keyring.Unreadable("a sealed note opens only with its reader's key")
        if self.details_in_clear:
            return keyring.decrypt(
                bytes(self.body_ciphertext), bucket=self.body_bucket, context=self._context()
            )
        plaintext = keyring.decrypt_bytes(
            bytes(self.body_ciphertext), bucket=self.body_bucket, context=self._envelope_context()
        )
        try:
            return envelope.unpack(plaintext)[1]
        except envelope.Malformed as exc:
            raise keyring.Unreadable("the note does not open") from exc

    @sensitive_variables()
    def body_for(self, reader: User, private: X25519PrivateKey | None) -> str:
        return self.open_for(reader, private).body

    @sensitive_variables()
    def open_for(
        self, reader: User, private: X25519PrivateKey | None, *, moment: datetime | None = None
    ) -> NoteContents:
        """Everything about the note, as `reader` may read it with their unlocked key.
        Its sealed expiry is checked against `moment`, by default the later of the
        clock and the high-water mark (keyring_guard.expiry_moment).

        Raises SealedToAnotherKey for a note sealed to the reader's previous key
        pair, NoteExpired past the note's own expiry, keyring.Unreadable when the
        note cannot be opened at all. A sealed note from before the details were
        sealed is sealed whole on the way (same data key, its row rewritten).
        Uses `self.reader_seals` when the list prefetched them.
        """
        if not self.sealed:
            if self.details_in_clear:
                return self._live(self._contents(self.legacy_body().encode()), moment)
            plaintext = keyring.decrypt_bytes(
                bytes(self.body_ciphertext),
                bucket=self.body_bucket,
                context=self._envelope_context(),
            )
            try:
                return self._live(self._contents(plaintext), moment)
            except envelope.Malformed as exc:
                raise keyring.Unreadable("the note does not open") from exc
        data_key = self._data_key(reader, private)
        try:
            contents = self._live(self.contents_with(data_key), moment)
        except sealing.CannotOpen as exc:
            raise keyring.Unreadable("the sealed copy does not open") from exc
        if self.details_in_clear:
            self._seal_whole(contents, data_key)
        return contents

    @sensitive_variables()
    def _data_key(self, reader: User, private: X25519PrivateKey | None) -> bytes:
        """The note's data key from `reader`'s sealed copy (a sealed note only).
        Raises SealedToAnotherKey or keyring.Unreadable as open_for does."""
        seals = getattr(self, "reader_seals", None)
        if seals is None:
            seals = list(NoteSeal.objects.filter(note=self, recipient=reader))
        seal = next((s for s in seals if s.recipient_id == reader.pk), None)
        if seal is None or private is None:
            raise keyring.Unreadable("no sealed copy for this reader")
        if bytes(seal.public_key) != sealing.public_bytes_of(private):
            raise SealedToAnotherKey
        seal.note = self
        context = seal.context()
        inner = keyring.decrypt_bytes(
            bytes(seal.sealed_key), bucket=self.body_bucket, context=context
        )
        try:
            return sealing.open_sealed(inner, private, context)
        except sealing.CannotOpen as exc:
            raise keyring.Unreadable("the sealed copy does not open") from exc

    # --- Follow-up: only the teammate it is handed to -------------------------------

    def is_follow_up_of(self, person: User) -> bool:
        return person.is_authenticated and self.follow_up_to_id == person.pk

    @sensitive_variables()
    def mark_unreachable(self, holder: User, private: X25519PrivateKey | None, day: date) -> None:
        """The follow-up teammate tried and could not reach the person: the day joins
        the sealed details (same data key, every reader's copy still opens it); the
        note stays until it expires."""
        if not self.sealed or not self.is_follow_up_of(holder):
            raise CannotFollowUp
        data_key = self._data_key(holder, private)
        try:
            contents = self._live(self.contents_with(data_key), None)
        except sealing.CannotOpen as exc:
            raise keyring.Unreadable("the sealed copy does not open") from exc
        values = {f: getattr(contents, f) for f in DETAIL_FIELDS}
        values["unreachable_on"] = day
        details = envelope.Details(**values)
        ciphertext = sealing.encrypt_data(
            envelope.pack(details, contents.body), data_key, self._envelope_context()
        )
        self.body_ciphertext = ciphertext
        self._forget_clear_details(details)
        CallNote.including_expired.filter(pk=self.pk).update(
            body_ciphertext=ciphertext,
            expires_at=self.expires_at,
            **dict.fromkeys(self.CLEAR_DETAIL_FIELDS),
        )

    @sensitive_variables()
    def hand_on(self, holder: User, private: X25519PrivateKey | None, to: User) -> None:
        """Hand the follow-up on to `to`: the data key is sealed to their public key
        and the holder's sealed copy is destroyed, so the note has one follow-up
        reader at a time (besides its author). Raises NoKeyPair for someone who
        has never signed in, CannotFollowUp when `holder` does not hold it."""
        if not self.sealed or not self.is_follow_up_of(holder) or to.pk == holder.pk:
            raise CannotFollowUp
        keys = NoteKeys.objects.filter(person=to).first()
        if keys is None:
            raise NoKeyPair(to)
        data_key = self._data_key(holder, private)
        try:
            self._live(self.contents_with(data_key), None)
        except sealing.CannotOpen as exc:
            raise keyring.Unreadable("the sealed copy does not open") from exc
        with transaction.atomic():
            if holder.pk != self.author_id:
                NoteSeal.objects.filter(note=self, recipient=holder).delete()
            if to.pk != self.author_id:
                seal = NoteSeal(note=self, recipient_id=to.pk, public_key=keys.public_key)
                context = seal.context()
                seal.sealed_key = keyring.encrypt_bytes(
                    sealing.seal(data_key, bytes(keys.public_key), context),
                    bucket=self.body_bucket,
                    context=context,
                )
                NoteSeal.objects.filter(note=self, recipient=to).delete()
                seal.save()
            CallNote.including_expired.filter(pk=self.pk).update(follow_up_to=to)
            self.follow_up_to = to
            if holder.pk != self.author_id:
                NoteEnding.record(
                    [(self.public_id, holder.pk, timezone.now())], NoteEnding.What.HANDED_ON
                )

    @sensitive_variables()
    def _seal_whole(self, contents: NoteContents, data_key: bytes) -> None:
        """A sealed note from before: its details join its text under the same data
        key (every reader's seal still opens it) and leave the row's columns."""
        details = envelope.Details(**{f: getattr(contents, f) for f in DETAIL_FIELDS})
        self.body_ciphertext = sealing.encrypt_data(
            envelope.pack(details, contents.body), data_key, self._envelope_context()
        )
        self._forget_clear_details(details)
        CallNote.including_expired.filter(pk=self.pk, kind__isnull=False).update(
            body_ciphertext=self.body_ciphertext,
            expires_at=self.expires_at,
            **dict.fromkeys(self.CLEAR_DETAIL_FIELDS),
        )

    @sensitive_variables()
    def seal(
        self, details: envelope.Details, body: str, readers: Sequence[NoteKeys] = ()
    ) -> list[NoteSeal]:
        """Encrypt the details and the text (one padded envelope) under a new data
        key and seal that key to each reader's public key, each sealed copy
        wrapped again by the expiry bucket's key."""
        self.sealed = True
        self.body_bucket = keyring.bucket_for(details.expires_at)
        self._forget_clear_details(details)
        data_key = sealing.new_data_key()
        self.body_ciphertext = sealing.encrypt_data(
            envelope.pack(details, body), data_key, self._envelope_context()
        )
        seals = []
        for keys in readers:
            seal = NoteSeal(note=self, recipient_id=keys.person_id, public_key=keys.public_key)
            context = seal.context()
            seal.sealed_key = keyring.encrypt_bytes(
                sealing.seal(data_key, bytes(keys.public_key), context),
                bucket=self.body_bucket,
                context=context,
            )
            seals.append(seal)
        return seals

    @sensitive_variables()
    def seal_unsealed(self) -> bool:
        """Seal a note written before sealing, once all its readers have key pairs.

        The server can open such a note itself (bucket key only), and sealing needs
        only public keys: the body is sealed to every reader with a key pair, and
        the bucket-key-only ciphertext is replaced in the same row. A deactivated
        reader without a key pair (who cannot read it anyway) is left out. Returns
        whether the note is now sealed; call it with the row locked.
        """
        if self.sealed:
            return False
        readers = {p.pk: p for p in (self.author, self.follow_up_to) if p is not None}
        keys = list(NoteKeys.objects.filter(person__in=list(readers)))
        keyed = {k.person_id for k in keys}
        if not keys or any(p.is_active and pk not in keyed for pk, p in readers.items()):
            return False
        try:
            body = self.legacy_body()
        except keyring.Unreadable:
            return False  # its key is gone: the note is as good as burned
        details = self._details_from_columns() if self.details_in_clear else None
        if details is None:  # pragma: no cover - every unsealed note is from before
            return False
        seals = self.seal(details, body, keys)
        self.save(
            update_fields=[
                "sealed",
                "body_bucket",
                "body_ciphertext",
                "expires_at",
                *self.CLEAR_DETAIL_FIELDS,
            ]
        )
        NoteSeal.objects.filter(note=self).delete()
        NoteSeal.objects.bulk_create(seals)
        return True

    @classmethod
    @transaction.atomic
    def write(
        cls,
        *,
        author: User,
        body: str,
        kind: str,
        response: str,
        police: str,
        needs: list[str],
        keep_hours: int,
        follow_up_to: User | None = None,
        follow_up_by: date | None = None,
        keep_until: datetime | None = None,
        referrals: Sequence[int] = (),
    ) -> CallNote:
        """Seal and save a note, and count it in this week's anonymous totals (and each
        resource it referred to, in the resources' weekly tallies).

        Raises NoKeyPair (and saves nothing) if the author or the follow-up
        teammate has no key pair yet, ValueError if the text is too long,
        keyring.KeyringFailure if the keyring cannot be written or is not this
        database's."""
        if len(body) > BODY_MAX_CHARS:
            raise ValueError(f"a note's text holds at most {BODY_MAX_CHARS} characters")
        readers = (
            [author] if follow_up_to is None or follow_up_to == author else [author, follow_up_to]
        )
        keys = {k.person_id: k for k in NoteKeys.objects.filter(person__in=readers)}
        for person in readers:
            if person.pk not in keys:
                raise NoKeyPair(person)
        for value, choices in ((kind, Kind), (response, Response), (police, Police)):
            choices(value)  # ValueError for an unknown choice, before anything is saved
        for need in needs:
            Need(need)
        # Refuses a keyring that cannot be written or is not this database's;
        # the time to write with is never earlier than the high-water mark.
        now = keyring_guard.ready_to_write()
        details = envelope.Details(
            kind=kind,
            needs=tuple(sorted(set(needs))),
            response=response,
            police=police,
            follow_up_by=follow_up_by,
            written_at=now,
            expires_at=note_expiry(
                now=now, keep_hours=keep_hours, follow_up_by=follow_up_by, keep_until=keep_until
            ),
        )
        note = cls(author=author, follow_up_to=follow_up_to)
        seals = note.seal(details, body, [keys[person.pk] for person in readers])
        note.save()
        for seal in seals:
            seal.note = note
        NoteSeal.objects.bulk_create(seals)
        Tally.add_one(
            day=timezone.localdate(now),
            kind=kind,
            response=response,
            police=police,
            follow_up=follow_up_by is not None,
        )
        WeeklyCount.add(timezone.localdate(now), Measure.NEED, sorted(set(needs)))
        ReferralTally.add(timezone.localdate(now), referrals)
        return note

    def may_be_read_by(self, person: User) -> bool:
        return person.is_authenticated and person.pk in {self.author_id, self.follow_up_to_id}


DETAIL_FIELDS = tuple(field.name for field in dataclass_fields(envelope.Details))


class NoteSeal(models.Model):
    """A note's data key, sealed to one reader's public key, then wrapped by the
    note's bucket key: destroying the bucket key still destroys the note."""

    note = models.ForeignKey(CallNote, on_delete=models.CASCADE, related_name="seals")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The public key it was sealed to: after a reset, the reader's new key differs.
    public_key = models.BinaryField(max_length=sealing.PUBLIC_KEY_BYTES)
    sealed_key = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["note", "recipient"],
                name="one_seal_per_reader",
                violation_error_message=_("This note is already shared with that person."),
            ),
            models.CheckConstraint(
                condition=Exact(Length("public_key"), sealing.PUBLIC_KEY_BYTES),
                violation_error_message=_(
                    "This note could not be sealed for its reader: their note key is damaged."
                ),
                name="note_seal_public_key_is_32_bytes",
            ),
        ]

    def __str__(self) -> str:
        return f"NoteSeal {self.pk}"

    def context(self) -> bytes:
        # Binds the sealed copy to its note, its reader and the key it was sealed to.
        return b"|".join(
            [
                b"callnote seal",
                self.note.public_id.encode(),
                str(self.recipient_id).encode(),
                bytes(self.public_key),
            ]
        )


def week_of(day: date) -> date:
    """The Monday that starts `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


class Tally(models.Model):
    """Anonymous weekly counters. No link to any note, author or exact time."""

    week = models.DateField(_("week starting"))
    kind = models.CharField(max_length=20, choices=Kind.choices)
    response = models.CharField(max_length=20, choices=Response.choices)
    police = models.CharField(max_length=20, choices=Police.choices)
    follow_up = models.BooleanField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["week", "kind", "response", "police", "follow_up"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "kind", "response", "police", "follow_up"],
                violation_error_message=_("This week's totals were counted twice: try again."),
                name="one_tally_per_week_and_combination",
            ),
        ]

    def __str__(self) -> str:
        return f"Tally {self.week}"

    @classmethod
    def add_one(cls, *, day: date, kind: str, response: str, police: str, follow_up: bool) -> None:
        """Add one; called inside the transaction that saves the note.

        The first note of a week creates every combination's row of that week at
        once, in a fixed order, so that row ids (which a database copy shows) say
        nothing about which combination was counted first. Concurrent writers of a
        week's first notes insert the same rows in the same order: the later ones
        wait on the unique index and skip them, then each adds one under a row lock.
        """
        week = week_of(day)
        if not cls.objects.filter(week=week).exists():
            cls.objects.bulk_create(
                [
                    cls(week=week, kind=k, response=r, police=p, follow_up=f, count=0)  # type: ignore[misc]  # django-stubs: cls() vs Self
                    for k, r, p, f in itertools.product(
                        Kind.values, Response.values, Police.values, (False, True)
                    )
                ],
                ignore_conflicts=True,
            )
        combination: dict[str, Any] = {"kind": kind, "response": response, "police": police}
        updated = cls.objects.filter(week=week, follow_up=follow_up, **combination).update(
            count=F("count") + 1
        )
        if not updated:  # a week counted before every row was made up front
            row, _created = cls.objects.get_or_create(week=week, follow_up=follow_up, **combination)
            cls.objects.filter(pk=row.pk).update(count=F("count") + 1)


class Measure(models.TextChoices):
    """What the weekly counts count besides the crossed totals (Tally); never crossed."""

    NEED = "need", _("Needs")
    FOLLOW_UP = "follow-up", _("Follow-ups")
    CHECK_OUT = "check-out", _("Check-out answers")


class FollowUpOutcome(models.TextChoices):
    DONE = "done", _("Completed follow-ups")


class CheckOutAnswer(models.TextChoices):
    FINE = "fine", _("Fine")
    DEBRIEF = "debrief", _("I'd like a debrief")
    BREAK = "break", _("I need a break")


MEASURE_VALUES: dict[str, type[models.TextChoices]] = {
    Measure.NEED: Need,
    Measure.FOLLOW_UP: FollowUpOutcome,
    Measure.CHECK_OUT: CheckOutAnswer,
}


class WeeklyCount(models.Model):
    """Anonymous weekly counters of one attribute each (a need, a completed
    follow-up, a check-out answer). No link to any note, person or exact time;
    each is counted alone, never crossed with another attribute."""

    week = models.DateField(_("week starting"))
    measure = models.CharField(max_length=20, choices=Measure.choices)
    value = models.CharField(max_length=20)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["week", "measure", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "measure", "value"],
                name="one_weekly_count_per_value",
                violation_error_message=_("This week already has this count."),
            ),
            models.CheckConstraint(
                condition=Q(measure__in=Measure.values),
                name="weekly_count_measure_is_known",
                violation_error_message=_("Choose something the line counts."),
            ),
        ]

    def __str__(self) -> str:
        return f"WeeklyCount {self.week} {self.measure}={self.value}"

    @classmethod
    def add(cls, day: date, measure: str, values: Sequence[str]) -> None:
        """Add one to each of `values` of `measure` in `day`'s week. As for Tally,
        the week's first count creates every row of the week at once, in a fixed
        order, so row ids say nothing about what was counted first."""
        choices = MEASURE_VALUES[measure]
        for value in values:
            choices(value)  # ValueError for an unknown value
        if not values:
            return
        week = week_of(day)
        if not cls.objects.filter(week=week).exists():
            cls.objects.bulk_create(
                [
                    cls(week=week, measure=m, value=v, count=0)  # type: ignore[misc]  # django-stubs: cls() vs Self
                    for m in Measure.values
                    for v in MEASURE_VALUES[m].values
                ],
                ignore_conflicts=True,
            )
        cls.objects.filter(week=week, measure=measure, value__in=list(values)).update(
            count=F("count") + 1
        )


class ReferralTally(models.Model):
    """Anonymous weekly counts of referrals to each care-map resource, added when a
    note records one. No link to any note, person or exact time, never crossed with
    anything else; shown with counts below 5 as "fewer than 5"."""

    week = models.DateField(_("week starting"))
    resource = models.ForeignKey(
        "protocols.Resource", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["week", "resource"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "resource"],
                name="one_referral_tally_per_week_and_resource",
                violation_error_message=_("This week's referrals were counted twice: try again."),
            ),
        ]

    def __str__(self) -> str:
        return f"ReferralTally {self.week}"

    @classmethod
    def add(cls, day: date, resource_ids: Sequence[int]) -> None:
        """Add one to each resource's count in `day`'s week. As for Tally, the rows a
        count needs are made for every resource at once, in resource order, so row ids
        say nothing about which resource was referred to first."""
        if not resource_ids:
            return
        # Asked of the app registry: the notes' app does not import the library's code.
        resource = apps.get_model("protocols", "Resource")
        week = week_of(day)
        have = set(cls.objects.filter(week=week).values_list("resource_id", flat=True))
        if not set(resource_ids) <= have:
            missing = (
                resource._default_manager.exclude(pk__in=have)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            cls.objects.bulk_create(
                [cls(week=week, resource_id=pk, count=0) for pk in missing],  # type: ignore[misc]  # django-stubs: cls() vs Self
                ignore_conflicts=True,
            )
        cls.objects.filter(week=week, resource_id__in=sorted(set(resource_ids))).update(
            count=F("count") + 1
        )


def ending_digest(public_id: str) -> str:
    return keyed_hash("note ending", public_id)


class NoteEnding(models.Model):
    """What became of a note that is gone, for its former readers only: a digest
    of its address, the reader, what happened and the hour. Nothing the note said.
    Deleted by the purge NOTE_ENDING_DAYS after it was made."""

    class What(models.TextChoices):
        DONE = "done", _("done")
        BURNED = "burned", _("burned")
        HANDED_ON = "handed-on", _("handed on")
        EXPIRED = "expired", _("expired")

    digest = models.CharField(max_length=64, editable=False)
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    what = models.CharField(max_length=12, choices=What.choices)
    at = models.DateTimeField()  # to the hour
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["digest", "reader"],
                name="one_ending_per_reader",
                violation_error_message=_("This reader was already told what became of the note."),
            ),
            models.CheckConstraint(
                condition=Q(what__in=["done", "burned", "handed-on", "expired"]),
                name="note_ending_what_is_known",
                violation_error_message=_("Choose what became of the note from the list."),
            ),
        ]

    def __str__(self) -> str:
        return f"NoteEnding {self.what}"

    @classmethod
    def record(cls, endings: Iterable[tuple[str, int | None, datetime]], what: str) -> None:
        """One ending per (public id, reader id, when it ended), kept to the hour; a
        reader already told keeps what they were told first.

        Plain rows, a few hundred to a statement: the purge tells the readers of
        2,000 notes at a time, and model instances would cost more than the rows."""
        lives = timedelta(days=settings.NOTE_ENDING_DAYS)
        adapt = connection.ops.adapt_datetimefield_value
        rows = []
        for public_id, reader, ended in endings:
            if reader is not None:
                at = ended.replace(minute=0, second=0, microsecond=0)
                rows.append((ending_digest(public_id), reader, what, adapt(at), adapt(at + lives)))
        columns = "digest, reader_id, what, at, expires_at"
        # Five parameters a row, within what the database takes (999 for an old SQLite).
        per = min(500, (connection.features.max_query_params or 2500) // 5)
        with connection.cursor() as cursor:
            for first in range(0, len(rows), per):
                chunk = rows[first : first + per]
                values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {cls._meta.db_table} ({columns}) VALUES {values} "  # noqa: S608 - placeholders only
                    "ON CONFLICT DO NOTHING",
                    list(itertools.chain.from_iterable(chunk)),
                )

    @classmethod
    def for_reader(cls, person: User, public_id: str) -> NoteEnding | None:
        if not person.is_authenticated:
            return None
        return cls.objects.filter(
            digest=ending_digest(public_id), reader=person, expires_at__gt=timezone.now()
        ).first()


class TeamReview(models.Model):
    """The team's periodic review, in its own words: what went well, who it could
    not serve, what it refused and why. Never about one call: it passes the same
    identifier check as notes. Read by coordinators; kept until they delete it."""

    period = models.CharField(_("period"), max_length=80)
    went_well = models.TextField(_("What went well?"), max_length=2000, blank=True)
    not_served = models.TextField(_("Who could we not serve?"), max_length=2000, blank=True)
    refused = models.TextField(_("What did we refuse, and why?"), max_length=2000, blank=True)
    written_on = models.DateField()

    class Meta:
        ordering = ["-written_on", "-pk"]

    def __str__(self) -> str:
        return self.period


class CheckOut(models.Model):
    """That `person` answered the check-out question after `shift`, so it is not
    asked again; never the answer (counted anonymously in WeeklyCount). Deleted
    by the purge once the question could no longer be asked."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shift = models.ForeignKey("shifts.Shift", on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "shift"],
                name="one_check_out_per_shift",
                violation_error_message=_("You already answered for this shift."),
            )
        ]

    def __str__(self) -> str:
        return f"CheckOut {self.pk}"


class AftercareRequest(models.Model):
    """A debrief request (to one holder of a debrief position, or to the
    coordinators when nobody holds one) or a break request (to the coordinators;
    who asked only if they allowed it). No content beyond who asked. Deleted once
    acknowledged, or by the purge after AFTERCARE_REQUEST_DAYS."""

    class Kind(models.TextChoices):
        DEBRIEF = "debrief", _("debrief")
        BREAK = "break", _("break")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    # NULL: the coordinators.
    to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["debrief", "break"]),
                name="aftercare_request_kind_is_known",
                violation_error_message=_("Choose a debrief or a break."),
            ),
            models.CheckConstraint(
                condition=Q(kind="break") | Q(asked_by__isnull=False),
                name="a_debrief_request_says_who_asked",
                violation_error_message=_("A debrief request says who asked for it."),
            ),
        ]

    def __str__(self) -> str:
        return f"AftercareRequest {self.kind}"


NOTICE_MAX_CHARS = 500


class NoticeQuerySet(models.QuerySet["Notice"]):
    def live(self) -> NoticeQuerySet:
        return self.filter(expires_at__gt=timezone.now())

    def unread_by(self, person: User) -> NoticeQuerySet:
        return self.live().exclude(reads__person=person)


class Notice(models.Model):
    """A short notice from coordinators to responders (a closure, a new resource, a
    safety alert). Lives until the end of its last day, at most NOTICE_MAX_DAYS;
    deleted by the purge, with who read it."""

    text = models.TextField(_("notice"), max_length=NOTICE_MAX_CHARS)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("posted_at")),
                name="notice_expires_after_posting",
                violation_error_message=_(
                    "A notice ends after it is posted: choose a later last day."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Notice {self.pk}"


class NoticeRead(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    # Declared like CheckOut's Meta; a different fact: who has read which notice.
    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "person"],
                name="one_read_per_notice",
                violation_error_message=_("You already marked this notice read."),
            )
        ]

    def __str__(self) -> str:
        return f"NoticeRead {self.pk}"


class FieldCheckIn(models.Model):
    """A responder out on an in-person response: when they should check in by. No
    location, no call, nothing else. Deleted when they check in or their shift
    ends, never sooner than four hours after it is due (the purge); the line holder
    is alerted once it is overdue (calls.fieldcheck)."""

    MINUTES = (30, 45, 60, 90)

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    due_at = models.DateTimeField()
    ends_at = models.DateTimeField(db_index=True)
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("due_at")),
                name="field_check_in_ends_after_due",
                violation_error_message=_("The check-in has to end after it is due."),
            ),
        ]

    def __str__(self) -> str:
        return f"FieldCheckIn {self.pk}"

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.due_at <= (now or timezone.now())


class FollowUpIndex(models.Model):
    """What a follow-up holder's queue needs from each note handed to them (its day,
    the day they could not reach the person, its kind, its exact expiry), so
    /oncall/ opens only the notes it has not seen yet (`calls/followup_index.py`).

    Encrypted under a key only the holder's private key gives, then under the
    bucket key of its earliest note: it never outlives a note it speaks of. Burning
    a note deletes its holder's index; the emergency wipe deletes every one."""

    reader = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Which bucket key wraps it: the earliest of its notes'.
    bucket = models.BigIntegerField(db_index=True)
    ciphertext = models.BinaryField()

    def __str__(self) -> str:
        return f"FollowUpIndex {self.pk}"
