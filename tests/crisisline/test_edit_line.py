from crisisline.models import Line


def test_coordinator_edits_the_public_text(as_coordinator, client):
    response = as_coordinator.post(
        "/line/",
        {
            "name": "Northside Line",
            "responds_to": "Neighbours in crisis.",
            "does_not_respond_to": "",
        },
    )
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert "Northside Line" in body and "Neighbours in crisis." in body


def test_responder_and_trainer_may_not(as_responder, as_trainer):
    for person in (as_responder, as_trainer):
        assert person.post("/line/", {"name": "Hijacked"}).status_code == 403
    assert not Line.objects.filter(name="Hijacked").exists()


def test_empty_name_is_refused(as_coordinator):
    response = as_coordinator.post("/line/", {"name": ""})
    assert response.status_code == 200
    assert not Line.objects.exists()


def test_the_lines_number_is_stored_in_e164_and_shown_grouped(as_coordinator, client):
    as_coordinator.post("/line/", {"name": "Northside Line", "public_phone": "+52 (55) 1234-5678"})
    assert Line.current().public_phone == "+525512345678"
    body = client.get("/").content.decode()
    assert 'href="tel:+525512345678"' in body and "+52 55 1234 5678" in body


def test_a_number_that_cannot_be_dialled_is_refused(as_coordinator):
    response = as_coordinator.post("/line/", {"name": "Northside Line", "public_phone": "12"})
    assert "not a phone number we can dial" in response.content.decode()
    assert not Line.objects.exists()
