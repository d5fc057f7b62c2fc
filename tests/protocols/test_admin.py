from django.conf import settings

from tests.conftest import client_for
from tests.factory import make_person


def test_superuser_sees_protocols_and_their_revisions_read_only(page, db):
    boss = make_person("boss", is_superuser=True, is_staff=True)
    client = client_for(boss)
    url = f"/{settings.ADMIN_URL}protocols/protocol/{page.pk}/change/"
    html = client.get(url).content.decode()
    assert "First version" in html
    assert 'name="revisions-0-summary"' not in html  # shown, not editable


def test_trainers_do_not_get_the_admin(as_trainer, page):
    assert as_trainer.get(f"/{settings.ADMIN_URL}protocols/protocol/").status_code == 302
