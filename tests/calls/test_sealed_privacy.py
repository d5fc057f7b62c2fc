"""/privacy/ states the sealing guarantee, and what a reset does, in both languages."""

from __future__ import annotations

import pytest

CLAIMS = {
    "en": [
        "Sealed: the server alone cannot read a note",
        "taken while nobody is signed in",
        "opens no note",
        "A stolen sign-in cookie without the server, or the server without that cookie, "
        "opens nothing either.",
        "the notes sealed to their old key can no longer be opened by them",
        "Changing your own password keeps your key.",
    ],
    "es": [
        "Selladas: el servidor por sí solo no puede leer una nota",
        "hecha mientras nadie tiene la sesión abierta",
        "no abre ninguna nota",
        "Una cookie de sesión robada sin el servidor, o el servidor sin esa cookie, "
        "tampoco abren nada.",
        "ya no puede abrir las notas selladas con su clave anterior",
        "Si cambias tu propia contraseña, conservas tu clave.",
    ],
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_privacy_states_the_sealing_guarantee(client, db, language):
    client.cookies["django_language"] = language
    html = client.get("/privacy/").content.decode()
    assert f'lang="{language}"' in html
    for claim in CLAIMS[language]:
        assert claim.replace("'", "&#x27;") in html or claim in html, claim


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        ("en", "Notes sealed to your old key can no longer be opened"),
        ("es", "Las notas selladas con tu clave anterior ya no se pueden abrir"),
    ],
)
def test_the_reset_page_says_old_notes_become_unreadable(client, responder, language, warning):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from crisisline.tokens import password_links

    client.cookies["django_language"] = language
    uid = urlsafe_base64_encode(force_bytes(responder.pk))
    token = password_links.make_token(responder)
    html = client.get(f"/accounts/reset/{uid}/{token}/", follow=True).content.decode()
    assert warning in html
