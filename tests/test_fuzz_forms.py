"""Hypothesis posts nonsense to every route that takes a POST.

Random text, huge values, wrong types, repeated and missing fields, and a
missing or wrong CSRF token. Whatever arrives: never a server error; a request
without a valid CSRF token is refused and changes nothing; a form that says no
(a 4xx, the form shown again with errors, or a redirect with an error message)
changes nothing either.

Each example runs inside a savepoint that is rolled back, so every example
starts from the same small line (tests/world.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.contrib import messages
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.depth import examples
from tests.snapshot import database_snapshot
from tests.test_permission_matrix import EXPECTED, takes
from tests.world import World, client_as

# Kept small in the everyday run, four times more in CI's thorough pass;
# FUZZ_EXAMPLES=500 for a deeper run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", examples(60)))


@dataclass(frozen=True)
class FormRoute:
    name: str
    persona: str  # who may post here
    fields: tuple[str, ...]
    kwargs: str = ""  # how to fill the URL from the world, see url_of()
    refused: bool = False  # the world makes posts here refusals: some must be refused
    choose: str = ""  # "field=persona": when not drawn, the field names that persona

    @property
    def id(self) -> str:
        return f"{self.name}[{self.kwargs}]" if self.refused else self.name


RESOURCE_FIELDS = (
    "name",
    "slug",
    "summary",
    "needs",
    "referral_ways",
    "phone",
    "text_number",
    "id_required",
    "police",
    "immigration",
    "partner_status",
    "last_verified",
    "review_interval_days",
    "do_not_refer",
    "do_not_refer_reason",
    "visibility",
    "hours_4",
    "summary_of_change",
)

PROFILE = (
    "display_name",
    "pronouns",
    "phone",
    "email",
    "max_shifts_per_month",
    "min_rest_hours",
    "line_gap_emails",
    "languages",
)
TREE_FIELDS = (
    "n-count",
    "start",
    "step",
    "summary",
    "base",
    "n0-id",
    "n0-type",
    "n0-text",
    "n0-a-count",
    "n0-a0-label",
    "n0-a0-next",
    "n1-id",
    "n1-type",
    "n1-title",
    "n1-guidance",
    "n1-links",
    "meta-title",
    "meta-category",
    "meta-review_interval_days",
    "meta-translation_of",
)

ROUTES = [
    # crisisline
    FormRoute("login", "anonymous", ("username", "password", "next")),
    FormRoute(
        "accept_invitation", "anonymous", ("username", "password1", "password2"), "invitation"
    ),
    FormRoute("profile", "responder", PROFILE),
    FormRoute("logout", "responder", ("next",)),
    FormRoute("password_reset_confirm", "anonymous", ("new_password1", "new_password2"), "reset"),
    FormRoute("password_change", "responder", ("old_password", "new_password1", "new_password2")),
    FormRoute("people", "coordinator", ("label", "roles")),
    FormRoute("person_roles", "coordinator", ("roles",), "trainer"),
    FormRoute("deactivate_person", "coordinator", (), "trainer"),
    FormRoute("person_skills", "coordinator", ("skill", "granted_on", "renew_by"), "trainer"),
    FormRoute("remove_skill", "trainer", (), "grant"),
    FormRoute("reactivate_person", "coordinator", (), "trainer"),
    FormRoute("reset_link", "coordinator", (), "trainer"),
    FormRoute("reset_two_factor", "coordinator", (), "trainer"),
    # Two-step sign-in: without a password step just passed, or with nonsense for a code.
    FormRoute("sign_in_code", "anonymous", ("code",)),
    FormRoute("sign_in_enrol", "anonymous", ("code",)),
    FormRoute("two_factor_enrol", "responder", ("code",)),
    FormRoute("two_factor_recovery_codes", "coordinator", ("code",), refused=True),
    FormRoute("two_factor_off", "responder", ("code",)),
    FormRoute("revoke_invitation", "coordinator", (), "invitation_pk"),
    FormRoute(
        "edit_line",
        "coordinator",
        (
            "name",
            "public_phone",
            "responds_to",
            "does_not_respond_to",
            "responds_to_es",
            "does_not_respond_to_es",
        ),
    ),
    FormRoute("set_language", "anonymous", ("language", "next")),
    # shifts, responders
    FormRoute("shifts:claim", "responder", ("next",), "open_slot"),
    FormRoute("shifts:release", "responder", (), "my_assignment"),
    FormRoute("shifts:cant_make_it", "responder", (), "my_assignment"),
    # Already offered (world.my_swap): a refusal.
    FormRoute("shifts:offer_swap", "responder", (), "my_assignment", refused=True),
    FormRoute("shifts:withdraw_swap", "responder", (), "my_swap"),
    FormRoute("shifts:take_swap", "responder", (), "their_swap"),
    FormRoute("shifts:time_off", "responder", ("first_day", "last_day", "note")),
    FormRoute("shifts:delete_time_off", "responder", (), "time_off"),
    # shifts, refusals: a full place, a shift already started, a swap already closed
    FormRoute("shifts:claim", "responder", ("next",), "full_slot", refused=True),
    FormRoute("shifts:release", "responder", (), "started_assignment", refused=True),
    FormRoute("shifts:cant_make_it", "responder", (), "started_assignment", refused=True),
    FormRoute("shifts:offer_swap", "responder", (), "started_assignment", refused=True),
    FormRoute("shifts:withdraw_swap", "responder", (), "closed_swap", refused=True),
    FormRoute("shifts:take_swap", "responder", (), "my_swap", refused=True),
    FormRoute("shifts:preferences", "responder", ("reminder_hours", "feed_shows_teammates")),
    FormRoute("shifts:new_feed", "responder", ()),
    FormRoute("shifts:revoke_feed", "responder", ()),
    # shifts, coordinators
    FormRoute("shifts:generate", "coordinator", ("first_day", "last_day", "block_hours")),
    FormRoute("shifts:new_shift", "coordinator", ("start", "end", "note")),
    FormRoute("shifts:edit_shift", "coordinator", ("start", "end", "note"), "shift"),
    FormRoute("shifts:cancel_shift", "coordinator", ("next",), "shift"),
    # The world's shift is not cancelled: restoring it is refused and changes nothing.
    FormRoute("shifts:restore_shift", "coordinator", ("next",), "shift", refused=True),
    FormRoute("shifts:assign", "coordinator", ("person", "next"), "open_slot"),
    FormRoute(
        "shifts:assign",
        "coordinator",
        ("person", "next"),
        "full_slot",
        refused=True,
        choose="person=responder",
    ),
    FormRoute("shifts:unassign", "coordinator", ("next",), "my_assignment"),
    FormRoute("shifts:hours", "coordinator", ("weekday", "start", "end")),
    FormRoute("shifts:delete_window", "coordinator", (), "window"),
    FormRoute("shifts:add_closure", "coordinator", ("date", "reason")),
    FormRoute("shifts:delete_closure", "coordinator", (), "closure"),
    FormRoute(
        "shifts:positions",
        "coordinator",
        ("name", "min_people", "max_people", "required_skill", "holds_line", "order", "active"),
    ),
    FormRoute(
        "shifts:edit_position",
        "coordinator",
        ("name", "min_people", "max_people", "required_skill", "holds_line", "order", "active"),
        "position",
    ),
    FormRoute(
        "shifts:rules", "coordinator", ("release_notice_hours", "swaps_need_approval", "duty_phone")
    ),
    FormRoute("shifts:forwarding_token", "coordinator", ("action",)),
    FormRoute("shifts:forwarding_chain", "coordinator", ()),
    # Open, not waiting for approval: whatever the decision, it is refused.
    FormRoute("shifts:decide_swap", "coordinator", ("decision",), "their_swap", refused=True),
    # calls
    FormRoute(
        "calls:new",
        "responder",
        (
            "kind",
            "needs",
            "response",
            "police",
            "body",
            "keep_identifiers",
            "follow_up_to",
            "follow_up_by",
            "keep_hours",
        ),
    ),
    FormRoute("calls:burn", "responder", (), "note"),
    FormRoute("calls:retention", "coordinator", ("default_hours", "statement", "statement_es")),
    FormRoute("calls:wipe", "coordinator", ("phrase",)),
    # calls: aftercare
    FormRoute("calls:follow_up_done", "responder", (), "note"),
    FormRoute("calls:follow_up_hand_on", "responder", ("to",), "note"),
    FormRoute("calls:follow_up_unreachable", "responder", (), "note"),
    FormRoute("calls:check_out", "responder", ("answer", "show_name"), "one"),
    FormRoute("calls:acknowledge_request", "coordinator", (), "one"),
    FormRoute("calls:briefing_read", "responder", (), "one"),
    FormRoute("calls:field_start", "responder", ("minutes",)),
    FormRoute("calls:field_check_in", "responder", ()),
    FormRoute("calls:notices", "coordinator", ("text", "last_day", "keep_identifiers")),
    FormRoute("calls:notice_read", "responder", (), "one"),
    FormRoute("calls:withdraw_notice", "coordinator", (), "notice"),
    FormRoute(
        "calls:team_review",
        "coordinator",
        ("period", "went_well", "not_served", "refused", "keep_identifiers"),
    ),
    FormRoute("calls:delete_team_review", "coordinator", (), "team_review"),
    # protocols
    FormRoute(
        "protocols:new",
        "trainer",
        (
            "title",
            "slug",
            "kind",
            "category",
            "language",
            "review_interval_days",
            "translation_of",
            "body",
            "summary",
        ),
    ),
    FormRoute(
        "protocols:edit",
        "trainer",
        (
            "title",
            "category",
            "review_interval_days",
            "translation_of",
            "body",
            "summary",
            "base",
            "preview",
        ),
        "page",
    ),
    FormRoute("protocols:preview", "trainer", ("body",)),
    FormRoute("protocols:restore", "trainer", (), "page_revision"),
    FormRoute("protocols:review", "trainer", ("next",), "page"),
    FormRoute("protocols:tree_edit", "trainer", TREE_FIELDS, "tree"),
    FormRoute("protocols:import", "trainer", ("bundle", "update_existing")),
    # protocols: the care map
    FormRoute("protocols:resource_new", "trainer", RESOURCE_FIELDS),
    FormRoute("protocols:resource_edit", "coordinator", RESOURCE_FIELDS, "resource"),
    FormRoute("protocols:resource_verify", "trainer", (), "resource"),
    FormRoute("protocols:resource_restore", "trainer", (), "resource_revision"),
    FormRoute("protocols:resource_public", "coordinator", ("is_on",)),
    FormRoute("protocols:resource_import", "coordinator", ("bundle", "update_existing", "checked")),
    # crisisline: a skill's Spanish name
    FormRoute("skill_name", "trainer", ("name_es",), "skill"),
]


def url_of(route: FormRoute, world: World) -> str:
    kwargs = {
        "": {},
        "invitation": {"token": getattr(world, "invitation_token", "")},
        "invitation_pk": {"pk": getattr(world, "invitation", None) and world.invitation.pk},
        "trainer": {"pk": world.people["trainer"].pk},
        "reset": world.reset_kwargs,
        "page": {"slug": "breathing"},
        "page_revision": {"slug": "breathing", "number": 1},
        "tree": {"slug": "crisis-or-emergency"},
        "resource": {"slug": "night-shelter"},
        "resource_revision": {"slug": "night-shelter", "number": 1},
        "note": {"public_id": world.note.public_id},
        "grant": {"pk": world.people["responder"].pk, "grant_pk": world.grant.pk},
        "skill": {"pk": world.grant.skill_id},
        "one": {"pk": 1},
    }.get(route.kwargs)
    if kwargs is None:
        kwargs = {"pk": getattr(world, route.kwargs).pk}
    return reverse(route.name, kwargs=kwargs)


# --- What gets posted ----------------------------------------------------------------------

numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
).map(str)
nasty = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "NaN",
        "1e309",
        "9" * 40,
        str(2**63),
        "x" * 100_000,
        "\x00",
        "a\x00b",
        "2026-02-30",
        "9999-12-31",
        "0001-01-01",
        "25:61",
        "2026-13-01T99:99",
        "true",
        "on",
        "null",
        "[]",
        "{}",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "https://evil.example/",
        "//evil.example",
        "remove:0",
        "add-question",
        "up-answer:0:0",
        "remove:99999999999999999999",
        "\u202e\ufeff\U0001f525",
        # Digits outside ASCII: '²'.isdigit() is True but int('²') fails; int('٣') is 3.
        "²",
        "٣",
        "３",
        "0.²",
        "1.٣",
        "remove:²",
        "up-answer:0:٣",
        "٢٠٢٦-٠٣",
        "２０２６-０３-０１",
    ]
)
# Numbers as someone might type them with another keyboard or a copy and paste.
UNICODE_DIGITS = "0123456789²³¹٠١٢٣۴۵०३３０①𝟘"
unicode_digits = st.text(alphabet=st.sampled_from([*UNICODE_DIGITS, ".", ":", "-"]), max_size=8)
value = st.one_of(st.text(max_size=60), numbers, nasty, unicode_digits)
values = st.one_of(value, st.lists(value, min_size=2, max_size=3))
extra_key = st.sampled_from(["csrfmiddlewaretoken", "id", "pk", "author", "is_superuser", "x"])


@st.composite
def post_data(draw, fields: tuple[str, ...], known: tuple[str, ...] = ()) -> dict[str, object]:
    """`known`: ids of real rows, so a post can get past a form to the refusal
    behind it (a real person for a full place)."""
    keys = draw(st.lists(st.sampled_from(fields), unique=True)) if fields else []
    keys += draw(st.lists(extra_key, max_size=2, unique=True))
    some = st.one_of(values, st.sampled_from(known)) if known else values
    return {key: draw(some) for key in keys}


def known_ids(world: World) -> tuple[str, ...]:
    rows = [*world.people.values(), *world.objects.values()]
    return tuple(sorted({str(row.pk) for row in rows if getattr(row, "pk", None)}))


csrf = st.sampled_from(["valid", "valid", "missing", "wrong"])


# --- The test ------------------------------------------------------------------------------


def rejected(response) -> bool:
    """A 4xx, an error message for the next page (a refusal that redirects), or a
    page showing a form with errors."""
    if 400 <= response.status_code < 500:
        return True
    if any(m.level >= messages.ERROR for m in messages.get_messages(response.wsgi_request)):
        return True
    if response.status_code != 200 or not response.context:
        return False
    shown = [v for ctx in response.context for v in ctx.flatten().values()]
    forms = [v for v in shown if hasattr(v, "is_bound")]
    return any(form.is_bound and form.errors for form in forms)


@pytest.mark.thorough
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_posting_nonsense_never_breaks_and_refusals_change_nothing(
    route: FormRoute, world: World
) -> None:
    url = url_of(route, world)
    refusals: list[int] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=True,
    )
    @given(data=post_data(route.fields, known_ids(world)), token=csrf)
    def post(data: dict[str, object], token: str) -> None:
        if route.choose:
            field, persona = route.choose.split("=")
            data.setdefault(field, str(world.people[persona].pk))
        if "bundle" in data:
            data["bundle"] = _upload(data["bundle"])
        savepoint = transaction.savepoint()
        try:
            client = client_as(world, route.persona, enforce_csrf=token != "valid")
            if token == "wrong":
                client.cookies["csrftoken"] = "a" * 32
                data["csrfmiddlewaretoken"] = "b" * 32
            target = url
            if route.kwargs == "reset":
                # The link's token moves into the session; the form is one step on.
                target = client.get(url)["Location"]
            before = database_snapshot()
            response = client.post(target, data)
            assert response.status_code < 500, (route.name, data)
            if token != "valid":
                assert response.status_code == 403, (route.name, token)
            if token == "valid" and rejected(response):
                refusals.append(response.status_code)
            if token != "valid" or rejected(response):
                assert database_snapshot() == before, f"rejected POST to {route.name} changed data"
        finally:
            transaction.savepoint_rollback(savepoint)

    post()
    if route.refused:
        assert refusals, f"no POST to {route.id} was refused: the refusal went unchecked"


def _upload(content: object):
    from django.core.files.uploadedfile import SimpleUploadedFile

    raw = content if isinstance(content, str) else repr(content)
    return SimpleUploadedFile("protocols.zip", raw.encode("utf-8", "surrogatepass"))


# Routes that take no POST (as the permission matrix's method table says, where the
# method test proves a POST gets 405 and changes nothing) have nothing to fuzz; call
# forwarding takes a phone system's POST as it takes a GET, with no form to fill.
ONLY_READ = {key for key in EXPECTED if "[" not in key and "POST" not in takes(key)} | {
    "shifts:forward"
}


def test_every_route_is_fuzzed_or_only_read(client, db) -> None:
    """A new route needs an entry here: fuzzed, or listed as taking no POST."""
    from tests.test_permission_matrix import route_names

    fuzzed = {route.name for route in ROUTES}
    assert route_names() - fuzzed - ONLY_READ == set(), "routes neither fuzzed nor only read"
    assert not (fuzzed | ONLY_READ) - route_names(), "entries for routes that no longer exist"


@pytest.mark.parametrize(
    ("name", "persona", "field", "kwargs"),
    [
        ("profile", "responder", "languages", ""),
        ("people", "coordinator", "roles", ""),
        ("person_roles", "coordinator", "roles", "trainer"),
    ],
)
def test_an_id_too_big_for_any_database_is_a_form_error(name, persona, field, kwargs, world):
    route = FormRoute(name, persona, (field,), kwargs)
    before = database_snapshot()
    response = client_as(world, persona).post(url_of(route, world), {field: str(2**63)})
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()
    assert database_snapshot() == before


# --- Query strings: search, months, weeks, paths, comparisons ------------------------------

QUERIES = [
    FormRoute("protocols:library", "trainer", ("q", "category", "language")),
    FormRoute("protocols:new", "trainer", ("translation_of", "category")),
    FormRoute("protocols:compare", "trainer", ("a", "b"), "page"),
    FormRoute("protocols:tree", "responder", ("path",), "tree"),
    FormRoute("shifts:roster", "coordinator", ("month",)),
    FormRoute("shifts:roster_week", "coordinator", ("start",)),
    FormRoute("shifts:print_month", "coordinator", ("month",)),
    FormRoute("shifts:print_week", "coordinator", ("start",)),
    FormRoute("shifts:coverage", "coordinator", ("weeks", "kind")),
    FormRoute("shifts:team_roster", "responder", ("start",)),
    FormRoute("shifts:places", "responder", ("day", "position", "page")),
    FormRoute("shifts:assign", "coordinator", ("next",), "open_slot"),
    FormRoute("login", "anonymous", ("next",)),
    FormRoute("changes", "coordinator", ("kind", "shift", "person", "page")),
    FormRoute("protocols:resources", "responder", ("shown", "q", "need", "language")),
]


@pytest.mark.thorough
@pytest.mark.parametrize("route", QUERIES, ids=lambda r: r.name)
def test_nonsense_in_the_query_string_never_breaks_a_page(route: FormRoute, world: World) -> None:
    url = url_of(route, world)
    client = client_as(world, route.persona)
    before = database_snapshot()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=True,
    )
    @given(data=post_data(route.fields))
    def get(data: dict[str, object]) -> None:
        response = client.get(url, data)
        assert response.status_code < 500, (route.name, data)

    get()
    assert database_snapshot() == before, f"reading {route.name} changed data"


@pytest.mark.parametrize("digits", ["²", "٣", "0.３.²", "up-answer:0:²"])
def test_digits_outside_ascii_in_every_field_never_break_a_page(digits: str, world: World) -> None:
    """Every field of every fuzzed form and query at once: '²'.isdigit() is True,
    int('²') fails, and int('٣') is 3."""
    for route in [*ROUTES, *QUERIES]:
        if route.kwargs == "reset":
            continue  # its form is one redirect on; the main fuzz test covers it
        data = {field: digits for field in route.fields if field != "bundle"}
        savepoint = transaction.savepoint()
        try:
            client = client_as(world, route.persona)
            url = url_of(route, world)
            response = client.get(url, data) if route in QUERIES else client.post(url, data)
            assert response.status_code < 500, (route.id, digits)
        finally:
            transaction.savepoint_rollback(savepoint)


# --- Hostile YAML in an imported bundle ------------------------------------------------------

FRONT_FIELDS = ("title", "category", "language", "slug", "translation_key", "review_interval_days")


@st.composite
def hostile_yaml_value(draw) -> tuple[str, str]:
    """(lines defining anchors, if any; the value of one field)."""
    kind = draw(st.sampled_from(["aliases", "anchor", "deep", "unhashable", "digits", "huge"]))
    if kind == "aliases":
        # "Billion laughs": each level repeats the one before `width` times.
        levels = draw(st.integers(1, 9))
        width = draw(st.integers(2, 10))
        lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
        lines += [
            f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)
        ]
        return "\n".join(lines), f"*l{levels - 1}"
    if kind == "anchor":
        return "", "&" + draw(st.sampled_from(["a", "x1", "big"])) + " " + draw(
            st.sampled_from(["en", "x", "[a, b]"])
        )
    if kind == "deep":
        depth = draw(st.integers(13, 20_000))
        opening, closing = draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
        return "", opening * depth + "x" + closing * depth
    if kind == "unhashable":
        inner = draw(st.sampled_from(["en", "es", "de-escalation", "٣", "²", "1"]))
        return "", draw(st.sampled_from([f"[{inner}]", f"{{{inner}: 1}}", f"[[{inner}]]"]))
    if kind == "digits":
        # Text, however it looks: never a number of days, a language or a slug.
        return "", draw(st.text(alphabet=UNICODE_DIGITS[10:], min_size=1, max_size=6))
    return "", draw(st.sampled_from(["9" * 5000, "2026-13-45", "1.0e+99999", "0x" + "f" * 5000]))


@st.composite
def hostile_bundle_file(draw) -> tuple[str, str]:
    anchors, bad = draw(hostile_yaml_value())
    # Digits outside ASCII make a fine title: only the other fields refuse them.
    field = draw(
        st.sampled_from(
            FRONT_FIELDS[1:] if anchors == "" and bad[:1] in UNICODE_DIGITS else FRONT_FIELDS
        )
    )
    meta = {"title": "Listening", "category": "de-escalation", "language": "en"}
    meta[field] = bad
    front = "\n".join(filter(None, [anchors, *(f"{k}: {v}" for k, v in meta.items())]))
    if draw(st.booleans()):
        return "pages/listening.md", f"---\n{front}\n---\nListen first.\n"
    return "trees/a-tree.yaml", f"{front}\ntree:\n  start: {bad}\n  nodes: []\n"


@pytest.mark.thorough
def test_hostile_yaml_in_a_bundle_is_refused_quickly(world: World) -> None:
    """Anchors and aliases, deep nesting, lists where text belongs, digits
    outside ASCII, numbers too long to read: a clear refusal in under a second."""
    import time
    import zipfile
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(world, "trainer")
    url = reverse("protocols:import")
    before = database_snapshot()

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=True,
    )
    @given(file=hostile_bundle_file())
    def post(file: tuple[str, str]) -> None:
        buffer = BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(*file)
        upload = SimpleUploadedFile("protocols.zip", buffer.getvalue())
        started = time.process_time()  # this process's own time: the machine may be busy
        response = client.post(url, {"bundle": upload})
        elapsed = time.process_time() - started
        assert response.status_code == 400, file
        assert "Nothing was imported" in response.content.decode()
        assert len(response.content) < 100_000
        assert elapsed < 1, (elapsed, file)

    post()
    assert database_snapshot() == before
