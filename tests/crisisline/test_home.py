import pytest

from crisisline.models import Line


@pytest.fixture
def described_line(db):
    return Line.objects.create(
        pk=1,
        name="Eastside Line",
        public_phone="+1 555 010 9999",
        responds_to="People in distress.",
        does_not_respond_to="We never call the police.",
        responds_to_es="Personas con angustia.",
    )


def test_public_home_says_what_the_line_does(client, described_line):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Eastside Line" in body
    assert "People in distress." in body
    assert "We never call the police." in body
    assert 'href="tel:+15550109999"' in body
    assert "Sign in" in body


def test_public_home_in_spanish_falls_back_to_english_where_untranslated(client, described_line):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    body = response.content.decode()
    assert "Personas con angustia." in body
    assert "We never call the police." in body  # no Spanish version written yet
    assert "Qué atendemos" in body


def test_home_without_a_description_says_so(client, db):
    response = client.get("/")
    assert "The line has not described this yet." in response.content.decode()


def test_edit_link_only_for_coordinators(as_responder, as_coordinator, described_line):
    assert "/line/" not in as_responder.get("/").content.decode()
    assert 'href="/line/"' in as_coordinator.get("/").content.decode()


def test_wrong_method(client, db):
    assert client.post("/").status_code == 405


def test_public_home_reads_the_line_once(client, described_line, django_assert_max_num_queries):
    # The line, the opening hours and the closures: nothing that grows with the line.
    with django_assert_max_num_queries(3):
        assert client.get("/").status_code == 200
