import pytest


@pytest.mark.django_db
def test_public_home_renders_line_name(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Crisis line" in response.content
