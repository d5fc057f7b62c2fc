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


def test_anonymous_and_wrong_method(client, as_coordinator):
    assert client.get("/line/").status_code == 302
    assert as_coordinator.put("/line/").status_code == 405
