def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/home/")


def test_shows_the_person_and_their_roles(as_coordinator):
    body = as_coordinator.get("/home/").content.decode()
    assert "Hello, Rosa Coordinator" in body
    assert "Coordinator" in body and "Responder" in body
    assert 'href="/people/"' in body


def test_responder_sees_no_coordinator_links(as_responder):
    body = as_responder.get("/home/").content.decode()
    assert 'href="/people/"' not in body
    assert 'href="/line/"' not in body


def test_wrong_method(as_responder):
    assert as_responder.post("/home/").status_code == 405


def test_deactivated_persons_old_session_is_signed_out(responder, as_responder):
    assert as_responder.get("/home/").status_code == 200
    responder.deactivate()
    response = as_responder.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_capabilities_cost_one_query_per_request(as_coordinator, django_assert_max_num_queries):
    # session, user, capabilities (once, however many checks), the line's name,
    # the page's own list of the person's roles, line-holder places at risk, and
    # (coordinators) the count of live notes whose key is missing; debrief or break
    # requests for them; and, as this coordinator responds too, their follow-ups,
    # a shift to check out of and unread notices
    with django_assert_max_num_queries(11):
        as_coordinator.get("/home/")
