from django.core.management import call_command

from protocols import trees
from protocols.models import Protocol
from protocols.police import missing_sections


def run() -> str:
    return call_command("load_starter_protocols")


def test_loads_every_starter_protocol_in_both_languages(db):
    assert run() == "starter protocols: 14 added, 0 already present"
    assert Protocol.objects.filter(language="en").count() == 7
    assert Protocol.objects.filter(language="es").count() == 7
    for key in Protocol.objects.values_list("translation_key", flat=True).distinct():
        assert set(
            Protocol.objects.filter(translation_key=key).values_list("language", flat=True)
        ) == {"en", "es"}
    categories = set(Protocol.objects.values_list("category", flat=True))
    assert categories == {
        "emergency-or-crisis",
        "de-escalation",
        "police-presence",
        "digital-security",
        "other",  # verifying a resource of the care map
        "safety-planning",
        "aftercare",
    }


def test_the_trees_cover_every_kind_of_call_and_link_to_real_pages(db):
    run()
    pages = set(Protocol.objects.filter(kind="page").values_list("slug", flat=True))
    for slug in ("emergency-or-crisis", "emergencia-o-crisis"):
        doc = Protocol.objects.get(slug=slug).current.document
        assert trees.validate(doc, pages) == []
        outcomes = [n for n in doc["nodes"] if n["type"] == "outcome"]
        assert len(outcomes) == 6  # emergency, acute, non-acute, chronic, prevention, aftercare


def test_police_plans_follow_the_template(db):
    run()
    for protocol in Protocol.objects.filter(category="police-presence"):
        assert missing_sections(protocol.current.body, protocol.language) == []


def test_running_again_adds_nothing_and_keeps_edits(db, trainer):
    run()
    page = Protocol.objects.get(slug="de-escalation-basics")
    page.add_revision(author=trainer, body="A trainer's own version.")
    assert run() == "starter protocols: 0 added, 14 already present"
    assert Protocol.objects.count() == 14
    assert (
        Protocol.objects.get(slug="de-escalation-basics").current.body == "A trainer's own version."
    )


def test_a_missing_page_is_added_back_without_touching_the_others(db):
    run()
    Protocol.objects.get(slug="safety-planning").delete()
    assert run() == "starter protocols: 1 added, 13 already present"


def test_demo_loads_it(db):
    import io

    from protocols import demo

    demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    assert Protocol.objects.count() == 14


def test_responders_can_follow_the_starter_tree_on_a_phone(as_responder):
    run()
    html = as_responder.get("/protocols/trees/emergency-or-crisis/?path=1.0").content.decode()
    assert "Acute crisis" in html
    assert "/protocols/de-escalation-basics/" in html
