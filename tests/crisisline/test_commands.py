from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from crisisline.models import FailedSignIn, Invitation, User


@pytest.mark.django_db
def test_prune_deletes_only_what_is_past_its_time(coordinator):
    old = timezone.now() - timedelta(days=1)
    FailedSignIn.objects.create(key="a" * 64, at=old)
    FailedSignIn.objects.create(key="b" * 64)
    stale, _ = Invitation.issue(created_by=coordinator, roles=[])
    Invitation.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(days=8))
    fresh, _ = Invitation.issue(created_by=coordinator, roles=[])
    out = StringIO()
    call_command("prune", stdout=out)
    assert "Pruned 1 sign-in failure(s), 1 old invitation row(s)." in out.getvalue()
    assert FailedSignIn.objects.count() == 1
    assert list(Invitation.objects.all()) == [fresh]
    call_command("prune", stdout=StringIO())  # idempotent
    assert FailedSignIn.objects.count() == 1


@pytest.mark.django_db
def test_sign_in_failures_are_gone_within_a_minute_of_their_window(settings):
    """The README says failed sign-ins are deleted within a minute of being
    15 minutes old: the scheduler must run the prune that often."""
    readme = (settings.BASE_DIR / "README.md").read_text()
    window = settings.SIGNIN_THROTTLE_MINUTES
    assert f"deleted within a minute of being {window} minutes old" in " ".join(readme.split())
    every = dict(settings.PERIODIC_COMMANDS).get("prune_sign_in_failures")
    tick = 30  # runperiodic checks every 30 s, so a job runs at most `every + tick` apart
    assert every is not None and every + tick <= 60
    now = timezone.now()
    FailedSignIn.objects.create(key="a" * 64, at=now - timedelta(minutes=window, seconds=1))
    FailedSignIn.objects.create(key="b" * 64, at=now - timedelta(minutes=window, seconds=-5))
    out = StringIO()
    call_command("prune_sign_in_failures", stdout=out)
    assert "Pruned 1 sign-in failure(s)." in out.getvalue()
    assert list(FailedSignIn.objects.values_list("key", flat=True)) == ["b" * 64]


@pytest.mark.django_db
def test_runperiodic_once_runs_every_periodic_command(settings):
    settings.PERIODIC_COMMANDS = [("prune", 60)]
    out = StringIO()
    call_command("runperiodic", "--once", stdout=out)
    assert "Pruned" in out.getvalue()


@pytest.mark.django_db
def test_runperiodic_survives_a_failing_command(settings, caplog):
    settings.PERIODIC_COMMANDS = [("no_such_command", 60), ("prune", 60)]
    out = StringIO()
    call_command("runperiodic", "--once", stdout=out)
    assert "Pruned" in out.getvalue()
    assert "periodic command no_such_command failed" in caplog.text


@pytest.mark.django_db
def test_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.exists()


@pytest.mark.thorough
@pytest.mark.django_db
def test_demo_creates_the_three_sign_ins_and_is_repeatable(settings, short_demo_roster):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=StringIO())
    assert "coordinator / responder / trainer" in out.getvalue()
    for username, role in [
        ("coordinator", "Coordinator"),
        ("responder", "Responder"),
        ("trainer", "Trainer"),
    ]:
        person = User.objects.get(username=username)
        assert person.check_password("demo-line-2026")
        assert role in person.role_names()
    assert User.objects.filter(username="coordinator").count() == 1


@pytest.mark.django_db
def test_roles_exist_with_their_capabilities():
    for role, codename in [
        ("Responder", "respond"),
        ("Coordinator", "coordinate"),
        ("Trainer", "train"),
    ]:
        group = Group.objects.get(name=role)
        assert list(group.permissions.values_list("codename", flat=True)) == [codename]


def test_a_person_may_hold_several_roles(coordinator):
    assert coordinator.has_perm("crisisline.coordinate")
    assert coordinator.has_perm("crisisline.respond")
    assert not coordinator.has_perm("crisisline.train")


def test_holders_of_a_capability_match_can_in_one_query(
    responder, coordinator, trainer, deactivated, django_assert_num_queries
):
    from crisisline.roles import can, holders_of

    with django_assert_num_queries(1):
        holders = set(holders_of("respond"))
    assert holders == {responder, coordinator}
    assert all(can(person, "respond") for person in holders)
    assert not can(trainer, "respond") and deactivated not in holders


@pytest.mark.django_db(transaction=True)
def test_prune_gathers_sqlite_planner_statistics():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL gathers statistics itself (autovacuum)")
    call_command("prune", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone()[0] == 1


def test_runperiodic_tries_a_failed_job_again_at_the_next_tick(settings, monkeypatch):
    """A job that fails (the database still migrating at start-up, say) is not left
    for a whole interval: /healthz would stay 503 that long."""
    from crisisline.management.commands import runperiodic

    settings.PERIODIC_COMMANDS = [("purge_expired", 300)]
    outcomes = iter([False, True])
    runs = []

    def run_once(self, name):
        runs.append(name)
        return next(outcomes)

    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) >= 3:
            raise KeyboardInterrupt

    clock = iter(range(0, 1000, 5))
    monkeypatch.setattr(runperiodic.Command, "_run", run_once)
    monkeypatch.setattr(runperiodic.time, "sleep", sleep)
    monkeypatch.setattr(runperiodic.time, "monotonic", lambda: next(clock))
    with pytest.raises(KeyboardInterrupt):
        call_command("runperiodic", "--tick", "5", stdout=StringIO())
    # Failed at 0, tried again at the next tick (5), then not before 305.
    assert runs == ["purge_expired", "purge_expired"]
